//! Hidden-layer activations and their derivatives, written to stay finite for any finite input (saturated
//! sigmoids and tanhs return exact 0/1 slopes instead of NaN; exponentials are taken of non-positive numbers).

use super::fastmath;
use serde::{Deserialize, Serialize};

/// The activations the page offers (the paper tried square, relu, softsign, tanh, selu and leaky relu).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// max(0, z).
    Relu,
    /// z for z > 0, 0.01 z otherwise.
    LeakyRelu,
    /// tanh z.
    Tanh,
    /// 1 / (1 + e^−z).
    Sigmoid,
    /// z / (1 + |z|).
    Softsign,
    /// Scaled exponential linear unit (Klambauer et al. 2017).
    Selu,
    /// z² (the paper's final choice).
    Square,
    /// z.
    Linear,
}

const LEAK: f64 = 0.01;
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// max(z, 0), with NaN and −0 mapped to +0.
#[inline(always)]
fn relu(z: f64) -> f64 {
    if z > 0.0 {
        z
    } else {
        0.0
    }
}

impl Activation {
    /// Every activation, in the order the page lists them.
    pub const ALL: [Activation; 8] = [
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Softsign,
        Activation::Selu,
        Activation::Square,
        Activation::Linear,
    ];

    /// A human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Softsign => "softsign",
            Activation::Selu => "selu",
            Activation::Square => "square",
            Activation::Linear => "linear",
        }
    }

    /// Whether the activation saturates (flat for large |z|), so that units can stop learning.
    pub fn saturates(self) -> bool {
        matches!(self, Activation::Tanh | Activation::Sigmoid | Activation::Softsign)
    }

    /// f(z).
    #[inline]
    pub fn apply(self, z: f64) -> f64 {
        match self {
            // Not `z.max(0.0)`: WebAssembly's f64.max propagates NaN where Rust's max does not, so `max` compiles
            // to a call of libm's `fmax` there (a third of a step of the 2000-wide network). The comparison
            // gives the same numbers (NaN and −0 give +0) as one select, which vectorises.
            Activation::Relu => relu(z),
            Activation::LeakyRelu => {
                if z > 0.0 {
                    z
                } else {
                    LEAK * z
                }
            }
            Activation::Tanh => fastmath::tanh(z),
            Activation::Sigmoid => fastmath::sigmoid(z),
            Activation::Softsign => z / (1.0 + z.abs()),
            Activation::Selu => {
                if z > 0.0 {
                    SELU_SCALE * z
                } else {
                    SELU_SCALE * SELU_ALPHA * fastmath::expm1(z)
                }
            }
            Activation::Square => z * z,
            Activation::Linear => z,
        }
    }

    /// a = f(z) over a slice, with the choice of function made once (so each loop is tight and vectorises).
    pub fn apply_slice(self, z: &[f64], a: &mut [f64]) {
        macro_rules! each {
            ($f:expr) => {
                for (ai, &zi) in a.iter_mut().zip(z) {
                    *ai = $f(zi);
                }
            };
        }
        match self {
            Activation::Relu => each!(relu),
            Activation::Tanh => each!(fastmath::tanh),
            Activation::Linear => a.copy_from_slice(z),
            Activation::Square => each!(|v: f64| v * v),
            other => each!(|v| other.apply(v)),
        }
    }

    /// d ← d · f′(z) over slices (backpropagation through the activation), given z and a = f(z).
    pub fn backprop_slice(self, z: &[f64], a: &[f64], d: &mut [f64]) {
        match self {
            Activation::Relu => {
                // A select, not a branch: the loop vectorises.
                for (di, &zi) in d.iter_mut().zip(z) {
                    *di = if zi <= 0.0 { 0.0 } else { *di };
                }
            }
            Activation::Linear => {}
            Activation::Tanh => {
                for (di, &ai) in d.iter_mut().zip(a) {
                    *di *= 1.0 - ai * ai;
                }
            }
            other => {
                for ((di, &zi), &ai) in d.iter_mut().zip(z).zip(a) {
                    *di *= other.derivative(zi, ai);
                }
            }
        }
    }

    /// f′(z), given z and a = f(z) (whichever is cheaper and more accurate).
    #[inline]
    pub fn derivative(self, z: f64, a: f64) -> f64 {
        match self {
            Activation::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    1.0
                } else {
                    LEAK
                }
            }
            Activation::Tanh => 1.0 - a * a,
            Activation::Sigmoid => a * (1.0 - a),
            Activation::Softsign => {
                let d = 1.0 + z.abs();
                1.0 / (d * d)
            }
            Activation::Selu => {
                if z > 0.0 {
                    SELU_SCALE
                } else {
                    a + SELU_SCALE * SELU_ALPHA
                }
            }
            Activation::Square => 2.0 * z,
            Activation::Linear => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ReLU as a select gives what `max(z, 0)` gives, NaN and the zeros included, in every form the network
    /// uses: one value, a slice, and the backward pass's mask.
    #[test]
    fn relu_is_max_with_zero() {
        let z = [-3.5, -0.0, 0.0, 1e-300, 2.25, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1e-300];
        let mut a = [9.0; 9];
        Activation::Relu.apply_slice(&z, &mut a);
        for (&zi, &ai) in z.iter().zip(&a) {
            let want = zi.max(0.0);
            assert_eq!(Activation::Relu.apply(zi).to_bits(), ai.to_bits(), "{zi}");
            assert!(ai == want && ai.is_sign_positive(), "relu({zi}) = {ai}, max gives {want}");
        }
        let mut d = [1.5; 9];
        Activation::Relu.backprop_slice(&z, &a, &mut d);
        let kept: Vec<bool> = d.iter().map(|&v| v == 1.5).collect();
        // The gradient passes where z > 0, and where z is NaN (as before: only z ≤ 0 is cut).
        assert_eq!(kept, [false, false, false, true, true, true, true, false, false]);
    }
}
