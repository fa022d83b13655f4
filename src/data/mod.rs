//! The data a run trains on: where the points come from ([`Source`]: a seeded 2-D generator, the user's own
//! points, the bundled 8 × 8 digits, or an imported table of any width), the stratified train/test split,
//! the standardisation by the training set's mean and deviation, and the rules for editing points.
//!
//! Inputs are rows of any width D (2 for the generated sets and the user's points). Tables and the digits
//! are held in a [`Library`] by name, because they are too large for a URL: the config names them, and a run
//! can only start once its table has been provided.

pub mod generators;
pub mod table;

use crate::rng::{self, Stream};
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
pub use table::{Standardizer, Table};
use thiserror::Error;

/// Largest number of points a generated set or the user's own points may have.
pub const MAX_SAMPLES: usize = 5000;
/// Largest number of rows an imported table may have.
pub const MAX_TABLE_ROWS: usize = 20_000;
/// Largest number of feature columns an imported table may have.
pub const MAX_FEATURES: usize = 1024;
/// Largest number of classes.
pub const MAX_CLASSES: usize = 10;
/// Largest number of classes the k-Gaussian-blobs generator and point editing offer.
pub const MAX_GENERATED_CLASSES: usize = 6;
/// The name under which the bundled digits are kept in a [`Library`].
pub const DIGITS: &str = "digits";

/// Where a run's points come from.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Two Gaussian blobs at (0.2, 0.2) and (0.8, 0.8) (the paper's first set).
    Blobs,
    /// The unit square with a diagonal band |x₁ + x₂ − 1| < margin removed, labelled by side.
    Plate,
    /// Quarter annuli: class 0 at r ∈ [0.1, 0.2], class 1 at r ∈ [0.283, 0.4] (linearly separable, just).
    Sectors,
    /// Quarter annuli that overlap in every direction: class 1 at r ∈ [0.25, 0.4] (not linearly separable).
    SectorsOverlap,
    /// A disk of radius 0.2 − margin about (0.5, 0.5) against the square outside radius 0.2 + margin.
    Disk,
    /// Two interleaving half circles.
    Moons,
    /// Three Gaussian blobs (the paper's three-class set).
    ThreeBlobs,
    /// The four quadrants of the unit square, opposite ones sharing a class.
    Xor,
    /// Interleaved spiral arms, one class per arm.
    Spiral,
    /// k Gaussian blobs on a circle, one class each.
    GaussianBlobs,
    /// The user's own 2-D points (`DataConfig::points`).
    Custom,
    /// The 8 × 8 handwritten digits (UCI, CC BY 4.0), 64 pixels, 10 classes.
    Digits,
    /// An imported table of any width (`DataConfig::table`), held in the [`Library`].
    Table,
}

/// A parameter of the data a source uses (the page shows only these).
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Knob {
    /// Number of points.
    Samples,
    /// Gaussian spread.
    Noise,
    /// Class balance.
    Balance,
    /// Gap half-width.
    Margin,
    /// Spiral arms.
    Arms,
    /// Number of blob classes.
    Classes,
    /// Test share.
    TestFraction,
    /// Seed.
    Seed,
}

impl Source {
    /// Every source, in the order the page lists them (an imported table appears once one is imported).
    pub const ALL: [Source; 13] = [
        Source::Blobs,
        Source::Plate,
        Source::Sectors,
        Source::SectorsOverlap,
        Source::Disk,
        Source::Moons,
        Source::ThreeBlobs,
        Source::Xor,
        Source::Spiral,
        Source::GaussianBlobs,
        Source::Custom,
        Source::Digits,
        Source::Table,
    ];

    /// The identifier used in configs, URLs and the command line.
    pub fn id(self) -> &'static str {
        match self {
            Source::Blobs => "blobs",
            Source::Plate => "plate",
            Source::Sectors => "sectors",
            Source::SectorsOverlap => "sectors_overlap",
            Source::Disk => "disk",
            Source::Moons => "moons",
            Source::ThreeBlobs => "three_blobs",
            Source::Xor => "xor",
            Source::Spiral => "spiral",
            Source::GaussianBlobs => "gaussian_blobs",
            Source::Custom => "custom",
            Source::Digits => "digits",
            Source::Table => "table",
        }
    }

    /// A human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            Source::Blobs => "Blobs (paper)",
            Source::Plate => "Plate (paper)",
            Source::Sectors => "Sectors (paper)",
            Source::SectorsOverlap => "Sectors, overlapping (paper)",
            Source::Disk => "Disk (paper)",
            Source::Moons => "Moons (paper)",
            Source::ThreeBlobs => "Three blobs (paper)",
            Source::Xor => "XOR",
            Source::Spiral => "Spiral",
            Source::GaussianBlobs => "k Gaussian blobs",
            Source::Custom => "Your own points",
            Source::Digits => "Handwritten digits, 8 × 8 (UCI)",
            Source::Table => "Imported file",
        }
    }

    /// The source whose [`Source::id`] is `id`.
    pub fn from_id(id: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.id() == id)
    }

    /// Whether the points are drawn by a seeded 2-D generator.
    pub fn is_generated(self) -> bool {
        !matches!(self, Source::Custom | Source::Digits | Source::Table)
    }

    /// The parameters this source uses.
    pub fn knobs(self) -> &'static [Knob] {
        use Knob::*;
        match self {
            Source::Blobs | Source::Moons | Source::ThreeBlobs => &[Samples, Noise, Balance, TestFraction, Seed],
            Source::Sectors | Source::SectorsOverlap => &[Samples, Noise, Balance, TestFraction, Seed],
            Source::Plate | Source::Disk | Source::Xor => &[Samples, Noise, Balance, Margin, TestFraction, Seed],
            Source::Spiral => &[Samples, Noise, Balance, Arms, TestFraction, Seed],
            Source::GaussianBlobs => &[Samples, Noise, Balance, Classes, TestFraction, Seed],
            Source::Custom | Source::Digits | Source::Table => &[TestFraction, Seed],
        }
    }

    /// The configuration this source starts with: the paper's parameters where the paper has them.
    pub fn defaults(self) -> DataConfig {
        let base = DataConfig { set: self, ..DataConfig::default() };
        match self {
            Source::Blobs => DataConfig { noise: 0.1, ..base },
            Source::Plate => DataConfig { noise: 0.0, margin: 0.1, ..base },
            Source::Sectors | Source::SectorsOverlap => DataConfig { noise: 0.0, balance: 0.75, ..base },
            Source::Disk => DataConfig { noise: 0.0, margin: 0.01, ..base },
            Source::Moons => DataConfig { noise: 0.03, ..base },
            Source::ThreeBlobs => DataConfig { noise: 0.05, classes: 3, ..base },
            Source::Xor => DataConfig { noise: 0.0, margin: 0.05, ..base },
            Source::Spiral => DataConfig { noise: 0.01, arms: 2, ..base },
            Source::GaussianBlobs => DataConfig { noise: 0.07, classes: 4, ..base },
            Source::Custom => DataConfig { noise: 0.0, ..base },
            Source::Digits | Source::Table => DataConfig { noise: 0.0, standardize: true, ..base },
        }
    }
}

/// One labelled point of the user's own data: `[x, y, label]` in configs and URLs.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct LabeledPoint(pub f64, pub f64, pub usize);

fn is_false(b: &bool) -> bool {
    !*b
}

/// Everything that determines a data set and its split.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    /// Where the points come from.
    pub set: Source,
    /// Number of points, training and test together (generated sets only).
    pub samples: usize,
    /// Standard deviation of the Gaussian spread: the cluster width for the blob sets, a jitter added to every
    /// point for the geometric sets.
    pub noise: f64,
    /// Share of the points in the last class relative to the first: 0.5 is balanced; for two classes it is the
    /// share of class 1; for k classes the class sizes grow geometrically from class 0 to class k − 1.
    pub balance: f64,
    /// The seed of the generator and of the split.
    pub seed: u64,
    /// Share of each class held out as test points.
    pub test_fraction: f64,
    /// Gap half-width for plate, disk and xor.
    pub margin: f64,
    /// Number of spiral arms (2..5), each a class.
    pub arms: usize,
    /// Number of classes for k Gaussian blobs (2..6).
    pub classes: usize,
    /// Whether the network sees the inputs standardised by the training set's mean and deviation (the
    /// views still show the data's own units). On for imported data and the digits.
    #[serde(skip_serializing_if = "is_false")]
    pub standardize: bool,
    /// The user's points, for the `custom` set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<LabeledPoint>,
    /// The imported table's name, for the `table` set (its rows are not part of the config).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub table: String,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            set: Source::Blobs,
            samples: 200,
            noise: 0.1,
            balance: 0.5,
            seed: 1,
            test_fraction: 0.2,
            margin: 0.1,
            arms: 2,
            classes: 3,
            standardize: false,
            points: Vec::new(),
            table: String::new(),
        }
    }
}

/// What is wrong with a data configuration or a data file.
#[derive(Error, Debug, Clone, PartialEq)]
pub enum DataError {
    /// A numeric parameter outside its range.
    #[error("{name} = {value} is out of range: it must be between {min} and {max}")]
    OutOfRange {
        /// The parameter (group.name).
        name: String,
        /// The value given.
        value: f64,
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
    },
    /// Custom data with too few points or classes.
    #[error("your data need at least two points in each of at least two classes ({0})")]
    TooFewPoints(String),
    /// A custom point with a bad coordinate or label.
    #[error("point {index}: {reason}")]
    BadPoint {
        /// Position in `points` (0-based).
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The config names a table that has not been provided.
    #[error("the data '{0}' are not loaded: import the file again (its rows are not part of a link)")]
    NotLoaded(String),
}

/// Seeds are whole numbers from 0 to 2⁵³ − 1, so that a link's JavaScript reads them exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// The range of a numeric setting: what the config accepts and what the page's control spans.
#[derive(Serialize, Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Config group ("data", "network", "train", "svm").
    pub group: &'static str,
    /// Field name.
    pub name: &'static str,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Control step (0 for a logarithmic slider).
    pub step: f64,
    /// Whether the control moves on a logarithmic scale.
    pub log: bool,
}

impl Range {
    /// Whether `value` is inside (NaN is not).
    pub fn check(&self, value: f64) -> Result<(), DataError> {
        // `!(a <= b)` so that NaN fails too.
        if !(value >= self.min && value <= self.max) {
            return Err(DataError::OutOfRange {
                name: format!("{}.{}", self.group, self.name),
                value,
                min: self.min,
                max: self.max,
            });
        }
        Ok(())
    }
}

/// The ranges of the data settings.
pub const RANGES: [Range; 8] = [
    Range { group: "data", name: "samples", min: 8.0, max: MAX_SAMPLES as f64, step: 1.0, log: false },
    Range { group: "data", name: "noise", min: 0.0, max: 0.3, step: 0.005, log: false },
    Range { group: "data", name: "balance", min: 0.05, max: 0.95, step: 0.05, log: false },
    Range { group: "data", name: "margin", min: 0.0, max: 0.4, step: 0.005, log: false },
    Range { group: "data", name: "arms", min: 2.0, max: 5.0, step: 1.0, log: false },
    Range { group: "data", name: "classes", min: 2.0, max: MAX_GENERATED_CLASSES as f64, step: 1.0, log: false },
    Range { group: "data", name: "test_fraction", min: 0.0, max: 0.8, step: 0.05, log: false },
    Range { group: "data", name: "seed", min: 0.0, max: MAX_SEED as f64, step: 1.0, log: false },
];

fn check_range(name: &str, value: f64) -> Result<(), DataError> {
    RANGES.iter().find(|r| r.name == name).expect("every data field has a range").check(value)
}

impl DataConfig {
    /// Checks every parameter; the message names the first bad one.
    pub fn validate(&self) -> Result<(), DataError> {
        check_range("samples", self.samples as f64)?;
        check_range("noise", self.noise)?;
        check_range("balance", self.balance)?;
        check_range("margin", self.margin)?;
        check_range("arms", self.arms as f64)?;
        check_range("classes", self.classes as f64)?;
        check_range("test_fraction", self.test_fraction)?;
        check_range("seed", self.seed as f64)?;
        if self.seed > MAX_SEED {
            // Above 2⁵³ the f64 comparison cannot tell; the integer one can.
            return Err(DataError::OutOfRange {
                name: "data.seed".into(),
                value: self.seed as f64,
                min: 0.0,
                max: MAX_SEED as f64,
            });
        }
        if self.set == Source::Custom {
            validate_points(&self.points)?;
        }
        Ok(())
    }

    /// The number of classes a generated set or the user's points produce (tables say so themselves).
    pub fn class_count(&self) -> usize {
        match self.set {
            Source::ThreeBlobs => 3,
            Source::Spiral => self.arms,
            Source::GaussianBlobs => self.classes,
            Source::Custom => self.points.iter().map(|p| p.2 + 1).max().unwrap_or(0),
            _ => 2,
        }
    }

    /// The name of the table this config needs from a [`Library`], if any.
    pub fn table_name(&self) -> Option<&str> {
        match self.set {
            Source::Digits => Some(DIGITS),
            Source::Table => Some(&self.table),
            _ => None,
        }
    }
}

/// Checks the user's points: finite coordinates within ±10⁶, labels 0..K−1 with every class present, at least
/// two points in each of at least two classes.
pub fn validate_points(points: &[LabeledPoint]) -> Result<(), DataError> {
    if points.len() > MAX_SAMPLES {
        return Err(DataError::TooFewPoints(format!("at most {MAX_SAMPLES} points are allowed, got {}", points.len())));
    }
    for (index, p) in points.iter().enumerate() {
        if !(p.0.is_finite() && p.1.is_finite()) || p.0.abs() > 1e6 || p.1.abs() > 1e6 {
            return Err(DataError::BadPoint {
                index, reason: "coordinates must be finite numbers within ±10⁶".into()
            });
        }
        if p.2 >= MAX_CLASSES {
            return Err(DataError::BadPoint {
                index,
                reason: format!("label {} is not in 0..{}", p.2, MAX_CLASSES - 1),
            });
        }
    }
    let classes = points.iter().map(|p| p.2 + 1).max().unwrap_or(0);
    let mut counts = vec![0usize; classes];
    for p in points {
        counts[p.2] += 1;
    }
    if classes < 2 || counts.iter().any(|&c| c < 2) {
        let summary: Vec<String> = counts.iter().enumerate().map(|(k, c)| format!("class {k}: {c}")).collect();
        let summary = if summary.is_empty() { "no points".to_string() } else { summary.join(", ") };
        return Err(DataError::TooFewPoints(summary));
    }
    Ok(())
}

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
    /// (width, height) when each row is an image of that many pixels, row-major.
    pub image: Option<[usize; 2]>,
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

/// The bundled digits, decompressed from the copy the command line carries (the page fetches its own copy
/// on demand instead of carrying it in the wasm).
#[cfg(not(target_arch = "wasm32"))]
pub fn bundled_digits() -> Table {
    use std::io::Read;
    let bytes: &[u8] = include_bytes!("../../assets/digits/digits.csv.gz");
    let mut text = String::new();
    // The bundled file is valid gzip of UTF-8 CSV (checked by the tests).
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("the bundled digits decompress");
    crate::csv_io::parse_digits(&text).expect("the bundled digits parse")
}

/// A library holding the bundled digits (native builds).
#[cfg(not(target_arch = "wasm32"))]
pub fn library_with_digits() -> Library {
    let mut library = Library::default();
    library.insert(DIGITS, bundled_digits());
    library
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
            };
            (Dataset { inputs, labels, classes }, info)
        }
        Source::Digits | Source::Table => {
            let name = config.table_name().unwrap_or_default();
            let table = library.get(name).ok_or_else(|| DataError::NotLoaded(name.to_string()))?;
            (table.dataset(), table.info())
        }
        generated => {
            let data = generators::sample(config).expect("every other source is generated");
            let info = DataInfo {
                name: generated.title().into(),
                feature_names: vec!["x₁".into(), "x₂".into()],
                class_names: generic_names("class", data.classes),
                image: None,
            };
            (data, info)
        }
    };
    Ok(split(&all, config.test_fraction, config.seed, info))
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

/// Editing the user's own points: adding and removing points turns any 2-D data into "your own points"; a
/// set of points that cannot be trained on yet (too few per class) is kept pending and shown, and the run
/// goes on with the previous data until the points make a valid set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointEdit {
    /// Points being edited that do not yet make a valid data set.
    pub pending: Option<Vec<LabeledPoint>>,
}

/// What an edit did.
#[derive(Clone, Debug, PartialEq)]
pub enum EditOutcome {
    /// The points make a valid set: the run restarts on them.
    Apply(Vec<LabeledPoint>),
    /// Kept pending (the message says why they cannot be trained on yet).
    Pending(String),
    /// Nothing changed (no point near enough to remove).
    Unchanged,
}

impl PointEdit {
    /// The points an edit starts from: the pending ones, or all points of `split`.
    pub fn current(&self, split: &Split) -> Vec<LabeledPoint> {
        self.pending.clone().unwrap_or_else(|| points_of(split))
    }

    fn settle(&mut self, points: Vec<LabeledPoint>) -> EditOutcome {
        match validate_points(&points) {
            Ok(()) => {
                self.pending = None;
                EditOutcome::Apply(points)
            }
            Err(e) => {
                self.pending = Some(points);
                EditOutcome::Pending(e.to_string())
            }
        }
    }

    /// Adds a point of class `label` at `p`.
    pub fn add(&mut self, split: &Split, p: [f64; 2], label: usize) -> Result<EditOutcome, DataError> {
        if label >= MAX_GENERATED_CLASSES {
            return Err(DataError::BadPoint {
                index: 0,
                reason: format!("class {label} is not in 0..{}", MAX_GENERATED_CLASSES - 1),
            });
        }
        if !(p[0].is_finite() && p[1].is_finite()) {
            return Err(DataError::BadPoint { index: 0, reason: "coordinates must be finite".into() });
        }
        let mut points = self.current(split);
        points.push(LabeledPoint(p[0], p[1], label));
        Ok(self.settle(points))
    }

    /// Removes the point nearest to `p`, if one lies within `reach` (data units).
    pub fn remove_near(&mut self, split: &Split, p: [f64; 2], reach: f64) -> EditOutcome {
        let mut points = self.current(split);
        let nearest = points
            .iter()
            .enumerate()
            .map(|(i, q)| (i, libm::hypot(q.0 - p[0], q.1 - p[1])))
            .filter(|&(_, d)| d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match nearest {
            Some((i, _)) => {
                points.remove(i);
                self.settle(points)
            }
            None => EditOutcome::Unchanged,
        }
    }

    /// Removes every point (the run waits for valid points).
    pub fn clear(&mut self) -> EditOutcome {
        self.settle(Vec::new())
    }

    /// Why the pending points cannot be trained on yet (`None` when nothing is pending).
    pub fn message(&self) -> Option<String> {
        self.pending.as_ref().and_then(|p| validate_points(p).err()).map(|e| e.to_string())
    }
}

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
