//! Data sets as the run holds them: labelled rows ([`Dataset`]), what the views need to know about them
//! ([`DataInfo`]), the stratified train/test split ([`Split`]), the tables provided by name ([`Library`]),
//! and [`generate`], which makes the data set a config describes.

use super::generators;
use super::source::{DataConfig, DataError, LabeledPoint, Source};
use super::table::{Standardizer, Table};
use crate::rng::{self, Stream};
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Labelled rows of inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// The inputs, one row per point (n × D).
    pub inputs: Array2<f64>,
    /// The class of each point, in `0..classes`.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl Default for Dataset {
    fn default() -> Self {
        Dataset { inputs: Array2::zeros((0, 2)), labels: Vec::new(), classes: 0 }
    }
}

impl Dataset {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Width D of the inputs.
    pub fn width(&self) -> usize {
        self.inputs.ncols()
    }

    /// How many points each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &l in &self.labels {
            counts[l] += 1;
        }
        counts
    }

    fn rows(&self, keep: &[usize]) -> Dataset {
        Dataset {
            inputs: self.inputs.select(Axis(0), keep),
            labels: keep.iter().map(|&i| self.labels[i]).collect(),
            classes: self.classes,
        }
    }
}

/// What the views need to know about the data beyond the numbers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DataInfo {
    /// A short name of the data (for captions).
    pub name: String,
    /// One name per input column.
    pub feature_names: Vec<String>,
    /// One name per class.
    pub class_names: Vec<String>,
    /// (width, height) when each row is an image of that many pixels, row-major (for the gallery).
    pub image: Option<[usize; 2]>,
    /// The image shape the rows declare, (channels, height, width), stored channel by channel: what a
    /// convolutional network sees. `None`: the rows are flat vectors.
    #[serde(default)]
    pub shape: Option<[usize; 3]>,
}

/// A data set split into training and test points, with its description.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// Points the network and the SVM are trained on.
    pub train: Dataset,
    /// Held-out points (drawn hollow).
    pub test: Dataset,
    /// Names and shape.
    pub info: DataInfo,
}

/// Tables provided by name (imported files, the bundled digits), shared by the runs that use them.
#[derive(Clone, Debug, Default)]
pub struct Library {
    tables: HashMap<String, Arc<Table>>,
}

impl Library {
    /// Keeps `table` under `name` (replacing any table of that name).
    pub fn insert(&mut self, name: &str, table: Table) {
        self.tables.insert(name.to_string(), Arc::new(table));
    }

    /// The table called `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Table>> {
        self.tables.get(name).cloned()
    }

    /// Whether a table called `name` is here.
    pub fn has(&self, name: &str) -> bool {
        self.tables.contains_key(name)
    }
}

fn generic_names(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|k| format!("{prefix} {k}")).collect()
}

/// Makes the data set `config` describes and splits it.
pub fn generate(config: &DataConfig, library: &Library) -> Result<Split, DataError> {
    config.validate()?;
    let (all, info) = match config.set {
        Source::Custom => {
            let classes = config.class_count();
            let inputs = Array2::from_shape_fn((config.points.len(), 2), |(i, j)| {
                if j == 0 {
                    config.points[i].0
                } else {
                    config.points[i].1
                }
            });
            let labels = config.points.iter().map(|p| p.2).collect();
            let info = DataInfo {
                name: "your points".into(),
                feature_names: vec!["x₁".into(), "x₂".into()],
                class_names: generic_names("class", classes),
                image: None,
                shape: None,
            };
            (Dataset { inputs, labels, classes }, info)
        }
        Source::Digits | Source::Table => {
            let name = config.table_name().unwrap_or_default();
            let table = library.get(name).ok_or_else(|| DataError::NotLoaded(name.to_string()))?;
            kept(table.dataset(), table.info(), &config.keep)?
        }
        generated => {
            let data = generators::sample(config).expect("every other source is generated");
            let info = DataInfo {
                name: generated.title().into(),
                feature_names: vec!["x₁".into(), "x₂".into()],
                class_names: generic_names("class", data.classes),
                image: None,
                shape: None,
            };
            (data, info)
        }
    };
    Ok(split(&all, config.test_fraction, config.seed, info))
}

/// The rows of the classes `keep` names (all when it is empty), their labels renumbered in the table's order.
fn kept(all: Dataset, info: DataInfo, keep: &[String]) -> Result<(Dataset, DataInfo), DataError> {
    if keep.is_empty() {
        return Ok((all, info));
    }
    if let Some(missing) = keep.iter().find(|k| !info.class_names.contains(k)) {
        return Err(DataError::Keep(format!(
            "the data have no class '{missing}' (their classes: {})",
            info.class_names.join(", ")
        )));
    }
    let chosen: Vec<usize> = (0..info.class_names.len()).filter(|&c| keep.contains(&info.class_names[c])).collect();
    if chosen.len() < 2 {
        return Err(DataError::Keep("at least two classes are needed".into()));
    }
    let rows: Vec<usize> = (0..all.len()).filter(|&i| chosen.contains(&all.labels[i])).collect();
    let renumber = |l: usize| chosen.iter().position(|&c| c == l).expect("a kept row's class is kept");
    let data = Dataset {
        inputs: all.inputs.select(Axis(0), &rows),
        labels: rows.iter().map(|&i| renumber(all.labels[i])).collect(),
        classes: chosen.len(),
    };
    let info = DataInfo { class_names: chosen.iter().map(|&c| info.class_names[c].clone()).collect(), ..info };
    Ok((data, info))
}

/// Every point of a 2-D split (training first) as the user's own points: what editing starts from.
pub fn points_of(split: &Split) -> Vec<LabeledPoint> {
    [&split.train, &split.test]
        .into_iter()
        .filter(|d| d.width() == 2)
        .flat_map(|d| {
            d.inputs.rows().into_iter().zip(&d.labels).map(|(p, &l)| LabeledPoint(p[0], p[1], l)).collect::<Vec<_>>()
        })
        .collect()
}

/// The points of the first `classes` classes of a split, in their order (a class-incremental run's old
/// classes), with the names of those classes.
pub fn first_classes(split: &Split, classes: usize) -> Split {
    let part = |d: &Dataset| {
        let keep: Vec<usize> = (0..d.len()).filter(|&i| d.labels[i] < classes).collect();
        Dataset { classes, ..d.rows(&keep) }
    };
    let mut info = split.info.clone();
    info.class_names.truncate(classes);
    Split { train: part(&split.train), test: part(&split.test), info }
}

/// Splits each class separately (so both parts keep every class), holding out `round(n_k · fraction)` points.
pub fn split(all: &Dataset, fraction: f64, seed: u64, info: DataInfo) -> Split {
    let mut rng = rng::seeded(seed, Stream::Split);
    let mut is_test = vec![false; all.len()];
    for class in 0..all.classes {
        let mut members: Vec<usize> = (0..all.len()).filter(|&i| all.labels[i] == class).collect();
        rng::shuffle(&mut rng, &mut members);
        // Keep at least one training point per class.
        let held = ((members.len() as f64 * fraction).round() as usize).min(members.len().saturating_sub(1));
        for &i in &members[..held] {
            is_test[i] = true;
        }
    }
    let train: Vec<usize> = (0..all.len()).filter(|&i| !is_test[i]).collect();
    let test: Vec<usize> = (0..all.len()).filter(|&i| is_test[i]).collect();
    Split { train: all.rows(&train), test: all.rows(&test), info }
}

/// The standardisation a config asks for, fitted to the training inputs (the identity when it is off).
pub fn standardizer_for(config: &DataConfig, train: ArrayView2<f64>) -> Standardizer {
    if config.standardize {
        Standardizer::fit(train)
    } else {
        Standardizer::identity(train.ncols())
    }
}
