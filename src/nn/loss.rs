//! Losses on the network's outputs and their gradients, exact in the regime the theory is about: the
//! training loss far below machine epsilon.
//!
//! **Softmax cross-entropy.** ℓᵢ = log Σₖ e^{oₖ} − o_y, computed as log1p(Σ_{k≠y} e^{oₖ − o_y}) when y has
//! the largest score (accurate down to the smallest double) and by log-sum-exp otherwise. Its gradient
//! ∂ℓ/∂oₖ = pₖ − [k = y] is formed without cancellation: pₖ for k ≠ y directly, and p_y − 1 = −Σ_{k≠y} pₖ
//! (in floating point 1 − p_y is exactly 0 once p_y rounds to 1, at a loss near 1e-16, and training would
//! silently stop). When every point is classified with a huge margin even pₖ ≈ e^{−margin} underflows
//! (margin ≳ 745); the gradient is then returned multiplied by e^{−c} (c < 0 the largest score gap oₖ − o_y of
//! a wrong class, which bounds every wrong class's log-probability) with `log_scale = c`, so that normalised
//! optimisers keep their direction forever.
//!
//! **Mean squared error** on the raw outputs against one-hot targets, ℓᵢ = ½ Σₖ (oₖ − [k = y])²: the
//! counter-example whose last layer does not become an SVM.

use super::fastmath::exp;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Which loss trains the network.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Softmax cross-entropy (the theory's loss).
    CrossEntropy,
    /// Mean squared error against one-hot targets.
    Mse,
}

impl LossKind {
    /// Every training loss, in the order the page lists them.
    pub const ALL: [LossKind; 2] = [LossKind::CrossEntropy, LossKind::Mse];

    /// A human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            LossKind::CrossEntropy => "cross-entropy",
            LossKind::Mse => "squared error",
        }
    }
}

/// A loss value that stays meaningful below the smallest double.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LossValue {
    /// The mean loss (may underflow to 0 when `log10` is below −308).
    pub value: f64,
    /// log₁₀ of the mean loss (finite even when `value` underflows; −∞ only for an exact zero).
    pub log10: f64,
    /// The gradient written by [`loss_gradient`] is the true gradient times e^{−log_scale}.
    pub log_scale: f64,
}

/// The mean loss of `outputs` (n × K) against `labels`, without keeping the gradient.
pub fn value_of(kind: LossKind, outputs: ArrayView2<f64>, labels: &[usize]) -> LossValue {
    let mut scratch = Array2::zeros(outputs.dim());
    loss_gradient(kind, outputs, labels, &mut scratch)
}

/// Computes the mean loss over the rows of `outputs` (n × K) and writes ∂(mean loss)/∂outputs, scaled by
/// e^{−log_scale}, into `grad` (n × K).
pub fn loss_gradient(kind: LossKind, outputs: ArrayView2<f64>, labels: &[usize], grad: &mut Array2<f64>) -> LossValue {
    let (n, k_n) = outputs.dim();
    let inv_n = 1.0 / n as f64;
    match kind {
        LossKind::Mse => {
            let mut total = 0.0;
            for i in 0..n {
                for k in 0..k_n {
                    let r = outputs[[i, k]] - if k == labels[i] { 1.0 } else { 0.0 };
                    total += 0.5 * r * r;
                    grad[[i, k]] = r * inv_n;
                }
            }
            let value = total * inv_n;
            LossValue { value, log10: libm::log10(value), log_scale: 0.0 }
        }
        LossKind::CrossEntropy => {
            // c = the largest score gap oₖ − o_y of a wrong class over all points: an upper bound on the largest
            // log-probability of a wrong class (log pₖ = oₖ − logΣe^o ≤ oₖ − o_y), negative when all are right.
            let mut c = f64::NEG_INFINITY;
            for i in 0..n {
                let row = outputs.row(i);
                let y = labels[i];
                for k in 0..k_n {
                    if k != y {
                        c = c.max(row[k] - row[y]);
                    }
                }
            }
            // Rescale only when the gradient would otherwise lose its smallest entries to underflow.
            let log_scale = if c < -600.0 { c } else { 0.0 };
            // Sum of per-point losses as Σ (scaled) with the scale factored out: loss = e^{log_scale} · s.
            let mut scaled_sum = 0.0;
            let mut plain_sum = 0.0;
            for i in 0..n {
                let row = outputs.row(i);
                let y = labels[i];
                let oy = row[y];
                let y_is_max = row.iter().enumerate().all(|(k, &o)| k == y || o <= oy);
                if y_is_max {
                    // pₖ = e^{oₖ−o_y} / (1 + Σ_{j≠y} e^{oⱼ−o_y});  ℓ = log1p(Σ_{j≠y} e^{oⱼ−o_y}).
                    let mut tail = 0.0;
                    let mut tail_scaled = 0.0;
                    for k in 0..k_n {
                        if k != y {
                            tail += exp(row[k] - oy);
                            tail_scaled += exp(row[k] - oy - log_scale);
                        }
                    }
                    let denom = 1.0 + tail;
                    let mut wrong = 0.0;
                    for k in 0..k_n {
                        if k != y {
                            let p = exp(row[k] - oy - log_scale) / denom;
                            grad[[i, k]] = p * inv_n;
                            wrong += p;
                        }
                    }
                    grad[[i, y]] = -wrong * inv_n;
                    plain_sum += libm::log1p(tail);
                    // For tiny tails log1p(t) = t(1 − t/2 + …): keep the scaled value for the log-loss.
                    scaled_sum += if tail < 1e-8 {
                        tail_scaled * (1.0 - 0.5 * tail)
                    } else {
                        libm::log1p(tail) * exp(-log_scale)
                    };
                } else {
                    let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let sum: f64 = row.iter().map(|&o| exp(o - m)).sum();
                    let mut wrong = 0.0;
                    for k in 0..k_n {
                        if k != y {
                            let p = exp(row[k] - m) / sum;
                            grad[[i, k]] = p * inv_n;
                            wrong += p;
                        }
                    }
                    grad[[i, y]] = -wrong * inv_n;
                    let l = m + libm::log(sum) - oy;
                    plain_sum += l;
                    scaled_sum += l; // log_scale is 0 whenever a point is misclassified
                }
            }
            let value = plain_sum * inv_n;
            let log10 = if scaled_sum > 0.0 {
                libm::log10(scaled_sum * inv_n) + log_scale / std::f64::consts::LN_10
            } else {
                f64::NEG_INFINITY
            };
            LossValue { value, log10, log_scale }
        }
    }
}
