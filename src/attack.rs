//! Adversarial examples: the smallest change of an input that changes a classifier's decision — the network's,
//! or the SVM's on the network's hidden features pulled back through the network. If the last layer is the
//! SVM, the distance an attacker must cross in the input is tied to the SVM's margin in the feature space.
//!
//! The search is DeepFool (Moosavi-Dezfooli, Fawzi & Frossard 2016): linearise every other class's score
//! difference at the current point, step to the nearest linearised boundary, repeat until the decision
//! changes, with a small overshoot. Then the result is made exact along its ray: the first change of decision
//! along the segment from the input is found by marching and bisection, so the reported distance is that of a
//! real crossing and the reported point really is classified differently. Last, the crossing is refined: the
//! boundary is linearised at the crossing itself and the nearest point of that tangent plane gives a new ray —
//! DeepFool's step taken from the input with the boundary's true normal — until the distance stops falling,
//! which makes the perturbation normal to the boundary (a local minimum of the distance). Each other class is
//! also targeted on its own and the smallest crossing kept. In two dimensions rays in evenly spread directions
//! restart the refinement wherever they cross near the best crossing (or, when there is none yet, anywhere
//! within the search's reach).
//!
//! DeepFool can fail: its linearisation can jump to where the scores are flat and stop there. Then fallbacks
//! run, each giving a segment from the input to a point classified otherwise, whose first crossing is found
//! and refined as above: a march outwards along the gradient of each other class's score difference; the
//! segments to the nearest reference points (the training inputs) that the classifier gives another class —
//! which hold a crossing whenever the classifier gives any of them another class; and DeepFool restarted from
//! points around the input (in inputs wider than two these restarts always run: the first search's local
//! minimum can be a few percent farther than another). A point still without a crossing is reported as such,
//! with the reach searched (twice the farthest reference point's distance) as a lower bound on its distance.
//!
//! Everything is in the data's own units: the network sees (x − mean)/scale, and gradients are carried back
//! through that map. Every multiply-add is counted for the engine's budget.

use crate::data::Standardizer;
use crate::nn::{Network, Trace, Tracer};
use crate::svm::LinearClassifier;
use ndarray::ArrayView2;

/// The attack's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AttackOptions {
    /// DeepFool's largest number of steps.
    pub max_steps: usize,
    /// DeepFool's overshoot (the step is scaled by 1 + overshoot).
    pub overshoot: f64,
    /// The largest number of refinements of the crossing.
    pub refinements: usize,
    /// Whether each other class is also targeted on its own (K − 1 more searches).
    pub targeted: bool,
    /// In two dimensions, rays at this many evenly spread directions restart the refinement wherever they
    /// cross the boundary not much farther than the best crossing yet (0: none).
    pub rays: usize,
}

impl AttackOptions {
    /// The settings for inputs `width` wide: in two dimensions many refinements and rays (within 2 % of a
    /// brute-force search, tested in tests/attack_exact.rs); wider, fewer refinements and no rays.
    pub fn for_width(width: usize) -> AttackOptions {
        let plane = width == 2;
        AttackOptions {
            max_steps: 50,
            overshoot: 0.02,
            refinements: if plane { 30 } else { 4 },
            targeted: true,
            rays: if plane { 24 } else { 0 },
        }
    }
}

/// Which decision is attacked.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// The network's own (the arg-max of its outputs).
    Network,
    /// A linear classifier on the network's last hidden layer (an SVM), pulled back through the network.
    Features(&'a LinearClassifier),
}

/// A classifier of raw inputs with input gradients of its scores, counting its work.
pub struct Attacked<'a> {
    net: &'a Network,
    tracer: Tracer<'a>,
    standardizer: &'a Standardizer,
    target: Target<'a>,
    /// Reference points in the data's units (the training inputs) and their labels: the fallbacks' targets
    /// and the measure of the search's reach.
    anchors: Option<(ArrayView2<'a, f64>, &'a [usize])>,
    /// Multiply-adds spent.
    pub work: f64,
    forward: f64,
}

/// What the attack found for one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Crossing {
    /// The ℓ2 distance from the input to the adversarial point, in the data's units.
    pub distance: f64,
    /// The adversarial point (classified as `to`).
    pub point: Vec<f64>,
    /// The class the input is given.
    pub from: usize,
    /// The class the adversarial point is given.
    pub to: usize,
}

impl<'a> Attacked<'a> {
    /// The decision of `target`, for inputs in the data's own units that the network sees through
    /// `standardizer`.
    pub fn new(net: &'a Network, standardizer: &'a Standardizer, target: Target<'a>) -> Attacked<'a> {
        Attacked {
            net,
            tracer: net.tracer(),
            standardizer,
            target,
            anchors: None,
            work: 0.0,
            forward: net.forward_cost(),
        }
    }

    /// The same with reference points in the data's units and their labels (see the module docs).
    pub fn with_anchors(mut self, anchors: ArrayView2<'a, f64>, labels: &'a [usize]) -> Attacked<'a> {
        self.anchors = Some((anchors, labels));
        self
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.net.outputs()
    }

    fn trace(&mut self, x: &[f64]) -> Trace {
        let standardized = x
            .iter()
            .zip(&self.standardizer.mean)
            .zip(&self.standardizer.scale)
            .map(|((v, m), s)| (v - m) / s)
            .collect();
        self.work += self.forward;
        self.tracer.trace(standardized)
    }

    /// The class scores of a traced point: the network's outputs, or the feature classifier's (one row r is
    /// read as the scores (0, r), so that class 1 wins when r > 0).
    fn scores_of(&self, t: &Trace) -> Vec<f64> {
        match self.target {
            Target::Network => t.scores().to_vec(),
            Target::Features(c) => {
                let s = c.scores(t.features());
                if s.len() == 1 {
                    vec![0.0, s[0]]
                } else {
                    s
                }
            }
        }
    }

    /// The class scores of `x`.
    pub fn scores(&mut self, x: &[f64]) -> Vec<f64> {
        let t = self.trace(x);
        self.scores_of(&t)
    }

    /// The class of `x`.
    pub fn class_of(&mut self, x: &[f64]) -> usize {
        crate::linalg::argmax(&self.scores(x))
    }

    /// The gradient, with respect to the raw input, of the score difference s_to − s_from at a traced point.
    fn gradient(&mut self, t: &Trace, from: usize, to: usize) -> Vec<f64> {
        // The gradient with respect to the last hidden layer's activations, then back through the network.
        let g: Vec<f64> = match self.target {
            Target::Network => self.net.score_difference(from, to),
            Target::Features(c) => {
                if c.rows() == 1 {
                    let sign = if to == 1 { 1.0 } else { -1.0 };
                    c.w.row(0).iter().map(|v| sign * v).collect()
                } else {
                    c.w.row(to).iter().zip(c.w.row(from)).map(|(a, b)| a - b).collect()
                }
            }
        };
        let mut g = self.tracer.input_gradient(t, g);
        self.work += 2.0 * self.forward;
        g.iter_mut().zip(&self.standardizer.scale).for_each(|(gi, s)| *gi /= s);
        g
    }

    /// The smallest change of `x` found that changes the decision (see the module docs), or, when the search
    /// finds none, the reach it searched: no crossing lies on any segment it tried, and the true distance is
    /// at least the nearest crossing it could have missed.
    pub fn attack(&mut self, x: &[f64], options: &AttackOptions) -> Result<Crossing, f64> {
        let from = self.class_of(x);
        let k = self.classes();
        let mut best: Option<Crossing> = None;
        let targets: Vec<Option<usize>> =
            std::iter::once(None).chain((0..k).filter(|&c| c != from && options.targeted && k > 2).map(Some)).collect();
        for target in targets {
            if let Some(end) = self.deepfool(x, from, target, options) {
                self.keep_crossing(x, from, &end, options, &mut best);
            }
        }
        let reach = self.reach(x);
        if x.len() == 2 && options.rays > 0 {
            // Rays out to 1.5 × the best crossing (those crossing within 1.25 × it refined), or to the reach.
            let far = best.as_ref().map_or(reach, |b| 1.5 * b.distance);
            for j in 0..options.rays {
                let (sin, cos) = (j as f64 / options.rays as f64 * std::f64::consts::TAU).sin_cos();
                let end = [x[0] + far * cos, x[1] + far * sin];
                let Some(mut found) = self.first_crossing(x, from, &end) else { continue };
                if best.as_ref().is_some_and(|b| found.distance > 1.25 * b.distance) {
                    continue;
                }
                self.refine(x, from, &mut found, options);
                if best.as_ref().is_none_or(|b| found.distance < b.distance) {
                    best = Some(found);
                }
            }
        }
        // Wider than two: DeepFool again from points around the input, always (in 64 dimensions the first
        // search's local minimum is up to 6 % farther than projected gradient's on the digits; with the
        // restarts, 3.4 %: tests/attack_exact.rs).
        if x.len() > 2 {
            self.restart(x, from, reach, options, &mut best);
        }
        if best.is_none() {
            self.fall_back(x, from, reach, options, &mut best);
            if x.len() == 2 {
                self.restart(x, from, reach, options, &mut best);
            }
        }
        best.ok_or(reach)
    }

    /// How far the search reaches from `x`: twice the farthest reference point, or ten times x's size (plus
    /// one) without references.
    fn reach(&mut self, x: &[f64]) -> f64 {
        let Some((anchors, _)) = self.anchors else {
            return 10.0 * (1.0 + x.iter().map(|v| v * v).sum::<f64>().sqrt());
        };
        self.work += anchors.len() as f64;
        let far = anchors.rows().into_iter().map(|a| distance(a.iter(), x)).fold(0.0, f64::max);
        2.0 * far.max(1e-12)
    }

    /// The first crossing on the segment from `x` to `end` (classified otherwise), refined, kept if nearer.
    fn keep_crossing(
        &mut self,
        x: &[f64],
        from: usize,
        end: &[f64],
        options: &AttackOptions,
        best: &mut Option<Crossing>,
    ) {
        let Some(mut found) = self.first_crossing(x, from, end) else { return };
        self.refine(x, from, &mut found, options);
        if best.as_ref().is_none_or(|b| found.distance < b.distance) {
            *best = Some(found);
        }
    }

    /// The fallbacks when DeepFool found no crossing (see the module docs): the march along the gradients and the
    /// segments to the nearest reference points of other classes.
    fn fall_back(&mut self, x: &[f64], from: usize, reach: f64, options: &AttackOptions, best: &mut Option<Crossing>) {
        // Outwards along the gradient of each other class's score difference, nearest class first.
        let t = self.trace(x);
        let s = self.scores_of(&t);
        let mut others: Vec<usize> = (0..s.len()).filter(|&c| c != from).collect();
        crate::order::sort_by_key(&mut others, |&c| (s[from] - s[c], c));
        for other in others {
            let g = self.gradient(&t, from, other);
            let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            if !(norm > 0.0 && norm.is_finite()) {
                continue;
            }
            let direction: Vec<f64> = g.iter().map(|v| v / norm).collect();
            if let Some(end) = self.march(x, from, &direction, reach) {
                self.keep_crossing(x, from, &end, options, best);
            }
        }
        // Towards the nearest reference points the classifier gives another class: those labelled another class
        // first (most are classified so), then the others, nearest first.
        if let Some((anchors, labels)) = self.anchors {
            let mut near = crate::order::argsort(anchors.nrows(), |i| distance(anchors.row(i).iter(), x));
            crate::order::sort_by_key(&mut near, |&i| (f64::from(u8::from(labels[i] == from)), 0));
            let mut kept = 0;
            for &i in near.iter().take(ANCHORS_CHECKED) {
                let a = anchors.row(i).to_vec();
                if self.class_of(&a) != from {
                    self.keep_crossing(x, from, &a, options, best);
                    kept += 1;
                    if kept == ANCHORS_TRIED {
                        break;
                    }
                }
            }
        }
    }

    /// DeepFool again from points around the input, at a fiftieth of the reach (the same draws for every point:
    /// reproducible), each crossing found refined and the nearest kept.
    fn restart(&mut self, x: &[f64], from: usize, reach: f64, options: &AttackOptions, best: &mut Option<Crossing>) {
        let mut rng = crate::rng::seeded(RESTART_SEED, crate::rng::Stream::Aux);
        for _ in 0..RESTARTS {
            let u: Vec<f64> = x.iter().map(|_| crate::rng::normal(&mut rng)).collect();
            let size = u.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-300);
            let start: Vec<f64> = x.iter().zip(&u).map(|(xi, ui)| xi + 0.02 * reach * ui / size).collect();
            let end =
                if self.class_of(&start) != from { Some(start) } else { self.deepfool(&start, from, None, options) };
            if let Some(end) = end {
                self.keep_crossing(x, from, &end, options, best);
            }
        }
    }

    /// The nearest of the radii reach/2¹², reach/2¹¹, …, reach along `direction` from `x` where the decision is
    /// no longer `from`, as a point.
    fn march(&mut self, x: &[f64], from: usize, direction: &[f64], reach: f64) -> Option<Vec<f64>> {
        (0..=MARCH_DOUBLINGS).find_map(|j| {
            let r = reach / f64::from(1u32 << (MARCH_DOUBLINGS - j));
            let end: Vec<f64> = x.iter().zip(direction).map(|(xi, di)| xi + r * di).collect();
            (self.class_of(&end) != from).then_some(end)
        })
    }

    /// DeepFool from `x` (of class `from`), towards `target` or the nearest class: the first point of its path
    /// that is classified otherwise (`from` is the input's class, which a restart's start shares).
    fn deepfool(&mut self, x: &[f64], from: usize, target: Option<usize>, options: &AttackOptions) -> Option<Vec<f64>> {
        let mut total = vec![0.0; x.len()];
        let mut point = x.to_vec();
        for _ in 0..options.max_steps {
            let t = self.trace(&point);
            let s = self.scores_of(&t);
            if crate::linalg::argmax(&s) != from {
                return Some(point);
            }
            let mut step: Option<(f64, Vec<f64>, f64)> = None;
            for other in (0..s.len()).filter(|&c| c != from && target.is_none_or(|t| t == c)) {
                let w = self.gradient(&t, from, other);
                let norm2: f64 = w.iter().map(|v| v * v).sum();
                if norm2 <= 0.0 || !norm2.is_finite() {
                    continue;
                }
                let gap = (s[from] - s[other]).max(0.0);
                let distance = gap / norm2.sqrt();
                if step.as_ref().is_none_or(|(d, _, _)| distance < *d) {
                    step = Some((distance, w, (gap + 1e-9 * (1.0 + gap)) / norm2));
                }
            }
            let (_, w, scale) = step?;
            for (r, wi) in total.iter_mut().zip(&w) {
                *r += scale * wi;
            }
            for ((p, xi), r) in point.iter_mut().zip(x).zip(&total) {
                *p = xi + (1.0 + options.overshoot) * r;
            }
        }
        (self.class_of(&point) != from).then_some(point)
    }

    /// The first change of decision along the segment from `x` to `end` (which is classified otherwise):
    /// marched in steps, then bisected to the last bit that matters; the point returned is just past it.
    fn first_crossing(&mut self, x: &[f64], from: usize, end: &[f64]) -> Option<Crossing> {
        const MARCH: usize = 16;
        let at = |t: f64| -> Vec<f64> { x.iter().zip(end).map(|(a, b)| a + t * (b - a)).collect() };
        let mut lo = 0.0;
        let mut hi = 1.0;
        for i in 1..=MARCH {
            let t = i as f64 / MARCH as f64;
            if self.class_of(&at(t)) != from {
                hi = t;
                break;
            }
            lo = t;
        }
        if lo >= hi {
            return None;
        }
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if self.class_of(&at(mid)) != from {
                hi = mid;
            } else {
                lo = mid;
            }
            if hi - lo <= 1e-10 * hi {
                break;
            }
        }
        let point = at(hi);
        let to = self.class_of(&point);
        if to == from {
            return None;
        }
        let distance = point.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
        Some(Crossing { distance, point, from, to })
    }

    /// Refines a crossing (see the module docs): from the input, the nearest point of the boundary's tangent
    /// plane at the crossing gives a new ray, kept while the crossing along it comes nearer.
    fn refine(&mut self, x: &[f64], from: usize, found: &mut Crossing, options: &AttackOptions) {
        for _ in 0..options.refinements {
            let t = self.trace(&found.point);
            let s = self.scores_of(&t);
            let g = self.gradient(&t, from, found.to);
            let norm2: f64 = g.iter().map(|v| v * v).sum();
            if norm2 <= 0.0 || !norm2.is_finite() {
                return;
            }
            // g·(q − p) = −(s_to − s_from)(p) on the tangent plane; its nearest point to x.
            let gap = s[found.to] - s[from];
            let along: f64 = g.iter().zip(x).zip(&found.point).map(|((gi, xi), pi)| gi * (xi - pi)).sum::<f64>();
            let c = -(gap + along) / norm2;
            let q: Vec<f64> = x.iter().zip(&g).map(|(xi, gi)| xi + c * gi).collect();
            // Along the ray through q, past it a little so that the crossing is inside the segment.
            let end: Vec<f64> = x.iter().zip(&q).map(|(xi, qi)| xi + 1.5 * (qi - xi)).collect();
            if self.class_of(&end) == from {
                return;
            }
            let Some(next) = self.first_crossing(x, from, &end) else { return };
            if next.distance >= found.distance * (1.0 - 1e-9) {
                return;
            }
            *found = next;
        }
    }
}

/// How many of the nearest reference points the fallback classifies, and how many of another class it tries.
const ANCHORS_CHECKED: usize = 64;
const ANCHORS_TRIED: usize = 4;
/// DeepFool restarts of the fallback, and the seed of their starting points.
const RESTARTS: usize = 4;
const RESTART_SEED: u64 = 0xDEE9_F001;
/// The fallback's march along a gradient doubles its radius this many times up to the reach.
const MARCH_DOUBLINGS: u32 = 12;

/// The ℓ2 distance between `a` and `b`.
fn distance<'a>(a: impl Iterator<Item = &'a f64>, b: &[f64]) -> f64 {
    a.zip(b).map(|(p, q)| (p - q) * (p - q)).sum::<f64>().sqrt()
}

/// Spearman's rank correlation of two equally long samples (ties share their mean rank); NaN for fewer
/// than three pairs or a constant sample.
pub fn rank_correlation(a: &[f64], b: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let order = crate::order::argsort(v.len(), |i| v[i]);
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
                j += 1;
            }
            let mean = 0.5 * (i + j) as f64 + 1.0;
            for &k in &order[i..=j] {
                r[k] = mean;
            }
            i = j + 1;
        }
        r
    }
    let n = a.len().min(b.len());
    if n < 3 {
        return f64::NAN;
    }
    let (ra, rb) = (ranks(&a[..n]), ranks(&b[..n]));
    let mean = (n as f64 + 1.0) / 2.0;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - mean) * (y - mean);
        saa += (x - mean) * (x - mean);
        sbb += (y - mean) * (y - mean);
    }
    if saa == 0.0 || sbb == 0.0 {
        return f64::NAN;
    }
    sab / (saa * sbb).sqrt()
}

/// The signed distance of hidden features `h` (of class `label`) to a linear classifier's boundary in the
/// feature space: for one row |w·h + b|/‖w‖ signed by the side, for K rows the smallest over the other
/// classes of (s_label − s_k)/‖w_label − w_k‖. Negative when misclassified.
pub fn feature_distance(c: &LinearClassifier, h: &[f64], label: usize) -> f64 {
    let s = c.scores(h);
    if s.len() == 1 {
        let sign = if label == 1 { 1.0 } else { -1.0 };
        return sign * s[0] / c.w_norm();
    }
    (0..s.len())
        .filter(|&k| k != label)
        .map(|k| {
            let d: f64 = c.w.row(label).iter().zip(c.w.row(k)).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
            (s[label] - s[k]) / d
        })
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, Init};
    use ndarray::{array, Array1};

    /// A linear "network" (one linear hidden layer, the identity) separating x₁ > 0.3 from below: the true
    /// distance is |x₁ − 0.3|, found exactly, and the point is on the other side.
    #[test]
    fn a_linear_boundary_is_found_exactly() {
        let net = Network::from_dense(
            vec![
                (array![[1.0, 0.0], [0.0, 1.0]], Array1::zeros(2)),
                (array![[-1.0, 1.0], [0.0, 0.0]], array![0.3, -0.3]),
            ],
            Activation::Linear,
        );
        let st = Standardizer::identity(2);
        let mut a = Attacked::new(&net, &st, Target::Network);
        let found = a.attack(&[0.1, 5.0], &AttackOptions::for_width(2)).expect("a crossing");
        assert_eq!((found.from, found.to), (0, 1));
        assert!((found.distance - 0.2).abs() < 1e-8, "{}", found.distance);
        assert!((found.point[0] - 0.3).abs() < 1e-8 && (found.point[1] - 5.0).abs() < 1e-8, "{:?}", found.point);
        assert!(a.work > 0.0);
        // In standardised units the same boundary, seen through scale 2 and mean 1 on x₁: x₁ = 1 + 2·0.3.
        let st = Standardizer { mean: vec![1.0, 0.0], scale: vec![2.0, 1.0] };
        let found = Attacked::new(&net, &st, Target::Network)
            .attack(&[1.0, 0.0], &AttackOptions::for_width(2))
            .expect("a crossing");
        assert!((found.distance - 0.6).abs() < 1e-8, "{}", found.distance);
    }

    /// Gradients through tanh layers equal central differences of the score difference.
    #[test]
    fn gradients_match_finite_differences() {
        let mut r = crate::rng::seeded(3, crate::rng::Stream::Init);
        let net = Network::new(3, &[5, 4], 3, Activation::Tanh, Init::Xavier, &mut r);
        let st = Standardizer { mean: vec![0.1, -0.2, 0.3], scale: vec![1.5, 0.5, 2.0] };
        let svm = LinearClassifier::new(
            array![[1.0, -0.5, 0.2, 0.3], [0.0, 1.0, -1.0, 0.5], [0.4, 0.4, 0.4, -2.0]],
            vec![0.1, 0.0, -0.1],
        );
        for target in [Target::Network, Target::Features(&svm)] {
            let mut a = Attacked::new(&net, &st, target);
            let x = [0.3, -0.7, 1.1];
            let t = a.trace(&x);
            let g = a.gradient(&t, 0, 2);
            for i in 0..3 {
                let h = 1e-6;
                let mut up = x;
                up[i] += h;
                let mut down = x;
                down[i] -= h;
                let (su, sd) = (a.scores(&up), a.scores(&down));
                let fd = ((su[2] - su[0]) - (sd[2] - sd[0])) / (2.0 * h);
                assert!((fd - g[i]).abs() < 1e-7 * (1.0 + fd.abs()), "{i}: {fd} vs {}", g[i]);
            }
        }
    }

    #[test]
    fn rank_correlation_of_monotone_and_reversed_samples() {
        let a = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((rank_correlation(&a, &[0.1, 0.2, 0.25, 0.9, 5.0]) - 1.0).abs() < 1e-12);
        assert!((rank_correlation(&a, &[5.0, 4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        // Ties: ranks 1, 2.5, 2.5, 4 against 1, 2, 3, 4.
        let r = rank_correlation(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]);
        assert!((r - 4.5 / (4.5f64 * 5.0).sqrt()).abs() < 1e-12, "{r}");
        assert!(rank_correlation(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
    }
}
