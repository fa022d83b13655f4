#![cfg(not(target_arch = "wasm32"))]
//! Property tests of everything that reads outside input — CSV files, configs (the same JSON a link carries
//! in `?c=`), snapshot bytes — with arbitrary and adversarial input: each gives a value or an error that
//! names the problem, never a panic and never a hang (proptest's bounded case counts keep the run short).

use lastlayer::config::Config;
use lastlayer::csv_io::{parse_points, parse_table, TableRules};
use lastlayer::data::MAX_SEED;
use lastlayer::snapshot::Snapshot;
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

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

    /// Seeds up to 2⁵³ − 1 survive the link's round trip exactly — also through a JavaScript number, which is
    /// a double (checked by going through f64) — and larger ones are refused, not rounded.
    #[test]
    fn seeds_survive_the_url(seed in 0..=MAX_SEED, over in (MAX_SEED + 1)..=u64::MAX) {
        let config = Config::default().merged(&format!(r#"{{"data": {{"seed": {seed}}}, "network": {{"seed": {seed}}}}}"#)).unwrap();
        let back = Config::from_json(&config.to_json()).unwrap();
        prop_assert_eq!(back.data.seed, seed);
        prop_assert_eq!(back.network.seed, seed);
        prop_assert_eq!((seed as f64) as u64, seed);
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
