//! The kernel C-SVM SupportNet selects its memory with: scikit-learn's `SVC(kernel="rbf", C=1,
//! gamma="scale")`, that is LIBSVM's C-SVC — one binary machine per pair of classes (one-vs-one), each the dual
//!
//! ```text
//!   min ½ αᵀQα − Σα   subject to 0 ≤ αᵢ ≤ C, Σ yᵢαᵢ = 0,   Qᵢⱼ = yᵢyⱼ exp(−γ‖xᵢ − xⱼ‖²),
//! ```
//!
//! with a free bias, solved by sequential minimal optimisation with the second-order working-set selection of
//! Fan, Chen & Lin (2005) and LIBSVM's stopping rule (the maximal violation below `tol`, 10⁻³). γ = "scale" is
//! 1 / (d · Var(X)), the variance taken over every entry of the feature matrix. A point is a support vector
//! when its α is positive in any of the pairs' machines (scikit-learn's `support_`).
//!
//! Kernel rows are computed when the solver first needs them and kept in a cache of bounded size, so a few
//! thousand points fit without an n × n matrix.

use ndarray::ArrayView2;

/// The hyper-parameters (scikit-learn's defaults for `SVC`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KernelSvm {
    /// The slack penalty.
    pub c: f64,
    /// The stopping tolerance on the maximal KKT violation.
    pub tol: f64,
    /// The most SMO iterations per pair (LIBSVM has no limit; this guard only stops a pathological input).
    pub max_iter: usize,
}

impl Default for KernelSvm {
    fn default() -> Self {
        KernelSvm { c: 1.0, tol: 1e-3, max_iter: 10_000_000 }
    }
}

/// A one-vs-one RBF machine's answer for the selection: which points are support vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelFit {
    /// The RBF width used (γ = 1 / (d · Var X)).
    pub gamma: f64,
    /// Indices (ascending) of the points with α > 0 in any pair's machine.
    pub support: Vec<usize>,
    /// Whether some pair stopped at `max_iter` rather than at the tolerance.
    pub capped: bool,
    /// Kernel evaluations times the width: the work done, in multiply-adds.
    pub work: f64,
    /// Each pair's machine: (first class, second class, its dual solution).
    pub pairs: Vec<PairMachine>,
}

/// One pair's binary machine: the second class is +1, the first −1.
#[derive(Clone, Debug, PartialEq)]
pub struct PairMachine {
    /// The class coded −1.
    pub negative: usize,
    /// The class coded +1.
    pub positive: usize,
    /// The points of the two classes (indices into the whole feature matrix).
    pub points: Vec<usize>,
    /// Their dual variables (same order as `points`).
    pub alpha: Vec<f64>,
    /// Their labels, ±1.
    pub y: Vec<f64>,
    /// f(x) = Σ αᵢ yᵢ K(xᵢ, x) + bias.
    pub bias: f64,
}

/// γ = "scale": 1 / (d · Var X) over every entry of `x` (1 when the features are constant, as scikit-learn).
pub fn gamma_scale(x: ArrayView2<f64>) -> f64 {
    let count = x.len() as f64;
    if count == 0.0 {
        return 1.0;
    }
    let mean = x.iter().sum::<f64>() / count;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / count;
    if var > 0.0 {
        1.0 / (x.ncols() as f64 * var)
    } else {
        1.0
    }
}

impl KernelSvm {
    /// Fits the one-vs-one RBF machines to `x` (n × d) with labels in 0..`classes`.
    pub fn fit(&self, x: ArrayView2<f64>, labels: &[usize], classes: usize) -> KernelFit {
        let gamma = gamma_scale(x);
        let mut pairs = Vec::new();
        let mut capped = false;
        let mut work = 0.0;
        let mut in_support = vec![false; labels.len()];
        for a in 0..classes {
            for b in a + 1..classes {
                let points: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == a || labels[i] == b).collect();
                let y: Vec<f64> = points.iter().map(|&i| if labels[i] == b { 1.0 } else { -1.0 }).collect();
                if y.iter().all(|&v| v > 0.0) || y.iter().all(|&v| v < 0.0) {
                    continue;
                }
                let mut problem = Smo::new(x, &points, &y, gamma, self.c);
                let converged = problem.solve(self.tol, self.max_iter);
                capped |= !converged;
                work += problem.evaluations as f64 * x.ncols() as f64;
                let bias = -problem.rho();
                let alpha = std::mem::take(&mut problem.alpha);
                for (k, &i) in points.iter().enumerate() {
                    if alpha[k] > 0.0 {
                        in_support[i] = true;
                    }
                }
                pairs.push(PairMachine { negative: a, positive: b, points, alpha, y, bias });
            }
        }
        let support = (0..labels.len()).filter(|&i| in_support[i]).collect();
        KernelFit { gamma, support, capped, work, pairs }
    }
}

/// At most this many kernel entries are cached (64 MB of doubles).
const CACHE_ENTRIES: usize = 8 << 20;

/// One binary dual problem and its SMO state.
struct Smo<'a> {
    x: ArrayView2<'a, f64>,
    points: &'a [usize],
    y: &'a [f64],
    gamma: f64,
    c: f64,
    alpha: Vec<f64>,
    /// ∇ of the dual objective: (Qα)ᵢ − 1.
    grad: Vec<f64>,
    /// K(xᵢ, xᵢ) is 1 for the RBF kernel; Qᵢᵢ too.
    rows: Vec<Option<Vec<f64>>>,
    order: std::collections::VecDeque<usize>,
    evaluations: u64,
}

impl<'a> Smo<'a> {
    fn new(x: ArrayView2<'a, f64>, points: &'a [usize], y: &'a [f64], gamma: f64, c: f64) -> Smo<'a> {
        let n = points.len();
        Smo {
            x,
            points,
            y,
            gamma,
            c,
            alpha: vec![0.0; n],
            grad: vec![-1.0; n],
            rows: vec![None; n],
            order: Default::default(),
            evaluations: 0,
        }
    }

    /// Row i of Q (yᵢyⱼKᵢⱼ for every j), computed on first use.
    fn row(&mut self, i: usize) -> &[f64] {
        if self.rows[i].is_none() {
            let n = self.points.len();
            while !self.order.is_empty() && (self.order.len() + 1) * n > CACHE_ENTRIES {
                let old = self.order.pop_front().expect("not empty");
                self.rows[old] = None;
            }
            let xi = self.x.row(self.points[i]);
            let row: Vec<f64> = (0..n)
                .map(|j| {
                    let xj = self.x.row(self.points[j]);
                    let d2: f64 = xi.iter().zip(xj.iter()).map(|(a, b)| (a - b) * (a - b)).sum();
                    self.y[i] * self.y[j] * (-self.gamma * d2).exp()
                })
                .collect();
            self.evaluations += n as u64;
            self.rows[i] = Some(row);
            self.order.push_back(i);
        }
        self.rows[i].as_deref().expect("just computed")
    }

    fn upper(&self, t: usize) -> bool {
        (self.y[t] > 0.0 && self.alpha[t] < self.c) || (self.y[t] < 0.0 && self.alpha[t] > 0.0)
    }

    fn lower(&self, t: usize) -> bool {
        (self.y[t] > 0.0 && self.alpha[t] > 0.0) || (self.y[t] < 0.0 && self.alpha[t] < self.c)
    }

    /// Runs SMO until the maximal violation is below `tol`; false when stopped by `max_iter`.
    fn solve(&mut self, tol: f64, max_iter: usize) -> bool {
        let n = self.points.len();
        for _ in 0..max_iter {
            // i: the most violating index of the upper set.
            let mut i = usize::MAX;
            let mut g_max = f64::NEG_INFINITY;
            for t in 0..n {
                if self.upper(t) && -self.y[t] * self.grad[t] >= g_max {
                    g_max = -self.y[t] * self.grad[t];
                    i = t;
                }
            }
            if i == usize::MAX {
                return true;
            }
            let qi: Vec<f64> = self.row(i).to_vec();
            // j: the lower-set index giving the largest second-order decrease.
            let mut j = usize::MAX;
            let mut g_min = f64::INFINITY;
            let mut best = f64::INFINITY;
            for t in 0..n {
                if !self.lower(t) {
                    continue;
                }
                let v = -self.y[t] * self.grad[t];
                g_min = g_min.min(v);
                let b = g_max - v;
                if b > 0.0 {
                    // Kᵢᵢ + Kₜₜ − 2Kᵢₜ with K = yyQ (the RBF diagonal is 1).
                    let a = 2.0 - 2.0 * self.y[i] * self.y[t] * qi[t];
                    let a = if a > 0.0 { a } else { 1e-12 };
                    let decrease = -(b * b) / a;
                    if decrease <= best {
                        best = decrease;
                        j = t;
                    }
                }
            }
            if g_max - g_min < tol || j == usize::MAX {
                return true;
            }
            let qj: Vec<f64> = self.row(j).to_vec();
            self.step(i, j, &qi, &qj);
        }
        false
    }

    /// Optimises αᵢ and αⱼ jointly (the two-variable subproblem, clipped to the box and the equality).
    fn step(&mut self, i: usize, j: usize, qi: &[f64], qj: &[f64]) {
        let c = self.c;
        let (old_i, old_j) = (self.alpha[i], self.alpha[j]);
        let qij = qi[j];
        if self.y[i] != self.y[j] {
            // αᵢ − αⱼ is fixed.
            let quad = (2.0 + 2.0 * qij).max(1e-12);
            let delta = (-self.grad[i] - self.grad[j]) / quad;
            let diff = old_i - old_j;
            let (mut ai, mut aj) = (old_i + delta, old_j + delta);
            if diff > 0.0 {
                if aj < 0.0 {
                    aj = 0.0;
                    ai = diff;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = -diff;
            }
            if diff > 0.0 {
                if ai > c {
                    ai = c;
                    aj = c - diff;
                }
            } else if aj > c {
                aj = c;
                ai = c + diff;
            }
            self.alpha[i] = ai;
            self.alpha[j] = aj;
        } else {
            // αᵢ + αⱼ is fixed.
            let quad = (2.0 - 2.0 * qij).max(1e-12);
            let delta = (self.grad[i] - self.grad[j]) / quad;
            let sum = old_i + old_j;
            let (mut ai, mut aj) = (old_i - delta, old_j + delta);
            if sum > c {
                if ai > c {
                    ai = c;
                    aj = sum - c;
                }
            } else if aj < 0.0 {
                aj = 0.0;
                ai = sum;
            }
            if sum > c {
                if aj > c {
                    aj = c;
                    ai = sum - c;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = sum;
            }
            self.alpha[i] = ai;
            self.alpha[j] = aj;
        }
        let (di, dj) = (self.alpha[i] - old_i, self.alpha[j] - old_j);
        for (t, g) in self.grad.iter_mut().enumerate() {
            *g += qi[t] * di + qj[t] * dj;
        }
    }

    /// ρ (the bias is −ρ): the mean of yᵢ∇ᵢ over the free variables, or the middle of its feasible interval.
    fn rho(&self) -> f64 {
        let (mut sum, mut free) = (0.0, 0usize);
        let (mut ub, mut lb) = (f64::INFINITY, f64::NEG_INFINITY);
        for t in 0..self.alpha.len() {
            let yg = self.y[t] * self.grad[t];
            if self.alpha[t] > 0.0 && self.alpha[t] < self.c {
                sum += yg;
                free += 1;
            } else if (self.alpha[t] >= self.c && self.y[t] < 0.0) || (self.alpha[t] <= 0.0 && self.y[t] > 0.0) {
                ub = ub.min(yg);
            } else {
                lb = lb.max(yg);
            }
        }
        if free > 0 {
            sum / free as f64
        } else {
            (ub + lb) / 2.0
        }
    }
}

impl PairMachine {
    /// f(x) for a point given as a row (the support vectors' kernel sum plus the bias).
    pub fn decision(&self, x: ArrayView2<f64>, at: &[f64], gamma: f64) -> f64 {
        let mut f = self.bias;
        for (k, &i) in self.points.iter().enumerate() {
            if self.alpha[k] > 0.0 {
                let d2: f64 = x.row(i).iter().zip(at).map(|(a, b)| (a - b) * (a - b)).sum();
                f += self.alpha[k] * self.y[k] * (-gamma * d2).exp();
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two points, one per class: both are support vectors with α = 2/(2 − 2K) (capped at C), and the
    /// boundary is half-way.
    #[test]
    fn two_points_solve_in_closed_form() {
        let x = ndarray::array![[0.0, 0.0], [1.0, 0.0]];
        let fit = KernelSvm { c: 100.0, ..KernelSvm::default() }.fit(x.view(), &[0, 1], 2);
        // Var over the four entries (0, 0, 1, 0) is 3/16; γ = 1 / (2 · 3/16) = 8/3.
        assert!((fit.gamma - 8.0 / 3.0).abs() < 1e-15);
        let k = (-fit.gamma).exp();
        let m = &fit.pairs[0];
        for a in &m.alpha {
            assert!((a - 2.0 / (2.0 - 2.0 * k)).abs() < 1e-9, "{a}");
        }
        assert!(m.bias.abs() < 1e-12);
        assert_eq!(fit.support, vec![0, 1]);
    }
}
