//! A linear classifier on feature vectors: the shape both an SVM and a network's last layer take, so that
//! the comparison, the scenes and the SVM itself score and predict through the same code.
//!
//! One row: f(h) = w·h + b, positive for class 1. K rows: the class with the largest score wₖ·h + bₖ.

use crate::linalg::{argmax, dot};
use ndarray::{Array2, ArrayView2, Axis};

/// Rows of weights (one per score) and one bias per row.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct LinearClassifier {
    /// Weights: rows × feature width.
    pub w: Array2<f64>,
    /// Biases, one per row.
    pub b: Vec<f64>,
}

impl LinearClassifier {
    /// A classifier from its rows and biases (stored row-major whatever `w`'s layout).
    pub fn new(w: Array2<f64>, b: Vec<f64>) -> LinearClassifier {
        LinearClassifier { w: w.as_standard_layout().into_owned(), b }
    }

    /// The same classifier with its K > 1 rows centred (the mean row and mean bias subtracted). Scores shift
    /// by the same amount for every class, so predictions are unchanged; softmax cross-entropy and
    /// Crammer–Singer are both invariant to it, which makes centred rows the right thing to compare.
    pub fn centred(&self) -> LinearClassifier {
        if self.w.nrows() <= 1 {
            return self.clone();
        }
        let mean_w = self.w.mean_axis(Axis(0)).expect("K > 1 rows");
        let mean_b = self.b.iter().sum::<f64>() / self.b.len() as f64;
        LinearClassifier { w: &self.w - &mean_w.insert_axis(Axis(0)), b: self.b.iter().map(|v| v - mean_b).collect() }
    }

    /// Number of rows (1 for a binary classifier).
    pub fn rows(&self) -> usize {
        self.w.nrows()
    }

    /// The feature width.
    pub fn width(&self) -> usize {
        self.w.ncols()
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

    /// Scores of one feature vector into `out` (one value per row).
    pub fn scores_into(&self, h: &[f64], out: &mut [f64]) {
        for ((o, row), b) in out.iter_mut().zip(self.w.rows()).zip(&self.b) {
            *o = dot(row.as_slice().expect("owned weights are contiguous"), h) + b;
        }
    }

    /// Scores of one feature vector.
    pub fn scores(&self, h: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.rows()];
        self.scores_into(h, &mut out);
        out
    }

    /// Scores of many feature vectors (n × rows).
    pub fn scores_of(&self, h: ArrayView2<f64>) -> Array2<f64> {
        let h = h.as_standard_layout();
        let mut out = Array2::zeros((h.nrows(), self.rows()));
        for (row, mut o) in h.rows().into_iter().zip(out.rows_mut()) {
            self.scores_into(row.as_slice().expect("standard layout"), o.as_slice_mut().expect("fresh array"));
        }
        out
    }

    /// The class a row of scores predicts: the sign for one score, the arg-max for several.
    pub fn class_of(scores: &[f64]) -> usize {
        if scores.len() == 1 {
            usize::from(scores[0] > 0.0)
        } else {
            argmax(scores)
        }
    }

    /// The predicted class of one feature vector.
    pub fn predict(&self, h: &[f64]) -> usize {
        LinearClassifier::class_of(&self.scores(h))
    }

    /// The signed distance of the hyperplane from the origin of feature space, −b/‖w‖ (binary only).
    pub fn offset(&self) -> Option<f64> {
        (self.rows() == 1).then(|| -self.b[0] / self.w_norm())
    }

    /// The margin of one labelled point: y·f for one row (y = ±1), the own score minus the best other score
    /// for K rows. Negative when the point is misclassified.
    pub fn point_margin(&self, h: &[f64], label: usize) -> f64 {
        let s = self.scores(h);
        if s.len() == 1 {
            if label == 1 {
                s[0]
            } else {
                -s[0]
            }
        } else {
            let other =
                s.iter().enumerate().filter(|&(k, _)| k != label).map(|(_, &v)| v).fold(f64::NEG_INFINITY, f64::max);
            s[label] - other
        }
    }

    /// The normalised margin minᵢ marginᵢ/‖W‖ (for one row, minᵢ yᵢfᵢ/‖w‖).
    pub fn normalized_margin(&self, features: ArrayView2<f64>, labels: &[usize]) -> f64 {
        let features = features.as_standard_layout();
        let worst = features
            .rows()
            .into_iter()
            .zip(labels)
            .map(|(h, &y)| self.point_margin(h.as_slice().expect("standard layout"), y))
            .fold(f64::INFINITY, f64::min);
        worst / self.w_norm()
    }

    /// Whether every point is strictly on its class's side (margin > 0).
    pub fn separates(&self, features: ArrayView2<f64>, labels: &[usize]) -> bool {
        let features = features.as_standard_layout();
        features
            .rows()
            .into_iter()
            .zip(labels)
            .all(|(h, &y)| self.point_margin(h.as_slice().expect("standard layout"), y) > 0.0)
    }

    /// The classifier restricted to an affine plane of feature space, h = μ + U p (U is width × 2): scores
    /// (Uᵀw)·p + (w·μ + b), so that a 2-D view can draw it exactly.
    pub fn restricted(&self, mu: &[f64], u: &Array2<f64>) -> LinearClassifier {
        let w = self.w.dot(u);
        let b =
            self.b.iter().zip(self.w.rows()).map(|(b, row)| b + dot(row.as_slice().expect("contiguous"), mu)).collect();
        LinearClassifier::new(w, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(h) = h₁ − h₂ + 0.5: (1, 0) scores 1.5 (class 1), (0, 1) scores −0.5 (class 0); the offset is
    /// −0.5/√2 and the normalised margin of those two points min(1.5, 0.5)/√2.
    #[test]
    fn binary_scores_offset_and_margin() {
        let f = LinearClassifier::new(Array2::from_shape_vec((1, 2), vec![1.0, -1.0]).unwrap(), vec![0.5]);
        assert_eq!(f.scores(&[1.0, 0.0]), vec![1.5]);
        assert_eq!(f.predict(&[0.0, 1.0]), 0);
        assert!((f.offset().unwrap() + 0.5 / 2f64.sqrt()).abs() < 1e-15);
        let h = Array2::from_shape_vec((2, 2), vec![1.0, 0.0, 0.0, 1.0]).unwrap();
        assert!((f.normalized_margin(h.view(), &[1, 0]) - 0.5 / 2f64.sqrt()).abs() < 1e-15);
        assert!(f.separates(h.view(), &[1, 0]) && !f.separates(h.view(), &[0, 0]));
    }

    /// Centring K rows subtracts the mean row: rows (1, 0), (0, 1), (2, 2) with biases 0, 3, 0 become
    /// (0, −1), (−1, 0), (1, 1) with biases −1, 2, −1; predictions do not change.
    #[test]
    fn centring_keeps_predictions() {
        let f = LinearClassifier::new(
            Array2::from_shape_vec((3, 2), vec![1.0, 0.0, 0.0, 1.0, 2.0, 2.0]).unwrap(),
            vec![0.0, 3.0, 0.0],
        );
        let c = f.centred();
        assert_eq!(c.w, Array2::from_shape_vec((3, 2), vec![0.0, -1.0, -1.0, 0.0, 1.0, 1.0]).unwrap());
        assert_eq!(c.b, vec![-1.0, 2.0, -1.0]);
        for h in [[0.0, 0.0], [5.0, -1.0], [3.0, 3.0]] {
            assert_eq!(f.predict(&h), c.predict(&h));
        }
    }
}
