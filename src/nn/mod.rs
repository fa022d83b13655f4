//! The neural network: activations, losses, layers (dense, convolution, pooling) and the network that
//! sequences them with batched backpropagation, and the optimisers. Everything is f64 and seeded.

pub mod activation;
pub mod fastmath;
pub mod kernels;
pub mod layer;
pub mod loss;
pub mod network;
pub mod optim;
pub mod trainer;

pub use activation::Activation;
pub use layer::{ConvSpec, Layer, LayerSpec, Padding, PoolMode, Shape, ShapeError, Tensor};
pub use loss::{LossKind, LossValue};
pub use network::{hidden_shapes, Gradients, Init, Network, Trace, Tracer, UnitHealth, Workspace};
pub use optim::{Diverged, Optimizer, OptimizerKind};
pub use trainer::Trainer;
