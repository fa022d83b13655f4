//! The network against finite differences, the optimisers against hand-computed steps, and the numerics the
//! theory needs (gradients alive below a loss of 1e-12, w₀ + w₁ conserved, divergence refused).
#![cfg(not(target_arch = "wasm32"))]

use lastlayer::nn::loss::loss_gradient;
use lastlayer::nn::{
    Activation, ConvSpec, Gradients, Init, LayerSpec, LossKind, LossValue, Network, Optimizer, OptimizerKind, Padding,
    PoolMode, Shape, Tensor, Workspace,
};
use lastlayer::rng::{self, Stream};
use ndarray::{array, Array1, Array2};

fn small_problem(classes: usize) -> (Array2<f64>, Vec<usize>) {
    let mut r = rng::seeded(5, Stream::Aux);
    let x = Array2::from_shape_simple_fn((7, 2), || rng::uniform(&mut r, -1.0, 1.0));
    let y = (0..7).map(|i| i % classes).collect();
    (x, y)
}

/// The central difference (step `h`) of `value` in parameter `i` of layer `l`'s tensor `t` of `net`.
fn central_difference(net: &Network, l: usize, t: Tensor, i: usize, h: f64, value: impl Fn(&Network) -> f64) -> f64 {
    let mut plus = net.clone();
    let mut minus = net.clone();
    plus.tensor_mut(l, t)[i] += h;
    minus.tensor_mut(l, t)[i] -= h;
    (value(&plus) - value(&minus)) / (2.0 * h)
}

/// Central differences (step 1e-6) of the loss against the analytic gradient of every parameter of `net`, to a
/// relative 1e-6 (absolute 1e-9 for tiny entries).
fn check_gradients(net: &Network, x: &Array2<f64>, y: &[usize], loss: LossKind, what: &str) {
    let mut ws = Workspace::default();
    let mut grads = Gradients::zeros_like(net);
    let value = net.loss_and_gradients(x.view(), y, loss, 0, &mut ws, &mut grads);
    assert_eq!(value.log_scale, 0.0);
    let h = 1e-6;
    let mut checked = 0;
    for (l, t) in net.trainable(0) {
        for i in 0..net.tensor(l, t).len() {
            let analytic = grads.tensor(l, t)[i];
            let numeric = central_difference(net, l, t, i, h, |n| n.loss(x.view(), y, loss).value);
            let err = (analytic - numeric).abs();
            assert!(
                err <= 1e-6 * analytic.abs().max(numeric.abs()) + 1e-9,
                "{what} {loss:?} layer {l} {t:?} {i}: analytic {analytic}, numeric {numeric}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, net.parameter_count(), "{what}: every parameter checked");
}

/// Every activation with both losses: analytic gradients of every parameter agree with central differences
/// on a 2-3-3-3 network.
#[test]
fn gradients_match_finite_differences() {
    let (x, y) = small_problem(3);
    for activation in Activation::ALL {
        for loss in [LossKind::CrossEntropy, LossKind::Mse] {
            let mut r = rng::seeded(11, Stream::Init);
            let net = Network::new(2, &[3, 3], 3, activation, Init::Xavier, &mut r);
            check_gradients(&net, &x, &y, loss, &format!("{activation:?}"));
        }
    }
}

/// SupportNet's feature regulariser, mean ‖φ(x) − φ*(x)‖² over the rows: its gradient against central
/// differences of the value computed here from `hidden_features`, for every parameter of a dense and of a
/// convolutional network under every activation (the output layer's gradient is zero: φ does not depend on it).
#[test]
fn the_feature_penalty_gradient_matches_finite_differences() {
    let (x, _) = small_problem(3);
    let mut r = rng::seeded(3, Stream::Aux);
    let images = Array2::from_shape_simple_fn((4, 2 * 5 * 6), || rng::uniform(&mut r, -1.0, 1.0));
    for activation in Activation::ALL {
        let mut r = rng::seeded(12, Stream::Init);
        let dense = Network::new(2, &[3, 4], 3, activation, Init::Xavier, &mut r);
        let conv = Network::build(
            Shape::Image { channels: 2, height: 5, width: 6 },
            &[
                LayerSpec::Conv(ConvSpec { channels: 3, kernel: 3, stride: 1, padding: Padding::Same }),
                LayerSpec::Pool(PoolMode::Avg),
                LayerSpec::Dense(4),
            ],
            3,
            activation,
            Init::Xavier,
            &mut r,
        )
        .unwrap();
        for (net, x) in [(&dense, &x), (&conv, &images)] {
            // The targets: the features of a slightly different network.
            let mut old = net.clone();
            for v in old.tensor_mut(0, Tensor::Weights) {
                *v *= 0.9;
            }
            let targets = old.hidden_features(x.view());
            let value = |n: &Network| {
                let h = n.hidden_features(x.view());
                (&h - &targets).mapv(|v| v * v).sum() / x.nrows() as f64
            };
            let mut ws = Workspace::default();
            let mut grads = Gradients::zeros_like(net);
            let got = net.feature_penalty_gradients(x.view(), targets.view(), &mut ws, &mut grads);
            assert!((got - value(net)).abs() <= 1e-12 * value(net), "{activation:?}: {got} vs {}", value(net));
            assert!(got > 0.0);
            let h = 1e-6;
            for (l, t) in net.trainable(0) {
                for i in 0..net.tensor(l, t).len() {
                    let numeric = central_difference(net, l, t, i, h, value);
                    let analytic = grads.tensor(l, t)[i];
                    assert!(
                        (analytic - numeric).abs() <= 1e-6 * analytic.abs().max(numeric.abs()) + 1e-9,
                        "{activation:?} layer {l} {t:?} {i}: analytic {analytic}, numeric {numeric}"
                    );
                }
            }
        }
    }
}

/// The empirical Fisher diagonal EWC anchors with: per parameter, the mean over the points of the squared
/// derivative of the point's own loss — here by central differences of each point's loss alone.
#[test]
fn the_fisher_diagonal_is_the_mean_squared_per_point_gradient() {
    let (x, y) = small_problem(3);
    let mut r = rng::seeded(13, Stream::Init);
    let net = Network::new(2, &[3], 3, Activation::Tanh, Init::Xavier, &mut r);
    let fisher = lastlayer::nn::trainer::fisher_diagonal(&net, x.view(), &y, LossKind::CrossEntropy);
    let h = 1e-6;
    for (l, t) in net.trainable(0) {
        for i in 0..net.tensor(l, t).len() {
            let mut expected = 0.0;
            for p in 0..y.len() {
                let one = x.slice(ndarray::s![p..p + 1, ..]);
                let d =
                    central_difference(&net, l, t, i, h, |n| n.loss(one, &y[p..p + 1], LossKind::CrossEntropy).value);
                expected += d * d / y.len() as f64;
            }
            let got = fisher.tensor(l, t)[i];
            assert!((got - expected).abs() <= 1e-6 * expected + 1e-12, "layer {l} {t:?} {i}: {got} vs {expected}");
        }
    }
}

/// Convolutions (both paddings, strides 1 and 2, several channels) and poolings (max and average, an odd
/// side) under every activation and both losses: every parameter's analytic gradient agrees with central
/// differences, through a flattening into a dense feature layer. The inputs are 5 × 6 images of 2 channels
/// with distinct random entries, so that no max-pooling window is tied.
#[test]
fn convolution_and_pooling_gradients_match_finite_differences() {
    let mut r = rng::seeded(4, Stream::Aux);
    let x = Array2::from_shape_simple_fn((5, 2 * 5 * 6), || rng::uniform(&mut r, -1.0, 1.0));
    let y = vec![0, 1, 2, 1, 0];
    let image = Shape::Image { channels: 2, height: 5, width: 6 };
    let conv = |channels, kernel, stride, padding| LayerSpec::Conv(ConvSpec { channels, kernel, stride, padding });
    let stacks: [Vec<LayerSpec>; 3] = [
        vec![
            conv(3, 3, 1, Padding::Same),
            LayerSpec::Pool(PoolMode::Max),
            conv(2, 2, 1, Padding::Valid),
            LayerSpec::Dense(2),
        ],
        vec![conv(2, 3, 2, Padding::Same), LayerSpec::Pool(PoolMode::Avg), LayerSpec::Dense(3)],
        vec![conv(4, 2, 2, Padding::Valid), conv(2, 1, 1, Padding::Same), LayerSpec::Pool(PoolMode::Max)],
    ];
    for (s, stack) in stacks.iter().enumerate() {
        for activation in Activation::ALL {
            for loss in [LossKind::CrossEntropy, LossKind::Mse] {
                let mut r = rng::seeded(11 + s as u64, Stream::Init);
                let mut net = Network::build(image, stack, 3, activation, Init::Xavier, &mut r).unwrap();
                // Small distinct biases: with Xavier's zero biases a position where every channel below is a
                // dead relu gives a pre-activation of exactly 0, a kink central differences cannot measure.
                for (l, _) in net.trainable(0).into_iter().filter(|&(_, t)| t == Tensor::Biases) {
                    let b = net.tensor_mut(l, Tensor::Biases);
                    b.iter_mut().enumerate().for_each(|(i, v)| *v = 0.03 + 0.01 * (i + l) as f64);
                }
                check_gradients(&net, &x, &y, loss, &format!("stack {s} {activation:?}"));
            }
        }
    }
}

/// The cross-entropy gradient is formed without cancellation: with margins of 40 the loss is about
/// e^−40 ≈ 4e-18, p_y rounds to exactly 1 (so the naive 1 − p_y is 0), yet the gradient entries equal
/// e^{o_k − o_y} to full relative precision.
#[test]
fn cross_entropy_gradient_survives_tiny_losses() {
    let outputs = array![[40.0, 0.0], [0.0, 41.0]];
    let mut grad = Array2::zeros((2, 2));
    let v = loss_gradient(LossKind::CrossEntropy, outputs.view(), &[0, 1], &mut grad);
    let naive_p_y = 1.0 / (1.0 + (-40.0f64).exp());
    assert_eq!(1.0 - naive_p_y, 0.0, "the naive formula cancels to zero here");
    let want = [(-40.0f64).exp() / 2.0, (-41.0f64).exp() / 2.0];
    assert!((grad[[0, 1]] - want[0]).abs() <= 1e-15 * want[0]);
    assert!((grad[[0, 0]] + want[0]).abs() <= 1e-15 * want[0]);
    assert!((grad[[1, 0]] - want[1]).abs() <= 1e-15 * want[1]);
    let loss = ((-40.0f64).exp().ln_1p() + (-41.0f64).exp().ln_1p()) / 2.0;
    assert!((v.value - loss).abs() <= 1e-15 * loss);
    // Beyond the double range the gradient comes back rescaled, with its exponent in log_scale.
    let far = array![[2000.0, 0.0], [0.0, 2001.0]];
    let v = loss_gradient(LossKind::CrossEntropy, far.view(), &[0, 1], &mut grad);
    assert_eq!(v.value, 0.0, "e^-2000 underflows");
    assert!((v.log_scale + 2000.0).abs() < 1e-9);
    assert!((grad[[0, 1]] - 0.5).abs() < 1e-12 && (grad[[1, 0]] - 0.5 * (-1.0f64).exp()).abs() < 1e-12);
    let true_log10 = (-2000.0 + ((1.0 + (-1.0f64).exp()) / 2.0).ln()) / std::f64::consts::LN_10;
    assert!((v.log10 - true_log10).abs() < 1e-9, "log10 loss {} vs {true_log10}", v.log10);
}

/// Training still moves the last layer's direction when the loss is below 1e-20: a network whose output
/// layer has been scaled up until the loss is below 1e-20 — where every p_y rounds to exactly 1, so a naive
/// 1 − p_y gradient would be zero and nothing would move (checked below) — keeps changing direction under
/// plain gradient descent of the last layer, and the loss keeps falling.
#[test]
fn training_moves_below_1e_minus_20() {
    let x = array![[0.0, 0.1], [0.1, 0.0], [1.0, 0.9], [0.9, 1.0], [0.2, 0.3]];
    let y = [0usize, 0, 1, 1, 0];
    let mut r = rng::seeded(3, Stream::Init);
    let mut net = Network::new(2, &[4, 2], 2, Activation::Tanh, Init::Xavier, &mut r);
    let mut opt = Optimizer::new(OptimizerKind::Gd, 0.5, 0.0);
    let mut ws = Workspace::default();
    let mut grads = Gradients::zeros_like(&net);
    for _ in 0..2000 {
        let v = net.loss_and_gradients(x.view(), &y, LossKind::CrossEntropy, 0, &mut ws, &mut grads);
        opt.step(&mut net, &grads, v, 0).unwrap();
    }
    let last = net.depth() - 1;
    while net.loss(x.view(), &y, LossKind::CrossEntropy).value >= 1e-20 {
        for t in [Tensor::Weights, Tensor::Biases] {
            net.tensor_mut(last, t).iter_mut().for_each(|v| *v *= 1.25);
        }
    }
    let before = net.loss(x.view(), &y, LossKind::CrossEntropy).value;
    assert!(before < 1e-20 && before > 0.0, "setup: loss {before}");
    // The naive softmax rounds every p_y to exactly 1 here: its 1 − p_y gradient is zero.
    let outputs = net.outputs_of(x.view());
    for (row, &label) in outputs.rows().into_iter().zip(&y) {
        let top = row.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        let total: f64 = row.iter().map(|v| (v - top).exp()).sum();
        let p_y = (row[label] - top).exp() / total;
        assert_eq!(1.0 - p_y, 0.0, "setup: the naive gradient must vanish (p_y = {p_y})");
    }
    let direction = |n: &Network| {
        let (w, b) = (n.output_layer().weights(), n.output_layer().biases());
        let d: Vec<f64> = (0..w.nrows()).map(|i| w[[i, 1]] - w[[i, 0]]).chain([b[1] - b[0]]).collect();
        let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
        d.into_iter().map(|v| v / norm).collect::<Vec<f64>>()
    };
    let d0 = direction(&net);
    // The last layer alone, with a step size matched to the loss, so that a correct gradient (of size ~loss)
    // moves it visibly.
    let mut opt = Optimizer::new(OptimizerKind::Gd, 0.05 / before, 0.0);
    let class_sum = |n: &Network| -> Vec<f64> {
        let (w, b) = (n.output_layer().weights(), n.output_layer().biases());
        (0..w.nrows()).map(|i| w[[i, 0]] + w[[i, 1]]).chain([b[0] + b[1]]).collect()
    };
    let sum0 = class_sum(&net);
    for _ in 0..20 {
        let v = net.loss_and_gradients(x.view(), &y, LossKind::CrossEntropy, last, &mut ws, &mut grads);
        // The true gradient of each point sums to zero over the classes (∂ℓ/∂o_y = −Σ_{k≠y} ∂ℓ/∂o_k); a naive
        // p_y − 1 would make it 0 for the right class and leave the others: the sums would not cancel.
        let g = grads.tensor(last, Tensor::Weights);
        let size = g.iter().map(|v| v.abs()).fold(0.0, f64::max);
        for (i, row) in g.chunks_exact(2).enumerate() {
            assert!((row[0] + row[1]).abs() <= 1e-9 * size, "row {i}: {} + {} (size {size:e})", row[0], row[1]);
        }
        opt.step(&mut net, &grads, v, last).unwrap();
    }
    for (a, b) in class_sum(&net).iter().zip(&sum0) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "gradient descent keeps w₀ + w₁: {a} vs {b}");
    }
    let after = net.loss(x.view(), &y, LossKind::CrossEntropy).value;
    let d1 = direction(&net);
    let moved: f64 = d0.iter().zip(&d1).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
    assert!(after < before, "loss {after} should fall below {before}");
    assert!(moved > 1e-9, "the direction should move, moved {moved}");
}

fn one_layer() -> (Network, Gradients) {
    let net = Network::from_dense(vec![(array![[1.0, 2.0], [3.0, 4.0]], array![0.0, 0.0])], Activation::Linear);
    let grads = gradients_of(&net, [0.5, -1.0, 0.0, 2.0, 1.0, -1.0]);
    (net, grads)
}

/// Gradients of the one-layer network: its four weights (row-major), then its two biases.
fn gradients_of(net: &Network, g: [f64; 6]) -> Gradients {
    let mut grads = Gradients::zeros_like(net);
    grads.tensor_mut(0, Tensor::Weights).copy_from_slice(&g[..4]);
    grads.tensor_mut(0, Tensor::Biases).copy_from_slice(&g[4..]);
    grads
}

fn flat(net: &Network) -> Vec<f64> {
    net.parameters().flatten().copied().collect()
}

fn plain_loss(value: f64) -> LossValue {
    LossValue { value, log10: value.log10(), log_scale: 0.0 }
}

/// The first steps of every optimiser on parameters p = (1, 2, 3, 4 | 0, 0) with a fixed gradient
/// g = (0.5, −1, 0, 2 | 1, −1), η = 0.1, against numbers worked out by hand:
/// - gd: p − 0.1 g;  with weight decay 0.5 on weights: p − 0.1 (g + 0.5 p);
/// - momentum, two steps: v₁ = g, v₂ = 0.9 g + g, so p − 0.1 g − 0.19 g = p − 0.29 g;
/// - adam, two steps: m̂ = g and v̂ = g² after each (bias correction), so each step is −0.1 sign(g)
///   (0 where g = 0), p − 0.2 sign(g) in all;
/// - rmsprop, one step: s = 0.1 g², step −0.1 g/(√0.1 |g|) = −0.316227766 sign(g);
/// - normalized_gd: ‖g‖ = √7.25, step −0.1 g/√7.25;
/// - loss_normalized_gd at loss 0.5: step −0.1 g/0.5 = −0.2 g.
#[test]
fn optimiser_first_steps_by_hand() {
    let g = [0.5, -1.0, 0.0, 2.0, 1.0, -1.0];
    let p = [1.0, 2.0, 3.0, 4.0, 0.0, 0.0];
    let sign = |v: f64| {
        if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        }
    };
    let cases: Vec<(OptimizerKind, f64, usize, Vec<f64>)> = vec![
        (OptimizerKind::Gd, 0.0, 1, (0..6).map(|i| p[i] - 0.1 * g[i]).collect()),
        (
            OptimizerKind::Gd,
            0.5,
            1,
            (0..6).map(|i| p[i] - 0.1 * (g[i] + if i < 4 { 0.5 * p[i] } else { 0.0 })).collect(),
        ),
        (OptimizerKind::Momentum, 0.0, 2, (0..6).map(|i| p[i] - 0.29 * g[i]).collect()),
        (OptimizerKind::Adam, 0.0, 2, (0..6).map(|i| p[i] - 0.2 * sign(g[i])).collect()),
        (OptimizerKind::Rmsprop, 0.0, 1, (0..6).map(|i| p[i] - 0.316_227_766_016_837_94 * sign(g[i])).collect()),
        (OptimizerKind::NormalizedGd, 0.0, 1, (0..6).map(|i| p[i] - 0.1 * g[i] / 7.25f64.sqrt()).collect()),
        (OptimizerKind::LossNormalizedGd, 0.0, 1, (0..6).map(|i| p[i] - 0.2 * g[i]).collect()),
    ];
    for (kind, decay, steps, want) in cases {
        let (mut net, grads) = one_layer();
        let mut opt = Optimizer::new(kind, 0.1, decay);
        for _ in 0..steps {
            opt.step(&mut net, &grads, plain_loss(0.5), 0).unwrap();
        }
        for (got, want) in flat(&net).iter().zip(&want) {
            assert!((got - want).abs() < 1e-7, "{kind:?} (decay {decay}): got {:?}, want {want:?}", flat(&net));
        }
    }
}

/// Momentum, Adam and RMSProp over two steps with two different gradients g₁ = (0.5, −1, 0, 2 | 1, −1) and
/// g₂ = (−1, 0.25, 3, 2 | 0, 0.5) (with a constant gradient Adam's bias correction hides wrong β's), against
/// the update rules written out here with β₁ 0.9, β₂ 0.999, ε 1e-8, momentum 0.9 and RMSProp decay 0.9:
/// - momentum: v₁ = g₁, v₂ = 0.9 g₁ + g₂, p − η(v₁ + v₂);
/// - adam: m₂ = 0.9·0.1 g₁ + 0.1 g₂, v₂ = 0.999·0.001 g₁² + 0.001 g₂², each step −η m̂/(√v̂ + ε);
/// - rmsprop: s₁ = 0.1 g₁², s₂ = 0.9 s₁ + 0.1 g₂², each step −η g/(√s + ε).
#[test]
fn optimisers_follow_their_rules_with_a_varying_gradient() {
    let g1: [f64; 6] = [0.5, -1.0, 0.0, 2.0, 1.0, -1.0];
    let g2: [f64; 6] = [-1.0, 0.25, 3.0, 2.0, 0.0, 0.5];
    let p = [1.0, 2.0, 3.0, 4.0, 0.0, 0.0];
    let lr: f64 = 0.1;
    let by_hand = |kind: OptimizerKind| -> Vec<f64> {
        (0..6)
            .map(|i| {
                let (a, b) = (g1[i], g2[i]);
                match kind {
                    OptimizerKind::Momentum => p[i] - lr * a - lr * (0.9 * a + b),
                    OptimizerKind::Adam => {
                        let (m1, v1) = (0.1 * a, 0.001 * a * a);
                        let (m2, v2) = (0.9 * m1 + 0.1 * b, 0.999 * v1 + 0.001 * b * b);
                        let step1 = lr * (m1 / 0.1) / ((v1 / 0.001).sqrt() + 1e-8);
                        let step2 = lr * (m2 / (1.0 - 0.81)) / ((v2 / (1.0 - 0.999 * 0.999)).sqrt() + 1e-8);
                        p[i] - step1 - step2
                    }
                    OptimizerKind::Rmsprop => {
                        let s1 = 0.1 * a * a;
                        let s2 = 0.9 * s1 + 0.1 * b * b;
                        p[i] - lr * a / (s1.sqrt() + 1e-8) - lr * b / (s2.sqrt() + 1e-8)
                    }
                    _ => unreachable!(),
                }
            })
            .collect()
    };
    for kind in [OptimizerKind::Momentum, OptimizerKind::Adam, OptimizerKind::Rmsprop] {
        let (mut net, _) = one_layer();
        let (first, second) = (gradients_of(&net, g1), gradients_of(&net, g2));
        let mut opt = Optimizer::new(kind, lr, 0.0);
        opt.step(&mut net, &first, plain_loss(0.5), 0).unwrap();
        opt.step(&mut net, &second, plain_loss(0.5), 0).unwrap();
        let want = by_hand(kind);
        for (got, want) in flat(&net).iter().zip(&want) {
            assert!((got - want).abs() < 1e-12, "{kind:?}: got {:?}, want {want:?}", flat(&net));
        }
    }
}

/// Mini-batch SGD visits the training set in an order reshuffled every epoch: with 160 points and batches
/// of 16, each run of ten batches is a permutation of all 160 rows, the second epoch's order differs from the
/// first's, the same seed gives the same order and another seed another.
#[test]
fn mini_batches_are_a_fresh_permutation_every_epoch() {
    let config = lastlayer::data::DataConfig { samples: 200, ..lastlayer::data::Source::Blobs.defaults() };
    let split = lastlayer::data::generate(&config, &Default::default()).unwrap();
    assert_eq!(split.train.len(), 160);
    let orders = |seed: u64| -> Vec<Vec<usize>> {
        let mut r = rng::seeded(1, Stream::Init);
        let net = Network::new(2, &[4, 2], 2, Activation::Tanh, Init::Xavier, &mut r);
        let mut t = lastlayer::nn::Trainer::new(
            net,
            Optimizer::new(OptimizerKind::Sgd, 0.1, 0.0),
            LossKind::CrossEntropy,
            16,
            split.train.inputs.clone(),
            split.train.labels.clone(),
            seed,
        );
        (0..3)
            .map(|_| {
                let mut epoch = Vec::new();
                for _ in 0..10 {
                    t.step(0).unwrap();
                    epoch.extend_from_slice(t.last_batch());
                }
                epoch
            })
            .collect()
    };
    let a = orders(1);
    for epoch in &a {
        let mut sorted = epoch.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..160).collect::<Vec<_>>(), "an epoch visits every row once");
    }
    assert_ne!(a[0], a[1], "reshuffled every epoch");
    assert_ne!(a[1], a[2]);
    assert_ne!(a[0], (0..160).collect::<Vec<_>>(), "shuffled, not in order");
    assert_eq!(orders(1), a, "the same seed, the same order");
    assert_ne!(orders(2)[0], a[0], "another seed, another order");
}

/// With two softmax outputs, per-example gradients sum to zero over the classes, so plain gradient descent
/// never changes w₀ + w₁ (nor b₀ + b₁): checked to 1e-12 over 500 steps of a 2-8-2-2 network.
#[test]
fn gradient_descent_conserves_the_class_sum() {
    let (x, y) = small_problem(2);
    let mut r = rng::seeded(9, Stream::Init);
    let mut net = Network::new(2, &[8, 2], 2, Activation::Relu, Init::He, &mut r);
    let sum_of = |n: &Network| -> Array1<f64> {
        let (w, b) = (n.output_layer().weights(), n.output_layer().biases());
        let mut s: Vec<f64> = (0..w.nrows()).map(|i| w[[i, 0]] + w[[i, 1]]).collect();
        s.push(b[0] + b[1]);
        Array1::from(s)
    };
    let before = sum_of(&net);
    let mut opt = Optimizer::new(OptimizerKind::Gd, 0.3, 0.0);
    let mut ws = Workspace::default();
    let mut grads = Gradients::zeros_like(&net);
    for _ in 0..500 {
        let v = net.loss_and_gradients(x.view(), &y, LossKind::CrossEntropy, 0, &mut ws, &mut grads);
        opt.step(&mut net, &grads, v, 0).unwrap();
    }
    let after = sum_of(&net);
    assert!((&after - &before).iter().all(|d| d.abs() < 1e-12), "before {before}, after {after}");
    let start = (y.iter().max().unwrap() + 1) as f64;
    let loss = net.loss(x.view(), &y, LossKind::CrossEntropy).value;
    // From about ln K at initialisation to a tenth of it: the network did train (so the invariance is not a
    // network standing still).
    assert!(loss < 0.1 * start.ln(), "the network did train: loss {loss}");
}

/// An exploding learning rate is refused: the step that would leave non-finite weights returns an error and
/// the weights keep their last finite values.
#[test]
fn divergence_is_refused_and_state_survives() {
    let (x, y) = small_problem(2);
    let mut r = rng::seeded(2, Stream::Init);
    let mut net = Network::new(2, &[4], 2, Activation::Square, Init::He, &mut r);
    let mut opt = Optimizer::new(OptimizerKind::Gd, 1e6, 0.0);
    let mut ws = Workspace::default();
    let mut grads = Gradients::zeros_like(&net);
    let mut refused = None;
    for step in 0..200 {
        let v = net.loss_and_gradients(x.view(), &y, LossKind::Mse, 0, &mut ws, &mut grads);
        let before = net.clone();
        if let Err(e) = opt.step(&mut net, &grads, v, 0) {
            assert_eq!(net, before, "a refused step must not touch the weights");
            refused = Some((step, e.reason));
            break;
        }
    }
    let (step, reason) = refused.expect("lr 1e6 with a square activation must blow up");
    assert!(net.is_finite(), "weights stay finite (refused at step {step}: {reason})");
}
