//! One training step after another: the network, its optimiser, the batch order and the reused buffers.
//! The session adds the SVMs and the measurements on top; benchmarks use it alone.

use super::{Gradients, LossKind, LossValue, Network, Optimizer, OptimizerKind, Tensor, Workspace};
use crate::rng::{self, Rng, Stream};
use ndarray::{Array2, ArrayView2};

/// Trains a network on fixed data.
#[derive(Clone)]
pub struct Trainer {
    /// The network being trained.
    pub net: Network,
    /// Its optimiser.
    pub optimizer: Optimizer,
    /// The training loss.
    pub loss: LossKind,
    /// Mini-batch size (0 = the whole set; gradient descent always uses the whole set).
    pub batch_size: usize,
    x: Array2<f64>,
    y: Vec<usize>,
    workspace: Workspace,
    grads: Gradients,
    batch_rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    batch_x: Array2<f64>,
    batch_y: Vec<usize>,
    batch_rows: Vec<usize>,
    /// SupportNet's consolidation regularisers, when trained with them.
    consolidation: Option<Box<Consolidation>>,
}

/// SupportNet's consolidation regularisers (Li et al. 2018), added to the loss of a class-incremental run's
/// second phase: elastic weight consolidation (Kirkpatrick et al. 2017), (λ/2) Σᵢ Fᵢ (θᵢ − θ*ᵢ)² with F the
/// diagonal of the empirical Fisher information of the first phase's network θ* on the old training points,
/// and the feature regulariser, μ · mean over the memory of ‖φ(x) − φ*(x)‖², φ* the memory's hidden features
/// under θ*. The output layer's new rows have no anchor.
#[derive(Clone)]
pub struct Consolidation {
    /// λ (0: no EWC).
    pub ewc: f64,
    /// μ (0: no feature regulariser).
    pub feature_reg: f64,
    /// θ*, the first phase's network (fewer outputs).
    anchor: Network,
    /// F, shaped like `anchor`.
    fisher: Gradients,
    /// The memory's inputs and their features under θ*.
    memory_x: Array2<f64>,
    memory_features: Array2<f64>,
    penalty: Option<Gradients>,
    features: Option<Gradients>,
    workspace: Workspace,
}

impl Consolidation {
    /// The regularisers with strengths `ewc` and `feature_reg` around `anchor` (the first phase's network):
    /// the Fisher diagonal from its old training points (`x`, `labels`) under `loss`, and the memory's
    /// features (`memory_x`).
    pub fn new(
        anchor: &Network,
        x: ArrayView2<f64>,
        labels: &[usize],
        loss: LossKind,
        memory_x: Array2<f64>,
        ewc: f64,
        feature_reg: f64,
    ) -> Consolidation {
        let fisher = if ewc > 0.0 { fisher_diagonal(anchor, x, labels, loss) } else { Gradients::zeros_like(anchor) };
        let memory_features = anchor.hidden_features(memory_x.view());
        Consolidation {
            ewc,
            feature_reg,
            anchor: anchor.clone(),
            fisher,
            memory_x,
            memory_features,
            penalty: None,
            features: None,
            workspace: Workspace::default(),
        }
    }

    /// The work of computing it once, in multiply-adds (the Fisher: a forward and backward pass per point).
    pub fn setup_cost(anchor: &Network, points: usize, memory: usize) -> f64 {
        (3 * points + memory) as f64 * anchor.forward_cost()
    }

    /// The regularisers' gradient at `net` (true units), written into the penalty buffer.
    fn gradient(&mut self, net: &Network) -> &Gradients {
        let penalty = self.penalty.get_or_insert_with(|| Gradients::zeros_like(net));
        let outputs = net.outputs();
        let old_outputs = self.anchor.outputs();
        let last = net.depth() - 1;
        for (l, t) in net.trainable(0) {
            let theta = net.tensor(l, t);
            let g = penalty.tensor_mut(l, t);
            for (i, gi) in g.iter_mut().enumerate() {
                // The anchored entry: the same index below the output layer; in it, the old outputs' entries
                // (weights are inputs × outputs, row-major).
                let anchored = if l < last {
                    Some(i)
                } else {
                    match t {
                        Tensor::Weights => (i % outputs < old_outputs).then(|| i / outputs * old_outputs + i % outputs),
                        Tensor::Biases => (i < old_outputs).then_some(i),
                    }
                };
                *gi = match anchored {
                    Some(a) if self.ewc > 0.0 => {
                        self.ewc * self.fisher.tensor(l, t)[a] * (theta[i] - self.anchor.tensor(l, t)[a])
                    }
                    _ => 0.0,
                };
            }
        }
        if self.feature_reg > 0.0 && self.memory_x.nrows() > 0 {
            let features = self.features.get_or_insert_with(|| Gradients::zeros_like(net));
            net.feature_penalty_gradients(
                self.memory_x.view(),
                self.memory_features.view(),
                &mut self.workspace,
                features,
            );
            for (l, t) in net.trainable(0) {
                for (p, f) in penalty.tensor_mut(l, t).iter_mut().zip(features.tensor(l, t)) {
                    *p += self.feature_reg * f;
                }
            }
        }
        penalty
    }

    /// Multiply-adds of one gradient of the regularisers.
    pub fn step_cost(&self, net: &Network) -> f64 {
        let feature =
            if self.feature_reg > 0.0 { 3.0 * self.memory_x.nrows() as f64 * net.forward_cost() } else { 0.0 };
        feature + net.parameter_count() as f64
    }
}

/// The diagonal of the empirical Fisher information of `net` on (`x`, `labels`): per parameter, the mean over
/// the points of the squared gradient of the point's loss (for cross-entropy, −log p(y | x)).
pub fn fisher_diagonal(net: &Network, x: ArrayView2<f64>, labels: &[usize], loss: LossKind) -> Gradients {
    let mut fisher = Gradients::zeros_like(net);
    let mut one = Gradients::zeros_like(net);
    let mut ws = Workspace::default();
    let n = labels.len().max(1) as f64;
    for (i, &y) in labels.iter().enumerate() {
        let value = net.loss_and_gradients(x.slice(ndarray::s![i..i + 1, ..]), &[y], loss, 0, &mut ws, &mut one);
        // The gradient was written scaled by e^{−log_scale}: back to true units.
        let scale = super::fastmath::exp(value.log_scale);
        for (l, t) in net.trainable(0) {
            for (f, g) in fisher.tensor_mut(l, t).iter_mut().zip(one.tensor(l, t)) {
                *f += (g * scale) * (g * scale) / n;
            }
        }
    }
    fisher
}

impl Trainer {
    /// A trainer of `net` on the rows of `x` (n × inputs) with labels `y`; `seed` orders the mini-batches.
    pub fn new(
        net: Network,
        optimizer: Optimizer,
        loss: LossKind,
        batch_size: usize,
        x: Array2<f64>,
        y: Vec<usize>,
        seed: u64,
    ) -> Trainer {
        let grads = Gradients::zeros_like(&net);
        let n = x.nrows();
        Trainer {
            net,
            optimizer,
            loss,
            batch_size,
            batch_x: Array2::zeros((0, x.ncols())),
            x,
            y,
            workspace: Workspace::default(),
            grads,
            batch_rng: rng::seeded(seed, Stream::Batches),
            order: (0..n).collect(),
            cursor: usize::MAX,
            batch_y: Vec::new(),
            batch_rows: Vec::new(),
            consolidation: None,
        }
    }

    /// Trains on with SupportNet's consolidation regularisers (see [`Consolidation`]).
    pub fn consolidate(&mut self, c: Consolidation) {
        self.consolidation = Some(Box::new(c));
    }

    /// The regularisers it trains with, if any.
    pub fn consolidation(&self) -> Option<&Consolidation> {
        self.consolidation.as_deref()
    }

    /// Number of training points.
    pub fn rows(&self) -> usize {
        self.x.nrows()
    }

    /// Whether steps use the whole training set.
    pub fn full_batch(&self) -> bool {
        let b = self.batch_size;
        b == 0 || b >= self.x.nrows() || self.optimizer.kind == OptimizerKind::Gd
    }

    /// One step on layers `from_layer..` (the others frozen). Returns the batch loss before the step, or why
    /// the step was refused (a non-finite loss, or parameters that would become non-finite).
    pub fn step(&mut self, from_layer: usize) -> Result<LossValue, String> {
        let loss = if self.full_batch() {
            self.net.loss_and_gradients(
                self.x.view(),
                &self.y,
                self.loss,
                from_layer,
                &mut self.workspace,
                &mut self.grads,
            )
        } else {
            self.next_batch();
            self.net.loss_and_gradients(
                self.batch_x.view(),
                &self.batch_y,
                self.loss,
                from_layer,
                &mut self.workspace,
                &mut self.grads,
            )
        };
        if !loss.value.is_finite() {
            return Err(format!("the training loss became {}", loss.value));
        }
        let extra = self.consolidation.as_mut().map(|c| c.gradient(&self.net));
        self.optimizer.step_with(&mut self.net, &self.grads, loss, from_layer, extra).map_err(|d| d.reason)?;
        Ok(loss)
    }

    /// The rows of the training set the last mini-batch step used, in order (empty for full-batch steps).
    pub fn last_batch(&self) -> &[usize] {
        &self.batch_rows
    }

    /// Fills the batch buffers with the next points of an order reshuffled every epoch.
    fn next_batch(&mut self) {
        let (n, d, b) = (self.order.len(), self.x.ncols(), self.batch_size);
        if self.batch_x.nrows() != b {
            self.batch_x = Array2::zeros((b, d));
            self.batch_y = vec![0; b];
            self.batch_rows = vec![0; b];
        }
        for r in 0..b {
            if self.cursor >= n {
                rng::shuffle(&mut self.batch_rng, &mut self.order);
                self.cursor = 0;
            }
            let i = self.order[self.cursor];
            self.cursor += 1;
            self.batch_rows[r] = i;
            self.batch_x.row_mut(r).assign(&self.x.row(i));
            self.batch_y[r] = self.y[i];
        }
    }
}

/// The throughput benchmark's set-up (BENCHMARKS.md §1): the paper's blobs with n = 500 (all training points),
/// `2 → hidden → 2`, softmax cross-entropy, plain SGD at `learning_rate` with mini-batches of `batch`.
pub fn bench_trainer(hidden: &[usize], activation: super::Activation, batch: usize, learning_rate: f64) -> Trainer {
    let data = crate::data::DataConfig { samples: 500, test_fraction: 0.0, ..crate::data::Source::Blobs.defaults() };
    let split = crate::data::generate(&data, &Default::default()).expect("the benchmark's data config is valid");
    let mut init = rng::seeded(1, Stream::Init);
    let net = Network::new(2, hidden, 2, activation, super::Init::He, &mut init);
    let optimizer = Optimizer::new(OptimizerKind::Sgd, learning_rate, 0.0);
    Trainer::new(net, optimizer, LossKind::CrossEntropy, batch, split.train.inputs, split.train.labels, 1)
}

/// The convolutional throughput benchmark's set-up (BENCHMARKS.md §1, `conv`): the first 430 of the digits 0, 1
/// and 2 of `digits` (the `digits_conv` preset's training set is 430 of them), pixels scaled to 0..1, as 8 × 8 × 1
/// images through `hidden` into 3 scores (tanh, Xavier), softmax cross-entropy, plain SGD at `learning_rate`
/// with batches of `batch` (430: the preset's whole-batch steps).
pub fn bench_digits_trainer(
    digits: &crate::data::Table,
    hidden: &[super::LayerSpec],
    batch: usize,
    learning_rate: f64,
) -> Trainer {
    let rows: Vec<usize> = (0..digits.labels.len()).filter(|&i| digits.labels[i] < 3).take(430).collect();
    let x = digits.inputs.select(ndarray::Axis(0), &rows) / 16.0;
    let y = rows.iter().map(|&i| digits.labels[i]).collect();
    let mut init = rng::seeded(1, Stream::Init);
    let shape = super::Shape::Image { channels: 1, height: 8, width: 8 };
    let net = Network::build(shape, hidden, 3, super::Activation::Tanh, super::Init::Xavier, &mut init)
        .expect("the benchmark's layers fit 8 × 8 images");
    let optimizer = Optimizer::new(OptimizerKind::Sgd, learning_rate, 0.0);
    Trainer::new(net, optimizer, LossKind::CrossEntropy, batch, x, y, 1)
}

/// `reps` products of n × n matrices through the same matrix kernel training uses: the reference FLOP rate
/// (2n³ per product). Returns a checksum.
pub fn matmul_reference(n: usize, reps: u32) -> f64 {
    let a = Array2::from_shape_fn((n, n), |(i, j)| ((i * 7 + j * 3) % 11) as f64 * 0.1);
    let b = Array2::from_shape_fn((n, n), |(i, j)| ((i * 5 + j) % 13) as f64 * 0.1);
    let mut c = Array2::zeros((n, n));
    for _ in 0..reps {
        ndarray::linalg::general_mat_mul(1.0, &a, &b, 0.5, &mut c);
    }
    c.sum()
}
