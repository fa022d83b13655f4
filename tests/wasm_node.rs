//! WebAssembly tests run in node by `wasm-bindgen-test-runner` (`cargo test --target wasm32-unknown-unknown`).
//! Plain `#[test]` functions are skipped on wasm: every test here is a `#[wasm_bindgen_test]`.
#![cfg(target_arch = "wasm32")]

mod common;

use wasm_bindgen_test::wasm_bindgen_test;

/// The wasm half of the cross-platform check: the same configs give the same bits as the native build
/// (`tests/data_props.rs` checks the same golden fingerprint natively).
#[wasm_bindgen_test]
fn data_are_bit_identical_to_native() {
    assert_eq!(common::combined_fingerprint(), common::golden_fingerprint());
}

/// The SVM in wasm fits two fixtures to exactly the same bits as natively (`tests/svm_exact.rs` checks the
/// same golden fingerprint natively, and checks the native fit against the certified optimum).
#[wasm_bindgen_test]
fn svm_matches_native_bit_for_bit() {
    assert_eq!(common::svm_fingerprint(), common::golden_svm_fingerprint());
}

/// The engine in wasm measures four presets to exactly the bits it does natively (`tests/claims.rs` checks
/// the same golden fingerprint natively): the page and the command line give the same numbers.
#[wasm_bindgen_test]
fn engine_matches_native_bit_for_bit() {
    assert_eq!(common::engine_fingerprint(), common::golden_engine_fingerprint());
}

/// And the wasm fit is itself at the certified optimum of `paper_blobs` (hinge, regularised bias, C = 1000):
/// relative primal excess below 1e-6.
#[wasm_bindgen_test]
fn svm_reaches_the_certified_optimum_in_wasm() {
    use lastlayer::svm::SvmParams;
    let v: serde_json::Value = serde_json::from_str(include_str!("fixtures/svm/paper_blobs.json")).unwrap();
    let rows: Vec<Vec<f64>> = serde_json::from_value(v["X"].clone()).unwrap();
    let y: Vec<usize> = serde_json::from_value(v["y"].clone()).unwrap();
    let x = ndarray::Array2::from_shape_vec((rows.len(), 2), rows.concat()).unwrap();
    let reference = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["formulation"] == "binary_hinge_regbias" && r["C"] == 1000.0)
        .unwrap();
    let model = SvmParams { c: 1000.0, ..SvmParams::default() }.fit(x.view(), &y, 2, None).unwrap();
    let p_ref = reference["primal"].as_f64().unwrap();
    assert!((model.stats.primal - p_ref) / p_ref <= 1e-6, "wasm primal {} vs {p_ref}", model.stats.primal);
}
