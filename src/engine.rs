//! The engine: a run ([`Session`]) with its measurements scheduled by their counted cost, the log-thinned
//! history, point editing and the tables it may train on. It is what the page runs in a Web Worker (or,
//! where no worker can start, in slices on the main thread) and what `lastlayer reproduce` runs natively:
//! the same code, so the same numbers.
//!
//! **Scheduling by cost.** Every training step and every measurement reports the multiply-adds it costs.
//! Measurements earn credit from training — a third of each step's work — and spend it as they go, so they
//! take at most a quarter of the compute whatever the network's size; a measurement is started when the
//! previous one has finished and at least `svm.refit_every` steps have passed, and it is spread over as
//! many training steps as its cost requires (its fits advance by budgets of work; see
//! [`crate::svm::SvmFit`]). The run's initial state is measured in full before training starts.
//!
//! **Deterministic.** The schedule depends only on counted work, never on time, and work advances in
//! atomic units (a training step, or a slice of a measurement): a caller that stops at a deadline and
//! resumes later gets exactly the sequence of a caller that never stops. The wall clock only decides how
//! many units run per call.
//!
//! **Settling.** While paused, [`Engine::settle`] measures the current step too, as a side measurement that
//! neither enters the history nor changes the schedule's warm starts — so pausing never changes the numbers
//! a run produces later.

use crate::config::Config;
use crate::csv_io::{self, TableRules};
use crate::data::{DataError, EditOutcome, Library, PointEdit, Source, Table, DIGITS};
use crate::forgetting::Forgetting;
use crate::measure::{MeasurementJob, WarmStart};
use crate::nn::{ConvSpec, LayerSpec, PoolMode};
use crate::presets;
use crate::session::{Phase, Session, SessionError};
use crate::snapshot::{Cost, DataPart, Measurement, Metrics, Reference, Snapshot};
use thiserror::Error;

/// Whether a measurement at `step` is kept whole as a frame of the snapshot strip: the first measurement at or
/// after each of the steps 0, 1, 3, 10, 30, 100, … beyond the last frame kept.
fn keyframe_due(step: u64, kept: &[Measurement]) -> bool {
    let Some(last) = kept.last().map(|m| m.metrics.step) else { return true };
    let mut next = 1u64;
    while next <= last {
        // 1, 3, 10, 30, 100, …
        next = if next.to_string().starts_with('1') { next * 3 } else { next / 3 * 10 };
    }
    step >= next
}

/// History points kept per decade of steps.
const PER_DECADE: f64 = 40.0;
/// Measurements may spend this much work per unit of training work (1/3: a quarter of all compute).
const MEASURE_SHARE: f64 = 1.0 / 3.0;
/// The adversarial search has a credit of its own, earned at this share of training work: a scheduled
/// measurement includes it only when that credit is not owed, so attacks fall on fewer measurements than the
/// grid has but never thin the grid (the search can cost a hundred times the rest of a measurement).
const ATTACK_SHARE: f64 = 1.0 / 3.0;
/// The largest slice of a measurement run at once (multiply-adds), so that a deadline is checked often.
const SLICE_WORK: f64 = 2e6;

/// What went wrong with a request to the engine.
#[derive(Error, Debug, Clone, PartialEq)]
pub enum EngineError {
    /// The run could not start or change.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A file could not be read.
    #[error("{0}")]
    Csv(#[from] csv_io::CsvError),
    /// No such preset.
    #[error("unknown preset '{0}'")]
    UnknownPreset(String),
    /// A point edit that cannot be made.
    #[error(transparent)]
    Edit(DataError),
}

/// The schedule's state.
#[derive(Default)]
struct Schedule {
    job: Option<MeasurementJob>,
    warm: WarmStart,
    /// Work the measurements may still spend (negative: owed to training).
    credit: f64,
    /// The step of the last measurement started.
    last_start: Option<u64>,
    /// The work of the last finished measurement, without its adversarial search.
    last_work: f64,
    /// Work the adversarial search may still spend (negative: owed to training); see [`ATTACK_SHARE`].
    attack_credit: f64,
    /// The work of the last adversarial search.
    last_attack_work: f64,
    /// The features and SVM of the last finished scheduled measurement.
    previous: Option<Reference>,
    /// The largest indivisible piece of measurement work seen in this run (a start, a slice with the solver
    /// unit that overdrew it, a finish): what a main thread must be able to afford in one go.
    largest_unit: f64,
}

/// A run with its schedule (see the module docs).
pub struct Engine {
    library: Library,
    session: Session,
    run: u64,
    schedule: Schedule,
    side: Option<MeasurementJob>,
    latest: Option<Measurement>,
    history: Vec<Metrics>,
    keyframes: Vec<Measurement>,
    edit: PointEdit,
    config_version: u64,
    data_version: u64,
    /// A class-incremental run's arms, once its second phase has begun.
    forgetting: Option<Forgetting>,
    /// Why a class-incremental run could not begin its second phase, if it could not.
    forgetting_error: Option<String>,
    forgetting_version: u64,
    /// Whether the latest measurement describes settings changed since (the SVM's, the attacks'): the current
    /// step is then measured again.
    stale: bool,
    /// Once the last layer is retrained alone: the same run with the whole network still training (cloned
    /// at the moment of the retrain and trained in step), so that the page can show both runs' offsets.
    twin: Option<Session>,
}

/// Whether a measurement at `step` belongs in a history whose last entry is at `last`: every step up to 10,
/// then at most [`PER_DECADE`] per decade.
fn recording_due(step: u64, last: Option<u64>) -> bool {
    let Some(last) = last else { return true };
    if step <= 10 {
        return step > last;
    }
    // libm's log10, the same on every target, so that native and wasm keep the same history.
    let bucket = |s: u64| (libm::log10(s.max(1) as f64) * PER_DECADE).floor();
    bucket(step) > bucket(last)
}

impl Engine {
    /// An engine running `config` (its tables, if any, must be in `library`).
    pub fn new(config: Config, library: Library) -> Result<Engine, EngineError> {
        let session = Session::new(config, &library)?;
        let mut engine = Engine {
            library,
            session,
            run: 0,
            schedule: Schedule::default(),
            side: None,
            latest: None,
            history: Vec::new(),
            keyframes: Vec::new(),
            edit: PointEdit::default(),
            config_version: 0,
            data_version: 0,
            forgetting: None,
            forgetting_error: None,
            forgetting_version: 0,
            stale: false,
            twin: None,
        };
        engine.restarted();
        Ok(engine)
    }

    /// An engine running the preset `name`, with the bundled digits when it needs them (native builds carry
    /// them; in the page they are provided with [`Engine::provide_table`] first).
    pub fn for_preset(name: &str, library: Library) -> Result<Engine, EngineError> {
        let preset = presets::find(name).ok_or_else(|| EngineError::UnknownPreset(name.to_string()))?;
        Engine::new(preset.config, library)
    }

    fn restarted(&mut self) {
        self.run += 1;
        self.config_version += 1;
        self.data_version += 1;
        self.schedule = Schedule { credit: f64::INFINITY, ..Schedule::default() };
        self.side = None;
        self.latest = None;
        self.history.clear();
        self.keyframes.clear();
        self.forgetting = None;
        self.forgetting_error = None;
        self.forgetting_version += 1;
        self.twin = None;
        if self.session.last_layer_only() && self.session.step() == 0 {
            // Retrained from the first step: the twin is the same run without the retrain.
            let mut config = self.session.config().clone();
            config.train.retrain_last_layer_at = None;
            self.twin = Session::new(config, &self.library).ok();
        }
    }

    /// The twin whose offset a measurement records: only once the last layer trains alone (before, the
    /// twin and the run are one; when exactly the twin was cloned depends on how the time was sliced).
    fn measured_twin(&self) -> Option<&Session> {
        self.twin.as_ref().filter(|_| self.session.last_layer_only())
    }

    /// Just before the last layer is retrained alone: keeps the run as it is, without the retrain, as its
    /// whole-network twin (once; not for a class-incremental run, whose arms are its comparison).
    fn keep_twin(&mut self) {
        if self.twin.is_none() && !self.session.last_layer_only() && !self.session.config().forgetting.on {
            let mut twin = self.session.clone();
            twin.set_retrain_at(None);
            self.twin = Some(twin);
        }
    }

    /// A class-incremental run's arms, once its second phase has begun.
    pub fn forgetting(&self) -> Option<&Forgetting> {
        self.forgetting.as_ref()
    }

    /// Why a class-incremental run could not begin its second phase, if it could not.
    pub fn forgetting_error(&self) -> Option<&str> {
        self.forgetting_error.as_deref()
    }

    /// Whether the run has taken all its steps: a class-incremental run ends with its second phase (or when
    /// it cannot begin it).
    pub fn finished(&self) -> bool {
        let f = &self.session.config().forgetting;
        f.on && (self.session.step() >= 2 * f.phase_steps || self.forgetting_error.is_some())
    }

    /// Multiply-adds of a training step of every run trained (the arms of a class-incremental run, or the
    /// whole-network twin, together).
    fn step_cost(&self) -> f64 {
        self.session.step_cost()
            + self.forgetting.as_ref().map_or(0.0, Forgetting::step_cost)
            + self.twin.as_ref().map_or(0.0, Session::step_cost)
    }

    /// After a training step: a class-incremental run begins its second phase at the end of its first, and
    /// records its arms when they are due.
    fn after_step(&mut self) {
        let phase_steps = self.session.config().forgetting.phase_steps;
        if matches!(self.session.phase(), Phase::Old { .. }) && self.session.step() >= phase_steps {
            self.begin_phase_two();
        }
        if let Some(f) = &mut self.forgetting {
            if f.record_due(self.session.step()) {
                let work = f.record(&self.session);
                self.forgetting_version += 1;
                self.schedule.credit -= work;
                self.note_unit(work);
            }
        }
    }

    /// The second phase of a class-incremental run (see [`crate::forgetting`]): the arms replace the run, the
    /// data gains the new classes, and the schedule starts afresh (the SVM's classes changed).
    fn begin_phase_two(&mut self) {
        match Forgetting::begin(&self.session) {
            Ok((forgetting, shown, work)) => {
                self.session = shown;
                self.forgetting = Some(forgetting);
                self.fresh_schedule();
                // The latest measurement is of the first phase's data and network.
                self.latest = None;
                self.schedule.credit -= work;
                self.note_unit(work);
            }
            Err(e) => self.forgetting_error = Some(e),
        }
        self.data_version += 1;
        self.config_version += 1;
        self.forgetting_version += 1;
    }

    /// Drops the measurements in progress and their warm starts, so that the next measurement starts now and
    /// from scratch (the SVM's settings or its data changed).
    fn fresh_schedule(&mut self) {
        self.schedule.warm = WarmStart::default();
        self.schedule.job = None;
        self.schedule.credit = f64::INFINITY;
        self.schedule.last_start = None;
        self.schedule.previous = None;
        self.schedule.attack_credit = 0.0;
        self.side = None;
    }

    /// The run being trained.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The run's number (it changes whenever the run restarts).
    pub fn run_id(&self) -> u64 {
        self.run
    }

    /// Versions of the config and of the data, which change when they do.
    pub fn versions(&self) -> (u64, u64) {
        (self.config_version, self.data_version)
    }

    /// The newest finished measurement.
    pub fn latest(&self) -> Option<&Measurement> {
        self.latest.as_ref()
    }

    /// The measurements kept whole at log-spaced steps (the snapshot strip's frames), oldest first.
    pub fn keyframes(&self) -> &[Measurement] {
        &self.keyframes
    }

    /// The measurements kept as the history, oldest first.
    pub fn history(&self) -> &[Metrics] {
        &self.history
    }

    /// The tables this engine can train on.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Steps taken.
    pub fn step(&self) -> u64 {
        self.session.step()
    }

    /// Why edited points cannot be trained on yet, if points are being edited.
    pub fn edit_message(&self) -> Option<String> {
        self.edit.message()
    }

    /// The points being edited, if any are pending.
    pub fn pending_points(&self) -> Option<&[crate::data::LabeledPoint]> {
        self.edit.pending.as_deref()
    }

    /// What a step and a measurement cost, and the largest indivisible piece of a measurement.
    pub fn cost(&self) -> Cost {
        let step = self.step_cost();
        let s = self.session.split();
        let n = (s.train.len() + s.test.len()) as f64;
        let forward = self.session.network().forward_cost();
        let measurement = if self.schedule.last_work > 0.0 {
            self.schedule.last_work
        } else {
            // Before the first measurement: its forward passes, a few dozen epochs of descent and the grid.
            n * forward + 50.0 * s.train.len() as f64 * self.session.network().feature_width() as f64 + 600.0 * forward
        };
        let measurement_unit = if self.schedule.largest_unit > 0.0 {
            self.schedule.largest_unit
        } else {
            // Before one is seen: the forward pass of every point that starts a measurement, or a slice.
            (n * forward).max(SLICE_WORK)
        };
        Cost { step, measurement, measurement_unit }
    }

    /// Records an indivisible piece of measurement work (see [`Cost::measurement_unit`]).
    fn note_unit(&mut self, work: f64) {
        self.schedule.largest_unit = self.schedule.largest_unit.max(work);
    }

    /// Applies a new configuration (see [`Session::set_config`]); returns whether the run restarted. On error
    /// nothing changes.
    pub fn set_config(&mut self, config: Config) -> Result<bool, EngineError> {
        let svm_changed = config.svm != self.session.config().svm;
        let attack_changed = config.attack != self.session.config().attack;
        if let Some(f) = &mut self.forgetting {
            if !self.session.config().needs_reset(&config) {
                f.set_config(&config, &self.library)?;
            }
        }
        let restarted = self.session.set_config(config.clone(), &self.library)?;
        if restarted {
            self.restarted();
        } else {
            self.config_version += 1;
            let shown = config.forgetting.shown;
            let switched = self.forgetting.as_mut().is_some_and(|f| f.show(shown, &mut self.session));
            if switched {
                // Another arm shown: its run is now the engine's; what was measured of the other is dropped
                // from the second phase (the arms' own records keep every arm).
                let phase_steps = config.forgetting.phase_steps;
                self.history.retain(|m| m.step < phase_steps);
                self.keyframes.retain(|m| m.metrics.step < phase_steps);
                self.latest = None;
                self.data_version += 1;
                self.forgetting_version += 1;
                self.fresh_schedule();
            } else if svm_changed {
                // New SVM settings: the warm starts no longer fit, and the latest numbers describe another SVM.
                self.fresh_schedule();
                self.stale = true;
            } else if attack_changed {
                // The attacks are measured with the SVM: the measurements under way and the latest are of the
                // old settings (the warm starts still fit). The next measurement attacks.
                self.schedule.job = None;
                self.schedule.attack_credit = 0.0;
                self.side = None;
                self.stale = true;
            }
        }
        Ok(restarted)
    }

    /// Merges a partial JSON config into the current one (see [`Config::merged`]).
    pub fn merge_config(&mut self, partial: &str) -> Result<bool, EngineError> {
        let config = self.session.config().merged(partial).map_err(SessionError::from)?;
        self.set_config(config)
    }

    /// Starts the preset `name`.
    pub fn load_preset(&mut self, name: &str) -> Result<(), EngineError> {
        let preset = presets::find(name).ok_or_else(|| EngineError::UnknownPreset(name.to_string()))?;
        self.session = Session::new(preset.config, &self.library)?;
        self.edit = PointEdit::default();
        self.restarted();
        Ok(())
    }

    /// Restarts the run with the same configuration.
    pub fn reset(&mut self) -> Result<(), EngineError> {
        self.session = Session::new(self.session.restart_config(), &self.library)?;
        self.edit = PointEdit::default();
        self.restarted();
        Ok(())
    }

    /// Freezes the hidden layers, re-initialises the output layer and trains only it from now on.
    pub fn retrain_last_layer(&mut self) {
        self.keep_twin();
        self.session.retrain_last_layer();
        self.config_version += 1;
    }

    /// Keeps `table` under `name` for runs that ask for it (the bundled digits, an imported file).
    pub fn provide_table(&mut self, name: &str, table: Table) {
        self.library.insert(name, table);
    }

    /// Reads a CSV file the user chose and trains on it, standardised: a file of 2-D points with class numbers
    /// becomes editable points (which a link carries); anything else a table held by name. Returns the number
    /// of points. A bad file changes nothing.
    pub fn import_csv(&mut self, name: &str, text: &str) -> Result<usize, EngineError> {
        let mut config = self.session.config().clone();
        let count = match csv_io::parse_points(text) {
            Ok(points) => {
                config.data = crate::data::DataConfig {
                    set: Source::Custom,
                    points,
                    standardize: true,
                    test_fraction: config.data.test_fraction,
                    seed: config.data.seed,
                    ..Default::default()
                };
                config.data.points.len()
            }
            Err(points_error) => {
                let table = csv_io::parse_table(text, name, &TableRules::default()).map_err(|table_error| {
                    // A file that looks like the points format gets that format's message.
                    if table_error.line == 1 && points_error.line > 1 {
                        points_error
                    } else {
                        table_error
                    }
                })?;
                let n = table.labels.len();
                self.library.insert(name, table);
                config.data = crate::data::DataConfig {
                    set: Source::Table,
                    table: name.to_string(),
                    standardize: true,
                    test_fraction: config.data.test_fraction,
                    seed: config.data.seed,
                    ..Default::default()
                };
                n
            }
        };
        self.set_config(config)?;
        self.edit = PointEdit::default();
        Ok(count)
    }

    /// Reads a table the page provides by name (the bundled digits, fetched on demand, or a CSV file) and
    /// keeps it for runs that ask for it. A bad text changes nothing.
    pub fn provide_csv_table(&mut self, name: &str, text: &str) -> Result<(), EngineError> {
        let table = if name == DIGITS {
            csv_io::parse_digits(text)?
        } else {
            csv_io::parse_table(text, name, &TableRules::default())?
        };
        self.provide_table(name, table);
        Ok(())
    }

    /// Switches the data source, carrying over what fits: the seed and the test share always, the number of
    /// points between generated sets, the standardisation unless the new source always standardises, the
    /// imported table's name (so that the imported file can be chosen again). "Your own points" start from
    /// the points shown (see [`Engine::use_own_points`]). Returns whether the run restarted.
    pub fn set_source(&mut self, source: Source) -> Result<bool, EngineError> {
        if source == Source::Custom {
            self.use_own_points()?;
            return Ok(true);
        }
        let mut config = self.session.config().clone();
        let current = &config.data;
        let mut data = source.defaults();
        data.seed = current.seed;
        data.test_fraction = current.test_fraction;
        if source.is_generated() {
            data.samples = current.samples;
        }
        data.standardize = data.standardize || current.standardize;
        if data.table.is_empty() {
            data.table = current.table.clone();
        }
        config.data = data;
        self.set_config(config)
    }

    /// Trains on the points shown as the user's own, editable points (2-D data; wider data become a table
    /// of the same rows), keeping the standardisation. Returns the number of points.
    pub fn use_own_points(&mut self) -> Result<usize, EngineError> {
        let standardize = self.session.config().data.standardize;
        let text = self.export_csv();
        let n = self.import_csv("points.csv", &text)?;
        let mut config = self.session.config().clone();
        config.data.standardize = standardize;
        self.set_config(config)?;
        Ok(n)
    }

    /// Adds a dense hidden layer just before the feature layer, as wide as the feature layer unless that is 2
    /// or narrower (or not dense: then 8 wide). Returns whether the run restarted.
    pub fn add_layer(&mut self) -> Result<bool, EngineError> {
        let mut config = self.session.config().clone();
        let hidden = &mut config.network.hidden;
        let width = match hidden.last() {
            Some(&LayerSpec::Dense(w)) if w > 2 => w,
            _ => 8,
        };
        hidden.insert(hidden.len().saturating_sub(1), LayerSpec::Dense(width));
        self.set_config(config)
    }

    /// Adds a convolution (stride 1, "same", 3 × 3 or as large as the map it gets when that is smaller) after
    /// the last convolution or pooling — twice as many channels as the convolution before it, 8 for the
    /// first — or a 2 × 2 max pooling there. Returns whether the run restarted; a map too small for it (or flat
    /// data) is refused with the reason, the run kept.
    pub fn add_image_layer(&mut self, pool: bool) -> Result<bool, EngineError> {
        let mut config = self.session.config().clone();
        let hidden = &mut config.network.hidden;
        let at = hidden.iter().rposition(|l| !matches!(l, LayerSpec::Dense(_))).map_or(0, |i| i + 1);
        let spec = if pool {
            LayerSpec::Pool(PoolMode::Max)
        } else {
            let channels = hidden[..at].iter().rev().find_map(|l| match l {
                LayerSpec::Conv(c) => Some((2 * c.channels).min(crate::nn::layer::MAX_CHANNELS)),
                _ => None,
            });
            // The map the new layer gets: the input's, or the output of the layer before it.
            let input = crate::session::input_shape(self.session.split());
            let map =
                crate::nn::hidden_shapes(input, &hidden[..at]).ok().and_then(|s| s.last().copied()).unwrap_or(input);
            let side = match map {
                crate::nn::Shape::Image { height, width, .. } => height.min(width),
                crate::nn::Shape::Flat(_) => ConvSpec::default().kernel,
            };
            let kernel = ConvSpec::default().kernel.min(side);
            LayerSpec::Conv(ConvSpec { channels: channels.unwrap_or(8), kernel, ..ConvSpec::default() })
        };
        hidden.insert(at, spec);
        self.set_config(config)
    }

    /// Replaces the hidden layer at `layer` (0-based) by `spec`. Returns whether the run restarted.
    pub fn set_layer(&mut self, layer: usize, spec: LayerSpec) -> Result<bool, EngineError> {
        let mut config = self.session.config().clone();
        if let Some(l) = config.network.hidden.get_mut(layer) {
            *l = spec;
        }
        self.set_config(config)
    }

    /// Removes the hidden layer at `layer` (0-based). Returns whether the run restarted.
    pub fn remove_layer(&mut self, layer: usize) -> Result<bool, EngineError> {
        let mut config = self.session.config().clone();
        if layer < config.network.hidden.len() {
            config.network.hidden.remove(layer);
        }
        self.set_config(config)
    }

    /// Sets the width of the hidden layer at `layer` (0-based): a dense layer's units, a convolution's channels.
    /// Returns whether the run restarted.
    pub fn set_layer_width(&mut self, layer: usize, width: usize) -> Result<bool, EngineError> {
        let mut config = self.session.config().clone();
        match config.network.hidden.get_mut(layer) {
            Some(LayerSpec::Dense(w)) => *w = width,
            Some(LayerSpec::Conv(c)) => c.channels = width,
            _ => {}
        }
        self.set_config(config)
    }

    /// The data as CSV: the user's format (`x,y,label`) for 2-D data that is not a table, a table otherwise.
    pub fn export_csv(&self) -> String {
        let split = self.session.split();
        if split.train.width() == 2 && self.session.config().data.table_name().is_none() {
            return csv_io::write_points(&crate::data::points_of(split));
        }
        let info = &split.info;
        let inputs = ndarray::concatenate(ndarray::Axis(0), &[split.train.inputs.view(), split.test.inputs.view()])
            .expect("train and test have the same width");
        let table = Table {
            name: info.name.clone(),
            inputs,
            labels: split.train.labels.iter().chain(&split.test.labels).copied().collect(),
            class_names: info.class_names.clone(),
            feature_names: info.feature_names.clone(),
            image: info.image,
            shape: info.shape,
        };
        csv_io::write_table(&table)
    }

    fn editable(&self) -> Result<(), EngineError> {
        let width = self.session.split().train.width();
        if width != 2 {
            return Err(EngineError::Edit(DataError::NotEditable(width)));
        }
        Ok(())
    }

    fn apply_edit(&mut self, outcome: EditOutcome) -> Result<bool, EngineError> {
        match outcome {
            EditOutcome::Apply(points) => {
                let mut config = self.session.config().clone();
                config.data.set = Source::Custom;
                config.data.points = points;
                config.data.table.clear();
                self.set_config(config)?;
                Ok(true)
            }
            EditOutcome::Pending(_) => {
                self.data_version += 1;
                Ok(true)
            }
            EditOutcome::Unchanged => Ok(false),
        }
    }

    /// Adds a point of class `label` at `p` (raw input coordinates). Returns whether anything changed.
    pub fn add_point(&mut self, p: [f64; 2], label: usize) -> Result<bool, EngineError> {
        self.editable()?;
        let outcome = self.edit.add(self.session.split(), p, label).map_err(EngineError::Edit)?;
        self.apply_edit(outcome)
    }

    /// Removes the point nearest to `p` within `reach`. Returns whether anything changed.
    pub fn remove_point(&mut self, p: [f64; 2], reach: f64) -> Result<bool, EngineError> {
        self.editable()?;
        let outcome = self.edit.remove_near(self.session.split(), p, reach);
        self.apply_edit(outcome)
    }

    /// Removes every point; the run waits until the new points make a valid data set.
    pub fn clear_points(&mut self) -> Result<(), EngineError> {
        self.editable()?;
        let outcome = self.edit.clear();
        self.apply_edit(outcome).map(|_| ())
    }

    /// Trains up to `max_steps` steps, interleaving the scheduled measurements, until `clock()` reaches
    /// `deadline` (checked between atomic units). Returns the steps taken.
    pub fn run(&mut self, max_steps: u64, clock: &dyn Fn() -> f64, deadline: f64) -> u64 {
        let mut taken = 0;
        loop {
            if clock() >= deadline {
                break;
            }
            if self.owed_unit(clock) {
                continue;
            }
            if self.session.config().train.retrain_last_layer_at == Some(self.session.step()) {
                self.keep_twin();
            }
            if taken >= max_steps || self.finished() || !self.session.train_step() {
                break;
            }
            if let Some(f) = &mut self.forgetting {
                f.train_step();
            }
            if let Some(t) = &mut self.twin {
                t.train_step();
            }
            taken += 1;
            let cost = self.step_cost();
            let earned = MEASURE_SHARE * cost;
            self.after_step();
            self.schedule.credit += earned;
            self.schedule.attack_credit += ATTACK_SHARE * cost;
            if self.schedule.job.is_none() {
                // While nothing is being measured, credit saves up to at most one measurement's cost (and the
                // attacks' credit to one search's).
                self.schedule.credit = self.schedule.credit.min(self.schedule.last_work.max(earned));
                self.schedule.attack_credit =
                    self.schedule.attack_credit.min(self.schedule.last_attack_work.max(ATTACK_SHARE * cost));
            }
        }
        taken
    }

    /// Whether the schedule owes measurement work before the next training step: a due measurement to
    /// start, or a slice of the current one while it has credit.
    fn owes(&self) -> bool {
        match self.schedule.job {
            Some(_) => self.schedule.credit > 0.0,
            None => self.measurement_due(),
        }
    }

    /// Does one unit of the work the schedule owes (see [`Engine::owes`]); returns whether there was one.
    fn owed_unit(&mut self, clock: &dyn Fn() -> f64) -> bool {
        if !self.owes() {
            return false;
        }
        if self.schedule.job.is_some() {
            self.scheduled_slice(clock);
        } else {
            self.start_scheduled();
        }
        true
    }

    fn measurement_due(&self) -> bool {
        match self.schedule.last_start {
            None => true,
            Some(last) => self.session.step() >= last + self.session.config().svm.refit_every,
        }
    }

    /// Advances the scheduled measurement by one slice (at most [`SLICE_WORK`], and no more than the credit),
    /// paying for it from the credit and timing its fits; finishes it when it is done. Returns whether it was.
    fn scheduled_slice(&mut self, clock: &dyn Fn() -> f64) -> bool {
        let Some(job) = &mut self.schedule.job else { return false };
        let mut slice = self.schedule.credit.min(SLICE_WORK);
        let before = slice;
        let attacked_before = job.attack_work();
        let t0 = clock();
        let done = job.advance(&mut slice);
        job.add_fit_ms(clock() - t0);
        // The search is paid from its own credit, the rest from the measurements'.
        let attacked = job.attack_work() - attacked_before;
        self.schedule.credit -= before - slice - attacked;
        self.schedule.attack_credit -= attacked;
        let mut unit = before - slice;
        if done {
            unit += self.finish_scheduled();
        }
        self.note_unit(unit);
        done
    }

    fn start_scheduled(&mut self) {
        let attack = self.schedule.attack_credit >= 0.0;
        let job =
            MeasurementJob::start_with(&self.session, &self.schedule.warm, attack).with_twin(self.measured_twin());
        self.note_unit(job.work());
        self.schedule.credit -= job.work();
        self.schedule.last_start = Some(self.session.step());
        self.schedule.job = Some(job);
    }

    /// Finishes the scheduled measurement; returns the work the finishing took.
    fn finish_scheduled(&mut self) -> f64 {
        let Some(job) = self.schedule.job.take() else { return 0.0 };
        let before = job.work();
        let attack_work = job.attacks().then(|| job.attack_work());
        let (measurement, warm) = job.finish(&self.session, self.schedule.previous.as_ref());
        // The next measurement of the schedule measures how far things moved from this one (side measurements,
        // made when paused, measure from the schedule's too and are not kept: pausing changes no number).
        self.schedule.previous = Some(Reference {
            step: measurement.metrics.step,
            features: measurement.features_train.clone(),
            svm_wb: measurement.regularized.as_ref().map(|f| f.linear.wb_flat()).unwrap_or_default(),
        });
        let finishing = measurement.work - before;
        // The metrics themselves cost work too (the grid probe, the projections): charge it.
        self.schedule.credit -= finishing;
        self.schedule.warm = warm;
        self.schedule.last_work = measurement.work - attack_work.unwrap_or(0.0);
        if let Some(w) = attack_work {
            self.schedule.last_attack_work = w;
        }
        if self.schedule.credit.is_infinite() {
            // The initial measurement is paid for by the run's start.
            self.schedule.credit = 0.0;
        }
        let step = measurement.metrics.step;
        if recording_due(step, self.history.last().map(|m| m.step)) {
            self.history.push(measurement.metrics.clone());
        }
        if keyframe_due(step, &self.keyframes) {
            let mut frame = measurement.clone();
            frame.features_train = ndarray::Array2::zeros((0, 0));
            self.keyframes.push(frame);
        }
        if self.latest.as_ref().is_none_or(|m| m.metrics.step <= step) {
            self.latest = Some(measurement);
            self.stale = false;
        }
        finishing
    }

    /// Measures the current step (a side measurement, see the module docs) until it is done or `clock()`
    /// reaches `deadline`; returns whether the latest measurement is now of the current step.
    pub fn settle(&mut self, clock: &dyn Fn() -> f64, deadline: f64) -> bool {
        if self.measured_now() {
            self.side = None;
            return true;
        }
        // The initial measurement is the schedule's own: finish it rather than duplicate it.
        if self.schedule.credit.is_infinite() {
            while clock() < deadline {
                if self.schedule.job.is_none() {
                    self.start_scheduled();
                } else if self.scheduled_slice(clock) {
                    return self.measured_now();
                }
            }
            return false;
        }
        // First the measurement work the schedule already owes (what `run` would do before its next step,
        // which a `run` stopped by its deadline may have left undone), so that the history and the side
        // measurement's warm start are the same however the time was sliced.
        while self.owes() {
            if clock() >= deadline {
                return false;
            }
            self.owed_unit(clock);
        }
        if self.measured_now() {
            self.side = None;
            return true;
        }
        let step = self.session.step();
        if self.side.as_ref().is_none_or(|j| j.step() != step) {
            let warm =
                self.schedule.job.as_ref().map_or_else(|| self.schedule.warm.clone(), MeasurementJob::warm_start);
            let job = MeasurementJob::start(&self.session, &warm).with_twin(self.measured_twin());
            self.note_unit(job.work());
            self.side = Some(job);
        }
        while clock() < deadline {
            let job = self.side.as_mut().expect("a side job exists");
            let mut slice = SLICE_WORK;
            let t0 = clock();
            let done = job.advance(&mut slice);
            job.add_fit_ms(clock() - t0);
            let mut unit = SLICE_WORK - slice;
            if done {
                let job = self.side.take().expect("a side job exists");
                let before = job.work();
                let (measurement, _) = job.finish(&self.session, self.schedule.previous.as_ref());
                unit += measurement.work - before;
                self.note_unit(unit);
                self.latest = Some(measurement);
                self.stale = false;
                return true;
            }
            self.note_unit(unit);
        }
        false
    }

    /// Whether the latest measurement is of the current step and the current settings, and complete (with
    /// attacks on, it made the adversarial search).
    fn measured_now(&self) -> bool {
        let attacks = self.session.config().attack.on;
        !self.stale
            && self.latest.as_ref().is_some_and(|m| m.metrics.step == self.session.step() && (!attacks || m.attacked))
    }

    /// Takes `steps` steps and measures the result, whatever the time (for the command line and tests).
    pub fn advance(&mut self, steps: u64) -> u64 {
        let taken = self.run(steps, &|| 0.0, f64::INFINITY);
        self.settle(&|| 0.0, f64::INFINITY);
        taken
    }

    /// The latest measurement's metrics (after [`Engine::settle`], of the current step).
    pub fn metrics(&self) -> Option<&Metrics> {
        self.latest.as_ref().map(|m| &m.metrics)
    }
}

/// What a receiver already has, so that the next snapshot carries only what changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cursor {
    run: u64,
    config_version: u64,
    data_version: u64,
    measurement: Option<(u64, u64)>,
    history: usize,
    keyframes: usize,
    forgetting: u64,
}

impl Engine {
    /// The snapshot of what changed since `cursor` (everything for a default cursor), and the cursor after it.
    pub fn snapshot(&self, cursor: &Cursor) -> (Snapshot, Cursor) {
        let (config_version, data_version) = self.versions();
        let same_run = cursor.run == self.run_id();
        let session = self.session();
        let config = (!same_run || cursor.config_version != config_version).then(|| session.config().clone());
        let data = (!same_run || cursor.data_version != data_version).then(|| {
            let split = session.split();
            DataPart {
                train: split.train.inputs.clone(),
                train_labels: split.train.labels.clone(),
                test: split.test.inputs.clone(),
                test_labels: split.test.labels.clone(),
                classes: split.train.classes,
                info: split.info.clone(),
                standardizer: session.standardizer().clone(),
                plane: session.plane().clone(),
                bounds: session.bounds(),
                pending: self.pending_points().map(|p| (p.to_vec(), self.edit_message().unwrap_or_default())),
            }
        });
        let latest_key = self.latest().map(|m| (m.metrics.step, m.work.to_bits()));
        let measurement = (!same_run || cursor.measurement != latest_key).then(|| self.latest().cloned()).flatten();
        let history_from = if same_run { cursor.history.min(self.history().len()) } else { 0 };
        let keyframes_from = if same_run { cursor.keyframes.min(self.keyframes.len()) } else { 0 };
        let snapshot = Snapshot {
            run: self.run_id(),
            step: self.step(),
            config,
            data,
            measurement,
            history_from,
            history: self.history()[history_from..].to_vec(),
            keyframes: self.keyframes[keyframes_from..].to_vec(),
            diverged: session.diverged().cloned(),
            last_layer_only: session.last_layer_only(),
            cost: self.cost(),
            forgetting: (!same_run || cursor.forgetting != self.forgetting_version)
                .then(|| self.forgetting.as_ref().map(|f| f.view().clone()))
                .flatten(),
            forgetting_error: self.forgetting_error.clone(),
            finished: self.finished(),
            playing: false,
            held: false,
            checking: None,
            checked: None,
        };
        let next = Cursor {
            run: self.run_id(),
            config_version,
            data_version,
            measurement: latest_key,
            history: self.history().len(),
            keyframes: self.keyframes.len(),
            forgetting: self.forgetting_version,
        };
        (snapshot, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same run advanced in one call, in slices cut by a clock, and with pauses that settle in between
    /// gives bit-identical histories and networks: the schedule depends on counted work only.
    #[test]
    fn slicing_and_pausing_do_not_change_the_numbers() {
        let config = presets::find("moons").unwrap().config;
        let mut whole = Engine::new(config.clone(), Library::default()).unwrap();
        whole.run(600, &|| 0.0, f64::INFINITY);
        let mut sliced = Engine::new(config, Library::default()).unwrap();
        let ticks = std::cell::Cell::new(0.0);
        let clock = || {
            ticks.set(ticks.get() + 1.0);
            ticks.get()
        };
        while sliced.step() < 600 {
            let now = ticks.get();
            sliced.run(600 - sliced.step(), &clock, now + 7.0);
            if sliced.step() % 3 == 0 {
                sliced.settle(&clock, ticks.get() + 5.0);
            }
        }
        // The final measurement of the current step too, whatever slicing came before it (settling does the
        // measurement work a run stopped by its deadline may have left undone).
        whole.settle(&|| 0.0, f64::INFINITY);
        while !sliced.settle(&clock, ticks.get() + 3.0) {}
        // Everything but the wall time the fits took, compared as text (the measures of neural collapse are
        // NaN for two classes, and NaN is not equal to itself; Debug writes every double exactly).
        let timeless = |m: &Metrics| format!("{:?}", Metrics { svm_fit_ms: 0.0, ..m.clone() });
        assert_eq!(timeless(whole.metrics().unwrap()), timeless(sliced.metrics().unwrap()));
        let history = |h: &[Metrics]| -> Vec<String> { h.iter().map(timeless).collect() };
        assert_eq!(history(whole.history()), history(sliced.history()));
        assert_eq!(whole.session().network(), sliced.session().network());
        assert!(whole.history().len() > 20, "{} history points", whole.history().len());
    }

    /// However a deadline cuts the last call to `run` — even right after the last step, before the
    /// measurement then due has started — settling afterwards gives the history and numbers of a run that
    /// was never cut.
    #[test]
    fn a_run_cut_at_any_point_settles_to_the_same_numbers() {
        let config = presets::find("three_blobs").unwrap().config;
        // Everything but the fits' wall time, compared as text (a multi-class run's binary-only numbers are NaN).
        let timeless = |m: &Metrics| format!("{:?}", Metrics { svm_fit_ms: 0.0, ..m.clone() });
        let history = |e: &Engine| e.history().iter().map(timeless).collect::<Vec<_>>();
        let mut last_step_recorded = 0;
        for steps in [750, 800] {
            let mut whole = Engine::new(config.clone(), Library::default()).unwrap();
            whole.advance(steps);
            if whole.history().last().map(|m| m.step) == Some(steps) {
                last_step_recorded += 1;
            }
            for cut in 2..=12 {
                let mut cut_run = Engine::new(config.clone(), Library::default()).unwrap();
                let ticks = std::cell::Cell::new(0.0);
                let clock = || {
                    ticks.set(ticks.get() + 1.0);
                    ticks.get()
                };
                while cut_run.step() < steps {
                    cut_run.run(steps - cut_run.step(), &clock, ticks.get() + f64::from(cut));
                }
                while !cut_run.settle(&clock, ticks.get() + f64::from(cut)) {}
                let case = format!("{steps} steps cut every {cut} ticks");
                assert_eq!(history(&whole), history(&cut_run), "{case}");
                assert_eq!(timeless(whole.metrics().unwrap()), timeless(cut_run.metrics().unwrap()), "{case}");
            }
        }
        // The case that matters: the measurement due at the last step is part of the uncut run's history.
        assert!(last_step_recorded > 0, "no run ends on a recorded measurement");
    }

    /// The snapshot strip's frames: the first measurement of the schedule at or after each of 0, 1, 3, 10, 30,
    /// 100, … steps beyond the last frame (blobs measures every 10 steps: 0, 10, then 30, 103, 306, 1 010).
    #[test]
    fn keyframes_are_log_spaced() {
        let mut e = Engine::new(presets::find("blobs").unwrap().config, Library::default()).unwrap();
        e.advance(1_500);
        let steps: Vec<u64> = e.keyframes().iter().map(|m| m.metrics.step).collect();
        assert_eq!(steps, [0, 10, 30, 103, 306, 1_010]);
        assert!(e.keyframes().iter().all(|m| m.features_train.is_empty()), "kept light");
    }

    /// Measurements take at most about a quarter of the counted work, and the initial one is complete before
    /// the first step.
    #[test]
    fn measurements_are_budgeted() {
        let mut e = Engine::new(presets::find("blobs").unwrap().config, Library::default()).unwrap();
        e.run(0, &|| 0.0, f64::INFINITY);
        assert_eq!(e.metrics().map(|m| m.step), Some(0));
        let mut measured = 0.0;
        let mut last = 0;
        for _ in 0..2000 {
            e.run(1, &|| 0.0, f64::INFINITY);
            if let Some(m) = e.latest() {
                if m.metrics.step != last {
                    last = m.metrics.step;
                    measured += m.work;
                }
            }
        }
        let trained = 2000.0 * e.session().step_cost();
        assert!(measured <= 0.36 * trained, "measurements {measured:e} against training {trained:e}");
        assert!(measured > 0.05 * trained, "measurements happened: {measured:e}");
    }

    /// With attacks on, the measurements fall on the same steps as with them off (the search has a credit of
    /// its own and never thins the grid), the search falls on some of them, its work stays within its share,
    /// and a measurement asked for at the current step always has it.
    #[test]
    fn attacks_do_not_thin_the_measurements() {
        let config = presets::find("adversarial_moons").unwrap().config;
        let steps_of = |e: &Engine| e.history().iter().map(|m| m.step).collect::<Vec<_>>();
        let mut off = config.clone();
        off.attack.on = false;
        let mut plain = Engine::new(off, Library::default()).unwrap();
        let mut attacked = Engine::new(config, Library::default()).unwrap();
        let mut search = 0.0;
        let mut seen = None;
        for _ in 0..3000 {
            plain.run(1, &|| 0.0, f64::INFINITY);
            attacked.run(1, &|| 0.0, f64::INFINITY);
            if let Some(m) = attacked.latest().filter(|m| m.attacked && Some(m.metrics.step) != seen) {
                seen = Some(m.metrics.step);
                search += attacked.schedule.last_attack_work;
            }
        }
        // The same grid up to the few multiply-adds the attacks' metrics add to a measurement's finish.
        let (a, p) = (steps_of(&attacked), steps_of(&plain));
        let widest = |s: &[u64]| s.windows(2).map(|w| w[1] - w[0]).max().unwrap();
        assert!(a.len().abs_diff(p.len()) <= p.len() / 20, "{a:?}\n{p:?}");
        assert!(widest(&a) as f64 <= 1.25 * widest(&p) as f64, "{a:?}\n{p:?}");
        let with_search = attacked.history().iter().filter(|m| m.adv_median.is_finite()).count();
        assert!(
            with_search >= 4 && with_search < attacked.history().len(),
            "{with_search} of {}",
            attacked.history().len()
        );
        let trained = 3000.0 * attacked.session().step_cost();
        assert!(
            search <= ATTACK_SHARE * trained + attacked.schedule.last_attack_work,
            "{search:e} against {trained:e}"
        );
        attacked.settle(&|| 0.0, f64::INFINITY);
        assert!(attacked.latest().unwrap().attacked && attacked.metrics().unwrap().step == 3000);
        assert!(attacked.metrics().unwrap().adv_median.is_finite());
    }
}
