//! One-vs-rest: one binary machine per class against all the others (what the paper's code used, through
//! scikit-learn's `LinearSVC`), solved one after another; the prediction is the arg-max of their scores.

use super::binary::{Binary, BinarySolution, BinarySolver};
use super::{DualState, LinearClassifier, SolveStats};
use ndarray::Array2;

/// K binary machines in progress: the finished ones' solutions and the one being solved.
pub(crate) struct OneVsRest {
    problems: Vec<Binary>,
    warm: Option<DualState>,
    current: Option<BinarySolver>,
    solved: Vec<BinarySolution>,
}

impl OneVsRest {
    /// The machines `problems` (class k against the rest, in order), warm-started from `warm` (K × n dual
    /// variables and K multipliers) when given.
    pub fn new(problems: Vec<Binary>, warm: Option<DualState>) -> OneVsRest {
        OneVsRest { problems, warm, current: None, solved: Vec::new() }
    }

    fn start(&self, x: &[f64], k: usize) -> BinarySolver {
        let p = &self.problems[k];
        let n = p.n;
        let warm = self.warm.as_ref().map(|w| (&w.alpha[k * n..(k + 1) * n], w.mu.get(k).copied().unwrap_or(0.0)));
        BinarySolver::new(p.clone(), x, warm)
    }

    /// Advances the machines in order within `budget`; returns whether all are solved.
    pub fn advance(&mut self, x: &[f64], budget: &mut f64) -> bool {
        while self.solved.len() < self.problems.len() && *budget > 0.0 {
            let k = self.solved.len();
            let mut solver = match self.current.take() {
                Some(s) => s,
                None => self.start(x, k),
            };
            if solver.advance(x, budget) {
                self.solved.push(solver.into_solution(x));
            } else {
                self.current = Some(solver);
            }
        }
        self.solved.len() == self.problems.len()
    }

    /// The dual variables as they are now: solved machines' final ones, the others' current or starting ones.
    pub fn dual_now(&self) -> DualState {
        let n = self.problems.first().map_or(0, |p| p.n);
        let mut state = DualState::default();
        for k in 0..self.problems.len() {
            if let Some(sol) = self.solved.get(k) {
                state.alpha.extend_from_slice(&sol.alpha);
                state.mu.push(sol.mu);
            } else if let (Some(current), true) = (&self.current, k == self.solved.len()) {
                let (alpha, mu) = current.dual();
                state.alpha.extend_from_slice(alpha);
                state.mu.push(mu);
            } else if let Some(w) = &self.warm {
                state.alpha.extend_from_slice(&w.alpha[k * n..(k + 1) * n]);
                state.mu.push(w.mu.get(k).copied().unwrap_or(0.0));
            } else {
                state.alpha.extend(std::iter::repeat_n(0.0, n));
                state.mu.push(0.0);
            }
        }
        state
    }

    /// The classifier (one row per class), the dual state, the support vectors (points with a non-zero
    /// variable in any machine) and the certificates (gaps and objectives summed, the worst relative gap
    /// and angle bound).
    pub fn into_parts(mut self, x: &[f64]) -> (LinearClassifier, DualState, Vec<usize>, SolveStats) {
        self.advance(x, &mut { f64::INFINITY });
        let (k_n, n, d) = (self.problems.len(), self.problems[0].n, self.problems[0].d);
        let mut weights = Array2::zeros((k_n, d));
        let mut biases = Vec::with_capacity(k_n);
        let mut state = DualState { alpha: Vec::with_capacity(k_n * n), mu: Vec::with_capacity(k_n) };
        let mut stats = SolveStats::default();
        let mut support = vec![false; n];
        for (k, sol) in self.solved.into_iter().enumerate() {
            weights.row_mut(k).assign(&ndarray::ArrayView1::from(&sol.w));
            biases.push(sol.b);
            for (i, &a) in sol.alpha.iter().enumerate() {
                support[i] |= a > 0.0;
            }
            stats.primal += sol.stats.primal;
            stats.dual += sol.stats.dual;
            stats.gap += sol.stats.gap;
            stats.epochs += sol.stats.epochs;
            stats.capped |= sol.stats.capped;
            stats.rel_gap = stats.rel_gap.max(sol.stats.rel_gap);
            stats.angle_bound_deg = stats.angle_bound_deg.max(sol.stats.angle_bound_deg);
            state.alpha.extend_from_slice(&sol.alpha);
            state.mu.push(sol.mu);
        }
        (LinearClassifier::new(weights, biases), state, (0..n).filter(|&i| support[i]).collect(), stats)
    }
}
