//! Optimisers. They see the model only through "parameters and gradients": flat slices per tensor.
//!
//! All are applied to the mean loss (plus ½λ‖W‖² weight decay on weights, not biases):
//! - `gd` / `sgd`: p ← p − η g (the batch size decides which one it is);
//! - `momentum`: v ← 0.9 v + g, p ← p − η v (heavy ball);
//! - `adam`: Kingma & Ba (β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected);
//! - `rmsprop`: s ← 0.9 s + 0.1 g², p ← p − η g / (√s + ε);
//! - `normalized_gd`: p ← p − η g/‖g‖ (global norm), Nacson et al. 2019: on separable data the direction
//!   converges like log t/√t instead of 1/log t;
//! - `loss_normalized_gd`: p ← p − η g/L.
//!
//! A step whose result would not be finite is refused and reported; the parameters keep their last finite
//! values, so a learning rate that explodes the weights never destroys the state.

use super::layer::Tensor;
use super::loss::LossValue;
use super::network::{Gradients, Network};
use serde::{Deserialize, Serialize};

/// The optimisers the page offers.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// Full-batch gradient descent.
    Gd,
    /// Mini-batch stochastic gradient descent.
    Sgd,
    /// Heavy-ball momentum 0.9.
    Momentum,
    /// Adam.
    Adam,
    /// RMSProp.
    Rmsprop,
    /// Gradient descent with the step normalised by the gradient norm.
    NormalizedGd,
    /// Gradient descent with the step normalised by the loss.
    LossNormalizedGd,
}

impl OptimizerKind {
    /// Every optimiser, in the order the page lists them.
    pub const ALL: [OptimizerKind; 7] = [
        OptimizerKind::Gd,
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Adam,
        OptimizerKind::Rmsprop,
        OptimizerKind::NormalizedGd,
        OptimizerKind::LossNormalizedGd,
    ];

    /// A human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            OptimizerKind::Gd => "gradient descent",
            OptimizerKind::Sgd => "SGD (mini-batches)",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Adam => "Adam",
            OptimizerKind::Rmsprop => "RMSProp",
            OptimizerKind::NormalizedGd => "normalised GD (1/‖g‖)",
            OptimizerKind::LossNormalizedGd => "normalised GD (1/loss)",
        }
    }
}

const MOMENTUM: f64 = 0.9;
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const RMS_DECAY: f64 = 0.9;
const EPS: f64 = 1e-8;

/// Why a step was refused.
#[derive(Clone, Debug, PartialEq)]
pub struct Diverged {
    /// What went non-finite.
    pub reason: String,
}

/// An optimiser and its state.
#[derive(Clone, Debug)]
pub struct Optimizer {
    /// Which rule.
    pub kind: OptimizerKind,
    /// Step size η.
    pub learning_rate: f64,
    /// L2 weight decay λ (on weights, not biases).
    pub weight_decay: f64,
    first: Vec<Vec<f64>>,
    second: Vec<Vec<f64>>,
    steps: u64,
    update: Vec<Vec<f64>>,
}

impl Optimizer {
    /// A fresh optimiser (zero state).
    pub fn new(kind: OptimizerKind, learning_rate: f64, weight_decay: f64) -> Optimizer {
        Optimizer {
            kind,
            learning_rate,
            weight_decay,
            first: Vec::new(),
            second: Vec::new(),
            steps: 0,
            update: Vec::new(),
        }
    }

    /// Clears the moment estimates (after the last layer is re-initialised, say).
    pub fn reset(&mut self) {
        self.first.clear();
        self.second.clear();
        self.steps = 0;
    }

    /// Applies one step to layers `from_layer..` of `net` with `grads` (scaled by e^{−loss.log_scale}).
    pub fn step(
        &mut self,
        net: &mut Network,
        grads: &Gradients,
        loss: LossValue,
        from_layer: usize,
    ) -> Result<(), Diverged> {
        self.step_with(net, grads, loss, from_layer, None)
    }

    /// [`Optimizer::step`] with the gradient of a penalty added to the loss's (`extra`, in true units, not
    /// scaled), as weight decay is.
    pub fn step_with(
        &mut self,
        net: &mut Network,
        grads: &Gradients,
        loss: LossValue,
        from_layer: usize,
        extra: Option<&Gradients>,
    ) -> Result<(), Diverged> {
        let tensors = net.trainable(from_layer);
        if self.first.len() != tensors.len()
            || self.first.iter().zip(&tensors).any(|(m, &(l, t))| m.len() != net.tensor(l, t).len())
        {
            self.first = tensors.iter().map(|&(l, t)| vec![0.0; net.tensor(l, t).len()]).collect();
            self.second = self.first.clone();
            self.update = self.first.clone();
            self.steps = 0;
        }
        // The same exp natively and in wasm (std's comes from the platform), so runs agree to the bit.
        let scale = super::fastmath::exp(loss.log_scale);
        let decay = self.weight_decay;
        // The gradient of tensor t at index i, in true units (or, for the normalised rules without decay, in
        // the scaled units that survive underflow: only the direction matters to them).
        let normalised = matches!(self.kind, OptimizerKind::NormalizedGd | OptimizerKind::LossNormalizedGd);
        let keep_scaled = normalised && decay == 0.0 && extra.is_none();
        let grad_at = |net: &Network, l: usize, t: Tensor, i: usize| -> f64 {
            let g = grads.tensor(l, t)[i];
            let g = if keep_scaled { g } else { g * scale };
            let g = match extra {
                Some(e) => g + e.tensor(l, t)[i],
                None => g,
            };
            if t == Tensor::Weights && decay != 0.0 {
                g + decay * net.tensor(l, t)[i]
            } else {
                g
            }
        };
        self.steps += 1;
        let lr = self.learning_rate;
        let factor = match self.kind {
            OptimizerKind::NormalizedGd => {
                // ‖g‖ with scaling, so that neither tiny nor huge gradients under/overflow the squares.
                let mut largest = 0.0f64;
                for &(l, t) in &tensors {
                    for i in 0..net.tensor(l, t).len() {
                        largest = largest.max(grad_at(net, l, t, i).abs());
                    }
                }
                if largest == 0.0 {
                    return Ok(());
                }
                let mut sq = 0.0;
                for &(l, t) in &tensors {
                    for i in 0..net.tensor(l, t).len() {
                        sq += (grad_at(net, l, t, i) / largest).powi(2);
                    }
                }
                lr / (largest * sq.sqrt())
            }
            OptimizerKind::LossNormalizedGd => {
                // L in the same (scaled) units as the gradient.
                let scaled_loss = if keep_scaled {
                    super::fastmath::exp(loss.log10 * std::f64::consts::LN_10 - loss.log_scale)
                } else {
                    loss.value
                };
                if !(scaled_loss > 0.0) {
                    return Ok(());
                }
                lr / scaled_loss
            }
            _ => lr,
        };
        let steps = self.steps as i32;
        for (slot, &(l, t)) in tensors.iter().enumerate() {
            for i in 0..net.tensor(l, t).len() {
                let g = grad_at(net, l, t, i);
                let delta = match self.kind {
                    OptimizerKind::Gd
                    | OptimizerKind::Sgd
                    | OptimizerKind::NormalizedGd
                    | OptimizerKind::LossNormalizedGd => -factor * g,
                    OptimizerKind::Momentum => {
                        let v = &mut self.first[slot][i];
                        *v = MOMENTUM * *v + g;
                        -lr * *v
                    }
                    OptimizerKind::Adam => {
                        let m = &mut self.first[slot][i];
                        *m = BETA1 * *m + (1.0 - BETA1) * g;
                        let v = &mut self.second[slot][i];
                        *v = BETA2 * *v + (1.0 - BETA2) * g * g;
                        let m_hat = self.first[slot][i] / (1.0 - BETA1.powi(steps));
                        let v_hat = self.second[slot][i] / (1.0 - BETA2.powi(steps));
                        -lr * m_hat / (v_hat.sqrt() + EPS)
                    }
                    OptimizerKind::Rmsprop => {
                        let s = &mut self.second[slot][i];
                        *s = RMS_DECAY * *s + (1.0 - RMS_DECAY) * g * g;
                        -lr * g / (s.sqrt() + EPS)
                    }
                };
                self.update[slot][i] = delta;
            }
        }
        // Refuse a step that would leave non-finite (or absurdly large) parameters.
        for (slot, &(l, t)) in tensors.iter().enumerate() {
            for (p, d) in net.tensor(l, t).iter().zip(&self.update[slot]) {
                let next = p + d;
                if !next.is_finite() || next.abs() > 1e150 {
                    return Err(Diverged {
                        reason: format!(
                            "a {} of layer {} would become {next:e}",
                            if t == Tensor::Weights { "weight" } else { "bias" },
                            l + 1
                        ),
                    });
                }
            }
        }
        for (slot, &(l, t)) in tensors.iter().enumerate() {
            for (p, d) in net.tensor_mut(l, t).iter_mut().zip(&self.update[slot]) {
                *p += d;
            }
        }
        Ok(())
    }
}
