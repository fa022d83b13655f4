//! Networks trained anywhere (issue 33): files written by real NumPy, real safetensors and a network trained by
//! scikit-learn (tests/fixtures/netfile/make.py) are read as they were written, bad files are refused with
//! messages that name the array, the lab's own runs leave in the same form and come back with the same
//! numbers, and the angle on scikit-learn's network equals an independent solver's.
#![cfg(not(target_arch = "wasm32"))]

use lastlayer::check::{check, CheckOptions};
use lastlayer::csv_io::library_with_digits;
use lastlayer::engine::Engine;
use lastlayer::export::network_file;
use lastlayer::netfile::NetworkFile;
use serde_json::Value;
use std::path::Path;

const DIR: &str = "tests/fixtures/netfile";

fn read(names: &[&str]) -> Result<NetworkFile, String> {
    let bytes: Vec<(String, Vec<u8>)> =
        names.iter().map(|n| (n.to_string(), std::fs::read(Path::new(DIR).join(n)).expect("a fixture"))).collect();
    let named: Vec<(&str, &[u8])> = bytes.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    NetworkFile::read(&named)
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(DIR).join("expected.json")).unwrap()).unwrap()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()).collect()
}

fn rows(a: &ndarray::Array2<f64>) -> Vec<Vec<f64>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

fn never_stop(_: f64) -> bool {
    true
}

/// np.savez with float32 arrays: every value as NumPy holds it (float32 widened exactly), the head K × d, the
/// test set; and safetensors holding the same arrays reads the same.
#[test]
fn numpy_and_safetensors_files_read_as_written() {
    let e = expected();
    let f = read(&["savez.npz"]).unwrap();
    assert_eq!(rows(&f.features), matrix(&e["savez"]["features"]));
    let head = f.head.as_ref().expect("a head");
    assert_eq!(rows(&head.weight), matrix(&e["savez"]["weight"]));
    let bias: Vec<f64> = e["savez"]["bias"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert_eq!(head.bias, bias);
    assert!(head.has_bias);
    let labels: Vec<usize> =
        e["savez"]["labels"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
    assert_eq!(f.labels, labels);
    assert_eq!(f.class_names, ["0", "1", "2"], "integer labels index the head's rows");
    assert_eq!(f.test.as_ref().map(|t| (t.0.dim(), t.1.len())), Some(((9, 4), 9)));
    assert!(f.float32, "every float array was float32");
    assert!(f.notes.is_empty(), "nothing assumed: {:?}", f.notes);
    let s = read(&["head.safetensors"]).unwrap();
    assert_eq!(s.features, f.features);
    assert_eq!(s.labels, f.labels);
    assert_eq!(s.head, f.head);
}

/// np.savez_compressed with a Fortran-order float64 matrix, string labels named by `classes`, a head stored
/// d × K (transposed, and said so) and a checkpoint.
#[test]
fn fortran_order_strings_transposed_heads_and_checkpoints() {
    let e = &expected()["compressed_fortran"];
    let f = read(&["compressed_fortran.npz"]).unwrap();
    assert_eq!(rows(&f.features), matrix(&e["features"]), "Fortran order is read as NumPy indexes it");
    assert_eq!(f.class_names, ["cat", "dog", "eel"]);
    let labels: Vec<usize> = e["labels"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
    assert_eq!(f.labels, labels);
    assert_eq!(rows(&f.head.as_ref().unwrap().weight), matrix(&e["weight_kd"]));
    assert!(f.notes.iter().any(|n| n.contains("transposed")), "{:?}", f.notes);
    assert_eq!(f.checkpoints.len(), 1);
    let c = &f.checkpoints[0];
    assert_eq!(c.epoch, 1);
    assert_eq!(c.features, &f.features * 0.5);
    assert_eq!(c.head.as_ref().unwrap().weight, &f.head.as_ref().unwrap().weight * 0.1);
    assert_eq!(c.head.as_ref().unwrap().bias, vec![1.0; 3]);
    // Measured at the checkpoint and at the end: two states, the second's drift measured from the first.
    let r = check(&f, &CheckOptions::default(), &mut never_stop).unwrap();
    assert_eq!(r.history.iter().map(|m| m.step).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(r.history[1].drift_from_step, Some(1));
    assert!((r.history[1].feature_drift - 1.0).abs() < 1e-12, "‖H − H/2‖/‖H/2‖ = 1: {}", r.history[1].feature_drift);
}

/// `np.save` files, each array named by its file: a one-row binary head without a bias.
#[test]
fn npy_files_named_by_their_file_names() {
    let f = read(&["features.npy", "labels.npy", "weight.npy"]).unwrap();
    assert_eq!(f.features.dim(), (20, 3));
    let head = f.head.as_ref().unwrap();
    assert_eq!(head.weight.dim(), (1, 3));
    assert!(!head.has_bias);
    assert_eq!(f.classes(), 2);
    let r = check(&f, &CheckOptions::default(), &mut never_stop).unwrap();
    assert!(r.regime.contains("bias-free"), "{}", r.regime);
    assert!(r.history[0].angle_wb_deg.is_finite());
    // Without a head: the SVM alone.
    let bare = read(&["features.npy", "labels.npy"]).unwrap();
    let r = check(&bare, &CheckOptions::default(), &mut never_stop).unwrap();
    assert!(r.history[0].angle_wb_deg.is_nan() && r.history[0].margin_svm.is_finite());
    assert!(r.regime.contains("no last layer"), "{}", r.regime);
    assert!(r.measurement.is_none());
}

/// Every bad file is refused whole, with a message naming the array, its shape and what was wanted.
#[test]
fn bad_files_get_located_messages() {
    let cases: [(&[&str], &[&str]); 8] = [
        (&["bad_object_labels.npz"], &["`labels`", "dtype=object"]),
        (&["bad_weight_shape.npz"], &["`weight`", "(3, 7)", "d = 4"]),
        (&["bad_nan.npz"], &["`features`", "(30, 4)", "NaN", "[4, 2]"]),
        (&["bad_name.npz"], &["`logits`", "(30, 3)", "features, labels"]),
        (&["bad_float_labels.npz"], &["`labels`", "(30,)", "integers"]),
        (&["weight.npy"], &["no `features`"]),
        (&["savez.npz", "head.safetensors"], &["`bias`", "savez.npz", "head.safetensors"]),
        (&["make.py"], &["make.py", "not a NumPy"]),
    ];
    for (files, words) in cases {
        let err = read(files).expect_err("refused");
        for w in words {
            assert!(err.contains(w), "{files:?}: {err:?} should say {w:?}");
        }
    }
}

/// The lab's own run, exported as a network's file and checked: the file holds what the run measured, and the
/// check gives the run's own final numbers — the angles and margins to the bit.
#[test]
fn the_labs_runs_round_trip() {
    for (preset, steps) in [("blobs", 3000), ("three_blobs", 3000)] {
        let mut engine = Engine::for_preset(preset, library_with_digits()).unwrap();
        engine.advance(steps);
        let file = network_file(&engine).expect("measured");
        let back = NetworkFile::read(&[("run.npz", &file.to_npz().unwrap())]).unwrap();
        assert_eq!(back.features, file.features, "{preset}");
        assert_eq!(back.labels, file.labels);
        assert_eq!(back.class_names, file.class_names);
        assert_eq!(back.head, file.head);
        assert_eq!(back.test, file.test);
        let run = engine.metrics().unwrap().clone();
        assert!(run.svm_rel_gap < 1e-9, "{preset}: the run's own SVM is solved ({})", run.svm_rel_gap);
        let options = CheckOptions::of(engine.session().config());
        let r = check(&back, &options, &mut never_stop).unwrap();
        let m = r.history.last().unwrap();
        let (a, b) = (serde_json::to_value(&run).unwrap(), serde_json::to_value(m).unwrap());
        for key in [
            "angle_w_deg",
            "angle_wb_deg",
            "margin_net",
            "margin_svm",
            "loss_train",
            "loss_test",
            "acc_train",
            "acc_test",
            "agree_test",
            "support_count",
            "sv_overlap",
            "separable",
            "norm_net_wb",
            "last_layer_norm",
            "nc1",
            "nc2_equinorm",
            "nc3",
            "nc4",
            "offset_net",
        ] {
            assert_eq!(a[key], b[key], "{preset}: {key}");
        }
        // The solver stopped at its certificate both times; warm-started in the run, cold here.
        for key in ["angle_w_free_deg", "margin_svm_free", "offset_svm", "norm_svm_wb"] {
            let (x, y) = (a[key].as_f64().unwrap_or(f64::NAN), b[key].as_f64().unwrap_or(f64::NAN));
            assert!((x - y).abs() <= 1e-6 * x.abs().max(1.0) || (x.is_nan() && y.is_nan()), "{preset}: {key} {x} {y}");
        }
    }
}

/// scikit-learn's MLPClassifier on the digits, with a 2-wide last hidden layer: the lab's angle between its
/// last layer and the Crammer–Singer SVM equals cvxpy's to 0.01°, and the lab's certified dual bound is below
/// cvxpy's objective (the optimum lies between them).
#[test]
fn a_network_trained_by_scikit_learn() {
    let e = &expected()["sklearn_mlp_digits"];
    let f = read(&["sklearn_mlp_digits.npz"]).unwrap();
    assert_eq!(f.features.dim(), (1797, 2));
    assert_eq!(f.inputs.as_ref().and_then(|i| i.image), Some([8, 8, 1]));
    let mut options = CheckOptions::default();
    options.svm.c = e["C"].as_f64().unwrap();
    let r = check(&f, &options, &mut never_stop).unwrap();
    let m = r.history.last().unwrap();
    let want = e["angle_wb_deg"].as_f64().unwrap();
    assert!((m.angle_wb_deg - want).abs() < 0.01, "{} against cvxpy's {want}", m.angle_wb_deg);
    assert!((m.angle_w_deg - e["angle_w_deg"].as_f64().unwrap()).abs() < 0.01);
    assert!((m.acc_train - e["train_accuracy"].as_f64().unwrap()).abs() < 1e-12);
    assert!(r.extra.dual_objective <= e["primal"].as_f64().unwrap() + 1e-9);
    assert!(!m.svm_capped);
}
