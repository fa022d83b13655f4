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

/// Runs `reproduce --preset blobs` with `args` into a directory of its own named after `name`; asserts it
/// succeeds and returns the run.json it wrote, what it printed on stderr and the directory.
fn reproduce_blobs(name: &str, args: &[&str]) -> (serde_json::Value, String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("lastlayer-{name}-{}", std::process::id()));
    let mut all = vec!["reproduce", "--preset", "blobs", "--out", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let (code, _, err) = lastlayer(&all);
    assert_eq!(code, 0, "{err}");
    let run = serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    (run, err, dir)
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
    // --repeat N fits N times (the benchmarks' median time) and prints the same solution; 0 is refused.
    let (code, again, err) = lastlayer(&[
        "svm",
        "--csv",
        csv.to_str().unwrap(),
        "--formulation",
        "hinge-regbias",
        "--c",
        "1000",
        "--repeat",
        "5",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut a: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert!(a["ms"].as_f64().unwrap() >= 0.0, "{again}");
    let mut v = v;
    a["ms"] = serde_json::Value::Null;
    v["ms"] = serde_json::Value::Null;
    assert_eq!(a, v);
    let (code, _, err) = lastlayer(&["svm", "--csv", csv.to_str().unwrap(), "--repeat", "0"]);
    assert_ne!(code, 0);
    assert!(err.contains("--repeat"), "{err}");
}

/// Multi-class output has `W` (one row per class) and a bias vector, and the machine it describes is the
/// right one: on three well separated pairs of points (class names given as words, sorted) every point is
/// classified correctly with a margin of at least 1 (score of its class minus every other, to 1e-6), and
/// the certified relative gap is below 1e-9.
#[test]
fn svm_multiclass_prints_w_rows() {
    let csv = temp_file("three.csv", "a,b,label\n0,0,ant\n0.1,0,ant\n5,5,bee\n5.1,5,bee\n10,0,cat\n10.1,0,cat\n");
    let points = [[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [10.0, 0.0], [10.1, 0.0]];
    for formulation in ["crammer-singer", "ovr"] {
        let (code, out, err) =
            lastlayer(&["svm", "--csv", csv.to_str().unwrap(), "--formulation", formulation, "--c", "1000"]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let w: Vec<Vec<f64>> = serde_json::from_value(v["W"].clone()).unwrap();
        let b: Vec<f64> = serde_json::from_value(v["b"].clone()).unwrap();
        assert_eq!((w.len(), b.len()), (3, 3), "{out}");
        assert!(v["rel_gap"].as_f64().unwrap() <= 1e-9, "{out}");
        for (i, p) in points.iter().enumerate() {
            let s: Vec<f64> = (0..3).map(|k| w[k][0] * p[0] + w[k][1] * p[1] + b[k]).collect();
            let y = i / 2;
            for k in (0..3).filter(|&k| k != y) {
                let need = if formulation == "ovr" { 0.0 } else { 1.0 - 1e-6 };
                assert!(s[y] - s[k] > need, "{formulation}: point {i} scores {s:?}");
            }
        }
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

/// The RGB pixels of a PNG file, with its width and height.
fn png_pixels(path: &std::path::Path) -> (Vec<[u8; 3]>, u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let px = buf[..info.buffer_size()].chunks(channels).map(|c| [c[0], c[1], c[2]]).collect();
    (px, info.width, info.height)
}

/// How many pixels are within `tol` of `rgb` on every channel.
fn near(px: &[[u8; 3]], rgb: [u8; 3], tol: i32) -> usize {
    px.iter().filter(|p| (0..3).all(|i| (p[i] as i32 - rgb[i] as i32).abs() <= tol)).count()
}

/// `reproduce --list` names every preset; a short run writes run.json, metrics.csv and three PNG figures that
/// show what they should: both classes' points (Okabe–Ito blue and orange) in the input space, the SVM's
/// vermillion in the feature space and on the convergence charts, the foreground's dark lines everywhere.
#[test]
fn reproduce_writes_the_run_and_figures() {
    let (code, out, _) = lastlayer(&["reproduce", "--list"]);
    assert_eq!(code, 0);
    for p in lastlayer::presets::all() {
        assert!(out.lines().any(|l| l.starts_with(p.name) && l.contains(p.title)), "--list lacks {}: {out}", p.name);
    }
    assert_eq!(out.lines().count(), lastlayer::presets::all().len());
    let (run, _, dir) = reproduce_blobs("reproduce", &["--steps", "300"]);
    assert_eq!(run["steps"], 300);
    assert_eq!(run["final"]["step"], 300);
    // The command line runs the same engine as the page and the library: the same numbers to the bit.
    let mut engine = lastlayer::engine::Engine::for_preset("blobs", Default::default()).unwrap();
    engine.advance(300);
    let here = engine.metrics().unwrap();
    assert_eq!(run["final"]["angle_wb_deg"].as_f64().unwrap(), here.angle_wb_deg);
    assert_eq!(run["final"]["loss_train"].as_f64().unwrap(), here.loss_train);
    assert!((here.angle_wb_deg - 9.382).abs() < 0.01, "blobs at 300 steps: {}°", here.angle_wb_deg);
    let csv = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert!(header.contains(&"angle_wb_deg") && header.contains(&"step"));
    assert_eq!(csv.lines().count() - 1, run["metrics"].as_array().unwrap().len(), "one row per recorded step");
    let [blue, orange, svm, ink] = [[0, 114, 178], [230, 159, 0], [213, 94, 0], [28, 30, 36]];
    for (png, wants) in [
        ("input_space.png", vec![("class 0", blue, 300), ("class 1", orange, 300), ("lines", ink, 300)]),
        ("feature_space.png", vec![("class 0", blue, 100), ("SVM", svm, 100), ("lines", ink, 300)]),
        ("convergence.png", vec![("SVM series", svm, 100), ("lines", ink, 500)]),
    ] {
        let (px, w, h) = png_pixels(&dir.join(png));
        assert!(w >= 400 && h >= 400, "{png}: {w} × {h}");
        for (what, rgb, at_least) in wants {
            let n = near(&px, rgb, 20);
            assert!(n >= at_least, "{png}: {n} pixels of {what}");
        }
    }
}

/// `data` writes a generated set as the page's points format — deterministic for a seed, the same points as
/// the library makes, the training points alone with --train-only — or the digits (1 797 rows of 64 pixels
/// and a label); an unknown set is refused with the list.
#[test]
fn data_writes_generated_sets_and_the_digits() {
    let (code, out, err) = lastlayer(&["data", "--set", "moons", "--seed", "3"]);
    assert_eq!(code, 0, "{err}");
    let points = lastlayer::csv_io::parse_points(&out).unwrap();
    let config = lastlayer::data::DataConfig { seed: 3, ..lastlayer::data::Source::Moons.defaults() };
    let split = lastlayer::data::generate(&config, &Default::default()).unwrap();
    assert_eq!(points, lastlayer::data::points_of(&split));
    assert_eq!(lastlayer(&["data", "--set", "moons", "--seed", "3"]).1, out, "deterministic");
    assert_ne!(lastlayer(&["data", "--set", "moons", "--seed", "4"]).1, out, "the seed moves the points");
    let (_, train, _) = lastlayer(&["data", "--set", "moons", "--seed", "3", "--train-only", "--samples", "300"]);
    assert_eq!(lastlayer::csv_io::parse_points(&train).unwrap().len(), 240);
    let (code, digits, _) = lastlayer(&["data", "--set", "digits"]);
    assert_eq!(code, 0);
    let table = lastlayer::csv_io::parse_table(&digits, "d", &Default::default()).unwrap();
    assert_eq!((table.inputs.nrows(), table.inputs.ncols(), table.class_names.len()), (1797, 64, 10));
    let (code, _, err) = lastlayer(&["data", "--set", "nope"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("unknown data set 'nope'") && err.contains("gaussian_blobs") && err.contains("digits"),
        "{err}"
    );
}

/// `svm --bias-scale B` penalises the bias as a weight on a constant feature B: on four points shifted to
/// (10, 10) the optimum is w = (2, 0), b = −21 whatever B, and its objective ½‖w‖² + ½(b/B)² is 222.5 for
/// B = 1 and 4.205 for B = 10 (by hand); `--max-epochs` caps the passes (Crammer–Singer on the raw digits at
/// C = 1 is cut at 50, reported capped); `--tol` sets the certified gap it stops at (looser: sooner); bad
/// values are refused with their names.
#[test]
fn svm_options_do_what_they_say() {
    let shifted = temp_file("shifted.csv", "a,b,label\n10,10,0\n11,11,1\n10,11,0\n12,12,1\n");
    for (b, primal) in [("1", 222.5), ("10", 4.205)] {
        let (code, out, err) =
            lastlayer(&["svm", "--csv", shifted.to_str().unwrap(), "--c", "1000", "--bias-scale", b]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!((v["primal"].as_f64().unwrap() - primal).abs() < 1e-6, "B = {b}: {out}");
        assert!(
            (v["b"].as_f64().unwrap() + 21.0).abs() < 1e-6 && (v["w"][0].as_f64().unwrap() - 2.0).abs() < 1e-6,
            "{out}"
        );
    }
    let (_, digits, _) = lastlayer(&["data", "--set", "digits"]);
    let digits = temp_file("digits.csv", &digits);
    let fit = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["svm", "--csv", digits.to_str().unwrap(), "--formulation", "crammer-singer", "--c", "1"];
        args.extend_from_slice(extra);
        let (code, out, err) = lastlayer(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let capped = fit(&["--max-epochs", "50"]);
    assert_eq!((capped["epochs"].as_u64(), capped["capped"].as_bool()), (Some(50), Some(true)), "{capped}");
    let loose = fit(&["--tol", "1e-1"]);
    let tight = fit(&["--tol", "1e-3"]);
    for (v, tol) in [(&loose, 1e-1), (&tight, 1e-3)] {
        assert!(v["rel_gap"].as_f64().unwrap() <= tol && v["capped"] == false, "tol {tol}: {v}");
    }
    assert!(
        loose["epochs"].as_u64() < tight["epochs"].as_u64() && loose["rel_gap"].as_f64() > tight["rel_gap"].as_f64()
    );
    for (flag, value, name) in
        [("--tol", "0", "tol = 0"), ("--max-epochs", "0", "max_epochs = 0"), ("--bias-scale", "0", "bias_scale = 0")]
    {
        let (code, _, err) = lastlayer(&["svm", "--csv", shifted.to_str().unwrap(), flag, value]);
        assert_ne!(code, 0);
        assert!(err.contains(&format!("{name} is invalid")), "{err}");
    }
}

/// `--data` trains on the user's points instead of the preset's generator; bad input fails with a message.
#[test]
fn reproduce_takes_user_data_and_rejects_bad_input() {
    let mut text = String::from("x,y,label\n");
    for i in 0..20 {
        let t = i as f64 / 20.0;
        text.push_str(&format!("{},{},0\n{},{},1\n", t, 0.1 * t, t, 1.0 + 0.1 * t));
    }
    let csv = temp_file("mine.csv", &text);
    let (run, _, dir) = reproduce_blobs("mine", &["--steps", "50", "--data", csv.to_str().unwrap()]);
    assert_eq!(run["config"]["data"]["set"], "custom");
    let n = run["train"]["labels"].as_array().unwrap().len() + run["test"]["labels"].as_array().unwrap().len();
    assert_eq!(n, 40);
    let (code, _, err) = lastlayer(&["reproduce", "--preset", "nope", "--out", dir.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown preset 'nope'"), "{err}");
    let bad = temp_file("bad-points.csv", "x,y,label\n0,0,0\n1,1e400,1\n");
    let (code, _, err) = lastlayer(&["reproduce", "--data", bad.to_str().unwrap(), "--out", dir.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("line 3"), "{err}");
}

/// A table of five features in large raw units (thousands, offset by 5 000) with the class names in a
/// middle `label` column: standardised by default it trains to 100% with the angle falling from 1 000 to
/// 3 000 steps; fed raw (`--raw`) the same network's tanh units saturate and it stalls (75% training
/// accuracy, the loss flat), and the run says so and names the input scale as a likely cause.
#[test]
fn reproduce_trains_on_wide_raw_tables_and_names_a_stall() {
    let mut r = lastlayer::rng::seeded(5, lastlayer::rng::Stream::Aux);
    let mut text = String::from("f1,f2,label,f3,f4,f5\n");
    for i in 0..160 {
        let class = i % 2;
        let x: Vec<f64> = (0..5)
            .map(|j| 5000.0 + 1000.0 * lastlayer::rng::normal(&mut r) + if j < 2 && class == 1 { 4000.0 } else { 0.0 })
            .collect();
        let name = if class == 1 { "tall" } else { "short" };
        text.push_str(&format!("{},{},{name},{},{},{}\n", x[0], x[1], x[2], x[3], x[4]));
    }
    let csv = temp_file("wide.csv", &text);
    let run = |extra: &[&str], steps: &str| {
        let mut args = vec!["--steps", steps, "--data", csv.to_str().unwrap()];
        args.extend_from_slice(extra);
        reproduce_blobs("wide", &args)
    };
    let (standardised, _, _) = run(&[], "3000");
    assert_eq!(standardised["config"]["data"]["standardize"], true);
    assert_eq!(standardised["data"]["class_names"], serde_json::json!(["short", "tall"]));
    assert_eq!(standardised["data"]["feature_names"], serde_json::json!(["f1", "f2", "f3", "f4", "f5"]));
    assert_eq!(standardised["final"]["acc_train"], 1.0);
    let history = standardised["metrics"].as_array().unwrap();
    let angle_at = |step: u64| {
        history.iter().rev().find(|m| m["step"].as_u64().unwrap() <= step).unwrap()["angle_wb_deg"].as_f64().unwrap()
    };
    assert!(standardised["final"]["angle_wb_deg"].as_f64().unwrap() < angle_at(1000), "the angle falls");
    let (raw, err, _) = run(&["--raw"], "1000");
    assert!(raw["config"]["data"].get("standardize").is_none(), "raw units recorded (standardize absent = false)");
    assert!(raw["final"]["acc_train"].as_f64().unwrap() < 0.9, "raw units stall: {}", raw["final"]["acc_train"]);
    assert!(err.contains("Training has stalled") && err.contains("raw units"), "{err}");
}

/// The widest inputs the issue asks for: 784 features (a 28 × 28 image's pixels) and ten named classes train
/// through the command line, standardised, and the run names them all.
#[test]
fn reproduce_takes_784_features_and_ten_classes() {
    let mut r = lastlayer::rng::seeded(11, lastlayer::rng::Stream::Aux);
    let d = 784;
    let header: Vec<String> = (0..d).map(|j| format!("px{j}")).chain(["digit".to_string()]).collect();
    let mut text = header.join(",") + "\n";
    for i in 0..120 {
        let class = i % 10;
        // Each class lights its own block of pixels, in raw units around 100.
        let row: Vec<String> = (0..d)
            .map(|j| {
                let on = j / 78 == class;
                format!("{:.3}", 100.0 + if on { 40.0 } else { 0.0 } + 5.0 * lastlayer::rng::normal(&mut r))
            })
            .chain([format!("digit-{class}")])
            .collect();
        text.push_str(&(row.join(",") + "\n"));
    }
    let csv = temp_file("w784.csv", &text);
    let config = temp_file("w784.json", r#"{"network": {"hidden": [16, 8]}}"#);
    let (run, err, _) = reproduce_blobs(
        "w784",
        &["--config", config.to_str().unwrap(), "--data", csv.to_str().unwrap(), "--steps", "300"],
    );
    assert!(err.contains("120 rows, 784 features, 10 classes"), "{err}");
    assert_eq!(run["data"]["feature_names"].as_array().unwrap().len(), 784);
    let names: Vec<String> = (0..10).map(|k| format!("digit-{k}")).collect();
    assert_eq!(run["data"]["class_names"], serde_json::json!(names));
    assert_eq!(run["config"]["data"]["standardize"], true);
    assert_eq!(run["final"]["acc_train"], 1.0, "{}", run["final"]);
    let angle = run["final"]["angle_wb_deg"].as_f64().unwrap();
    assert!(angle.is_finite() && angle < run["metrics"][0]["angle_wb_deg"].as_f64().unwrap(), "{}", run["final"]);
}

/// A run that diverges still writes its last finite state: `reproduce` says at which step and why, exits 0,
/// and run.json records the divergence with finite weights.
#[test]
fn reproduce_reports_divergence() {
    let config = temp_file(
        "diverge.json",
        r#"{"network": {"activation": "square"}, "train": {"loss": "mse", "learning_rate": 100}}"#,
    );
    let (run, err, _) = reproduce_blobs("diverge", &["--config", config.to_str().unwrap(), "--steps", "500"]);
    assert!(err.contains("training diverged at step"), "{err}");
    assert!(err.contains("Training diverged at step"), "the page's banner is printed too: {err}");
    let step = run["diverged"]["step"].as_u64().unwrap();
    assert!(step > 0 && run["steps"].as_u64().unwrap() == step - 1, "{}", run["diverged"]);
    for layer in run["network"]["layers"].as_array().unwrap() {
        for row in layer["weights"].as_array().unwrap() {
            assert!(row.as_array().unwrap().iter().all(|v| v.as_f64().unwrap().is_finite()));
        }
    }
}

/// `reproduce --format svg` writes each figure as SVG — named by what it shows, the preset and the step, with
/// the run's configuration and link in its metadata, the heatmaps as embedded PNG and the boundaries as
/// vectors — and no PNG; `--format both` writes both, the strip among the PNGs; an unknown format is refused.
#[test]
fn reproduce_writes_svg_figures_with_their_config() {
    let (run, err, dir) = reproduce_blobs("svg", &["--steps", "200", "--format", "svg"]);
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let figures = ["charts", "feature", "input", "strip", "theory"].map(|f| format!("lastlayer-{f}-blobs-step200.svg"));
    let mut wanted: Vec<String> = figures.to_vec();
    wanted.extend(["metrics.csv".to_string(), "network.npz".to_string(), "run.json".to_string()]);
    wanted.sort();
    assert_eq!(names, wanted, "{err}");
    for name in &figures {
        let svg = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{name}");
        let start = svg.find("<![CDATA[").unwrap() + 9;
        let meta: serde_json::Value =
            serde_json::from_str(&svg[start..start + svg[start..].find("]]>").unwrap()]).unwrap();
        assert_eq!(meta["config"], run["config"], "{name}");
        assert_eq!(meta["step"], 200);
        assert_eq!(meta["link_query"], "preset=blobs");
        assert!(svg.contains(&format!(
            "<title>Last Layer Lab — {} — blobs — step 200</title>",
            meta["figure"].as_str().unwrap()
        )));
        assert!(svg.matches("<polyline").count() > 10, "{name}: lines as vectors");
        assert!(!svg.contains('\u{27e6}'), "{name}: no bitmap marker left");
    }
    let input = std::fs::read_to_string(dir.join(&figures[2])).unwrap();
    assert_eq!(input.matches("<image").count(), 1, "the heatmap, one image");
    assert!(input.contains("stroke=\"#D55E00\"") && input.contains("stroke=\"#1C1E24\""), "both boundaries drawn");
    let support = run["final"]["support_count"].as_u64().unwrap() as usize;
    assert_eq!(
        input.matches("r=\"7\" opacity=\"1\" fill=\"none\" stroke=\"#1C1E24\"").count(),
        support + 1,
        "each support vector ringed, and the legend's"
    );
    let strip = std::fs::read_to_string(dir.join(&figures[3])).unwrap();
    // Frames at the first measurements at or after 0, 1, 3, 10, 30, 100 (once each) and the newest, 200: five
    // steps, two panels (features, inputs) each.
    let measured: Vec<u64> = run["metrics"].as_array().unwrap().iter().map(|m| m["step"].as_u64().unwrap()).collect();
    let mut frames: Vec<u64> =
        [0, 1, 3, 10, 30, 100].iter().filter_map(|&t| measured.iter().copied().find(|&s| s >= t)).collect();
    frames.dedup();
    frames.push(200);
    assert_eq!(frames.len(), 5, "{measured:?}");
    assert_eq!(strip.matches("<image").count(), 2 * frames.len());
    for step in frames {
        assert_eq!(strip.matches(&format!("step {step}\n")).count(), 2, "step {step} in {measured:?}");
    }
    let (_, _, dir) = reproduce_blobs("both", &["--steps", "30", "--format", "both"]);
    for name in ["input_space.png", "strip.png", "lastlayer-input-blobs-step30.svg"] {
        assert!(dir.join(name).exists(), "{name}");
    }
    let (code, _, err) =
        lastlayer(&["reproduce", "--preset", "blobs", "--format", "pdf", "--out", dir.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("png") && err.contains("svg"), "{err}");
}

/// `reproduce --seeds N` runs the configuration with data and network seeds 1..=N and writes each run's
/// final numbers and their mean ± standard deviation (seeds.json) — for a class-incremental run, every arm's —
/// the same numbers the library's runs give; 0 seeds is refused.
#[test]
fn reproduce_seeds_summarises_runs() {
    let dir = std::env::temp_dir().join(format!("lastlayer-seeds-{}", std::process::id()));
    let (code, out, err) =
        lastlayer(&["reproduce", "--preset", "forgetting_blobs", "--seeds", "2", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("supportnet.old_acc") && out.contains("over 2 seeds"), "{out}");
    assert!(out.contains("paired by seed") && out.contains("supportnet-random"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("seeds.json")).unwrap()).unwrap();
    assert_eq!(json["steps"], 4000);
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    for (i, run) in runs.iter().enumerate() {
        let mut config = lastlayer::presets::find("forgetting_blobs").unwrap().config;
        config.data.seed = i as u64 + 1;
        config.network.seed = i as u64 + 1;
        let mut e = lastlayer::engine::Engine::new(config, Default::default()).unwrap();
        e.advance(4000);
        for (name, value) in lastlayer::export::finals(&e) {
            let written = &run["final"][&name];
            assert!(
                written.is_null() && !value.is_finite() || written.as_f64() == Some(value),
                "{name}: {written} vs {value}"
            );
        }
    }
    let values: Vec<f64> = runs.iter().map(|r| r["final"]["random.old_acc"].as_f64().unwrap()).collect();
    let mean = (values[0] + values[1]) / 2.0;
    let summary = &json["summary"]["random.old_acc"];
    assert!((summary["mean"].as_f64().unwrap() - mean).abs() < 1e-15);
    assert!((summary["sd"].as_f64().unwrap() - (values[0] - values[1]).abs() / 2f64.sqrt()).abs() < 1e-12);
    // Paired by seed: the mean difference and its 95% Student-t interval, t(0.975, 1 df) = 12.7062 (tables).
    let d: Vec<f64> = runs
        .iter()
        .map(|r| r["final"]["supportnet.old_acc"].as_f64().unwrap() - r["final"]["random.old_acc"].as_f64().unwrap())
        .collect();
    let (mean, sd) = ((d[0] + d[1]) / 2.0, (d[0] - d[1]).abs() / 2f64.sqrt());
    let paired = &json["paired_old_acc"]["supportnet-random"];
    assert!((paired["mean"].as_f64().unwrap() - mean).abs() < 1e-15);
    let half = 12.706_204_736 * sd / 2f64.sqrt();
    assert!((paired["hi"].as_f64().unwrap() - (mean + half)).abs() < 1e-9, "{paired}");
    assert!((paired["lo"].as_f64().unwrap() - (mean - half)).abs() < 1e-9, "{paired}");
    let (code, _, err) = lastlayer(&["reproduce", "--preset", "blobs", "--seeds", "0", "--out", dir.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("at least 1"), "{err}");
}

/// A counter-example's stall is what it shows: the overlapping moons stall by 20 000 steps and the run says so
/// without advice to fix it; the same training under another SVM setting (no longer the preset) gets the advice.
#[test]
fn a_counter_example_stalls_without_advice() {
    let stall = |name: &str, extra: &[&str]| {
        let dir = std::env::temp_dir().join(format!("lastlayer-{name}-{}", std::process::id()));
        let mut args =
            vec!["reproduce", "--preset", "moons_overlap", "--steps", "20000", "--out", dir.to_str().unwrap()];
        args.extend_from_slice(extra);
        let (code, _, err) = lastlayer(&args);
        assert_eq!(code, 0, "{err}");
        err.lines().find(|l| l.contains("Training has stalled")).map(str::to_string)
    };
    let preset = stall("overlap", &[]).expect("the overlapping moons stall");
    assert!(preset.contains("as this counter-example intends") && !preset.contains("Likely"), "{preset}");
    let config = temp_file("overlap-c.json", r#"{"svm": {"c": 0.5}}"#);
    let changed = stall("overlap-c", &["--config", config.to_str().unwrap()]).expect("the same training stalls");
    assert!(changed.contains("Likely:") && !changed.contains("counter-example"), "{changed}");
}

/// `lastlayer check`: a file written by scikit-learn's network is measured (report.json with run.json's
/// `final` keys, the history, the figures, a table); a lab run's own `network.npz` is checked back to its
/// run.json's angle; a bad file exits non-zero with a message naming the array.
#[test]
fn check_measures_a_file_and_refuses_a_bad_one() {
    let dir = std::env::temp_dir().join(format!("lastlayer-check-{}", std::process::id()));
    let out = dir.to_string_lossy().to_string();
    let (code, stdout, err) =
        lastlayer(&["check", "tests/fixtures/netfile/sklearn_mlp_digits.npz", "--c", "1", "--out", &out]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("angle [w;b]") && stdout.contains("not linearly separable"), "{stdout}");
    assert!(err.contains("transposed to K × d"), "the assumption is said: {err}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/netfile/expected.json").unwrap()).unwrap();
    let angle = report["final"]["angle_wb_deg"].as_f64().unwrap();
    assert!((angle - expected["sklearn_mlp_digits"]["angle_wb_deg"].as_f64().unwrap()).abs() < 0.01);
    assert_eq!(report["history"].as_array().unwrap().len(), 1);
    assert_eq!(report["shape"]["train"], serde_json::json!([1797, 2]));
    for figure in ["feature_space.png", "convergence.png"] {
        assert!(dir.join(figure).exists(), "{figure}");
    }
    // A lab run's own file, checked back.
    let run_dir = dir.join("run");
    let run_out = run_dir.to_string_lossy().to_string();
    let (code, _, err) = lastlayer(&["reproduce", "--preset", "blobs", "--steps", "300", "--out", &run_out]);
    assert_eq!(code, 0, "{err}");
    let npz = run_dir.join("network.npz").to_string_lossy().to_string();
    let back = dir.join("back").to_string_lossy().to_string();
    let (code, _, err) = lastlayer(&["check", &npz, "--out", &back]);
    assert_eq!(code, 0, "{err}");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("run.json")).unwrap()).unwrap();
    let checked: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("back").join("report.json")).unwrap()).unwrap();
    assert_eq!(run["final"]["angle_wb_deg"], checked["final"]["angle_wb_deg"]);
    // A bad file.
    let (code, _, err) = lastlayer(&["check", "tests/fixtures/netfile/bad_nan.npz", "--out", &out]);
    assert_ne!(code, 0);
    assert!(err.contains("`features`") && err.contains("NaN"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
