//! Snapshots: what the engine sends the page, and all the page draws from — the data (once per run or
//! edit), the newest measurement (the network, both SVMs, the metrics, the feature planes, all of one step),
//! the history's new entries, the run's state and its cost. Plain data, encoded once into bytes
//! ([`Snapshot::encode`], postcard) that a worker transfers without copying; the page applies them to a
//! [`crate::view::ViewState`]. A snapshot carries only what changed since the previous one.

use crate::data::{DataInfo, LabeledPoint, Standardizer};
use crate::engine::{Cost, Engine};
use crate::geometry::{Bounds, Plane};
use crate::measure::{Measurement, Metrics};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// The data of a run, as the views need it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DataPart {
    /// Training inputs in their own units.
    pub train: Array2<f64>,
    /// Training labels.
    pub train_labels: Vec<usize>,
    /// Test inputs in their own units.
    pub test: Array2<f64>,
    /// Test labels.
    pub test_labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
    /// Names and image shape.
    pub info: DataInfo,
    /// How the network sees the inputs.
    pub standardizer: Standardizer,
    /// The default plane of the input view and its visible rectangle.
    pub plane: Plane,
    /// The visible rectangle of `plane`.
    pub bounds: Bounds,
    /// Points being edited that cannot be trained on yet, with the reason.
    pub pending: Option<(Vec<LabeledPoint>, String)>,
}

/// What changed since the previous snapshot.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The run's number (a new number means a new run: the receiver starts afresh).
    pub run: u64,
    /// Steps taken.
    pub step: u64,
    /// The configuration as JSON, when it changed.
    pub config: Option<String>,
    /// The data, when the run or the data changed.
    pub data: Option<DataPart>,
    /// The newest measurement, when there is a newer one.
    pub measurement: Option<Measurement>,
    /// Where `history` starts in the full history.
    pub history_from: usize,
    /// New history entries.
    pub history: Vec<Metrics>,
    /// The step and reason training diverged, if it did.
    pub diverged: Option<(u64, String)>,
    /// Whether only the last layer trains.
    pub last_layer_only: bool,
    /// What a step and a measurement cost.
    pub cost: Cost,
}

impl Snapshot {
    /// The snapshot as bytes.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("a snapshot always encodes")
    }

    /// A snapshot from bytes (an error for bytes that are not one).
    pub fn decode(bytes: &[u8]) -> Result<Snapshot, postcard::Error> {
        postcard::from_bytes(bytes)
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
}

impl Engine {
    /// The snapshot of what changed since `cursor` (everything for a default cursor), and the cursor after it.
    pub fn snapshot(&self, cursor: &Cursor) -> (Snapshot, Cursor) {
        let (config_version, data_version) = self.versions();
        let same_run = cursor.run == self.run_id();
        let session = self.session();
        let config = (!same_run || cursor.config_version != config_version).then(|| session.config().to_json());
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
        let snapshot = Snapshot {
            run: self.run_id(),
            step: self.step(),
            config,
            data,
            measurement,
            history_from,
            history: self.history()[history_from..].to_vec(),
            diverged: session.diverged().cloned(),
            last_layer_only: session.last_layer_only(),
            cost: self.cost(),
        };
        let next = Cursor {
            run: self.run_id(),
            config_version,
            data_version,
            measurement: latest_key,
            history: self.history().len(),
        };
        (snapshot, next)
    }
}
