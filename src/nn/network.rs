//! A fully connected network: input → hidden layers (one activation) → linear output scores, with batched
//! forward and backward passes over whole matrices into reused buffers (the page's hot path).
//!
//! Layer l maps Aₗ₋₁ (n × inₗ) to Zₗ = Aₗ₋₁Wₗ + bₗ (Wₗ is inₗ × outₗ), Aₗ = f(Zₗ) for hidden layers; the
//! last layer is linear. The output of the last hidden layer, h(x), is the "feature space" in which the last
//! layer is compared with an SVM.

use super::activation::Activation;
use super::kernels;
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
}

/// The network's parameters.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Network {
    /// Weights per layer (inₗ × outₗ); the last entry is the output layer.
    pub weights: Vec<Array2<f64>>,
    /// Biases per layer (all zero and never trained when `biased` is false).
    pub biases: Vec<Array1<f64>>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// Whether the layers have biases: without them (and with relu, leaky relu or linear units) the network is
    /// homogeneous in its parameters, as Lyu & Li's theory assumes.
    #[serde(default = "yes")]
    pub biased: bool,
}

fn yes() -> bool {
    true
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
    pre: Vec<Array2<f64>>,
    act: Vec<Array2<f64>>,
    delta: Vec<Array2<f64>>,
    /// Per layer: its weights as the narrow kernels read them ([`kernels::prepare`]).
    wt: Vec<Vec<f64>>,
    /// Per layer: the weight gradient being summed over the blocks of rows (narrow layers).
    acc: Vec<Vec<f64>>,
}

/// A batch goes through the layers in blocks of about this many numbers per layer (rows × width), so that a
/// block's pre-activations, activations and errors stay in the cache between the layers that use them (a
/// 500 × 2000 layer is 8 MB a matrix; a block of 4 rows is 64 KB).
const BLOCK_ENTRIES: usize = 8192;

/// Gradients shaped like the network's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    /// ∂L/∂Wₗ.
    pub weights: Vec<Array2<f64>>,
    /// ∂L/∂bₗ.
    pub biases: Vec<Array1<f64>>,
}

impl Gradients {
    /// Zero gradients for `net`.
    pub fn zeros_like(net: &Network) -> Gradients {
        Gradients {
            weights: net.weights.iter().map(|w| Array2::zeros(w.dim())).collect(),
            biases: net.biases.iter().map(|b| Array1::zeros(b.len())).collect(),
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

impl Network {
    /// A network `inputs` → `hidden` widths → `outputs`, initialised from `rng`.
    pub fn new(
        inputs: usize,
        hidden: &[usize],
        outputs: usize,
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Network {
        let mut sizes = vec![inputs];
        sizes.extend_from_slice(hidden);
        sizes.push(outputs);
        let mut net = Network { weights: Vec::new(), biases: Vec::new(), activation, biased: true };
        for pair in sizes.windows(2) {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            net.weights.push(Array2::from_shape_simple_fn((fan_in, fan_out), || draw(rng, init, fan_in, fan_out)));
            net.biases.push(Array1::from_elem(fan_out, if init == Init::Paper { 0.1 } else { 0.0 }));
        }
        net
    }

    /// The same network without biases (all zero, and never trained).
    pub fn without_biases(mut self) -> Network {
        for b in &mut self.biases {
            b.fill(0.0);
        }
        self.biased = false;
        self
    }

    /// Re-draws the output layer (the paper's "re-initialise and retrain the last layer" experiment).
    pub fn reinit_last_layer(&mut self, init: Init, rng: &mut Rng) {
        let last = self.weights.len() - 1;
        let (fan_in, fan_out) = self.weights[last].dim();
        self.weights[last] = Array2::from_shape_simple_fn((fan_in, fan_out), || draw(rng, init, fan_in, fan_out));
        let bias = if init == Init::Paper && self.biased { 0.1 } else { 0.0 };
        self.biases[last] = Array1::from_elem(fan_out, bias);
    }

    /// The same network with `more` output units added (a class-incremental run's new classes): the old
    /// outputs' weights kept, the new ones drawn like an output layer's.
    pub fn with_more_outputs(&self, more: usize, init: Init, rng: &mut Rng) -> Network {
        let mut net = self.clone();
        let last = net.weights.len() - 1;
        let (fan_in, old) = net.weights[last].dim();
        let fan_out = old + more;
        let mut w = Array2::zeros((fan_in, fan_out));
        w.slice_mut(s![.., ..old]).assign(&net.weights[last]);
        for i in 0..fan_in {
            for j in old..fan_out {
                w[[i, j]] = draw(rng, init, fan_in, fan_out);
            }
        }
        net.weights[last] = w;
        let bias = if init == Init::Paper && net.biased { 0.1 } else { 0.0 };
        let mut b = Array1::from_elem(fan_out, bias);
        b.slice_mut(s![..old]).assign(&net.biases[last]);
        net.biases[last] = b;
        net
    }

    /// Number of layers with weights (hidden layers + output layer).
    pub fn depth(&self) -> usize {
        self.weights.len()
    }

    /// Width of the last hidden layer: the dimension of the feature space.
    pub fn feature_width(&self) -> usize {
        self.weights[self.depth() - 1].nrows()
    }

    /// Number of output scores (classes).
    pub fn outputs(&self) -> usize {
        self.weights[self.depth() - 1].ncols()
    }

    /// The output layer (W_L, b_L): W_L is feature_width × classes.
    pub fn last_layer(&self) -> (&Array2<f64>, &Array1<f64>) {
        (&self.weights[self.depth() - 1], &self.biases[self.depth() - 1])
    }

    /// Whether every parameter is finite.
    pub fn is_finite(&self) -> bool {
        self.weights.iter().all(|w| w.iter().all(|v| v.is_finite()))
            && self.biases.iter().all(|b| b.iter().all(|v| v.is_finite()))
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
        let wt: Vec<Vec<f64>> = self.weights[..hidden]
            .iter()
            .map(|w| {
                let mut t = Vec::new();
                kernels::prepare(slice(w), w.nrows(), w.ncols(), &mut t);
                t
            })
            .collect();
        let width = self.weights[hidden - 1].ncols();
        let mut out = Array2::zeros((m, width));
        let mut buffers = [vec![0.0; block * widest], vec![0.0; block * widest]];
        for r0 in (0..m).step_by(block) {
            let r1 = (r0 + block).min(m);
            let rows = r1 - r0;
            for l in 0..hidden {
                let (k, c) = self.weights[l].dim();
                let (even, odd) = buffers.split_at_mut(1);
                let (from, to) = if l % 2 == 0 { (&odd[0], &mut even[0]) } else { (&even[0], &mut odd[0]) };
                let input = if l == 0 { &x[r0 * k..r1 * k] } else { &from[..rows * k] };
                let z = &mut to[..rows * c];
                let b = self.biases[l].as_slice().expect("owned biases are contiguous");
                kernels::affine_prepared(input, slice(&self.weights[l]), &wt[l], b, z, rows, k, c);
                for v in z.iter_mut() {
                    *v = self.activation.apply(*v);
                }
            }
            let last = &buffers[(hidden - 1) % 2][..rows * width];
            out.as_slice_mut().expect("fresh array")[r0 * width..r1 * width].copy_from_slice(last);
        }
        out
    }

    /// The last hidden layer's outputs for the rows of `x`, with the health of the hidden units on them: the
    /// share that are dead (a relu unit that is zero on every row receives no gradient) and the share that
    /// are saturated (a tanh, sigmoid or softsign unit in its flat tails on every row barely does).
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
            let z = self.layer(l, a.view());
            for col in z.columns() {
                units += 1;
                if self.activation == Activation::Relu && col.iter().all(|&v| v <= 0.0) {
                    dead += 1;
                }
                if col.iter().all(|&v| v.abs() > tail) {
                    saturated += 1;
                }
            }
            a = z;
            a.mapv_inplace(|v| self.activation.apply(v));
        }
        let share = |k: usize| if units == 0 { 0.0 } else { k as f64 / units as f64 };
        (a, UnitHealth { dead: share(dead), saturated: share(saturated) })
    }

    /// The output scores for the rows of `x`.
    pub fn outputs_of(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let h = self.hidden_features(x);
        self.layer(self.depth() - 1, h.view())
    }

    /// The output scores computed from hidden features (the last layer alone).
    pub fn outputs_from_features(&self, h: ArrayView2<f64>) -> Array2<f64> {
        self.layer(self.depth() - 1, h)
    }

    fn layer(&self, l: usize, a: ArrayView2<f64>) -> Array2<f64> {
        let (m, k) = a.dim();
        let n = self.weights[l].ncols();
        let a = a.as_standard_layout();
        let mut z = Array2::zeros((m, n));
        kernels::affine(
            a.as_slice().expect("standard layout"),
            self.weights[l].as_slice().expect("owned weights are contiguous"),
            self.biases[l].as_slice().expect("owned biases are contiguous"),
            z.as_slice_mut().expect("fresh array"),
            m,
            k,
            n,
            &mut Vec::new(),
        );
        z
    }

    /// Rows per block for a pass through the first `layers` layers (about [`BLOCK_ENTRIES`] numbers a layer),
    /// and the widest of those layers.
    fn block_rows(&self, layers: usize) -> (usize, usize) {
        let widest = self.weights[..layers].iter().map(|w| w.nrows().max(w.ncols())).max().unwrap_or(1).max(1);
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
        let n = x.nrows();
        let depth = self.depth();
        self.ensure(ws, n);
        let x = x.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let f = self.activation;
        for (w, wt) in self.weights.iter().zip(ws.wt.iter_mut()) {
            kernels::prepare(slice(w), w.nrows(), w.ncols(), wt);
        }
        let blocks = || (0..n).step_by(block.max(1)).map(move |r0| (r0, (r0 + block.max(1)).min(n)));
        // Forward, a block of rows through every layer, keeping pre-activations and activations.
        for (r0, r1) in blocks() {
            for l in 0..depth {
                let (k, c) = self.weights[l].dim();
                let b = self.biases[l].as_slice().expect("owned biases are contiguous");
                let (before, rest) = ws.act.split_at_mut(l);
                let input = if l == 0 { &x[r0 * k..r1 * k] } else { &slice(&before[l - 1])[r0 * k..r1 * k] };
                let z = &mut ws.pre[l].as_slice_mut().expect("contiguous")[r0 * c..r1 * c];
                kernels::affine_prepared(input, slice(&self.weights[l]), &ws.wt[l], b, z, r1 - r0, k, c);
                if l + 1 < depth {
                    f.apply_slice(z, &mut rest[0].as_slice_mut().expect("contiguous")[r0 * c..r1 * c]);
                }
            }
        }
        let value = loss_gradient(loss, ws.pre[depth - 1].view(), labels, &mut ws.delta[depth - 1]);
        // Backward, a block of rows down through every layer, each gradient summed over the blocks in order.
        for l in from_layer..depth {
            let (k, c) = self.weights[l].dim();
            kernels::weight_gradient_start(grads.weights[l].as_slice_mut().expect("contiguous"), k, c, &mut ws.acc[l]);
            grads.biases[l].fill(0.0);
        }
        for (r0, r1) in blocks() {
            let m = r1 - r0;
            for l in (from_layer..depth).rev() {
                let (k, c) = self.weights[l].dim();
                let input = if l == 0 { &x[r0 * k..r1 * k] } else { &slice(&ws.act[l - 1])[r0 * k..r1 * k] };
                let d = &slice(&ws.delta[l])[r0 * c..r1 * c];
                let g = grads.weights[l].as_slice_mut().expect("contiguous");
                kernels::weight_gradient_rows(input, d, g, m, k, c, &mut ws.acc[l]);
                // Without biases their gradient stays zero: they are never trained.
                if self.biased {
                    let gb = grads.biases[l].as_slice_mut().expect("contiguous");
                    for row in d.chunks_exact(c) {
                        for (g, v) in gb.iter_mut().zip(row) {
                            *g += v;
                        }
                    }
                }
                if l > from_layer {
                    let (lower, upper) = ws.delta.split_at_mut(l);
                    let below = &mut lower[l - 1].as_slice_mut().expect("contiguous")[r0 * k..r1 * k];
                    let d = &slice(&upper[0])[r0 * c..r1 * c];
                    kernels::back_project_prepared(d, slice(&self.weights[l]), &ws.wt[l], below, m, k, c);
                    f.backprop_slice(
                        &slice(&ws.pre[l - 1])[r0 * k..r1 * k],
                        &slice(&ws.act[l - 1])[r0 * k..r1 * k],
                        below,
                    );
                }
            }
        }
        for l in from_layer..depth {
            let (k, c) = self.weights[l].dim();
            kernels::weight_gradient_finish(grads.weights[l].as_slice_mut().expect("contiguous"), k, c, &ws.acc[l]);
        }
        value
    }

    fn ensure(&self, ws: &mut Workspace, n: usize) {
        let fits =
            ws.pre.len() == self.depth() && ws.pre.iter().zip(&self.weights).all(|(p, w)| p.dim() == (n, w.ncols()));
        if fits {
            return;
        }
        ws.pre = self.weights.iter().map(|w| Array2::zeros((n, w.ncols()))).collect();
        ws.act = self.weights.iter().map(|w| Array2::zeros((n, w.ncols()))).collect();
        ws.delta = self.weights.iter().map(|w| Array2::zeros((n, w.ncols()))).collect();
        ws.wt = vec![Vec::new(); self.depth()];
        ws.acc = vec![Vec::new(); self.depth()];
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
        let cases: [(&[usize], Activation, bool, usize, LossKind); 5] = [
            (&[2000, 2], Activation::Relu, true, 0, LossKind::CrossEntropy),
            (&[32, 32, 2], Activation::Tanh, true, 0, LossKind::CrossEntropy),
            (&[9, 7, 3], Activation::Relu, false, 1, LossKind::CrossEntropy),
            (&[16, 2], Activation::Sigmoid, true, 2, LossKind::Mse),
            (&[5], Activation::LeakyRelu, true, 0, LossKind::CrossEntropy),
        ];
        for (hidden, activation, biased, from_layer, loss) in cases {
            let mut rng = rng::seeded(7, rng::Stream::Aux);
            let mut net = Network::new(3, hidden, 3, activation, Init::He, &mut rng);
            if !biased {
                net = net.without_biases();
            }
            let n = 37;
            let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
            let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
            let mut whole = Gradients::zeros_like(&net);
            let mut ws = Workspace::default();
            let want = net.loss_and_gradients_in_blocks(x.view(), &labels, loss, from_layer, &mut ws, &mut whole, n);
            for block in [1, 4, 10, 36] {
                let mut g = Gradients::zeros_like(&net);
                let got = net.loss_and_gradients_in_blocks(x.view(), &labels, loss, from_layer, &mut ws, &mut g, block);
                let bits = |a: &Array2<f64>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(got.value.to_bits(), want.value.to_bits(), "{hidden:?} block {block}");
                for (a, b) in g.weights.iter().zip(&whole.weights) {
                    assert_eq!(bits(a), bits(b), "{hidden:?} block {block}");
                }
                for (a, b) in g.biases.iter().zip(&whole.biases) {
                    assert!(a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits()), "{hidden:?} block {block}");
                }
            }
            // The hidden features (the page's shading, the measurements) in blocks: as layer by layer.
            let mut a = x.clone();
            for l in 0..net.depth() - 1 {
                a = net.layer(l, a.view());
                a.mapv_inplace(|z| net.activation.apply(z));
            }
            let h = net.hidden_features(x.view());
            assert_eq!(
                h.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                a.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            // And the blocks are really used by the default pass.
            let mut g = Gradients::zeros_like(&net);
            net.loss_and_gradients(x.view(), &labels, loss, from_layer, &mut ws, &mut g);
            assert_eq!(g, whole);
        }
    }
}
