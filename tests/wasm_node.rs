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
