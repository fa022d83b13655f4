//! Scenes: plain data describing what a view shows (points, curves, a heatmap raster, labels), built from the
//! session's state and handed to [`crate::render`]. Keeping this layer free of drawing types lets the page
//! and the command line share one renderer, and lets tests inspect what would be drawn.

use crate::data::{Dataset, Split};

/// A rectangle of data coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// (min, max) along the horizontal axis.
    pub x: (f64, f64),
    /// (min, max) along the vertical axis.
    pub y: (f64, f64),
}

impl Bounds {
    /// The smallest square box around `points`, padded by `pad` of its side on every edge.
    pub fn square_around<'a>(points: impl IntoIterator<Item = &'a [f64; 2]>, pad: f64) -> Bounds {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for p in points {
            for a in 0..2 {
                if p[a].is_finite() {
                    lo[a] = lo[a].min(p[a]);
                    hi[a] = hi[a].max(p[a]);
                }
            }
        }
        if !(lo[0] <= hi[0] && lo[1] <= hi[1]) {
            return Bounds { x: (0.0, 1.0), y: (0.0, 1.0) };
        }
        let side = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1e-9);
        let half = side * (0.5 + pad);
        let c = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        Bounds { x: (c[0] - half, c[0] + half), y: (c[1] - half, c[1] + half) }
    }

    /// The point at fractions `(u, v)` of the way across (0 = min, 1 = max).
    pub fn at(&self, u: f64, v: f64) -> [f64; 2] {
        [self.x.0 + u * (self.x.1 - self.x.0), self.y.0 + v * (self.y.1 - self.y.0)]
    }
}

/// An RGB image of `width × height` cells covering a view's bounds; row 0 is the bottom (smallest y).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Raster {
    /// Cells across.
    pub width: usize,
    /// Cells up.
    pub height: usize,
    /// `width · height · 3` bytes, row-major from the bottom row.
    pub rgb: Vec<u8>,
}

/// What a legend entry or curve represents; also picks its colour and dash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// A filled point of class k.
    Point(usize),
    /// A hollow (test) point.
    Hollow,
    /// A ring around a support vector.
    Ring,
    /// The network's decision boundary (solid).
    NetworkLine,
    /// The SVM's decision boundary (dashed).
    SvmLine,
    /// The SVM's margin lines (thin dashed).
    SvmMargin,
    /// Where the two disagree.
    Disagreement,
}

/// A set of polylines drawn in one style.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// What the curve is (sets colour and legend swatch).
    pub kind: Marker,
    /// The polylines, in data coordinates.
    pub lines: Vec<Vec<[f64; 2]>>,
    /// Dashed or solid.
    pub dashed: bool,
    /// Stroke width in CSS pixels.
    pub width: f64,
    /// Legend text, if the curve has an entry.
    pub label: Option<String>,
}

impl Curve {
    /// The legend swatch of this curve.
    pub fn marker(&self) -> Marker {
        self.kind
    }
}

/// Labelled points drawn filled (training) or hollow (test).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointSet {
    /// Coordinates.
    pub points: Vec<[f64; 2]>,
    /// Class of each point.
    pub labels: Vec<usize>,
    /// Drawn as rings rather than discs.
    pub hollow: bool,
}

impl PointSet {
    /// The points of `data`, filled or hollow.
    pub fn of(data: &Dataset, hollow: bool) -> PointSet {
        PointSet { points: data.points.clone(), labels: data.labels.clone(), hollow }
    }
}

/// Everything the input-space view draws.
#[derive(Clone, Debug, PartialEq)]
pub struct InputView {
    /// Title above the plot.
    pub title: String,
    /// The visible rectangle.
    pub bounds: Bounds,
    /// Number of classes.
    pub classes: usize,
    /// Legend names of the classes.
    pub class_names: Vec<String>,
    /// Confidence shading of the decision regions, if a model exists.
    pub heatmap: Option<Raster>,
    /// Boundaries (network solid, SVM dashed).
    pub curves: Vec<Curve>,
    /// Training points.
    pub train: PointSet,
    /// Test points, if shown.
    pub test: Option<PointSet>,
    /// Indices into `train` of the SVM's support vectors.
    pub support: Vec<usize>,
}

/// The view of a data set alone (before any model exists).
pub fn data_view(split: &Split, show_test: bool) -> InputView {
    let bounds = Bounds::square_around(split.train.points.iter().chain(&split.test.points), 0.06);
    InputView {
        title: "Input space".into(),
        bounds,
        classes: split.train.classes,
        class_names: (0..split.train.classes).map(|k| format!("class {k}")).collect(),
        heatmap: None,
        curves: Vec::new(),
        train: PointSet::of(&split.train, false),
        test: (show_test && !split.test.is_empty()).then(|| PointSet::of(&split.test, true)),
        support: Vec::new(),
    }
}
