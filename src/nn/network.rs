//! A network: a sequence of layers ([`super::layer`]) — dense, convolution, pooling — with one hidden
//! activation after every convolution and every hidden dense layer, and a linear output layer. Batched
//! forward and backward passes go through reused buffers (the page's hot path), a batch taken through all
//! layers in cache-sized blocks of rows; one example can be traced and its input gradient taken (the attacks).
//! This is the crate's one propagation.
//!
//! Layer l maps Aₗ₋₁ (n × inₗ) to Zₗ (n × outₗ), and Aₗ = f(Zₗ) when an activation follows it; the output of
//! the last hidden layer, h(x), is the "feature space" in which the last layer is compared with an SVM.

use super::activation::Activation;
use super::layer::{Dense, Layer, LayerGradient, LayerSpec, Prepared, Shape, ShapeError, Tensor};
use super::loss::{loss_gradient, LossKind, LossValue};
use crate::linalg::argmax;
use crate::rng::{self, Rng};
use ndarray::{s, Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// How weights start.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// N(0, 2/fan_in), biases 0 (He et al. 2015).
    He,
    /// N(0, 2/(fan_in + fan_out)), biases 0 (Glorot & Bengio 2010).
    Xavier,
    /// Truncated normal σ = 0.01 (redrawn beyond 2σ), biases 0.1: the paper's code.
    Paper,
}

impl Init {
    /// Every initialisation, in the order the page lists them.
    pub const ALL: [Init; 3] = [Init::He, Init::Xavier, Init::Paper];

    /// A human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            Init::He => "He",
            Init::Xavier => "Xavier",
            Init::Paper => "paper (truncated normal σ 0.01, bias 0.1)",
        }
    }

    /// The biases' starting value.
    fn bias(self) -> f64 {
        if self == Init::Paper {
            0.1
        } else {
            0.0
        }
    }
}

/// The network's parameters: its layers, the hidden activation and whether it has biases.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Network {
    /// The shape of one input.
    input: Shape,
    /// The layers in order; the last is the dense output layer.
    layers: Vec<Layer>,
    /// The hidden activation (after every convolution and every hidden dense layer).
    activation: Activation,
    /// Whether the layers have biases: without them (and with relu, leaky relu or linear units) the network is
    /// homogeneous in its parameters, as Lyu & Li's theory assumes.
    biased: bool,
}

/// How many hidden units can still learn (see [`Network::hidden_features_and_health`]).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq)]
pub struct UnitHealth {
    /// Share of hidden units that are zero on every input (relu).
    pub dead: f64,
    /// Share of hidden units in their flat tails on every input (tanh, sigmoid, softsign).
    pub saturated: f64,
}

/// Buffers of one forward/backward pass for a batch of a given size, reused across steps.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Per layer: its outputs before the activation.
    pre: Vec<Array2<f64>>,
    /// Per layer followed by the activation: its outputs after it (empty for the others).
    act: Vec<Array2<f64>>,
    /// Per layer: the loss's gradient with respect to `pre`.
    delta: Vec<Array2<f64>>,
    /// The weights as the passes read them.
    prepared: Prepared,
    /// Per layer: its weight gradient being summed over the blocks of rows (narrow dense layers).
    acc: Vec<Vec<f64>>,
    /// A convolution's patch matrix.
    scratch: Vec<f64>,
}

/// The blocks of rows `[r0, r1)` a batch of `n` rows is taken in, `block` rows at a time.
fn row_blocks(n: usize, block: usize) -> impl Iterator<Item = (usize, usize)> {
    let block = block.max(1);
    (0..n).step_by(block).map(move |r0| (r0, (r0 + block).min(n)))
}

/// A batch goes through the layers in blocks of about this many numbers per layer (rows × width), so that a
/// block's pre-activations, activations and errors stay in the cache between the layers that use them (a
/// 500 × 2000 layer is 8 MB a matrix; a block of 4 rows is 64 KB).
const BLOCK_ENTRIES: usize = 8192;

/// Gradients shaped like the network's parameters, layer by layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    layers: Vec<LayerGradient>,
}

impl Gradients {
    /// Zero gradients for `net`.
    pub fn zeros_like(net: &Network) -> Gradients {
        Gradients { layers: net.layers.iter().map(LayerGradient::zeros_like).collect() }
    }

    /// The gradient of layer `l`'s tensor `t` (flat, as [`Network::tensor`]).
    pub fn tensor(&self, l: usize, t: Tensor) -> &[f64] {
        self.layers[l].tensor(t)
    }

    /// The same, writable.
    pub fn tensor_mut(&mut self, l: usize, t: Tensor) -> &mut [f64] {
        match t {
            Tensor::Weights => &mut self.layers[l].weights,
            Tensor::Biases => &mut self.layers[l].biases,
        }
    }
}

fn draw(rng: &mut Rng, init: Init, fan_in: usize, fan_out: usize) -> f64 {
    match init {
        Init::He => (2.0 / fan_in as f64).sqrt() * rng::normal(rng),
        Init::Xavier => (2.0 / (fan_in + fan_out) as f64).sqrt() * rng::normal(rng),
        Init::Paper => loop {
            let z = rng::normal(rng);
            if z.abs() <= 2.0 {
                break 0.01 * z;
            }
        },
    }
}

/// The output shape of every hidden layer of `hidden` on `input`, or the first layer that cannot be built.
pub fn hidden_shapes(input: Shape, hidden: &[LayerSpec]) -> Result<Vec<Shape>, ShapeError> {
    let mut shape = input;
    let mut out = Vec::with_capacity(hidden.len());
    for (i, &spec) in hidden.iter().enumerate() {
        shape = super::layer::output_shape(spec, shape, i + 1)?;
        out.push(shape);
    }
    Ok(out)
}

impl Network {
    /// A fully connected network `inputs` → `hidden` widths → `outputs`, initialised from `rng`.
    pub fn new(
        inputs: usize,
        hidden: &[usize],
        outputs: usize,
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Network {
        let specs: Vec<LayerSpec> = hidden.iter().map(|&w| LayerSpec::Dense(w)).collect();
        Network::build(Shape::Flat(inputs), &specs, outputs, activation, init, rng)
            .expect("dense layers of positive widths take any flat input")
    }

    /// A network on inputs of shape `input` through the hidden layers `hidden` to `outputs` scores,
    /// initialised from `rng` (each layer's weights drawn row by row, in order), or the first hidden layer
    /// that cannot take its input.
    pub fn build(
        input: Shape,
        hidden: &[LayerSpec],
        outputs: usize,
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Network, ShapeError> {
        let mut layers = Vec::with_capacity(hidden.len() + 1);
        let mut shape = input;
        let mut draw_one = |fan_in: usize, fan_out: usize| draw(rng, init, fan_in, fan_out);
        for (i, &spec) in hidden.iter().chain(&[LayerSpec::Dense(outputs)]).enumerate() {
            let layer = Layer::build(spec, shape, i + 1, &mut draw_one, init.bias())?;
            shape = layer.output_shape();
            layers.push(layer);
        }
        Ok(Network { input, layers, activation, biased: true })
    }

    /// A fully connected network from its layers' weights (inputs × outputs) and biases.
    pub fn from_dense(layers: Vec<(Array2<f64>, Array1<f64>)>, activation: Activation) -> Network {
        let input = Shape::Flat(layers.first().expect("at least the output layer").0.nrows());
        let layers = layers.into_iter().map(|(w, b)| Layer::Dense(Dense::new(w, b))).collect();
        Network { input, layers, activation, biased: true }
    }

    /// The same network without biases (all zero, and never trained).
    pub fn without_biases(mut self) -> Network {
        for layer in &mut self.layers {
            layer.tensor_mut(Tensor::Biases).fill(0.0);
        }
        self.biased = false;
        self
    }

    /// The layers, in order (the last is the output layer).
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The shape of one input.
    pub fn input_shape(&self) -> Shape {
        self.input
    }

    /// The hidden activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// Whether the layers have biases.
    pub fn biased(&self) -> bool {
        self.biased
    }

    /// Whether the activation follows layer `l`: every hidden layer but a pooling.
    pub fn activated(&self, l: usize) -> bool {
        l + 1 < self.layers.len() && !matches!(self.layers[l], Layer::Pool(_))
    }

    fn output_mut(&mut self) -> &mut Dense {
        match self.layers.last_mut() {
            Some(Layer::Dense(d)) => d,
            _ => unreachable!("a network ends with its dense output layer"),
        }
    }

    /// The output layer: scores = h·W + b, W is feature_width × classes.
    pub fn output_layer(&self) -> &Dense {
        match self.layers.last() {
            Some(Layer::Dense(d)) => d,
            _ => unreachable!("a network ends with its dense output layer"),
        }
    }

    /// Re-draws the output layer (the paper's "re-initialise and retrain the last layer" experiment).
    pub fn reinit_last_layer(&mut self, init: Init, rng: &mut Rng) {
        let bias = if self.biased { init.bias() } else { 0.0 };
        let out = self.output_mut();
        let (fan_in, fan_out) = out.weights().dim();
        *out.weights_mut() = Array2::from_shape_simple_fn((fan_in, fan_out), || draw(rng, init, fan_in, fan_out));
        *out.biases_mut() = Array1::from_elem(fan_out, bias);
    }

    /// The same network with `more` output units added (a class-incremental run's new classes): the old
    /// outputs' weights kept, the new ones drawn like an output layer's.
    pub fn with_more_outputs(&self, more: usize, init: Init, rng: &mut Rng) -> Network {
        let mut net = self.clone();
        let bias = if net.biased { init.bias() } else { 0.0 };
        let out = net.output_mut();
        let (fan_in, old) = out.weights().dim();
        let fan_out = old + more;
        let mut w = Array2::zeros((fan_in, fan_out));
        w.slice_mut(s![.., ..old]).assign(out.weights());
        for i in 0..fan_in {
            for j in old..fan_out {
                w[[i, j]] = draw(rng, init, fan_in, fan_out);
            }
        }
        let mut b = Array1::from_elem(fan_out, bias);
        b.slice_mut(s![..old]).assign(out.biases());
        *out.weights_mut() = w;
        *out.biases_mut() = b;
        net
    }

    /// Number of layers (hidden layers + the output layer).
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// Number of layers with weights (every layer but the poolings): the L of an L-homogeneous network.
    pub fn weight_layers(&self) -> usize {
        self.layers.iter().filter(|l| l.has_parameters()).count()
    }

    /// The shape of the last hidden layer's output (flattened, it is the feature space).
    pub fn feature_shape(&self) -> Shape {
        match self.layers.len() {
            1 => self.input,
            n => self.layers[n - 2].output_shape(),
        }
    }

    /// Width of the last hidden layer: the dimension of the feature space.
    pub fn feature_width(&self) -> usize {
        self.output_layer().weights().nrows()
    }

    /// Number of output scores (classes).
    pub fn outputs(&self) -> usize {
        self.output_layer().weights().ncols()
    }

    /// Layer `l`'s tensor `t`, flat (weights row-major in the layer's own layout; empty for a pooling).
    pub fn tensor(&self, l: usize, t: Tensor) -> &[f64] {
        self.layers[l].tensor(t)
    }

    /// The same, writable.
    pub fn tensor_mut(&mut self, l: usize, t: Tensor) -> &mut [f64] {
        self.layers[l].tensor_mut(t)
    }

    /// The trainable tensors of layers `from_layer..` in order (each layer's weights, then its biases): what
    /// an optimiser steps.
    pub fn trainable(&self, from_layer: usize) -> Vec<(usize, Tensor)> {
        (from_layer..self.depth())
            .filter(|&l| self.layers[l].has_parameters())
            .flat_map(|l| [(l, Tensor::Weights), (l, Tensor::Biases)])
            .collect()
    }

    /// Every parameter tensor in order (each layer's weights, then its biases).
    pub fn parameters(&self) -> impl Iterator<Item = &[f64]> + '_ {
        self.trainable(0).into_iter().map(move |(l, t)| self.tensor(l, t))
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(Layer::parameter_count).sum()
    }

    /// Multiply-adds of a forward pass of one example.
    pub fn forward_cost(&self) -> f64 {
        self.layers.iter().map(Layer::cost).sum::<usize>() as f64
    }

    /// Multiply-adds of one example's forward pass through layers `from_layer..` (those a backward pass from
    /// there goes through).
    pub fn cost_from(&self, from_layer: usize) -> f64 {
        self.layers[from_layer..].iter().map(Layer::cost).sum::<usize>() as f64
    }

    /// Whether every parameter is finite.
    pub fn is_finite(&self) -> bool {
        self.parameters().all(|t| t.iter().all(|v| v.is_finite()))
    }

    /// The last hidden layer's outputs h(x) for the rows of `x`.
    pub fn hidden_features(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let hidden = self.depth() - 1;
        if hidden == 0 {
            return x.to_owned();
        }
        // A block of rows through every hidden layer while it is in the cache (the page's shading sends a
        // thousand grid points through layers up to 2 048 wide); each row is computed as on its own.
        let m = x.nrows();
        let (block, widest) = self.block_rows(hidden);
        let x = x.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let prepared = Prepared::of(&self.layers[..hidden]);
        let width = self.layers[hidden - 1].output_len();
        let mut out = Array2::zeros((m, width));
        let mut buffers = [vec![0.0; block * widest], vec![0.0; block * widest]];
        let mut scratch = vec![0.0; self.scratch_len()];
        for r0 in (0..m).step_by(block) {
            let r1 = (r0 + block).min(m);
            let rows = r1 - r0;
            for (l, layer) in self.layers[..hidden].iter().enumerate() {
                let (k, c) = (layer.input_len(), layer.output_len());
                let (even, odd) = buffers.split_at_mut(1);
                let (from, to) = if l % 2 == 0 { (&odd[0], &mut even[0]) } else { (&even[0], &mut odd[0]) };
                let input = if l == 0 { &x[r0 * k..r1 * k] } else { &from[..rows * k] };
                let z = &mut to[..rows * c];
                layer.forward(prepared.layer(l), input, z, rows, &mut scratch);
                if self.activated(l) {
                    for v in z.iter_mut() {
                        *v = self.activation.apply(*v);
                    }
                }
            }
            let last = &buffers[(hidden - 1) % 2][..rows * width];
            out.as_slice_mut().expect("fresh array")[r0 * width..r1 * width].copy_from_slice(last);
        }
        out
    }

    /// The last hidden layer's outputs for the rows of `x`, with the health of the hidden units on them: the
    /// share that are dead (a relu unit that is zero on every row receives no gradient) and the share that
    /// are saturated (a tanh, sigmoid or softsign unit in its flat tails on every row barely does). A unit is
    /// one output of a layer the activation follows (a convolution's channel at one position).
    pub fn hidden_features_and_health(&self, x: ArrayView2<f64>) -> (Array2<f64>, UnitHealth) {
        let mut a = x.to_owned();
        let (mut units, mut dead, mut saturated) = (0usize, 0usize, 0usize);
        let tail = match self.activation {
            Activation::Tanh => 3.0,
            Activation::Sigmoid => 6.0,
            Activation::Softsign => 20.0,
            _ => f64::INFINITY,
        };
        for l in 0..self.depth() - 1 {
            let mut z = self.forward_layer(l, a.view());
            if self.activated(l) {
                for col in z.columns() {
                    units += 1;
                    if self.activation == Activation::Relu && col.iter().all(|&v| v <= 0.0) {
                        dead += 1;
                    }
                    if col.iter().all(|&v| v.abs() > tail) {
                        saturated += 1;
                    }
                }
                z.mapv_inplace(|v| self.activation.apply(v));
            }
            a = z;
        }
        let share = |k: usize| if units == 0 { 0.0 } else { k as f64 / units as f64 };
        (a, UnitHealth { dead: share(dead), saturated: share(saturated) })
    }

    /// The output scores for the rows of `x`.
    pub fn outputs_of(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let h = self.hidden_features(x);
        self.outputs_from_features(h.view())
    }

    /// The output scores computed from hidden features (the last layer alone).
    pub fn outputs_from_features(&self, h: ArrayView2<f64>) -> Array2<f64> {
        self.forward_layer(self.depth() - 1, h)
    }

    /// Layer `l` alone on the rows of `a` (before any activation).
    fn forward_layer(&self, l: usize, a: ArrayView2<f64>) -> Array2<f64> {
        let layer = &self.layers[l];
        let a = a.as_standard_layout();
        let mut z = Array2::zeros((a.nrows(), layer.output_len()));
        let prepared = Prepared::of(std::slice::from_ref(layer));
        layer.forward(
            prepared.layer(0),
            a.as_slice().expect("standard layout"),
            z.as_slice_mut().expect("fresh array"),
            a.nrows(),
            &mut vec![0.0; layer.scratch_len()],
        );
        z
    }

    /// The largest scratch any layer needs.
    fn scratch_len(&self) -> usize {
        self.layers.iter().map(Layer::scratch_len).max().unwrap_or(0)
    }

    /// Rows per block for a pass through the first `layers` layers (about [`BLOCK_ENTRIES`] numbers a layer),
    /// and the widest of those layers.
    fn block_rows(&self, layers: usize) -> (usize, usize) {
        let widest = self.layers[..layers].iter().map(|l| l.input_len().max(l.output_len())).max().unwrap_or(1).max(1);
        ((BLOCK_ENTRIES / widest).max(1), widest)
    }

    /// One forward and backward pass over the batch (`x`, `labels`): returns the mean loss and writes its
    /// gradient (scaled by e^{−log_scale}, see [`crate::nn::loss`]) into `grads`. With `from_layer > 0` only
    /// layers `from_layer..` get gradients (the others are frozen), and backpropagation stops there.
    pub fn loss_and_gradients(
        &self,
        x: ArrayView2<f64>,
        labels: &[usize],
        loss: LossKind,
        from_layer: usize,
        ws: &mut Workspace,
        grads: &mut Gradients,
    ) -> LossValue {
        self.loss_and_gradients_in_blocks(x, labels, loss, from_layer, ws, grads, self.block_rows(self.depth()).0)
    }

    /// [`Network::loss_and_gradients`] taking the batch `block` rows at a time through every layer. Every number
    /// is computed from the same operands in the same order whatever `block` is (each row on its own; the
    /// gradients summed over the rows in their order), so the result is the same to the bit: only the memory
    /// traffic changes.
    // The pass's inputs and outputs, and the block size.
    #[allow(clippy::too_many_arguments)]
    fn loss_and_gradients_in_blocks(
        &self,
        x: ArrayView2<f64>,
        labels: &[usize],
        loss: LossKind,
        from_layer: usize,
        ws: &mut Workspace,
        grads: &mut Gradients,
        block: usize,
    ) -> LossValue {
        let depth = self.depth();
        let x = x.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        self.forward_blocks(x, labels.len(), ws, block);
        let value = loss_gradient(loss, ws.pre[depth - 1].view(), labels, &mut ws.delta[depth - 1]);
        self.backward_blocks(x, labels.len(), from_layer, depth - 1, ws, grads, block);
        value
    }

    /// Forward, a block of rows through every layer, keeping pre-activations and activations in `ws`.
    fn forward_blocks(&self, x: &[f64], n: usize, ws: &mut Workspace, block: usize) {
        self.ensure(ws, n);
        let f = self.activation;
        ws.prepared.update(&self.layers);
        for (r0, r1) in row_blocks(n, block) {
            for (l, layer) in self.layers.iter().enumerate() {
                let (k, c) = (layer.input_len(), layer.output_len());
                let (pre_below, pre_here) = ws.pre.split_at_mut(l);
                let (act_below, act_here) = ws.act.split_at_mut(l);
                let input = match l {
                    0 => x,
                    _ if self.activated(l - 1) => slice(&act_below[l - 1]),
                    _ => slice(&pre_below[l - 1]),
                };
                let z = &mut pre_here[0].as_slice_mut().expect("contiguous")[r0 * c..r1 * c];
                layer.forward(ws.prepared.layer(l), &input[r0 * k..r1 * k], z, r1 - r0, &mut ws.scratch);
                if self.activated(l) {
                    f.apply_slice(z, &mut act_here[0].as_slice_mut().expect("contiguous")[r0 * c..r1 * c]);
                }
            }
        }
    }

    /// Backward from `ws.delta[top]` (the gradient with respect to layer `top`'s pre-activations) down to
    /// layer `from_layer`, a block of rows at a time, each layer's gradient summed over the blocks in order
    /// into `grads` (layers above `top` are not written).
    // The pass's inputs and outputs, and the block size.
    #[allow(clippy::too_many_arguments)]
    fn backward_blocks(
        &self,
        x: &[f64],
        n: usize,
        from_layer: usize,
        top: usize,
        ws: &mut Workspace,
        grads: &mut Gradients,
        block: usize,
    ) {
        let f = self.activation;
        for l in from_layer..=top {
            self.layers[l].gradient_start(&mut grads.layers[l], &mut ws.acc[l]);
        }
        for (r0, r1) in row_blocks(n, block) {
            let m = r1 - r0;
            for l in (from_layer..=top).rev() {
                let layer = &self.layers[l];
                let (k, c) = (layer.input_len(), layer.output_len());
                let input = match l {
                    0 => x,
                    _ if self.activated(l - 1) => slice(&ws.act[l - 1]),
                    _ => slice(&ws.pre[l - 1]),
                };
                let input = &input[r0 * k..r1 * k];
                let (delta_below, delta_here) = ws.delta.split_at_mut(l);
                let d = &slice(&delta_here[0])[r0 * c..r1 * c];
                let (prepared, g) = (ws.prepared.layer(l), &mut grads.layers[l]);
                layer.gradient_rows(prepared, input, d, m, self.biased, g, &mut ws.acc[l], &mut ws.scratch);
                if l > from_layer {
                    let below = &mut delta_below[l - 1].as_slice_mut().expect("contiguous")[r0 * k..r1 * k];
                    layer.input_gradient(ws.prepared.layer(l), input, d, below, m, &mut ws.scratch);
                    if self.activated(l - 1) {
                        f.backprop_slice(
                            &slice(&ws.pre[l - 1])[r0 * k..r1 * k],
                            &slice(&ws.act[l - 1])[r0 * k..r1 * k],
                            below,
                        );
                    }
                }
            }
        }
        for l in from_layer..=top {
            self.layers[l].gradient_finish(&mut grads.layers[l], &ws.acc[l]);
        }
    }

    /// SupportNet's feature regulariser on the rows of `x`: the mean over the rows of ‖φ(x) − φ*(x)‖², φ the
    /// last hidden layer's outputs and φ* `targets` (the same points' features under the old network). Writes
    /// its gradient with respect to the hidden layers' parameters into `grads` (the output layer's entries are
    /// left as they are: the features do not depend on it) and returns its value.
    pub fn feature_penalty_gradients(
        &self,
        x: ArrayView2<f64>,
        targets: ArrayView2<f64>,
        ws: &mut Workspace,
        grads: &mut Gradients,
    ) -> f64 {
        let n = x.nrows();
        let depth = self.depth();
        if n == 0 || depth < 2 {
            return 0.0;
        }
        let top = depth - 2;
        let x = x.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let block = self.block_rows(depth).0;
        self.forward_blocks(x, n, ws, block);
        let features = if self.activated(top) { &ws.act[top] } else { &ws.pre[top] };
        let mut value = 0.0;
        let delta = ws.delta[top].as_slice_mut().expect("contiguous");
        for ((d, &h), &t) in delta.iter_mut().zip(slice(features)).zip(targets.iter()) {
            value += (h - t) * (h - t);
            *d = 2.0 * (h - t) / n as f64;
        }
        if self.activated(top) {
            self.activation.backprop_slice(slice(&ws.pre[top]), slice(&ws.act[top]), delta);
        }
        self.backward_blocks(x, n, 0, top, ws, grads, block);
        value / n as f64
    }

    fn ensure(&self, ws: &mut Workspace, n: usize) {
        let fits = ws.pre.len() == self.depth()
            && ws.pre.iter().zip(&self.layers).all(|(p, l)| p.dim() == (n, l.output_len()))
            && ws.scratch.len() >= self.scratch_len();
        if fits {
            return;
        }
        let shaped = |l: &Layer| Array2::zeros((n, l.output_len()));
        ws.pre = self.layers.iter().map(shaped).collect();
        ws.act = (0..self.depth())
            .map(|l| if self.activated(l) { shaped(&self.layers[l]) } else { Array2::zeros((0, 0)) })
            .collect();
        ws.delta = self.layers.iter().map(shaped).collect();
        ws.acc = vec![Vec::new(); self.depth()];
        ws.scratch = vec![0.0; self.scratch_len()];
    }

    /// The mean loss over (`x`, `labels`) without gradients.
    pub fn loss(&self, x: ArrayView2<f64>, labels: &[usize], loss: LossKind) -> LossValue {
        super::loss::value_of(loss, self.outputs_of(x).view(), labels)
    }

    /// Accuracy of the arg-max prediction.
    pub fn accuracy(&self, x: ArrayView2<f64>, labels: &[usize]) -> f64 {
        if labels.is_empty() {
            return f64::NAN;
        }
        let out = self.outputs_of(x);
        let right = out
            .rows()
            .into_iter()
            .zip(labels)
            .filter(|(row, &y)| argmax(row.as_slice().expect("rows of an owned array are contiguous")) == y)
            .count();
        right as f64 / labels.len() as f64
    }

    /// The slice of rows `range` of `x` (a mini-batch) — a view, no copy.
    pub fn batch(x: ArrayView2<f64>, start: usize, end: usize) -> ArrayView2<f64> {
        x.slice_move(s![start..end, ..])
    }

    /// The output layer as a linear classifier of the features: one row of weights and one bias per class
    /// (scoresₖ = W[k]·h + bₖ; the layer's own weights transposed).
    pub fn head(&self) -> (Array2<f64>, Vec<f64>) {
        let out = self.output_layer();
        (out.weights().t().to_owned(), out.biases().to_vec())
    }

    /// ‖[W_L; b_L]‖, the output layer's norm (its weights summed in their stored order, then its biases).
    pub fn head_norm(&self) -> f64 {
        let out = self.output_layer();
        (out.weights().iter().map(|v| v * v).sum::<f64>() + out.biases().iter().map(|v| v * v).sum::<f64>()).sqrt()
    }

    /// The gradient of the score difference s_to − s_from with respect to the last hidden layer's outputs
    /// (column `to` of the output layer's weights minus column `from`).
    pub fn score_difference(&self, from: usize, to: usize) -> Vec<f64> {
        self.output_layer().weights().rows().into_iter().map(|row| row[to] - row[from]).collect()
    }

    /// A tracer of single examples through this network (see [`Tracer`]).
    pub fn tracer(&self) -> Tracer<'_> {
        Tracer { net: self, prepared: Prepared::of(&self.layers), scratch: vec![0.0; self.scratch_len()] }
    }
}

/// Single examples through a network with every layer's output kept, and the gradient of any function of the
/// last hidden layer carried back to the input — the attacks' view of the network, through the same layer
/// passes as training.
pub struct Tracer<'a> {
    net: &'a Network,
    prepared: Prepared,
    scratch: Vec<f64>,
}

/// One example's pass through every layer.
#[derive(Clone, Debug)]
pub struct Trace {
    /// The input (as the network sees it).
    input: Vec<f64>,
    /// Every layer's output before the activation.
    pre: Vec<Vec<f64>>,
    /// Every layer's output after the activation (empty where none follows).
    act: Vec<Vec<f64>>,
}

impl Trace {
    /// Layer `l`'s output as the next layer reads it.
    fn output(&self, l: usize) -> &[f64] {
        if self.act[l].is_empty() {
            &self.pre[l]
        } else {
            &self.act[l]
        }
    }

    /// The last hidden layer's output h(x).
    pub fn features(&self) -> &[f64] {
        match self.pre.len() {
            1 => &self.input,
            n => self.output(n - 2),
        }
    }

    /// The output scores.
    pub fn scores(&self) -> &[f64] {
        &self.pre[self.pre.len() - 1]
    }
}

impl Tracer<'_> {
    /// The pass of one input `x` (as the network sees it) through every layer.
    pub fn trace(&mut self, x: Vec<f64>) -> Trace {
        let net = self.net;
        let mut t = Trace { input: x, pre: Vec::with_capacity(net.depth()), act: Vec::with_capacity(net.depth()) };
        for (l, layer) in net.layers.iter().enumerate() {
            let mut z = vec![0.0; layer.output_len()];
            let input = if l == 0 { &t.input[..] } else { t.output(l - 1) };
            layer.forward(self.prepared.layer(l), input, &mut z, 1, &mut self.scratch);
            let mut a = Vec::new();
            if net.activated(l) {
                a = vec![0.0; z.len()];
                net.activation.apply_slice(&z, &mut a);
            }
            t.pre.push(z);
            t.act.push(a);
        }
        t
    }

    /// The gradient with respect to the input of a function whose gradient with respect to the last hidden
    /// layer's outputs at `t` is `g`.
    pub fn input_gradient(&mut self, t: &Trace, mut g: Vec<f64>) -> Vec<f64> {
        let net = self.net;
        for l in (0..net.depth() - 1).rev() {
            if net.activated(l) {
                net.activation.backprop_slice(&t.pre[l], &t.act[l], &mut g);
            }
            let layer = &net.layers[l];
            let input = if l == 0 { &t.input[..] } else { t.output(l - 1) };
            let mut below = vec![0.0; layer.input_len()];
            layer.input_gradient(self.prepared.layer(l), input, &g, &mut below, 1, &mut self.scratch);
            g = below;
        }
        g
    }
}

/// The contiguous data of a standard-layout array (every array the network owns or allocates is one).
fn slice(a: &Array2<f64>) -> &[f64] {
    a.as_slice().expect("arrays the network allocates are contiguous")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of rows change only the memory traffic: the loss and every gradient are the same to the bit for
    /// any block size, on wide and narrow layers, with and without biases, frozen layers and both losses.
    #[test]
    fn blocks_of_rows_give_the_whole_batch_to_the_bit() {
        use crate::nn::{ConvSpec, Padding, PoolMode};
        let dense = |w: &[usize]| w.iter().map(|&w| LayerSpec::Dense(w)).collect::<Vec<_>>();
        let conv = |channels, stride| LayerSpec::Conv(ConvSpec { channels, kernel: 3, stride, padding: Padding::Same });
        let flat = Shape::Flat(3);
        let image = Shape::Image { channels: 3, height: 1, width: 1 };
        let picture = Shape::Image { channels: 1, height: 6, width: 7 };
        let cases: [(Shape, Vec<LayerSpec>, Activation, bool, usize, LossKind); 7] = [
            (flat, dense(&[2000, 2]), Activation::Relu, true, 0, LossKind::CrossEntropy),
            (flat, dense(&[32, 32, 2]), Activation::Tanh, true, 0, LossKind::CrossEntropy),
            (flat, dense(&[9, 7, 3]), Activation::Relu, false, 1, LossKind::CrossEntropy),
            (flat, dense(&[16, 2]), Activation::Sigmoid, true, 2, LossKind::Mse),
            (flat, dense(&[5]), Activation::LeakyRelu, true, 0, LossKind::CrossEntropy),
            (
                image,
                vec![LayerSpec::Conv(ConvSpec { channels: 2, kernel: 1, ..ConvSpec::default() }), LayerSpec::Dense(2)],
                Activation::Tanh,
                true,
                0,
                LossKind::CrossEntropy,
            ),
            (
                picture,
                vec![conv(4, 1), LayerSpec::Pool(PoolMode::Max), conv(3, 2), LayerSpec::Dense(2)],
                Activation::Relu,
                true,
                1,
                LossKind::CrossEntropy,
            ),
        ];
        for (input, hidden, activation, biased, from_layer, loss) in cases {
            let mut rng = rng::seeded(7, rng::Stream::Aux);
            let mut net = Network::build(input, &hidden, 3, activation, Init::He, &mut rng).unwrap();
            if !biased {
                net = net.without_biases();
            }
            let n = 37;
            let width = input.len();
            let x = Array2::from_shape_fn((n, width), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
            let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
            let mut whole = Gradients::zeros_like(&net);
            let mut ws = Workspace::default();
            let want = net.loss_and_gradients_in_blocks(x.view(), &labels, loss, from_layer, &mut ws, &mut whole, n);
            for block in [1, 4, 10, 36] {
                let mut g = Gradients::zeros_like(&net);
                let got = net.loss_and_gradients_in_blocks(x.view(), &labels, loss, from_layer, &mut ws, &mut g, block);
                let bits = |a: &[f64]| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(got.value.to_bits(), want.value.to_bits(), "{hidden:?} block {block}");
                for (l, t) in net.trainable(0) {
                    assert_eq!(bits(g.tensor(l, t)), bits(whole.tensor(l, t)), "{hidden:?} block {block}");
                }
            }
            // The hidden features (the page's shading, the measurements) in blocks: as layer by layer.
            let mut a = x.clone();
            for l in 0..net.depth() - 1 {
                a = net.forward_layer(l, a.view());
                if net.activated(l) {
                    a.mapv_inplace(|z| net.activation.apply(z));
                }
            }
            let h = net.hidden_features(x.view());
            let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(h.as_slice().unwrap()), bits(a.as_slice().unwrap()));
            // One example traced alone (the attacks) has the features and scores the batch gives it.
            let out = net.outputs_of(x.view());
            let mut tracer = net.tracer();
            for i in [0, 17, 36] {
                let t = tracer.trace(x.row(i).to_vec());
                assert_eq!(bits(t.features()), bits(h.row(i).as_slice().unwrap()), "{hidden:?} row {i}");
                assert_eq!(bits(t.scores()), bits(out.row(i).as_slice().unwrap()), "{hidden:?} row {i}");
            }
            // And the blocks are really used by the default pass.
            let mut g = Gradients::zeros_like(&net);
            net.loss_and_gradients(x.view(), &labels, loss, from_layer, &mut ws, &mut g);
            assert_eq!(g, whole);
        }
    }
}
