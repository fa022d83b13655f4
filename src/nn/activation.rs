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
            Activation::Relu => z.max(0.0),
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
            Activation::Relu => each!(|v: f64| v.max(0.0)),
            Activation::Linear => a.copy_from_slice(z),
            Activation::Square => each!(|v: f64| v * v),
            other => each!(|v| other.apply(v)),
        }
    }

    /// d ← d · f′(z) over slices (backpropagation through the activation), given z and a = f(z).
    pub fn backprop_slice(self, z: &[f64], a: &[f64], d: &mut [f64]) {
        match self {
            Activation::Relu => {
                for (di, &zi) in d.iter_mut().zip(z) {
                    if zi <= 0.0 {
                        *di = 0.0;
                    }
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
