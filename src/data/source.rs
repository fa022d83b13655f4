//! Where a run's points come from ([`Source`]), the data settings of a config ([`DataConfig`]) with their
//! ranges and checks, the user's own points, and the size limits of every kind of data.

use crate::range::{self, Range, RangeError};
use serde::{Deserialize, Serialize};
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
    /// The classes a table keeps.
    Keep,
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
            Source::Custom => &[TestFraction, Seed],
            Source::Digits | Source::Table => &[Keep, TestFraction, Seed],
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

/// Everything that determines a data set and its split. In JSON (links, files) the fields that are off or
/// empty — `standardize`, `points`, `table` — are left out; binary snapshots carry every field.
#[derive(Deserialize, Clone, Debug, PartialEq)]
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
    pub standardize: bool,
    /// The user's points, for the `custom` set.
    pub points: Vec<LabeledPoint>,
    /// The imported table's name, for the `table` set (its rows are not part of the config).
    pub table: String,
    /// For a table (the digits, an imported file): the classes kept, by name (empty: all). Written as a list
    /// or as one comma-separated text.
    #[serde(deserialize_with = "names_or_text")]
    pub keep: Vec<String>,
}

/// A list of names, or one text of comma-separated names (as a form field writes them). Binary snapshots carry
/// the list (they cannot tell the two forms apart by looking).
fn names_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Names {
        List(Vec<String>),
        Text(String),
    }
    if !d.is_human_readable() {
        return Vec::<String>::deserialize(d);
    }
    Ok(match Names::deserialize(d)? {
        Names::List(v) => v,
        Names::Text(t) => t.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
    })
}

impl Serialize for DataConfig {
    /// Every field in order, but for human-readable formats (JSON) without `standardize` when off and
    /// `points` and `table` when empty (a derived `skip_serializing_if` would break the binary format, which
    /// has no field names to skip by).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let terse = serializer.is_human_readable();
        let mut s = serializer.serialize_struct("DataConfig", 13)?;
        s.serialize_field("set", &self.set)?;
        s.serialize_field("samples", &self.samples)?;
        s.serialize_field("noise", &self.noise)?;
        s.serialize_field("balance", &self.balance)?;
        s.serialize_field("seed", &self.seed)?;
        s.serialize_field("test_fraction", &self.test_fraction)?;
        s.serialize_field("margin", &self.margin)?;
        s.serialize_field("arms", &self.arms)?;
        s.serialize_field("classes", &self.classes)?;
        if terse && !self.standardize {
            s.skip_field("standardize")?;
        } else {
            s.serialize_field("standardize", &self.standardize)?;
        }
        if terse && self.points.is_empty() {
            s.skip_field("points")?;
        } else {
            s.serialize_field("points", &self.points)?;
        }
        if terse && self.table.is_empty() {
            s.skip_field("table")?;
        } else {
            s.serialize_field("table", &self.table)?;
        }
        if terse && self.keep.is_empty() {
            s.skip_field("keep")?;
        } else {
            s.serialize_field("keep", &self.keep)?;
        }
        s.end()
    }
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
            keep: Vec::new(),
        }
    }
}

/// What is wrong with a data configuration or a data file.
#[derive(Error, Debug, Clone, PartialEq)]
pub enum DataError {
    /// A numeric parameter outside its range.
    #[error(transparent)]
    Range(#[from] RangeError),
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
    /// Points can be edited only on 2-D data.
    #[error("points can be added or removed only on 2-D data; this run's inputs are {0}-dimensional")]
    NotEditable(usize),
    /// A class subset that names classes the table lacks, or keeps fewer than two.
    #[error("data.keep: {0}")]
    Keep(String),
    /// The config names a table that has not been provided.
    #[error("the data '{0}' are not loaded: import the file again (its rows are not part of a link)")]
    NotLoaded(String),
}

/// Seeds are whole numbers from 0 to 2⁵³ − 1, so that a link's JavaScript reads them exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;

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

fn check_range(name: &str, value: f64) -> Result<(), RangeError> {
    range::find(&RANGES, name).check(value)
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
            return Err(range::find(&RANGES, "seed").error(self.seed as f64).into());
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
