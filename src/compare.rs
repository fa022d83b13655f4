//! The comparison between the network's last layer and an SVM on the same hidden features — the heart of
//! the page. Pure functions of weights and features.
//!
//! With two classes the network's classifier is Δw = w₁ − w₀, Δb = b₁ − b₀ (softmax depends only on the
//! difference). With K classes it is the class-centred matrix Wₖ − mean(W) (softmax is invariant to adding
//! the same vector to every class), which is what Crammer–Singer's weights are too (Σₖ wₖ = 0 at its
//! optimum) — the limit Soudry et al. (2018, §4) prove for softmax cross-entropy.

use crate::nn::Network;
use crate::svm::{LinearClassifier, SvmModel};
use ndarray::{ArrayView2, Axis};

/// The network's last layer as a classifier: Δw = w₁ − w₀, Δb = b₁ − b₀ for two classes, the
/// class-centred rows for K.
pub fn network_classifier(net: &Network) -> LinearClassifier {
    let (w, b) = net.head();
    if w.nrows() == 2 {
        let dw = &w.row(1) - &w.row(0);
        LinearClassifier::new(dw.insert_axis(Axis(0)), vec![b[1] - b[0]])
    } else {
        LinearClassifier::new(w, b).centred()
    }
}

/// An SVM's classifier, class-centred when it has K rows (Crammer–Singer's already are).
pub fn svm_classifier(model: &SvmModel) -> LinearClassifier {
    model.linear.centred()
}

/// The angle between the network's and an SVM's directions, for w alone and for the augmented [w; b].
pub fn angles(net: &LinearClassifier, svm: &LinearClassifier) -> (f64, f64) {
    (angle_deg(&net.w_flat(), &svm.w_flat()), angle_deg(&net.wb_flat(), &svm.wb_flat()))
}

/// The normalised margin of a classifier on labelled features (see [`LinearClassifier::normalized_margin`]).
pub fn margin(lin: &LinearClassifier, features: ArrayView2<f64>, labels: &[usize]) -> f64 {
    lin.normalized_margin(features, labels)
}

/// The angle between two vectors in degrees, accurate for tiny angles (2·asin(‖â − b̂‖/2) rather than
/// acos, which loses half the digits near 0). NaN if either is zero.
pub fn angle_deg(a: &[f64], b: &[f64]) -> f64 {
    let na = a.iter().map(|v| v * v).sum::<f64>().sqrt();
    let nb = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 || !na.is_finite() || !nb.is_finite() {
        return f64::NAN;
    }
    let d = a.iter().zip(b).map(|(p, q)| (p / na - q / nb).powi(2)).sum::<f64>().sqrt();
    // libm's asin: the same bits natively and in wasm (std's comes from the platform).
    (2.0 * libm::asin((d / 2.0).min(1.0))).to_degrees()
}

/// Share of points on which two per-point predictions agree.
pub fn agreement(a: &[usize], b: &[usize]) -> f64 {
    if a.is_empty() {
        return f64::NAN;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

/// Per-example weight in the cross-entropy gradient, 1 − p_y = Σ_{k≠y} pₖ (formed without cancellation),
/// from the network's output scores.
pub fn gradient_weights(outputs: ndarray::ArrayView2<f64>, labels: &[usize]) -> Vec<f64> {
    outputs
        .rows()
        .into_iter()
        .zip(labels)
        .map(|(row, &y)| {
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = row.iter().map(|&o| crate::nn::fastmath::exp(o - m)).sum();
            row.iter().enumerate().filter(|&(k, _)| k != y).map(|(_, &o)| crate::nn::fastmath::exp(o - m) / sum).sum()
        })
        .collect()
}

/// Share of the support vectors that are among the |SV| training points with the largest gradient weight
/// (the paper's "support vectors are the highest-loss points", measured). NaN without support vectors.
pub fn support_overlap(support: &[usize], weights: &[f64]) -> f64 {
    if support.is_empty() {
        return f64::NAN;
    }
    let top: std::collections::HashSet<usize> = top_indices(weights, support.len()).into_iter().collect();
    support.iter().filter(|i| top.contains(i)).count() as f64 / support.len() as f64
}

/// The indices of the `count` largest weights, largest first (ties by index).
pub fn top_indices(weights: &[f64], count: usize) -> Vec<usize> {
    let mut order = crate::order::argsort(weights.len(), |i| -weights[i]);
    order.truncate(count);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known angles: 90° between the axes, 45° to the diagonal, and 1e-7 rad resolved where acos would
    /// return 0.
    #[test]
    fn angles_are_accurate() {
        assert!((angle_deg(&[1.0, 0.0], &[0.0, 2.0]) - 90.0).abs() < 1e-12);
        assert!((angle_deg(&[1.0, 0.0], &[3.0, 3.0]) - 45.0).abs() < 1e-12);
        let tiny = angle_deg(&[1.0, 0.0], &[1.0, 1e-7]);
        assert!((tiny - 1e-7f64.to_degrees()).abs() < 1e-18, "{tiny}");
        assert!(angle_deg(&[0.0, 0.0], &[1.0, 0.0]).is_nan());
    }

    /// Support vectors {2, 5} against gradient weights whose top two are points 5 and 1: overlap ½.
    #[test]
    fn overlap_counts_shared_points() {
        let w = [0.1, 0.5, 0.2, 0.0, 0.05, 0.9];
        assert_eq!(support_overlap(&[2, 5], &w), 0.5);
        assert_eq!(support_overlap(&[1, 5], &w), 1.0);
    }
}
