//! Linear support vector machines, solved exactly enough to serve as the yardstick of the page: binary with
//! hinge or squared-hinge loss and a regularised or free bias ([`binary`]), Crammer–Singer multi-class
//! ([`crammer_singer`]) and one-vs-rest.
//!
//! Usage follows the "parameters → fit → fitted model" shape: [`SvmParams`] holds the hyper-parameters with
//! documented defaults and is checked once; [`SvmParams::fit`] takes features (n × d), labels (0..K−1) and an
//! optional warm start, and returns an [`SvmModel`] or an [`SvmError`] naming what is wrong with the input.
//!
//! Binary convention (as in LIBLINEAR and the fixtures): class 1 is +1, class 0 is −1, f(x) = w·x + b.

pub mod binary;
pub mod crammer_singer;

use binary::{BiasKind, Binary};
use crammer_singer::CrammerSinger;
use ndarray::{Array2, ArrayView2};
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

/// How more than two classes are handled.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Multiclass {
    /// One joint machine (Crammer & Singer 2001): the limit of softmax cross-entropy.
    CrammerSinger,
    /// One binary machine per class against the rest (what the paper's code used).
    OneVsRest,
}

/// Whether the bias is penalised like a weight.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BiasMode {
    /// A weight on a constant feature `bias_scale`: what gradient descent does to a last layer's bias, so the
    /// exact limit for fixed features (LIBLINEAR `-B`).
    Regularised,
    /// Not penalised: the classic SVM (LIBSVM, scikit-learn's `SVC`).
    Free,
}

/// Hyper-parameters of the SVM. Defaults: hinge loss, Crammer–Singer, regularised bias with B = 1, C = 1000 (near the hard-margin limit), relative gap 1e-9, 100 000 epochs, shrinking on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
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
    /// Stop when (primal − dual)/dual ≤ tol (certified).
    pub tol: f64,
    /// Guard on passes over the data; reported when hit.
    pub max_epochs: usize,
    /// LIBLINEAR-style shrinking of settled coordinates.
    pub shrinking: bool,
    /// Seed of the coordinate order.
    pub seed: u64,
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            loss: Loss::Hinge,
            multiclass: Multiclass::CrammerSinger,
            bias: BiasMode::Regularised,
            c: 1000.0,
            bias_scale: 1.0,
            tol: 1e-9,
            max_epochs: 100_000,
            shrinking: true,
            seed: 1,
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
        let angle_bound_deg = if r.is_finite() && r < 1.0 { r.asin().to_degrees() } else { 90.0 };
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
    /// Binary: one row, f(x) = w·x + b, positive for class 1. K classes: one row per class.
    pub weights: Array2<f64>,
    /// One bias per row of `weights`.
    pub biases: Vec<f64>,
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
        self.weights
            .rows()
            .into_iter()
            .zip(&self.biases)
            .map(|(w, b)| w.iter().zip(x).map(|(a, v)| a * v).sum::<f64>() + b)
            .collect()
    }

    /// The predicted class of one point.
    pub fn predict(&self, x: &[f64]) -> usize {
        let f = self.decision(x);
        if self.classes == 2 && f.len() == 1 {
            usize::from(f[0] > 0.0)
        } else {
            f.iter().enumerate().fold((0, f64::NEG_INFINITY), |best, (k, &v)| if v > best.1 { (k, v) } else { best }).0
        }
    }

    /// The geometric margin 1/‖w‖ of a binary machine (NaN for K classes).
    pub fn margin(&self) -> f64 {
        if self.weights.nrows() == 1 {
            1.0 / self.weights.row(0).dot(&self.weights.row(0)).sqrt()
        } else {
            f64::NAN
        }
    }
}

impl SvmParams {
    /// Parses the command line's formulation names: `hinge-regbias`, `sqhinge-regbias`, `hinge-freebias`,
    /// `sqhinge-freebias`, `crammer-singer`, `ovr` (one-vs-rest, squared hinge, regularised bias, as
    /// scikit-learn's `LinearSVC`).
    pub fn with_formulation(mut self, name: &str) -> Result<SvmParams, String> {
        let (loss, bias, multiclass) = match name {
            "hinge-regbias" => (Loss::Hinge, BiasMode::Regularised, Multiclass::CrammerSinger),
            "sqhinge-regbias" => (Loss::SquaredHinge, BiasMode::Regularised, Multiclass::CrammerSinger),
            "hinge-freebias" => (Loss::Hinge, BiasMode::Free, Multiclass::CrammerSinger),
            "sqhinge-freebias" => (Loss::SquaredHinge, BiasMode::Free, Multiclass::CrammerSinger),
            "crammer-singer" => (Loss::Hinge, BiasMode::Regularised, Multiclass::CrammerSinger),
            "ovr" => (Loss::SquaredHinge, BiasMode::Regularised, Multiclass::OneVsRest),
            other => {
                return Err(format!(
                    "unknown formulation '{other}': use hinge-regbias, sqhinge-regbias, hinge-freebias, sqhinge-freebias, crammer-singer or ovr"
                ))
            }
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
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return bad("tol", self.tol, "it must be a positive finite number");
        }
        if self.max_epochs == 0 {
            return bad("max_epochs", 0.0, "at least one epoch is needed");
        }
        Ok(())
    }

    /// A short name of the machine this fits for `classes` classes.
    pub fn describe(&self, classes: usize) -> String {
        let loss = match self.loss {
            Loss::Hinge => "hinge",
            Loss::SquaredHinge => "squared hinge",
        };
        let bias = match self.bias {
            BiasMode::Regularised => "regularised bias",
            BiasMode::Free => "free bias",
        };
        if classes > 2 && self.multiclass == Multiclass::CrammerSinger {
            "Crammer–Singer, regularised bias".to_string()
        } else if classes > 2 {
            format!("one-vs-rest, {loss}, {bias}")
        } else {
            format!("{loss}, {bias}")
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
        self.fit_with(x, y, classes, warm, false)
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
        self.fit_with(x, y, classes, warm, true)
    }

    fn fit_with(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        classes: usize,
        warm: Option<&DualState>,
        multiclass_always: bool,
    ) -> Result<SvmModel, SvmError> {
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
        let x = x.as_standard_layout();
        let flat = x.as_slice().expect("a standard-layout array is contiguous");
        let model = if !multi {
            self.fit_binary(flat, n, d, y, warm)
        } else if self.multiclass == Multiclass::CrammerSinger {
            self.fit_crammer_singer(flat, n, d, y, classes, warm)
        } else {
            self.fit_one_vs_rest(flat, n, d, y, classes, warm)
        };
        Ok(model)
    }

    fn binary_problem<'a>(&self, x: &'a [f64], n: usize, d: usize, y: Vec<f64>) -> Binary<'a> {
        Binary {
            x,
            n,
            d,
            y,
            loss: self.loss,
            c: self.c,
            bias: match self.bias {
                BiasMode::Regularised => BiasKind::Regularised(self.bias_scale),
                BiasMode::Free => BiasKind::Free,
            },
            tol: self.tol,
            max_epochs: self.max_epochs,
            shrinking: self.shrinking,
            seed: self.seed,
        }
    }

    fn fit_binary(&self, x: &[f64], n: usize, d: usize, y: &[usize], warm: Option<&DualState>) -> SvmModel {
        let signs: Vec<f64> = y.iter().map(|&l| if l == 1 { 1.0 } else { -1.0 }).collect();
        let problem = self.binary_problem(x, n, d, signs);
        let warm = warm.map(|w| (w.alpha.as_slice(), w.mu.first().copied().unwrap_or(0.0)));
        let sol = problem.solve(warm);
        let support = (0..n).filter(|&i| sol.alpha[i] > 0.0).collect();
        let weights = Array2::from_shape_vec((1, d), sol.w).expect("d weights");
        let mut model = SvmModel {
            classes: 2,
            weights,
            biases: vec![sol.b],
            dual_state: DualState { alpha: sol.alpha, mu: vec![sol.mu] },
            support,
            stats: sol.stats,
            separable: false,
            formulation: self.describe(2),
        };
        model.separable = separates(&model, x, d, y);
        model
    }

    fn fit_crammer_singer(
        &self,
        x: &[f64],
        n: usize,
        d: usize,
        y: &[usize],
        classes: usize,
        warm: Option<&DualState>,
    ) -> SvmModel {
        let problem = CrammerSinger {
            x,
            n,
            d,
            y,
            classes,
            c: self.c,
            bias_scale: self.bias_scale,
            tol: self.tol,
            max_epochs: self.max_epochs,
            shrinking: self.shrinking,
            seed: self.seed,
        };
        let sol = problem.solve(warm.map(|w| w.alpha.as_slice()));
        let support = (0..n).filter(|&i| sol.alpha[i * classes..(i + 1) * classes].iter().any(|&a| a != 0.0)).collect();
        let mut model = SvmModel {
            classes,
            weights: Array2::from_shape_vec((classes, d), sol.w).expect("K × d weights"),
            biases: sol.b,
            dual_state: DualState { alpha: sol.alpha, mu: Vec::new() },
            support,
            stats: sol.stats,
            separable: false,
            formulation: self.describe(classes),
        };
        model.separable = separates(&model, x, d, y);
        model
    }

    fn fit_one_vs_rest(
        &self,
        x: &[f64],
        n: usize,
        d: usize,
        y: &[usize],
        classes: usize,
        warm: Option<&DualState>,
    ) -> SvmModel {
        let mut weights = Array2::zeros((classes, d));
        let mut biases = Vec::with_capacity(classes);
        let mut state = DualState { alpha: Vec::with_capacity(classes * n), mu: Vec::with_capacity(classes) };
        let mut stats = SolveStats::default();
        let mut support = vec![false; n];
        let warm = warm.filter(|w| w.alpha.len() == classes * n);
        for k in 0..classes {
            let signs: Vec<f64> = y.iter().map(|&l| if l == k { 1.0 } else { -1.0 }).collect();
            let problem = self.binary_problem(x, n, d, signs);
            let start = warm.map(|w| (&w.alpha[k * n..(k + 1) * n], w.mu.get(k).copied().unwrap_or(0.0)));
            let sol = problem.solve(start);
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
        let mut model = SvmModel {
            classes,
            weights,
            biases,
            dual_state: state,
            support: (0..n).filter(|&i| support[i]).collect(),
            stats,
            separable: false,
            formulation: self.describe(classes),
        };
        model.separable = separates(&model, x, d, y);
        model
    }
}

/// Whether `model` puts every point strictly on its class's side.
fn separates(model: &SvmModel, x: &[f64], d: usize, y: &[usize]) -> bool {
    y.iter().enumerate().all(|(i, &label)| {
        let f = model.decision(&x[i * d..(i + 1) * d]);
        if f.len() == 1 {
            (if label == 1 { f[0] } else { -f[0] }) > 0.0
        } else {
            f.iter().enumerate().all(|(k, &v)| k == label || f[label] > v)
        }
    })
}
