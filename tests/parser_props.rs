#![cfg(not(target_arch = "wasm32"))]
//! Property tests of everything that reads outside input — CSV files, configs (the same JSON a link carries
//! in `?c=`), snapshot bytes — with arbitrary and adversarial input: each gives a value or an error that
//! names the problem, never a panic and never a hang (proptest's bounded case counts keep the run short).

use lastlayer::config::Config;
use lastlayer::csv_io::{parse_points, parse_table, write_points, write_table, TableRules};
use lastlayer::data::{LabeledPoint, Table, MAX_SEED};
use lastlayer::snapshot::Snapshot;
use ndarray::Array2;
use proptest::prelude::*;

/// The number of lines of `text` (as the CSV reader counts them), for checking that errors point inside it.
fn lines(text: &str) -> u64 {
    text.lines().count() as u64 + 1
}

fn check_table(text: &str) -> Result<(), TestCaseError> {
    match parse_table(text, "t", &TableRules::default()) {
        Ok(t) => {
            prop_assert_eq!(t.inputs.nrows(), t.labels.len());
            prop_assert!(t.labels.iter().all(|&l| l < t.class_names.len()));
            prop_assert!(t.class_names.len() >= 2 && t.class_names.len() <= 10);
            prop_assert!(t.inputs.iter().all(|v| v.is_finite()));
        }
        Err(e) => {
            prop_assert!(e.line <= lines(text) + 1, "line {} beyond the text ({} lines): {}", e.line, lines(text), e);
            prop_assert!(!e.message.is_empty());
        }
    }
    match parse_points(text) {
        Ok(points) => prop_assert!(points.iter().all(|p| p.0.is_finite() && p.1.is_finite() && p.2 < 6)),
        Err(e) => prop_assert!(e.line <= lines(text) + 1),
    }
    Ok(())
}

/// A CSV field: numbers of every size, words, quoted text with commas and quotes, empty, junk.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|v| v.to_string()),
        (-1e300..1e300f64).prop_map(|v| format!("{v:e}")),
        (0u32..20).prop_map(|v| v.to_string()),
        "[a-z]{1,8}",
        "\"[a-z, \"]{0,6}\"".prop_map(|s| s.replace("\"\"\"", "\"\"")),
        Just(String::new()),
        Just("1e400".to_string()),
        Just("NaN".to_string()),
        Just("-0".to_string()),
        "[^\n\r]{0,5}",
    ]
}

/// A CSV file: a header, rows of fields, with CRLF or LF, an optional BOM and comment lines.
fn csv_file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::collection::vec(field(), 1..6), 0..40),
        prop::collection::vec("[a-z]{1,6}", 1..6),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(rows, header, crlf, bom, comment)| {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            text.push_str(&header.join(","));
            text.push_str(end);
            for (i, row) in rows.iter().enumerate() {
                if comment && i % 7 == 3 {
                    text.push_str("# a comment");
                    text.push_str(end);
                }
                text.push_str(&row.join(","));
                text.push_str(end);
            }
            text
        })
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|v| serde_json::json!(v)),
        any::<u64>().prop_map(|v| serde_json::json!(v)),
        any::<f64>().prop_filter("JSON numbers are finite", |v| v.is_finite()).prop_map(|v| serde_json::json!(v)),
        "[a-z_]{0,12}".prop_map(serde_json::Value::String),
        prop::sample::select(vec!["blobs", "custom", "table", "digits", "relu", "adam", "hinge", "crammer_singer"])
            .prop_map(|s| serde_json::Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "data",
                        "network",
                        "train",
                        "svm",
                        "set",
                        "samples",
                        "noise",
                        "seed",
                        "points",
                        "hidden",
                        "activation",
                        "learning_rate",
                        "c",
                        "refit_every",
                        "standardize",
                        "table",
                        "batch_size",
                        "x",
                    ]),
                    inner
                ),
                0..5
            )
            .prop_map(|kv| serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A number a table may hold: integers, everyday decimals, huge and tiny (subnormal) magnitudes, any double
/// within ±10¹².
fn table_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1000i64..1000).prop_map(|v| v as f64),
        (-1.0..1.0f64),
        (-1e12..1e12f64),
        (1e-300..1e-3f64).prop_map(|v| -v),
        Just(5e-324),
        Just(-0.0),
        Just(1e12),
    ]
}

/// A valid table: 1 to 7 features with names, 2 to 10 classes named by sorted words (each present), 4 to 40
/// rows.
fn valid_table() -> impl Strategy<Value = Table> {
    (1usize..8, 2usize..11, 4usize..41).prop_flat_map(|(d, k, n)| {
        let n = n.max(k);
        (
            prop::collection::vec(table_value(), n * d),
            prop::collection::vec(0..k, n),
            prop::collection::btree_set("[a-z]{2,7}", k..=k),
            prop::collection::btree_set("[a-k]{1,5}", d..=d),
        )
            .prop_map(move |(values, mut labels, classes, features)| {
                // Every class present at least once.
                for (c, l) in labels.iter_mut().take(k).enumerate() {
                    *l = c;
                }
                Table {
                    name: "t".into(),
                    inputs: Array2::from_shape_vec((n, d), values).unwrap(),
                    labels,
                    class_names: classes.into_iter().collect(),
                    feature_names: features.into_iter().map(|f| format!("f_{f}")).collect(),
                    image: None,
                    shape: None,
                }
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A valid table written as CSV reads back bit for bit (every value, label, name); with one cell made
    /// bad, the error names that cell's line, column and header.
    #[test]
    fn valid_tables_round_trip_and_bad_cells_are_located(table in valid_table(), pick in any::<(usize, usize)>()) {
        let text = write_table(&table);
        let back = parse_table(&text, "t", &TableRules::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.inputs.dim(), table.inputs.dim());
        for (a, b) in back.inputs.iter().zip(table.inputs.iter()) {
            prop_assert_eq!(a.to_bits(), b.to_bits(), "{} read back as {}", b, a);
        }
        prop_assert_eq!(&back.labels, &table.labels);
        prop_assert_eq!(&back.class_names, &table.class_names);
        prop_assert_eq!(&back.feature_names, &table.feature_names);
        let (n, d) = table.inputs.dim();
        let (row, col) = (pick.0 % n, pick.1 % d);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut cells: Vec<String> = lines[row + 1].split(',').map(str::to_string).collect();
        cells[col] = "oops".into();
        lines[row + 1] = cells.join(",");
        let err = parse_table(&lines.join("\n"), "t", &TableRules::default()).unwrap_err();
        prop_assert_eq!(err.line, row as u64 + 2);
        prop_assert_eq!(err.message, format!("column {} ({}): 'oops' is not a number", col + 1, table.feature_names[col]));
    }

    /// The page's own points (`x,y,label`) read back bit for bit.
    #[test]
    fn points_round_trip(points in prop::collection::vec((table_value(), table_value(), 0usize..6), 4..60)) {
        let mut points: Vec<LabeledPoint> = points.into_iter().map(|(x, y, l)| LabeledPoint(x, y, l)).collect();
        let top = points.iter().map(|p| p.2).max().unwrap();
        for (c, p) in points.iter_mut().take(top + 1).enumerate() {
            p.2 = c;
        }
        let back = parse_points(&write_points(&points)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.len(), points.len());
        for (a, b) in back.iter().zip(&points) {
            prop_assert_eq!((a.0.to_bits(), a.1.to_bits(), a.2), (b.0.to_bits(), b.1.to_bits(), b.2));
        }
    }

    /// Valid partial configs — any subset of the numeric settings within their ranges, and any choice of each
    /// enumerated one — are accepted with exactly those values, and survive the page's link (the nearest
    /// preset plus what differs) to the bit.
    #[test]
    fn valid_partial_configs_are_accepted_and_survive_links(picks in prop::collection::vec((any::<prop::sample::Index>(), 0.0..=1.0f64), 1..8), choices in prop::collection::vec(any::<prop::sample::Index>(), 6)) {
        let ranges = lastlayer::config::ranges();
        let mut partial = serde_json::json!({});
        for (index, t) in &picks {
            let r = index.get(&ranges);
            if r.name == "retrain_last_layer_at" || r.name == "points" {
                continue;
            }
            let value = if r.log {
                10f64.powf(r.min.log10() + t * (r.max.log10() - r.min.log10())).clamp(r.min, r.max)
            } else if r.step >= 1.0 {
                (r.min + (t * (r.max.min(1e6) - r.min)).floor()).min(r.max)
            } else {
                (r.min + t * (r.max - r.min)).clamp(r.min, r.max)
            };
            let value = if r.step >= 1.0 { serde_json::json!(value as u64) } else { serde_json::json!(value) };
            partial[r.group][r.name] = value;
        }
        let pick = |i: usize, all: &[&str]| all[choices[i].index(all.len())].to_string();
        partial["network"]["activation"] = pick(0, &["relu", "leaky_relu", "tanh", "sigmoid", "softsign", "selu", "square", "linear"]).into();
        partial["train"]["optimizer"] = pick(1, &["gd", "sgd", "momentum", "adam", "rmsprop", "normalized_gd"]).into();
        partial["svm"]["loss"] = pick(2, &["hinge", "squared_hinge"]).into();
        partial["svm"]["multiclass"] = pick(3, &["crammer_singer", "one_vs_rest"]).into();
        partial["data"]["set"] = pick(4, &["blobs", "moons", "spiral", "xor", "gaussian_blobs", "plate"]).into();
        partial["network"]["hidden"] = serde_json::json!([choices[5].index(64) + 1, 2]);
        let config = Config::default().merged(&partial.to_string()).map_err(|e| TestCaseError::fail(format!("{e}: {partial}")))?;
        let as_json = serde_json::to_value(&config).unwrap();
        for (group, fields) in partial.as_object().unwrap() {
            for (name, want) in fields.as_object().unwrap() {
                let got = &as_json[group][name];
                match (want.as_f64(), got.as_f64()) {
                    (Some(w), Some(g)) => prop_assert_eq!(w.to_bits(), g.to_bits(), "{}.{}", group, name),
                    _ => prop_assert_eq!(want, got, "{}.{}", group, name),
                }
            }
        }
        let query: std::collections::BTreeMap<String, String> = lastlayer::link::share_query(&config).into_iter().collect();
        let plan = lastlayer::link::start(&query);
        prop_assert_eq!(&plan.message, &None);
        let last = plan.requests.last().cloned();
        let back = match last {
            Some(lastlayer::request::Request::SetConfig(v)) => Config::from_json(&v.to_string()).unwrap(),
            Some(lastlayer::request::Request::LoadPreset(name)) => lastlayer::presets::find(&name).unwrap().config,
            other => return Err(TestCaseError::fail(format!("{other:?}"))),
        };
        prop_assert_eq!(back, config);
    }

    /// Arbitrary text: a table, points, or an error located inside the text.
    #[test]
    fn csv_of_arbitrary_text(text in ".{0,400}") {
        check_table(&text)?;
    }

    /// Arbitrary bytes, read as the page reads a file (lossy UTF-8).
    #[test]
    fn csv_of_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_table(&String::from_utf8_lossy(&bytes))?;
    }

    /// CSV-shaped files with every kind of field, CRLF, BOM and comments.
    #[test]
    fn csv_of_csv_shaped_files(text in csv_file()) {
        check_table(&text)?;
    }

    /// Any JSON as a whole config or merged as a partial one: a valid config or an error, and every config
    /// accepted validates and survives its own JSON round trip.
    #[test]
    fn configs_from_arbitrary_json(value in json_value()) {
        let text = value.to_string();
        for config in [Config::from_json(&text), Config::default().merged(&text)].into_iter().flatten() {
            prop_assert!(config.validate().is_ok());
            prop_assert_eq!(Config::from_json(&config.to_json()).unwrap(), config);
        }
    }

    /// Arbitrary text as a link's `?c=`: an error, never a panic.
    #[test]
    fn configs_from_arbitrary_text(text in ".{0,200}") {
        let _ = Config::from_json(&text);
        let _ = Config::default().merged(&text);
    }

    /// Seeds up to 2⁵³ − 1 survive the page's round trip exactly: the config's JSON read as JavaScript reads
    /// it (every number a double, written back shortest) and the share link; larger ones are refused, not
    /// rounded.
    #[test]
    fn seeds_survive_the_page(seed in 0..=MAX_SEED, over in (MAX_SEED + 1)..=u64::MAX) {
        let config = Config::default().merged(&format!(r#"{{"data": {{"seed": {seed}}}, "network": {{"seed": {seed}}}}}"#)).unwrap();
        // JavaScript's JSON.parse and JSON.stringify: numbers become doubles and are written back shortest.
        let as_javascript = |v: &serde_json::Value| -> serde_json::Value {
            fn walk(v: &serde_json::Value) -> serde_json::Value {
                match v {
                    serde_json::Value::Number(n) => {
                        let d = n.as_f64().unwrap();
                        // A double that holds an integer is written without a fraction (as JavaScript does).
                        if d.fract() == 0.0 && d.abs() < 1e21 { serde_json::json!(d as u64) } else { serde_json::json!(d) }
                    }
                    serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(walk).collect()),
                    serde_json::Value::Object(o) => serde_json::Value::Object(o.iter().map(|(k, x)| (k.clone(), walk(x))).collect()),
                    other => other.clone(),
                }
            }
            walk(v)
        };
        let through_js = as_javascript(&serde_json::to_value(&config).unwrap());
        let back = Config::from_json(&through_js.to_string()).unwrap();
        prop_assert_eq!(back.data.seed, seed);
        prop_assert_eq!(back.network.seed, seed);
        let query: std::collections::BTreeMap<String, String> = lastlayer::link::share_query(&config).into_iter().collect();
        let Some(lastlayer::request::Request::SetConfig(v)) = lastlayer::link::start(&query).requests.pop() else {
            return Err(TestCaseError::fail("the link sets the config"));
        };
        prop_assert_eq!(Config::from_json(&v.to_string()).unwrap(), config);
        let data_over = format!(r#"{{"data": {{"seed": {over}}}}}"#);
        let network_over = format!(r#"{{"network": {{"seed": {over}}}}}"#);
        prop_assert!(Config::default().merged(&data_over).is_err());
        prop_assert!(Config::default().merged(&network_over).is_err());
    }

    /// Arbitrary bytes as a snapshot: an error, never a panic (the page reads only the engine's, but a
    /// corrupted transfer must not bring it down).
    #[test]
    fn snapshots_from_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Snapshot::decode(&bytes);
    }
}

/// A snapshot survives its encoding to the bit (all but the training features, which are not sent), for two
/// classes, three, the user's own points, and a run that has not been measured yet.
#[test]
fn snapshots_round_trip() {
    use lastlayer::engine::{Cursor, Engine};
    let points: Vec<LabeledPoint> =
        (0..12).map(|i| LabeledPoint(i as f64 * 0.1, (i * i) as f64 * 0.01, i % 3)).collect();
    let custom = Config {
        data: lastlayer::data::DataConfig { set: lastlayer::data::Source::Custom, points, ..Default::default() },
        ..Default::default()
    };
    let engines = [
        Engine::for_preset("moons", Default::default()).unwrap(),
        Engine::for_preset("three_blobs", Default::default()).unwrap(),
        Engine::new(custom, Default::default()).unwrap(),
    ];
    for (i, mut e) in engines.into_iter().enumerate() {
        let (unmeasured, _) = e.snapshot(&Cursor::default());
        if i == 0 {
            assert!(unmeasured.measurement.is_none());
            assert_eq!(format!("{:?}", Snapshot::decode(&unmeasured.encode()).unwrap()), format!("{unmeasured:?}"));
        }
        e.advance(50);
        let (mut snapshot, _) = e.snapshot(&Cursor::default());
        assert!(snapshot.measurement.is_some() && snapshot.config.is_some() && snapshot.data.is_some());
        let back = Snapshot::decode(&snapshot.encode()).unwrap();
        snapshot.measurement.as_mut().unwrap().features_train = Array2::zeros((0, 0));
        // Compared as text: a multi-class run's offsets are NaN, which is not equal to itself; Debug writes
        // every double in its shortest exact form, so equal text is equal bits.
        assert_eq!(format!("{back:?}"), format!("{snapshot:?}"), "engine {i}");
    }
}

/// A file over the row limit is refused at the first row beyond it, quickly.
#[test]
fn very_long_files_are_refused_at_the_limit() {
    let mut text = String::from("a,b,label\n");
    for i in 0..20_005 {
        text.push_str(&format!("{i},{},{}\n", i * 2, i % 2));
    }
    let err = parse_table(&text, "long", &TableRules::default()).unwrap_err();
    assert_eq!(err.line, 20_002, "{err}");
    assert!(err.message.contains("too many rows"), "{err}");
}

/// Huge and tiny values: 10¹² is the largest magnitude accepted, subnormals are fine, 1e400 is not finite.
#[test]
fn extreme_values_are_named() {
    assert!(parse_table("a,label\n1e12,0\n-1e-310,1\n", "x", &TableRules::default()).is_ok());
    let err = parse_table("a,label\n1e13,0\n0,1\n", "x", &TableRules::default()).unwrap_err().to_string();
    assert_eq!(err, "line 2: column 1 (a): '1e13' is not a finite number of at most 10¹²");
}
