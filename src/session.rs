//! A training session: the data, the network and its optimiser, the SVMs refitted on the last hidden layer
//! as training goes on (warm-started), and the measured comparison, kept as a history thinned on a log scale
//! so that a million steps keep a small one.

use crate::compare::{self, Linear};
use crate::config::Config;
use crate::data::{self, Split};
use crate::nn::{LossKind, Network, Optimizer, Trainer};
use crate::rng::{self, Stream};
use crate::scene::Bounds;
use crate::svm::{BiasMode, DualState, Multiclass, SvmModel, SvmParams};
use ndarray::{Array2, ArrayView2};
use serde::Serialize;

/// History points kept per decade of steps.
const PER_DECADE: f64 = 40.0;
/// Side of the grid on which the network and the SVM are compared over the visible plane.
const AGREEMENT_GRID: usize = 24;
/// Epoch guard for the page's refits (reported when hit).
const SVM_MAX_EPOCHS: usize = 20_000;

/// The numbers measured at one moment of a run. Angles in degrees; NaN (null in JSON) where a quantity does
/// not apply (offsets for K > 2 classes, the free-bias SVM for Crammer–Singer).
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Metrics {
    /// Training steps taken.
    pub step: u64,
    /// Mean training loss.
    pub loss_train: f64,
    /// log₁₀ of the training loss (finite below the smallest double).
    pub log10_loss_train: f64,
    /// Mean test loss.
    pub loss_test: f64,
    /// Training accuracy.
    pub acc_train: f64,
    /// Test accuracy (NaN without test points).
    pub acc_test: f64,
    /// Angle between the network's last-layer weights and the SVM's (regularised bias).
    pub angle_w_deg: f64,
    /// The same for the augmented [w; b].
    pub angle_wb_deg: f64,
    /// Angle of w to the free-bias SVM.
    pub angle_w_free_deg: f64,
    /// Angle of [w; b] to the free-bias SVM.
    pub angle_wb_free_deg: f64,
    /// The network's hyperplane offset −b/‖w‖ in feature space (two classes).
    pub offset_net: f64,
    /// The regularised-bias SVM's offset.
    pub offset_svm: f64,
    /// The free-bias SVM's offset.
    pub offset_svm_free: f64,
    /// The network's normalised margin minᵢ yᵢfᵢ/‖w‖ on the training features.
    pub margin_net: f64,
    /// The regularised-bias SVM's normalised margin on the same features.
    pub margin_svm: f64,
    /// The free-bias SVM's normalised margin.
    pub margin_svm_free: f64,
    /// Share of a grid over the visible plane where the network and svm(h(x)) predict the same class.
    pub agree_grid: f64,
    /// Share of the test points where they agree.
    pub agree_test: f64,
    /// Share of the support vectors among the same number of highest-gradient-weight training points.
    pub sv_overlap: f64,
    /// Number of support vectors (regularised-bias SVM).
    pub support_count: usize,
    /// ‖[W_L, b_L]‖ of the output layer (grows like ln t on separable data).
    pub last_layer_norm: f64,
    /// Whether the SVM separates the hidden features of the training points.
    pub separable: bool,
    /// Whether the theorem's premises hold: separable features, cross-entropy, no weight decay.
    pub theorem_applies: bool,
    /// The SVM's certified relative duality gap.
    pub svm_rel_gap: f64,
    /// The SVM's certified bound on its own direction error (degrees).
    pub svm_angle_bound_deg: f64,
    /// Whether the SVM stopped at its epoch guard.
    pub svm_capped: bool,
    /// Whether training has diverged (non-finite weights refused).
    pub diverged: bool,
}

/// The SVMs on the current features.
#[derive(Clone, Debug, Default)]
pub struct SvmFits {
    /// The regularised-bias machine (the exact limit of gradient descent on the last layer).
    pub regularised: Option<SvmModel>,
    /// The free-bias machine (the classic SVM, the paper's `SVC`), when offered for the formulation.
    pub free: Option<SvmModel>,
    /// Why the last fit failed, if it did.
    pub error: Option<String>,
    /// The step the fits belong to.
    pub step: u64,
}

/// A run in progress.
pub struct Session {
    config: Config,
    split: Split,
    x_train: Array2<f64>,
    x_test: Array2<f64>,
    trainer: Trainer,
    step: u64,
    frozen: bool,
    fits: SvmFits,
    features: Array2<f64>,
    history: Vec<Metrics>,
    latest: Option<Metrics>,
    diverged: Option<(u64, String)>,
    bounds: Bounds,
}

impl Session {
    /// Starts a run: generates the data, initialises the network, fits the SVMs at step 0.
    pub fn new(config: Config) -> Result<Session, String> {
        config.validate()?;
        let split = data::generate(&config.data).map_err(|e| e.to_string())?;
        let classes = split.train.classes;
        let mut init_rng = rng::seeded(config.network.seed, Stream::Init);
        let net = Network::new(
            2,
            &config.network.hidden,
            classes,
            config.network.activation,
            config.network.init,
            &mut init_rng,
        );
        let x_train = split.train.matrix();
        let x_test = split.test.matrix();
        let bounds = Bounds::square_around(split.train.points.iter().chain(&split.test.points), 0.06);
        let optimizer = Optimizer::new(config.train.optimizer, config.train.learning_rate, config.train.weight_decay);
        let trainer = Trainer::new(
            net,
            optimizer,
            config.train.loss,
            config.train.batch_size,
            x_train.clone(),
            split.train.labels.clone(),
            config.network.seed,
        );
        let mut session = Session {
            trainer,
            config,
            split,
            x_train,
            x_test,
            step: 0,
            frozen: false,
            fits: SvmFits::default(),
            features: Array2::zeros((0, 0)),
            history: Vec::new(),
            latest: None,
            diverged: None,
            bounds,
        };
        if session.config.train.retrain_last_layer_at == Some(0) {
            session.retrain_last_layer();
        }
        session.refit();
        session.record();
        Ok(session)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The data.
    pub fn split(&self) -> &Split {
        &self.split
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.trainer.net
    }

    /// The current SVM fits.
    pub fn fits(&self) -> &SvmFits {
        &self.fits
    }

    /// Hidden features of the training points at the last refit.
    pub fn features(&self) -> ArrayView2<'_, f64> {
        self.features.view()
    }

    /// Steps taken.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The step and reason training diverged, if it did.
    pub fn diverged(&self) -> Option<&(u64, String)> {
        self.diverged.as_ref()
    }

    /// Whether only the output layer is being trained.
    pub fn last_layer_only(&self) -> bool {
        self.frozen
    }

    /// The visible rectangle of the input space (the data with a margin).
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// The recorded history (log-thinned), oldest first.
    pub fn history(&self) -> &[Metrics] {
        &self.history
    }

    /// Applies a new configuration. Changes that need a new run (data, network, loss, the retrain step)
    /// restart it; the others (learning rate, optimiser, batch size, weight decay, SVM settings) apply live.
    /// On error the session is unchanged. Returns whether the run restarted.
    pub fn set_config(&mut self, config: Config) -> Result<bool, String> {
        config.validate()?;
        if self.config.needs_reset(&config) {
            *self = Session::new(config)?;
            return Ok(true);
        }
        let svm_changed = self.config.svm != config.svm;
        let t = &mut self.trainer;
        if config.train.optimizer != self.config.train.optimizer {
            t.optimizer = Optimizer::new(config.train.optimizer, config.train.learning_rate, config.train.weight_decay);
        }
        t.optimizer.learning_rate = config.train.learning_rate;
        t.optimizer.weight_decay = config.train.weight_decay;
        t.batch_size = config.train.batch_size;
        self.config = config;
        if svm_changed {
            self.refit();
        }
        self.latest = None;
        Ok(false)
    }

    /// The SVM parameters for one bias mode.
    fn svm_params(&self, bias: BiasMode) -> SvmParams {
        SvmParams {
            loss: self.config.svm.loss,
            multiclass: self.config.svm.multiclass,
            bias,
            c: self.config.svm.c,
            bias_scale: 1.0,
            solver: crate::svm::SolverOptions {
                tol: 1e-9,
                max_epochs: SVM_MAX_EPOCHS,
                shrinking: true,
                seed: self.config.data.seed,
            },
        }
    }

    /// Whether the free-bias machine exists for this formulation (Crammer–Singer has no free-bias form here).
    fn free_offered(&self) -> bool {
        self.split.train.classes == 2 || self.config.svm.multiclass == Multiclass::OneVsRest
    }

    /// Freezes the hidden layers, re-initialises the output layer and from now on trains only it (the paper's
    /// bias experiment). Recorded in the config so that the run can be reproduced.
    pub fn retrain_last_layer(&mut self) {
        let mut r = rng::seeded(self.config.network.seed ^ 0x5EED_1A57, Stream::Init);
        self.trainer.net.reinit_last_layer(self.config.network.init, &mut r);
        self.trainer.optimizer.reset();
        self.frozen = true;
        self.config.train.retrain_last_layer_at = Some(self.step);
        self.latest = None;
    }

    /// Trains up to `steps` steps (fewer if training diverges), refitting the SVMs every `refit_every` steps
    /// and recording the history on its log schedule. Returns the number of steps taken.
    pub fn train(&mut self, steps: u64) -> u64 {
        let mut done = 0;
        while done < steps && self.diverged.is_none() {
            if !self.frozen && self.config.train.retrain_last_layer_at == Some(self.step) {
                self.retrain_last_layer();
            }
            if let Err(reason) = self.one_step() {
                self.diverged = Some((self.step + 1, reason));
                self.latest = None;
                break;
            }
            self.step += 1;
            done += 1;
            self.latest = None;
            if self.step % self.config.svm.refit_every == 0 {
                self.refit();
            }
            if self.recording_due() {
                self.record();
            }
        }
        done
    }

    fn one_step(&mut self) -> Result<(), String> {
        let from = if self.frozen { self.trainer.net.depth() - 1 } else { 0 };
        self.trainer.step(from).map(|_| ())
    }

    /// Refits both SVMs on the current hidden features, warm-started from the previous fits.
    pub fn refit(&mut self) {
        self.features = self.trainer.net.hidden_features(self.x_train.view());
        let labels = &self.split.train.labels;
        let classes = self.split.train.classes;
        let warm = |m: &Option<SvmModel>| -> Option<DualState> { m.as_ref().map(|m| m.dual_state.clone()) };
        let warm_reg = warm(&self.fits.regularised);
        let warm_free = warm(&self.fits.free);
        let mut fits = SvmFits { step: self.step, ..SvmFits::default() };
        match self.svm_params(BiasMode::Regularised).fit(self.features.view(), labels, classes, warm_reg.as_ref()) {
            Ok(m) => fits.regularised = Some(m),
            Err(e) => fits.error = Some(e.to_string()),
        }
        if self.free_offered() && fits.error.is_none() {
            match self.svm_params(BiasMode::Free).fit(self.features.view(), labels, classes, warm_free.as_ref()) {
                Ok(m) => fits.free = Some(m),
                Err(e) => fits.error = Some(e.to_string()),
            }
        }
        self.fits = fits;
        self.latest = None;
    }

    fn recording_due(&self) -> bool {
        let last = self.history.last().map_or(0, |m| m.step);
        if self.step <= 10 {
            return self.step > last;
        }
        let bucket = |s: u64| ((s.max(1) as f64).log10() * PER_DECADE).floor();
        bucket(self.step) > bucket(last)
    }

    fn record(&mut self) {
        let m = self.metrics();
        self.history.push(m);
    }

    /// The metrics now (refitting the SVMs first if they are older than the network).
    pub fn metrics(&mut self) -> Metrics {
        if self.fits.step != self.step {
            self.refit();
        }
        if let Some(m) = &self.latest {
            return m.clone();
        }
        let m = self.measure();
        self.latest = Some(m.clone());
        m
    }

    fn measure(&self) -> Metrics {
        let labels = &self.split.train.labels;
        let loss_kind = self.config.train.loss;
        let train_loss = self.trainer.net.loss(self.x_train.view(), labels, loss_kind);
        let test_loss = if self.x_test.nrows() > 0 {
            self.trainer.net.loss(self.x_test.view(), &self.split.test.labels, loss_kind).value
        } else {
            f64::NAN
        };
        let net_lin = Linear::of_network(&self.trainer.net);
        let reg = self.fits.regularised.as_ref().map(Linear::of_svm);
        let free = self.fits.free.as_ref().map(Linear::of_svm);
        let angle = |svm: &Option<Linear>, augmented: bool| -> f64 {
            svm.as_ref().map_or(f64::NAN, |s| {
                if augmented {
                    compare::angle_deg(&net_lin.wb_flat(), &s.wb_flat())
                } else {
                    compare::angle_deg(&net_lin.w_flat(), &s.w_flat())
                }
            })
        };
        let offset = |l: Option<&Linear>| l.and_then(Linear::offset).unwrap_or(f64::NAN);
        let margin = |l: Option<&Linear>| l.map_or(f64::NAN, |l| l.normalised_margin(self.features.view(), labels));
        // Agreement of the network with svm(h(x)) on a grid over the visible plane and on the test points.
        let (agree_grid, agree_test) = match &reg {
            Some(svm) => {
                let grid = grid_points(self.bounds, AGREEMENT_GRID);
                let on = |x: ArrayView2<f64>| -> f64 {
                    if x.nrows() == 0 {
                        return f64::NAN;
                    }
                    let h = self.trainer.net.hidden_features(x);
                    let out = self.trainer.net.outputs_from_features(h.view());
                    let net_pred: Vec<usize> = out
                        .rows()
                        .into_iter()
                        .map(|r| crate::nn::network::argmax(r.as_slice().expect("contiguous")))
                        .collect();
                    let svm_pred: Vec<usize> =
                        h.rows().into_iter().map(|r| svm.predict(r.as_slice().expect("contiguous"))).collect();
                    compare::agreement(&net_pred, &svm_pred)
                };
                (on(grid.view()), on(self.x_test.view()))
            }
            None => (f64::NAN, f64::NAN),
        };
        let reg_model = self.fits.regularised.as_ref();
        let sv_overlap = reg_model.map_or(f64::NAN, |m| {
            let out = self.trainer.net.outputs_from_features(self.features.view());
            compare::support_overlap(&m.support, &compare::gradient_weights(out.view(), labels))
        });
        let (w_l, b_l) = self.trainer.net.last_layer();
        let separable = reg_model.is_some_and(|m| m.separable);
        Metrics {
            step: self.step,
            loss_train: train_loss.value,
            log10_loss_train: train_loss.log10,
            loss_test: test_loss,
            acc_train: self.trainer.net.accuracy(self.x_train.view(), labels),
            acc_test: if self.x_test.nrows() > 0 {
                self.trainer.net.accuracy(self.x_test.view(), &self.split.test.labels)
            } else {
                f64::NAN
            },
            angle_w_deg: angle(&reg, false),
            angle_wb_deg: angle(&reg, true),
            angle_w_free_deg: angle(&free, false),
            angle_wb_free_deg: angle(&free, true),
            offset_net: offset(Some(&net_lin)),
            offset_svm: offset(reg.as_ref()),
            offset_svm_free: offset(free.as_ref()),
            margin_net: margin(Some(&net_lin)),
            margin_svm: margin(reg.as_ref()),
            margin_svm_free: margin(free.as_ref()),
            agree_grid,
            agree_test,
            sv_overlap,
            support_count: reg_model.map_or(0, |m| m.support.len()),
            last_layer_norm: (w_l.iter().map(|v| v * v).sum::<f64>() + b_l.iter().map(|v| v * v).sum::<f64>()).sqrt(),
            separable,
            theorem_applies: separable && loss_kind == LossKind::CrossEntropy && self.config.train.weight_decay == 0.0,
            svm_rel_gap: reg_model.map_or(f64::NAN, |m| m.stats.rel_gap),
            svm_angle_bound_deg: reg_model.map_or(f64::NAN, |m| m.stats.angle_bound_deg),
            svm_capped: reg_model.is_some_and(|m| m.stats.capped),
            diverged: self.diverged.is_some(),
        }
    }
}

/// The centres of a `side × side` grid over `bounds`, row-major from the bottom-left.
pub fn grid_points(bounds: Bounds, side: usize) -> Array2<f64> {
    let mut g = Array2::zeros((side * side, 2));
    for r in 0..side {
        for c in 0..side {
            let p = bounds.at((c as f64 + 0.5) / side as f64, (r as f64 + 0.5) / side as f64);
            g[[r * side + c, 0]] = p[0];
            g[[r * side + c, 1]] = p[1];
        }
    }
    g
}
