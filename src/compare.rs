//! The comparison between the network's last layer and an SVM on the same hidden features — the heart of
//! the page. Pure functions of weights and features.
//!
//! With two classes the network's classifier is Δw = w₁ − w₀, Δb = b₁ − b₀ (softmax depends only on the
//! difference). With K classes it is the class-centred matrix Wₖ − mean(W) (softmax is invariant to adding
//! the same vector to every class), which is what Crammer–Singer's weights are too (Σₖ wₖ = 0 at its
//! optimum) — the limit Soudry et al. (2018, §4) prove for softmax cross-entropy.

use crate::nn::Network;
use crate::svm::SvmModel;
use ndarray::{Array2, ArrayView2};

/// A linear classifier on features: rows of weights and one bias per row. One row: f = w·h + b > 0 means
/// class 1. K rows: arg-max of the scores.
#[derive(Clone, Debug, PartialEq)]
pub struct Linear {
    /// Weights (rows × feature width).
    pub w: Array2<f64>,
    /// Biases (one per row).
    pub b: Vec<f64>,
}

impl Linear {
    /// The network's last layer as a classifier (Δw for two classes, class-centred for K).
    pub fn of_network(net: &Network) -> Linear {
        let (w, b) = net.last_layer();
        let k = w.ncols();
        if k == 2 {
            let dw = &w.column(1) - &w.column(0);
            Linear { w: dw.insert_axis(ndarray::Axis(0)).to_owned(), b: vec![b[1] - b[0]] }
        } else {
            let wt = w.t().to_owned();
            let mean_w = wt.mean_axis(ndarray::Axis(0)).expect("K > 0 rows");
            let mean_b = b.mean().expect("K > 0");
            Linear { w: &wt - &mean_w.insert_axis(ndarray::Axis(0)), b: b.iter().map(|v| v - mean_b).collect() }
        }
    }

    /// An SVM's weights, class-centred when it has K rows (Crammer–Singer's already are).
    pub fn of_svm(model: &SvmModel) -> Linear {
        let c = model.linear.centred();
        Linear { w: c.w, b: c.b }
    }

    /// The weights flattened (the direction "w").
    pub fn w_flat(&self) -> Vec<f64> {
        self.w.iter().copied().collect()
    }

    /// Weights and biases flattened (the augmented direction "[w; b]").
    pub fn wb_flat(&self) -> Vec<f64> {
        self.w.iter().copied().chain(self.b.iter().copied()).collect()
    }

    /// Frobenius norm of the weights.
    pub fn w_norm(&self) -> f64 {
        self.w.iter().map(|v| v * v).sum::<f64>().sqrt()
    }

    /// Scores of one feature vector (one value for a binary classifier).
    pub fn scores(&self, h: &[f64]) -> Vec<f64> {
        self.w
            .rows()
            .into_iter()
            .zip(&self.b)
            .map(|(row, b)| row.iter().zip(h).map(|(a, x)| a * x).sum::<f64>() + b)
            .collect()
    }

    /// The predicted class of one feature vector.
    pub fn predict(&self, h: &[f64]) -> usize {
        let s = self.scores(h);
        if s.len() == 1 {
            usize::from(s[0] > 0.0)
        } else {
            crate::nn::network::argmax(&s)
        }
    }

    /// The signed distance of the hyperplane from the origin of feature space, −b/‖w‖ (binary only).
    pub fn offset(&self) -> Option<f64> {
        (self.w.nrows() == 1).then(|| -self.b[0] / self.w_norm())
    }

    /// The normalised margin minᵢ (score of yᵢ minus the best other score)/‖W‖ — for one row, minᵢ yᵢfᵢ/‖w‖.
    /// Negative when some point is misclassified.
    pub fn normalised_margin(&self, features: ArrayView2<f64>, labels: &[usize]) -> f64 {
        let norm = self.w_norm();
        let mut worst = f64::INFINITY;
        for (h, &y) in features.rows().into_iter().zip(labels) {
            let s = self.scores(h.as_slice().expect("feature rows are contiguous"));
            let m = if s.len() == 1 {
                if y == 1 {
                    s[0]
                } else {
                    -s[0]
                }
            } else {
                let other =
                    s.iter().enumerate().filter(|&(k, _)| k != y).map(|(_, &v)| v).fold(f64::NEG_INFINITY, f64::max);
                s[y] - other
            };
            worst = worst.min(m);
        }
        worst / norm
    }
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
    (2.0 * (d / 2.0).min(1.0).asin()).to_degrees()
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
pub fn gradient_weights(outputs: ArrayView2<f64>, labels: &[usize]) -> Vec<f64> {
    outputs
        .rows()
        .into_iter()
        .zip(labels)
        .map(|(row, &y)| {
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = row.iter().map(|&o| (o - m).exp()).sum();
            row.iter().enumerate().filter(|&(k, _)| k != y).map(|(_, &o)| (o - m).exp() / sum).sum()
        })
        .collect()
}

/// Share of the support vectors that are among the |SV| training points with the largest gradient weight
/// (the paper's "support vectors are the highest-loss points", measured). NaN without support vectors.
pub fn support_overlap(support: &[usize], weights: &[f64]) -> f64 {
    if support.is_empty() {
        return f64::NAN;
    }
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
    let top: std::collections::HashSet<usize> = order.into_iter().take(support.len()).collect();
    support.iter().filter(|i| top.contains(i)).count() as f64 / support.len() as f64
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
