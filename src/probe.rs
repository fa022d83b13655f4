//! The network and the SVM evaluated together on a grid of a plane through input space: the network's class
//! probabilities (for the confidence shading), both classifiers' scores on the hidden features (for the
//! boundaries) and both predictions (for the disagreement and the agreement metric). One function serves
//! the agreement metric of a measurement and the input views of the page and the figures.

use crate::compare::network_classifier;
use crate::data::Standardizer;
use crate::geometry::{grid_points, Bounds, Plane};
use crate::nn::Network;
use crate::svm::LinearClassifier;
use ndarray::{Array2, ArrayView2};

/// The evaluation of a `side × side` grid (cells row-major from the bottom-left).
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// Cells per side.
    pub side: usize,
    /// Classes K.
    pub classes: usize,
    /// side² · K softmax probabilities of the network.
    pub probs: Vec<f32>,
    /// The network's comparison classifier (Δw or class-centred) on the cells' hidden features.
    pub net_scores: Array2<f64>,
    /// The SVM's scores on the same features, if there is an SVM.
    pub svm_scores: Option<Array2<f64>>,
    /// The network's prediction per cell.
    pub net_pred: Vec<usize>,
    /// The SVM's prediction per cell.
    pub svm_pred: Option<Vec<usize>>,
}

/// Softmax of a row of scores, as f32.
pub fn softmax_into(scores: &[f64], out: &mut Vec<f32>) {
    let m = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = scores.iter().map(|&s| crate::nn::fastmath::exp(s - m)).collect();
    let total: f64 = e.iter().sum();
    out.extend(e.iter().map(|v| (v / total) as f32));
}

/// The predictions of a score matrix: the sign of one column, the arg-max of several.
pub fn predictions(scores: ArrayView2<f64>) -> Vec<usize> {
    scores.rows().into_iter().map(|r| LinearClassifier::class_of(&r.to_vec())).collect()
}

/// Evaluates `net` (which sees inputs through `standardizer`) and `svm` (on its hidden features) on a
/// `side × side` grid over `bounds` of `plane` (a plane of the raw input space).
pub fn probe(
    net: &Network,
    standardizer: &Standardizer,
    plane: &Plane,
    bounds: Bounds,
    side: usize,
    svm: Option<&LinearClassifier>,
) -> Probe {
    let cells = grid_points(bounds, side);
    let inputs = standardizer.apply(plane.lift_rows(cells.view()).view());
    let h = net.hidden_features(inputs.view());
    let out = net.outputs_from_features(h.view());
    let classes = out.ncols();
    let mut probs = Vec::with_capacity(side * side * classes);
    for row in out.rows() {
        softmax_into(&row.to_vec(), &mut probs);
    }
    let net_scores = network_classifier(net).scores_of(h.view());
    let svm_scores = svm.map(|s| s.scores_of(h.view()));
    let net_pred = predictions(net_scores.view());
    let svm_pred = svm_scores.as_ref().map(|s| predictions(s.view()));
    Probe { side, classes, probs, net_scores, svm_scores, net_pred, svm_pred }
}

impl Probe {
    /// Share of cells where the two predict the same class (NaN without an SVM).
    pub fn agreement(&self) -> f64 {
        match &self.svm_pred {
            Some(s) => crate::compare::agreement(&self.net_pred, s),
            None => f64::NAN,
        }
    }

    /// Per cell: whether the two disagree.
    pub fn disagreement(&self) -> Vec<bool> {
        match &self.svm_pred {
            Some(s) => self.net_pred.iter().zip(s).map(|(a, b)| a != b).collect(),
            None => vec![false; self.net_pred.len()],
        }
    }
}
