//! The kernel SVM SupportNet selects with (src/svm/kernel.rs) against scikit-learn's `SVC(kernel="rbf", C=1,
//! gamma="scale")` on two data sets (tests/fixtures/kernel_svc.json, written by kernel_svc.py beside it): the
//! same γ, the same support vectors, the same one-vs-one decision values.
#![cfg(not(target_arch = "wasm32"))]

use lastlayer::svm::kernel::KernelSvm;
use ndarray::Array2;
use serde_json::Value;

#[test]
fn the_rbf_machines_equal_scikit_learns() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/kernel_svc.json")).unwrap();
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let rows: Vec<Vec<f64>> = serde_json::from_value(case["x"].clone()).unwrap();
        let labels: Vec<usize> = serde_json::from_value(case["labels"].clone()).unwrap();
        let support: Vec<usize> = serde_json::from_value(case["support"].clone()).unwrap();
        let decision: Vec<Vec<f64>> = serde_json::from_value(case["decision"].clone()).unwrap();
        let x = Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j]);
        let classes = labels.iter().max().unwrap() + 1;
        let fit = KernelSvm::default().fit(x.view(), &labels, classes);
        let gamma = case["gamma"].as_f64().unwrap();
        assert!((fit.gamma - gamma).abs() <= 1e-12 * gamma, "{name}: γ {} against {gamma}", fit.gamma);
        assert!(!fit.capped);
        assert_eq!(fit.support, support, "{name}: the support vectors");
        // Both solvers stop at a KKT violation of 10⁻³; their decision values agree to about that.
        let mut worst = 0.0f64;
        for (p, m) in fit.pairs.iter().enumerate() {
            for (i, row) in rows.iter().enumerate() {
                // scikit-learn's ovo values are positive for the pair's first class; ours for its second.
                let ours = -m.decision(x.view(), row, fit.gamma);
                worst = worst.max((ours - decision[i][p]).abs());
            }
        }
        assert!(worst < 2e-3, "{name}: decision values differ by {worst}");
        eprintln!("{name}: {} support vectors, decision values within {worst:.1e}", fit.support.len());
    }
}
