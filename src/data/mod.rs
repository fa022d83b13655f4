//! The data a run trains on, in parts: [`source`] (where the points come from and the data settings, with
//! their ranges and limits), [`dataset`] (labelled rows, the stratified train/test split, the tables
//! provided by name, and [`generate`]), [`generators`] (the seeded 2-D sets), [`table`] (tables of any width
//! and the standardisation by the training set's mean and deviation) and [`edit`] (the user's own points).
//!
//! Inputs are rows of any width D (2 for the generated sets and the user's points). Tables and the digits
//! are held in a [`Library`] by name, because they are too large for a URL: the config names them, and a run
//! can only start once its table has been provided. Reading CSV (and the bundled digits) is
//! [`crate::csv_io`]'s job, above this module.

pub mod dataset;
pub mod edit;
pub mod generators;
pub mod source;
pub mod table;

pub use dataset::{first_classes, generate, points_of, split, standardizer_for, DataInfo, Dataset, Library, Split};
pub use edit::{EditOutcome, PointEdit};
pub use source::{
    validate_points, DataConfig, DataError, Knob, LabeledPoint, Source, DIGITS, MAX_CLASSES, MAX_FEATURES,
    MAX_GENERATED_CLASSES, MAX_SAMPLES, MAX_SEED, MAX_TABLE_ROWS, RANGES,
};
pub use table::{Standardizer, Table};

#[cfg(test)]
mod tests {
    use super::*;

    /// Bad parameters are errors naming the parameter, never panics; a missing table is named.
    #[test]
    fn bad_configs_are_named() {
        let lib = Library::default();
        let bad = DataConfig { noise: f64::NAN, ..DataConfig::default() };
        assert!(generate(&bad, &lib).unwrap_err().to_string().starts_with("data.noise = NaN"));
        let bad = DataConfig { samples: 1_000_000, ..DataConfig::default() };
        assert!(generate(&bad, &lib).unwrap_err().to_string().starts_with("data.samples"));
        let custom = DataConfig {
            set: Source::Custom,
            points: vec![LabeledPoint(0.0, 0.0, 0), LabeledPoint(1.0, 1.0, 1)],
            ..DataConfig::default()
        };
        assert!(matches!(generate(&custom, &lib), Err(DataError::TooFewPoints(_))));
        let table = DataConfig { set: Source::Table, table: "iris.csv".into(), ..DataConfig::default() };
        assert_eq!(generate(&table, &lib).unwrap_err(), DataError::NotLoaded("iris.csv".into()));
    }

    /// A class subset of a table keeps the rows of the classes named (renumbered in the table's order, names
    /// kept), read from a list or a comma-separated text; a class the table lacks, or fewer than two, is an error
    /// that names them.
    #[test]
    fn class_subsets_keep_the_classes_named() {
        let mut lib = Library::default();
        let table = Table {
            name: "t".into(),
            inputs: ndarray::Array2::from_shape_fn((12, 2), |(i, j)| (i * 2 + j) as f64),
            labels: (0..12).map(|i| i % 4).collect(),
            class_names: vec!["ant".into(), "bee".into(), "cat".into(), "dog".into()],
            feature_names: vec!["a".into(), "b".into()],
            image: None,
            shape: None,
        };
        lib.insert("t", table);
        let config = |keep: &str| -> DataConfig {
            serde_json::from_str(&format!(r#"{{"set": "table", "table": "t", "test_fraction": 0, "keep": {keep}}}"#))
                .unwrap()
        };
        let split = generate(&config(r#""dog, bee""#), &lib).unwrap();
        assert_eq!(split.info.class_names, ["bee", "dog"]);
        assert_eq!(split.train.classes, 2);
        assert_eq!(split.train.len(), 6);
        for (row, &l) in split.train.inputs.rows().into_iter().zip(&split.train.labels) {
            let original = (row[0] as usize / 2) % 4;
            assert_eq!(original, [1, 3][l], "row {row} is of class {}", split.info.class_names[l]);
        }
        assert_eq!(generate(&config(r#"["ant", "bee", "cat"]"#), &lib).unwrap().train.classes, 3);
        let err = generate(&config(r#""ant, eel""#), &lib).unwrap_err().to_string();
        assert_eq!(err, "data.keep: the data have no class 'eel' (their classes: ant, bee, cat, dog)");
        let err = generate(&config(r#""cat""#), &lib).unwrap_err().to_string();
        assert_eq!(err, "data.keep: at least two classes are needed");
        assert_eq!(generate(&config(r#""""#), &lib).unwrap().train.classes, 4, "empty: every class");
    }

    /// Editing: one point of each class is pending (two per class are needed); the fourth point applies;
    /// removing with a reach that covers nothing changes nothing.
    #[test]
    fn edits_wait_for_a_valid_set() {
        let lib = Library::default();
        let split = generate(&DataConfig::default(), &lib).unwrap();
        let mut edit = PointEdit::default();
        assert!(matches!(edit.clear(), EditOutcome::Pending(_)));
        assert!(matches!(edit.add(&split, [0.1, 0.1], 0).unwrap(), EditOutcome::Pending(_)));
        assert!(matches!(edit.add(&split, [0.2, 0.1], 0).unwrap(), EditOutcome::Pending(_)));
        assert!(matches!(edit.add(&split, [0.9, 0.9], 1).unwrap(), EditOutcome::Pending(_)));
        assert!(edit.message().unwrap().contains("class 0: 2, class 1: 1"));
        match edit.add(&split, [0.8, 0.9], 1).unwrap() {
            EditOutcome::Apply(points) => assert_eq!(points.len(), 4),
            other => panic!("{other:?}"),
        }
        assert_eq!(edit.message(), None);
        assert_eq!(edit.remove_near(&split, [5.0, 5.0], 0.1), EditOutcome::Unchanged);
        assert!(edit.add(&split, [0.0, 0.0], 9).is_err());
    }
}
