//! The one serialisable configuration a run depends on. A URL, a file or the command line's `--config`
//! reproduces a run exactly from it: every random draw is seeded from here.

use crate::data::{DataConfig, DataError};
use crate::nn::{layer, Activation, Init, LayerSpec, LossKind, OptimizerKind, ShapeError};
use crate::range::{self, Range, RangeError};
use crate::svm::{Loss, Multiclass};
use serde::{Deserialize, Serialize};
use thiserror::Error;

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
    /// The hidden layers (1..6), in order; the last one is the feature space. A dense layer is written as its
    /// width (`[16, 2]`), a convolution as `{"conv": {"channels": 8, "kernel": 3, "stride": 1, "padding":
    /// "same"}}` and a 2 × 2 pooling as `{"pool": "max"}` or `{"pool": "avg"}` (on image data, before the dense
    /// layers).
    pub hidden: Vec<LayerSpec>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// Weight initialisation.
    pub init: Init,
    /// Seed of the initialisation and of the mini-batch order.
    pub seed: u64,
    /// Whether the layers have biases (without them, and with relu, leaky relu or linear units, the network
    /// is homogeneous, as Lyu & Li's theory of the whole network's margin assumes).
    pub biases: bool,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            hidden: dense(&[16, 2]),
            activation: Activation::Tanh,
            init: Init::Xavier,
            seed: 1,
            biases: true,
        }
    }
}

/// Fully connected hidden layers of these widths.
pub fn dense(widths: &[usize]) -> Vec<LayerSpec> {
    widths.iter().map(|&w| LayerSpec::Dense(w)).collect()
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

/// Adversarial examples, measured with every measurement (see [`crate::attack`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AttackConfig {
    /// Whether they are measured (off, they cost nothing).
    pub on: bool,
    /// Whether the training points are attacked too (else the test points alone).
    pub train: bool,
    /// At most this many points of each set are attacked: those nearest the network's boundary (the
    /// smallest gaps between their two highest outputs); all of them when there are fewer.
    pub most: usize,
}

impl Default for AttackConfig {
    fn default() -> Self {
        AttackConfig { on: false, train: false, most: 400 }
    }
}

/// An arm of the class-incremental run: what the network rehearses of the old classes while it learns the
/// new ones. Every arm with a memory splits its budget equally among the old classes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// Nothing: fine-tuning on the new classes alone.
    None,
    /// SupportNet's support data (Li et al. 2018): the support vectors of an RBF kernel SVM (scikit-learn's
    /// `SVC`, C = 1, γ = "scale", one-vs-one) on the last hidden layer, drawn at random among a class's support
    /// vectors when it has more than its share, filled with random points of the class when fewer. (Links
    /// written before this arm existed name the support-vector arm `support_vectors`.)
    #[default]
    #[serde(alias = "support_vectors")]
    #[serde(rename = "supportnet")]
    SupportNet,
    /// A variant, not SupportNet: the support vectors of the lab's own linear SVM (the one the last layer
    /// approaches), smallest margins first, filled with the next-smallest margins of the class.
    LinearSvm,
    /// Old points drawn at random, the same number per class.
    Random,
    /// iCaRL's herding: per class, on L2-normalised features, the points whose running mean best matches the
    /// class mean.
    ClassMeans,
    /// All the old training points (joint training: the ceiling).
    AllOld,
}

impl Arm {
    /// Every arm, in the order the page lists them.
    pub const ALL: [Arm; 6] = [Arm::None, Arm::SupportNet, Arm::LinearSvm, Arm::Random, Arm::ClassMeans, Arm::AllOld];

    /// Its name in files and links.
    pub fn name(self) -> &'static str {
        match self {
            Arm::None => "none",
            Arm::SupportNet => "supportnet",
            Arm::LinearSvm => "linear_svm",
            Arm::Random => "random",
            Arm::ClassMeans => "class_means",
            Arm::AllOld => "all_old",
        }
    }

    /// Its name on the page.
    pub fn title(self) -> &'static str {
        match self {
            Arm::None => "none (fine-tune)",
            Arm::SupportNet => "SupportNet (RBF SVM)",
            Arm::LinearSvm => "linear SVM (variant)",
            Arm::Random => "random",
            Arm::ClassMeans => "iCaRL herding",
            Arm::AllOld => "all old data",
        }
    }
}

/// The default memory budget per old class (the budget is set independently of any SVM's support vectors,
/// as SupportNet sets it).
pub const BUDGET_PER_CLASS: usize = 10;

/// How many of `classes` classes a class-incremental run learns first (the first half, rounded down).
pub fn old_classes(classes: usize) -> usize {
    classes / 2
}

/// A class-incremental run (see [`crate::forgetting`]): the first half of the classes for `phase_steps`
/// steps, then the rest with a memory of the old ones, in every arm side by side.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ForgettingConfig {
    /// Whether the run is class-incremental (off: an ordinary run).
    pub on: bool,
    /// Steps of each phase.
    pub phase_steps: u64,
    /// How many old training points each arm may keep, split equally among the old classes (`None`:
    /// [`BUDGET_PER_CLASS`] per old class).
    pub budget: Option<usize>,
    /// The arm the views show (every arm is measured).
    pub shown: Arm,
    /// SupportNet's elastic weight consolidation on its arm: λ in (λ/2) Σ Fᵢ (θᵢ − θ*ᵢ)² (0: off).
    pub ewc: f64,
    /// SupportNet's feature regulariser on its arm: μ in μ · mean ‖φ(x) − φ*(x)‖² over its memory (0: off).
    pub feature_reg: f64,
}

impl Default for ForgettingConfig {
    fn default() -> Self {
        ForgettingConfig {
            on: false,
            phase_steps: 2000,
            budget: None,
            shown: Arm::SupportNet,
            ewc: 0.0,
            feature_reg: 0.0,
        }
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
    /// Adversarial examples.
    pub attack: AttackConfig,
    /// The class-incremental run.
    pub forgetting: ForgettingConfig,
}

/// What is wrong with a configuration.
#[derive(Error, Debug, Clone, PartialEq)]
pub enum ConfigError {
    /// Not JSON, a wrong type, or an unknown field (serde's message, which names it).
    #[error("config: {0}")]
    Json(String),
    /// A partial config that is not a JSON object.
    #[error("config: expected a JSON object")]
    NotAnObject,
    /// Too few or too many hidden layers.
    #[error("config: the network needs 1 to {MAX_LAYERS} hidden layers, got {0}")]
    Layers(usize),
    /// A hidden layer too narrow or too wide.
    #[error("config: hidden layer {layer} has width {width}: widths must be 1 to {max}")]
    Width {
        /// 1-based layer number.
        layer: usize,
        /// The width given.
        width: usize,
        /// The largest allowed here.
        max: usize,
    },
    /// A convolution or pooling that cannot be (bad settings, or after a dense layer).
    #[error("config: {0}")]
    Layer(#[from] ShapeError),
    /// A numeric setting outside its range.
    #[error("config: {0}")]
    Range(#[from] RangeError),
    /// A problem with the data settings (other than a range).
    #[error("config: {0}")]
    Data(DataError),
}

impl From<DataError> for ConfigError {
    /// Range errors are filed under [`ConfigError::Range`] whichever group they come from.
    fn from(e: DataError) -> Self {
        match e {
            DataError::Range(r) => ConfigError::Range(r),
            other => ConfigError::Data(other),
        }
    }
}

/// Seeds are whole numbers from 0 to 2⁵³ − 1, so that a link's JavaScript reads them exactly.
pub use crate::data::MAX_SEED;

/// The ranges of the network, training and SVM settings (the data's are [`crate::data::RANGES`]).
pub const RANGES: [Range; 12] = [
    Range { group: "network", name: "seed", min: 0.0, max: MAX_SEED as f64, step: 1.0, log: false },
    Range { group: "train", name: "learning_rate", min: 1e-6, max: 100.0, step: 0.0, log: true },
    Range { group: "train", name: "batch_size", min: 0.0, max: 20_000.0, step: 1.0, log: false },
    Range { group: "train", name: "weight_decay", min: 0.0, max: 10.0, step: 0.0001, log: false },
    Range { group: "train", name: "retrain_last_layer_at", min: 0.0, max: 1e12, step: 1.0, log: false },
    Range { group: "svm", name: "c", min: 1e-3, max: 1e7, step: 0.0, log: true },
    Range { group: "svm", name: "refit_every", min: 1.0, max: 1e6, step: 1.0, log: false },
    Range { group: "attack", name: "most", min: 1.0, max: 5000.0, step: 1.0, log: false },
    Range { group: "forgetting", name: "phase_steps", min: 1.0, max: 1e6, step: 1.0, log: false },
    Range { group: "forgetting", name: "budget", min: 1.0, max: 20_000.0, step: 1.0, log: false },
    Range { group: "forgetting", name: "ewc", min: 0.0, max: 1e9, step: 0.1, log: false },
    Range { group: "forgetting", name: "feature_reg", min: 0.0, max: 1e6, step: 0.1, log: false },
];

/// Every numeric setting's range: the one source for validation and for the page's controls.
pub fn ranges() -> Vec<Range> {
    crate::data::RANGES.iter().chain(&RANGES).copied().collect()
}

fn check(name: &'static str, value: f64) -> Result<(), ConfigError> {
    Ok(range::find(&RANGES, name).check(value)?)
}

impl Config {
    /// Checks every field; the message names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.data.validate()?;
        let hidden = &self.network.hidden;
        if hidden.is_empty() || hidden.len() > MAX_LAYERS {
            return Err(ConfigError::Layers(hidden.len()));
        }
        let mut flat = false;
        for (i, &spec) in hidden.iter().enumerate() {
            match spec {
                LayerSpec::Dense(w) => {
                    let max = if i == 0 { MAX_FIRST_WIDTH } else { MAX_WIDTH };
                    if w == 0 || w > max {
                        return Err(ConfigError::Width { layer: i + 1, width: w, max });
                    }
                    flat = true;
                }
                LayerSpec::Conv(_) | LayerSpec::Pool(_) if flat => {
                    return Err(ConfigError::Layer(ShapeError {
                        layer: i + 1,
                        kind: spec.kind(),
                        reason: "it comes after a dense layer, whose output is flat: convolutions and poolings go \
                                 before the dense layers"
                            .into(),
                    }))
                }
                _ => layer::check(spec, i + 1)?,
            }
        }
        check("seed", self.network.seed as f64)?;
        check("learning_rate", self.train.learning_rate)?;
        check("weight_decay", self.train.weight_decay)?;
        check("batch_size", self.train.batch_size as f64)?;
        if let Some(at) = self.train.retrain_last_layer_at {
            check("retrain_last_layer_at", at as f64)?;
        }
        check("c", self.svm.c)?;
        check("refit_every", self.svm.refit_every as f64)?;
        check("most", self.attack.most as f64)?;
        check("phase_steps", self.forgetting.phase_steps as f64)?;
        if let Some(b) = self.forgetting.budget {
            check("budget", b as f64)?;
        }
        check("ewc", self.forgetting.ewc)?;
        check("feature_reg", self.forgetting.feature_reg)?;
        Ok(())
    }

    /// Parses a JSON config; missing fields take their defaults, unknown fields are errors.
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        let config: Config = serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Merges a partial JSON object into this config (objects merge key by key; other values replace) and
    /// returns the validated result, leaving `self` untouched.
    pub fn merged(&self, partial: &str) -> Result<Config, ConfigError> {
        let patch: serde_json::Value = serde_json::from_str(partial).map_err(|e| ConfigError::Json(e.to_string()))?;
        if !patch.is_object() {
            return Err(ConfigError::NotAnObject);
        }
        let mut base = serde_json::to_value(self).expect("a Config always serialises");
        merge(&mut base, patch);
        Config::from_json(&base.to_string())
    }

    /// The config as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Config always serialises")
    }

    /// Whether going from `self` to `other` needs a new run (new data, network or loss, a class-incremental
    /// run's phases or memory) rather than a live change (learning rate, optimiser, weight decay, batch size,
    /// SVM settings, adversarial examples, the arm shown).
    pub fn needs_reset(&self, other: &Config) -> bool {
        self.data != other.data
            || self.network != other.network
            || self.train.loss != other.train.loss
            || self.train.retrain_last_layer_at != other.train.retrain_last_layer_at
            || self.forgetting.on != other.forgetting.on
            || (self.forgetting.on
                && (self.forgetting.phase_steps != other.forgetting.phase_steps
                    || self.forgetting.budget != other.forgetting.budget
                    || self.forgetting.ewc != other.forgetting.ewc
                    || self.forgetting.feature_reg != other.forgetting.feature_reg))
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
        let err = |partial: &str| base.merged(partial).unwrap_err().to_string();
        assert_eq!(
            err(r#"{"data": {"noise": -1}}"#),
            "config: data.noise = -1 is out of range: it must be between 0 and 0.3"
        );
        assert!(err(r#"{"data": {"colour": 1}}"#).contains("unknown field `colour`"));
        assert_eq!(err(r#"{"network": {"hidden": []}}"#), "config: the network needs 1 to 6 hidden layers, got 0");
        // Layers by kind: widths as before, convolutions and poolings as one-key objects, before dense layers.
        let conv = base
            .merged(
                r#"{"network": {"hidden": [{"conv": {"channels": 4, "kernel": 3}}, {"pool": "max"}, {"dense": 2}]}}"#,
            )
            .unwrap();
        assert_eq!(conv.network.hidden[2], LayerSpec::Dense(2));
        assert_eq!(
            conv.to_json().split("\"hidden\":").nth(1).unwrap().split("],").next().unwrap(),
            r#"[{"conv":{"channels":4,"kernel":3,"stride":1,"padding":"same"}},{"pool":"max"},2"#,
            "dense layers are written as widths, as old links and run.json files have them"
        );
        assert_eq!(
            err(r#"{"network": {"hidden": [8, {"pool": "max"}, 2]}}"#),
            "config: hidden layer 2 (pool): it comes after a dense layer, whose output is flat: convolutions and \
             poolings go before the dense layers"
        );
        assert_eq!(
            err(r#"{"network": {"hidden": [{"conv": {"channels": 0}}, 2]}}"#),
            "config: hidden layer 1 (conv): 0 channels: a convolution has 1 to 64"
        );
        assert!(err(r#"{"network": {"hidden": [{"lstm": 4}, 2]}}"#).contains("unknown variant `lstm`"));
        assert!(err(r#"{"network": {"hidden": [{"pool": "max", "dense": 2}]}}"#).contains("a layer is one kind"));
        assert_eq!(
            err(r#"{"network": {"hidden": [4, 500]}}"#),
            "config: hidden layer 2 has width 500: widths must be 1 to 128"
        );
        assert!(err(r#"{"train": {"learning_rate": 0}}"#).contains("train.learning_rate = 0 is out of range"));
        assert!(err(r#"{"train": {"optimizer": "lbfgs"}}"#).contains("unknown variant `lbfgs`"));
        assert_eq!(err("[1]"), "config: expected a JSON object");
        // Seeds beyond 2⁵³ − 1 would not survive JavaScript's numbers: refused, not rounded.
        assert!(err(r#"{"data": {"seed": 9007199254740993}}"#).contains("data.seed"));
        let exact = base.merged(r#"{"network": {"seed": 9007199254740991}}"#).unwrap();
        assert_eq!(Config::from_json(&exact.to_json()).unwrap().network.seed, 9_007_199_254_740_991);
        let live = base.merged(r#"{"train": {"learning_rate": 0.1}, "svm": {"c": 10}}"#).unwrap();
        assert!(!base.needs_reset(&live));
        assert!(base.needs_reset(&merged));
    }
}
