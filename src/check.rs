//! The lab's measurements on a network trained anywhere: a [`NetworkFile`]'s features against the SVMs
//! fitted to them — the angle to the network's own last layer (with and without the bias, and per class),
//! both margins, the two classifiers' agreement on the training and test sets, the support vectors against
//! the highest-loss points, neural collapse — at the file's final state and at each of its checkpoints. The
//! numbers carry run.json's `final` keys (a [`Metrics`] per state, the quantities a file cannot give — the
//! whole network's margins, the grid's agreement, attacks — NaN), and the final state becomes a
//! [`Snapshot`] the page's views and the figures draw like one of the lab's own runs.

use crate::compare;
use crate::config::Config;
use crate::data::{DataInfo, Standardizer};
use crate::geometry::{principal_axes, Bounds, Plane};
use crate::measure::{feature_plane, SVM_TOLERANCE};
use crate::netfile::{Head, NetworkFile};
use crate::nn::{Activation, LossKind, Network};
use crate::probe::predictions;
use crate::snapshot::{DataPart, FeatureProjection, FitView, Measurement, Metrics, Snapshot};
use crate::svm::{BiasMode, LinearClassifier, Multiclass, SolverOptions, SvmFit, SvmModel, SvmParams};
use crate::theory;
use ndarray::{Array2, ArrayView2, Axis};
use serde::Serialize;

/// How the SVMs are fitted: the lab's own measurement settings by default.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOptions {
    /// The SVM (its bias is regularised; the free-bias machine is fitted beside it where it exists).
    pub svm: SvmParams,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions::of(&Config::default())
    }
}

impl CheckOptions {
    /// The SVM a run with `config` measures with (its loss, multi-class scheme and C), solved to the
    /// measurements' certified gap.
    pub fn of(config: &Config) -> CheckOptions {
        CheckOptions {
            svm: SvmParams {
                loss: config.svm.loss,
                multiclass: config.svm.multiclass,
                bias: BiasMode::Regularized,
                c: config.svm.c,
                bias_scale: 1.0,
                solver: SolverOptions { tol: SVM_TOLERANCE, seed: config.data.seed, ..SolverOptions::default() },
            },
        }
    }
}

/// What a file's final state adds to the metrics: the numbers run.json's `final` block has no key for.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Extra {
    /// Share of the training points where the network and the SVM predict the same class.
    pub agree_train: f64,
    /// Per class (K > 2): the angle between the network's centred row and the SVM's, in degrees.
    pub angle_per_class_deg: Vec<f64>,
    /// The support vectors (training indices).
    pub support: Vec<usize>,
    /// The training points with the largest cross-entropy gradient weight 1 − p_y, largest first, as many as
    /// there are support vectors (at most 100 listed).
    pub hardest: Vec<usize>,
    /// The SVM's formulation.
    pub formulation: String,
    /// The dual objective reached and the solver's passes.
    pub dual_objective: f64,
    /// Passes over the data the SVM took.
    pub epochs: usize,
}

/// The measurements of one file.
#[derive(Clone, Debug)]
pub struct Check {
    /// Each checkpoint's numbers, then the final state's (its step is the last epoch + 1, or 0 without
    /// checkpoints).
    pub history: Vec<Metrics>,
    /// The final state's other numbers.
    pub extra: Extra,
    /// Where the claim's assumptions hold or fail, in a sentence (as the theory view says it).
    pub regime: String,
    /// What was assumed in reading the file.
    pub notes: Vec<String>,
    /// The final state as the page draws it (when the file has a last layer).
    pub measurement: Option<Measurement>,
    /// The final SVM.
    pub svm: SvmModel,
}

/// The last layer as a classifier (Δw, Δb for two classes; the class-centred rows for more; a one-row head
/// as it is).
pub fn head_classifier(head: &Head) -> LinearClassifier {
    let (w, b) = (&head.weight, &head.bias);
    if w.nrows() == 2 {
        let dw = &w.row(1) - &w.row(0);
        LinearClassifier::new(dw.insert_axis(Axis(0)), vec![b[1] - b[0]])
    } else {
        LinearClassifier::new(w.clone(), b.clone()).centred()
    }
}

/// The head as the network's output layer (a one-row head scores class 0 at zero, as a sigmoid does).
fn head_network(head: &Head) -> Network {
    let (w, b) = if head.weight.nrows() == 1 {
        let mut w = Array2::zeros((2, head.weight.ncols()));
        w.row_mut(1).assign(&head.weight.row(0));
        (w, vec![0.0, head.bias[0]])
    } else {
        (head.weight.clone(), head.bias.clone())
    };
    // The network stores a dense layer as inputs × outputs.
    Network::from_dense(vec![(w.t().as_standard_layout().into_owned(), ndarray::Array1::from(b))], Activation::Linear)
}

/// One state's numbers: the SVMs fitted to `features`, compared with `head` when there is one.
struct State {
    metrics: Metrics,
    extra: Extra,
    regularized: SvmModel,
    free: Option<SvmModel>,
    net_predictions: [Vec<usize>; 2],
    svm_predictions: [Vec<usize>; 2],
}

/// One state's numbers from its fitted SVMs.
#[allow(clippy::too_many_arguments)]
fn measure_state(
    step: u64,
    features: ArrayView2<f64>,
    labels: &[usize],
    classes: usize,
    test: Option<(ArrayView2<f64>, &[usize])>,
    head: Option<&Head>,
    (regularized, free): (SvmModel, Option<SvmModel>),
    previous: Option<(&Array2<f64>, &[f64])>,
) -> State {
    let svm = compare::svm_classifier(&regularized);
    let svm_free = free.as_ref().map(compare::svm_classifier);
    let net = head.map(head_classifier);
    let nan = f64::NAN;
    let pair = |l: Option<&LinearClassifier>, s: Option<&LinearClassifier>| match (l, s) {
        (Some(l), Some(s)) => compare::angles(l, s),
        _ => (nan, nan),
    };
    let (angle_w, angle_wb) = pair(net.as_ref(), Some(&svm));
    let (angle_w_free, angle_wb_free) = pair(net.as_ref(), svm_free.as_ref());
    let offset = |l: Option<&LinearClassifier>| l.and_then(LinearClassifier::offset).unwrap_or(nan);
    let margin = |l: Option<&LinearClassifier>| l.map_or(nan, |l| compare::margin(l, features, labels));
    let svm_pred_train = predictions(svm.scores_of(features).view());
    let svm_pred_test = test.map_or_else(Vec::new, |(f, _)| predictions(svm.scores_of(f).view()));
    let net_out = |h: ArrayView2<f64>| head.map(|hd| head_network(hd).outputs_from_features(h));
    let out_train = net_out(features);
    let out_test = test.and_then(|(f, _)| net_out(f));
    let net_pred_train = out_train.as_ref().map_or_else(Vec::new, |o| predictions(o.view()));
    let net_pred_test = out_test.as_ref().map_or_else(Vec::new, |o| predictions(o.view()));
    let accuracy = |p: &[usize], y: &[usize]| {
        if p.is_empty() || y.is_empty() {
            nan
        } else {
            p.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
        }
    };
    let test_labels: &[usize] = test.map_or(&[], |t| t.1);
    let loss = |o: &Option<Array2<f64>>, y: &[usize]| {
        o.as_ref().filter(|_| !y.is_empty()).map(|o| crate::nn::loss::value_of(LossKind::CrossEntropy, o.view(), y))
    };
    let loss_train = loss(&out_train, labels);
    let loss_test = loss(&out_test, test_labels);
    let weights = out_train.as_ref().map_or_else(Vec::new, |o| compare::gradient_weights(o.view(), labels));
    let support = regularized.support.clone();
    let sv_overlap = if weights.is_empty() { nan } else { compare::support_overlap(&support, &weights) };
    let collapse = if classes > 2 {
        let w = head.map_or_else(|| Array2::from_elem((classes, features.ncols()), nan), |h| h.weight.clone());
        let p = if net_pred_train.is_empty() { labels.to_vec() } else { net_pred_train.clone() };
        let mut c = theory::neural_collapse(features, labels, classes, w.view(), &p);
        if head.is_none() {
            (c.nc3, c.nc4) = (nan, nan);
        }
        c
    } else {
        theory::Collapse::NONE
    };
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let angle_per_class_deg = match &net {
        Some(n) if classes > 2 => (0..classes)
            .map(|k| {
                let row = |l: &LinearClassifier| {
                    l.w.row(k).iter().copied().chain(std::iter::once(l.b[k])).collect::<Vec<f64>>()
                };
                compare::angle_deg(&row(n), &row(&svm))
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut hardest = compare::top_indices(&weights, support.len().min(100));
    if weights.is_empty() {
        hardest.clear();
    }
    let stats = &regularized.stats;
    let metrics = Metrics {
        step,
        svm_fitted_at_step: step,
        loss_train: loss_train.as_ref().map_or(nan, |l| l.value),
        log10_loss_train: loss_train.as_ref().map_or(nan, |l| l.log10),
        loss_test: loss_test.as_ref().map_or(nan, |l| l.value),
        acc_train: accuracy(&net_pred_train, labels),
        acc_test: accuracy(&net_pred_test, test_labels),
        angle_w_deg: angle_w,
        angle_wb_deg: angle_wb,
        angle_w_free_deg: angle_w_free,
        angle_wb_free_deg: angle_wb_free,
        offset_net: offset(net.as_ref()),
        offset_svm: offset(Some(&svm)),
        offset_svm_free: offset(svm_free.as_ref()),
        offset_whole: nan,
        margin_net: margin(net.as_ref()),
        margin_svm: margin(Some(&svm)),
        margin_svm_free: margin(svm_free.as_ref()),
        agree_grid: nan,
        agree_test: if net_pred_test.is_empty() { nan } else { compare::agreement(&net_pred_test, &svm_pred_test) },
        sv_overlap,
        support_count: support.len(),
        last_layer_norm: head.map_or(nan, |h| head_network(h).head_norm()),
        separable: regularized.separable,
        theorem_applies: regularized.separable && head.is_some(),
        svm_rel_gap: stats.rel_gap,
        svm_angle_bound_deg: stats.angle_bound_deg,
        svm_capped: stats.capped,
        svm_fit_ms: nan,
        dead_units: nan,
        saturated_units: nan,
        diverged: false,
        norm_net_wb: net.as_ref().map_or(nan, |n| norm(&n.wb_flat())),
        norm_svm_wb: norm(&svm.wb_flat()),
        log10_t_loss: match &loss_train {
            Some(l) if step > 0 => l.log10 + libm::log10(step as f64),
            _ => nan,
        },
        homogeneous: false,
        margin_lyu_li: nan,
        smoothed_margin_lyu_li: nan,
        nc1: collapse.nc1,
        nc2_equinorm: collapse.nc2_equinorm,
        nc2_equiangular: collapse.nc2_equiangular,
        nc2_max_angle: collapse.nc2_max_angle,
        nc3: collapse.nc3,
        nc4: collapse.nc4,
        feature_drift: previous.map_or(nan, |(f, _)| theory::drift(f.view(), features)),
        svm_turn_deg: previous.map_or(nan, |(_, wb)| {
            if wb.len() == svm.wb_flat().len() {
                compare::angle_deg(wb, &svm.wb_flat())
            } else {
                nan
            }
        }),
        drift_from_step: None,
        adv_median: nan,
        adv_min: nan,
        adv_median_svm: nan,
        adv_rank_corr: nan,
        adv_missed: nan,
        adv_missed_svm: nan,
    };
    let extra = Extra {
        agree_train: if net_pred_train.is_empty() { nan } else { compare::agreement(&net_pred_train, &svm_pred_train) },
        angle_per_class_deg,
        support,
        hardest,
        formulation: regularized.formulation.clone(),
        dual_objective: stats.dual,
        epochs: stats.epochs,
    };
    State {
        metrics,
        extra,
        regularized,
        free,
        net_predictions: [net_pred_train, net_pred_test],
        svm_predictions: [svm_pred_train, svm_pred_test],
    }
}

/// The sentence on where the claim's assumptions hold (as the theory view words its regimes).
fn regime(file: &NetworkFile, last: &Metrics, svm: &SvmParams) -> String {
    let c = svm.c;
    let k = file.classes();
    let mut s = match &file.head {
        None => "The file has no last layer: the SVM and the feature-space measures alone (no angle).".to_string(),
        Some(_) if !last.separable => format!(
            "The features are not linearly separable (the SVM at C = {} misclassifies training points): the \
             claim (Soudry et al.) is about separable features, so the angle of {} is not a limit the network \
             tends to.",
            crate::format::number(c, 3),
            crate::format::degrees(last.angle_wb_deg)
        ),
        Some(h) => format!(
            "The features are separable: if the network was trained with cross-entropy and no weight decay, its \
             last layer's direction tends to the hard-margin SVM's; measured: {} between them{}.",
            crate::format::degrees(last.angle_wb_deg),
            if h.has_bias { "" } else { " (a bias-free head: the SVM's bias is compared with zero)" }
        ),
    };
    if k > 2 {
        s.push_str(" With more than two classes the limit is the Crammer–Singer machine on the centred rows.");
    }
    if last.svm_capped {
        s.push_str(&format!(
            " The SVM stopped at its pass limit with a certified relative gap of {} (asked: {}; C is large or the \
             margin tiny): its numbers are close, not exact.",
            crate::format::number(last.svm_rel_gap, 2),
            crate::format::number(svm.solver.tol, 1)
        ));
    }
    s
}

/// How far a check has come (for the page's progress bar).
pub use crate::snapshot::CheckProgress;

/// A check in progress: the file's states (its checkpoints, then the final one) measured one after another,
/// each state's SVMs advanced by budgets of work (see [`SvmFit`]) so that the page can show progress, stay
/// responsive and cancel.
pub struct CheckJob {
    file: NetworkFile,
    options: CheckOptions,
    /// The state being measured (`checkpoints.len()` is the final one).
    at: usize,
    fits: Option<(SvmFit, Option<SvmFit>)>,
    /// The finished regularised-bias machine while the free-bias one is fitted.
    regularized: Option<SvmModel>,
    history: Vec<Metrics>,
    previous: Option<(Array2<f64>, Vec<f64>)>,
    last: Option<State>,
    error: Option<String>,
    passes: usize,
}

impl CheckJob {
    /// A check of `file` with `options`, nothing done yet.
    pub fn new(file: NetworkFile, options: CheckOptions) -> CheckJob {
        CheckJob {
            file,
            options,
            at: 0,
            fits: None,
            regularized: None,
            history: Vec::new(),
            previous: None,
            last: None,
            error: None,
            passes: 0,
        }
    }

    /// The file checked.
    pub fn file(&self) -> &NetworkFile {
        &self.file
    }

    fn states(&self) -> usize {
        self.file.checkpoints.len() + 1
    }

    /// The features, the head and the step of state `i`.
    fn state(&self, i: usize) -> (&Array2<f64>, Option<&Head>, u64) {
        match self.file.checkpoints.get(i) {
            Some(c) => (&c.features, c.head.as_ref(), c.epoch),
            None => {
                (&self.file.features, self.file.head.as_ref(), self.file.checkpoints.last().map_or(0, |c| c.epoch + 1))
            }
        }
    }

    /// Whether it is done (measured, or failed).
    pub fn done(&self) -> bool {
        self.error.is_some() || self.at >= self.states()
    }

    /// How far it has come.
    pub fn progress(&self) -> CheckProgress {
        let running = self.fits.as_ref().map_or(0, |(r, f)| f.as_ref().map_or(r.epochs(), SvmFit::epochs));
        CheckProgress {
            state: self.at.min(self.states() - 1),
            states: self.states(),
            passes: self.passes + running,
            points: self.file.features.nrows(),
            width: self.file.features.ncols(),
            classes: self.file.classes(),
            memory_bytes: self.file.memory_bytes() + self.file.features.len() * 8,
        }
    }

    /// Works until `budget` (multiply-adds) is spent or the check is done (a state's measurement, once its
    /// SVMs are fitted, is one unit and may overdraw the budget); returns whether it is done.
    pub fn advance(&mut self, budget: &mut f64) -> bool {
        while !self.done() && *budget > 0.0 {
            let classes = self.file.classes();
            if self.fits.is_none() {
                let (features, _, _) = self.state(self.at);
                let params = &self.options.svm;
                let start = |p: &SvmParams| p.start(features.view(), &self.file.labels, classes, None);
                let reg = match start(params) {
                    Ok(f) => f,
                    Err(e) => {
                        self.error = Some(e.to_string());
                        return true;
                    }
                };
                let free = (classes == 2 || params.multiclass == Multiclass::OneVsRest)
                    .then(|| start(&SvmParams { bias: BiasMode::Free, ..params.clone() }).ok())
                    .flatten();
                *budget -= (features.len() * 2) as f64;
                self.fits = Some((reg, free));
                continue;
            }
            let (fit, _) = self.fits.as_mut().expect("fits started");
            if self.regularized.is_none() {
                if !fit.advance(budget) {
                    return false;
                }
                let (reg, free) = self.fits.take().expect("fits started");
                self.passes += reg.epochs();
                self.regularized = Some(reg.finish());
                self.fits = free.map(|f| (f, None));
                if self.fits.is_some() {
                    continue;
                }
            } else if !fit.advance(budget) {
                return false;
            }
            let free = self.fits.take().map(|(f, _)| {
                self.passes += f.epochs();
                f.finish()
            });
            let regularized = self.regularized.take().expect("fitted");
            let i = self.at;
            let (features, head, step) = self.state(i);
            let test = self
                .file
                .test
                .as_ref()
                .filter(|_| i == self.file.checkpoints.len() || *features == self.file.features)
                .map(|(f, y)| (f.view(), y.as_slice()));
            let previous = self.previous.as_ref().map(|(f, wb)| (f, wb.as_slice()));
            let s = measure_state(
                step,
                features.view(),
                &self.file.labels,
                classes,
                test,
                head,
                (regularized, free),
                previous,
            );
            *budget -= (features.len() * (classes + 4)) as f64;
            let more = i + 1 < self.states();
            let next_previous = more.then(|| (features.clone(), compare::svm_classifier(&s.regularized).wb_flat()));
            let mut m = s.metrics.clone();
            m.drift_from_step = self.history.last().map(|p| p.step);
            self.history.push(m);
            self.at += 1;
            if more {
                self.previous = next_previous;
            } else {
                self.last = Some(s);
            }
        }
        self.done()
    }

    /// The check (run to its end first if needed).
    pub fn finish(mut self) -> Result<Check, String> {
        self.advance(&mut { f64::INFINITY });
        if let Some(e) = self.error {
            return Err(e);
        }
        let s = self.last.expect("the final state is measured");
        let file = &self.file;
        let last = self.history.last().expect("measured").clone();
        let measurement = file.head.as_ref().map(|h| {
            let net = head_network(h);
            let net_lin = compare::network_classifier(&net);
            let reg = FitView::of(&s.regularized);
            let test_features =
                file.test.as_ref().map_or_else(|| Array2::zeros((0, file.features.ncols())), |t| t.0.clone());
            let planes = [FeatureProjection::SvmNetwork, FeatureProjection::Pca]
                .map(|p| feature_plane(&file.features, &test_features, &net, &net_lin, Some(&reg.linear), p));
            let to_u8 = |v: &[usize]| v.iter().map(|&c| c.min(255) as u8).collect::<Vec<u8>>();
            Measurement {
                metrics: last.clone(),
                network: net,
                regularized: Some(reg),
                free: s.free.as_ref().map(FitView::of),
                svm_error: None,
                feature_planes: planes,
                train_predictions: [to_u8(&s.net_predictions[0]), to_u8(&s.svm_predictions[0])],
                test_predictions: [to_u8(&s.net_predictions[1]), to_u8(&s.svm_predictions[1])],
                gallery: Vec::new(),
                adversarial: Vec::new(),
                attacked: false,
                work: 0.0,
                // Only a run's export reads these; the file holds them already.
                features_train: Array2::zeros((0, file.features.ncols())),
            }
        });
        Ok(Check {
            regime: regime(file, &last, &self.options.svm),
            notes: file.notes.clone(),
            history: self.history,
            extra: s.extra,
            measurement,
            svm: s.regularized,
        })
    }
}

/// Measures `file`: each checkpoint, then the final state. `progress` is told the share done after each
/// state and may stop the check by returning false (the result is then an error saying so).
pub fn check(
    file: &NetworkFile,
    options: &CheckOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Check, String> {
    let mut job = CheckJob::new(file.clone(), options.clone());
    let mut measured = 0;
    while !job.advance(&mut { 1e9 }) {
        if job.history.len() > measured {
            measured = job.history.len();
            if !progress(measured as f64 / job.states() as f64) {
                return Err("stopped".to_string());
            }
        }
    }
    progress(1.0);
    job.finish()
}

impl Check {
    /// The check as a snapshot of a run (the page's views and the figures draw it). A file has no inputs the
    /// network could be drawn on, so the input view shows the features themselves through the plane of their
    /// two leading principal components (the identity when they are 2-D), with the last layer restricted to
    /// it: the snapshot carries two coordinates a point, whatever the file's width.
    pub fn snapshot(&self, file: &NetworkFile, name: &str) -> Snapshot {
        let d = file.features.ncols();
        let mean = file.features.mean_axis(Axis(0)).expect("n > 0");
        let u = if d == 2 {
            Array2::eye(2)
        } else {
            principal_axes(file.features.view(), &mean).unwrap_or_else(|| {
                let mut u = Array2::zeros((d, 2));
                u[[0, 0]] = 1.0;
                u[[1.min(d - 1), 1]] = 1.0;
                u
            })
        };
        let plane = if d == 2 { Plane::identity() } else { Plane::through(&mean.to_vec(), u.clone()) };
        let flat = |x: &Array2<f64>| -> Array2<f64> {
            let c = plane.coordinates_of(x.view());
            Array2::from_shape_fn((c.len(), 2), |(i, j)| c[i][j])
        };
        let train = flat(&file.features);
        let bounds = Bounds::square_around(plane.coordinates_of(file.features.view()).iter(), 0.12);
        let (test, test_labels) =
            file.test.as_ref().map_or_else(|| (Array2::zeros((0, 2)), Vec::new()), |t| (flat(&t.0), t.1.clone()));
        let measurement = self.measurement.clone().map(|mut m| {
            let (w, b) = m.network.head();
            let origin = if d == 2 { vec![0.0; 2] } else { mean.to_vec() };
            let seen = LinearClassifier::new(w, b).restricted(&origin, &u);
            m.network = Network::from_dense(
                vec![(seen.w.t().as_standard_layout().into_owned(), ndarray::Array1::from(seen.b))],
                Activation::Linear,
            );
            // The SVMs too are seen in the plane (the input view draws them on its points).
            for fit in [m.regularized.as_mut(), m.free.as_mut()].into_iter().flatten() {
                fit.linear = fit.linear.restricted(&origin, &u);
            }
            m
        });
        let data = DataPart {
            train,
            train_labels: file.labels.clone(),
            test,
            test_labels,
            classes: file.classes(),
            info: DataInfo {
                name: name.to_string(),
                feature_names: if d == 2 {
                    vec!["h₁".into(), "h₂".into()]
                } else {
                    vec!["PC₁".into(), "PC₂".into()]
                },
                class_names: file.class_names.clone(),
                image: None,
                shape: None,
            },
            standardizer: Standardizer::identity(2),
            plane: Plane::identity(),
            bounds,
            pending: None,
        };
        Snapshot {
            run: 1,
            step: self.history.last().map_or(0, |m| m.step),
            config: None,
            data: Some(data),
            measurement,
            history_from: 0,
            history: self.history.clone(),
            keyframes: Vec::new(),
            diverged: None,
            last_layer_only: false,
            cost: Default::default(),
            forgetting: None,
            forgetting_error: None,
            // Not a run that has taken its steps: Play is answered by the driver (there is nothing to train).
            finished: false,
            playing: false,
            held: false,
            checking: None,
            checked: Some(crate::snapshot::CheckedFile {
                name: name.to_string(),
                width: d,
                regime: self.regime.clone(),
                notes: self.notes.clone(),
                report: serde_json::to_string(&self.report_json(file)).expect("JSON serialises"),
            }),
        }
    }

    /// The report as JSON: the final numbers under run.json's keys, the history, the rest.
    pub fn report_json(&self, file: &NetworkFile) -> serde_json::Value {
        serde_json::json!({
            "shape": {
                "train": [file.features.nrows(), file.features.ncols()],
                "test": file.test.as_ref().map(|t| t.0.nrows()),
                "classes": file.class_names,
                "head": file.head.as_ref().map(|h| [h.weight.nrows(), h.weight.ncols()]),
                "bias": file.head.as_ref().map(|h| h.has_bias),
                "checkpoints": file.checkpoints.iter().map(|c| c.epoch).collect::<Vec<_>>(),
                "float32": file.float32,
            },
            "notes": self.notes,
            "regime": self.regime,
            "final": self.history.last(),
            "extra": self.extra,
            "history": self.history,
        })
    }
}
