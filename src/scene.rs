//! Scenes: plain data describing what a view shows (points, curves, a heatmap, labels), built from the
//! session's state and handed to [`crate::render`]. Keeping this layer free of drawing types lets the page
//! and the command line share one renderer, and lets tests inspect what would be drawn.

use crate::compare::Linear;
use crate::contour::zero_lines;
use crate::data::{Dataset, Split};
use crate::linalg::symmetric_eigen;
use crate::nn::network::argmax;
use crate::session::{grid_points, Metrics, Session};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

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
}

impl PointSet {
    /// The points of `data`, filled or hollow.
    pub fn of(data: &Dataset, hollow: bool) -> PointSet {
        PointSet { points: data.points.clone(), labels: data.labels.clone(), hollow }
    }

    fn from_rows(rows: ArrayView2<f64>, labels: &[usize], hollow: bool) -> PointSet {
        PointSet { points: rows.rows().into_iter().map(|r| [r[0], r[1]]).collect(), labels: labels.to_vec(), hollow }
    }
}

/// Everything a 2-D view (input space or feature space) draws.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaneView {
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
    /// A note under the title (e.g. which projection), if any.
    pub note: Option<String>,
}

/// The view of a data set alone (before any model exists).
pub fn data_view(split: &Split, show_test: bool) -> PlaneView {
    let bounds = Bounds::square_around(split.train.points.iter().chain(&split.test.points), 0.06);
    PlaneView {
        title: "Input space".into(),
        axes: ("x₁".into(), "x₂".into()),
        bounds,
        classes: split.train.classes,
        heatmap: None,
        curves: Vec::new(),
        train: PointSet::of(&split.train, false),
        test: (show_test && !split.test.is_empty()).then(|| PointSet::of(&split.test, true)),
        support: Vec::new(),
        note: None,
    }
}

/// Softmax of a row of scores, as f32 for the heatmap.
fn softmax_into(scores: &[f64], out: &mut Vec<f32>) {
    let m = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = scores.iter().map(|&s| crate::nn::fastmath::exp(s - m)).collect();
    let total: f64 = e.iter().sum();
    out.extend(e.iter().map(|v| (v / total) as f32));
}

/// The boundary functions of a classifier's scores: for one row, the score itself; for K rows, one function
/// per class, sₖ − max_{j≠k} sⱼ (its zero set is where class k meets another).
fn boundary_functions(scores: &Array2<f64>) -> Vec<Vec<f64>> {
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

/// Scores of a linear classifier for rows of features (n × rows of `lin`).
fn linear_scores(lin: &Linear, h: ArrayView2<f64>) -> Array2<f64> {
    let mut s = h.dot(&lin.w.t());
    for (mut row, _) in s.rows_mut().into_iter().zip(0..) {
        for (v, b) in row.iter_mut().zip(&lin.b) {
            *v += b;
        }
    }
    s
}

fn predictions(scores: &Array2<f64>) -> Vec<usize> {
    scores
        .rows()
        .into_iter()
        .map(|r| if r.len() == 1 { usize::from(r[0] > 0.0) } else { argmax(r.as_slice().expect("contiguous")) })
        .collect()
}

fn curves_for(kind: Marker, functions: &[Vec<f64>], side: usize, bounds: Bounds, width: f64, label: &str) -> Curve {
    let lines = functions.iter().flat_map(|f| zero_lines(f, side, side, bounds)).collect();
    Curve { kind, lines, width, label: Some(label.to_string()) }
}

/// The input space: the network's confidence heatmap, its boundary (solid), the regularised-bias SVM's
/// boundary pulled back through the network — the zero set of svm(h(x)) — (dashed), their disagreement
/// (hatched), the points and the support vectors. `grid` cells per side.
pub fn input_view(session: &Session, grid: usize, show_test: bool) -> PlaneView {
    let split = session.split();
    let mut view = data_view(split, show_test);
    view.bounds = session.bounds();
    let net = session.network();
    let points = grid_points(view.bounds, grid);
    let h = net.hidden_features(points.view());
    let out = net.outputs_from_features(h.view());
    let net_lin = Linear::of_network(net);
    let net_scores = linear_scores(&net_lin, h.view());
    let svm = session.fits().regularised.as_ref().map(Linear::of_svm);
    let svm_scores = svm.as_ref().map(|s| linear_scores(s, h.view()));
    let mut probs = Vec::with_capacity(grid * grid * view.classes);
    for row in out.rows() {
        softmax_into(row.as_slice().expect("contiguous"), &mut probs);
    }
    let net_pred = predictions(&net_scores);
    let disagree = match &svm_scores {
        Some(s) => net_pred.iter().zip(predictions(s)).map(|(a, b)| *a != b).collect(),
        None => vec![false; grid * grid],
    };
    view.heatmap = Some(Heatmap { width: grid, height: grid, classes: view.classes, probs, disagree });
    view.curves.push(curves_for(
        Marker::NetworkLine,
        &boundary_functions(&net_scores),
        grid,
        view.bounds,
        2.2,
        "network boundary",
    ));
    if let Some(s) = &svm_scores {
        view.curves.push(curves_for(
            Marker::SvmLine,
            &boundary_functions(s),
            grid,
            view.bounds,
            2.2,
            "SVM on h(x), pulled back",
        ));
        view.curves.push(Curve {
            kind: Marker::Disagreement,
            lines: Vec::new(),
            width: 0.0,
            label: Some("they disagree".into()),
        });
        view.support = session.fits().regularised.as_ref().map(|m| m.support.clone()).unwrap_or_default();
    }
    view
}

/// How feature spaces wider than 2 are shown.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Projection {
    /// Onto the SVM's normal and the part of the network's direction orthogonal to it (two classes; the
    /// SVM's boundary is then exact for every point and the angle between the lines is the true angle).
    #[default]
    SvmNetwork,
    /// Onto the two leading principal components of the training features.
    Pca,
}

/// The feature space: h(x) of the points (projected to 2-D if wider), the last layer's boundary (solid), the
/// SVM's (dashed) with its margin lines, support vectors ringed, and the network's confidence.
pub fn feature_view(session: &Session, projection: Projection, grid: usize, show_test: bool) -> PlaneView {
    let split = session.split();
    let net = session.network();
    let train_h = session.features().to_owned();
    let test_h = net.hidden_features(split.test.matrix().view());
    let width = train_h.ncols();
    let classes = split.train.classes;
    let net_lin = Linear::of_network(net);
    let svm_model = session.fits().regularised.as_ref();
    let svm = svm_model.map(Linear::of_svm);
    // An affine map p ↦ μ + U p from the 2-D view into feature space (U has orthonormal columns).
    let (mu, u, note) = plane_for(&train_h, &net_lin, svm.as_ref(), projection);
    let project = |h: &Array2<f64>| -> Array2<f64> {
        let centred = h - &mu.view().insert_axis(ndarray::Axis(0));
        centred.dot(&u)
    };
    let train_p = project(&train_h);
    let test_p = project(&test_h);
    let all: Vec<[f64; 2]> = train_p.rows().into_iter().chain(test_p.rows()).map(|r| [r[0], r[1]]).collect();
    let bounds = Bounds::square_around(all.iter(), 0.12);
    // A linear classifier restricted to the plane: w·(μ + U p) + b = (Uᵀw)·p + (w·μ + b).
    let restrict = |lin: &Linear| -> Linear {
        let w = lin.w.dot(&u);
        let b = lin.b.iter().zip(lin.w.rows()).map(|(b, row)| b + row.dot(&mu)).collect();
        Linear { w, b }
    };
    let points = grid_points(bounds, grid);
    let net_plane = restrict(&net_lin);
    let net_scores = linear_scores(&net_plane, points.view());
    // The network's own class scores on the plane, for its confidence.
    let (w_l, b_l) = net.last_layer();
    let out_plane =
        Linear { w: w_l.t().dot(&u), b: b_l.iter().zip(w_l.columns()).map(|(b, col)| b + col.dot(&mu)).collect() };
    let out = linear_scores(&out_plane, points.view());
    let mut probs = Vec::with_capacity(grid * grid * classes);
    for row in out.rows() {
        softmax_into(row.as_slice().expect("contiguous"), &mut probs);
    }
    let svm_plane = svm.as_ref().map(restrict);
    let svm_scores = svm_plane.as_ref().map(|s| linear_scores(s, points.view()));
    let net_pred = predictions(&net_scores);
    let disagree = match &svm_scores {
        Some(s) => net_pred.iter().zip(predictions(s)).map(|(a, b)| *a != b).collect(),
        None => vec![false; grid * grid],
    };
    let mut curves =
        vec![curves_for(Marker::NetworkLine, &boundary_functions(&net_scores), grid, bounds, 2.2, "last layer")];
    if let Some(s) = &svm_scores {
        curves.push(curves_for(Marker::SvmLine, &boundary_functions(s), grid, bounds, 2.2, "SVM"));
        curves.push(Curve {
            kind: Marker::Disagreement,
            lines: Vec::new(),
            width: 0.0,
            label: Some("they disagree".into()),
        });
        if s.ncols() == 1 {
            let plus: Vec<f64> = s.column(0).iter().map(|v| v - 1.0).collect();
            let minus: Vec<f64> = s.column(0).iter().map(|v| v + 1.0).collect();
            curves.push(curves_for(Marker::SvmMargin, &[plus, minus], grid, bounds, 1.2, "SVM margin"));
        }
    }
    let axes = if width <= 2 && note.is_none() {
        ("h₁".to_string(), "h₂".to_string())
    } else {
        ("p₁".to_string(), "p₂".to_string())
    };
    PlaneView {
        title: format!("Feature space (last hidden layer, width {width})"),
        axes,
        bounds,
        classes,
        heatmap: Some(Heatmap { width: grid, height: grid, classes, probs, disagree }),
        curves,
        train: PointSet::from_rows(train_p.view(), &split.train.labels, false),
        test: (show_test && test_p.nrows() > 0).then(|| PointSet::from_rows(test_p.view(), &split.test.labels, true)),
        support: svm_model.map(|m| m.support.clone()).unwrap_or_default(),
        note,
    }
}

/// The plane a feature view shows: the identity for width 2; for width 1 the h axis with a unit second axis
/// (all points on it); wider, the chosen projection.
fn plane_for(
    h: &Array2<f64>,
    net: &Linear,
    svm: Option<&Linear>,
    projection: Projection,
) -> (ndarray::Array1<f64>, Array2<f64>, Option<String>) {
    let d = h.ncols();
    if d == 2 {
        return (ndarray::Array1::zeros(2), Array2::eye(2), None);
    }
    if d == 1 {
        // A 1-D feature space: show h along x; the vertical axis carries nothing.
        let u = Array2::from_shape_vec((1, 2), vec![1.0, 0.0]).expect("1 × 2");
        return (ndarray::Array1::zeros(1), u, Some("1-D features: h along the horizontal axis".into()));
    }
    let mu = h.mean_axis(ndarray::Axis(0)).expect("points exist");
    let unit = |v: ndarray::Array1<f64>| -> Option<ndarray::Array1<f64>> {
        let n = v.dot(&v).sqrt();
        (n > 1e-12 && n.is_finite()).then(|| v / n)
    };
    if projection == Projection::SvmNetwork && net.w.nrows() == 1 {
        if let Some(svm) = svm {
            if let Some(u1) = unit(svm.w.row(0).to_owned()) {
                let wn = net.w.row(0).to_owned();
                let u2 = unit(&wn - &(&u1 * wn.dot(&u1))).or_else(|| pca_axes(h, &mu).map(|p| p.column(0).to_owned()));
                if let Some(u2) = u2 {
                    let mut u = Array2::zeros((d, 2));
                    u.column_mut(0).assign(&u1);
                    u.column_mut(1).assign(&u2);
                    return (
                        mu,
                        u,
                        Some(
                            "projected on the SVM normal (p₁) and the network's orthogonal part (p₂), through the mean"
                                .into(),
                        ),
                    );
                }
            }
        }
    }
    let u = pca_axes(h, &mu).unwrap_or_else(|| {
        let mut u = Array2::zeros((d, 2));
        u[[0, 0]] = 1.0;
        u[[1, 1]] = 1.0;
        u
    });
    (mu, u, Some("projected on the two leading principal components, through the mean".into()))
}

fn pca_axes(h: &Array2<f64>, mu: &ndarray::Array1<f64>) -> Option<Array2<f64>> {
    let d = h.ncols();
    let centred = h - &mu.view().insert_axis(ndarray::Axis(0));
    let cov = centred.t().dot(&centred);
    let (values, vectors) = symmetric_eigen(cov.as_slice().expect("owned, contiguous"), d, 2);
    if values.len() < 2 || !(values[0] > 0.0) {
        return None;
    }
    let mut u = Array2::zeros((d, 2));
    for (c, v) in vectors.iter().enumerate() {
        for (r, x) in v.iter().enumerate() {
            u[[r, c]] = *x;
        }
    }
    Some(u)
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
    /// The lines.
    pub series: Vec<Series>,
}

/// The convergence charts: panels sharing a logarithmic step axis.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartsView {
    /// The panels, top to bottom.
    pub panels: Vec<Panel>,
}

fn series(history: &[Metrics], label: &str, role: SeriesRole, dashed: bool, f: impl Fn(&Metrics) -> f64) -> Series {
    // The step axis is logarithmic: step 0 (the initial state) has no place on it.
    Series {
        label: label.into(),
        role,
        dashed,
        points: history.iter().filter(|m| m.step > 0).map(|m| (m.step as f64, f(m))).collect(),
    }
}

/// The chart panels the page and the figures show, from a history (plus the live point, if any).
pub fn charts(history: &[Metrics]) -> ChartsView {
    let free_shown = history.iter().any(|m| m.angle_wb_free_deg.is_finite());
    let mut angle = vec![
        series(history, "angle of [w; b] to the SVM", SeriesRole::Main, false, |m| m.angle_wb_deg),
        series(history, "angle of w to the SVM", SeriesRole::Svm, true, |m| m.angle_w_deg),
    ];
    if free_shown {
        angle.push(series(history, "[w; b] to the free-bias SVM", SeriesRole::SvmFree, true, |m| m.angle_wb_free_deg));
    }
    let binary = history.iter().any(|m| m.offset_net.is_finite());
    let mut geometry = vec![
        series(history, "network margin", SeriesRole::Main, false, |m| m.margin_net),
        series(history, "SVM margin", SeriesRole::Svm, true, |m| m.margin_svm),
    ];
    if binary {
        geometry.push(series(history, "network offset −b/‖w‖", SeriesRole::Test, false, |m| m.offset_net));
        geometry.push(series(history, "SVM offset", SeriesRole::Extra, true, |m| m.offset_svm));
    }
    ChartsView {
        panels: vec![
            Panel {
                title: "Angle between the last layer and the SVM".into(),
                unit: "degrees".into(),
                log_y: true,
                series: angle,
            },
            Panel {
                title: "Loss".into(),
                unit: "log₁₀ loss".into(),
                log_y: false,
                series: vec![
                    series(history, "training loss", SeriesRole::Main, false, |m| m.log10_loss_train),
                    series(history, "test loss", SeriesRole::Test, true, |m| m.loss_test.log10()),
                ],
            },
            Panel {
                title: "Margins and offsets in feature space".into(),
                unit: "feature units".into(),
                log_y: false,
                series: geometry,
            },
            Panel {
                title: "Accuracy, agreement and ‖W_L‖".into(),
                unit: "share / norm".into(),
                log_y: false,
                series: vec![
                    series(history, "train accuracy", SeriesRole::Main, false, |m| m.acc_train),
                    series(history, "test accuracy", SeriesRole::Test, true, |m| m.acc_test),
                    series(history, "agreement on the plane", SeriesRole::Svm, false, |m| m.agree_grid),
                    series(history, "‖W_L‖ / 10", SeriesRole::Extra, false, |m| m.last_layer_norm / 10.0),
                ],
            },
        ],
    }
}
