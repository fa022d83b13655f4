//! What the page holds of a run: the snapshots applied one after another ([`PageState`]), and what it shows
//! besides the pictures — the readout, the banners that say when the theorem applies and what went wrong,
//! and the metrics as the scripting interface reports them. All of it is computed here, in Rust, so the
//! JavaScript shell only places strings.

use crate::config::Config;
use crate::data::Source;
use crate::format;
use crate::nn::LossKind;
use crate::request::Request;
use crate::snapshot::{AdversarialPoint, Cost, DataPart, ForgettingView, Measurement, Metrics, Snapshot};
use serde::Serialize;
use serde_json::{json, Value};

/// The page's copy of a run, made of snapshots.
#[derive(Clone, Debug, Default)]
pub struct PageState {
    /// The run's number.
    pub run: u64,
    /// Steps taken.
    pub step: u64,
    /// The configuration.
    pub config: Option<Config>,
    /// The data.
    pub data: Option<DataPart>,
    /// The newest measurement.
    pub measurement: Option<Measurement>,
    /// The newest measurement that made the adversarial search (the scheduled measurements make it at some
    /// steps only): its numbers and points.
    pub attack: Option<(Metrics, Vec<AdversarialPoint>)>,
    /// The history of measurements.
    pub history: Vec<Metrics>,
    /// Whole measurements at log-spaced steps (the snapshot strip's frames).
    pub keyframes: Vec<Measurement>,
    /// The step and reason training diverged, if it did.
    pub diverged: Option<(u64, String)>,
    /// Whether only the last layer trains.
    pub last_layer_only: bool,
    /// What a step and a measurement cost.
    pub cost: Cost,
    /// Whether training is on.
    pub playing: bool,
    /// Whether the run is held as too heavy for the main thread.
    pub held: bool,
    /// A class-incremental run's arms, once its second phase has begun.
    pub forgetting: Option<ForgettingView>,
    /// Why a class-incremental run could not begin its second phase, if it could not.
    pub forgetting_error: Option<String>,
    /// Whether the run has taken all its steps.
    pub finished: bool,
    /// Changes whenever a snapshot changes what the views draw (the run, its config, data, measurement,
    /// history, arms or state): a page redraws its views only then, not on every snapshot.
    pub revision: u64,
    /// Whether the engine runs on the page's main thread (no worker could start: a frame sandboxed without
    /// `allow-same-origin`). Set by the page, kept across runs.
    pub on_main_thread: bool,
    /// A network's file being checked: how far it has come.
    pub checking: Option<crate::snapshot::CheckProgress>,
    /// The network's file shown instead of a run, if one is.
    pub checked: Option<crate::snapshot::CheckedFile>,
}

/// One number of the readout.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct ReadoutItem {
    /// The metric's key (as in `metrics()`).
    pub key: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Its value, typeset.
    pub value: String,
    /// What it means.
    pub help: &'static str,
}

/// A message above the views.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Banner {
    /// "info", "warn" or "error".
    pub kind: &'static str,
    /// The text.
    pub text: String,
    /// A button the banner offers, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<BannerAction>,
}

/// A banner's button: its label and the request it sends.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct BannerAction {
    /// The button's label.
    pub label: &'static str,
    /// What pressing it asks of the engine.
    pub request: Request,
}

fn banner(kind: &'static str, text: impl Into<String>) -> Banner {
    Banner { kind, text: text.into(), action: None }
}

impl PageState {
    /// Applies a snapshot (a new run replaces everything).
    pub fn apply(&mut self, s: Snapshot) {
        let revision = self.revision + 1;
        let changed = s.run != self.run
            || s.config.is_some()
            || s.data.is_some()
            || s.measurement.is_some()
            || !s.history.is_empty()
            || s.history_from != self.history.len()
            || !s.keyframes.is_empty()
            || s.forgetting.is_some()
            || s.diverged != self.diverged
            || s.forgetting_error != self.forgetting_error
            || (s.last_layer_only, s.held, s.finished, s.playing)
                != (self.last_layer_only, self.held, self.finished, self.playing)
            || s.checking != self.checking
            || s.checked.is_some();
        if s.run != self.run {
            *self = PageState { run: s.run, on_main_thread: self.on_main_thread, ..PageState::default() };
        }
        if changed {
            self.revision = revision;
        }
        self.step = s.step;
        let attack_changed =
            s.config.as_ref().is_some_and(|c| self.config.as_ref().map(|o| &o.attack) != Some(&c.attack));
        if s.data.is_some() || attack_changed {
            // Other points, or other attack settings: an older search no longer describes them.
            self.attack = None;
        }
        if let Some(config) = s.config {
            self.config = Some(config);
        }
        if let Some(data) = s.data {
            self.data = Some(data);
        }
        if let Some(m) = s.measurement {
            if m.attacked {
                self.attack = Some((m.metrics.clone(), m.adversarial.clone()));
            }
            self.measurement = Some(m);
        }
        self.history.truncate(s.history_from);
        self.history.extend(s.history);
        self.keyframes.extend(s.keyframes);
        self.diverged = s.diverged;
        self.last_layer_only = s.last_layer_only;
        self.cost = s.cost;
        self.playing = s.playing;
        self.held = s.held;
        if let Some(f) = s.forgetting {
            self.forgetting = Some(f);
        }
        self.forgetting_error = s.forgetting_error;
        self.finished = s.finished;
        self.checking = s.checking;
        if s.checked.is_some() {
            self.checked = s.checked;
        }
    }

    /// The measurement, when it measures the data the page holds (not a class-incremental run's first phase
    /// once the second has begun, until the second is measured).
    pub fn current(&self) -> Option<&Measurement> {
        let data = self.data.as_ref()?;
        self.measurement.as_ref().filter(|m| m.matches(data))
    }

    /// The newest adversarial search while attacks are on: its measurement's numbers and its points (the
    /// search falls on some measurements only, so it may be older than [`PageState::current`]).
    pub fn attacks(&self) -> Option<(&Metrics, &[AdversarialPoint])> {
        self.config.as_ref().filter(|c| c.attack.on)?;
        let (m, points) = self.attack.as_ref()?;
        let test = self.data.as_ref()?.test.nrows();
        points.iter().all(|p| !p.test || p.index < test).then_some((m, points.as_slice()))
    }

    /// The indices, among the training points, of the memory the shown arm of a class-incremental run
    /// rehearses (empty otherwise).
    pub fn memory(&self) -> Vec<usize> {
        let Some(f) = &self.forgetting else { return Vec::new() };
        let arm = f.arms.iter().find(|a| a.arm == f.shown);
        arm.map_or_else(Vec::new, |a| a.memory.iter().filter_map(|&m| f.old_points.get(m).copied()).collect())
    }

    /// Number of classes (0 before any data).
    pub fn classes(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.classes)
    }

    /// The preset whose configuration the run has exactly, if any.
    pub fn preset(&self) -> Option<&'static str> {
        let config = self.config.as_ref()?;
        crate::presets::all().into_iter().find(|p| &p.config == config).map(|p| p.name)
    }

    /// The network editor's rows: the input's shape, then per hidden layer its kind, the shape of its output
    /// ("8 × 8 × 8") and whether it is the feature layer — `{input, image, rows: [{kind, shape}], error}`,
    /// `image` saying whether convolutions and poolings can be added (the data have an image shape), `error`
    /// the first layer that cannot take its input (null when all can). Null before any data.
    pub fn layer_rows(&self) -> Value {
        let (Some(data), Some(config)) = (self.data.as_ref(), self.config.as_ref()) else { return Value::Null };
        let input = crate::nn::Shape::of_rows(data.info.shape, data.train.ncols());
        let hidden = &config.network.hidden;
        let (shapes, error) = match crate::nn::hidden_shapes(input, hidden) {
            Ok(shapes) => (shapes.into_iter().map(Some).collect(), None),
            Err(e) => ((0..hidden.len()).map(|_| None).collect::<Vec<_>>(), Some(e.to_string())),
        };
        json!({
            "input": input.describe(),
            "image": matches!(input, crate::nn::Shape::Image { .. }),
            "rows": hidden.iter().zip(shapes).map(|(spec, shape)| json!({
                "kind": spec.kind(),
                "shape": shape.map(|s: crate::nn::Shape| s.describe()),
            })).collect::<Vec<_>>(),
            "error": error,
        })
    }

    /// How many classes the point editor offers: one more than the data have now (to start a new class; a
    /// class-incremental run has more in its second phase than in its first), at
    /// least two, at most [`crate::data::MAX_GENERATED_CLASSES`].
    pub fn edit_classes(&self) -> usize {
        (self.classes() + 1).clamp(2, crate::data::MAX_GENERATED_CLASSES)
    }

    /// The class names (generic ones before any data).
    pub fn class_names(&self) -> Vec<String> {
        self.data.as_ref().map_or_else(Vec::new, |d| d.info.class_names.clone())
    }

    /// The history with the newest measurement appended when it is newer than the last entry.
    pub fn history_with_latest(&self) -> Vec<Metrics> {
        crate::snapshot::history_with(&self.history, self.measurement.as_ref().map(|m| &m.metrics))
    }

    /// The readout's numbers, typeset.
    pub fn readout(&self) -> Vec<ReadoutItem> {
        let m = self.measurement.as_ref().map(|m| &m.metrics);
        let get = |f: fn(&Metrics) -> f64| m.map_or(f64::NAN, f);
        let item = |key, name, value: String, help| ReadoutItem { key, name, value, help };
        let mut items = vec![
            item("angle_wb_deg", "angle [w; b]", format::degrees(get(|m| m.angle_wb_deg)),
                "[w; b] is the last layer's weights w and bias b taken as one vector. The angle between the network's last layer (weights and bias) and the SVM (regularised bias) on the same hidden features, both at the step measured. The theory says it goes to 0 like 1/log t."),
            item("angle_w_deg", "angle w", format::degrees(get(|m| m.angle_w_deg)), "The same angle for the weights alone, without the bias."),
            item("angle_wb_free_deg", "angle to free-bias SVM", format::degrees(get(|m| m.angle_wb_free_deg)),
                "Angle of [w; b] to the classic SVM whose bias is not penalised."),
            item("log10_loss_train", "training loss", format::power_of_ten(get(|m| m.log10_loss_train)),
                "Mean cross-entropy (or squared error) on the training points, written as a power of ten (10⁻⁵·⁰ is 0.00001): it can fall far below what a double holds, so it is kept as its logarithm."),
            item("acc_train", "train accuracy", format::percent(get(|m| m.acc_train)), "Share of training points the network classifies correctly."),
            item("acc_test", "test accuracy", format::percent(get(|m| m.acc_test)), "Share of held-out test points the network classifies correctly."),
            item("offset_net", "network offset", format::number(get(|m| m.offset_net), 3),
                "Signed distance −b/‖w‖ of the network's boundary from the origin of feature space (two classes)."),
            item("offset_svm", "SVM offset", format::number(get(|m| m.offset_svm), 3),
                "The same for the SVM: the paper says whole-network training puts the bias near the middle."),
            item("margin_net", "network margin", format::number(get(|m| m.margin_net), 3),
                "Smallest distance of a training point to the network's boundary in feature space, minᵢ yᵢfᵢ/‖w‖."),
            item("margin_svm", "SVM margin", format::number(get(|m| m.margin_svm), 3),
                "The SVM's margin on the same features: the largest achievable by any line."),
            item("agree_grid", "agreement on the plane", format::percent(get(|m| m.agree_grid)),
                "Share of the visible input plane where the network and the SVM (pulled back through the network) predict the same class."),
            item("sv_overlap", "support vectors = top-loss points", format::percent(get(|m| m.sv_overlap)),
                "Share of the SVM's support vectors among the same number of training points with the largest cross-entropy gradient weight."),
            item("last_layer_norm", "‖W_L‖", format::number(get(|m| m.last_layer_norm), 3), "‖W_L‖ is the size (Euclidean norm) of the last layer's weights and biases: on separable data it grows like ln t, while its direction settles."),
            item("svm_rel_gap", "SVM duality gap", format::number(get(|m| m.svm_rel_gap), 2),
                "The SVM solver's certified relative duality gap: how far from its exact optimum it can be."),
            item("svm_fitted_at_step", "measured at step", m.map_or("—".into(), |m| format::count(m.svm_fitted_at_step)),
                "The step whose network and SVMs every number here compares. While training runs, measurements are spread over the following steps so that they never slow the training down by more than a quarter."),
        ];
        if self.config.as_ref().is_some_and(|c| c.train.retrain_last_layer_at.is_some()) {
            // Beside the network's own offset: the same run had the whole network kept training.
            let at = items.iter().position(|i| i.key == "offset_net").map_or(items.len(), |i| i + 1);
            items.insert(at, item("offset_whole", "offset, whole network trained on", format::number(get(|m| m.offset_whole), 3),
                "The network offset of this very run had the whole network kept training instead of only its last layer (a twin trained alongside from the moment of the retrain, same data and seeds). Whole-network training moves the offset towards the middle; the retrained last layer heads for the SVM of its frozen features instead."));
        }
        if self.config.as_ref().is_some_and(|c| c.attack.on) {
            // The newest search's numbers; when it is older than the numbers above, its step is said.
            let attacked = self.attacks().map(|(a, _)| a);
            let get = |f: fn(&Metrics) -> f64| attacked.map_or(f64::NAN, f);
            let at = attacked
                .filter(|a| m.is_some_and(|m| m.step != a.step))
                .map_or(String::new(), |a| format!(" (step {})", format::count(a.step)));
            let item = |key, name, value: String, help| ReadoutItem { key, name, value: value + &at, help };
            items.extend([
                item("adv_median", "adversarial distance (median)", format::number(get(|m| m.adv_median), 3),
                    "Median over the attacked test points of the smallest change of the input (ℓ2, in the data's own units) that changes the network's class: DeepFool, then bisected to a real crossing (with fallbacks when DeepFool stalls). A point with no crossing found counts as farther than all the others."),
                item("adv_min", "adversarial distance (smallest)", format::number(get(|m| m.adv_min), 3),
                    "The easiest test point to attack: its smallest change that changes the network's class."),
                item("adv_median_svm", "adversarial distance, SVM", format::number(get(|m| m.adv_median_svm), 3),
                    "The same median for the SVM on the hidden features, pulled back through the network: equal to the network's once the two boundaries meet."),
                item("adv_rank_corr", "rank correlation with the SVM margin", format::number(get(|m| m.adv_rank_corr), 2),
                    "Spearman's correlation, over the attacked test points, between a point's adversarial distance in the input and its distance to the SVM's boundary in the feature space."),
                item("adv_missed", "points without a crossing", format!("{} / {}", format::number(get(|m| m.adv_missed), 3), format::number(get(|m| m.adv_missed_svm), 3)),
                    "Attacked test points for which no change of the network's class (first number) or the SVM's (second) was found within the search's reach — twice the farthest training point. They are not left out of the medians: each counts as farther than every point with a crossing."),
            ]);
        }
        items
    }

    /// The banners: what is being edited, what went wrong, whether the theorem applies, what is slow.
    pub fn banners(&self) -> Vec<Banner> {
        let mut out = Vec::new();
        if let Some(p) = &self.checking {
            out.push(Banner {
                kind: "info",
                text: format!(
                    "Checking a network's file: {} × {} features, {} classes ({} MB held); {}: the SVM has made {} \
                     passes over the points.",
                    format::count(p.points as u64),
                    format::count(p.width as u64),
                    p.classes,
                    p.memory_bytes >> 20,
                    if p.states > 1 {
                        format!("state {} of {}", p.state + 1, p.states)
                    } else {
                        "the final state".to_string()
                    },
                    // A power of ten: the banner (and its Cancel button) changes a few times, not every frame.
                    if p.passes < 10 {
                        "fewer than 10".to_string()
                    } else {
                        format!("over {}", format::count(10u64.pow(p.passes.ilog10())))
                    }
                ),
                action: Some(BannerAction { label: "Cancel", request: Request::CancelCheck }),
            });
        }
        if let Some(c) = &self.checked {
            let mut text = format!("Your network ({}): {}", c.name, c.regime);
            for note in &c.notes {
                text.push_str(&format!(" Note: {note}."));
            }
            out.push(Banner {
                kind: "info",
                text,
                action: Some(BannerAction { label: "Back to the lab", request: Request::LeaveCheck }),
            });
            return out;
        }
        let Some(config) = &self.config else { return out };
        if let Some((_, why)) = self.data.as_ref().and_then(|d| d.pending.as_ref()) {
            out.push(banner(
                "warn",
                format!("Editing points: {why}. The run continues on the previous data until then."),
            ));
        }
        if let Some((step, reason)) = &self.diverged {
            out.push(banner("error", format!(
                "Training diverged at step {}: {reason}. The weights kept their last finite values. Try a smaller learning rate (now {}), then Reset.",
                format::count(*step),
                format::number(config.train.learning_rate, 3)
            )));
        }
        if self.held {
            out.push(Banner {
                kind: "warn",
                text: "Training is held: this run is too heavy for this page's main thread (no Web Worker could start here).".into(),
                action: Some(BannerAction { label: "Run anyway", request: Request::AllowHeavy }),
            });
        }
        let (heavy_step, heavy_measurement) = self.cost.ms();
        if self.on_main_thread && self.cost.is_heavy() && !self.held {
            out.push(banner("warn", "No background thread here (a frame sandboxed without allow-same-origin), so this heavy run trains on the page itself: slowly, and the page may stutter. Embedded with sandbox=\"allow-scripts allow-same-origin\" (the Share dialog's code), it trains in a background thread; or open the full lab."));
        }
        if self.cost.is_heavy() {
            out.push(banner("warn", format!(
                "This run is heavy: about {} per training step and {} per SVM refit on a typical laptop ({} multiply-adds per step). Fewer points, narrower layers, a larger refit interval or a smaller C make it faster.",
                format::duration_ms(heavy_step),
                format::duration_ms(heavy_measurement),
                format::number(self.cost.step, 2)
            )));
        }
        if let Some(m) = &self.measurement {
            let mm = &m.metrics;
            if !mm.separable && mm.step == 0 {
                // Before any training nothing is known yet: the features of a fresh network rarely separate.
                out.push(banner("info", "Not separable yet: before training, the hidden features of the new network do not split the classes. The theorem applies once training separates them; until then the SVM shown is a soft-margin compromise, and the hatching in the input space, where it and the network disagree, may cover most of the plane."));
            } else if !mm.separable {
                out.push(banner("warn", "The hidden features are not linearly separable (no hyperplane in feature space splits the classes), so the theorem does not apply: the SVM shown is a soft-margin compromise."));
            } else if mm.theorem_applies {
                // Nothing to say: the theorem's premises hold.
            } else if config.train.loss != LossKind::CrossEntropy {
                out.push(banner(
                    "info",
                    "Squared error is outside the theorem: its last layer is not expected to become an SVM.",
                ));
            } else if config.train.weight_decay > 0.0 {
                out.push(banner(
                    "info",
                    "With weight decay the weights stop growing; the limit is a regularised solution, not the SVM.",
                ));
            }
            if mm.svm_capped {
                out.push(banner(
                    "warn",
                    format!(
                        "The SVM stopped at its epoch guard before its tolerance (relative gap {}).",
                        format::number(mm.svm_rel_gap, 2)
                    ),
                ));
            }
            if let Some(e) = &m.svm_error {
                out.push(banner("error", format!("The SVM could not be fitted: {e}.")));
            }
            if let Some(text) = self.stalled(config) {
                out.push(banner("warn", text));
            }
        }
        if self.last_layer_only {
            out.push(banner("info", "Only the last layer is training: the hidden layers are frozen."));
        }
        out.extend(self.forgetting_banners(config));
        if let Some(d) = &self.data {
            if d.info.image.is_some() && config.data.set == Source::Digits {
                out.push(banner("info", "Digits: Alpaydin & Kaynak (1998), UCI Machine Learning Repository, CC BY 4.0 — see data/DIGITS-LICENSE.txt."));
            }
        }
        out
    }

    /// What a class-incremental run is doing: learning the old classes, the new ones with its memories (and
    /// which arm the views show), done, or why it could not go on.
    fn forgetting_banners(&self, config: &Config) -> Vec<Banner> {
        let mut out = Vec::new();
        let f = &config.forgetting;
        if !f.on {
            return out;
        }
        if let Some(e) = &self.forgetting_error {
            out.push(banner("error", format!("The class-incremental run could not begin its second phase: {e}.")));
            return out;
        }
        let names = self.class_names();
        let Some(v) = &self.forgetting else {
            out.push(banner(
                "info",
                format!(
                    "Forgetting, phase 1: the network learns the old classes ({}) alone until step {}; then the new \
                     ones arrive and six copies of it train on side by side, each rehearsing its own memory of the \
                     old classes.",
                    names.join(", "),
                    format::count(f.phase_steps)
                ),
            ));
            return out;
        };
        let arm = v.arms.iter().find(|a| a.arm == v.shown);
        let memory = arm.map_or(0, |a| a.memory.len());
        let old: Vec<&str> = names.iter().take(v.old_classes).map(String::as_str).collect();
        let new: Vec<&str> = names.iter().skip(v.old_classes).map(String::as_str).collect();
        let state = if self.finished {
            format!("complete at step {}", format::count(2 * v.phase_steps))
        } else {
            format!("until step {}", format::count(2 * v.phase_steps))
        };
        out.push(banner(
            "info",
            format!(
                "Forgetting, phase 2 ({state}): the new classes ({}) are learned with a memory of at most {} points of \
                 the old ones ({}; equal shares per class; on their features SupportNet's RBF SVM had {} support \
                 vectors, the linear SVM {}). The views show the arm “{}” (its {} memory points marked with \
                 diamonds); the experiment chart compares all six.",
                new.join(", "),
                v.budget,
                old.join(", "),
                v.kernel_support_count,
                v.support_count,
                v.shown.title(),
                memory
            ),
        ));
        if f.ewc > 0.0 || f.feature_reg > 0.0 {
            out.push(banner(
                "info",
                format!(
                    "SupportNet's arm trains with its consolidation regularisers (EWC λ = {}, feature regulariser μ = \
                     {}); the other arms with their memory alone.",
                    format::number(f.ewc, 3),
                    format::number(f.feature_reg, 3)
                ),
            ));
        }
        if let Some(note) = &v.note {
            out.push(banner("warn", note.clone()));
        }
        out
    }

    /// A message when training has stalled — after 500 steps, comparing the newest measurement with one from
    /// around the first half of the run: the loss still at chance (ln K) or the accuracy at chance, or the
    /// training accuracy below 99% while the loss fell by less than 5% — with the likely causes this run shows.
    pub fn stalled(&self, config: &Config) -> Option<String> {
        let m = &self.measurement.as_ref()?.metrics;
        let k = self.classes().max(2) as f64;
        // A class-incremental run's second phase forgets by design: its accuracy is the experiment's result,
        // not a stall to fix.
        if m.step < 500 || config.train.loss != LossKind::CrossEntropy || m.diverged || self.forgetting.is_some() {
            return None;
        }
        let earlier = self.history.iter().rfind(|x| x.step >= 100 && x.step * 5 <= m.step * 3)?;
        let chance_loss = k.ln();
        let at_chance =
            |x: &Metrics| (x.loss_train - chance_loss).abs() < 0.02 * chance_loss || x.acc_train <= 1.0 / k + 0.02;
        let chance = at_chance(earlier) && at_chance(m);
        let plateau = m.acc_train < 0.99
            && earlier.acc_train < 0.99
            && earlier.loss_train - m.loss_train < 0.05 * earlier.loss_train;
        if !chance && !plateau {
            return None;
        }
        let mut causes = Vec::new();
        if let Some(d) = &self.data {
            let largest = d.train.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            if !config.data.standardize && largest > 5.0 {
                causes.push(format!(
                    "the inputs are in their raw units (values up to {}): switch on standardisation",
                    format::number(largest, 2)
                ));
            }
        }
        if m.dead_units > 0.3 {
            causes.push(format!("{} of the relu units are dead (zero on every point): a smaller learning rate or another initialisation", format::percent(m.dead_units)));
        }
        if m.saturated_units > 0.3 {
            causes.push(format!("{} of the hidden units are saturated (flat on every point): standardised inputs or a smaller learning rate", format::percent(m.saturated_units)));
        }
        let lr = config.train.learning_rate;
        if lr >= 1.0 {
            causes.push(format!("the learning rate {} may be too large", format::number(lr, 3)));
        } else if lr < 1e-3 {
            causes.push(format!(
                "the learning rate {} may be too small to move in this many steps",
                format::number(lr, 3)
            ));
        }
        if causes.is_empty() {
            causes.push("the network may be too small for these data (more width or layers), or try standardised inputs, another learning rate or initialisation".into());
        }
        let what = if chance {
            format!(
                "the loss has stayed at chance (ln {} = {}) since step {}",
                k as usize,
                format::number(chance_loss, 3),
                format::count(earlier.step)
            )
        } else {
            format!(
                "the loss has barely moved since step {} ({} → {}) with the training accuracy at {}",
                format::count(earlier.step),
                format::number(earlier.loss_train, 3),
                format::number(m.loss_train, 3),
                format::percent(m.acc_train)
            )
        };
        if self.preset().is_some_and(|p| crate::presets::COUNTER_EXAMPLES.contains(&p)) {
            // The stall is what the preset shows: advice to fix it would read as advice to undo the lesson.
            return Some(format!(
                "Training has stalled: {what} — as this counter-example intends (its text says why); not a fault to fix."
            ));
        }
        Some(format!("Training has stalled: {what}. Likely: {}.", causes.join("; ")))
    }

    /// The metrics as `lab.metrics()` reports them: the newest measurement's numbers (null where they do not
    /// exist), `step` the steps taken now and `svm_fitted_at_step` the step those numbers belong to, and the
    /// run's state.
    pub fn metrics_json(&self) -> Value {
        let mut v = match &self.measurement {
            Some(m) => serde_json::to_value(&m.metrics).expect("metrics serialise"),
            None => json!({ "svm_fitted_at_step": null }),
        };
        let extra = json!({
            "step": self.step,
            "measured": self.measurement.is_some(),
            "diverged_at": self.diverged.as_ref().map(|d| d.0),
            "diverged_reason": self.diverged.as_ref().map(|d| d.1.clone()),
            "diverged": self.diverged.is_some(),
            "last_layer_only": self.last_layer_only,
            "svm_error": self.measurement.as_ref().and_then(|m| m.svm_error.clone()),
            "classes": self.classes(),
            "class_names": self.class_names(),
            "input_width": self.data.as_ref().map(|d| d.train.ncols()),
            "feature_width": self.measurement.as_ref().map(|m| m.network.feature_width()),
            "train_points": self.data.as_ref().map(|d| d.train_labels.len()),
            "test_points": self.data.as_ref().map(|d| d.test_labels.len()),
            "cost_step": self.cost.step,
            "cost_measurement": self.cost.measurement,
            "preset": self.preset(),
            "playing": self.playing,
            "held": self.held,
            "finished": self.finished,
        });
        let map = v.as_object_mut().expect("an object");
        map.extend(extra.as_object().expect("an object").clone());
        v
    }
}
