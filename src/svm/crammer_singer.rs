//! Crammer–Singer multi-class linear SVM by dual coordinate descent over one example at a time (Keerthi,
//! Sundararajan, Chang, Hsieh & Lin, "A sequential dual method for large scale multi-class linear SVMs",
//! KDD 2008; LIBLINEAR `-s 4`), with the bias regularised as a weight on a constant feature B.
//!
//! With class scores sₖ(x) = wₖ·x + bₖ, bₖ = B·b̃ₖ:
//!
//! ```text
//!   min_W  ½ Σₖ (‖wₖ‖² + b̃ₖ²) + C Σᵢ max(0, max_{k≠yᵢ} (1 + sₖ(xᵢ)) − s_{yᵢ}(xᵢ))
//!   dual:  min_α ½ Σₖ ‖w̃ₖ‖² + Σᵢ Σ_{k≠yᵢ} αᵢᵏ   s.t. Σₖ αᵢᵏ = 0,  αᵢᵏ ≤ 0 (k ≠ yᵢ),  αᵢ^{yᵢ} ≤ C,
//! ```
//! with w̃ₖ = Σᵢ αᵢᵏ x̃ᵢ over augmented points x̃ = [x; B]. This is the limit softmax cross-entropy reaches
//! on separable data (Soudry et al. 2018, §4), which is why the page compares K-class networks with it.
//!
//! Each step solves one example's K-variable sub-problem exactly: with A = ‖x̃ᵢ‖² and Gₖ the gradient,
//! αᵢᵏ = (min(β, Dₖ) − Bₖ)/A where Bₖ = Gₖ − Aαᵢᵏ, Dₖ = Bₖ + A·Cᵢᵏ and β solves Σₖ min(β, Dₖ) = Σₖ Bₖ
//! (found by sorting D). The example is optimal when every Gₖ with αᵢᵏ < Cᵢᵏ equals the largest Gₖ; the
//! spread of that test over all examples plays the part of binary DCD's projected gradient. Examples with
//! α = 0 whose margin exceeds the last spread are shrunk. Stopping is certified by the duality gap, as for
//! the binary solver: P(W) − D(α) ≤ tol · D(α).
//!
//! **Active-set finish.** As for the binary solver, when a certificate fails the solver runs a primal
//! active-set method from the current iterate. In βᵢᵏ = −αᵢᵏ ≥ 0 (k ≠ yᵢ) the constraints are βᵢᵏ ≥ 0 and
//! Σₖ βᵢᵏ ≤ C. Each point is inactive (β = 0), *free* (some βᵢᵏ > 0, sum below C: those classes sit exactly
//! on the margin, (w̃_y − w̃ₖ)·x̃ᵢ = 1), *saturated on one class* (βᵢᵏ = C, a fixed contribution) or
//! *saturated on several* (their margins equal 1 − λᵢ, λᵢ ≥ 0 the sum constraint's multiplier). One round
//! solves the KKT system W̃ = Σ βᵢᵏ (e_{yᵢ} − eₖ) ⊗ x̃ᵢ plus these equations exactly, steps as far towards it
//! as the constraints allow, and changes the status of one variable (the one that blocked, or else the most
//! violated condition).
//!
//! Like the binary solver, it is a resumable state machine (one epoch, or a certificate with its finish, per
//! unit, each reporting the multiply-adds it cost).

use super::{SolveStats, SolverOptions, KKT_GAP_FLOOR};

/// The most work (multiply-adds) one attempt at the exact finish may take, both starts together: a finish
/// is one indivisible piece of a fit, and a page's main thread must not wait on one for long (see
/// `Cost::too_heavy_for_main_thread`); a finish cut short leaves descent to go on, and is tried again later.
const POLISH_WORK: f64 = 6e7;
use crate::linalg::{dot, lu_solve_proximal};
use crate::rng::{self, Rng, Stream};

/// What stopped or changed an active-set round.
enum Block {
    /// A β reached zero.
    Zero(usize, usize),
    /// A point's sum reached C.
    Saturate(usize),
    /// A saturated point's multiplier is negative: free its sum.
    Release(usize),
    /// A zero β violates its condition: let it grow.
    Enter(usize, usize),
}

/// One Crammer–Singer problem, without its features (which every call borrows, n × d row-major).
#[derive(Clone, Debug)]
pub(crate) struct CrammerSinger {
    pub n: usize,
    pub d: usize,
    pub y: Vec<usize>,
    pub classes: usize,
    pub c: f64,
    pub bias_scale: f64,
    pub options: SolverOptions,
}

/// Weights (K rows of d, then the K biases), dual variables (n × K) and statistics.
pub(crate) struct CsSolution {
    pub w: Vec<f64>,
    pub b: Vec<f64>,
    pub alpha: Vec<f64>,
    pub stats: SolveStats,
}

/// The sequential dual method in progress, advanced one unit at a time.
pub(crate) struct CsSolver {
    p: CrammerSinger,
    alpha: Vec<f64>,
    w: Vec<f64>,
    sq: Vec<f64>,
    rng: Rng,
    order: Vec<usize>,
    active: usize,
    eps: f64,
    shrink_at: f64,
    epochs: usize,
    finished: Option<SolveStats>,
}

fn row(x: &[f64], d: usize, i: usize) -> &[f64] {
    &x[i * d..(i + 1) * d]
}

impl CrammerSinger {
    /// Augmented weights (K × (d + 1), the last column the bias weight b̃) from α.
    fn weights_from(&self, x: &[f64], alpha: &[f64]) -> Vec<f64> {
        let (k_n, d1) = (self.classes, self.d + 1);
        let mut w = vec![0.0; k_n * d1];
        for i in 0..self.n {
            let xi = row(x, self.d, i);
            for k in 0..k_n {
                let a = alpha[i * k_n + k];
                if a != 0.0 {
                    let wk = &mut w[k * d1..(k + 1) * d1];
                    for (wj, xj) in wk.iter_mut().zip(xi) {
                        *wj += a * xj;
                    }
                    wk[self.d] += a * self.bias_scale;
                }
            }
        }
        w
    }

    fn scores(&self, w: &[f64], xi: &[f64], out: &mut [f64]) {
        let d1 = self.d + 1;
        for (k, o) in out.iter_mut().enumerate() {
            let wk = &w[k * d1..(k + 1) * d1];
            // `dot`'s four accumulators: vectorised, and the same bits natively and in wasm.
            *o = dot(&wk[..self.d], xi) + wk[self.d] * self.bias_scale;
        }
    }

    /// Copies a warm-start row into the feasible set (scaling it down if C shrank, zero if it is unusable).
    fn feasible_copy(&self, i: usize, from: &[f64], to: &mut [f64]) {
        let yi = self.y[i];
        let ok = from.iter().all(|v| v.is_finite())
            && from.iter().enumerate().all(|(c, &v)| if c == yi { v >= 0.0 } else { v <= 0.0 })
            && from.iter().sum::<f64>().abs() <= 1e-9 * (1.0 + from[yi].abs());
        if !ok {
            to.fill(0.0);
            return;
        }
        let scale = if from[yi] > self.c { self.c / from[yi] } else { 1.0 };
        for (t, f) in to.iter_mut().zip(from) {
            *t = f * scale;
        }
        // Restore the exact sum: α_y = −Σ_{k≠y} αₖ.
        to[yi] = 0.0;
        to[yi] = -to.iter().sum::<f64>();
    }

    /// Solves one example's sub-problem exactly (see the module docs): `g` its gradient, `ai` its current
    /// dual variables, `a` = ‖x̃ᵢ‖²; writes the new variables to `out` (`d` is scratch of length K).
    fn sub_problem(&self, yi: usize, g: &[f64], ai: &[f64], a: f64, out: &mut [f64], d: &mut [f64]) {
        let k_n = g.len();
        let cap = |c: usize| if c == yi { self.c } else { 0.0 };
        let mut total_b = 0.0;
        for c in 0..k_n {
            let b = g[c] - a * ai[c];
            total_b += b;
            d[c] = b + a * cap(c);
        }
        crate::order::sort_numbers(d);
        d.reverse();
        // Σₖ min(β, Dₖ) rises with β up to D₍₁₎; on [D₍ᵣ₊₁₎, D₍ᵣ₎] it equals rβ + Σ_{j>r} D₍ⱼ₎.
        let mut rest: f64 = d.iter().sum();
        let mut beta = 0.0;
        for r in 1..=k_n {
            rest -= d[r - 1];
            beta = (total_b - rest) / r as f64;
            if r == k_n || beta >= d[r] {
                break;
            }
        }
        for c in 0..k_n {
            let b = g[c] - a * ai[c];
            out[c] = (beta.min(b + a * cap(c)) - b) / a;
        }
        // Make the equality exact despite rounding: α_y = −Σ_{k≠y} αₖ.
        out[yi] = 0.0;
        out[yi] = -out.iter().sum::<f64>();
    }

    /// A starting point for the finish read off the primal point W̃(α): with vᵢₖ = 1 + sₖ(xᵢ) − s_{yᵢ}(xᵢ),
    /// a point whose violations are all clearly negative is inactive; one whose largest violation is clearly
    /// positive is saturated (Σβ = C) on the classes that reach it; one whose largest violation is about 0
    /// sits on the margin, free on those classes (keeping its current β, moved inside the box).
    fn margin_start(&self, x: &[f64], alpha: &[f64]) -> Vec<f64> {
        let (n, k_n) = (self.n, self.classes);
        let w = self.weights_from(x, alpha);
        let mut s = vec![0.0; k_n];
        let mut out = vec![0.0; n * k_n];
        let band = 1e-3;
        // Margin variables: (point, class, current β). At most K(d + 1) of them are kept free — a generic
        // optimum has no more — the largest first; the finish adds any others it needs back.
        let mut on_margin: Vec<(usize, usize, f64)> = Vec::new();
        for i in 0..n {
            let yi = self.y[i];
            self.scores(&w, row(x, self.d, i), &mut s);
            let v: Vec<f64> = (0..k_n).map(|k| if k == yi { f64::NEG_INFINITY } else { 1.0 + s[k] - s[yi] }).collect();
            let top = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if top < -band {
                continue;
            }
            let classes: Vec<usize> = (0..k_n).filter(|&k| k != yi && v[k] >= top - band).collect();
            if top > band {
                // Saturated: C shared over the classes at the top.
                let row_out = &mut out[i * k_n..(i + 1) * k_n];
                for &k in &classes {
                    row_out[k] = -self.c / classes.len() as f64;
                }
                row_out[yi] = -row_out.iter().sum::<f64>();
            } else {
                for &k in &classes {
                    on_margin.push((i, k, (-alpha[i * k_n + k]).max(0.0)));
                }
            }
        }
        // The largest β first, ties by example then class.
        crate::order::sort_by_key(&mut on_margin, |&(i, k, beta)| (-beta, i * k_n + k));
        for &(i, k, beta) in on_margin.iter().take(k_n * (self.d + 1)) {
            let row_out = &mut out[i * k_n..(i + 1) * k_n];
            row_out[k] = -beta.clamp(1e-9 * self.c, 0.5 * self.c);
            row_out[self.y[i]] = 0.0;
            row_out[self.y[i]] = -row_out.iter().sum::<f64>();
        }
        out
    }

    /// The active-set finish (see the module docs). Returns new dual variables, or `None` if the iteration
    /// fails (a singular system, too many rounds, or a next round that would take the work past `limit`).
    fn polish(&self, x: &[f64], alpha: &[f64], rounds: usize, work: &mut f64, limit: f64) -> Option<Vec<f64>> {
        let (n, k_n, d) = (self.n, self.classes, self.d);
        let p = d + 1;
        let xt = |i: usize, j: usize| if j < d { x[i * d + j] } else { self.bias_scale };
        // β (n × K, zero on the own class), per-point saturation and multiplier-carrying status.
        let mut beta: Vec<f64> =
            (0..n * k_n).map(|ik| if ik % k_n == self.y[ik / k_n] { 0.0 } else { (-alpha[ik]).max(0.0) }).collect();
        let sum = |beta: &[f64], i: usize| beta[i * k_n..(i + 1) * k_n].iter().sum::<f64>();
        let mut saturated: Vec<bool> = (0..n).map(|i| sum(&beta, i) >= self.c * (1.0 - 1e-12)).collect();
        let mut lambda = vec![0.0; n];
        let ridge = 1e-13 * (0..n).map(|i| (0..p).map(|j| xt(i, j).powi(2)).sum::<f64>()).sum::<f64>() / n as f64;
        let unknowns_w = k_n * p;
        for _round in 0..rounds {
            // Classify: free variables are the positive β of unsaturated points and of points saturated on
            // two or more classes; a point saturated on one class is a fixed contribution.
            let mut vars: Vec<(usize, usize)> = Vec::new();
            let mut multipliers: Vec<usize> = Vec::new();
            for i in 0..n {
                let active: Vec<usize> = (0..k_n).filter(|&k| beta[i * k_n + k] > 0.0).collect();
                if active.is_empty() {
                    saturated[i] = false;
                    continue;
                }
                if saturated[i] && active.len() == 1 {
                    continue;
                }
                if saturated[i] {
                    multipliers.push(i);
                }
                vars.extend(active.iter().map(|&k| (i, k)));
            }
            let size = unknowns_w + vars.len() + multipliers.len();
            if size > 600 || *work + (size * size * size / 2) as f64 > limit {
                return None;
            }
            let mut m = vec![0.0; size * size];
            let mut r = vec![0.0; size];
            // (1) W̃ − Σ_free βᵢᵏ (e_y − eₖ) ⊗ x̃ᵢ = Σ_fixed C (e_y − eₖ) ⊗ x̃ᵢ
            for q in 0..unknowns_w {
                m[q * size + q] = 1.0;
            }
            for i in 0..n {
                if saturated[i] && !multipliers.contains(&i) {
                    if let Some(k) = (0..k_n).find(|&k| beta[i * k_n + k] > 0.0) {
                        for j in 0..p {
                            r[self.y[i] * p + j] += self.c * xt(i, j);
                            r[k * p + j] -= self.c * xt(i, j);
                        }
                    }
                }
            }
            for (v, &(i, k)) in vars.iter().enumerate() {
                let col = unknowns_w + v;
                for j in 0..p {
                    m[(self.y[i] * p + j) * size + col] -= xt(i, j);
                    m[(k * p + j) * size + col] += xt(i, j);
                    // (2) (w̃_y − w̃ₖ)·x̃ᵢ [+ λᵢ] + ridge βᵢᵏ = 1
                    m[col * size + self.y[i] * p + j] += xt(i, j);
                    m[col * size + k * p + j] -= xt(i, j);
                }
                m[col * size + col] = ridge;
                r[col] = 1.0;
                if let Some(pos) = multipliers.iter().position(|&t| t == i) {
                    let lam = unknowns_w + vars.len() + pos;
                    m[col * size + lam] = 1.0;
                    // (3) Σₖ βᵢᵏ = C
                    m[lam * size + col] = 1.0;
                    r[lam] = self.c;
                }
            }
            // The ridge sits on the β rows only (multiplier rows keep their exact equality).
            *work += (size * size * size / 2 + 4 * n * k_n * p) as f64;
            let r = lu_solve_proximal(&m, &r, size, ridge, unknowns_w..unknowns_w + vars.len(), 3)?;
            // Ratio test on β ≥ 0 and on the sums of unsaturated points.
            let target = |v: usize| r[unknowns_w + v];
            let mut step = 1.0f64;
            let mut block: Option<Block> = None;
            for (v, &(i, k)) in vars.iter().enumerate() {
                let (now, then) = (beta[i * k_n + k], target(v));
                if then < 0.0 {
                    let tau = now / (now - then);
                    if tau < step {
                        step = tau.max(0.0);
                        block = Some(Block::Zero(i, k));
                    }
                }
            }
            for i in (0..n).filter(|&i| !saturated[i]) {
                let now = sum(&beta, i);
                let then: f64 = vars.iter().enumerate().filter(|(_, &(t, _))| t == i).map(|(v, _)| target(v)).sum();
                if then > self.c && now < self.c {
                    let tau = (self.c - now) / (then - now);
                    if tau < step {
                        step = tau.max(0.0);
                        block = Some(Block::Saturate(i));
                    }
                }
            }
            for (v, &(i, k)) in vars.iter().enumerate() {
                let b = &mut beta[i * k_n + k];
                *b += step * (target(v) - *b);
            }
            match block {
                Some(Block::Zero(i, k)) => {
                    beta[i * k_n + k] = 0.0;
                    continue;
                }
                Some(Block::Saturate(i)) => {
                    saturated[i] = true;
                    continue;
                }
                // The ratio test only blocks on zeros and saturation.
                None | Some(Block::Release(_) | Block::Enter(..)) => {}
            }
            for (pos, &i) in multipliers.iter().enumerate() {
                lambda[i] = r[unknowns_w + vars.len() + pos];
            }
            let w = &r[..unknowns_w];
            let margin =
                |i: usize, k: usize| (0..p).map(|j| (w[self.y[i] * p + j] - w[k * p + j]) * xt(i, j)).sum::<f64>();
            // Full step: look for the most violated condition.
            let mut worst = (1e-12, None);
            for i in 0..n {
                let yi = self.y[i];
                let fixed_class = if saturated[i] && !multipliers.contains(&i) {
                    (0..k_n).find(|&k| beta[i * k_n + k] > 0.0)
                } else {
                    None
                };
                let lam = match fixed_class {
                    Some(k) => 1.0 - margin(i, k),
                    None if saturated[i] => lambda[i],
                    None => 0.0,
                };
                if saturated[i] && -lam > worst.0 {
                    worst = (-lam, Some(Block::Release(i)));
                }
                for k in (0..k_n).filter(|&k| k != yi && beta[i * k_n + k] == 0.0) {
                    let g = margin(i, k) - 1.0 + lam.max(0.0);
                    if -g > worst.0 {
                        worst = (-g, Some(Block::Enter(i, k)));
                    }
                }
            }
            match worst.1 {
                Some(Block::Release(i)) => saturated[i] = false,
                Some(Block::Enter(i, k)) => beta[i * k_n + k] = 1e-300,
                _ => {
                    let mut out = vec![0.0; n * k_n];
                    for i in 0..n {
                        let row = &mut out[i * k_n..(i + 1) * k_n];
                        for k in 0..k_n {
                            row[k] = -beta[i * k_n + k];
                        }
                        let total = sum(&beta, i).min(self.c);
                        row[self.y[i]] = total;
                        // Keep the equality exact after the clamp.
                        if sum(&beta, i) > self.c {
                            let scale = self.c / sum(&beta, i);
                            for k in (0..k_n).filter(|&k| k != self.y[i]) {
                                row[k] *= scale;
                            }
                        }
                    }
                    return Some(out);
                }
            }
        }
        None
    }

    /// Primal, dual and gap at α, with the work it took.
    fn certify(&self, x: &[f64], alpha: &[f64]) -> (SolveStats, f64) {
        let k_n = self.classes;
        let w = self.weights_from(x, alpha);
        let ww: f64 = w.iter().map(|v| v * v).sum();
        let mut loss = 0.0;
        let mut s = vec![0.0; k_n];
        for i in 0..self.n {
            self.scores(&w, row(x, self.d, i), &mut s);
            let yi = self.y[i];
            let worst = (0..k_n).filter(|&c| c != yi).map(|c| 1.0 + s[c]).fold(f64::NEG_INFINITY, f64::max);
            loss += (worst - s[yi]).max(0.0);
        }
        let primal = 0.5 * ww + self.c * loss;
        let dual = (0..self.n).map(|i| alpha[i * k_n + self.y[i]]).sum::<f64>() - 0.5 * ww;
        (SolveStats::certified(primal, dual, ww.sqrt()), (2 * self.n * k_n * (self.d + 1)) as f64)
    }
}

impl CsSolver {
    /// A solver at its starting point: `warm` (n × K dual variables) made feasible when it has the right
    /// length, else zero.
    pub fn new(p: CrammerSinger, x: &[f64], warm: Option<&[f64]>) -> CsSolver {
        let k_n = p.classes;
        let mut alpha = vec![0.0; p.n * k_n];
        if let Some(a) = warm.filter(|a| a.len() == p.n * k_n) {
            for i in 0..p.n {
                p.feasible_copy(i, &a[i * k_n..(i + 1) * k_n], &mut alpha[i * k_n..(i + 1) * k_n]);
            }
        }
        let w = p.weights_from(x, &alpha);
        let sq =
            (0..p.n).map(|i| row(x, p.d, i).iter().map(|v| v * v).sum::<f64>() + p.bias_scale * p.bias_scale).collect();
        CsSolver {
            alpha,
            w,
            sq,
            rng: rng::seeded(p.options.seed, Stream::Solver),
            order: (0..p.n).collect(),
            active: p.n,
            eps: 0.1,
            shrink_at: f64::INFINITY,
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

    /// The dual variables now (warm-start material, certified or not).
    pub fn dual(&self) -> &[f64] {
        &self.alpha
    }

    /// Passes over the data so far.
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// The weights (K × d, row-major) and biases the dual variables give now — certified or not (for tracing
    /// a solve).
    pub fn weights_now(&self, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let p = &self.p;
        let (k_n, d1) = (p.classes, p.d + 1);
        let w_aug = p.weights_from(x, &self.alpha);
        let mut w = Vec::with_capacity(k_n * p.d);
        let mut b = Vec::with_capacity(k_n);
        for c in 0..k_n {
            w.extend_from_slice(&w_aug[c * d1..c * d1 + p.d]);
            b.push(w_aug[c * d1 + p.d] * p.bias_scale);
        }
        (w, b)
    }

    /// The solution (call once [`CsSolver::advance`] has returned true).
    pub fn into_solution(self, x: &[f64]) -> CsSolution {
        let mut stats = self.finished.clone().unwrap_or_default();
        stats.epochs = self.epochs;
        let (w_out, b_out) = self.weights_now(x);
        CsSolution { w: w_out, b: b_out, alpha: self.alpha, stats }
    }

    /// One epoch over the active examples and, when the spread test passes, a certificate (with the finish
    /// if it fails). Returns the multiply-adds it cost.
    fn unit(&mut self, x: &[f64]) -> f64 {
        let (n, d) = (self.p.n, self.p.d);
        let (k_n, d1) = (self.p.classes, d + 1);
        if self.epochs >= self.p.options.max_epochs {
            let (mut stats, mut work) = self.p.certify(x, &self.alpha);
            self.try_polish(x, &mut stats, 2000, &mut work);
            stats.capped = stats.rel_gap > self.p.options.tol;
            self.finished = Some(stats);
            return work;
        }
        self.epochs += 1;
        rng::shuffle(&mut self.rng, &mut self.order[..self.active]);
        let mut spread = 0.0f64;
        let mut g = vec![0.0; k_n];
        let mut new_alpha = vec![0.0; k_n];
        let mut scratch = vec![0.0; k_n];
        let mut visited = 0usize;
        let mut k = 0;
        while k < self.active {
            let i = self.order[k];
            visited += 1;
            let yi = self.p.y[i];
            let xi = row(x, d, i);
            self.p.scores(&self.w, xi, &mut g);
            for (c, gc) in g.iter_mut().enumerate() {
                if c != yi {
                    *gc += 1.0;
                }
            }
            let ai = &self.alpha[i * k_n..(i + 1) * k_n];
            // Optimality: all Gₖ with αₖ < Cₖ equal max G.
            let g_max = g.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut g_min_free = f64::INFINITY;
            for c in 0..k_n {
                let cap = if c == yi { self.p.c } else { 0.0 };
                if ai[c] < cap {
                    g_min_free = g_min_free.min(g[c]);
                }
            }
            let violation = g_max - g_min_free;
            if self.p.options.shrinking && ai.iter().all(|&a| a == 0.0) {
                // α = 0 is optimal iff G_y ≥ every other G; far inside that region, set the point aside.
                let others = (0..k_n).filter(|&c| c != yi).map(|c| g[c]).fold(f64::NEG_INFINITY, f64::max);
                if g[yi] - others > self.shrink_at {
                    self.active -= 1;
                    self.order.swap(k, self.active);
                    continue;
                }
            }
            spread = spread.max(violation);
            if violation > 1e-14 {
                self.p.sub_problem(
                    yi,
                    &g,
                    &self.alpha[i * k_n..(i + 1) * k_n],
                    self.sq[i],
                    &mut new_alpha,
                    &mut scratch,
                );
                let ai = &mut self.alpha[i * k_n..(i + 1) * k_n];
                for c in 0..k_n {
                    let delta = new_alpha[c] - ai[c];
                    if delta != 0.0 {
                        let wk = &mut self.w[c * d1..(c + 1) * d1];
                        for (wj, xj) in wk.iter_mut().zip(xi) {
                            *wj += delta * xj;
                        }
                        wk[d] += delta * self.p.bias_scale;
                        ai[c] = new_alpha[c];
                    }
                }
            }
            k += 1;
        }
        // Each example's sub-problem also sorts and scans its K values: counted, so that the work of a
        // low-dimensional problem is not underestimated against training's multiply-adds.
        let mut work = (visited * k_n * (2 * d1 + 24)) as f64;
        if spread <= self.eps || self.active == 0 {
            if self.active < n {
                self.active = n;
                self.shrink_at = f64::INFINITY;
                return work;
            }
            let (mut stats, certify_work) = self.p.certify(x, &self.alpha);
            work += certify_work;
            if stats.rel_gap <= self.p.options.tol || self.try_polish(x, &mut stats, 2000, &mut work) {
                self.finished = Some(stats);
                return work;
            }
            self.w = self.p.weights_from(x, &self.alpha);
            self.eps = (self.eps * 0.1).max(1e-15);
            return work + (n * k_n * d1) as f64;
        }
        self.shrink_at = spread.max(1e-12);
        // As for the binary solver: on hard problems the spread test can take tens of thousands of epochs to
        // pass, so the exact finish is tried along the way too, at epochs 16, 32, 64, …
        if self.epochs >= 16 && self.epochs.is_power_of_two() {
            let (mut current, certify_work) = self.p.certify(x, &self.alpha);
            work += certify_work;
            // About as many rounds as descent has made passes, and never more than a thousand: a finish that
            // fails on a hard problem should not cost more than descent itself.
            let rounds = (16 * self.epochs).min(1000);
            if current.rel_gap <= self.p.options.tol || self.try_polish(x, &mut current, rounds, &mut work) {
                self.finished = Some(current);
                return work;
            }
            self.w = self.p.weights_from(x, &self.alpha);
            self.active = n;
            self.shrink_at = f64::INFINITY;
            work += (n * k_n * d1) as f64;
        }
        work
    }

    /// Runs the active-set finish and keeps its point if it has the smaller gap; returns whether the
    /// tolerance is met.
    fn try_polish(&mut self, x: &[f64], stats: &mut SolveStats, rounds: usize, work: &mut f64) -> bool {
        // First from the partition the primal point implies, which descent gets right long before its dual
        // variables settle (and which frees only the few variables on the margin); then from the iterate's own.
        let by_margins = self.p.margin_start(x, &self.alpha);
        *work += (3 * self.p.n * self.p.classes * (self.p.d + 1)) as f64;
        let limit = *work + POLISH_WORK;
        for start in [by_margins, self.alpha.clone()] {
            if let Some(polished) = self.p.polish(x, &start, rounds, work, limit) {
                let (candidate, certify_work) = self.p.certify(x, &polished);
                *work += certify_work;
                let proven = candidate.rel_gap <= KKT_GAP_FLOOR;
                if candidate.gap < stats.gap || proven {
                    self.alpha = polished;
                    *stats = candidate;
                }
                if proven {
                    return true;
                }
            }
            if stats.rel_gap <= self.p.options.tol {
                return true;
            }
        }
        false
    }
}
