//! Experiments in one click: plain data, each a config with a title, the steps it is meant to run, and two or
//! three sentences of what to watch. The texts say what the runs measure, not more: every number a text
//! quotes is listed in the preset's [`Quote`]s, which `tests/claims.rs` measures (and checks that the text
//! carries them as written).

use crate::config::{dense, AttackConfig, Config, ForgettingConfig, NetworkConfig, SvmConfig, TrainConfig};
use crate::data::{DataConfig, Source};
use crate::nn::{Activation, ConvSpec, Init, LayerSpec, LossKind, OptimizerKind, PoolMode};
use crate::svm::Multiclass;
use serde::Serialize;

/// A number a preset's text quotes: the metric (a field of [`crate::measure::Metrics`]) at a step, its
/// value, and how the text writes it.
#[derive(Serialize, Clone, Copy, Debug, PartialEq)]
pub struct Quote {
    /// The step measured.
    pub step: u64,
    /// The metric's name in `Metrics`; `forgetting.ARM.FIELD` (an arm's record: `old_acc`, `new_acc`, `acc`,
    /// `angle_wb_deg`), `forgetting.budget`, `forgetting.support_count` or `forgetting.kernel_support_count`
    /// for a class-incremental run; `seedsN.NAME.mean` or `seedsN.NAME.sd` for the mean or standard deviation,
    /// over the data and network seeds 1 to N, of a final number of [`crate::export::finals`] (what
    /// `lastlayer reproduce --seeds N` prints), and `seedsN.A-B.FIELD.diff` / `.lo` / `.hi` for arm A's final
    /// FIELD minus arm B's, paired by seed, and its 95% Student-t interval.
    pub metric: &'static str,
    /// The value measured.
    pub value: f64,
    /// How the text writes it (the test checks the text contains it).
    pub text: &'static str,
    /// A partial config the run is changed by first, when the text describes a variation ("" for none).
    pub with: &'static str,
}

/// The weight-decay preset's variation without decay.
const WITHOUT_DECAY: &str = r#"{"train": {"weight_decay": 0}}"#;

/// The Adam preset's comparison: the same run with plain gradient descent (the blobs preset).
const PLAIN_GD: &str = r#"{"train": {"optimizer": "gd", "learning_rate": 0.5}}"#;

/// The digits preset's variation with a 2-wide last layer (the text says why it is 3 wide).
const TWO_WIDE: &str = r#"{"network": {"hidden": [64, 64, 2]}, "train": {"learning_rate": 0.003, "batch_size": 128}}"#;

/// The convolutional digits presets' comparison: the paper's fully connected network (64 → 2 for digits 0, 1
/// and 2; 64 → 3 for all ten, as the digits preset) with everything else the same.
const FULLY_CONNECTED_012: &str = r#"{"network": {"hidden": [64, 2]}}"#;
const FULLY_CONNECTED_10: &str = r#"{"network": {"hidden": [64, 3]}}"#;

/// 3 × 3 convolutions with `first` and then `second` channels ("same" padding, stride 1), each followed by a
/// 2 × 2 max pooling, then a dense last hidden layer `features` wide: 8 × 8 × 1 → 8 × 8 × first → 4 × 4 × first
/// → 4 × 4 × second → 2 × 2 × second → features.
fn conv_pool_twice(first: usize, second: usize, features: usize) -> Vec<LayerSpec> {
    let conv = |channels| LayerSpec::Conv(ConvSpec { channels, ..ConvSpec::default() });
    vec![
        conv(first),
        LayerSpec::Pool(PoolMode::Max),
        conv(second),
        LayerSpec::Pool(PoolMode::Max),
        LayerSpec::Dense(features),
    ]
}

/// One experiment.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Preset {
    /// Identifier used in URLs and on the command line.
    pub name: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What to watch, in two or three sentences.
    pub watch: &'static str,
    /// The configuration.
    pub config: Config,
    /// How many steps `lastlayer reproduce` runs by default.
    pub steps: u64,
    /// The numbers the text quotes.
    pub quotes: &'static [Quote],
}

fn base(set: Source) -> Config {
    Config {
        data: DataConfig { samples: 200, test_fraction: 0.2, seed: 1, ..set.defaults() },
        network: NetworkConfig { hidden: dense(&[16, 2]), activation: Activation::Tanh, ..NetworkConfig::default() },
        train: TrainConfig { optimizer: OptimizerKind::Gd, learning_rate: 0.5, ..TrainConfig::default() },
        svm: SvmConfig::default(),
        ..Config::default()
    }
}

/// Every preset, in the order the page lists them.
pub fn all() -> Vec<Preset> {
    let blobs = base(Source::Blobs);
    let digits = Config {
        data: DataConfig { test_fraction: 0.2, seed: 1, ..Source::Digits.defaults() },
        network: NetworkConfig {
            hidden: dense(&[64, 3]),
            activation: Activation::Tanh,
            init: Init::Xavier,
            seed: 1,
            biases: true,
        },
        train: TrainConfig {
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.001,
            batch_size: 200,
            ..TrainConfig::default()
        },
        svm: SvmConfig { c: 100.0, multiclass: Multiclass::CrammerSinger, refit_every: 100, ..SvmConfig::default() },
        ..Config::default()
    };
    let digits_012 = Config {
        data: DataConfig {
            test_fraction: 0.2,
            seed: 1,
            keep: vec!["0".into(), "1".into(), "2".into()],
            ..Source::Digits.defaults()
        },
        network: NetworkConfig {
            hidden: dense(&[64, 2]),
            activation: Activation::Tanh,
            init: Init::Xavier,
            seed: 1,
            biases: true,
        },
        train: TrainConfig { optimizer: OptimizerKind::Gd, learning_rate: 0.5, ..TrainConfig::default() },
        svm: SvmConfig { c: 1e4, multiclass: Multiclass::CrammerSinger, refit_every: 10, ..SvmConfig::default() },
        ..Config::default()
    };
    vec![
        Preset {
            name: "blobs",
            title: "Blobs: the last layer becomes an SVM",
            watch: "The paper's two blobs, a 2-16-2-2 tanh network and plain gradient descent. The angle between the \
                    last layer and the SVM on the 2-D hidden features falls slowly, like 1/log t: 14.1° after 10 \
                    steps, 8.4° after 1 000, 7.1° after 10 000. Meanwhile the network's offset creeps towards the SVM's.",
            config: blobs.clone(),
            steps: 100_000,
            quotes: &[
                Quote { step: 10, metric: "angle_wb_deg", value: 14.117, text: "14.1°", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 8.409, text: "8.4°", with: "" },
                Quote { step: 10_000, metric: "angle_wb_deg", value: 7.127, text: "7.1°", with: "" },
            ],
        },
        Preset {
            name: "paper",
            title: "As in the paper: 2 → 2000 → 2 → 2",
            watch: "The authors' own setting: a 2000-wide relu layer, a 2-wide last hidden layer, their truncated \
                    normal σ 0.01 initialisation with biases 0.1, full-batch gradient descent, on their blobs. The tiny \
                    initial weights keep the loss at ln 2 for the first hundred steps; then the network separates the \
                    blobs and its last layer turns towards the SVM: 4.5° after 1 000 steps, 1.0° after 3 000. What \
                    differs from the paper, to show it within a minute: a learning rate of 0.05 (theirs, 10⁻⁴, needs \
                    hundreds of thousands of steps), 200 points (theirs: 1 000 to 5 000), relu (their final runs used \
                    z², which learns far more slowly from this start), and the angle measured rather than judged by eye.",
            config: Config {
                network: NetworkConfig { hidden: dense(&[2000, 2]), activation: Activation::Relu, init: Init::Paper, seed: 1, biases: true },
                train: TrainConfig { optimizer: OptimizerKind::Gd, learning_rate: 0.05, ..blobs.train.clone() },
                ..blobs.clone()
            },
            steps: 5_000,
            quotes: &[
                Quote { step: 1_000, metric: "angle_wb_deg", value: 4.4715, text: "4.5°", with: "" },
                Quote { step: 3_000, metric: "angle_wb_deg", value: 1.0103, text: "1.0°", with: "" },
            ],
        },
        Preset {
            name: "normalized_gd",
            title: "Normalised gradient descent: the same limit, much sooner",
            watch: "The same blobs and network, with every step scaled to length η/‖g‖ (Nacson et al. 2019). The \
                    angle to the SVM is 3.3° after 300 steps and 1.0° after 1 000, and keeps falling like 1/t (0.05° \
                    after 20 000), while the loss underflows far below what a double can hold — the gradient is \
                    formed without cancellation.",
            config: Config {
                train: TrainConfig { optimizer: OptimizerKind::NormalizedGd, learning_rate: 0.05, ..blobs.train.clone() },
                ..blobs.clone()
            },
            steps: 20_000,
            quotes: &[
                Quote { step: 300, metric: "angle_wb_deg", value: 3.258, text: "3.3°", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 0.999, text: "1.0°", with: "" },
                Quote { step: 20_000, metric: "angle_wb_deg", value: 0.0495, text: "0.05°", with: "" },
            ],
        },
        Preset {
            name: "homogeneous",
            title: "Lyu & Li: the whole network's margin rises",
            watch: "A relu network without biases is homogeneous: scaling every weight by c scales its scores by c³. \
                    That is the setting of Lyu & Li (2020), whose theory says gradient descent raises the whole \
                    network's normalised margin, not only the last layer's. It does here (the theory view): on the \
                    blobs, standardised so that a line through the origin separates them, the smoothed margin \
                    ln(1/(e^ℒ − 1))/ρ³ — their form for the cross-entropy, ℒ the summed loss — climbs at every \
                    measurement once the loss is small (0.0069 at 100 steps, 0.0155 at 1 000, 0.0214 at 10 000), with \
                    the normalised margin above it (0.0262 at 10 000). The last layer \
                    still turns towards the SVM (5.7° at 1 000 steps, 3.4° at 10 000), though without a bias it \
                    cannot take the SVM's offset.",
            config: Config {
                data: DataConfig { standardize: true, ..blobs.data.clone() },
                network: NetworkConfig { hidden: dense(&[16, 2]), activation: Activation::Relu, init: Init::He, seed: 1, biases: false },
                ..blobs.clone()
            },
            steps: 20_000,
            quotes: &[
                Quote { step: 100, metric: "smoothed_margin_lyu_li", value: 0.006_859_88, text: "0.0069", with: "" },
                Quote { step: 1_000, metric: "smoothed_margin_lyu_li", value: 0.015_494_9, text: "0.0155", with: "" },
                Quote { step: 10_000, metric: "smoothed_margin_lyu_li", value: 0.021_424_9, text: "0.0214", with: "" },
                Quote { step: 10_000, metric: "margin_lyu_li", value: 0.026_199_1, text: "0.0262", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 5.6603, text: "5.7°", with: "" },
                Quote { step: 10_000, metric: "angle_wb_deg", value: 3.3858, text: "3.4°", with: "" },
            ],
        },
        Preset {
            name: "plate",
            title: "Plate: separated by a band",
            watch: "The square with a diagonal band removed. The network's boundary settles in the band and its last \
                    layer turns towards the SVM on the hidden features: from 43° after the first step to 4.3° after \
                    1 000, where it levels off (4.5° after 10 000) while the features keep adjusting.",
            config: base(Source::Plate),
            steps: 100_000,
            quotes: &[
                Quote { step: 1, metric: "angle_wb_deg", value: 43.405, text: "43°", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 4.268, text: "4.3°", with: "" },
                Quote { step: 10_000, metric: "angle_wb_deg", value: 4.476, text: "4.5°", with: "" },
            ],
        },
        Preset {
            name: "sectors",
            title: "Sectors: unequal classes",
            watch: "Two quarter annuli, the outer with three times the points. Unequal class sizes do not change the \
                    limit: once the features separate (a few hundred steps), the angle falls steadily (4.8° after \
                    1 000 steps, 2.6° after 100 000).",
            config: base(Source::Sectors),
            steps: 100_000,
            quotes: &[Quote { step: 1_000, metric: "angle_wb_deg", value: 4.764, text: "4.8°", with: "" }, Quote { step: 100_000, metric: "angle_wb_deg", value: 2.646, text: "2.6°", with: "" }],
        },
        Preset {
            name: "moons",
            title: "Moons: curved in the input, straight in the features",
            watch: "Two interleaving moons. The boundary is curved in the input space but a line in the 2-D feature \
                    space. The features separate after a few thousand steps; the angle then drops to a few degrees \
                    and wanders there (2.6° at 10 000 steps, 3.3° at 100 000) while the features keep moving.",
            config: Config {
                network: NetworkConfig { hidden: dense(&[32, 2]), ..blobs.network.clone() },
                ..base(Source::Moons)
            },
            steps: 100_000,
            quotes: &[Quote { step: 10_000, metric: "angle_wb_deg", value: 2.645, text: "2.6°", with: "" }, Quote { step: 100_000, metric: "angle_wb_deg", value: 3.300, text: "3.3°", with: "" }],
        },
        Preset {
            name: "three_blobs",
            title: "Three blobs: the Crammer–Singer limit",
            watch: "Three classes, a wide hidden layer and a 2-wide last hidden layer as in the paper. With softmax \
                    cross-entropy the class-centred last layer turns towards the Crammer–Singer multi-class SVM: \
                    5.0° after 100 steps, 2.5° after 1 000, 1.95° after 10 000.",
            config: Config {
                network: NetworkConfig { hidden: dense(&[32, 2]), ..blobs.network.clone() },
                ..base(Source::ThreeBlobs)
            },
            steps: 100_000,
            quotes: &[
                Quote { step: 100, metric: "angle_wb_deg", value: 5.029, text: "5.0°", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 2.523, text: "2.5°", with: "" },
                Quote { step: 10_000, metric: "angle_wb_deg", value: 1.954, text: "1.95°", with: "" },
            ],
        },
        Preset {
            name: "digits_012",
            title: "The paper's digits: 0, 1 and 2 through a 2-wide layer",
            watch: "The paper's real-image experiment: the handwritten digits 0, 1 and 2 (537 images of 8 × 8 pixels, \
                    standardised) through a 64-wide tanh layer into a last hidden layer 2 wide, trained with \
                    full-batch gradient descent (η = 0.5). The feature view draws the 2-D features themselves, as the \
                    paper's figure does, with both boundaries. Every training and test digit is classified correctly \
                    from step 100 (100%), and the class-centred last layer turns steadily towards the Crammer–Singer \
                    SVM: 8.4° after 100 steps, 6.3° after 1 000, 4.9° after 10 000, 4.5° after 20 000 — falling close \
                    to 1/ln t, as the theory view's fit shows.",
            config: digits_012.clone(),
            steps: 20_000,
            quotes: &[
                Quote { step: 100, metric: "acc_test", value: 1.0, text: "100%", with: "" },
                Quote { step: 100, metric: "angle_wb_deg", value: 8.4428, text: "8.4°", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 6.3161, text: "6.3°", with: "" },
                Quote { step: 10_000, metric: "angle_wb_deg", value: 4.9063, text: "4.9°", with: "" },
                Quote { step: 20_000, metric: "angle_wb_deg", value: 4.4946, text: "4.5°", with: "" },
            ],
        },
        Preset {
            name: "digits",
            title: "Digits: all ten classes, a moving target",
            watch: "All ten handwritten digits (UCI; 1 797 images, 64 pixels), standardised, through a 64-wide tanh \
                    layer into a last hidden layer 3 wide: 2 cannot do it here (a 64-64-2 network stops at 99.9% \
                    training and 88% test accuracy after 20 000 steps), so the feature view shows a projection. Adam \
                    (η = 0.001, batches of 200). The training digits separate in the feature space after about 6 000 \
                    steps, and the class-centred last layer turns towards the Crammer–Singer SVM — C = 100, which no \
                    dual variable reaches, so it is the hard-margin machine: 18.0° after 10 000 steps, then wandering \
                    (25.8° at 20 000). The theory view shows why: Adam's mini-batch steps keep \
                    moving the features — between the measurements at 17 751 and 17 786 steps they moved 2.6% and the \
                    SVM's normal turned 12.3° — so the SVM the last layer turns towards is a moving target, not the \
                    fixed one of Soudry et al.'s theory. 100% training and 88.3% test accuracy; the gallery shows the \
                    support vectors and the hardest digits.",
            config: digits.clone(),
            steps: 20_000,
            quotes: &[
                Quote { step: 10_000, metric: "angle_wb_deg", value: 18.019, text: "18.0°", with: "" },
                Quote { step: 17_786, metric: "feature_drift", value: 0.025_899, text: "2.6%", with: "" },
                Quote { step: 17_786, metric: "svm_turn_deg", value: 12.3275, text: "12.3°", with: "" },
                Quote { step: 20_000, metric: "angle_wb_deg", value: 25.830, text: "25.8°", with: "" },
                Quote { step: 20_000, metric: "acc_train", value: 1.0, text: "100%", with: "" },
                Quote { step: 20_000, metric: "acc_test", value: 0.8830, text: "88.3%", with: "" },
                Quote { step: 20_000, metric: "acc_train", value: 0.9993, text: "99.9%", with: TWO_WIDE },
                Quote { step: 20_000, metric: "acc_test", value: 0.8830, text: "88%", with: TWO_WIDE },
            ],
        },
        Preset {
            name: "digits_conv",
            title: "A convolutional network on digits 0, 1 and 2",
            watch: "The paper's claim is about production architectures: its figures use ResNets. Here the digits 0, 1 \
                    and 2 (537 images of 8 × 8 pixels, standardised) go through a small convolutional network — 3 × 3 \
                    convolutions with 4 and then 8 channels, each followed by 2 × 2 max pooling (8 × 8 × 1 → 8 × 8 × 4 → \
                    4 × 4 × 4 → 4 × 4 × 8 → 2 × 2 × 8) — into a last hidden layer 2 wide, tanh, full-batch gradient \
                    descent (η = 1). Its last layer meets the Crammer–Singer SVM as the fully connected network's does, \
                    and closer: 5.9° after 100 steps, 3.1° after 1 000 and 2.9° after 2 000, where the paper's 64 → 2 \
                    network with the same step size stands at 9.1°, 6.4° and 5.3°. Every training and test digit is \
                    classified correctly after 1 000 steps (100%). The gallery shows the first layer's filters.",
            config: Config {
                network: NetworkConfig { hidden: conv_pool_twice(4, 8, 2), ..digits_012.network.clone() },
                train: TrainConfig { learning_rate: 1.0, ..digits_012.train.clone() },
                ..digits_012.clone()
            },
            steps: 10_000,
            quotes: &[
                Quote { step: 100, metric: "angle_wb_deg", value: 5.9333, text: "5.9°", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 3.0688, text: "3.1°", with: "" },
                Quote { step: 2_000, metric: "angle_wb_deg", value: 2.9107, text: "2.9°", with: "" },
                Quote { step: 1_000, metric: "acc_train", value: 1.0, text: "100%", with: "" },
                Quote { step: 1_000, metric: "acc_test", value: 1.0, text: "100%", with: "" },
                Quote { step: 100, metric: "angle_wb_deg", value: 9.0839, text: "9.1°", with: FULLY_CONNECTED_012 },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 6.3566, text: "6.4°", with: FULLY_CONNECTED_012 },
                Quote { step: 2_000, metric: "angle_wb_deg", value: 5.3145, text: "5.3°", with: FULLY_CONNECTED_012 },
            ],
        },
        Preset {
            name: "digits_conv10",
            title: "Digits: all ten through a convolutional network",
            watch: "All ten handwritten digits through a convolutional network — 3 × 3 convolutions with 4 and then 8 \
                    channels, each followed by 2 × 2 max pooling — into a last hidden layer 10 wide (the feature view \
                    shows a projection), tanh, Adam (η = 0.001, batches of 200) as in the fully connected digits \
                    experiment. The convolutions see the images' shape: after 5 000 steps 100% of the training \
                    digits and 95.5% of the test digits are right, where the fully connected 64 → 3 network has 96.9% and 83.3%, \
                    and the last layer is far closer to the Crammer–Singer SVM (C = 100): its angle falls from 83° at \
                    the start to 41.4° after 1 000 steps and 15.6° after 5 000, where the fully connected network's is \
                    59.6°. Both keep learning; the gallery shows the first layer's filters.",
            config: Config {
                network: NetworkConfig {
                    hidden: conv_pool_twice(4, 8, 10),
                    activation: Activation::Tanh,
                    init: Init::Xavier,
                    seed: 1,
                    biases: true,
                },
                ..digits.clone()
            },
            steps: 10_000,
            quotes: &[
                Quote { step: 0, metric: "angle_wb_deg", value: 83.0856, text: "83°", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 41.4057, text: "41.4°", with: "" },
                Quote { step: 5_000, metric: "angle_wb_deg", value: 15.5896, text: "15.6°", with: "" },
                Quote { step: 5_000, metric: "acc_train", value: 1.0, text: "100%", with: "" },
                Quote { step: 5_000, metric: "acc_test", value: 0.9554, text: "95.5%", with: "" },
                Quote { step: 5_000, metric: "acc_train", value: 0.9694, text: "96.9%", with: FULLY_CONNECTED_10 },
                Quote { step: 5_000, metric: "acc_test", value: 0.8329, text: "83.3%", with: FULLY_CONNECTED_10 },
                Quote { step: 5_000, metric: "angle_wb_deg", value: 59.5590, text: "59.6°", with: FULLY_CONNECTED_10 },
            ],
        },
        Preset {
            name: "moons_overlap",
            title: "Overlapping moons: the claim does not apply",
            watch: "Noisy moons (noise 0.12, 200 points) that a small network cannot separate (2-4-2-2 tanh, full-batch \
                    gradient descent, η = 0.5). The hidden features stay inseparable, the page \
                    says the theorem does not apply, and the last layer does not turn into the soft-margin SVM: the \
                    angle between them does not fall but wanders: measured every 250 steps from step 5 000 on, it \
                    stays between 4.1° (step 16 500) and 12.2° (step 15 250), 10.1° at 5 000 and 11.2° at 20 000, and \
                    it swings more widely before. The two still agree on most of the plane.",
            config: Config {
                data: DataConfig { noise: 0.12, ..base(Source::Moons).data },
                network: NetworkConfig { hidden: dense(&[4, 2]), ..blobs.network.clone() },
                ..base(Source::Moons)
            },
            steps: 20_000,
            quotes: &[
                Quote { step: 5_000, metric: "angle_wb_deg", value: 10.115, text: "10.1°", with: "" },
                Quote { step: 15_250, metric: "angle_wb_deg", value: 12.2117, text: "12.2°", with: "" },
                Quote { step: 16_500, metric: "angle_wb_deg", value: 4.0553, text: "4.1°", with: "" },
                Quote { step: 20_000, metric: "angle_wb_deg", value: 11.242, text: "11.2°", with: "" },
            ],
        },
        Preset {
            name: "retrain_last_layer",
            title: "Retrain the last layer only: direction yes, bias no",
            watch: "The blobs run (2-16-2-2 tanh, full-batch gradient descent, η = 0.5) trains the whole network for \
                    1 000 steps; then the hidden layers freeze and the output layer is \
                    re-initialised and trained alone. Its direction still turns towards the SVM of the frozen features \
                    (8.4° at the switch, 6.7° at 20 000 steps), but that SVM sits off-centre: its offset stays at 0.064, \
                    and the retrained layer's own offset climbs towards it (0.0105 at 10 000 steps, 0.0125 at 20 000). \
                    Beside it the page trains the same run with the whole network kept training: its offset falls \
                    towards the middle, 0 (0.0089 at 10 000, 0.0068 at 20 000) — the paper's bias result.",
            config: Config {
                train: TrainConfig { retrain_last_layer_at: Some(1000), ..blobs.train.clone() },
                ..blobs.clone()
            },
            steps: 20_000,
            quotes: &[
                Quote { step: 1_000, metric: "angle_wb_deg", value: 8.409, text: "8.4°", with: "" },
                Quote { step: 20_000, metric: "angle_wb_deg", value: 6.688, text: "6.7°", with: "" },
                Quote { step: 20_000, metric: "offset_svm", value: 0.0637, text: "0.064", with: "" },
                Quote { step: 10_000, metric: "offset_net", value: 0.010_549_78, text: "0.0105", with: "" },
                Quote { step: 20_000, metric: "offset_net", value: 0.012_548_84, text: "0.0125", with: "" },
                Quote { step: 10_000, metric: "offset_whole", value: 0.008_920_61, text: "0.0089", with: "" },
                Quote { step: 20_000, metric: "offset_whole", value: 0.006_849_46, text: "0.0068", with: "" },
            ],
        },
        Preset {
            name: "mse",
            title: "Squared error: no SVM",
            watch: "The same run trained with mean squared error instead of cross-entropy. The outputs stop growing \
                    once they fit the targets, and the last layer settles about 48° away from the SVM (48.2° after \
                    10 000 steps, 47.8° after 20 000).",
            config: Config {
                train: TrainConfig { loss: LossKind::Mse, learning_rate: 0.2, ..blobs.train.clone() },
                ..blobs.clone()
            },
            steps: 20_000,
            quotes: &[
                Quote { step: 10_000, metric: "angle_wb_deg", value: 48.169, text: "48.2°", with: "" },
                Quote { step: 20_000, metric: "angle_wb_deg", value: 47.827, text: "47.8°", with: "" },
                Quote { step: 20_000, metric: "angle_wb_deg", value: 47.827, text: "about 48°", with: "" },
            ],
        },
        Preset {
            name: "weight_decay",
            title: "Weight decay: a regularised limit instead",
            watch: "Only the last layer trains, on the random features of the untrained hidden layers, with L2 weight \
                    decay 0.01. The weights stop growing, the loss stops near 0.29 and the angle to the SVM settles \
                    at 23.5° for good. Set the decay to 0 and the angle keeps falling instead (19.3° after 1 000 \
                    steps, 14.4° after 10 000). (With the whole network training, both classes collapse to points in \
                    feature space and every classifier then shares the SVM's direction.)",
            config: Config {
                train: TrainConfig { weight_decay: 0.01, retrain_last_layer_at: Some(0), ..blobs.train.clone() },
                ..blobs.clone()
            },
            steps: 20_000,
            quotes: &[
                Quote { step: 10_000, metric: "loss_train", value: 0.2886, text: "near 0.29", with: "" },
                Quote { step: 10_000, metric: "angle_wb_deg", value: 23.467, text: "23.5°", with: "" },
                Quote { step: 1_000, metric: "angle_wb_deg", value: 19.282, text: "19.3°", with: WITHOUT_DECAY },
                Quote { step: 10_000, metric: "angle_wb_deg", value: 14.354, text: "14.4°", with: WITHOUT_DECAY },
            ],
        },
        Preset {
            name: "adam",
            title: "Adam instead of gradient descent",
            watch: "Adam (η = 0.01) on the same blobs. It turns towards the SVM much faster than plain gradient \
                    descent (0.72° after 10 000 steps, where gradient descent is still at about 7°) but does not settle: its angle wanders back up \
                    to a few degrees (2.5° at 20 000).",
            config: Config {
                train: TrainConfig { optimizer: OptimizerKind::Adam, learning_rate: 0.01, ..blobs.train.clone() },
                ..blobs.clone()
            },
            steps: 20_000,
            quotes: &[
                Quote { step: 10_000, metric: "angle_wb_deg", value: 0.7224, text: "0.72°", with: "" },
                Quote { step: 20_000, metric: "angle_wb_deg", value: 2.513, text: "2.5°", with: "" },
                Quote { step: 10_000, metric: "angle_wb_deg", value: 7.127, text: "about 7°", with: PLAIN_GD },
            ],
        },
        Preset {
            name: "forgetting_blobs",
            title: "Forgetting: four blobs, two then two",
            watch: "Catastrophic forgetting, and what to remember. A 2-16-2-4 tanh network learns the top two of four \
                    blobs for 2 000 steps; then the bottom two arrive, its output layer gains two rows, and six \
                    copies train on for 2 000 steps more, each rehearsing its own memory of four old points, two \
                    per class: none, SupportNet's (support vectors of an RBF kernel SVM on the old classes' \
                    features, drawn at random when there are more, as its paper selects them), the lab's linear \
                    SVM's support vectors (a variant: the smallest margins), random points, iCaRL's herding, or all \
                    the old data. Without a memory the old classes are forgotten (0% of their test points right, \
                    100% of the new ones). Over 20 seeds the old classes end at 77.9% with SupportNet, 39.4% with \
                    the linear SVM's support vectors, 63.9% with random points, 66.3% with herding and 99.8% with \
                    all the old data. Paired seed by seed, SupportNet keeps 14.0% more of them than random points \
                    (95% interval 2.2% to 25.8%), and random points 24.5% more than the linear SVM's support \
                    vectors (8.2% to 40.8%); herding and random cannot be told apart. The points nearest the \
                    linear boundary between the two old classes are not what holds them against classes that SVM \
                    never saw.",
            config: Config {
                data: DataConfig { classes: 4, samples: 400, noise: 0.05, ..base(Source::GaussianBlobs).data },
                network: NetworkConfig { hidden: dense(&[16, 2]), ..blobs.network.clone() },
                svm: SvmConfig { c: 100.0, ..SvmConfig::default() },
                forgetting: ForgettingConfig {
                    on: true,
                    phase_steps: 2_000,
                    budget: Some(4),
                    ..ForgettingConfig::default()
                },
                ..blobs.clone()
            },
            steps: 4_000,
            quotes: &[
                Quote { step: 4_000, metric: "forgetting.none.old_acc", value: 0.0, text: "0%", with: "" },
                Quote { step: 4_000, metric: "forgetting.none.new_acc", value: 1.0, text: "100%", with: "" },
                Quote { step: 4_000, metric: "seeds20.supportnet.old_acc.mean", value: 0.77875, text: "77.9%", with: "" },
                Quote { step: 4_000, metric: "seeds20.linear_svm.old_acc.mean", value: 0.39375, text: "39.4%", with: "" },
                Quote { step: 4_000, metric: "seeds20.random.old_acc.mean", value: 0.63875, text: "63.9%", with: "" },
                Quote { step: 4_000, metric: "seeds20.class_means.old_acc.mean", value: 0.6625, text: "66.3%", with: "" },
                Quote { step: 4_000, metric: "seeds20.all_old.old_acc.mean", value: 0.9975, text: "99.8%", with: "" },
                Quote { step: 4_000, metric: "seeds20.supportnet-random.old_acc.diff", value: 0.14, text: "14.0%", with: "" },
                Quote { step: 4_000, metric: "seeds20.supportnet-random.old_acc.lo", value: 0.022052, text: "2.2%", with: "" },
                Quote { step: 4_000, metric: "seeds20.supportnet-random.old_acc.hi", value: 0.257948, text: "25.8%", with: "" },
                Quote { step: 4_000, metric: "seeds20.random-linear_svm.old_acc.diff", value: 0.245, text: "24.5%", with: "" },
                Quote { step: 4_000, metric: "seeds20.random-linear_svm.old_acc.lo", value: 0.081697, text: "8.2%", with: "" },
                Quote { step: 4_000, metric: "seeds20.random-linear_svm.old_acc.hi", value: 0.408303, text: "40.8%", with: "" },
            ],
        },
        Preset {
            name: "forgetting_digits",
            title: "Forgetting: digits 0–4, then 5–9",
            watch: "The same experiment on the handwritten digits, as SupportNet's on MNIST: a 64-64-8 tanh network \
                    (Adam, η = 0.001, batches of 100) learns 0–4 for 1 000 steps, then 5–9 arrive and six copies \
                    train on for 1 000 steps, each rehearsing 50 old digits, ten per class. Over 20 seeds the old \
                    digits' test accuracy ends at 6.7% with no memory, 66.1% with SupportNet's support vectors, \
                    63.6% with the linear SVM's, 66.4% with random digits, 64.0% with herding and 97.1% with all \
                    of them, while the new digits stay near 96.9% (SupportNet's run). Paired seed by seed, \
                    SupportNet keeps 2.5% more old digits than the linear SVM's support vectors (95% interval 0.4% \
                    to 4.6%); against random digits and herding its intervals contain 0, so the lab ranks neither. \
                    The budget decides more than the method: at 10 or 25 digits random and herded memories keep \
                    more than both support-vector memories, at 100 SupportNet keeps more than both (the README's \
                    chart).",
            config: Config {
                data: DataConfig { test_fraction: 0.2, seed: 1, ..Source::Digits.defaults() },
                network: NetworkConfig { hidden: dense(&[64, 8]), activation: Activation::Tanh, init: Init::Xavier, seed: 1, biases: true },
                train: TrainConfig {
                    optimizer: OptimizerKind::Adam,
                    learning_rate: 0.001,
                    batch_size: 100,
                    ..TrainConfig::default()
                },
                svm: SvmConfig { c: 100.0, multiclass: Multiclass::CrammerSinger, refit_every: 100, ..SvmConfig::default() },
                forgetting: ForgettingConfig { on: true, phase_steps: 1_000, ..ForgettingConfig::default() },
                ..Config::default()
            },
            steps: 2_000,
            quotes: &[
                Quote { step: 2_000, metric: "forgetting.budget", value: 50.0, text: "50", with: "" },
                Quote { step: 2_000, metric: "seeds20.none.old_acc.mean", value: 0.066667, text: "6.7%", with: "" },
                Quote { step: 2_000, metric: "seeds20.supportnet.old_acc.mean", value: 0.661389, text: "66.1%", with: "" },
                Quote { step: 2_000, metric: "seeds20.linear_svm.old_acc.mean", value: 0.636389, text: "63.6%", with: "" },
                Quote { step: 2_000, metric: "seeds20.random.old_acc.mean", value: 0.664444, text: "66.4%", with: "" },
                Quote { step: 2_000, metric: "seeds20.class_means.old_acc.mean", value: 0.640278, text: "64.0%", with: "" },
                Quote { step: 2_000, metric: "seeds20.all_old.old_acc.mean", value: 0.970833, text: "97.1%", with: "" },
                Quote { step: 2_000, metric: "seeds20.supportnet.new_acc.mean", value: 0.968715, text: "near 96.9%", with: "" },
                Quote { step: 2_000, metric: "seeds20.supportnet-linear_svm.old_acc.diff", value: 0.025, text: "2.5%", with: "" },
                Quote { step: 2_000, metric: "seeds20.supportnet-linear_svm.old_acc.lo", value: 0.004208, text: "0.4%", with: "" },
                Quote { step: 2_000, metric: "seeds20.supportnet-linear_svm.old_acc.hi", value: 0.045792, text: "4.6%", with: "" },
            ],
        },
        Preset {
            name: "adversarial_moons",
            title: "Adversarial examples: the margin an attacker must cross",
            watch: "For every test point of the moons preset's run, the smallest change that flips the network's \
                    decision (DeepFool, then bisected to a real crossing), and the same for the SVM pulled back \
                    through the network; the input view draws arrows to the nearest points' adversarial points. \
                    Once the two boundaries meet, an attacker must cross the same line: at 10 000 steps the median \
                    distance is 0.129 for the network and 0.129 for the SVM, in the data's units. The easiest \
                    point to attack gets harder as the margin grows (0.013 at 100 steps, 0.039 at 10 000), and a \
                    point's distance to the SVM's boundary in the feature space ranks how far it is from the \
                    network's boundary in the input (Spearman ρ = 0.58).",
            config: Config {
                network: NetworkConfig { hidden: dense(&[32, 2]), ..blobs.network.clone() },
                attack: AttackConfig { on: true, ..AttackConfig::default() },
                ..base(Source::Moons)
            },
            steps: 20_000,
            quotes: &[
                Quote { step: 10_000, metric: "adv_median", value: 0.12939, text: "0.129", with: "" },
                Quote { step: 10_000, metric: "adv_median_svm", value: 0.12921, text: "0.129", with: "" },
                Quote { step: 100, metric: "adv_min", value: 0.013121, text: "0.013", with: "" },
                Quote { step: 10_000, metric: "adv_min", value: 0.038851, text: "0.039", with: "" },
                Quote { step: 10_000, metric: "adv_rank_corr", value: 0.58140, text: "0.58", with: "" },
            ],
        },
        Preset {
            name: "adversarial_digits",
            title: "Adversarial examples: the paper's digits",
            watch: "The paper's digits 0, 1 and 2 (64-64-2 tanh), attacked: for each test digit the smallest change \
                    of its pixels (ℓ2, in pixel units of 0 to 16) that changes the network's class, and the SVM's \
                    pulled back. The gallery shows each digit, the change (magnified) and the result. At 1 000 \
                    steps the median digit flips with a change of 0.81 for the network and 0.80 for the SVM — \
                    invisible — and almost all of it lies on the few border pixels that barely vary among the \
                    training digits, which standardisation magnifies: the network has never seen them move, so \
                    it is free to react to them. Such points are not digits any more (some pixels leave 0–16).",
            config: Config {
                attack: AttackConfig { on: true, ..AttackConfig::default() },
                ..digits_012.clone()
            },
            steps: 10_000,
            quotes: &[
                Quote { step: 1_000, metric: "adv_median", value: 0.80624, text: "0.81", with: "" },
                Quote { step: 1_000, metric: "adv_median_svm", value: 0.79924, text: "0.80", with: "" },
            ],
        },
    ]
}

/// The presets that show where the claim does not apply (overlapping classes; squared error): a stall there is
/// the point, and the page gives no advice to fix it.
pub const COUNTER_EXAMPLES: [&str; 2] = ["moons_overlap", "mse"];

/// The preset called `name`.
pub fn find(name: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.name == name)
}
