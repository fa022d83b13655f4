//! Linear support vector machines, solved exactly enough to serve as the yardstick of the page: binary with
//! hinge or squared-hinge loss and a regularised or free bias ([`binary`], with the hinge loss's exact finish
//! in [`hinge_finish`]), Crammer–Singer multi-class ([`crammer_singer`]) and one-vs-rest ([`one_vs_rest`]).
//!
//! Usage follows the "parameters → fit → fitted model" shape: [`SvmParams`] holds the hyper-parameters with
//! documented defaults and is checked once; [`SvmParams::fit`] takes features (n × d), labels (0..K−1) and an
//! optional warm start, and returns an [`SvmModel`] or an [`SvmError`] naming what is wrong with the input.
//! [`SvmParams::start`] returns the same fit as a resumable [`SvmFit`] instead, which a caller advances by a
//! budget of multiply-adds at a time (the page spreads fits over frames this way); the answer does not depend
//! on how the fit was sliced.
//!
//! Binary convention (as in LIBLINEAR and the fixtures): class 1 is +1, class 0 is −1, f(x) = w·x + b.

pub mod binary;
pub mod crammer_singer;
pub mod hinge_finish;
pub mod kernel;
pub mod linear;
pub mod one_vs_rest;

use binary::{BiasKind, Binary, BinarySolver};
use crammer_singer::{CrammerSinger, CsSolver};
pub use linear::LinearClassifier;
use ndarray::{Array2, ArrayView2};
use one_vs_rest::OneVsRest;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The slack penalty of the binary and one-vs-rest machines.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// max(0, 1 − y f): the L1 SVM; its hard-margin limit is the one gradient descent approaches.
    Hinge,
    /// max(0, 1 − y f)²: the L2 SVM (LIBLINEAR's default, scikit-learn's `LinearSVC`).
    SquaredHinge,
}

impl Loss {
    /// Every slack penalty, in the order the page lists them.
    pub const ALL: [Loss; 2] = [Loss::Hinge, Loss::SquaredHinge];

    /// A human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            Loss::Hinge => "hinge",
            Loss::SquaredHinge => "squared hinge",
        }
    }
}

/// How more than two classes are handled.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Multiclass {
    /// One joint machine (Crammer & Singer 2001): the limit of softmax cross-entropy.
    CrammerSinger,
    /// One binary machine per class against the rest (what the paper's code used).
    OneVsRest,
}

impl Multiclass {
    /// Every multi-class scheme, in the order the page lists them.
    pub const ALL: [Multiclass; 2] = [Multiclass::CrammerSinger, Multiclass::OneVsRest];

    /// A human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            Multiclass::CrammerSinger => "Crammer–Singer",
            Multiclass::OneVsRest => "one-vs-rest",
        }
    }
}

/// Whether the bias is penalised like a weight.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BiasMode {
    /// A weight on a constant feature `bias_scale`: what gradient descent does to a last layer's bias, so the
    /// exact limit for fixed features (LIBLINEAR `-B`).
    Regularized,
    /// Not penalised: the classic SVM (LIBSVM, scikit-learn's `SVC`).
    Free,
}

/// A point the exact finish proves optimal (no KKT condition violated by more than 1e-12) is accepted when
/// its certified relative gap is below this, even above the tolerance: at large C the gap's own rounding
/// (a difference of two sums of n terms of size C) can exceed 1e-9. The gap reported is the certified one.
pub(crate) const KKT_GAP_FLOOR: f64 = 1e-7;

/// How the binary and Crammer–Singer solvers stop and order their work. Defaults: relative gap 1e-9,
/// 100 000 epochs, shrinking on, seed 1.
#[derive(Clone, Debug, PartialEq)]
pub struct SolverOptions {
    /// Stop when (primal − dual)/dual ≤ tol (certified).
    pub tol: f64,
    /// Guard on passes over the data; reported when hit.
    pub max_epochs: usize,
    /// LIBLINEAR-style shrinking of settled coordinates.
    pub shrinking: bool,
    /// Seed of the coordinate order.
    pub seed: u64,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions { tol: 1e-9, max_epochs: 100_000, shrinking: true, seed: 1 }
    }
}

/// Hyper-parameters of the SVM. Defaults: hinge loss, Crammer–Singer, regularised bias with B = 1,
/// C = 1000 (near the hard-margin limit), and [`SolverOptions::default`].
#[derive(Clone, Debug, PartialEq)]
pub struct SvmParams {
    /// Slack penalty for binary and one-vs-rest machines.
    pub loss: Loss,
    /// Multi-class scheme (ignored for two classes).
    pub multiclass: Multiclass,
    /// Regularised or free bias.
    pub bias: BiasMode,
    /// Cost of slack, C > 0. Large C approaches the hard margin.
    pub c: f64,
    /// The constant feature B carrying a regularised bias.
    pub bias_scale: f64,
    /// Stopping rule and order.
    pub solver: SolverOptions,
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            loss: Loss::Hinge,
            multiclass: Multiclass::CrammerSinger,
            bias: BiasMode::Regularized,
            c: 1000.0,
            bias_scale: 1.0,
            solver: SolverOptions::default(),
        }
    }
}

/// What is wrong with an SVM's input or parameters.
#[derive(Error, Debug, Clone, PartialEq)]
pub enum SvmError {
    /// n = 0.
    #[error("no points to fit")]
    NoPoints,
    /// d = 0.
    #[error("the points have no features")]
    EmptyFeatures,
    /// Fewer than two classes present.
    #[error("all points are in class {0}: an SVM needs at least two classes")]
    OneClass(usize),
    /// Labels and rows disagree in number.
    #[error("{rows} points but {labels} labels")]
    LengthMismatch {
        /// Rows of the feature matrix.
        rows: usize,
        /// Labels given.
        labels: usize,
    },
    /// A label outside 0..K−1.
    #[error("point {index} has label {label}, but classes are numbered 0..{}", .classes - 1)]
    BadLabel {
        /// Which point.
        index: usize,
        /// Its label.
        label: usize,
        /// K.
        classes: usize,
    },
    /// NaN or ±∞ in the features.
    #[error("feature {col} of point {row} is {value}: features must be finite")]
    NonFinite {
        /// Point.
        row: usize,
        /// Feature.
        col: usize,
        /// The value.
        value: f64,
    },
    /// A parameter out of range.
    #[error("{name} = {value} is invalid: {why}")]
    BadParameter {
        /// Parameter name.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The rule.
        why: &'static str,
    },
    /// A combination the solvers do not offer.
    #[error("{0}")]
    Unsupported(&'static str),
    /// A formulation name the command line does not know.
    #[error("unknown formulation '{0}': use hinge-regbias, sqhinge-regbias, hinge-freebias, sqhinge-freebias, crammer-singer or ovr")]
    UnknownFormulation(String),
}

/// Certificates and effort of a solve.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SolveStats {
    /// Primal objective at the returned weights.
    pub primal: f64,
    /// Dual objective at a feasible dual point (a lower bound on the optimum).
    pub dual: f64,
    /// primal − dual ≥ primal − optimum.
    pub gap: f64,
    /// gap / dual.
    pub rel_gap: f64,
    /// Passes over the data.
    pub epochs: usize,
    /// Whether the epoch cap stopped the solver before its tolerance.
    pub capped: bool,
    /// Certified bound on the angle between the returned and the optimal weights, in degrees.
    pub angle_bound_deg: f64,
}

impl SolveStats {
    /// The certificates of a primal value at some weights of norm `norm` and a dual value at a feasible dual
    /// point (effort fields zero). The relative gap is 0 when the gap is not positive, ∞ when the dual is not.
    /// Since the primal is 1-strongly convex in the weights, ‖w − w*‖ ≤ √(2·gap), so the angle to the optimal
    /// weights is at most asin(√(2·gap)/‖w‖) (90° when that exceeds 1).
    pub(crate) fn certified(primal: f64, dual: f64, norm: f64) -> SolveStats {
        let gap = primal - dual;
        let rel_gap = if dual > 0.0 {
            gap.max(0.0) / dual
        } else if gap <= 0.0 {
            0.0
        } else {
            f64::INFINITY
        };
        let r = (2.0 * gap.max(0.0)).sqrt() / norm;
        let angle_bound_deg = if r.is_finite() && r < 1.0 { libm::asin(r).to_degrees() } else { 90.0 };
        SolveStats { primal, dual, gap, rel_gap, epochs: 0, capped: false, angle_bound_deg }
    }
}

/// Dual variables to warm-start a later fit from (same points, features moved a little, or C changed).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct DualState {
    /// Binary: n values; Crammer–Singer: n × K (row-major); one-vs-rest: K × n.
    pub alpha: Vec<f64>,
    /// Free-bias multipliers, one per binary machine.
    pub mu: Vec<f64>,
}

/// A fitted linear SVM.
#[derive(Clone, Debug, PartialEq)]
pub struct SvmModel {
    /// Number of classes K.
    pub classes: usize,
    /// The classifier: one row (f(x) = w·x + b, positive for class 1) or one row per class.
    pub linear: LinearClassifier,
    /// The dual solution (warm-start material).
    pub dual_state: DualState,
    /// Indices of the support vectors (points with a non-zero dual variable).
    pub support: Vec<usize>,
    /// Solver certificates (summed over machines for one-vs-rest).
    pub stats: SolveStats,
    /// Whether these weights classify every training point correctly with a positive margin (a certificate
    /// that the points are linearly separable; at large C its absence means they are not, up to tiny margins).
    pub separable: bool,
    /// Human-readable name of the formulation.
    pub formulation: String,
}

impl SvmModel {
    /// Decision values of one point: one value (binary) or K scores.
    pub fn decision(&self, x: &[f64]) -> Vec<f64> {
        self.linear.scores(x)
    }

    /// The predicted class of one point.
    pub fn predict(&self, x: &[f64]) -> usize {
        self.linear.predict(x)
    }

    /// The geometric margin 1/‖w‖ of a binary machine (NaN for K classes).
    pub fn margin(&self) -> f64 {
        if self.linear.rows() == 1 {
            1.0 / self.linear.w_norm()
        } else {
            f64::NAN
        }
    }
}

/// The machine being solved.
enum Machine {
    Binary(BinarySolver),
    CrammerSinger(CsSolver),
    OneVsRest(OneVsRest),
}

/// A fit in progress, owning a copy of its features: advance it by budgets of work until it is done, then
/// take the model. Created by [`SvmParams::start`].
pub struct SvmFit {
    x: Vec<f64>,
    n: usize,
    d: usize,
    y: Vec<usize>,
    classes: usize,
    formulation: String,
    machine: Machine,
    done: bool,
    work: f64,
}

impl SvmFit {
    /// Runs the solver until it is done or `budget` (multiply-adds) is spent — the last unit may overdraw
    /// it. Returns whether the fit is done.
    pub fn advance(&mut self, budget: &mut f64) -> bool {
        if self.done {
            return true;
        }
        let before = *budget;
        self.done = match &mut self.machine {
            Machine::Binary(s) => s.advance(&self.x, budget),
            Machine::CrammerSinger(s) => s.advance(&self.x, budget),
            Machine::OneVsRest(s) => s.advance(&self.x, budget),
        };
        if before.is_finite() {
            self.work += before - *budget;
        }
        self.done
    }

    /// Runs the fit to its end.
    pub fn finish(mut self) -> SvmModel {
        self.advance(&mut { f64::INFINITY });
        self.into_model()
    }

    /// Passes over the data so far (one-vs-rest: not counted, 0).
    pub fn epochs(&self) -> usize {
        match &self.machine {
            Machine::Binary(s) => s.epochs(),
            Machine::CrammerSinger(s) => s.epochs(),
            Machine::OneVsRest(_) => 0,
        }
    }

    /// Multiply-adds spent so far through budgeted [`SvmFit::advance`] calls.
    pub fn work(&self) -> f64 {
        self.work
    }

    /// The dual variables as they are now (a warm start for a later fit, whether or not this one finished).
    pub fn dual_now(&self) -> DualState {
        match &self.machine {
            Machine::Binary(s) => {
                let (alpha, mu) = s.dual();
                DualState { alpha: alpha.to_vec(), mu: vec![mu] }
            }
            Machine::CrammerSinger(s) => DualState { alpha: s.dual().to_vec(), mu: Vec::new() },
            Machine::OneVsRest(s) => s.dual_now(),
        }
    }

    /// A Crammer–Singer fit's classifier as its dual variables give it now, certified or not (`None` for the
    /// other machines): what `lastlayer svm --trace` follows a solve by.
    pub fn classifier_now(&self) -> Option<LinearClassifier> {
        match &self.machine {
            Machine::CrammerSinger(s) => {
                let (w, b) = s.weights_now(&self.x);
                Some(LinearClassifier::new(Array2::from_shape_vec((self.classes, self.d), w).expect("K × d"), b))
            }
            _ => None,
        }
    }

    /// The fitted model. Call when [`SvmFit::advance`] has returned true (otherwise the fit is run to its
    /// end first).
    pub fn into_model(mut self) -> SvmModel {
        if !self.done {
            self.advance(&mut { f64::INFINITY });
        }
        let (n, d) = (self.n, self.d);
        let (linear, dual_state, support, stats) = match self.machine {
            Machine::Binary(s) => {
                let sol = s.into_solution(&self.x);
                let support = (0..n).filter(|&i| sol.alpha[i] > 0.0).collect();
                let w = Array2::from_shape_vec((1, d), sol.w).expect("d weights");
                (
                    LinearClassifier::new(w, vec![sol.b]),
                    DualState { alpha: sol.alpha, mu: vec![sol.mu] },
                    support,
                    sol.stats,
                )
            }
            Machine::CrammerSinger(s) => {
                let k = self.classes;
                let sol = s.into_solution(&self.x);
                let support = (0..n).filter(|&i| sol.alpha[i * k..(i + 1) * k].iter().any(|&a| a != 0.0)).collect();
                let w = Array2::from_shape_vec((k, d), sol.w).expect("K × d weights");
                (LinearClassifier::new(w, sol.b), DualState { alpha: sol.alpha, mu: Vec::new() }, support, sol.stats)
            }
            Machine::OneVsRest(s) => s.into_parts(&self.x),
        };
        let x = ArrayView2::from_shape((n, d), &self.x).expect("n × d features");
        let separable = linear.separates(x, &self.y);
        SvmModel { classes: self.classes, linear, dual_state, support, stats, separable, formulation: self.formulation }
    }
}

impl SvmParams {
    /// Parses the command line's formulation names: `hinge-regbias`, `sqhinge-regbias`, `hinge-freebias`,
    /// `sqhinge-freebias`, `crammer-singer`, `ovr` (one-vs-rest, squared hinge, regularised bias, as
    /// scikit-learn's `LinearSVC`).
    pub fn with_formulation(mut self, name: &str) -> Result<SvmParams, SvmError> {
        let (loss, bias, multiclass) = match name {
            "hinge-regbias" => (Loss::Hinge, BiasMode::Regularized, Multiclass::CrammerSinger),
            "sqhinge-regbias" => (Loss::SquaredHinge, BiasMode::Regularized, Multiclass::CrammerSinger),
            "hinge-freebias" => (Loss::Hinge, BiasMode::Free, Multiclass::CrammerSinger),
            "sqhinge-freebias" => (Loss::SquaredHinge, BiasMode::Free, Multiclass::CrammerSinger),
            "crammer-singer" => (Loss::Hinge, BiasMode::Regularized, Multiclass::CrammerSinger),
            "ovr" => (Loss::SquaredHinge, BiasMode::Regularized, Multiclass::OneVsRest),
            other => return Err(SvmError::UnknownFormulation(other.to_string())),
        };
        self.loss = loss;
        self.bias = bias;
        self.multiclass = multiclass;
        Ok(self)
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), SvmError> {
        let bad = |name, value, why| Err(SvmError::BadParameter { name, value, why });
        if !(self.c.is_finite() && self.c > 0.0) {
            return bad("C", self.c, "it must be a positive finite number");
        }
        if !(self.bias_scale.is_finite() && self.bias_scale > 0.0) {
            return bad("bias_scale", self.bias_scale, "it must be a positive finite number");
        }
        if !(self.solver.tol.is_finite() && self.solver.tol > 0.0) {
            return bad("tol", self.solver.tol, "it must be a positive finite number");
        }
        if self.solver.max_epochs == 0 {
            return bad("max_epochs", 0.0, "at least one epoch is needed");
        }
        Ok(())
    }

    /// A short name of the machine this fits for `classes` classes.
    pub fn describe(&self, classes: usize) -> String {
        let bias = match self.bias {
            BiasMode::Regularized => "regularised bias",
            BiasMode::Free => "free bias",
        };
        if classes > 2 && self.multiclass == Multiclass::CrammerSinger {
            "Crammer–Singer, regularised bias".to_string()
        } else if classes > 2 {
            format!("one-vs-rest, {}, {bias}", self.loss.title())
        } else {
            format!("{}, {bias}", self.loss.title())
        }
    }

    /// Fits the SVM to `x` (n × d) with labels `y` in 0..`classes`, warm-starting from `warm` when it matches
    /// the problem's shape (otherwise from zero). Two classes get the binary machine (`loss`, `bias`); more
    /// get `multiclass`.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        classes: usize,
        warm: Option<&DualState>,
    ) -> Result<SvmModel, SvmError> {
        Ok(self.start(x, y, classes, warm)?.finish())
    }

    /// Like [`SvmParams::fit`], but uses the multi-class scheme even for two classes (Crammer–Singer with
    /// K = 2 is the binary hinge machine with C doubled and w split as ±w/2; the command line offers it).
    pub fn fit_multiclass(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        classes: usize,
        warm: Option<&DualState>,
    ) -> Result<SvmModel, SvmError> {
        Ok(self.start_with(x, y, classes, warm, true)?.finish())
    }

    /// The fit [`SvmParams::fit`] makes, as a resumable [`SvmFit`] (checked now, solved as it is advanced).
    pub fn start(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        classes: usize,
        warm: Option<&DualState>,
    ) -> Result<SvmFit, SvmError> {
        self.start_with(x, y, classes, warm, false)
    }

    fn start_with(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        classes: usize,
        warm: Option<&DualState>,
        multiclass_always: bool,
    ) -> Result<SvmFit, SvmError> {
        self.validate()?;
        let (n, d) = x.dim();
        if n == 0 {
            return Err(SvmError::NoPoints);
        }
        if d == 0 {
            return Err(SvmError::EmptyFeatures);
        }
        if y.len() != n {
            return Err(SvmError::LengthMismatch { rows: n, labels: y.len() });
        }
        if let Some((index, &label)) = y.iter().enumerate().find(|(_, &l)| l >= classes) {
            return Err(SvmError::BadLabel { index, label, classes });
        }
        let mut present = vec![false; classes];
        for &l in y {
            present[l] = true;
        }
        if present.iter().filter(|&&p| p).count() < 2 {
            return Err(SvmError::OneClass(y[0]));
        }
        for ((row, col), &value) in x.indexed_iter() {
            if !value.is_finite() {
                return Err(SvmError::NonFinite { row, col, value });
            }
        }
        let multi = classes > 2 || multiclass_always;
        if multi && self.multiclass == Multiclass::CrammerSinger && self.bias == BiasMode::Free {
            return Err(SvmError::Unsupported(
                "Crammer–Singer is offered with a regularised bias only; use one-vs-rest for a free bias",
            ));
        }
        let flat: Vec<f64> = x.iter().copied().collect();
        let machine = if !multi {
            let signs: Vec<f64> = y.iter().map(|&l| if l == 1 { 1.0 } else { -1.0 }).collect();
            let warm = warm.map(|w| (w.alpha.as_slice(), w.mu.first().copied().unwrap_or(0.0)));
            Machine::Binary(BinarySolver::new(self.binary_problem(n, d, signs), &flat, warm))
        } else if self.multiclass == Multiclass::CrammerSinger {
            let problem = CrammerSinger {
                n,
                d,
                y: y.to_vec(),
                classes,
                c: self.c,
                bias_scale: self.bias_scale,
                options: self.solver.clone(),
            };
            Machine::CrammerSinger(CsSolver::new(problem, &flat, warm.map(|w| w.alpha.as_slice())))
        } else {
            let machines = (0..classes)
                .map(|k| self.binary_problem(n, d, y.iter().map(|&l| if l == k { 1.0 } else { -1.0 }).collect()))
                .collect();
            Machine::OneVsRest(OneVsRest::new(machines, warm.filter(|w| w.alpha.len() == classes * n).cloned()))
        };
        Ok(SvmFit {
            x: flat,
            n,
            d,
            y: y.to_vec(),
            classes: if multi { classes } else { 2 },
            formulation: self.describe(classes),
            machine,
            done: false,
            work: 0.0,
        })
    }

    fn binary_problem(&self, n: usize, d: usize, y: Vec<f64>) -> Binary {
        Binary {
            n,
            d,
            y,
            loss: self.loss,
            c: self.c,
            bias: match self.bias {
                BiasMode::Regularized => BiasKind::Regularized(self.bias_scale),
                BiasMode::Free => BiasKind::Free,
            },
            options: self.solver.clone(),
        }
    }
}
