//! The exact finish of the binary hinge-loss SVM: a primal active-set method on the dual (Nocedal & Wright,
//! "Numerical Optimization", §16.5), whose linear algebra lives on the free variables only.
//!
//! With zᵢ = yᵢ[xᵢ; t] (t = B for a regularised bias; for a free bias zᵢ = yᵢxᵢ) and Qᵢⱼ = zᵢ·zⱼ, the dual
//! is min ½αᵀQα − 1ᵀα over 0 ≤ α ≤ U, plus yᵀα = 0 for a free bias. Each point's variable is at 0, at U,
//! or free (in the set F). Given F, the KKT conditions are a linear system in α_F (and the free bias b):
//!
//! ```text
//!   regularised:  Q_FF α_F = 1 − Z_F v_U                        (v_U = U Σ_{αᵢ=U} zᵢ)
//!   free bias:    [Q_FF  y_F; y_Fᵀ  0] [α_F; b] = [1 − Z_F v_U; −U Σ_{αᵢ=U} yᵢ]
//! ```
//!
//! One round solves it, steps from the current point towards its solution as far as the box allows, and
//! moves the variable that blocked to its bound; when the whole step fits, it frees the bound variable whose
//! KKT condition (gᵢ = yᵢ fᵢ − 1 ≥ 0 at 0, ≤ 0 at U) is violated most, or stops at the optimum if none is.
//! For a free bias Q_FF alone is singular as soon as more than d points are free, so the system is built
//! on Q + ρyyᵀ instead (ρ = the mean ‖xᵢ‖², as in the augmented Lagrangian of [`super::binary`]): since
//! yᵀα = 0 at every full step, the solution is the same, and the matrix is as well conditioned as with a
//! regularised bias.
//! The system is |F|-square — at most d + 1 at a generic optimum, usually a few — and its Gram block is kept
//! from round to round (a row is added or removed as a variable enters or leaves), so a round costs one
//! pass over the points plus an |F|² solve (the right-hand side, too, is kept until v_U changes): wide
//! features cost no more than narrow ones. The factor is of Q_FF + εI with a tiny ridge ε, which keeps
//! dependent free points (singular Q_FF, common on freshly initialised features) solvable; proximal rounds
//! (Q_FF + εI)xₖ₊₁ = r + εxₖ remove its bias again, as many as change the solution (one more solve on a
//! well-conditioned system). Right after a dependent point enters, the solution is dominated by the null
//! direction that the ratio test needs, which further rounds would only lengthen: one solve then.

use crate::linalg::{axpy, dot, row_dots, GrowingCholesky};

/// The problem the finish works on: borrowed features (n × d, row-major), labels ±1, the box and the bias.
pub(crate) struct HingeProblem<'a> {
    pub x: &'a [f64],
    pub n: usize,
    pub d: usize,
    pub y: &'a [f64],
    /// The box's upper end U = C.
    pub upper: f64,
    /// B² for a regularised bias; `None` for a free one.
    pub bias_curvature: Option<f64>,
    /// The curvature κ the Gram adds to every pair: B², or ρ for a free bias (see the module docs).
    pub kappa: f64,
}

impl HingeProblem<'_> {
    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// Qᵢⱼ = zᵢ·zⱼ.
    fn q(&self, i: usize, j: usize) -> f64 {
        self.y[i] * self.y[j] * (dot(self.row(i), self.row(j)) + self.kappa)
    }
}

/// How a finish attempt ended.
pub(crate) enum Finish {
    /// No bound variable violates its KKT condition: the optimum (to be certified by the caller).
    Optimal(Vec<f64>, f64),
    /// Out of rounds: the last iterate, feasible and never worse than the start (each step decreases the
    /// dual objective), worth keeping as a warm start.
    Partial(Vec<f64>, f64),
    /// Nothing usable (too many free variables, or a system that could not be solved).
    Failed,
}

/// Runs the finish from `start` (clamped into the box; its variables strictly inside are the first free
/// set) for at most about `rounds` variable moves. Returns the dual variables and the free bias (0 for a
/// regularised one). Adds the multiply-adds it spends to `work`.
pub(crate) fn solve(p: &HingeProblem, start: Vec<f64>, rounds: usize, work: &mut f64) -> Finish {
    let (n, d, upper) = (p.n, p.d, p.upper);
    let regularized = p.bias_curvature.is_some();
    let kappa = p.kappa;
    let mut a: Vec<f64> = start.into_iter().map(|v| if v.is_finite() { v.clamp(0.0, upper) } else { 0.0 }).collect();
    let mut members: Vec<usize> = Vec::new();
    let mut member = vec![false; n];
    // The largest free set the finish accepts: a generic optimum has at most d + 1.
    let limit = n.min(4 * (d + 1) + 40).min(600);
    if (0..n).filter(|&i| a[i] > 0.0 && a[i] < upper).count() > limit {
        return Finish::Failed;
    }
    // A tiny ridge keeps dependent free points solvable; proximal rounds remove its bias again.
    let ridge = 1e-13 * (0..n).map(|i| dot(p.row(i), p.row(i)) + kappa).fold(0.0, f64::max);
    // The Cholesky factor of Q_FF + ridge·I, in the members' order.
    let mut factor = GrowingCholesky::default();
    // Enters a variable into the free set; returns whether it depends on the members (its pivot is the
    // ridge's, to rounding): then Q_FF is singular, and the next system's solution is dominated by the null
    // direction, which proximal rounds would only lengthen.
    let enter =
        |i: usize, members: &mut Vec<usize>, member: &mut [bool], factor: &mut GrowingCholesky, work: &mut f64| {
            let column: Vec<f64> = members.iter().map(|&j| p.q(j, i)).collect();
            let pivot = factor.append(&column, p.q(i, i) + ridge, ridge);
            *work += (members.len() * (d + members.len())) as f64;
            members.push(i);
            member[i] = true;
            pivot <= 2.0 * ridge
        };
    let mut dependent = false;
    for i in 0..n {
        if a[i] > 0.0 && a[i] < upper {
            dependent |= enter(i, &mut members, &mut member, &mut factor, work);
        }
    }
    // v_U = U Σ_{αᵢ=U, i∉F} yᵢxᵢ and s_U = U Σ_{αᵢ=U, i∉F} yᵢ, kept up to date as variables move.
    let mut v_upper = vec![0.0; d];
    let mut s_upper = 0.0;
    let bound_sums = |a: &[f64], member: &[bool], v: &mut Vec<f64>, s: &mut f64| {
        v.iter_mut().for_each(|t| *t = 0.0);
        *s = 0.0;
        for i in (0..n).filter(|&i| !member[i] && a[i] == upper) {
            axpy(upper * p.y[i], p.row(i), v);
            *s += upper * p.y[i];
        }
    };
    bound_sums(&a, &member, &mut v_upper, &mut s_upper);
    *work += (n * d) as f64;
    let mut w = vec![0.0; d];
    let mut bias = 0.0;
    let mut margins = vec![0.0; n];
    // The system's right-hand side 1 − yᵢ(xᵢ·v_U + κ s_U) of the first `rhs_valid` members: it changes only
    // when v_U does.
    let mut rhs: Vec<f64> = Vec::new();
    let mut rhs_valid = 0;
    for round in 0..(2 * limit + rounds) {
        if round % 64 == 63 {
            bound_sums(&a, &member, &mut v_upper, &mut s_upper);
            rhs_valid = 0;
            *work += (n * d) as f64;
        }
        let m = members.len();
        if m > limit {
            return Finish::Partial(a, bias);
        }
        if m == 0 && !regularized {
            // Every variable at a bound: no system determines a free bias, and yᵀα = 0 generally fails. Free
            // the variable of each class nearest its margin (with the bias so far), so that the equality can
            // be met by moving the two against each other.
            let mut best = [(f64::INFINITY, None), (f64::INFINITY, None)];
            for i in 0..n {
                let g = (p.y[i] * (dot(p.row(i), &v_upper) + bias) - 1.0).abs();
                let slot = &mut best[usize::from(p.y[i] > 0.0)];
                if g < slot.0 {
                    *slot = (g, Some(i));
                }
            }
            *work += (n * d) as f64;
            for i in best.iter().filter_map(|b| b.1) {
                if a[i] == upper {
                    axpy(-upper * p.y[i], p.row(i), &mut v_upper);
                    s_upper -= upper * p.y[i];
                    rhs_valid = 0;
                }
                dependent |= enter(i, &mut members, &mut member, &mut factor, work);
            }
            continue;
        }
        rhs.truncate(rhs_valid);
        rhs.extend(members[rhs_valid..].iter().map(|&i| 1.0 - p.y[i] * (dot(p.row(i), &v_upper) + kappa * s_upper)));
        *work += ((m - rhs_valid) * d) as f64;
        rhs_valid = m;
        let y_free: Vec<f64> = members.iter().map(|&i| p.y[i]).collect();
        // (Q_FF + εI) x = r + εx_prev, proximal rounds while they change x; with a free bias the bordered system
        // [A y; yᵀ 0][x; b] = [r; −s_U] is solved through A⁻¹r and A⁻¹y.
        let y_solved = if regularized { Vec::new() } else { factor.solve(&y_free) };
        let y_curvature = if regularized { 0.0 } else { dot(&y_free, &y_solved) };
        let mut target = vec![0.0; m];
        let mut solves = usize::from(!regularized);
        let mut last_moved = f64::INFINITY;
        for round in 0..8 {
            let shifted: Vec<f64> =
                rhs.iter().zip(&target).map(|(r, t)| r + if round > 0 { ridge * t } else { 0.0 }).collect();
            let u = factor.solve(&shifted);
            solves += 1;
            let next: Vec<f64> = if regularized {
                u
            } else {
                bias = (dot(&y_free, &u) + s_upper) / y_curvature;
                u.iter().zip(&y_solved).map(|(u, v)| u - bias * v).collect()
            };
            // A proximal round moves the point by about ridge/λ_min of itself: once that is below rounding
            // (a well-conditioned system), further rounds change nothing; when a round moves it by more than
            // half as much as the one before, the system is (nearly) singular and rounds only lengthen the
            // null direction. Either way: stop.
            let size = next.iter().fold(0.0f64, |s, t| s.max(t.abs()));
            let moved = next.iter().zip(&target).fold(0.0f64, |s, (a, b)| s.max((a - b).abs()));
            target = next;
            if dependent || (round > 0 && (moved <= 4.0 * f64::EPSILON * size || moved > 0.5 * last_moved)) {
                break;
            }
            last_moved = moved;
        }
        *work += ((2 * solves + 2) * m * m) as f64;
        if !target.iter().all(|t| t.is_finite()) || !bias.is_finite() {
            return Finish::Failed;
        }
        // Ratio test: the largest step towards the solution that keeps every free variable in the box.
        let mut step = 1.0f64;
        let mut blocking = None;
        for (k, &i) in members.iter().enumerate() {
            let t = target[k];
            let limit_at = if t < 0.0 {
                Some(a[i] / (a[i] - t))
            } else if t > upper {
                Some((upper - a[i]) / (t - a[i]))
            } else {
                None
            };
            if let Some(tau) = limit_at {
                if tau < step {
                    step = tau.max(0.0);
                    blocking = Some(k);
                }
            }
        }
        for (k, &i) in members.iter().enumerate() {
            a[i] += step * (target[k] - a[i]);
        }
        if let Some(k) = blocking {
            let i = members[k];
            let to_upper = target[k] > upper;
            a[i] = if to_upper { upper } else { 0.0 };
            if to_upper {
                axpy(upper * p.y[i], p.row(i), &mut v_upper);
                s_upper += upper * p.y[i];
                rhs_valid = 0;
            } else if k < rhs_valid {
                rhs.remove(k);
                rhs_valid -= 1;
            }
            dependent = false;
            member[i] = false;
            members.remove(k);
            factor.remove(k);
            *work += ((m - k) * (m - k) * 2 + d) as f64;
            continue;
        }
        // The whole step fits: the KKT conditions of the bound variables decide; the worst violator enters.
        w.copy_from_slice(&v_upper);
        let mut s = s_upper;
        for &i in &members {
            axpy(a[i] * p.y[i], p.row(i), &mut w);
            s += a[i] * p.y[i];
        }
        let b = if regularized { kappa * s } else { bias };
        row_dots(p.x, d, &w, &mut margins);
        let mut worst = (1e-12, None);
        for i in (0..n).filter(|&i| !member[i]) {
            let g = p.y[i] * (margins[i] + b) - 1.0;
            let violation = if a[i] == 0.0 { -g } else { g };
            if violation > worst.0 {
                worst = (violation, Some(i));
            }
        }
        *work += (n * d + m * d) as f64;
        let Some(i) = worst.1 else {
            return Finish::Optimal(a, if regularized { 0.0 } else { b });
        };
        if a[i] == upper {
            axpy(-upper * p.y[i], p.row(i), &mut v_upper);
            s_upper -= upper * p.y[i];
            rhs_valid = 0;
        }
        dependent |= enter(i, &mut members, &mut member, &mut factor, work);
    }
    Finish::Partial(a, bias)
}
