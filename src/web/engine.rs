//! The engine handle: one run and its cost-budgeted schedule ([`crate::engine::Engine`]), driven by the
//! page's shell in slices of time, in a Web Worker or on the main thread. It answers with snapshots as
//! bytes (see [`crate::snapshot`]).

use super::{js_err, now_ms};
use crate::csv_io;
use crate::data::{Library, DIGITS};
use crate::engine::Engine;
use crate::export::run_json;
use crate::presets;
use crate::snapshot::Cursor;
use wasm_bindgen::prelude::*;

/// A run for the page.
#[wasm_bindgen]
pub struct LabEngine {
    engine: Engine,
    sent: Cursor,
}

#[wasm_bindgen]
impl LabEngine {
    /// An engine running the `blobs` preset.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<LabEngine, JsError> {
        let engine = Engine::for_preset("blobs", Library::default()).map_err(js_err)?;
        Ok(LabEngine { engine, sent: Cursor::default() })
    }

    /// The name of the table the preset `name` needs and this engine lacks ("" when none).
    #[wasm_bindgen(js_name = presetNeeds)]
    pub fn preset_needs(&self, name: &str) -> String {
        let needed = presets::find(name).and_then(|p| p.config.data.table_name().map(str::to_string));
        needed.filter(|t| !self.engine.library().has(t)).unwrap_or_default()
    }

    /// The name of the table merging `partial` into the config would need and this engine lacks ("" when
    /// none, or when `partial` is not valid: setting it will say why).
    #[wasm_bindgen(js_name = configNeeds)]
    pub fn config_needs(&self, partial: &str) -> String {
        let needed =
            self.engine.session().config().merged(partial).ok().and_then(|c| c.data.table_name().map(str::to_string));
        needed.filter(|t| !self.engine.library().has(t)).unwrap_or_default()
    }

    /// Provides the bundled digits (the text of `digits.csv`).
    #[wasm_bindgen(js_name = provideDigits)]
    pub fn provide_digits(&mut self, text: &str) -> Result<(), JsError> {
        let table = csv_io::parse_digits(text).map_err(js_err)?;
        self.engine.provide_table(DIGITS, table);
        Ok(())
    }

    /// The current configuration as JSON.
    pub fn config(&self) -> String {
        self.engine.session().config().to_json()
    }

    /// Merges a partial JSON config: settings that need a new run restart it, the others apply live. Returns
    /// whether the run restarted. On error nothing changes and the message says what was wrong.
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&mut self, partial: &str) -> Result<bool, JsError> {
        self.engine.merge_config(partial).map_err(js_err)
    }

    /// Starts the preset `name`.
    #[wasm_bindgen(js_name = loadPreset)]
    pub fn load_preset(&mut self, name: &str) -> Result<(), JsError> {
        self.engine.load_preset(name).map_err(js_err)
    }

    /// Restarts the run with the same configuration.
    pub fn reset(&mut self) -> Result<(), JsError> {
        self.engine.reset().map_err(js_err)
    }

    /// Freezes the hidden layers, re-initialises the output layer and trains only it from now on.
    #[wasm_bindgen(js_name = retrainLastLayer)]
    pub fn retrain_last_layer(&mut self) {
        self.engine.retrain_last_layer();
    }

    /// Trains on a CSV file (see [`Engine::import_csv`]); returns the number of points. A bad file changes
    /// nothing; the error names the line.
    #[wasm_bindgen(js_name = importCsv)]
    pub fn import_csv(&mut self, name: &str, text: &str) -> Result<usize, JsError> {
        self.engine.import_csv(name, text).map_err(js_err)
    }

    /// Adds a point of class `label` at data coordinates (x, y). Returns whether anything changed.
    #[wasm_bindgen(js_name = addPoint)]
    pub fn add_point(&mut self, x: f64, y: f64, label: usize) -> Result<bool, JsError> {
        self.engine.add_point([x, y], label).map_err(js_err)
    }

    /// Removes the point nearest to data coordinates (x, y) within `reach`. Returns whether one was removed.
    #[wasm_bindgen(js_name = removePoint)]
    pub fn remove_point(&mut self, x: f64, y: f64, reach: f64) -> Result<bool, JsError> {
        self.engine.remove_point([x, y], reach).map_err(js_err)
    }

    /// Removes every point; the run waits until the new points make a valid data set.
    #[wasm_bindgen(js_name = clearPoints)]
    pub fn clear_points(&mut self) -> Result<(), JsError> {
        self.engine.clear_points().map_err(js_err)
    }

    /// Trains for at most `budget_ms` milliseconds and `max_steps` steps, with the scheduled measurements;
    /// returns the steps taken.
    pub fn run(&mut self, max_steps: f64, budget_ms: f64) -> f64 {
        let deadline = now_ms() + budget_ms.max(0.0);
        self.engine.run(max_steps.max(0.0) as u64, &now_ms, deadline) as f64
    }

    /// Measures the current step for at most `budget_ms` milliseconds; returns whether the newest
    /// measurement is now of the current step.
    pub fn settle(&mut self, budget_ms: f64) -> bool {
        let deadline = now_ms() + budget_ms.max(0.0);
        self.engine.settle(&now_ms, deadline)
    }

    /// Steps taken.
    pub fn step(&self) -> f64 {
        self.engine.step() as f64
    }

    /// Whether training has diverged.
    pub fn diverged(&self) -> bool {
        self.engine.session().diverged().is_some()
    }

    /// Multiply-adds of one training step (the page holds back runs too heavy for its main thread).
    #[wasm_bindgen(js_name = stepCost)]
    pub fn step_cost(&self) -> f64 {
        self.engine.cost().step
    }

    /// Multiply-adds of a measurement (the last one's, or an estimate before the first).
    #[wasm_bindgen(js_name = measurementCost)]
    pub fn measurement_cost(&self) -> f64 {
        self.engine.cost().measurement
    }

    /// What changed since the previous snapshot, as bytes for [`super::view::LabView::apply`].
    pub fn snapshot(&mut self) -> Vec<u8> {
        let (snapshot, next) = self.engine.snapshot(&self.sent);
        self.sent = next;
        snapshot.encode()
    }

    /// Everything, as bytes (for a view that starts afresh).
    #[wasm_bindgen(js_name = fullSnapshot)]
    pub fn full_snapshot(&mut self) -> Vec<u8> {
        self.sent = Cursor::default();
        self.snapshot()
    }

    /// The whole run as JSON (config, history, weights, inputs, hidden features, SVMs) at the newest
    /// measurement; settle first to have it at the current step.
    #[wasm_bindgen(js_name = exportRun)]
    pub fn export_run(&self) -> String {
        serde_json::to_string(&run_json(&self.engine)).expect("JSON serialises")
    }

    /// The data as CSV: the user's format (`x,y,label`) for 2-D data, a table otherwise.
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&self) -> String {
        let split = self.engine.session().split();
        if split.train.width() == 2 && self.engine.session().config().data.table_name().is_none() {
            return csv_io::write_points(&crate::data::points_of(split));
        }
        let info = &split.info;
        let inputs = ndarray::concatenate(ndarray::Axis(0), &[split.train.inputs.view(), split.test.inputs.view()])
            .expect("train and test have the same width");
        let table = crate::data::Table {
            name: info.name.clone(),
            inputs,
            labels: split.train.labels.iter().chain(&split.test.labels).copied().collect(),
            class_names: info.class_names.clone(),
            feature_names: info.feature_names.clone(),
            image: info.image,
        };
        csv_io::write_table(&table)
    }
}
