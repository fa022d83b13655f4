//! The `lastlayer` command line, run as a user would.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn lastlayer(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lastlayer")).args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lastlayer-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `svm` on the four-point hard-margin set prints w = (2, 0), b = −1 (the hand-checked optimum of
/// tests/svm_exact.rs) and every documented field.
#[test]
fn svm_prints_the_solution_as_json() {
    let csv = temp_file("tiny.csv", "a,b,label\n0,0,0\n1,1,1\n0,1,0\n2,2,1\n");
    let (code, out, err) =
        lastlayer(&["svm", "--csv", csv.to_str().unwrap(), "--formulation", "hinge-regbias", "--c", "1000"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let w: Vec<f64> = serde_json::from_value(v["w"].clone()).unwrap();
    assert!((w[0] - 2.0).abs() < 1e-6 && w[1].abs() < 1e-6 && (v["b"].as_f64().unwrap() + 1.0).abs() < 1e-6, "{out}");
    for key in ["primal", "dual", "gap", "support", "epochs", "ms", "capped", "separable"] {
        assert!(v.get(key).is_some(), "missing {key} in {out}");
    }
    assert_eq!(v["separable"], true);
    assert_eq!(v["support"], serde_json::json!([0, 1, 2]));
}

/// Multi-class output has `W` (one row per class) and a bias vector.
#[test]
fn svm_multiclass_prints_w_rows() {
    let csv = temp_file("three.csv", "a,b,label\n0,0,0\n0.1,0,0\n5,5,1\n5.1,5,1\n10,0,2\n10.1,0,2\n");
    for formulation in ["crammer-singer", "ovr"] {
        let (code, out, err) =
            lastlayer(&["svm", "--csv", csv.to_str().unwrap(), "--formulation", formulation, "--c", "10"]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["W"].as_array().unwrap().len(), 3, "{out}");
        assert_eq!(v["b"].as_array().unwrap().len(), 3, "{out}");
    }
}

/// A bad file gets a message naming the line and a non-zero exit; so does a bad formulation or C.
#[test]
fn svm_rejects_bad_input_with_a_located_message() {
    let csv = temp_file("bad.csv", "x,y,label\n1,2,0\n3,oops,1\n");
    let (code, out, err) = lastlayer(&["svm", "--csv", csv.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(err.contains("line 3: column 2 (y): 'oops' is not a number"), "{err}");
    let good = temp_file("good.csv", "x,y,label\n0,0,0\n1,1,1\n");
    let (code, _, err) = lastlayer(&["svm", "--csv", good.to_str().unwrap(), "--formulation", "rbf"]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown formulation 'rbf'"), "{err}");
    let (code, _, err) = lastlayer(&["svm", "--csv", good.to_str().unwrap(), "--c=-1"]);
    assert_ne!(code, 0);
    assert!(err.contains("C = -1 is invalid"), "{err}");
    let (code, _, err) = lastlayer(&["svm", "--csv", "/nonexistent.csv"]);
    assert_ne!(code, 0);
    assert!(err.contains("/nonexistent.csv"), "{err}");
}
