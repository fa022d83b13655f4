//! A measurement: the network at one step against the SVMs fitted to its last hidden layer at that step —
//! angles, offsets, margins, agreement, support vectors against the highest-loss points, losses and
//! accuracies — plus what the feature view and the gallery draw. Everything in it belongs to one step, so
//! the comparison is never between a network and an SVM fitted to other features.
//!
//! A [`MeasurementJob`] captures the network and its features at a step and then fits the SVMs by budgets of
//! work (see [`crate::svm::SvmFit`]), so that the engine can spread it over frames while training goes on;
//! finishing it computes the metrics. Every multiply-add it spends is counted, for the engine's budget.

use crate::attack::{AttackOptions, Attacked, Target};
use crate::compare::{self, network_classifier, svm_classifier};
use crate::config::Config;
use crate::data::Standardizer;
use crate::geometry::{principal_axes, Plane};
use crate::nn::{LossKind, Network, UnitHealth};
use crate::probe::{predictions, probe};
use crate::session::Session;
use crate::snapshot::{
    AdversarialPoint, FeaturePlane, FeatureProjection, FitView, GalleryItem, Measurement, Metrics, Reference,
};
use crate::svm::{BiasMode, DualState, LinearClassifier, Multiclass, SolverOptions, SvmFit, SvmModel, SvmParams};
use crate::theory;
use ndarray::{Array2, ArrayView2, Axis};

/// Side of the grid on which the network and the SVM are compared over the visible plane.
pub const AGREEMENT_GRID: usize = 24;
/// Epoch guard for the page's fits (reported when hit).
const SVM_MAX_EPOCHS: usize = 3_000;
/// The certified relative duality gap every measurement's SVM reaches.
pub const SVM_TOLERANCE: f64 = 1e-9;
/// How many support vectors and highest-loss examples the gallery shows, each.
const GALLERY: usize = 8;

impl FitView {
    /// The view of a fitted model.
    pub(crate) fn of(model: &SvmModel) -> FitView {
        let n = model.dual_state.alpha.len() / if model.linear.rows() == 1 { 1 } else { model.classes };
        let dual = model
            .support
            .iter()
            .map(|&i| {
                if model.linear.rows() == 1 {
                    vec![model.dual_state.alpha[i]]
                } else if model.dual_state.mu.is_empty() {
                    model.dual_state.alpha[i * model.classes..(i + 1) * model.classes].to_vec()
                } else {
                    (0..model.classes).map(|k| model.dual_state.alpha[k * n + i]).collect()
                }
            })
            .collect();
        FitView {
            linear: svm_classifier(model),
            support: model.support.clone(),
            dual,
            stats: model.stats.clone(),
            separable: model.separable,
            formulation: model.formulation.clone(),
        }
    }
}

/// Dual variables to warm-start the next measurement's fits from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WarmStart {
    /// The regularised-bias machine's.
    pub regularized: Option<DualState>,
    /// The free-bias machine's.
    pub free: Option<DualState>,
}

fn svm_params(config: &Config, bias: BiasMode) -> SvmParams {
    SvmParams {
        loss: config.svm.loss,
        multiclass: config.svm.multiclass,
        bias,
        c: config.svm.c,
        bias_scale: 1.0,
        solver: SolverOptions {
            tol: SVM_TOLERANCE,
            max_epochs: SVM_MAX_EPOCHS,
            shrinking: true,
            seed: config.data.seed,
        },
    }
}

/// The regularised-bias SVM of `config` fitted to `features` to its end (at most `max_epochs` epochs, the
/// measurements' guard when `None`) from `warm`, with the multiply-adds it took (the error's text when it
/// cannot be fitted).
pub fn fit_regularized(
    config: &Config,
    features: ArrayView2<f64>,
    labels: &[usize],
    classes: usize,
    warm: Option<&DualState>,
    max_epochs: Option<usize>,
) -> (Result<SvmModel, String>, f64) {
    let mut params = svm_params(config, BiasMode::Regularized);
    params.solver.max_epochs = max_epochs.unwrap_or(SVM_MAX_EPOCHS);
    match params.start(features, labels, classes, warm) {
        Ok(mut fit) => {
            let mut budget = 1e18;
            fit.advance(&mut budget);
            let work = fit.work();
            (Ok(fit.into_model()), work)
        }
        Err(e) => (Err(e.to_string()), 0.0),
    }
}

/// Whether the free-bias machine exists for this formulation (Crammer–Singer has no free-bias form here).
fn free_offered(config: &Config, classes: usize) -> bool {
    classes == 2 || config.svm.multiclass == Multiclass::OneVsRest
}

/// The adversarial search of a measurement (see [`crate::attack`]), one point at a time once the SVM is fitted.
struct AttackJob {
    /// Each point to attack: whether it is a test point, its index and its input in the data's units —
    /// nearest the network's boundary first.
    points: Vec<(bool, usize, Vec<f64>)>,
    /// The training inputs in the data's units and their labels: the attacks' reference points.
    anchors: Array2<f64>,
    anchor_labels: Vec<usize>,
    standardizer: Standardizer,
    options: AttackOptions,
    /// The SVM pulled back (set once its fit is done; `None` inside when there is none).
    svm: Option<Option<LinearClassifier>>,
    done: Vec<AdversarialPoint>,
}

impl AttackJob {
    /// The points of `session` to attack under `config` (see [`crate::config::AttackConfig`]).
    fn start(session: &Session, net: &Network, train: &Array2<f64>, test: &Array2<f64>) -> Option<AttackJob> {
        let config = &session.config().attack;
        if !config.on {
            return None;
        }
        let split = session.split();
        let mut points = Vec::new();
        let sets = [(true, &split.test, test), (false, &split.train, train)];
        for (is_test, set, features) in sets.into_iter().filter(|(t, _, _)| *t || config.train) {
            let out = net.outputs_from_features(features.view());
            let mut gaps: Vec<(f64, usize)> = out
                .rows()
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut v = r.to_vec();
                    crate::order::sort_numbers(&mut v);
                    v.reverse();
                    (v[0] - v.get(1).copied().unwrap_or(v[0]), i)
                })
                .collect();
            crate::order::sort_by_key(&mut gaps, |&g| g);
            points.extend(gaps.into_iter().take(config.most).map(|(_, i)| (is_test, i, set.inputs.row(i).to_vec())));
        }
        Some(AttackJob {
            points,
            anchors: split.train.inputs.clone(),
            anchor_labels: split.train.labels.clone(),
            standardizer: session.standardizer().clone(),
            options: AttackOptions::for_width(split.train.width()),
            svm: None,
            done: Vec::new(),
        })
    }

    /// Attacks points until `budget` is spent (the last point may overdraw it); returns the work and whether
    /// every point is done.
    fn advance(&mut self, net: &Network, features: [&Array2<f64>; 2], budget: f64) -> (f64, bool) {
        let svm = self.svm.as_ref().and_then(Option::as_ref);
        let mut work = 0.0;
        while self.done.len() < self.points.len() {
            if work >= budget {
                return (work, false);
            }
            let (test, index, x) = &self.points[self.done.len()];
            let anchors = self.anchors.view();
            let mut network =
                Attacked::new(net, &self.standardizer, Target::Network).with_anchors(anchors, &self.anchor_labels);
            let found = network.attack(x, &self.options);
            let from = found.as_ref().map_or_else(|_| network.class_of(x), |c| c.from);
            let pulled = svm.map(|s| {
                let mut a = Attacked::new(net, &self.standardizer, Target::Features(s))
                    .with_anchors(anchors, &self.anchor_labels);
                (a.attack(x, &self.options), a.work)
            });
            let h = features[usize::from(!*test)].row(*index).to_vec();
            let (svm_found, svm_work) = pulled.unwrap_or((Err(f64::NAN), 0.0));
            work += network.work + svm_work;
            self.done.push(AdversarialPoint {
                test: *test,
                index: *index,
                from,
                to: found.as_ref().map_or(from, |c| c.to),
                distance: found.as_ref().map_or(f64::NAN, |c| c.distance),
                searched: found.as_ref().err().copied().unwrap_or(f64::NAN),
                point: found.map_or_else(|_| Vec::new(), |c| c.point),
                svm_to: svm_found.as_ref().map_or(from, |c| c.to),
                svm_distance: svm_found.as_ref().map_or(f64::NAN, |c| c.distance),
                svm_searched: svm_found.as_ref().err().copied().unwrap_or(f64::NAN),
                svm_point: svm_found.map_or_else(|_| Vec::new(), |c| c.point),
                feature_distance: svm.map_or(f64::NAN, |s| crate::attack::feature_distance(s, &h, from)),
            });
        }
        (work, true)
    }
}

/// The median of attack distances, a point without a crossing (`missed`) counting as farther than every
/// point with one; NaN when there are none, or when the median falls on a missed point.
fn median(found: impl Iterator<Item = f64>, missed: usize) -> f64 {
    let mut v: Vec<f64> = found.filter(|x| x.is_finite()).collect();
    crate::order::sort_numbers(&mut v);
    let n = v.len() + missed;
    let at = |i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => at(n / 2),
        _ => 0.5 * (at(n / 2 - 1) + at(n / 2)),
    }
}

/// A measurement in progress: the network and features captured at a step, the fits advancing.
pub struct MeasurementJob {
    step: u64,
    network: Network,
    health: UnitHealth,
    features_train: Array2<f64>,
    features_test: Array2<f64>,
    regularized: Option<SvmFit>,
    free: Option<SvmFit>,
    done_regularized: Option<SvmModel>,
    done_free: Option<SvmModel>,
    error: Option<String>,
    attack: Option<AttackJob>,
    work: f64,
    /// The part of `work` spent on the adversarial search.
    attack_work: f64,
    fit_ms: f64,
    offset_whole: f64,
}

impl MeasurementJob {
    /// Records the offset of the run's whole-network twin at the step measured (see
    /// [`Metrics::offset_whole`]): the twin trains on, so it is read when the measurement starts.
    pub fn with_twin(mut self, twin: Option<&Session>) -> MeasurementJob {
        if let Some(t) = twin.filter(|t| t.step() == self.step) {
            self.offset_whole = network_classifier(t.network()).offset().unwrap_or(f64::NAN);
        }
        self
    }

    /// Captures the session's network at its current step, computes its hidden features and starts both
    /// fits from `warm` (and, with attacks on, the adversarial search after them).
    pub fn start(session: &Session, warm: &WarmStart) -> MeasurementJob {
        Self::start_with(session, warm, true)
    }

    /// [`MeasurementJob::start`], with the adversarial search only if `attack` (and attacks are on): a
    /// measurement without it reports no adversarial numbers (NaN), and costs what it costs with attacks off.
    pub fn start_with(session: &Session, warm: &WarmStart, attack: bool) -> MeasurementJob {
        let network = session.network().clone();
        let (features_train, health) = network.hidden_features_and_health(session.x_train());
        let features_test = network.hidden_features(session.x_test());
        let config = session.config();
        let labels = &session.split().train.labels;
        let classes = session.split().train.classes;
        let mut error = None;
        let mut start = |bias: BiasMode, warm: Option<&DualState>| -> Option<SvmFit> {
            match svm_params(config, bias).start(features_train.view(), labels, classes, warm) {
                Ok(fit) => Some(fit),
                Err(e) => {
                    error.get_or_insert(e.to_string());
                    None
                }
            }
        };
        let regularized = start(BiasMode::Regularized, warm.regularized.as_ref());
        let free = if regularized.is_some() && free_offered(config, classes) {
            start(BiasMode::Free, warm.free.as_ref())
        } else {
            None
        };
        let n = session.x_train().nrows() + session.x_test().nrows();
        let attack = if attack { AttackJob::start(session, &network, &features_train, &features_test) } else { None };
        MeasurementJob {
            attack,
            attack_work: 0.0,
            step: session.step(),
            work: n as f64 * network.forward_cost(),
            network,
            health,
            features_train,
            features_test,
            regularized,
            free,
            done_regularized: None,
            done_free: None,
            error,
            fit_ms: 0.0,
            offset_whole: f64::NAN,
        }
    }

    /// The step being measured.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Multiply-adds spent so far.
    pub fn work(&self) -> f64 {
        self.work
    }

    /// The part of [`MeasurementJob::work`] spent on the adversarial search so far.
    pub fn attack_work(&self) -> f64 {
        self.attack_work
    }

    /// Whether this measurement includes the adversarial search.
    pub fn attacks(&self) -> bool {
        self.attack.is_some()
    }

    /// Adds wall time spent on this job's fits (reported, never used for decisions).
    pub fn add_fit_ms(&mut self, ms: f64) {
        self.fit_ms += ms;
    }

    /// Advances the fits, then the adversarial search, by up to `budget` multiply-adds (the last unit may
    /// overdraw it); returns whether all are done.
    pub fn advance(&mut self, budget: &mut f64) -> bool {
        if !self.advance_fits(budget) {
            return false;
        }
        let Some(attack) = &mut self.attack else { return true };
        if attack.svm.is_none() {
            attack.svm = Some(self.done_regularized.as_ref().map(svm_classifier));
        }
        if *budget <= 0.0 {
            return attack.done.len() == attack.points.len();
        }
        let (work, done) = attack.advance(&self.network, [&self.features_test, &self.features_train], *budget);
        *budget -= work;
        self.work += work;
        self.attack_work += work;
        done
    }

    /// Advances the fits (see [`MeasurementJob::advance`]).
    fn advance_fits(&mut self, budget: &mut f64) -> bool {
        for (fit, done) in [(&mut self.regularized, &mut self.done_regularized), (&mut self.free, &mut self.done_free)]
        {
            if let Some(f) = fit {
                if *budget <= 0.0 {
                    return false;
                }
                let before = *budget;
                let finished = f.advance(budget);
                self.work += before - *budget;
                if !finished {
                    return false;
                }
                *done = fit.take().map(SvmFit::into_model);
            }
        }
        true
    }

    /// The warm start these fits give the next measurement (final or, if unfinished, current duals).
    pub fn warm_start(&self) -> WarmStart {
        let pick = |done: &Option<SvmModel>, running: &Option<SvmFit>| -> Option<DualState> {
            done.as_ref().map(|m| m.dual_state.clone()).or_else(|| running.as_ref().map(SvmFit::dual_now))
        };
        WarmStart {
            regularized: pick(&self.done_regularized, &self.regularized),
            free: pick(&self.done_free, &self.free),
        }
    }

    /// Computes the metrics (runs the fits to their end first if needed) and returns the measurement with the
    /// warm start it leaves.
    pub fn finish(mut self, session: &Session, previous: Option<&Reference>) -> (Measurement, WarmStart) {
        self.advance(&mut { f64::INFINITY });
        let warm = self.warm_start();
        let config = session.config();
        let split = session.split();
        let labels = &split.train.labels;
        let test_labels = &split.test.labels;
        let net = &self.network;
        let loss_kind = config.train.loss;
        let out_train = net.outputs_from_features(self.features_train.view());
        let out_test = net.outputs_from_features(self.features_test.view());
        let train_loss = crate::nn::loss::value_of(loss_kind, out_train.view(), labels);
        let test_loss = if test_labels.is_empty() {
            f64::NAN
        } else {
            crate::nn::loss::value_of(loss_kind, out_test.view(), test_labels).value
        };
        let accuracy = |out: ArrayView2<f64>, y: &[usize]| -> f64 {
            if y.is_empty() {
                return f64::NAN;
            }
            predictions_of_outputs(out).iter().zip(y).filter(|(p, y)| p == y).count() as f64 / y.len() as f64
        };
        let net_lin = network_classifier(net);
        let reg = self.done_regularized.as_ref().map(FitView::of);
        let free = self.done_free.as_ref().map(FitView::of);
        let angle =
            |f: &Option<FitView>| f.as_ref().map_or((f64::NAN, f64::NAN), |f| compare::angles(&net_lin, &f.linear));
        let (angle_w, angle_wb) = angle(&reg);
        let (angle_w_free, angle_wb_free) = angle(&free);
        let offset = |l: Option<&LinearClassifier>| l.and_then(LinearClassifier::offset).unwrap_or(f64::NAN);
        let margin = |l: Option<&LinearClassifier>| {
            l.map_or(f64::NAN, |l| compare::margin(l, self.features_train.view(), labels))
        };
        let svm_lin = reg.as_ref().map(|f| &f.linear);
        let grid = probe(net, session.standardizer(), session.plane(), session.bounds(), AGREEMENT_GRID, svm_lin);
        let net_pred_train = predictions(net_lin.scores_of(self.features_train.view()).view());
        let net_pred_test = predictions(net_lin.scores_of(self.features_test.view()).view());
        let svm_pred = |h: ArrayView2<f64>| -> Vec<usize> {
            svm_lin.map_or_else(Vec::new, |s| predictions(s.scores_of(h).view()))
        };
        let svm_pred_train = svm_pred(self.features_train.view());
        let svm_pred_test = svm_pred(self.features_test.view());
        let agree_test = if test_labels.is_empty() || svm_lin.is_none() {
            f64::NAN
        } else {
            compare::agreement(&net_pred_test, &svm_pred_test)
        };
        let weights = compare::gradient_weights(out_train.view(), labels);
        let support: &[usize] = reg.as_ref().map_or(&[], |f| &f.support);
        let sv_overlap = if reg.is_some() { compare::support_overlap(support, &weights) } else { f64::NAN };
        let separable = reg.as_ref().is_some_and(|f| f.separable);
        let lyu_li = theory::lyu_li_margins(net, out_train.view(), labels);
        let collapse = if net_lin.rows() > 2 {
            let (w_raw, _) = net.head();
            theory::neural_collapse(self.features_train.view(), labels, net_lin.rows(), w_raw.view(), &net_pred_train)
        } else {
            theory::Collapse::NONE
        };
        let reg_stats = reg.as_ref().map(|f| &f.stats);
        let attacked = self.attack.is_some();
        let adversarial = self.attack.take().map_or_else(Vec::new, |a| a.done);
        let tested: Vec<&AdversarialPoint> = adversarial.iter().filter(|p| p.test).collect();
        // Test points whose search found no crossing (their reach searched is a number).
        let missed = |reach: fn(&AdversarialPoint) -> f64| tested.iter().filter(|p| reach(p).is_finite()).count();
        let metrics = Metrics {
            step: self.step,
            svm_fitted_at_step: self.step,
            loss_train: train_loss.value,
            log10_loss_train: train_loss.log10,
            loss_test: test_loss,
            acc_train: accuracy(out_train.view(), labels),
            acc_test: accuracy(out_test.view(), test_labels),
            angle_w_deg: angle_w,
            angle_wb_deg: angle_wb,
            angle_w_free_deg: angle_w_free,
            angle_wb_free_deg: angle_wb_free,
            offset_net: offset(Some(&net_lin)),
            offset_svm: offset(svm_lin),
            offset_svm_free: offset(free.as_ref().map(|f| &f.linear)),
            offset_whole: self.offset_whole,
            margin_net: margin(Some(&net_lin)),
            margin_svm: margin(svm_lin),
            margin_svm_free: margin(free.as_ref().map(|f| &f.linear)),
            agree_grid: grid.agreement(),
            agree_test,
            sv_overlap,
            support_count: support.len(),
            last_layer_norm: net.head_norm(),
            separable,
            theorem_applies: separable && loss_kind == LossKind::CrossEntropy && config.train.weight_decay == 0.0,
            svm_rel_gap: reg_stats.map_or(f64::NAN, |s| s.rel_gap),
            svm_angle_bound_deg: reg_stats.map_or(f64::NAN, |s| s.angle_bound_deg),
            svm_capped: reg_stats.is_some_and(|s| s.capped),
            svm_fit_ms: self.fit_ms,
            dead_units: self.health.dead,
            saturated_units: self.health.saturated,
            diverged: session.diverged().is_some_and(|d| d.0 <= self.step + 1),
            norm_net_wb: norm(&net_lin.wb_flat()),
            norm_svm_wb: svm_lin.map_or(f64::NAN, |s| norm(&s.wb_flat())),
            log10_t_loss: if self.step > 0 { train_loss.log10 + libm::log10(self.step as f64) } else { f64::NAN },
            homogeneous: theory::homogeneous(net),
            margin_lyu_li: lyu_li.0,
            smoothed_margin_lyu_li: lyu_li.1,
            nc1: collapse.nc1,
            nc2_equinorm: collapse.nc2_equinorm,
            nc2_equiangular: collapse.nc2_equiangular,
            nc2_max_angle: collapse.nc2_max_angle,
            nc3: collapse.nc3,
            nc4: collapse.nc4,
            feature_drift: previous.map_or(f64::NAN, |p| theory::drift(p.features.view(), self.features_train.view())),
            svm_turn_deg: match (previous, svm_lin) {
                (Some(p), Some(s)) if p.svm_wb.len() == s.wb_flat().len() => {
                    compare::angle_deg(&p.svm_wb, &s.wb_flat())
                }
                _ => f64::NAN,
            },
            drift_from_step: previous.map(|p| p.step),
            adv_median: median(tested.iter().map(|p| p.distance), missed(|p| p.searched)),
            adv_min: tested.iter().map(|p| p.distance).filter(|d| d.is_finite()).fold(f64::NAN, f64::min),
            adv_median_svm: median(tested.iter().map(|p| p.svm_distance), missed(|p| p.svm_searched)),
            adv_rank_corr: {
                let pairs: Vec<(f64, f64)> = tested
                    .iter()
                    .map(|p| (p.distance, p.feature_distance))
                    .filter(|(a, b)| a.is_finite() && b.is_finite())
                    .collect();
                let (a, b): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
                crate::attack::rank_correlation(&a, &b)
            },
            adv_missed: if attacked { missed(|p| p.searched) as f64 } else { f64::NAN },
            adv_missed_svm: if attacked && svm_lin.is_some() { missed(|p| p.svm_searched) as f64 } else { f64::NAN },
        };
        let planes = [FeatureProjection::SvmNetwork, FeatureProjection::Pca]
            .map(|p| feature_plane(&self.features_train, &self.features_test, net, &net_lin, svm_lin, p));
        let mut gallery: Vec<GalleryItem> = Vec::new();
        if split.info.image.is_some() {
            let item = |i: usize, is_support: bool| GalleryItem {
                index: i,
                support: is_support,
                label: labels[i],
                net: net_pred_train[i],
                svm: svm_pred_train.get(i).copied().unwrap_or(net_pred_train[i]),
                weight: weights[i],
            };
            let mut by_weight: Vec<usize> = support.to_vec();
            crate::order::sort_indices(&mut by_weight, |i| -weights[i]);
            gallery.extend(by_weight.iter().take(GALLERY).map(|&i| item(i, true)));
            gallery.extend(compare::top_indices(&weights, GALLERY).into_iter().map(|i| item(i, false)));
        }
        let n = labels.len() + test_labels.len();
        let d = self.features_train.ncols();
        let k = out_train.ncols();
        self.work += (AGREEMENT_GRID * AGREEMENT_GRID) as f64 * net.forward_cost()
            + (6 * n * d * k) as f64
            + if d > 64 { 120.0 * (n * d) as f64 } else { (n * d * d) as f64 };
        let to_u8 = |v: &[usize]| v.iter().map(|&c| c as u8).collect::<Vec<u8>>();
        let measurement = Measurement {
            metrics,
            network: self.network,
            regularized: reg,
            free,
            svm_error: self.error,
            feature_planes: planes,
            train_predictions: [to_u8(&net_pred_train), to_u8(&svm_pred_train)],
            test_predictions: [to_u8(&net_pred_test), to_u8(&svm_pred_test)],
            gallery,
            adversarial,
            attacked,
            work: self.work,
            features_train: self.features_train,
        };
        (measurement, warm)
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// The arg-max class of each row of network outputs.
fn predictions_of_outputs(out: ArrayView2<f64>) -> Vec<usize> {
    out.rows().into_iter().map(|r| crate::linalg::argmax(&r.to_vec())).collect()
}

/// The feature space through a plane: the identity for width 2; for width 1 the h axis with an empty second
/// axis; wider, the chosen projection through the training features' mean.
pub(crate) fn feature_plane(
    train: &Array2<f64>,
    test: &Array2<f64>,
    net: &Network,
    net_lin: &LinearClassifier,
    svm: Option<&LinearClassifier>,
    projection: FeatureProjection,
) -> FeaturePlane {
    let d = train.ncols();
    let (plane, note) = if d == 2 {
        (Plane::identity(), None)
    } else if d == 1 {
        let lift = Array2::from_shape_vec((1, 2), vec![1.0, 0.0]).expect("1 × 2");
        (
            Plane { origin: vec![0.0], lift: lift.clone(), project: lift, offset: [0.0; 2] },
            Some("1-D features: h along the horizontal axis".to_string()),
        )
    } else {
        let mean = train.mean_axis(Axis(0)).unwrap_or_else(|| ndarray::Array1::zeros(d));
        let unit = |v: ndarray::Array1<f64>| -> Option<ndarray::Array1<f64>> {
            let n = v.dot(&v).sqrt();
            (n > 1e-12 && n.is_finite()).then(|| v / n)
        };
        let pca = || principal_axes(train.view(), &mean);
        let mut chosen = None;
        if projection == FeatureProjection::SvmNetwork && net_lin.rows() == 1 {
            if let Some(u1) = svm.and_then(|s| unit(s.w.row(0).to_owned())) {
                let wn = net_lin.w.row(0).to_owned();
                let u2 = unit(&wn - &(&u1 * wn.dot(&u1))).or_else(|| pca().map(|p| p.column(0).to_owned()));
                if let Some(u2) = u2 {
                    let mut u = Array2::zeros((d, 2));
                    u.column_mut(0).assign(&u1);
                    u.column_mut(1).assign(&u2);
                    chosen = Some((
                        u,
                        "projected on the SVM normal (p₁) and the network's orthogonal part (p₂), through the mean",
                    ));
                }
            }
        }
        let (u, note) = chosen.unwrap_or_else(|| {
            let u = pca().unwrap_or_else(|| {
                let mut u = Array2::zeros((d, 2));
                u[[0, 0]] = 1.0;
                u[[1, 1]] = 1.0;
                u
            });
            (u, "projected on the two leading principal components, through the mean")
        });
        (Plane::through(&mean.to_vec(), u), Some(note.to_string()))
    };
    let restrict = |l: &LinearClassifier| l.restricted(&plane.origin, &plane.lift);
    let (w, b) = net.head();
    let outputs = LinearClassifier::new(w, b);
    FeaturePlane {
        note,
        train: plane.coordinates_of(train.view()),
        test: plane.coordinates_of(test.view()),
        network: restrict(net_lin),
        outputs: restrict(&outputs),
        svm: svm.map(restrict),
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    /// A point without a crossing counts as farther than every point with one: medians worked out by hand.
    #[test]
    fn the_median_counts_the_misses_as_farthest() {
        let found = [0.3, 0.1, 0.2];
        assert_eq!(median(found.into_iter(), 0), 0.2);
        assert_eq!(median(found.into_iter(), 1), 0.25, "0.1 0.2 | 0.3 ∞: between 0.2 and 0.3");
        assert_eq!(median(found.into_iter(), 2), 0.3, "0.1 0.2 0.3 ∞ ∞");
        assert!(median(found.into_iter(), 3).is_nan(), "the median falls on a miss: unknown");
        assert!(median(std::iter::empty(), 0).is_nan());
        assert_eq!(median([0.5, f64::NAN].into_iter(), 0), 0.5, "NaN distances are not points");
    }
}
