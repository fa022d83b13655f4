//! A run's training state: the data (split, standardised), the network and its optimiser, the step count,
//! the retrain-the-last-layer switch and divergence. It only trains; measuring the network against an SVM
//! is [`crate::measure`]'s job and deciding when to measure is [`crate::engine`]'s.

use crate::config::{Config, ConfigError};
use crate::data::{self, DataError, Library, Split, Standardizer};
use crate::geometry::{principal_axes, Bounds, Plane};
use crate::nn::{LossValue, Network, Optimizer, Shape, ShapeError, Trainer};
use crate::rng::{self, Stream};
use ndarray::{Array2, ArrayView2, Axis};
use thiserror::Error;

/// Why a run cannot start or change.
#[derive(Error, Debug, Clone, PartialEq)]
pub enum SessionError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data cannot be made.
    #[error("{0}")]
    Data(#[from] DataError),
    /// A class-incremental run that cannot be made from this data or budget.
    #[error("forgetting: {0}")]
    Forgetting(String),
    /// A hidden layer that cannot take its input (a convolution on flat data, a kernel larger than its image,
    /// pooling a 1 × 1 map).
    #[error("network: {0}")]
    Layer(#[from] ShapeError),
}

/// Where a run stands in a class-incremental run (see [`crate::forgetting`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// An ordinary run.
    Whole,
    /// The first phase: the old classes alone (the split holds them); `full` is the whole data.
    Old {
        /// The whole data, for the second phase.
        full: Box<Split>,
    },
    /// The second phase: every class in the split, training on the new classes and a memory of old points.
    New {
        /// How many classes are old.
        old_classes: usize,
        /// The training points trained on (indices into the split's training points).
        trained: Vec<usize>,
    },
}

/// A run in progress.
#[derive(Clone)]
pub struct Session {
    config: Config,
    split: Split,
    standardizer: Standardizer,
    x_train: Array2<f64>,
    x_test: Array2<f64>,
    trainer: Trainer,
    step: u64,
    frozen: bool,
    diverged: Option<(u64, String)>,
    last_loss: Option<LossValue>,
    plane: Plane,
    bounds: Bounds,
    phase: Phase,
}

/// The seed of the new output units' weights in a class-incremental run's second phase.
const NEW_OUTPUTS_SEED: u64 = 0x0DD_C1A55;

impl Session {
    /// Starts a run: makes the data (tables from `library`), standardises it if asked, initialises the network.
    /// A class-incremental run starts on its old classes (the first half), standardised by their training
    /// points, with as many outputs.
    pub fn new(config: Config, library: &Library) -> Result<Session, SessionError> {
        config.validate()?;
        let full = data::generate(&config.data, library)?;
        if !config.forgetting.on {
            let standardizer = data::standardizer_for(&config.data, full.train.inputs.view());
            let view = view_of(&full, &standardizer);
            return Session::assemble(config, full, standardizer, view, Phase::Whole);
        }
        let classes = full.train.classes;
        if classes < 4 {
            return Err(SessionError::Forgetting(format!(
                "a class-incremental run needs at least four classes — two old ones to remember and two new ones \
                 to learn — and this data has {classes}"
            )));
        }
        let old = data::first_classes(&full, crate::config::old_classes(classes));
        if let Some(budget) = config.forgetting.budget {
            if budget > old.train.len() {
                return Err(SessionError::Forgetting(format!(
                    "a memory of {budget} points is more than the {} training points of the old classes",
                    old.train.len()
                )));
            }
        }
        let standardizer = data::standardizer_for(&config.data, old.train.inputs.view());
        // The views show the whole data's extent from the start, so that nothing moves when the new classes come.
        let view = view_of(&full, &standardizer);
        Session::assemble(config, old, standardizer, view, Phase::Old { full: Box::new(full) })
    }

    fn assemble(
        config: Config,
        split: Split,
        standardizer: Standardizer,
        view: (Plane, Bounds),
        phase: Phase,
    ) -> Result<Session, SessionError> {
        let x_train = standardizer.apply(split.train.inputs.view());
        let x_test = standardizer.apply(split.test.inputs.view());
        let mut init_rng = rng::seeded(config.network.seed, Stream::Init);
        let net = Network::build(
            input_shape(&split),
            &config.network.hidden,
            split.train.classes,
            config.network.activation,
            config.network.init,
            &mut init_rng,
        )?;
        let net = if config.network.biases { net } else { net.without_biases() };
        let trainer = trainer_for(&config, net, x_train.clone(), split.train.labels.clone());
        let (plane, bounds) = view;
        let mut session = Session {
            trainer,
            config,
            split,
            standardizer,
            x_train,
            x_test,
            step: 0,
            frozen: false,
            diverged: None,
            last_loss: None,
            plane,
            bounds,
            phase,
        };
        if session.config.train.retrain_last_layer_at == Some(0) {
            session.retrain_last_layer();
        }
        Ok(session)
    }

    /// The second phase of a class-incremental run from the end of its first (`None` in any other run): every
    /// class in the split, the network with outputs for the new classes added (the same draw in every arm),
    /// a fresh optimiser, trained on the new classes' training points and the old ones at `memory` (indices
    /// into the first phase's training points).
    pub fn next_phase(&self, memory: &[usize]) -> Option<Session> {
        let Phase::Old { full } = &self.phase else { return None };
        let old_classes = self.split.train.classes;
        let old_points: Vec<usize> = (0..full.train.len()).filter(|&i| full.train.labels[i] < old_classes).collect();
        let mut trained: Vec<usize> = (0..full.train.len()).filter(|&i| full.train.labels[i] >= old_classes).collect();
        trained.extend(memory.iter().filter_map(|&m| old_points.get(m).copied()));
        trained.sort_unstable();
        let x_train = self.standardizer.apply(full.train.inputs.view());
        let x_test = self.standardizer.apply(full.test.inputs.view());
        let mut r = rng::seeded(self.config.network.seed ^ NEW_OUTPUTS_SEED, Stream::Init);
        let net =
            self.trainer.net.with_more_outputs(full.train.classes - old_classes, self.config.network.init, &mut r);
        let rows = x_train.select(Axis(0), &trained);
        let labels = trained.iter().map(|&i| full.train.labels[i]).collect();
        let trainer = trainer_for(&self.config, net, rows, labels);
        Some(Session {
            trainer,
            config: self.config.clone(),
            split: (**full).clone(),
            standardizer: self.standardizer.clone(),
            x_train,
            x_test,
            step: self.step,
            frozen: false,
            diverged: self.diverged.clone(),
            last_loss: None,
            plane: self.plane.clone(),
            bounds: self.bounds,
            phase: Phase::New { old_classes, trained },
        })
    }

    /// Where the run stands in a class-incremental run.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The data in its own units.
    pub fn split(&self) -> &Split {
        &self.split
    }

    /// How the network sees the inputs.
    pub fn standardizer(&self) -> &Standardizer {
        &self.standardizer
    }

    /// The training inputs as the network sees them.
    pub fn x_train(&self) -> ArrayView2<'_, f64> {
        self.x_train.view()
    }

    /// The test inputs as the network sees them.
    pub fn x_test(&self) -> ArrayView2<'_, f64> {
        self.x_test.view()
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.trainer.net
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

    /// The loss of the last step's batch, before the step.
    pub fn last_loss(&self) -> Option<LossValue> {
        self.last_loss
    }

    /// The plane of the raw input space the input view shows by default: the inputs themselves when they
    /// are 2-D, else the two leading principal components (of the standardised inputs) through their mean.
    pub fn plane(&self) -> &Plane {
        &self.plane
    }

    /// The visible rectangle of [`Session::plane`] (the data with a margin).
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// Multiply-adds of one training step (forward and backward over the batch, about three forward passes).
    pub fn step_cost(&self) -> f64 {
        let batch = if self.trainer.full_batch() { self.trainer.rows() } else { self.trainer.batch_size };
        let net = &self.trainer.net;
        let trained = net.cost_from(if self.frozen { net.depth() - 1 } else { 0 });
        let consolidation = self.trainer.consolidation().map_or(0.0, |c| c.step_cost(net));
        batch as f64 * (net.forward_cost() + 2.0 * trained) + consolidation
    }

    /// Trains on with SupportNet's consolidation regularisers (a class-incremental run's SupportNet arm).
    pub fn consolidate(&mut self, c: crate::nn::trainer::Consolidation) {
        self.trainer.consolidate(c);
    }

    /// Applies a new configuration. Changes that need a new run (data, network, loss, the retrain step)
    /// restart it; the others (learning rate, optimiser, batch size, weight decay, SVM settings) apply live.
    /// On error the session is unchanged. Returns whether the run restarted.
    pub fn set_config(&mut self, config: Config, library: &Library) -> Result<bool, SessionError> {
        config.validate()?;
        if self.config.needs_reset(&config) {
            *self = Session::new(config, library)?;
            return Ok(true);
        }
        let t = &mut self.trainer;
        if config.train.optimizer != self.config.train.optimizer {
            t.optimizer = Optimizer::new(config.train.optimizer, config.train.learning_rate, config.train.weight_decay);
        }
        t.optimizer.learning_rate = config.train.learning_rate;
        t.optimizer.weight_decay = config.train.weight_decay;
        t.batch_size = config.train.batch_size;
        self.config = config;
        Ok(false)
    }

    /// The configuration to restart this run with: the same, except that a retrain recorded by the action
    /// (not set up front) is dropped, since it belongs to this run's history rather than its set-up.
    pub fn restart_config(&self) -> Config {
        let mut config = self.config.clone();
        if self.frozen && config.train.retrain_last_layer_at == Some(self.step) {
            config.train.retrain_last_layer_at = None;
        }
        config
    }

    /// Sets (or with `None` removes) the step at which the last layer is retrained alone, without restarting:
    /// the whole-network twin of a retrained run is its clone without the retrain.
    pub fn set_retrain_at(&mut self, at: Option<u64>) {
        self.config.train.retrain_last_layer_at = at;
    }

    /// Freezes the hidden layers, re-initialises the output layer and from now on trains only it (the paper's
    /// bias experiment). Recorded in the config so that the run can be reproduced.
    pub fn retrain_last_layer(&mut self) {
        let mut r = rng::seeded(self.config.network.seed ^ 0x5EED_1A57, Stream::Init);
        self.trainer.net.reinit_last_layer(self.config.network.init, &mut r);
        self.trainer.optimizer.reset();
        self.frozen = true;
        self.config.train.retrain_last_layer_at = Some(self.step);
    }

    /// Takes one training step (switching to the last layer alone first when the config says so). Returns
    /// false, and records why, when training diverged (the weights keep their last finite values).
    pub fn train_step(&mut self) -> bool {
        if self.diverged.is_some() {
            return false;
        }
        if !self.frozen && self.config.train.retrain_last_layer_at == Some(self.step) {
            self.retrain_last_layer();
        }
        let from = if self.frozen { self.trainer.net.depth() - 1 } else { 0 };
        match self.trainer.step(from) {
            Ok(loss) => {
                self.last_loss = Some(loss);
                self.step += 1;
                true
            }
            Err(reason) => {
                self.diverged = Some((self.step + 1, reason));
                false
            }
        }
    }

    /// Trains up to `steps` steps (fewer if training diverges); returns the number taken.
    pub fn train(&mut self, steps: u64) -> u64 {
        let mut done = 0;
        while done < steps && self.train_step() {
            done += 1;
        }
        done
    }
}

/// The shape of one input of `split`: its declared image shape, else a flat vector.
pub fn input_shape(split: &Split) -> Shape {
    Shape::of_rows(split.info.shape, split.train.width())
}

/// A trainer of `net` on (`x`, `y`) as `config` says.
fn trainer_for(config: &Config, net: Network, x: Array2<f64>, y: Vec<usize>) -> Trainer {
    let optimizer = Optimizer::new(config.train.optimizer, config.train.learning_rate, config.train.weight_decay);
    Trainer::new(net, optimizer, config.train.loss, config.train.batch_size, x, y, config.network.seed)
}

/// The input view's default plane and its visible rectangle for `split` (see [`Session::plane`]).
fn view_of(split: &Split, standardizer: &Standardizer) -> (Plane, Bounds) {
    let plane = default_plane(split, standardizer);
    let shown: Vec<[f64; 2]> = plane
        .coordinates_of(split.train.inputs.view())
        .into_iter()
        .chain(plane.coordinates_of(split.test.inputs.view()))
        .collect();
    let bounds = Bounds::square_around(shown.iter(), 0.06);
    (plane, bounds)
}

/// The default input plane (see [`Session::plane`]).
fn default_plane(split: &Split, standardizer: &Standardizer) -> Plane {
    let d = split.train.width();
    if d == 2 {
        return Plane::identity();
    }
    if d == 1 {
        // One input: along the horizontal axis; the vertical axis carries nothing.
        let lift = Array2::from_shape_vec((1, 2), vec![1.0, 0.0]).expect("1 × 2");
        return Plane { origin: vec![0.0], lift: lift.clone(), project: lift, offset: [0.0, 0.0] };
    }
    let z = standardizer.apply(split.train.inputs.view());
    let mean = z.mean_axis(Axis(0)).expect("training points exist");
    let u = principal_axes(z.view(), &mean).unwrap_or_else(|| {
        let mut u = Array2::zeros((d, 2));
        u[[0, 0]] = 1.0;
        u[[1, 1]] = 1.0;
        u
    });
    Plane::through(&mean.to_vec(), u).unstandardized(&standardizer.mean, &standardizer.scale)
}
