//! The neural network: activations, losses, the fully connected network with batched backpropagation, and
//! the optimisers. Everything is f64 and seeded.

pub mod activation;
pub mod fastmath;
pub mod kernels;
pub mod loss;
pub mod network;
pub mod optim;
pub mod trainer;

pub use activation::Activation;
pub use loss::{LossKind, LossValue};
pub use network::{Gradients, Init, Network, UnitHealth, Workspace};
pub use optim::{Diverged, Optimizer, OptimizerKind};
pub use trainer::Trainer;
