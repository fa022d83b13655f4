//! What the engine sends the page, and all the page draws from — at the bottom of the page side, below both
//! the engine that makes it and the page that applies it. A [`Snapshot`] carries only what changed since the
//! previous one: the data (once per run or edit), the newest [`Measurement`] (the network, both SVMs, the
//! [`Metrics`], the feature planes, all of one step), the history's new entries, the run's state and its
//! [`Cost`]. Plain data, encoded once into bytes ([`Snapshot::encode`], postcard) that a worker transfers
//! without copying.

use crate::config::{Arm, Config};
use crate::data::{DataInfo, LabeledPoint, Standardizer};
use crate::geometry::{Bounds, Plane};
use crate::nn::Network;
use crate::svm::{LinearClassifier, SolveStats};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// The numbers measured at one step. Angles in degrees; NaN (null in JSON) where a quantity does not apply
/// (offsets for K > 2 classes, the free-bias SVM for Crammer–Singer).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Metrics {
    /// The step measured.
    pub step: u64,
    /// The step the SVMs were fitted at (always `step`: the comparison is within one step).
    pub svm_fitted_at_step: u64,
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
    /// In a run whose last layer was retrained alone: the offset −b/‖w‖ of the same run had the whole network
    /// kept training instead (its twin, trained alongside from the moment of the retrain); NaN otherwise.
    pub offset_whole: f64,
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
    /// Wall time the SVM fits of this measurement took, in milliseconds (summed over the slices it was spread
    /// across; the only number here that depends on the machine).
    pub svm_fit_ms: f64,
    /// Share of hidden units that are dead (relu, zero on every training point).
    pub dead_units: f64,
    /// Share of hidden units saturated on every training point (tanh, sigmoid, softsign).
    pub saturated_units: f64,
    /// Whether training had diverged by this step.
    pub diverged: bool,
    /// ‖[w; b]‖ of the network's comparison classifier (Δw for two classes, the class-centred rows for K):
    /// under Soudry et al.'s theory it grows like ‖ŵ‖·ln t.
    pub norm_net_wb: f64,
    /// ‖[w; b]‖ of the regularised-bias SVM in the same form: ‖ŵ‖ when it is the hard-margin machine.
    pub norm_svm_wb: f64,
    /// log₁₀(t · training loss): constant when the loss falls like 1/t (NaN at step 0).
    pub log10_t_loss: f64,
    /// Whether the network is homogeneous in its parameters (relu, leaky relu or linear, no biases): Lyu & Li's
    /// assumption.
    pub homogeneous: bool,
    /// Lyu & Li's normalised margin minₙ qₙ/ρᴸ of the whole network (see [`crate::theory`]).
    pub margin_lyu_li: f64,
    /// Lyu & Li's smoothed margin ln(1/L_exp)/ρᴸ.
    pub smoothed_margin_lyu_li: f64,
    /// Neural collapse NC1 = tr(Σ_W Σ_B⁺)/K (three classes or more; NaN otherwise).
    pub nc1: f64,
    /// NC2 equinorm (Papyan et al.): Std/Avg of the centred class means' norms (Bessel's correction).
    pub nc2_equinorm: f64,
    /// NC2 equiangularity (Papyan et al.): the standard deviation of the cosines between centred class means.
    pub nc2_equiangular: f64,
    /// NC2 maximal angle (Papyan et al.): the mean |cos + 1/(K − 1)| between centred class means.
    pub nc2_max_angle: f64,
    /// NC3 (Papyan et al.): ‖W/‖W‖ − M/‖M‖‖² between the raw last layer and the centred class means.
    pub nc3: f64,
    /// NC4: the share of training points where the network's class is not the nearest class mean's.
    pub nc4: f64,
    /// How far the training points' features moved since the previous measurement of the schedule,
    /// ‖H − H₀‖_F/‖H₀‖_F (NaN for the first).
    pub feature_drift: f64,
    /// How far the SVM's normal [w; b] turned since then, in degrees.
    pub svm_turn_deg: f64,
    /// The step of that previous measurement.
    pub drift_from_step: Option<u64>,
    /// The median, over the attacked test points, of the smallest input change (ℓ2, the data's units) that
    /// changes the network's decision (NaN when adversarial examples are off; see [`crate::attack`]). A point
    /// whose search found no crossing counts as farther than every point that has one (its true distance is
    /// at least the reach searched); NaN when the median falls on such a point.
    pub adv_median: f64,
    /// The smallest of those distances.
    pub adv_min: f64,
    /// The median distance that changes the SVM's decision, pulled back through the network (misses counted as
    /// for `adv_median`).
    pub adv_median_svm: f64,
    /// Spearman's rank correlation, over the attacked test points, between the network's adversarial distance
    /// and the point's distance to the SVM's boundary in the feature space.
    pub adv_rank_corr: f64,
    /// How many attacked test points have no crossing of the network's decision within the reach searched
    /// (NaN when adversarial examples are off).
    pub adv_missed: f64,
    /// The same for the SVM pulled back.
    pub adv_missed_svm: f64,
}

/// A history with the newest measurement appended when it is newer than its last entry (what the charts and
/// the theory's summary draw from).
pub fn history_with(history: &[Metrics], latest: Option<&Metrics>) -> Vec<Metrics> {
    let mut h = history.to_vec();
    if let Some(m) = latest {
        if h.last().is_none_or(|l| l.step < m.step) {
            h.push(m.clone());
        }
    }
    h
}

/// The features and the SVM of a measurement, kept to measure how far the next one moved from them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reference {
    /// Its step.
    pub step: u64,
    /// The training points' features.
    pub features: Array2<f64>,
    /// The SVM's [w; b] (class-centred rows, flattened).
    pub svm_wb: Vec<f64>,
}

/// An SVM as the views and metrics need it (its dual variables stay with the engine).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FitView {
    /// The classifier on the hidden features (class-centred for K rows).
    pub linear: LinearClassifier,
    /// Indices of the support vectors among the training points.
    pub support: Vec<usize>,
    /// Their dual variables: one value each for a binary machine, K for Crammer–Singer (αᵢ, one per class)
    /// and one-vs-rest (one per machine), so that optimality can be checked from outside.
    pub dual: Vec<Vec<f64>>,
    /// Certificates.
    pub stats: SolveStats,
    /// Whether it separates the training features.
    pub separable: bool,
    /// Its formulation.
    pub formulation: String,
}

/// How the feature view of a feature space wider than 2 is drawn.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum FeatureProjection {
    /// Onto the SVM's normal and the part of the network's direction orthogonal to it (two classes; the
    /// SVM's boundary is then exact for every point and the angle between the lines is the true angle).
    #[default]
    SvmNetwork,
    /// Onto the two leading principal components of the training features.
    Pca,
}

/// The feature space seen through one plane: the points' coordinates and the classifiers restricted to it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FeaturePlane {
    /// What the plane is (None when the features are 2-D and shown as they are).
    pub note: Option<String>,
    /// Training points' coordinates.
    pub train: Vec<[f64; 2]>,
    /// Test points' coordinates.
    pub test: Vec<[f64; 2]>,
    /// The network's comparison classifier on the plane (its boundary).
    pub network: LinearClassifier,
    /// The network's output layer on the plane (its class scores, for the confidence shading).
    pub outputs: LinearClassifier,
    /// The regularised-bias SVM on the plane.
    pub svm: Option<LinearClassifier>,
}

/// One example of the gallery.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GalleryItem {
    /// Index among the training points.
    pub index: usize,
    /// A support vector (else a highest-loss example).
    pub support: bool,
    /// Its class.
    pub label: usize,
    /// The network's prediction.
    pub net: usize,
    /// The SVM's prediction.
    pub svm: usize,
    /// Its weight in the cross-entropy gradient, 1 − p_y.
    pub weight: f64,
}

/// The smallest change of one point that changes a decision (see [`crate::attack`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AdversarialPoint {
    /// Whether it is a test point (else a training point).
    pub test: bool,
    /// Its index in its set.
    pub index: usize,
    /// The network's class for it.
    pub from: usize,
    /// The network's class for the adversarial point.
    pub to: usize,
    /// The ℓ2 distance to the network's adversarial point, in the data's units (NaN when none was found).
    pub distance: f64,
    /// When none was found: the reach searched, a lower bound on the distance (NaN when one was found).
    pub searched: f64,
    /// The network's adversarial point (empty when none was found).
    pub point: Vec<f64>,
    /// The SVM's class for the adversarial point of the SVM pulled back through the network.
    pub svm_to: usize,
    /// The distance to that point (NaN when none was found, or there is no SVM).
    pub svm_distance: f64,
    /// When none was found for the SVM: the reach searched (NaN when one was found, or there is no SVM).
    pub svm_searched: f64,
    /// That point.
    pub svm_point: Vec<f64>,
    /// The point's distance to the SVM's boundary in the feature space, positive when the SVM gives it the
    /// network's class.
    pub feature_distance: f64,
}

/// One arm of a class-incremental run at one step of its second phase.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct ArmPoint {
    /// The step.
    pub step: u64,
    /// Test accuracy on the old classes.
    pub old_acc: f64,
    /// Test accuracy on the new classes.
    pub new_acc: f64,
    /// Test accuracy on all classes.
    pub acc: f64,
    /// The angle of the last layer's [w; b] to the SVM on every class's training features, in degrees (NaN
    /// unless the network classifies every training point of every class correctly — which proves the
    /// features separable — and the SVM converged within the records' guard).
    pub angle_wb_deg: f64,
}

/// An arm of a class-incremental run: its memory and its record.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ArmView {
    /// Which arm.
    pub arm: Arm,
    /// The old training points it rehearses (indices into the old training points; see
    /// [`ForgettingView::old_points`]).
    pub memory: Vec<usize>,
    /// Its record through the second phase.
    pub history: Vec<ArmPoint>,
}

/// A class-incremental run's second phase, as the page shows it (see [`crate::forgetting`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ForgettingView {
    /// How many classes are old (the first ones).
    pub old_classes: usize,
    /// How many classes there are.
    pub classes: usize,
    /// Steps of each phase.
    pub phase_steps: u64,
    /// The memory budget B.
    pub budget: usize,
    /// How many support vectors the lab's linear SVM on the old classes' features had at the end of the first
    /// phase.
    pub support_count: usize,
    /// How many SupportNet's RBF kernel SVM on the same features had.
    pub kernel_support_count: usize,
    /// The first-phase network's training accuracy on the old classes.
    pub phase_one_accuracy: f64,
    /// What to know about the first phase's end, if anything (it did not separate the old classes).
    pub note: Option<String>,
    /// The arm the views show.
    pub shown: Arm,
    /// The old training points' indices among all training points (memory index m is `old_points[m]`).
    pub old_points: Vec<usize>,
    /// Every arm, in the order of [`Arm::ALL`].
    pub arms: Vec<ArmView>,
}

/// Everything measured at one step.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Measurement {
    /// The numbers.
    pub metrics: Metrics,
    /// The network at that step.
    pub network: Network,
    /// The regularised-bias SVM.
    pub regularized: Option<FitView>,
    /// The free-bias SVM (where offered).
    pub free: Option<FitView>,
    /// Why the fit failed, if it did.
    pub svm_error: Option<String>,
    /// The feature space through the SVM-normal plane and through the principal components.
    pub feature_planes: [FeaturePlane; 2],
    /// Per training point: the network's and the SVM's predictions.
    pub train_predictions: [Vec<u8>; 2],
    /// Per test point: the same.
    pub test_predictions: [Vec<u8>; 2],
    /// Support vectors and highest-loss examples.
    pub gallery: Vec<GalleryItem>,
    /// Adversarial examples (empty when off), the points nearest the network's boundary first.
    pub adversarial: Vec<AdversarialPoint>,
    /// Whether this measurement made the adversarial search (with attacks on, the scheduled measurements
    /// make it only as its own credit allows; see [`crate::engine`]).
    pub attacked: bool,
    /// Multiply-adds the measurement took.
    pub work: f64,
    /// The hidden features of the training points (for the run's export; not sent to the page).
    #[serde(skip)]
    pub features_train: Array2<f64>,
}

impl Measurement {
    /// Whether it measures the points of `data` (a class-incremental run's first phase measured fewer points
    /// and classes than its second has).
    pub fn matches(&self, data: &DataPart) -> bool {
        self.train_predictions[0].len() == data.train_labels.len() && self.network.outputs() == data.classes
    }
}

impl FeaturePlane {
    /// The square around its points (with a margin).
    pub fn bounds(&self) -> Bounds {
        Bounds::square_around(self.train.iter().chain(&self.test), 0.12)
    }
}

/// How much a run costs, for the page to announce heavy runs before they start.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    /// Multiply-adds per training step.
    pub step: f64,
    /// Multiply-adds of the last measurement (an estimate before the first).
    pub measurement: f64,
    /// Multiply-adds of the largest indivisible piece of a measurement seen (an estimate before one is): a
    /// measurement is spread over many such pieces, so this, not its whole, is what blocks a thread at once.
    pub measurement_unit: f64,
}

/// Multiply-adds per second assumed for a modest laptop running the page's WebAssembly (this machine's
/// measured rate is 2–5 × higher; see BENCHMARKS.md): the basis of every cost limit and warning.
pub const ASSUMED_RATE: f64 = 1e9;
/// A unit of work the page's main thread may take (a training step; a measurement is allowed four).
const MAIN_THREAD_UNIT_MS: f64 = 30.0;
/// A step slower than this is announced as heavy.
const HEAVY_STEP_MS: f64 = 50.0;
/// A measurement slower than this is announced as heavy.
const HEAVY_MEASUREMENT_MS: f64 = 500.0;

impl Cost {
    /// Milliseconds of a step and of a measurement at [`ASSUMED_RATE`].
    pub fn ms(&self) -> (f64, f64) {
        (self.step / ASSUMED_RATE * 1e3, self.measurement / ASSUMED_RATE * 1e3)
    }

    /// Milliseconds, at [`ASSUMED_RATE`], of the longest piece of work that holds a thread at once: a training
    /// step, or the largest indivisible piece of a measurement.
    pub fn unit_ms(&self) -> f64 {
        self.step.max(self.measurement_unit) / ASSUMED_RATE * 1e3
    }

    /// Whether the run is heavy enough to announce: a step over 50 ms or a measurement over 500 ms.
    pub fn is_heavy(&self) -> bool {
        let (step, measurement) = self.ms();
        step > HEAVY_STEP_MS || measurement > HEAVY_MEASUREMENT_MS
    }

    /// Whether one indivisible piece of this run's work would block a page's main thread too long: a step
    /// over 30 ms, or a piece of a measurement over 120 ms (a whole measurement may take longer: it is spread
    /// over frames).
    pub fn too_heavy_for_main_thread(&self) -> bool {
        let (step, _) = self.ms();
        let unit = self.measurement_unit / ASSUMED_RATE * 1e3;
        step > MAIN_THREAD_UNIT_MS || unit > 4.0 * MAIN_THREAD_UNIT_MS
    }
}

/// How the input view shows inputs wider than 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InputProjection {
    /// The inputs themselves when 2-D, else the two leading principal components through the mean.
    #[default]
    Pca,
    /// Two original features, through the mean of the others.
    Features(usize, usize),
}

impl InputProjection {
    /// Parses "pca" or "features:I,J" (0-based); anything else is the default.
    pub fn parse(text: &str) -> InputProjection {
        let pair = text.strip_prefix("features:").and_then(|rest| {
            let mut it = rest.split(',').map(|t| t.trim().parse::<usize>());
            match (it.next(), it.next(), it.next()) {
                (Some(Ok(i)), Some(Ok(j)), None) if i != j => Some(InputProjection::Features(i, j)),
                _ => None,
            }
        });
        pair.unwrap_or_default()
    }
}

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

/// How far the check of a network's file has come (see [`crate::check`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct CheckProgress {
    /// The state being measured (checkpoints first, then the final state).
    pub state: usize,
    /// How many states the file has.
    pub states: usize,
    /// Passes over the data the SVMs have made so far.
    pub passes: usize,
    /// The file's training points, feature width and classes.
    pub points: usize,
    /// Feature width.
    pub width: usize,
    /// Classes.
    pub classes: usize,
    /// The memory the check holds for the file's numbers, in bytes.
    pub memory_bytes: usize,
}

/// A network's file shown instead of a run (see [`crate::check`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct CheckedFile {
    /// The file's name(s).
    pub name: String,
    /// The features' width.
    pub width: usize,
    /// Where the claim's assumptions hold or fail.
    pub regime: String,
    /// What was assumed in reading it.
    pub notes: Vec<String>,
    /// The report (as `lastlayer check` writes it), as JSON text.
    pub report: String,
}

/// What changed since the previous snapshot.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The run's number (a new number means a new run: the receiver starts afresh).
    pub run: u64,
    /// Steps taken.
    pub step: u64,
    /// The configuration, when it changed.
    pub config: Option<Config>,
    /// The data, when the run or the data changed.
    pub data: Option<DataPart>,
    /// The newest measurement, when there is a newer one.
    pub measurement: Option<Measurement>,
    /// Where `history` starts in the full history.
    pub history_from: usize,
    /// New history entries.
    pub history: Vec<Metrics>,
    /// New whole measurements at log-spaced steps (the snapshot strip's frames).
    pub keyframes: Vec<Measurement>,
    /// The step and reason training diverged, if it did.
    pub diverged: Option<(u64, String)>,
    /// Whether only the last layer trains.
    pub last_layer_only: bool,
    /// What a step and a measurement cost.
    pub cost: Cost,
    /// A class-incremental run's arms, when they changed (see [`crate::forgetting`]).
    pub forgetting: Option<ForgettingView>,
    /// Why a class-incremental run could not begin its second phase, if it could not.
    pub forgetting_error: Option<String>,
    /// Whether the run has taken all its steps (a class-incremental run ends with its second phase).
    pub finished: bool,
    /// Whether training is on.
    pub playing: bool,
    /// Whether the run is held as too heavy for the page's main thread (no worker could start).
    pub held: bool,
    /// A network's file being checked: how far it has come.
    pub checking: Option<CheckProgress>,
    /// A network's file shown instead of the run (with the run's number: a new file is a new run).
    pub checked: Option<CheckedFile>,
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
