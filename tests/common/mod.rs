//! Helpers shared by the integration tests (native and wasm).
#![allow(dead_code)]

use lastlayer::data::{DataConfig, Source, Split};

/// FNV-1a over the exact bits of every coordinate and label of a split, training points first.
pub fn fingerprint(split: &Split) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |v: u64| {
        for byte in v.to_le_bytes() {
            h ^= byte as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for part in [&split.train, &split.test] {
        for (p, &l) in part.inputs.rows().into_iter().zip(&part.labels) {
            eat(p[0].to_bits());
            eat(p[1].to_bits());
            eat(l as u64);
        }
    }
    h
}

/// Every generator at its defaults with non-trivial noise, for three seeds: the configurations whose points
/// must be bit-identical natively and in WebAssembly.
pub fn determinism_configs() -> Vec<DataConfig> {
    let mut out = Vec::new();
    for set in Source::ALL {
        if !set.is_generated() {
            continue;
        }
        for seed in [0u64, 7, 123_456_789] {
            let mut c = set.defaults();
            c.seed = seed;
            c.samples = 300;
            c.noise = c.noise.max(0.02);
            out.push(c);
        }
    }
    out
}

/// One fingerprint over all of [`determinism_configs`].
pub fn combined_fingerprint() -> u64 {
    determinism_configs()
        .iter()
        .map(|c| fingerprint(&lastlayer::data::generate(c, &Default::default()).expect("defaults are valid")))
        .fold(0u64, |acc, f| acc.rotate_left(5) ^ f)
}

/// The fingerprint recorded in `tests/golden/data_fingerprint.txt`.
pub fn golden_fingerprint() -> u64 {
    let text = include_str!("../golden/data_fingerprint.txt");
    u64::from_str_radix(text.trim().trim_start_matches("0x"), 16).expect("the golden file holds a hex u64")
}

/// The fixture `paper_blobs` fitted with the default SVM (hinge, regularised bias) at C = 1000 and with
/// Crammer–Singer on `three_blobs` at C = 100: the bits of their weights and biases, hashed. Native and wasm
/// must agree exactly (the solver uses only IEEE-exact operations and a seeded order).
pub fn svm_fingerprint() -> u64 {
    use lastlayer::svm::SvmParams;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (text, c) in [
        (include_str!("../fixtures/svm/paper_blobs.json"), 1000.0),
        (include_str!("../fixtures/svm/three_blobs.json"), 100.0),
    ] {
        let v: serde_json::Value = serde_json::from_str(text).expect("fixture JSON");
        let rows: Vec<Vec<f64>> = serde_json::from_value(v["X"].clone()).expect("X");
        let y: Vec<usize> = serde_json::from_value(v["y"].clone()).expect("y");
        let x = ndarray::Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).expect("n × d");
        let classes = v["classes"].as_u64().expect("classes") as usize;
        let model = SvmParams { c, ..SvmParams::default() }.fit(x.view(), &y, classes, None).expect("fixtures fit");
        for value in model.linear.w.iter().chain(&model.linear.b) {
            for byte in value.to_bits().to_le_bytes() {
                h ^= byte as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h ^= model.stats.epochs as u64;
    }
    h
}

/// The SVM fingerprint recorded in `tests/golden/svm_fingerprint.txt`.
pub fn golden_svm_fingerprint() -> u64 {
    let text = include_str!("../golden/svm_fingerprint.txt");
    u64::from_str_radix(text.trim().trim_start_matches("0x"), 16).expect("the golden file holds a hex u64")
}
