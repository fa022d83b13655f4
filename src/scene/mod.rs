//! Scenes: plain data describing what a view shows (points, curves, a heatmap, labels), built from what the
//! page holds — a [`PageState`], made of the engine's snapshots — and handed to [`crate::render`]. Keeping
//! this layer free of drawing types lets the page and the command line share one renderer, and lets tests
//! inspect what would be drawn. One file per view: [`input`], [`feature`], [`charts`], [`theory`], [`gallery`],
//! [`experiment`].

pub mod charts;
pub mod experiment;
pub mod feature;
pub mod gallery;
pub mod input;
pub mod theory;

use crate::contour::zero_lines;
use crate::geometry::Bounds;
pub use crate::page::PageState;
use ndarray::Array2;

/// The legend's words for the support vectors' rings.
pub const SUPPORT_LABEL: &str = "support vectors";
/// The legend's words for the hatching where the network and the SVM disagree.
pub const DISAGREE_LABEL: &str = "they disagree";
/// The legend's words for points the network misclassifies (marked off the plane).
pub const MISCLASSIFIED_LABEL: &str = "network wrong (ring: its class)";
/// The legend's words for points where the network and the SVM disagree (marked off the plane).
pub const DISPUTED_LABEL: &str = "network ≠ SVM";
/// The legend's words for the arrows of adversarial steps.
pub const ATTACK_LABEL: &str = "adversarial step (nearest points)";
/// The legend's words for the memory of a class-incremental run's arm.
pub const MEMORY_LABEL: &str = "memory rehearsed";

/// Class probabilities on a grid of cells covering a view's bounds (row 0 at the bottom), plus where the
/// network and the SVM disagree. Colours are the renderer's business.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    /// Cells across.
    pub width: usize,
    /// Cells up.
    pub height: usize,
    /// Number of classes K.
    pub classes: usize,
    /// `width · height · K` probabilities, row-major from the bottom row.
    pub probs: Vec<f32>,
    /// Per cell: the network and the SVM predict different classes.
    pub disagree: Vec<bool>,
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
    /// Where the two disagree (hatched).
    Disagreement,
    /// A point the network misclassifies (ringed in the class it predicts).
    Misclassified,
    /// A point where the network and the SVM predict different classes (square).
    Disputed,
    /// An adversarial step: from a point to the nearest input the network classifies otherwise (arrow).
    Attack,
    /// A point a class-incremental run's arm rehearses (diamond).
    Memory,
}

/// A set of polylines drawn in one style.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// What the curve is (sets colour, dash and legend swatch).
    pub kind: Marker,
    /// The polylines, in data coordinates.
    pub lines: Vec<Vec<[f64; 2]>>,
    /// Stroke width in CSS pixels.
    pub width: f64,
    /// Legend text, if the curve has an entry.
    pub label: Option<String>,
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
    /// Per point, the class the network predicts where it differs from the label (drawn as a ring).
    pub misclassified: Vec<Option<usize>>,
    /// Per point, whether the network and the SVM predict different classes (drawn as a square).
    pub disputed: Vec<bool>,
}

/// Everything a 2-D view (input space or feature space) draws.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaneScene {
    /// Title above the plot.
    pub title: String,
    /// Axis names.
    pub axes: (String, String),
    /// The visible rectangle.
    pub bounds: Bounds,
    /// Number of classes.
    pub classes: usize,
    /// Confidence shading of the decision regions, if a model exists.
    pub heatmap: Option<Heatmap>,
    /// Boundaries (network solid, SVM dashed).
    pub curves: Vec<Curve>,
    /// Training points.
    pub train: PointSet,
    /// Test points, if shown.
    pub test: Option<PointSet>,
    /// Indices into `train` of the SVM's support vectors.
    pub support: Vec<usize>,
    /// Indices into `train` of the points a class-incremental run's arm rehearses, marked with diamonds.
    pub memory: Vec<usize>,
    /// A note under the title (e.g. which projection), if any.
    pub note: Option<String>,
    /// One name per class (legends).
    pub class_names: Vec<String>,
    /// Legend entries the view may show later (once measured, while editing): the legend's room is kept
    /// for them, so that the plot does not move under the pointer when they appear.
    pub reserve: Vec<(Marker, String)>,
    /// Whether the room of a note is kept even without one (a note comes and goes while points are edited).
    pub note_reserved: bool,
    /// A small multiple: drawn without legend or note, with a short title.
    pub compact: bool,
}

/// A line on a convergence chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Colour role.
    pub role: SeriesRole,
    /// Dashed stroke.
    pub dashed: bool,
    /// (step, value) points; non-finite values are gaps.
    pub points: Vec<(f64, f64)>,
    /// Drawn as separate dots (a scatter), not a line.
    pub scatter: bool,
}

/// Colour roles of chart series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesRole {
    /// The network / the main quantity (foreground).
    Main,
    /// The SVM (regularised bias).
    Svm,
    /// The free-bias SVM.
    SvmFree,
    /// Test-set quantities.
    Test,
    /// A fourth colour.
    Extra,
    /// A variant of the SVM's line (orange beside its vermillion).
    SvmVariant,
}

/// One chart panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Title.
    pub title: String,
    /// Y-axis unit.
    pub unit: String,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// What the x axis is.
    pub x: XAxis,
    /// The lines.
    pub series: Vec<Series>,
    /// A note written on the chart (a fit's quality, why a panel is empty), if any.
    pub note: Option<String>,
}

/// The x axis of a chart panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum XAxis {
    /// Training steps t on a logarithmic scale.
    #[default]
    LogSteps,
    /// 1/ln t on a linear scale (0 at the right: t → ∞ is where the theory's limit lies).
    InverseLogSteps,
    /// Training steps on a linear scale, over the range of the points.
    Steps,
    /// Values on a linear scale (a scatter's), named by the label.
    Values(&'static str),
}

/// Chart panels in a grid, each with its own axes.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartsScene {
    /// The panels, row by row.
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
    /// Whether each line's newest value is written at its end (one large chart that a class reads from afar).
    pub label_ends: bool,
}

/// The boundary functions of a classifier's scores: for one row, the score itself; for K rows, one function
/// per class, sₖ − max_{j≠k} sⱼ (its zero set is where class k meets another).
pub(crate) fn boundary_functions(scores: &Array2<f64>) -> Vec<Vec<f64>> {
    let k = scores.ncols();
    if k == 1 {
        return vec![scores.column(0).to_vec()];
    }
    (0..k)
        .map(|c| {
            scores
                .rows()
                .into_iter()
                .map(|s| s[c] - (0..k).filter(|&j| j != c).map(|j| s[j]).fold(f64::NEG_INFINITY, f64::max))
                .collect()
        })
        .collect()
}

/// The zero lines of `functions` sampled on a `side × side` grid over `bounds`, as one curve.
pub(crate) fn curves_for(
    kind: Marker,
    functions: &[Vec<f64>],
    side: usize,
    bounds: Bounds,
    width: f64,
    label: &str,
) -> Curve {
    let lines = functions.iter().flat_map(|f| zero_lines(f, side, side, bounds)).collect();
    Curve { kind, lines, width, label: Some(label.to_string()) }
}
