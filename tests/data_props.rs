#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the data generators: counts, label ranges, determinism, geometry; and the native half of
//! the native-vs-wasm determinism check (the wasm half is in `tests/wasm_node.rs`).

mod common;

use lastlayer::data::{DataConfig, LabeledPoint, Library, Source, Split, MAX_SEED};

fn generate(config: &DataConfig) -> Result<Split, lastlayer::data::DataError> {
    lastlayer::data::generate(config, &Library::default())
}
use proptest::prelude::*;

fn any_generated_set() -> impl Strategy<Value = Source> {
    prop::sample::select(Source::ALL.iter().copied().filter(|s| s.is_generated()).collect::<Vec<_>>())
}

fn any_config() -> impl Strategy<Value = DataConfig> {
    (
        any_generated_set(),
        8usize..600,
        0.0..0.3f64,
        0.05..0.95f64,
        0..=MAX_SEED,
        0.0..0.8f64,
        0.0..0.4f64,
        2usize..=5,
        2usize..=6,
    )
        .prop_map(|(set, samples, noise, balance, seed, test_fraction, margin, arms, classes)| DataConfig {
            set,
            samples,
            noise,
            balance,
            seed,
            test_fraction,
            margin,
            arms,
            classes,
            ..DataConfig::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Train + test hold exactly `samples` points, every label is below the class count, every class keeps
    /// at least one training point, and the same config gives the same points.
    #[test]
    fn counts_labels_and_determinism(config in any_config()) {
        let split = generate(&config).unwrap();
        let k = config.class_count();
        prop_assert_eq!(split.train.len() + split.test.len(), config.samples);
        prop_assert_eq!(split.train.classes, k);
        prop_assert!(split.train.labels.iter().chain(&split.test.labels).all(|&l| l < k));
        prop_assert!(split.train.class_counts().iter().all(|&c| c >= 1));
        prop_assert!(split.train.inputs.iter().chain(split.test.inputs.iter()).all(|v| v.is_finite()));
        prop_assert_eq!(&generate(&config).unwrap(), &split);
        let other = DataConfig { seed: config.seed.wrapping_add(1), ..config.clone() };
        prop_assert_ne!(generate(&other).unwrap(), split);
    }

    /// The held-out share of each class is round(n_k · test_fraction) (kept below n_k).
    #[test]
    fn split_is_stratified(config in any_config()) {
        let split = generate(&config).unwrap();
        let train = split.train.class_counts();
        let test = split.test.class_counts();
        for k in 0..train.len() {
            let n = train[k] + test[k];
            let want = ((n as f64 * config.test_fraction).round() as usize).min(n - 1);
            prop_assert_eq!(test[k], want);
        }
    }

    /// Without jitter, plate points keep their margin from the line x₁ + x₂ = 1, on their class's side.
    #[test]
    fn plate_keeps_its_margin(seed in 0..=MAX_SEED, margin in 0.0..0.4f64, samples in 8usize..400) {
        let config = DataConfig { set: Source::Plate, noise: 0.0, margin, seed, samples, ..DataConfig::default() };
        let split = generate(&config).unwrap();
        for part in [&split.train, &split.test] {
            for (p, &l) in part.inputs.rows().into_iter().zip(&part.labels) {
                let side = p[0] + p[1] - 1.0;
                let ok = if l == 1 { side >= margin } else { side <= -margin };
                prop_assert!(ok, "{:?} class {} margin {}", p, l, margin);
                prop_assert!((0.0..=1.0).contains(&p[0]) && (0.0..=1.0).contains(&p[1]));
            }
        }
    }

    /// Sector radii stay in their class's range and angles in the first quadrant; the separable variant is
    /// split by the line x₁ + x₂ = 0.283 (class 0 on or below, class 1 on or above).
    #[test]
    fn sectors_stay_in_their_annuli(seed in 0..=MAX_SEED, overlap in any::<bool>(), samples in 8usize..400) {
        let set = if overlap { Source::SectorsOverlap } else { Source::Sectors };
        let config = DataConfig { seed, samples, ..set.defaults() };
        let split = generate(&config).unwrap();
        let ranges = if overlap { [[0.1, 0.2], [0.25, 0.4]] } else { [[0.1, 0.2], [0.283, 0.4]] };
        for part in [&split.train, &split.test] {
            for (p, &l) in part.inputs.rows().into_iter().zip(&part.labels) {
                let r = p[0].hypot(p[1]);
                prop_assert!(r >= ranges[l][0] - 1e-12 && r <= ranges[l][1] + 1e-12, "r = {} for class {}", r, l);
                prop_assert!(p[0] >= -1e-12 && p[1] >= -1e-12);
                if !overlap {
                    let s = p[0] + p[1];
                    let ok = if l == 0 { s <= 0.283 + 1e-12 } else { s >= 0.283 - 1e-12 };
                    prop_assert!(ok, "x₁ + x₂ = {} for class {}", s, l);
                }
            }
        }
    }

    /// Disk points: class 0 within 0.2 − margin of the centre, class 1 beyond 0.2 + margin.
    #[test]
    fn disk_keeps_its_gap(seed in 0..=MAX_SEED, margin in 0.0..0.15f64) {
        let config = DataConfig { seed, margin, samples: 300, ..Source::Disk.defaults() };
        let split = generate(&config).unwrap();
        for (p, &l) in split.train.inputs.rows().into_iter().zip(&split.train.labels) {
            let r = (p[0] - 0.5).hypot(p[1] - 0.5);
            let ok = if l == 0 { r <= 0.2 - margin + 1e-12 } else { r >= 0.2 + margin - 1e-12 };
            prop_assert!(ok, "r = {} for class {}", r, l);
        }
    }

    /// XOR points keep their margin from the two lines and are labelled by quadrant.
    #[test]
    fn xor_labels_by_quadrant(seed in 0..=MAX_SEED, margin in 0.0..0.3f64) {
        let config = DataConfig { seed, margin, samples: 200, ..Source::Xor.defaults() };
        let split = generate(&config).unwrap();
        for (p, &l) in split.train.inputs.rows().into_iter().zip(&split.train.labels) {
            prop_assert!((p[0] - 0.5).abs() >= margin && (p[1] - 0.5).abs() >= margin);
            prop_assert_eq!(l, usize::from((p[0] > 0.5) != (p[1] > 0.5)));
        }
    }

    /// Custom points pass through unchanged (as a multiset) into train + test.
    #[test]
    fn custom_points_pass_through(raw in prop::collection::vec((-5.0..5.0f64, -5.0..5.0f64, 0usize..3), 6..60)) {
        let mut points: Vec<LabeledPoint> = raw.iter().map(|&(x, y, l)| LabeledPoint(x, y, l)).collect();
        // Make sure three classes with two points each exist.
        for l in 0..3 { points.push(LabeledPoint(l as f64, 0.0, l)); points.push(LabeledPoint(l as f64, 1.0, l)); }
        let config = DataConfig { set: Source::Custom, points: points.clone(), ..DataConfig::default() };
        let split = generate(&config).unwrap();
        let mut got: Vec<(u64, u64, usize)> = split.train.inputs.rows().into_iter().zip(&split.train.labels)
            .chain(split.test.inputs.rows().into_iter().zip(&split.test.labels))
            .map(|(p, &l)| (p[0].to_bits(), p[1].to_bits(), l)).collect();
        let mut want: Vec<(u64, u64, usize)> = points.iter().map(|p| (p.0.to_bits(), p.1.to_bits(), p.2)).collect();
        got.sort_unstable();
        want.sort_unstable();
        prop_assert_eq!(got, want);
    }
}

/// The blob centres are where the paper puts them: the class means of 2000 points lie within 4 standard
/// errors (0.1 / √1000 · 4 ≈ 0.013) of (0.2, 0.2) and (0.8, 0.8).
#[test]
fn blob_centres_match_the_paper() {
    let config = DataConfig { samples: 2000, test_fraction: 0.0, ..Source::Blobs.defaults() };
    let split = generate(&config).unwrap();
    for (k, centre) in [[0.2, 0.2], [0.8, 0.8]].iter().enumerate() {
        let pts: Vec<_> = split
            .train
            .inputs
            .rows()
            .into_iter()
            .zip(&split.train.labels)
            .filter(|(_, &l)| l == k)
            .map(|(p, _)| p)
            .collect();
        for a in 0..2 {
            let mean = pts.iter().map(|p| p[a]).sum::<f64>() / pts.len() as f64;
            assert!((mean - centre[a]).abs() < 0.013, "class {k} axis {a}: mean {mean}");
        }
    }
}

/// Native half of the cross-platform check: the fingerprint of every generator at three seeds equals the one
/// recorded in `tests/golden/data_fingerprint.txt`, which the wasm test checks too. Regenerate the file with
/// `LASTLAYER_BLESS=1 cargo test --test data_props` only when a generator changes on purpose.
#[test]
fn data_fingerprint_matches_golden() {
    let got = common::combined_fingerprint();
    if std::env::var_os("LASTLAYER_BLESS").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/data_fingerprint.txt"),
            format!("{got:#018x}\n"),
        )
        .unwrap();
    }
    assert_eq!(got, common::golden_fingerprint(), "native data differ from the golden fingerprint: {got:#018x}");
}
