//! The one serialisable configuration a run depends on. A URL, a file or the command line's `--config`
//! reproduces a run exactly from it: every random draw is seeded from here.

use crate::data::DataConfig;
use crate::nn::{Activation, Init, LossKind, OptimizerKind};
use crate::svm::{Loss, Multiclass};
use serde::{Deserialize, Serialize};

/// Largest number of hidden layers.
pub const MAX_LAYERS: usize = 6;
/// Largest width of a hidden layer.
pub const MAX_WIDTH: usize = 128;
/// Largest width of the first hidden layer (the paper's 2000-wide layer fits).
pub const MAX_FIRST_WIDTH: usize = 2048;

/// The network's shape and initialisation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// Widths of the hidden layers (1..6 layers); the last one is the feature space.
    pub hidden: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// Weight initialisation.
    pub init: Init,
    /// Seed of the initialisation and of the mini-batch order.
    pub seed: u64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig { hidden: vec![16, 2], activation: Activation::Tanh, init: Init::Xavier, seed: 1 }
    }
}

/// How the network is trained.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// The training loss.
    pub loss: LossKind,
    /// The optimiser.
    pub optimizer: OptimizerKind,
    /// Its step size.
    pub learning_rate: f64,
    /// Mini-batch size for `sgd` (0 = the whole training set; the other optimisers use the whole set).
    pub batch_size: usize,
    /// L2 weight decay λ on the weights.
    pub weight_decay: f64,
    /// At this step, freeze the hidden layers, re-initialise the output layer and train only it from then on
    /// (the paper's bias experiment). `None`: always train the whole network.
    pub retrain_last_layer_at: Option<u64>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            loss: LossKind::CrossEntropy,
            optimizer: OptimizerKind::Gd,
            learning_rate: 0.5,
            batch_size: 0,
            weight_decay: 0.0,
            retrain_last_layer_at: None,
        }
    }
}

/// The SVM fitted to the last hidden layer (both bias modes are always fitted and shown, labelled).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SvmConfig {
    /// Cost of slack C; large C is the hard-margin limit the theory is about.
    pub c: f64,
    /// Binary slack penalty.
    pub loss: Loss,
    /// Multi-class scheme.
    pub multiclass: Multiclass,
    /// Refit every this many training steps.
    pub refit_every: u64,
}

impl Default for SvmConfig {
    fn default() -> Self {
        SvmConfig { c: 1e4, loss: Loss::Hinge, multiclass: Multiclass::CrammerSinger, refit_every: 10 }
    }
}

/// Everything a run depends on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The data set and its split.
    pub data: DataConfig,
    /// The network.
    pub network: NetworkConfig,
    /// Training.
    pub train: TrainConfig,
    /// The SVM.
    pub svm: SvmConfig,
}

fn range(name: &str, value: f64, min: f64, max: f64) -> Result<(), String> {
    if value >= min && value <= max {
        Ok(())
    } else {
        Err(format!("{name} = {value} is out of range: it must be between {min} and {max}"))
    }
}

impl Config {
    /// Checks every field; the message names the first bad one.
    pub fn validate(&self) -> Result<(), String> {
        self.data.validate().map_err(|e| e.to_string())?;
        let hidden = &self.network.hidden;
        if hidden.is_empty() || hidden.len() > MAX_LAYERS {
            return Err(format!("the network needs 1 to {MAX_LAYERS} hidden layers, got {}", hidden.len()));
        }
        for (i, &w) in hidden.iter().enumerate() {
            let max = if i == 0 { MAX_FIRST_WIDTH } else { MAX_WIDTH };
            if w == 0 || w > max {
                return Err(format!("hidden layer {} has width {w}: widths must be 1 to {max}", i + 1));
            }
        }
        range("learning_rate", self.train.learning_rate, 1e-9, 1e4)?;
        range("weight_decay", self.train.weight_decay, 0.0, 10.0)?;
        range("batch_size", self.train.batch_size as f64, 0.0, 1e6)?;
        range("svm.c", self.svm.c, 1e-6, 1e9)?;
        range("svm.refit_every", self.svm.refit_every as f64, 1.0, 1e6)?;
        Ok(())
    }

    /// Parses a JSON config; missing fields take their defaults, unknown fields are errors.
    pub fn from_json(text: &str) -> Result<Config, String> {
        let config: Config = serde_json::from_str(text).map_err(|e| format!("config: {e}"))?;
        config.validate().map_err(|e| format!("config: {e}"))?;
        Ok(config)
    }

    /// Merges a partial JSON object into this config (objects merge key by key; other values replace) and
    /// returns the validated result, leaving `self` untouched.
    pub fn merged(&self, partial: &str) -> Result<Config, String> {
        let patch: serde_json::Value = serde_json::from_str(partial).map_err(|e| format!("config: {e}"))?;
        if !patch.is_object() {
            return Err("config: expected a JSON object".into());
        }
        let mut base = serde_json::to_value(self).expect("a Config always serialises");
        merge(&mut base, patch);
        Config::from_json(&base.to_string())
    }

    /// The config as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Config always serialises")
    }

    /// Whether going from `self` to `other` needs a new run (new data, network or loss) rather than a live
    /// change (learning rate, optimiser, weight decay, batch size, SVM settings).
    pub fn needs_reset(&self, other: &Config) -> bool {
        self.data != other.data
            || self.network != other.network
            || self.train.loss != other.train.loss
            || self.train.retrain_last_layer_at != other.train.retrain_last_layer_at
    }
}

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, p) => *b = p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_untouched_fields_and_rejects_bad_values() {
        let base = Config::default();
        let merged = base.merged(r#"{"data": {"seed": 9}}"#).unwrap();
        assert_eq!(merged.data.seed, 9);
        assert_eq!(merged.data.samples, base.data.samples);
        assert!(base.merged(r#"{"data": {"noise": -1}}"#).unwrap_err().contains("noise = -1"));
        assert!(base.merged(r#"{"data": {"colour": 1}}"#).unwrap_err().contains("unknown field"));
        assert!(base.merged(r#"{"network": {"hidden": []}}"#).unwrap_err().contains("1 to 6 hidden layers"));
        assert!(base
            .merged(r#"{"network": {"hidden": [4, 500]}}"#)
            .unwrap_err()
            .contains("hidden layer 2 has width 500"));
        assert!(base.merged(r#"{"train": {"learning_rate": 0}}"#).unwrap_err().contains("learning_rate = 0"));
        assert!(base.merged(r#"{"train": {"optimizer": "lbfgs"}}"#).unwrap_err().contains("unknown variant"));
        assert!(base.merged("[1]").is_err());
        let live = base.merged(r#"{"train": {"learning_rate": 0.1}, "svm": {"c": 10}}"#).unwrap();
        assert!(!base.needs_reset(&live));
        assert!(base.needs_reset(&merged));
    }
}
