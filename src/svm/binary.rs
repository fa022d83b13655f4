//! Binary linear SVM by dual coordinate descent (Hsieh, Chang, Lin, Keerthi & Sundararajan, "A dual coordinate
//! descent method for large-scale linear SVM", ICML 2008), with a regularised or a free bias.
//!
//! With labels yᵢ ∈ {−1, +1}, decision value f(x) = w·x + b and slack loss ξ(z) = max(0, z) (hinge, L1) or
//! max(0, z)² (squared hinge, L2):
//!
//! **Regularised bias** (LIBLINEAR `-B B`): the bias is a weight b̃ on a constant feature B, b = B·b̃,
//!
//! ```text
//!   min_{w,b̃}  ½(‖w‖² + b̃²) + C Σᵢ ξ(1 − yᵢ(w·xᵢ + B·b̃))
//!   dual:  min_α ½ αᵀ(Q + D)α − Σᵢ αᵢ   s.t. 0 ≤ αᵢ ≤ U,   Qᵢⱼ = yᵢyⱼ(xᵢ·xⱼ + B²),
//! ```
//! with U = C, D = 0 for L1 and U = ∞, Dᵢᵢ = 1/(2C) for L2; w = Σ αᵢyᵢxᵢ, b = B²·Σ αᵢyᵢ.
//!
//! **Free bias** (the classic SVM, LIBSVM's): min ½‖w‖² + C Σ ξ(1 − yᵢ(w·xᵢ + b)); its dual adds the
//! equality Σ αᵢyᵢ = 0, which single-coordinate steps cannot keep. We handle it by the augmented Lagrangian:
//! minimise ½αᵀ(Q + D)α − Σα + μ·yᵀα + (ρ/2)(yᵀα)² over the box (the same coordinate descent, with the bias
//! "feature" √ρ and an offset μ), then μ ← μ + ρ·yᵀα; μ converges to the optimal bias b. The box
//! sub-problems are warm-started from each other, so the outer loop costs a few extra epochs.
//!
//! **Stopping rule.** Coordinate descent runs with LIBLINEAR's shrinking and its projected-gradient spread
//! test (max PG − min PG ≤ ε). Each time that test passes on the full set, the duality gap is certified:
//! the primal P(w, b) at the current w (with, for a free bias, the b that minimises P exactly) against the
//! dual D(α) at a feasible α (for a free bias, α projected onto yᵀα = 0 by scaling one class's αs down).
//! The solver stops when (P − D)/D ≤ `tol`; otherwise ε shrinks tenfold and descent goes on. An epoch cap
//! guards against pathological inputs and is reported when hit. Since P is 1-strongly convex in the weights,
//! ‖w − w*‖ ≤ √(2(P − D)): the certified gap bounds the direction error too (`angle_bound_deg`).
//!
//! **Exact finish.** Coordinate descent converges only linearly, and very slowly when the few free
//! support vectors are nearly dependent (low-dimensional or freshly initialised features, large C: exactly
//! the page's case, and where LIBLINEAR stops far from the optimum). So whenever a certificate fails, the
//! solver guesses the partition of the dual variables (at 0, at C, strictly between) and solves the KKT
//! conditions on that guess exactly. For the hinge loss this is a primal active-set method on the dual
//! ([`super::hinge_finish`]), whose linear systems are the Gram block of the free variables only — at most
//! d + 1 of them at a generic optimum, and usually a handful — so wide features cost no more than narrow
//! ones; it repairs a wrong guess one variable at a time, starting from the partition of the dual iterate
//! and then, if that fails, from the partition the *primal* point implies (margins below 1 at C, above 1 at
//! 0, those nearest to 1 free), which descent gets right long before its dual variables settle. The squared
//! hinge uses the finite Newton method (Keerthi & DeCoste, 2005) in the (d+1)-dimensional primal. Besides
//! each failed certificate, the finish is tried at epochs 16, 32, 64, …: on overlapping classes at large C,
//! descent alone needs up to 10⁵–10⁶ epochs.
//!
//! **Resumable.** The solver is a state machine advanced one unit at a time — an epoch of descent, or a
//! certificate with its finish — each reporting the multiply-adds it cost, so that a caller can spread a fit
//! over many short slices (the page's frames) and budget it against training by counted work. The sequence of
//! units does not depend on how they are sliced: the answer is the same whatever the budget per call.

use super::hinge_finish::{self, Finish, HingeProblem};
use super::{Loss, SolveStats, SolverOptions, KKT_GAP_FLOOR};
use crate::linalg::{axpy, dot, row_dots, Lu};
use crate::rng::{self, Rng, Stream};

/// Where the bias comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum BiasKind {
    /// A weight on a constant feature of this scale (B).
    Regularized(f64),
    /// Unpenalised, handled by the augmented Lagrangian.
    Free,
}

/// One binary problem, without its features (which every call borrows, n × d row-major): labels ±1 and
/// the formulation.
#[derive(Clone, Debug)]
pub(crate) struct Binary {
    pub n: usize,
    pub d: usize,
    pub y: Vec<f64>,
    pub loss: Loss,
    pub c: f64,
    pub bias: BiasKind,
    pub options: SolverOptions,
}

/// The solution of a binary problem.
#[derive(Clone, Debug)]
pub(crate) struct BinarySolution {
    pub w: Vec<f64>,
    pub b: f64,
    pub alpha: Vec<f64>,
    /// The bias multiplier μ (free bias only; 0 otherwise).
    pub mu: f64,
    pub stats: SolveStats,
}

/// Dual coordinate descent in progress (see the module docs).
pub(crate) struct BinarySolver {
    p: Binary,
    upper: f64,
    shift: f64,
    /// κ: the curvature the bias adds to every pair (B² or the augmented Lagrangian's ρ).
    kappa: f64,
    qd: Vec<f64>,
    alpha: Vec<f64>,
    mu: f64,
    w: Vec<f64>,
    s: f64,
    rng: Rng,
    order: Vec<usize>,
    active: usize,
    eps: f64,
    pg_max_old: f64,
    pg_min_old: f64,
    epochs: usize,
    finished: Option<SolveStats>,
}

fn row(x: &[f64], d: usize, i: usize) -> &[f64] {
    &x[i * d..(i + 1) * d]
}

impl Binary {
    /// Upper bound U and diagonal shift Dᵢᵢ of the dual.
    fn box_and_shift(&self) -> (f64, f64) {
        match self.loss {
            Loss::Hinge => (self.c, 0.0),
            Loss::SquaredHinge => (f64::INFINITY, 0.5 / self.c),
        }
    }

    /// ξ(z) summed and scaled by C, for decision values `f`.
    fn loss_sum(&self, f: impl Fn(usize) -> f64) -> f64 {
        let mut s = 0.0;
        for i in 0..self.n {
            let z = (1.0 - self.y[i] * f(i)).max(0.0);
            s += match self.loss {
                Loss::Hinge => z,
                Loss::SquaredHinge => z * z,
            };
        }
        self.c * s
    }

    /// xᵢ·w for every point.
    fn margins(&self, x: &[f64], w: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.n];
        row_dots(x, self.d, w, &mut out);
        out
    }

    /// w = Σ αᵢyᵢxᵢ and s = Σ αᵢyᵢ, recomputed from scratch (clears incremental rounding drift).
    fn weights_from(&self, x: &[f64], alpha: &[f64]) -> (Vec<f64>, f64) {
        let mut w = vec![0.0; self.d];
        let mut s = 0.0;
        for i in 0..self.n {
            if alpha[i] != 0.0 {
                axpy(alpha[i] * self.y[i], row(x, self.d, i), &mut w);
                s += alpha[i] * self.y[i];
            }
        }
        (w, s)
    }

    /// The primal point the dual variables give: w = Σ αᵢyᵢxᵢ, and b = B²·Σαᵢyᵢ (regularised) or the exact
    /// minimiser of the primal over b for this w (free).
    fn primal_point(&self, x: &[f64], alpha: &[f64], mu: f64, kappa: f64) -> (Vec<f64>, f64) {
        let (w, s) = self.weights_from(x, alpha);
        let b = match self.bias {
            BiasKind::Regularized(_) => kappa * s,
            BiasKind::Free => {
                let margins = self.margins(x, &w);
                self.best_bias(&margins, mu)
            }
        };
        (w, b)
    }

    /// The b minimising C Σ ξ(1 − yᵢ(mᵢ + b)) (convex in b): bisection on its monotone (sub)gradient,
    /// bracketed around `guess`, to full double precision.
    fn best_bias(&self, margins: &[f64], guess: f64) -> f64 {
        let slope = |b: f64| -> f64 {
            let mut g = 0.0;
            for i in 0..self.n {
                let z = 1.0 - self.y[i] * (margins[i] + b);
                if z > 0.0 {
                    g -= self.y[i]
                        * match self.loss {
                            Loss::Hinge => 1.0,
                            Loss::SquaredHinge => 2.0 * z,
                        };
                }
            }
            g
        };
        let guess = if guess.is_finite() { guess } else { 0.0 };
        let mut step = 1.0f64;
        let mut lo = guess - step;
        while slope(lo) > 0.0 && step < 1e300 {
            step *= 4.0;
            lo = guess - step;
        }
        step = 1.0;
        let mut hi = guess + step;
        while slope(hi) < 0.0 && step < 1e300 {
            step *= 4.0;
            hi = guess + step;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if slope(mid) > 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        // Both ends are optimal to rounding for hinge plateaus; take the one with the smaller objective.
        let obj = |b: f64| self.loss_sum(|i| margins[i] + b);
        if obj(lo) <= obj(hi) {
            lo
        } else {
            hi
        }
    }

    /// Primal, dual and gap at the dual variables (see the module docs), with the work it took.
    fn certify(&self, x: &[f64], alpha: &[f64], mu: f64, kappa: f64, shift: f64) -> (SolveStats, f64) {
        let (n, d) = (self.n, self.d);
        let (w, b) = self.primal_point(x, alpha, mu, kappa);
        let ww = dot(&w, &w);
        let margins = self.margins(x, &w);
        let mut work = 3.0 * (n * d) as f64;
        let primal = match self.bias {
            BiasKind::Regularized(_) => {
                let b_tilde = b / kappa.sqrt();
                0.5 * (ww + b_tilde * b_tilde) + self.loss_sum(|i| margins[i] + b)
            }
            BiasKind::Free => 0.5 * ww + self.loss_sum(|i| margins[i] + b),
        };
        let dual = match self.bias {
            BiasKind::Regularized(_) => {
                let s: f64 = (0..n).map(|i| alpha[i] * self.y[i]).sum();
                let sum: f64 = alpha.iter().sum();
                let sq: f64 = alpha.iter().map(|a| a * a).sum();
                sum - 0.5 * ww - 0.5 * kappa * s * s - 0.5 * shift * sq
            }
            BiasKind::Free => {
                // Project onto yᵀα = 0 by scaling down the class with the excess: stays inside the box.
                work += (n * d + 250 * n) as f64;
                let (mut pos, mut neg) = (0.0, 0.0);
                for i in 0..n {
                    if self.y[i] > 0.0 {
                        pos += alpha[i];
                    } else {
                        neg += alpha[i];
                    }
                }
                let (scale_pos, scale_neg) = if pos > neg {
                    ((neg / pos).min(1.0), 1.0)
                } else if neg > 0.0 {
                    (1.0, (pos / neg).min(1.0))
                } else {
                    (1.0, 1.0)
                };
                let feasible: Vec<f64> =
                    (0..n).map(|i| alpha[i] * if self.y[i] > 0.0 { scale_pos } else { scale_neg }).collect();
                let (wf, _) = self.weights_from(x, &feasible);
                let sum: f64 = feasible.iter().sum();
                let sq: f64 = feasible.iter().map(|a| a * a).sum();
                sum - 0.5 * dot(&wf, &wf) - 0.5 * shift * sq
            }
        };
        let norm = match self.bias {
            BiasKind::Regularized(_) => (ww + b * b / kappa).sqrt(),
            BiasKind::Free => ww.sqrt(),
        };
        (SolveStats::certified(primal, dual, norm), work)
    }

    /// A starting partition for the hinge finish read off the primal point (w, b) of α: points inside the
    /// margin at U, points outside at 0, and those within a band around the margin free (at most d + 1,
    /// which is how many a generic optimum has), keeping their current values.
    fn margin_partition(&self, x: &[f64], alpha: &[f64], mu: f64, kappa: f64, upper: f64) -> Vec<f64> {
        let (w, b) = self.primal_point(x, alpha, mu, kappa);
        let margins: Vec<f64> = self.margins(x, &w).iter().zip(&self.y).map(|(m, y)| y * (m + b)).collect();
        let nearest = crate::order::argsort(self.n, |i| (margins[i] - 1.0).abs());
        let mut start: Vec<f64> = margins.iter().map(|&m| if m < 1.0 { upper } else { 0.0 }).collect();
        // Strictly inside the box, so that the finish treats them as free from its first round.
        let inner = upper * 1e-9;
        let band = 1e-2;
        for &i in nearest.iter().take((self.d + 1).min(self.n)) {
            if (margins[i] - 1.0).abs() > band {
                break;
            }
            start[i] = alpha[i].clamp(inner, upper - inner);
        }
        start
    }

    /// The exact finish for the squared hinge: the finite Newton method (Keerthi & DeCoste 2005) in the
    /// (d+1)-dimensional primal. With F the points inside the margin, the primal restricted to F is a
    /// quadratic whose minimiser solves (δP + Z_FᵀZ_F) w̃ = Z_Fᵀ1 (δ = 1/(2C), zᵢ = yᵢ[xᵢ; t]); F is then
    /// recomputed from w̃ until it repeats. The dual point is αᵢ = (1 − zᵢ·w̃)/δ on F, 0 elsewhere.
    fn newton_squared_hinge(
        &self,
        x: &[f64],
        alpha: &[f64],
        kappa: f64,
        shift: f64,
        work: &mut f64,
    ) -> Option<(Vec<f64>, f64)> {
        let (n, d) = (self.n, self.d);
        let p = d + 1;
        let regularized = matches!(self.bias, BiasKind::Regularized(_));
        let t = if regularized { kappa.sqrt() } else { 1.0 };
        let z_row = |i: usize, out: &mut [f64]| {
            for j in 0..d {
                out[j] = self.y[i] * x[i * d + j];
            }
            out[d] = self.y[i] * t;
        };
        let mut inside: Vec<bool> = alpha.iter().map(|&a| a > 0.0).collect();
        let mut zi = vec![0.0; p];
        let mut w_tilde = vec![0.0; p];
        for _round in 0..50 {
            let mut m = vec![0.0; p * p];
            let mut r = vec![0.0; p];
            for j in 0..p {
                m[j * p + j] = if j < d || regularized { shift } else { 0.0 };
            }
            let mut count = 0;
            for i in (0..n).filter(|&i| inside[i]) {
                z_row(i, &mut zi);
                count += 1;
                for a in 0..p {
                    r[a] += zi[a];
                    for b in 0..p {
                        m[a * p + b] += zi[a] * zi[b];
                    }
                }
            }
            *work += (count * p * p + p * p * p / 3 + n * p) as f64;
            w_tilde = Lu::factor(&m, p)?.solve(&r)?;
            let mut changed = false;
            for i in 0..n {
                z_row(i, &mut zi);
                let now = dot(&zi, &w_tilde) < 1.0;
                changed |= now != inside[i];
                inside[i] = now;
            }
            if !changed {
                break;
            }
        }
        let out: Vec<f64> = (0..n)
            .map(|i| {
                if inside[i] {
                    z_row(i, &mut zi);
                    ((1.0 - dot(&zi, &w_tilde)) / shift).max(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        Some((out, if regularized { 0.0 } else { w_tilde[d] }))
    }
}

impl BinarySolver {
    /// A solver at its starting point: `warm` (dual variables and μ) when given and of the right length,
    /// else zero.
    pub fn new(p: Binary, x: &[f64], warm: Option<(&[f64], f64)>) -> BinarySolver {
        let (upper, shift) = p.box_and_shift();
        let alpha: Vec<f64> = match warm {
            Some((a, _)) if a.len() == p.n => {
                a.iter().map(|&v| if v.is_finite() { v.clamp(0.0, upper) } else { 0.0 }).collect()
            }
            _ => vec![0.0; p.n],
        };
        let mu = match (warm, p.bias) {
            (Some((a, m)), BiasKind::Free) if a.len() == p.n && m.is_finite() => m,
            _ => 0.0,
        };
        let sq_norms: Vec<f64> = (0..p.n).map(|i| dot(row(x, p.d, i), row(x, p.d, i))).collect();
        let kappa = match p.bias {
            BiasKind::Regularized(b) => b * b,
            BiasKind::Free => (sq_norms.iter().sum::<f64>() / p.n as f64).max(1e-12),
        };
        let qd = sq_norms.iter().map(|&q| q + kappa + shift).collect();
        let (w, s) = p.weights_from(x, &alpha);
        let rng = rng::seeded(p.options.seed, Stream::Solver);
        BinarySolver {
            upper,
            shift,
            kappa,
            qd,
            alpha,
            mu,
            w,
            s,
            rng,
            order: (0..p.n).collect(),
            active: p.n,
            eps: 0.1,
            pg_max_old: f64::INFINITY,
            pg_min_old: f64::NEG_INFINITY,
            epochs: 0,
            finished: None,
            p,
        }
    }

    /// Runs units until the problem is solved or `budget` (multiply-adds) is spent; the last unit may
    /// overdraw it. Returns whether the problem is solved.
    pub fn advance(&mut self, x: &[f64], budget: &mut f64) -> bool {
        while self.finished.is_none() && *budget > 0.0 {
            *budget -= self.unit(x);
        }
        self.finished.is_some()
    }

    /// Passes over the data so far.
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// The dual variables now and μ (warm-start material, certified or not).
    pub fn dual(&self) -> (&[f64], f64) {
        (&self.alpha, self.mu)
    }

    /// The solution (call once [`BinarySolver::advance`] has returned true).
    pub fn into_solution(self, x: &[f64]) -> BinarySolution {
        let mut stats = self.finished.clone().unwrap_or_default();
        stats.epochs = self.epochs;
        let (w, b) = self.p.primal_point(x, &self.alpha, self.mu, self.kappa);
        let mu = if self.p.bias == BiasKind::Free { self.mu } else { 0.0 };
        BinarySolution { w, b, alpha: self.alpha, mu, stats }
    }

    /// One unit: an epoch of descent and, when its tests pass, a certificate (with the finish if that
    /// fails). Returns the multiply-adds it cost.
    fn unit(&mut self, x: &[f64]) -> f64 {
        let (n, d) = (self.p.n, self.p.d);
        if self.epochs >= self.p.options.max_epochs {
            let (mut stats, mut work) = self.certify(x);
            self.try_polish(x, &mut stats, None, &mut work);
            stats.capped = stats.rel_gap > self.p.options.tol;
            self.finished = Some(stats);
            return work;
        }
        self.epochs += 1;
        let upper = self.upper;
        rng::shuffle(&mut self.rng, &mut self.order[..self.active]);
        let mut pg_max = f64::NEG_INFINITY;
        let mut pg_min = f64::INFINITY;
        let mut k = 0;
        let mut visited = 0usize;
        let mut moved = 0usize;
        while k < self.active {
            let i = self.order[k];
            visited += 1;
            let yi = self.p.y[i];
            let xi = row(x, d, i);
            let g = yi * (dot(&self.w, xi) + self.mu + self.kappa * self.s) - 1.0 + self.shift * self.alpha[i];
            let mut pg = 0.0;
            if self.alpha[i] == 0.0 {
                if self.p.options.shrinking && g > self.pg_max_old {
                    self.active -= 1;
                    self.order.swap(k, self.active);
                    continue;
                }
                if g < 0.0 {
                    pg = g;
                }
            } else if self.alpha[i] == upper {
                if self.p.options.shrinking && g < self.pg_min_old {
                    self.active -= 1;
                    self.order.swap(k, self.active);
                    continue;
                }
                if g > 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg != 0.0 {
                let old = self.alpha[i];
                self.alpha[i] = (old - g / self.qd[i]).clamp(0.0, upper);
                let delta = (self.alpha[i] - old) * yi;
                if delta != 0.0 {
                    axpy(delta, xi, &mut self.w);
                    self.s += delta;
                    moved += 1;
                }
            }
            k += 1;
        }
        // A coordinate's bookkeeping costs about as much as a few multiply-adds: counted too.
        let mut work = ((visited + moved) * d + 8 * visited) as f64;
        if pg_max - pg_min <= self.eps || self.active == 0 {
            if self.active < n {
                // Converged on the shrunk set: look at every point again before believing it.
                self.active = n;
                self.pg_max_old = f64::INFINITY;
                self.pg_min_old = f64::NEG_INFINITY;
                return work;
            }
            if self.p.bias == BiasKind::Free {
                self.mu += self.kappa * self.s;
            }
            let (mut stats, certify_work) = self.certify(x);
            work += certify_work;
            if stats.rel_gap <= self.p.options.tol || self.try_polish(x, &mut stats, Some(16 * self.epochs), &mut work)
            {
                self.finished = Some(stats);
                return work;
            }
            // Not there yet: resynchronise w (drift), tighten the inner test, go on.
            (self.w, self.s) = self.p.weights_from(x, &self.alpha);
            self.eps = (self.eps * 0.1).max(1e-15);
            return work + (n * d) as f64;
        }
        self.pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
        self.pg_min_old = if pg_min >= 0.0 { f64::NEG_INFINITY } else { pg_min };
        // On hard problems (overlapping classes at large C) the spread test can take thousands of epochs to
        // pass; try the exact finish along the way too, at epochs 16, 32, 64, …, each time with a budget of
        // about as many passes over the points as descent has made, so that it at most doubles the work.
        if self.epochs >= 16 && self.epochs.is_power_of_two() {
            let (mut current, certify_work) = self.certify(x);
            work += certify_work;
            if current.rel_gap <= self.p.options.tol
                || self.try_polish(x, &mut current, Some(16 * self.epochs), &mut work)
            {
                self.finished = Some(current);
                return work;
            }
            (self.w, self.s) = self.p.weights_from(x, &self.alpha);
            self.active = n;
            self.pg_max_old = f64::INFINITY;
            self.pg_min_old = f64::NEG_INFINITY;
            work += (n * d) as f64;
        }
        work
    }

    fn certify(&self, x: &[f64]) -> (SolveStats, f64) {
        self.p.certify(x, &self.alpha, self.mu, self.kappa, self.shift)
    }

    /// Tries the exact finish; keeps its point if it has the smaller gap. Returns whether the tolerance is
    /// now met. `rounds` bounds the hinge finish's active-set changes (each costs about one pass over the
    /// points); `None` allows 2n, enough to rebuild any partition.
    fn try_polish(&mut self, x: &[f64], stats: &mut SolveStats, rounds: Option<usize>, work: &mut f64) -> bool {
        let tol = self.p.options.tol;
        if self.p.loss == Loss::SquaredHinge {
            let newton = self.p.newton_squared_hinge(x, &self.alpha, self.kappa, self.shift, work);
            if let Some((polished, polished_mu)) = newton {
                self.keep(x, polished, polished_mu, false, stats, work);
            }
            return stats.rel_gap <= tol;
        }
        let rounds = rounds.unwrap_or(2 * self.p.n);
        // First from the dual iterate's own partition, which is small and nearly right once descent has
        // settled; then from the partition the primal point implies (the margins), which descent gets right
        // long before its dual variables settle.
        // A finish that runs out of rounds still leaves a better feasible point, which descent continues from.
        let from_dual = hinge_finish::solve(&self.hinge_problem(x), self.alpha.clone(), rounds, work);
        if self.keep_finish(x, from_dual, stats, work) {
            return true;
        }
        let by_margins = self.p.margin_partition(x, &self.alpha, self.mu, self.kappa, self.upper);
        *work += 2.0 * (self.p.n * self.p.d) as f64;
        let from_margins = hinge_finish::solve(&self.hinge_problem(x), by_margins, rounds, work);
        self.keep_finish(x, from_margins, stats, work)
    }

    fn hinge_problem<'a>(&'a self, x: &'a [f64]) -> HingeProblem<'a> {
        HingeProblem {
            x,
            n: self.p.n,
            d: self.p.d,
            y: &self.p.y,
            upper: self.upper,
            bias_curvature: match self.p.bias {
                BiasKind::Regularized(_) => Some(self.kappa),
                BiasKind::Free => None,
            },
            kappa: self.kappa,
        }
    }

    /// Keeps what a hinge finish produced (see [`BinarySolver::keep`]); returns whether the solve is done.
    fn keep_finish(&mut self, x: &[f64], finish: Finish, stats: &mut SolveStats, work: &mut f64) -> bool {
        match finish {
            Finish::Optimal(polished, polished_mu) => self.keep(x, polished, polished_mu, true, stats, work),
            Finish::Partial(polished, polished_mu) => self.keep(x, polished, polished_mu, false, stats, work),
            Finish::Failed => stats.rel_gap <= self.p.options.tol,
        }
    }

    /// Replaces (α, μ, stats) by the candidate if its certified gap is smaller — or, for a point the finish
    /// proved KKT-optimal (`kkt_optimal`), if that gap is within [`KKT_GAP_FLOOR`], the rounding floor.
    /// Returns whether the solve is done (the tolerance met, or a proven optimum taken).
    fn keep(
        &mut self,
        x: &[f64],
        candidate: Vec<f64>,
        candidate_mu: f64,
        kkt_optimal: bool,
        stats: &mut SolveStats,
        work: &mut f64,
    ) -> bool {
        let (certified, certify_work) = self.p.certify(x, &candidate, candidate_mu, self.kappa, self.shift);
        *work += certify_work;
        let proven = kkt_optimal && certified.rel_gap <= KKT_GAP_FLOOR;
        if proven || certified.gap < stats.gap {
            self.alpha = candidate;
            self.mu = candidate_mu;
            *stats = certified;
        }
        stats.rel_gap <= self.p.options.tol || proven
    }
}
