//! The 2-D data sets: the paper's (blobs, plate, sectors, disk, moons, three blobs), the classic teaching sets
//! (xor, spiral, k gaussian blobs) and the user's own points; plus the stratified train/test split.
//!
//! Every generator is seeded and deterministic: the same [`DataConfig`] gives bit-identical points natively and
//! in WebAssembly (only `+ − × ÷ √` and `libm`'s `sin`/`cos` touch the coordinates, all IEEE-exact or computed
//! by the same code on both targets).
//!
//! Geometry follows the paper's code (Li, Ding & Gao 2018), scaled into the unit square so that one learning
//! rate suits every set: the three-blob centres (10,10), (45,75), (80,10) with σ = 5 become (0.1,0.1),
//! (0.45,0.75), (0.8,0.1) with σ = 0.05.

use crate::rng::{self, Rng, Stream};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use thiserror::Error;

/// Largest number of points a data set may have (keeps every view and refit interactive).
pub const MAX_SAMPLES: usize = 5000;
/// Largest number of classes.
pub const MAX_CLASSES: usize = 6;

/// The available data sets.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DataSet {
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
    /// The user's own points (`DataConfig::points`).
    Custom,
}

impl DataSet {
    /// Every data set, in the order the page lists them.
    pub const ALL: [DataSet; 11] = [
        DataSet::Blobs,
        DataSet::Plate,
        DataSet::Sectors,
        DataSet::SectorsOverlap,
        DataSet::Disk,
        DataSet::Moons,
        DataSet::ThreeBlobs,
        DataSet::Xor,
        DataSet::Spiral,
        DataSet::GaussianBlobs,
        DataSet::Custom,
    ];

    /// The identifier used in configs, URLs and the command line.
    pub fn id(self) -> &'static str {
        match self {
            DataSet::Blobs => "blobs",
            DataSet::Plate => "plate",
            DataSet::Sectors => "sectors",
            DataSet::SectorsOverlap => "sectors_overlap",
            DataSet::Disk => "disk",
            DataSet::Moons => "moons",
            DataSet::ThreeBlobs => "three_blobs",
            DataSet::Xor => "xor",
            DataSet::Spiral => "spiral",
            DataSet::GaussianBlobs => "gaussian_blobs",
            DataSet::Custom => "custom",
        }
    }

    /// A human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            DataSet::Blobs => "Blobs (paper)",
            DataSet::Plate => "Plate (paper)",
            DataSet::Sectors => "Sectors (paper)",
            DataSet::SectorsOverlap => "Sectors, overlapping (paper)",
            DataSet::Disk => "Disk (paper)",
            DataSet::Moons => "Moons (paper)",
            DataSet::ThreeBlobs => "Three blobs (paper)",
            DataSet::Xor => "XOR",
            DataSet::Spiral => "Spiral",
            DataSet::GaussianBlobs => "k Gaussian blobs",
            DataSet::Custom => "Your own points",
        }
    }

    /// The data set whose [`DataSet::id`] is `id`.
    pub fn from_id(id: &str) -> Option<DataSet> {
        DataSet::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The configuration this set starts with: the paper's parameters where the paper has them.
    pub fn defaults(self) -> DataConfig {
        let base = DataConfig { set: self, ..DataConfig::default() };
        match self {
            DataSet::Blobs => DataConfig { noise: 0.1, ..base },
            DataSet::Plate => DataConfig { noise: 0.0, margin: 0.1, ..base },
            DataSet::Sectors | DataSet::SectorsOverlap => DataConfig { noise: 0.0, balance: 0.75, ..base },
            DataSet::Disk => DataConfig { noise: 0.0, margin: 0.01, ..base },
            DataSet::Moons => DataConfig { noise: 0.03, ..base },
            DataSet::ThreeBlobs => DataConfig { noise: 0.05, classes: 3, ..base },
            DataSet::Xor => DataConfig { noise: 0.0, margin: 0.05, ..base },
            DataSet::Spiral => DataConfig { noise: 0.01, arms: 2, ..base },
            DataSet::GaussianBlobs => DataConfig { noise: 0.07, classes: 4, ..base },
            DataSet::Custom => DataConfig { noise: 0.0, ..base },
        }
    }
}

/// One labelled point of the user's own data: `[x, y, label]` in configs and URLs.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct LabeledPoint(pub f64, pub f64, pub usize);

/// Everything that determines a data set and its split.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    /// Which generator.
    pub set: DataSet,
    /// Number of points, training and test together (ignored for `custom`).
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
    /// The user's points, for the `custom` set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<LabeledPoint>,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            set: DataSet::Blobs,
            samples: 200,
            noise: 0.1,
            balance: 0.5,
            seed: 1,
            test_fraction: 0.2,
            margin: 0.1,
            arms: 2,
            classes: 3,
            points: Vec::new(),
        }
    }
}

/// What is wrong with a data configuration or a data file.
#[derive(Error, Debug, Clone, PartialEq)]
pub enum DataError {
    /// A numeric parameter outside its range.
    #[error("{name} = {value} is out of range: it must be between {min} and {max}")]
    OutOfRange {
        /// The parameter.
        name: &'static str,
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
}

fn check_range(name: &'static str, value: f64, min: f64, max: f64) -> Result<(), DataError> {
    // `!(a <= b)` so that NaN fails too.
    if !(value >= min && value <= max) {
        return Err(DataError::OutOfRange { name, value, min, max });
    }
    Ok(())
}

impl DataConfig {
    /// Checks every parameter; the message names the first bad one.
    pub fn validate(&self) -> Result<(), DataError> {
        check_range("samples", self.samples as f64, 8.0, MAX_SAMPLES as f64)?;
        check_range("noise", self.noise, 0.0, 1.0)?;
        check_range("balance", self.balance, 0.05, 0.95)?;
        check_range("test_fraction", self.test_fraction, 0.0, 0.8)?;
        check_range("margin", self.margin, 0.0, 0.4)?;
        check_range("arms", self.arms as f64, 2.0, 5.0)?;
        check_range("classes", self.classes as f64, 2.0, MAX_CLASSES as f64)?;
        if self.set == DataSet::Custom {
            validate_points(&self.points)?;
        }
        Ok(())
    }

    /// The number of classes this configuration produces.
    pub fn class_count(&self) -> usize {
        match self.set {
            DataSet::ThreeBlobs => 3,
            DataSet::Spiral => self.arms,
            DataSet::GaussianBlobs => self.classes,
            DataSet::Custom => self.points.iter().map(|p| p.2 + 1).max().unwrap_or(0),
            _ => 2,
        }
    }
}

/// Checks the user's points: finite coordinates within ±1000, labels 0..K−1 with every class present, at least
/// two points in each of at least two classes.
pub fn validate_points(points: &[LabeledPoint]) -> Result<(), DataError> {
    if points.len() > MAX_SAMPLES {
        return Err(DataError::TooFewPoints(format!("at most {MAX_SAMPLES} points are allowed, got {}", points.len())));
    }
    for (index, p) in points.iter().enumerate() {
        if !(p.0.is_finite() && p.1.is_finite()) || p.0.abs() > 1000.0 || p.1.abs() > 1000.0 {
            return Err(DataError::BadPoint {
                index,
                reason: "coordinates must be finite numbers within ±1000".into(),
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

/// A labelled set of 2-D points.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Dataset {
    /// The coordinates.
    pub points: Vec<[f64; 2]>,
    /// The class of each point, in `0..classes`.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl Dataset {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The points as an n × 2 matrix (the network's input).
    pub fn matrix(&self) -> ndarray::Array2<f64> {
        let flat: Vec<f64> = self.points.iter().flat_map(|p| [p[0], p[1]]).collect();
        ndarray::Array2::from_shape_vec((self.len(), 2), flat).expect("n × 2 values were collected for n points")
    }

    /// How many points each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &l in &self.labels {
            counts[l] += 1;
        }
        counts
    }

    fn push(&mut self, p: [f64; 2], label: usize) {
        self.points.push(p);
        self.labels.push(label);
    }
}

/// A data set split into training and test points.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Split {
    /// Points the network and the SVM are trained on.
    pub train: Dataset,
    /// Held-out points (drawn hollow).
    pub test: Dataset,
}

/// Generates the data set `config` describes and splits it.
pub fn generate(config: &DataConfig) -> Result<Split, DataError> {
    config.validate()?;
    let all = match config.set {
        DataSet::Custom => {
            let mut d = Dataset { classes: config.class_count(), ..Dataset::default() };
            for p in &config.points {
                d.push([p.0, p.1], p.2);
            }
            d
        }
        _ => sample(config),
    };
    Ok(split(&all, config.test_fraction, config.seed))
}

/// Every point of a split (training first) as the user's own points: what editing starts from.
pub fn points_of(split: &Split) -> Vec<LabeledPoint> {
    [&split.train, &split.test]
        .into_iter()
        .flat_map(|d| d.points.iter().zip(&d.labels).map(|(p, &l)| LabeledPoint(p[0], p[1], l)))
        .collect()
}

/// Splits each class separately (so both parts keep every class), holding out `round(n_k · fraction)` points.
pub fn split(all: &Dataset, fraction: f64, seed: u64) -> Split {
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
    let mut out = Split {
        train: Dataset { classes: all.classes, ..Dataset::default() },
        test: Dataset { classes: all.classes, ..Dataset::default() },
    };
    for ((&p, &label), &held_out) in all.points.iter().zip(&all.labels).zip(&is_test) {
        let part = if held_out { &mut out.test } else { &mut out.train };
        part.push(p, label);
    }
    out
}

/// Class sizes for `n` points: geometric weights r^(k/(K−1)) with r = balance / (1 − balance), rounded by the
/// largest-remainder rule so that they sum to `n`; every class gets at least one point.
pub fn class_sizes(n: usize, classes: usize, balance: f64) -> Vec<usize> {
    let ratio = balance / (1.0 - balance);
    let weights: Vec<f64> = (0..classes).map(|k| ratio.powf(k as f64 / (classes - 1) as f64)).collect();
    let total: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| n as f64 * w / total).collect();
    let mut sizes: Vec<usize> = exact.iter().map(|e| (e.floor() as usize).max(1)).collect();
    let mut order: Vec<usize> = (0..classes).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let mut assigned: usize = sizes.iter().sum();
    let mut turn = 0;
    while assigned < n {
        sizes[order[turn % classes]] += 1;
        assigned += 1;
        turn += 1;
    }
    while assigned > n {
        // Only reachable when the `max(1)` floor lifted a class; take from the largest.
        let largest = (0..classes).max_by_key(|&k| sizes[k]).expect("at least one class");
        sizes[largest] -= 1;
        assigned -= 1;
    }
    sizes
}

fn sample(config: &DataConfig) -> Dataset {
    let mut rng = rng::seeded(config.seed, Stream::Data);
    let classes = config.class_count();
    let sizes = class_sizes(config.samples, classes, config.balance);
    let mut out = Dataset { classes, ..Dataset::default() };
    let s = config.noise;
    for (class, &size) in sizes.iter().enumerate() {
        for _ in 0..size {
            // The blob sets are Gaussian by construction; the geometric sets get an optional jitter.
            let p = match config.set {
                DataSet::Blobs => gaussian(&mut rng, [[0.2, 0.2], [0.8, 0.8]][class], s),
                DataSet::ThreeBlobs => gaussian(&mut rng, [[0.1, 0.1], [0.45, 0.75], [0.8, 0.1]][class], s),
                DataSet::GaussianBlobs => {
                    let angle = 2.0 * PI * class as f64 / classes as f64 + PI / 4.0;
                    gaussian(&mut rng, [0.5 + 0.3 * libm::cos(angle), 0.5 + 0.3 * libm::sin(angle)], s)
                }
                geometric => {
                    let p = match geometric {
                        DataSet::Plate => plate(&mut rng, class, config.margin),
                        DataSet::Sectors => sector(&mut rng, [[0.1, 0.2], [0.283, 0.4]][class]),
                        DataSet::SectorsOverlap => sector(&mut rng, [[0.1, 0.2], [0.25, 0.4]][class]),
                        DataSet::Disk => disk(&mut rng, class, config.margin),
                        DataSet::Moons => moon(&mut rng, class),
                        DataSet::Xor => xor(&mut rng, class, config.margin),
                        DataSet::Spiral => spiral(&mut rng, class, classes),
                        _ => unreachable!("blob sets are handled above and custom points are not sampled"),
                    };
                    jitter(&mut rng, p, s)
                }
            };
            out.push(p, class);
        }
    }
    out
}

fn gaussian(rng: &mut Rng, centre: [f64; 2], std: f64) -> [f64; 2] {
    [centre[0] + std * rng::normal(rng), centre[1] + std * rng::normal(rng)]
}

fn jitter(rng: &mut Rng, p: [f64; 2], std: f64) -> [f64; 2] {
    if std == 0.0 {
        p
    } else {
        gaussian(rng, p, std)
    }
}

/// Uniform in the unit square on the class's side of the band |x₁ + x₂ − 1| < margin (by rejection; each
/// side covers at least 18% of the square for margin ≤ 0.4).
fn plate(rng: &mut Rng, class: usize, margin: f64) -> [f64; 2] {
    loop {
        let p = [rng::uniform(rng, 0.0, 1.0), rng::uniform(rng, 0.0, 1.0)];
        let side = p[0] + p[1] - 1.0;
        if (class == 1 && side >= margin) || (class == 0 && side <= -margin) {
            return p;
        }
    }
}

/// Area-uniform in the quarter annulus r ∈ [r₀, r₁], θ ∈ [0, π/2].
fn sector(rng: &mut Rng, radii: [f64; 2]) -> [f64; 2] {
    let r = (rng::uniform(rng, radii[0] * radii[0], radii[1] * radii[1])).sqrt();
    let theta = rng::uniform(rng, 0.0, PI / 2.0);
    [r * libm::cos(theta), r * libm::sin(theta)]
}

/// Class 0: area-uniform in the disk of radius 0.2 − margin about (0.5, 0.5); class 1: uniform in the unit
/// square outside radius 0.2 + margin (by rejection; that region covers over 60% of the square).
fn disk(rng: &mut Rng, class: usize, margin: f64) -> [f64; 2] {
    if class == 0 {
        let r = (0.2 - margin).max(0.0) * rng::uniform(rng, 0.0, 1.0).sqrt();
        let theta = rng::uniform(rng, 0.0, 2.0 * PI);
        return [0.5 + r * libm::cos(theta), 0.5 + r * libm::sin(theta)];
    }
    let outer = 0.2 + margin;
    loop {
        let p = [rng::uniform(rng, 0.0, 1.0), rng::uniform(rng, 0.0, 1.0)];
        let (dx, dy) = (p[0] - 0.5, p[1] - 0.5);
        if dx * dx + dy * dy >= outer * outer {
            return p;
        }
    }
}

/// Two interleaving half circles of radius 1 (class 0 the upper one), scaled by 1/3 into the unit square.
fn moon(rng: &mut Rng, class: usize) -> [f64; 2] {
    let t = rng::uniform(rng, 0.0, PI);
    let (x, y) = if class == 0 { (libm::cos(t), libm::sin(t)) } else { (1.0 - libm::cos(t), 0.5 - libm::sin(t)) };
    [(x + 1.0) / 3.0, (y + 0.5) / 3.0 + 0.25]
}

/// Uniform in the unit square away (by `margin`) from the lines x = 0.5 and y = 0.5; class 1 where exactly
/// one coordinate exceeds 0.5.
fn xor(rng: &mut Rng, class: usize, margin: f64) -> [f64; 2] {
    loop {
        let p = [rng::uniform(rng, 0.0, 1.0), rng::uniform(rng, 0.0, 1.0)];
        if (p[0] - 0.5).abs() < margin || (p[1] - 0.5).abs() < margin {
            continue;
        }
        let label = usize::from((p[0] > 0.5) != (p[1] > 0.5));
        if label == class {
            return p;
        }
    }
}

/// Arm `class` of `arms`: radius from 0.05 to 0.45 over 1¼ turns, arms rotated evenly about (0.5, 0.5).
fn spiral(rng: &mut Rng, class: usize, arms: usize) -> [f64; 2] {
    let t = rng::uniform(rng, 0.0, 1.0);
    let r = 0.05 + 0.4 * t;
    let theta = 2.0 * PI * (class as f64 / arms as f64 + 1.25 * t);
    [0.5 + r * libm::cos(theta), 0.5 + r * libm::sin(theta)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Class sizes sum to n and follow the balance: 0.75 gives 3× the points in class 1 (the paper's sectors).
    #[test]
    fn class_sizes_follow_balance() {
        assert_eq!(class_sizes(400, 2, 0.75), vec![100, 300]);
        assert_eq!(class_sizes(10, 2, 0.5), vec![5, 5]);
        assert_eq!(class_sizes(9, 3, 0.5), vec![3, 3, 3]);
        let s = class_sizes(101, 4, 0.8);
        assert_eq!(s.iter().sum::<usize>(), 101);
        assert!(s.windows(2).all(|w| w[0] <= w[1]), "{s:?} should grow towards the last class");
    }

    /// Bad parameters are errors naming the parameter, never panics.
    #[test]
    fn bad_configs_are_named() {
        let bad = DataConfig { noise: f64::NAN, ..DataConfig::default() };
        assert!(generate(&bad).unwrap_err().to_string().starts_with("noise = NaN"));
        let bad = DataConfig { samples: 1_000_000, ..DataConfig::default() };
        assert!(generate(&bad).unwrap_err().to_string().starts_with("samples"));
        let custom = DataConfig {
            set: DataSet::Custom,
            points: vec![LabeledPoint(0.0, 0.0, 0), LabeledPoint(1.0, 1.0, 1)],
            ..DataConfig::default()
        };
        assert!(matches!(generate(&custom), Err(DataError::TooFewPoints(_))));
    }
}
