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
//! **Active-set finish.** Coordinate descent converges only linearly, and very slowly when the few free
//! support vectors are nearly dependent (low-dimensional features, large C: exactly the page's case, and
//! where LIBLINEAR stops far from the optimum). So whenever a certificate fails, the solver guesses the
//! partition of the dual variables (at 0, at C, strictly between) from the current iterate and solves the KKT
//! conditions on that guess exactly — a (d+1+|F|)-square saddle system for the hinge loss, a (d+1)-square one
//! for the squared hinge. If the solution respects the box and certifies, it is the optimum; otherwise
//! descent continues from the better of the two points. For the hinge loss the finish is an active-set method
//! that repairs a wrong guess one variable at a time, and it starts from the partition the *primal* point
//! implies (margins below 1 at C, above 1 at 0, the d + 1 nearest to 1 free), which descent gets right long
//! before its dual variables settle; the squared hinge uses the finite Newton method (Keerthi & DeCoste, 2005).
//! Besides each failed certificate, the finish is tried at epochs 16, 32, 64, …: on overlapping classes at
//! large C, descent alone needs up to 10⁵–10⁶ epochs.

use super::{Loss, SolveStats};
use crate::linalg::{axpy, dot, lu_solve_proximal, Lu};
use crate::rng::{self, Stream};

/// Where the bias comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum BiasKind {
    /// A weight on a constant feature of this scale (B).
    Regularised(f64),
    /// Unpenalised, handled by the augmented Lagrangian.
    Free,
}

/// One binary problem: borrowed features (n × d, row-major), labels ±1.
pub(crate) struct Binary<'a> {
    pub x: &'a [f64],
    pub n: usize,
    pub d: usize,
    pub y: Vec<f64>,
    pub loss: Loss,
    pub c: f64,
    pub bias: BiasKind,
    pub tol: f64,
    pub max_epochs: usize,
    pub shrinking: bool,
    pub seed: u64,
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

impl Binary<'_> {
    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

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

    /// w = Σ αᵢyᵢxᵢ and s = Σ αᵢyᵢ, recomputed from scratch (clears incremental rounding drift).
    fn weights_from(&self, alpha: &[f64]) -> (Vec<f64>, f64) {
        let mut w = vec![0.0; self.d];
        let mut s = 0.0;
        for i in 0..self.n {
            if alpha[i] != 0.0 {
                axpy(alpha[i] * self.y[i], self.row(i), &mut w);
                s += alpha[i] * self.y[i];
            }
        }
        (w, s)
    }

    /// Solves the problem, starting from `warm` (dual variables and μ) when given and of the right length.
    pub fn solve(&self, warm: Option<(&[f64], f64)>) -> BinarySolution {
        let (upper, shift) = self.box_and_shift();
        let mut alpha = match warm {
            Some((a, _)) if a.len() == self.n => {
                a.iter().map(|&v| if v.is_finite() { v.clamp(0.0, upper) } else { 0.0 }).collect()
            }
            _ => vec![0.0; self.n],
        };
        let mut mu = match (warm, self.bias) {
            (Some((a, m)), BiasKind::Free) if a.len() == self.n && m.is_finite() => m,
            _ => 0.0,
        };
        let sq_norms: Vec<f64> = (0..self.n).map(|i| dot(self.row(i), self.row(i))).collect();
        // κ: the curvature the bias adds to every pair (B² or ρ).
        let kappa = match self.bias {
            BiasKind::Regularised(b) => b * b,
            BiasKind::Free => {
                let mean = sq_norms.iter().sum::<f64>() / self.n as f64;
                mean.max(1e-12)
            }
        };
        let qd: Vec<f64> = sq_norms.iter().map(|&q| q + kappa + shift).collect();
        let (mut w, mut s) = self.weights_from(&alpha);

        let mut rng = rng::seeded(self.seed, Stream::Solver);
        let mut order: Vec<usize> = (0..self.n).collect();
        let mut active = self.n;
        let mut eps = 0.1f64;
        let mut pg_max_old = f64::INFINITY;
        let mut pg_min_old = f64::NEG_INFINITY;
        let mut epochs = 0;
        let mut stats;
        loop {
            if epochs >= self.max_epochs {
                stats = self.certify(&alpha, mu, kappa, shift);
                self.try_polish(&mut alpha, &mut mu, &mut stats, kappa, None);
                stats.capped = stats.rel_gap > self.tol;
                break;
            }
            epochs += 1;
            rng::shuffle(&mut rng, &mut order[..active]);
            let mut pg_max = f64::NEG_INFINITY;
            let mut pg_min = f64::INFINITY;
            let mut k = 0;
            while k < active {
                let i = order[k];
                let yi = self.y[i];
                let xi = self.row(i);
                let g = yi * (dot(&w, xi) + mu + kappa * s) - 1.0 + shift * alpha[i];
                let mut pg = 0.0;
                if alpha[i] == 0.0 {
                    if self.shrinking && g > pg_max_old {
                        active -= 1;
                        order.swap(k, active);
                        continue;
                    }
                    if g < 0.0 {
                        pg = g;
                    }
                } else if alpha[i] == upper {
                    if self.shrinking && g < pg_min_old {
                        active -= 1;
                        order.swap(k, active);
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
                    let old = alpha[i];
                    alpha[i] = (old - g / qd[i]).clamp(0.0, upper);
                    let delta = (alpha[i] - old) * yi;
                    if delta != 0.0 {
                        axpy(delta, xi, &mut w);
                        s += delta;
                    }
                }
                k += 1;
            }
            if pg_max - pg_min <= eps || active == 0 {
                if active < self.n {
                    // Converged on the shrunk set: look at every point again before believing it.
                    active = self.n;
                    pg_max_old = f64::INFINITY;
                    pg_min_old = f64::NEG_INFINITY;
                    continue;
                }
                if self.bias == BiasKind::Free {
                    mu += kappa * s;
                }
                stats = self.certify(&alpha, mu, kappa, shift);
                if stats.rel_gap <= self.tol
                    || self.try_polish(&mut alpha, &mut mu, &mut stats, kappa, Some(16 * epochs))
                {
                    break;
                }
                // Not there yet: resynchronise w (drift), tighten the inner test, go on.
                (w, s) = self.weights_from(&alpha);
                eps = (eps * 0.1).max(1e-15);
                continue;
            }
            pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
            pg_min_old = if pg_min >= 0.0 { f64::NEG_INFINITY } else { pg_min };
            // On hard problems (overlapping classes at large C) the spread test can take thousands of epochs to
            // pass; try the exact finish along the way too, at epochs 16, 32, 64, …, each time with a budget of
            // about as many passes over the points as descent has made, so that it at most doubles the work.
            if epochs >= 16 && epochs.is_power_of_two() {
                let mut current = self.certify(&alpha, mu, kappa, shift);
                if current.rel_gap <= self.tol
                    || self.try_polish(&mut alpha, &mut mu, &mut current, kappa, Some(16 * epochs))
                {
                    stats = current;
                    break;
                }
                (w, s) = self.weights_from(&alpha);
                active = self.n;
                pg_max_old = f64::INFINITY;
                pg_min_old = f64::NEG_INFINITY;
            }
        }
        stats.epochs = epochs;
        let (w, b) = self.primal_point(&alpha, mu, kappa);
        BinarySolution { w, b, alpha, mu: if self.bias == BiasKind::Free { mu } else { 0.0 }, stats }
    }

    /// Tries the exact finish; keeps its point if it has the smaller gap. Returns whether the tolerance is
    /// now met. `rounds` bounds the hinge finish's active-set changes (each costs about one pass over the
    /// points); `None` allows 2n, enough to rebuild any partition.
    fn try_polish(
        &self,
        alpha: &mut Vec<f64>,
        mu: &mut f64,
        stats: &mut SolveStats,
        kappa: f64,
        rounds: Option<usize>,
    ) -> bool {
        let (upper, shift) = self.box_and_shift();
        if self.loss == Loss::SquaredHinge {
            if let Some((polished, polished_mu)) = self.newton_squared_hinge(alpha, kappa, shift) {
                self.keep_better(polished, polished_mu, alpha, mu, stats, kappa);
            }
            return stats.rel_gap <= self.tol;
        }
        let rounds = rounds.unwrap_or(2 * self.n);
        // The hinge loss: first from the partition the primal point implies (the margins), which descent gets
        // right long before the dual variables settle; then, if that fails, from the dual iterate's own.
        let by_margins = self.margin_partition(alpha, *mu, kappa, upper);
        if let Some((polished, polished_mu)) = self.active_set_hinge(by_margins, kappa, upper, rounds) {
            self.keep_better(polished, polished_mu, alpha, mu, stats, kappa);
        }
        if stats.rel_gap > self.tol {
            if let Some((polished, polished_mu)) = self.active_set_hinge(alpha.to_vec(), kappa, upper, rounds) {
                self.keep_better(polished, polished_mu, alpha, mu, stats, kappa);
            }
        }
        stats.rel_gap <= self.tol
    }

    /// Replaces (α, μ, stats) by the candidate if its certified gap is smaller.
    fn keep_better(
        &self,
        candidate: Vec<f64>,
        candidate_mu: f64,
        alpha: &mut Vec<f64>,
        mu: &mut f64,
        stats: &mut SolveStats,
        kappa: f64,
    ) {
        let certified = self.certify(&candidate, candidate_mu, kappa, self.box_and_shift().1);
        if certified.gap < stats.gap {
            *alpha = candidate;
            *mu = candidate_mu;
            *stats = certified;
        }
    }

    /// A starting point for the hinge active-set finish read off the primal point (w, b) of α: points well
    /// inside the margin at U, points well outside at 0, and the (at most d + 1, which is how many a generic
    /// optimum has) points nearest the margin free, keeping their current values.
    fn margin_partition(&self, alpha: &[f64], mu: f64, kappa: f64, upper: f64) -> Vec<f64> {
        let (w, b) = self.primal_point(alpha, mu, kappa);
        let margins: Vec<f64> = (0..self.n).map(|i| self.y[i] * (dot(&w, self.row(i)) + b)).collect();
        let mut nearest: Vec<usize> = (0..self.n).collect();
        let free = (self.d + 1).min(self.n);
        if free < self.n {
            nearest
                .select_nth_unstable_by(free, |&i, &j| (margins[i] - 1.0).abs().total_cmp(&(margins[j] - 1.0).abs()));
        }
        let mut start: Vec<f64> = margins.iter().map(|&m| if m < 1.0 { upper } else { 0.0 }).collect();
        // Strictly inside the box, so that the finish treats them as free from its first round.
        let inner = upper * 1e-9;
        for &i in &nearest[..free] {
            start[i] = alpha[i].clamp(inner, upper - inner);
        }
        start
    }

    /// The active-set finish for the hinge loss (see the module docs): a primal active-set method on the
    /// dual, from a feasible `start` (0 ≤ α ≤ U). F is the set of free variables (strictly inside [0, U]);
    /// the others sit at a bound. Each round solves the KKT conditions with F free — with zᵢ = yᵢ[xᵢ; t]
    /// (t = B for a regularised bias, 1 for a free one, whose weight P leaves unpenalised):
    /// P w̃ = Σ_F αᵢzᵢ + Σ_{αᵢ=U} U zᵢ and zᵢ·w̃ + Dᵢᵢαᵢ = 1 on F (D is a 1e-13 ridge that keeps dependent
    /// free points solvable) — then steps towards that solution as far as the box allows, releasing the
    /// variable that hits a bound; when the full step fits, it frees the bound variable that violates its KKT
    /// condition most. It stops when no variable violates (the optimum, to be certified), or returns `None`
    /// after `rounds` (plus a few) rounds. Returns the dual variables and μ (the free bias).
    fn active_set_hinge(&self, start: Vec<f64>, kappa: f64, upper: f64, rounds: usize) -> Option<(Vec<f64>, f64)> {
        let (n, d) = (self.n, self.d);
        let p = d + 1;
        let regularised = matches!(self.bias, BiasKind::Regularised(_));
        let t = if regularised { kappa.sqrt() } else { 1.0 };
        let z = |i: usize, j: usize| -> f64 { self.y[i] * if j < d { self.x[i * d + j] } else { t } };
        let penalised = |j: usize| if j < d || regularised { 1.0 } else { 0.0 };
        // D is a 1e-13 ridge that keeps dependent free points solvable, removed again by proximal rounds.
        let ridge = 1e-13 * (0..n).map(|i| (0..p).map(|j| z(i, j).powi(2)).sum::<f64>()).sum::<f64>() / n as f64;
        let mut a = start;
        let mut free: Vec<bool> = a.iter().map(|&v| v > 0.0 && v < upper).collect();
        let limit = 400usize.min(4 * p + 40);
        let mut w_tilde = vec![0.0; p];
        // Σ_{αᵢ=U, i∉F} U zᵢ, kept up to date as variables enter and leave the bound.
        let mut at_upper = vec![0.0; p];
        let add_bound = |i: usize, sign: f64, at_upper: &mut [f64]| {
            axpy(sign * upper * self.y[i], self.row(i), &mut at_upper[..d]);
            at_upper[d] += sign * upper * self.y[i] * t;
        };
        for i in (0..n).filter(|&i| !free[i] && a[i] == upper) {
            add_bound(i, 1.0, &mut at_upper);
        }
        for round in 0..(2 * limit + rounds) {
            if round % 64 == 63 {
                // Clear the rounding drift of the incremental sum.
                at_upper.iter_mut().for_each(|v| *v = 0.0);
                for i in (0..n).filter(|&i| !free[i] && a[i] == upper) {
                    add_bound(i, 1.0, &mut at_upper);
                }
            }
            let members: Vec<usize> = (0..n).filter(|&i| free[i]).collect();
            if members.len() > limit || (members.is_empty() && !regularised) {
                return None;
            }
            // [P  −Z_Fᵀ; Z_F  D] [w̃; α_F] = [Σ_{αᵢ=U} U zᵢ; 1]
            let size = p + members.len();
            let mut m = vec![0.0; size * size];
            let mut r = vec![0.0; size];
            for j in 0..p {
                m[j * size + j] = penalised(j);
            }
            r[..p].copy_from_slice(&at_upper);
            for (k, &i) in members.iter().enumerate() {
                for j in 0..p {
                    m[j * size + p + k] = -z(i, j);
                    m[(p + k) * size + j] = z(i, j);
                }
                m[(p + k) * size + p + k] = ridge;
                r[p + k] = 1.0;
            }
            let r = lu_solve_proximal(&m, &r, size, ridge, p..size, 3)?;
            // Ratio test: the largest step towards the solution that keeps every free variable in the box.
            let mut step = 1.0f64;
            let mut blocking = None;
            for (k, &i) in members.iter().enumerate() {
                let target = r[p + k];
                let limit_at = if target < 0.0 {
                    Some(a[i] / (a[i] - target))
                } else if target > upper {
                    Some((upper - a[i]) / (target - a[i]))
                } else {
                    None
                };
                if let Some(tau) = limit_at {
                    if tau < step {
                        step = tau.max(0.0);
                        blocking = Some(i);
                    }
                }
            }
            for (k, &i) in members.iter().enumerate() {
                a[i] += step * (r[p + k] - a[i]);
            }
            if let Some(i) = blocking {
                let to_upper = r[p + members.iter().position(|&m| m == i).expect("i is a member")] >= 0.0;
                a[i] = if to_upper { upper } else { 0.0 };
                if to_upper {
                    add_bound(i, 1.0, &mut at_upper);
                }
                free[i] = false;
                continue;
            }
            w_tilde.copy_from_slice(&r[..p]);
            // Full step taken: free the bound variable that violates its KKT condition most.
            let mut worst = (0.0, None);
            for i in (0..n).filter(|&i| !free[i]) {
                let g = self.y[i] * (dot(self.row(i), &w_tilde[..d]) + t * w_tilde[d]) - 1.0;
                let violation = if a[i] == 0.0 { -g } else { g };
                if violation > worst.0 {
                    worst = (violation, Some(i));
                }
            }
            match worst {
                (v, Some(i)) if v > 1e-12 => {
                    if a[i] == upper {
                        add_bound(i, -1.0, &mut at_upper);
                    }
                    free[i] = true;
                }
                _ => {
                    for v in a.iter_mut() {
                        *v = v.clamp(0.0, upper);
                    }
                    return Some((a, if regularised { 0.0 } else { w_tilde[d] }));
                }
            }
        }
        None
    }

    /// The exact finish for the squared hinge: the finite Newton method (Keerthi & DeCoste 2005) in the
    /// (d+1)-dimensional primal. With F the points inside the margin, the primal restricted to F is a
    /// quadratic whose minimiser solves (δP + Z_FᵀZ_F) w̃ = Z_Fᵀ1 (δ = 1/(2C), zᵢ = yᵢ[xᵢ; t]); F is then
    /// recomputed from w̃ until it repeats. The dual point is αᵢ = (1 − zᵢ·w̃)/δ on F, 0 elsewhere.
    fn newton_squared_hinge(&self, alpha: &[f64], kappa: f64, shift: f64) -> Option<(Vec<f64>, f64)> {
        let (n, d) = (self.n, self.d);
        let p = d + 1;
        let regularised = matches!(self.bias, BiasKind::Regularised(_));
        let t = if regularised { kappa.sqrt() } else { 1.0 };
        let z_row = |i: usize, out: &mut [f64]| {
            for j in 0..d {
                out[j] = self.y[i] * self.x[i * d + j];
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
                m[j * p + j] = if j < d || regularised { shift } else { 0.0 };
            }
            for i in (0..n).filter(|&i| inside[i]) {
                z_row(i, &mut zi);
                for a in 0..p {
                    r[a] += zi[a];
                    for b in 0..p {
                        m[a * p + b] += zi[a] * zi[b];
                    }
                }
            }
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
        Some((out, if regularised { 0.0 } else { w_tilde[d] }))
    }

    /// The primal point the dual variables give: w = Σ αᵢyᵢxᵢ, and b = B²·Σαᵢyᵢ (regularised) or the exact
    /// minimiser of the primal over b for this w (free).
    fn primal_point(&self, alpha: &[f64], mu: f64, kappa: f64) -> (Vec<f64>, f64) {
        let (w, s) = self.weights_from(alpha);
        let b = match self.bias {
            BiasKind::Regularised(_) => kappa * s,
            BiasKind::Free => {
                let margins: Vec<f64> = (0..self.n).map(|i| dot(&w, self.row(i))).collect();
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

    /// Primal, dual and gap at the current dual variables (see the module docs).
    fn certify(&self, alpha: &[f64], mu: f64, kappa: f64, shift: f64) -> SolveStats {
        let (w, b) = self.primal_point(alpha, mu, kappa);
        let ww = dot(&w, &w);
        let margins: Vec<f64> = (0..self.n).map(|i| dot(&w, self.row(i))).collect();
        let primal = match self.bias {
            BiasKind::Regularised(_) => {
                let b_tilde = b / kappa.sqrt();
                0.5 * (ww + b_tilde * b_tilde) + self.loss_sum(|i| margins[i] + b)
            }
            BiasKind::Free => 0.5 * ww + self.loss_sum(|i| margins[i] + b),
        };
        let dual = match self.bias {
            BiasKind::Regularised(_) => {
                let s: f64 = (0..self.n).map(|i| alpha[i] * self.y[i]).sum();
                let sum: f64 = alpha.iter().sum();
                let sq: f64 = alpha.iter().map(|a| a * a).sum();
                sum - 0.5 * ww - 0.5 * kappa * s * s - 0.5 * shift * sq
            }
            BiasKind::Free => {
                // Project onto yᵀα = 0 by scaling down the class with the excess: stays inside the box.
                let (mut pos, mut neg) = (0.0, 0.0);
                for i in 0..self.n {
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
                    (0..self.n).map(|i| alpha[i] * if self.y[i] > 0.0 { scale_pos } else { scale_neg }).collect();
                let (wf, _) = self.weights_from(&feasible);
                let sum: f64 = feasible.iter().sum();
                let sq: f64 = feasible.iter().map(|a| a * a).sum();
                sum - 0.5 * dot(&wf, &wf) - 0.5 * shift * sq
            }
        };
        let norm = match self.bias {
            BiasKind::Regularised(_) => (ww + b * b / kappa).sqrt(),
            BiasKind::Free => ww.sqrt(),
        };
        SolveStats::certified(primal, dual, norm)
    }
}
