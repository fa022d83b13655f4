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

/// Runs four presets for 2 000 steps each through the engine (the page's and the command line's) and hashes
/// the bits of everything they measured — the history (all but the wall time of the fits), the final
/// measurement and the network's weights and biases. Native and wasm must agree exactly: the page and the command line
/// give the same numbers. (It proves identity, not correctness: `tests/claims.rs` measures what the numbers
/// are.) Every metric is hashed with its name and its kind, so that a NaN (null in JSON), a `false` and a −1
/// all hash differently.
pub fn engine_fingerprint() -> u64 {
    use lastlayer::engine::Engine;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &byte in bytes {
            h ^= byte as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for name in ["blobs", "three_blobs", "moons", "normalized_gd"] {
        let mut e = Engine::for_preset(name, Default::default()).expect("presets start");
        e.advance(2_000);
        let mut history = e.history().to_vec();
        history.push(e.metrics().expect("settled").clone());
        for m in &history {
            let mut v = serde_json::to_value(m).expect("metrics serialise");
            v["svm_fit_ms"] = serde_json::Value::Null;
            for (key, x) in v.as_object().expect("an object") {
                eat(key.as_bytes());
                match x {
                    serde_json::Value::Null => eat(&[0]),
                    serde_json::Value::Bool(b) => eat(&[1, u8::from(*b)]),
                    serde_json::Value::Number(n) => {
                        eat(&[2]);
                        eat(&n.as_f64().expect("a number").to_bits().to_le_bytes());
                    }
                    other => panic!("metric {key} is {other}"),
                }
            }
        }
        // Every trainable tensor, weights and biases, each after its layer and kind.
        let net = e.session().network();
        for (layer, tensor) in net.trainable(0) {
            eat(&(layer as u64).to_le_bytes());
            eat(&[u8::from(tensor == lastlayer::nn::Tensor::Weights)]);
            for w in net.tensor(layer, tensor).iter() {
                eat(&w.to_bits().to_le_bytes());
            }
        }
    }
    h
}

/// The engine fingerprint recorded in `tests/golden/engine_fingerprint.txt`.
pub fn golden_engine_fingerprint() -> u64 {
    let text = include_str!("../golden/engine_fingerprint.txt");
    u64::from_str_radix(text.trim().trim_start_matches("0x"), 16).expect("the golden file holds a hex u64")
}
