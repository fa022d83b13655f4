//! Catastrophic forgetting, and what the SVM says to remember. A class-incremental run learns the first half
//! of the classes for `phase_steps` steps; then the new classes arrive, the output layer gains their rows (the
//! old rows kept), and training goes on for as many steps on the new classes' training points plus a memory of
//! old ones. If the last layer is the SVM on the last hidden layer, the SVM's support vectors are all the old
//! boundary depends on — the idea of SupportNet (Li et al. 2018), from the same group as the paper.
//!
//! Every arm starts from the same first-phase network, with the same seeds and the same memory budget B (by
//! default ten per old class, set independently of any SVM), split equally among the old classes, and is a
//! real training run through the same [`Session`] code: **none** (fine-tuning on the new classes alone),
//! **SupportNet** (as its paper builds it: the support vectors of an RBF kernel SVM, scikit-learn's `SVC` with
//! C = 1 and γ = "scale", one-vs-one, on the hidden features; a class with more support vectors than its share
//! keeps a random sample of them, one with fewer keeps them all and random other points of the class),
//! **linear SVM** (a labelled variant: the support vectors of the lab's own linear SVM, smallest margins first,
//! then the next-smallest), **random**, **iCaRL's herding** (on L2-normalised features, as iCaRL) and **all old
//! data** (joint training, the ceiling). Every arm trains with the same loss, so the arms differ by their
//! memory alone — unless `forgetting.ewc` or `forgetting.feature_reg` is set: then the SupportNet arm also
//! trains with SupportNet's consolidation regularisers ([`Consolidation`]: EWC and its feature regulariser,
//! around the first phase's network). Each arm's old-class, new-class and overall test accuracy and its last layer's angle to the SVM on
//! all classes are recorded through the second phase; the arm the page shows is the engine's own run (its
//! full measurements), the others train alongside it.

use crate::config::{Arm, Config, BUDGET_PER_CLASS};
use crate::data::Library;
use crate::linalg::argmax;
use crate::measure::fit_regularized;
use crate::nn::trainer::Consolidation;
use crate::rng::{self, Stream};
use crate::session::{Phase, Session, SessionError};
use crate::snapshot::{ArmPoint, ArmView, ForgettingView};
use crate::svm::kernel::{KernelFit, KernelSvm};
use crate::svm::{DualState, SvmModel};
use ndarray::{Array2, ArrayView2};

/// History points per decade of second-phase steps (besides every one of the first ten).
const PER_DECADE: f64 = 20.0;
/// The epoch guard of the arms' SVM fits (a fit stopped by it gives no angle; fits are made only on features
/// the arm's network separates, where they converge in far fewer).
const RECORD_EPOCHS: usize = 300;

/// What the memories are chosen from: the old training points' hidden features at the end of the first phase,
/// their labels, and the two SVMs fitted to them.
pub struct Candidates<'a> {
    /// n × d hidden features.
    pub features: ArrayView2<'a, f64>,
    /// Their classes (0..`classes`).
    pub labels: &'a [usize],
    /// How many old classes.
    pub classes: usize,
    /// The lab's linear SVM on the features (the variant arm).
    pub linear: &'a SvmModel,
    /// SupportNet's RBF kernel SVM on the features.
    pub kernel: &'a KernelFit,
}

/// The memory of `arm` with budget `budget`, as indices into the old training points (see the module docs
/// and [`Arm`]): every arm with a memory gives each old class an equal share of the budget (a class with fewer
/// points gives the rest to the others); `seed` draws the random arm and SupportNet's samples.
pub fn memory(arm: Arm, budget: usize, c: &Candidates, seed: u64) -> Vec<usize> {
    let n = c.labels.len();
    let groups = members(c.labels, c.classes);
    let quotas = quotas(budget.min(n), &groups);
    let mut chosen = Vec::new();
    match arm {
        Arm::None => {}
        Arm::AllOld => chosen.extend(0..n),
        Arm::SupportNet => {
            // Per class: its support vectors, sampled at random when more than its share; too few, filled with
            // random other points of the class.
            let mut r = rng::seeded(seed, Stream::Memory);
            for (m, q) in groups.iter().zip(quotas) {
                let (mut sv, mut rest): (Vec<usize>, Vec<usize>) =
                    m.iter().partition(|i| c.kernel.support.binary_search(i).is_ok());
                rng::shuffle(&mut r, &mut sv);
                rng::shuffle(&mut r, &mut rest);
                chosen.extend(sv.into_iter().chain(rest).take(q));
            }
        }
        Arm::LinearSvm => {
            let classifier = c.linear.linear.centred();
            let margin =
                |i: usize| classifier.point_margin(c.features.row(i).as_slice().expect("standard layout"), c.labels[i]);
            for (m, q) in groups.iter().zip(quotas) {
                let (mut sv, mut rest): (Vec<usize>, Vec<usize>) = m.iter().partition(|i| c.linear.support.contains(i));
                crate::order::sort_indices(&mut sv, margin);
                crate::order::sort_indices(&mut rest, margin);
                chosen.extend(sv.into_iter().chain(rest).take(q));
            }
        }
        Arm::Random => {
            let mut r = rng::seeded(seed, Stream::Aux);
            for (mut m, q) in groups.into_iter().zip(quotas) {
                rng::shuffle(&mut r, &mut m);
                chosen.extend(m.into_iter().take(q));
            }
        }
        Arm::ClassMeans => {
            let normalised = unit_rows(c.features);
            for (m, q) in groups.iter().zip(quotas) {
                chosen.extend(herd(normalised.view(), m, q));
            }
        }
    }
    chosen
}

/// Each row scaled to unit Euclidean length (a zero row stays zero): iCaRL's L2-normalised features.
fn unit_rows(x: ArrayView2<f64>) -> Array2<f64> {
    let mut out = x.to_owned();
    for mut row in out.rows_mut() {
        let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|v| v / norm);
        }
    }
    out
}

/// The old training points of each class.
fn members(labels: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut m = vec![Vec::new(); classes];
    for (i, &l) in labels.iter().enumerate() {
        m[l].push(i);
    }
    m
}

/// How many of `budget` points each class gets: equal parts (the remainder to the first classes), never more
/// than a class has; what a class cannot take goes to the others.
fn quotas(budget: usize, groups: &[Vec<usize>]) -> Vec<usize> {
    let total: usize = groups.iter().map(Vec::len).sum();
    let mut q = vec![0; groups.len()];
    let mut left = budget.min(total);
    while left > 0 {
        for (c, g) in groups.iter().enumerate() {
            if left > 0 && q[c] < g.len() {
                q[c] += 1;
                left -= 1;
            }
        }
    }
    q
}

/// iCaRL's herding: `count` of the points `members` chosen one at a time so that the mean of the chosen
/// features stays nearest the class mean.
fn herd(features: ArrayView2<f64>, members: &[usize], count: usize) -> Vec<usize> {
    let d = features.ncols();
    if members.is_empty() {
        return Vec::new();
    }
    let mut mean = vec![0.0; d];
    for &i in members {
        for (m, v) in mean.iter_mut().zip(features.row(i)) {
            *m += v / members.len() as f64;
        }
    }
    let mut sum = vec![0.0; d];
    let mut chosen: Vec<usize> = Vec::with_capacity(count);
    for k in 1..=count.min(members.len()) {
        let best = members
            .iter()
            .filter(|i| !chosen.contains(i))
            .map(|&i| {
                let gap: f64 = (0..d).map(|j| (mean[j] - (sum[j] + features[[i, j]]) / k as f64).powi(2)).sum();
                (gap, i)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, i)| i)
            .expect("a member is left");
        for (s, v) in sum.iter_mut().zip(features.row(best)) {
            *s += v;
        }
        chosen.push(best);
    }
    chosen
}

/// The arms of a class-incremental run's second phase (see the module docs).
pub struct Forgetting {
    view: ForgettingView,
    /// Each arm's run, in the order of [`Arm::ALL`]; `None` for the arm shown (the engine holds it).
    sessions: Vec<Option<Session>>,
    warm: Vec<Option<DualState>>,
    last_record: Option<u64>,
}

impl Forgetting {
    /// The second phase from the end of the first (`phase_one`): the SVM on the old training points' hidden
    /// features, each arm's memory and run. Returns the arms, the shown arm's run and the work it took
    /// (`Err` when `phase_one` is not at the end of a first phase, or the SVM cannot be fitted).
    pub fn begin(phase_one: &Session) -> Result<(Forgetting, Session, f64), String> {
        let Phase::Old { full } = phase_one.phase() else { return Err("not a first phase".into()) };
        let config = phase_one.config();
        let old = phase_one.split();
        let net = phase_one.network();
        let features = net.hidden_features(phase_one.x_train());
        let labels = &old.train.labels;
        let mut work = labels.len() as f64 * net.forward_cost();
        let (svm, fit_work) = fit_regularized(config, features.view(), labels, old.train.classes, None, None);
        work += fit_work;
        let svm = svm?;
        let kernel = KernelSvm::default().fit(features.view(), labels, old.train.classes);
        work += kernel.work;
        let budget = config.forgetting.budget.unwrap_or(BUDGET_PER_CLASS * old.train.classes).max(1);
        let old_points: Vec<usize> =
            (0..full.train.len()).filter(|&i| full.train.labels[i] < old.train.classes).collect();
        let accuracy = net.accuracy(phase_one.x_train(), labels);
        let note = (!svm.separable).then(|| {
            format!(
                "The network had not separated the old classes in the feature space by step {} ({:.1}% of their \
                 training points right): the SVM's support vectors are then every point inside or across its \
                 margin, and the arms compare memories of a boundary that was never clean.",
                phase_one.step(),
                100.0 * accuracy
            )
        });
        let mut sessions = Vec::new();
        let mut arms = Vec::new();
        let mut shown = None;
        let candidates =
            Candidates { features: features.view(), labels, classes: old.train.classes, linear: &svm, kernel: &kernel };
        let f = &config.forgetting;
        for arm in Arm::ALL {
            let memory = memory(arm, budget, &candidates, config.data.seed);
            let mut session = phase_one.next_phase(&memory).expect("a first phase has a next");
            if arm == Arm::SupportNet && (f.ewc > 0.0 || f.feature_reg > 0.0) {
                // SupportNet's consolidation regularisers, around the first phase's network.
                let memory_x = phase_one.x_train().select(ndarray::Axis(0), &memory);
                work += Consolidation::setup_cost(net, labels.len(), memory.len());
                let c = Consolidation::new(
                    net,
                    phase_one.x_train(),
                    labels,
                    config.train.loss,
                    memory_x,
                    f.ewc,
                    f.feature_reg,
                );
                session.consolidate(c);
            }
            arms.push(ArmView { arm, memory, history: Vec::new() });
            if arm == config.forgetting.shown {
                shown = Some(session);
                sessions.push(None);
            } else {
                sessions.push(Some(session));
            }
        }
        let view = ForgettingView {
            old_classes: old.train.classes,
            classes: full.train.classes,
            phase_steps: config.forgetting.phase_steps,
            budget,
            support_count: svm.support.len(),
            kernel_support_count: kernel.support.len(),
            phase_one_accuracy: accuracy,
            note,
            shown: config.forgetting.shown,
            old_points,
            arms,
        };
        let forgetting = Forgetting { view, sessions, warm: vec![None; Arm::ALL.len()], last_record: None };
        Ok((forgetting, shown.expect("the shown arm is one of them"), work))
    }

    /// What the page shows of the arms.
    pub fn view(&self) -> &ForgettingView {
        &self.view
    }

    /// One training step of every arm but the shown one.
    pub fn train_step(&mut self) {
        for s in self.sessions.iter_mut().flatten() {
            s.train_step();
        }
    }

    /// Multiply-adds of a training step of the arms besides the shown one.
    pub fn step_cost(&self) -> f64 {
        self.sessions.iter().flatten().map(Session::step_cost).sum()
    }

    /// Applies a live change of settings to every arm but the shown one (the engine changes that one).
    pub fn set_config(&mut self, config: &Config, library: &Library) -> Result<(), SessionError> {
        for s in self.sessions.iter_mut().flatten() {
            s.set_config(config.clone(), library)?;
        }
        Ok(())
    }

    /// Shows `arm`: swaps its run with the one shown (`shown`). Returns whether anything changed.
    pub fn show(&mut self, arm: Arm, shown: &mut Session) -> bool {
        let (Some(from), Some(to)) = (position(self.view.shown), position(arm)) else { return false };
        if from == to {
            return false;
        }
        let mut next = self.sessions[to].take().expect("arms not shown have their runs here");
        std::mem::swap(&mut next, shown);
        self.sessions[from] = Some(next);
        self.view.shown = arm;
        true
    }

    /// Whether the arms are due to be recorded at `step`: the start of the phase, each of its first ten steps,
    /// then [`PER_DECADE`] per decade, and its last step.
    pub fn record_due(&self, step: u64) -> bool {
        let start = self.view.phase_steps;
        let Some(last) = self.last_record else { return true };
        let (r, l) = (step.saturating_sub(start), last.saturating_sub(start));
        if step >= 2 * start {
            return step > last;
        }
        let bucket = |s: u64| (libm::log10(s.max(1) as f64) * PER_DECADE).floor();
        r <= 10 && step > last || bucket(r) > bucket(l)
    }

    /// Records every arm at the current step (`shown` is the shown arm's run): test accuracy on the old
    /// classes, the new ones and all, and the last layer's angle to the SVM on all classes' training points.
    /// Returns the work it took.
    pub fn record(&mut self, shown: &Session) -> f64 {
        let mut work = 0.0;
        let old_classes = self.view.old_classes;
        for (i, arm) in Arm::ALL.iter().enumerate() {
            let session = self.sessions[i].as_ref().unwrap_or(shown);
            let net = session.network();
            let split = session.split();
            let forward = net.forward_cost();
            let outputs = net.outputs_of(session.x_test());
            let predicted: Vec<usize> =
                outputs.rows().into_iter().map(|r| argmax(r.as_slice().expect("fresh array"))).collect();
            let share = |keep: &dyn Fn(usize) -> bool| -> f64 {
                let picked: Vec<usize> = (0..predicted.len()).filter(|&j| keep(split.test.labels[j])).collect();
                if picked.is_empty() {
                    return f64::NAN;
                }
                picked.iter().filter(|&&j| predicted[j] == split.test.labels[j]).count() as f64 / picked.len() as f64
            };
            let features = net.hidden_features(session.x_train());
            work += forward * (split.test.len() + split.train.len()) as f64;
            // The angle to the SVM is the theory's only where the features are separable; an arm whose network
            // misclassifies a training point of any class (one that forgot the old classes does) has no limit
            // to approach, and is not fitted. One whose network separates them all proves them separable.
            let outputs = net.outputs_from_features(features.view());
            let separated = outputs
                .rows()
                .into_iter()
                .zip(&split.train.labels)
                .all(|(r, &y)| argmax(r.as_slice().expect("fresh array")) == y);
            let mut angle = f64::NAN;
            if separated {
                let (svm, fit_work) = fit_regularized(
                    session.config(),
                    features.view(),
                    &split.train.labels,
                    split.train.classes,
                    self.warm[i].as_ref(),
                    Some(RECORD_EPOCHS),
                );
                work += fit_work;
                if let Ok(m) = &svm {
                    if !m.stats.capped {
                        let net_lin = crate::compare::network_classifier(net);
                        angle = crate::compare::angles(&net_lin, &crate::compare::svm_classifier(m)).1;
                    }
                }
                self.warm[i] = svm.ok().map(|m| m.dual_state);
            }
            self.view.arms[i].history.push(ArmPoint {
                step: session.step(),
                old_acc: share(&|l| l < old_classes),
                new_acc: share(&|l| l >= old_classes),
                acc: share(&|_| true),
                angle_wb_deg: angle,
            });
            debug_assert_eq!(self.view.arms[i].arm, *arm);
        }
        self.last_record = Some(shown.step());
        work
    }
}

fn position(arm: Arm) -> Option<usize> {
    Arm::ALL.iter().position(|&a| a == arm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_are_equal_and_never_exceed_a_class() {
        let groups = vec![(0..10).collect::<Vec<_>>(), (10..40).collect(), (40..42).collect()];
        assert_eq!(quotas(8, &groups), vec![3, 3, 2]);
        // Three each; the third class has only two, and its third place goes to the first class.
        assert_eq!(quotas(9, &groups), vec![4, 3, 2]);
        assert_eq!(quotas(100, &groups), vec![10, 30, 2]);
        assert_eq!(quotas(0, &groups), vec![0, 0, 0]);
    }

    /// Herding picks first the point nearest the mean, then the one that brings the running mean back to it.
    #[test]
    fn herding_follows_the_mean() {
        let f = ndarray::array![[0.0, 0.0], [1.0, 0.0], [0.4, 0.0], [2.0, 0.0], [-1.0, 0.0]];
        // Mean 0.48: first 0.4 (0.08 off); then (0.4 + x)/2 should be 0.48: 1.0 gives 0.7 (0.22 off), 0.0
        // gives 0.2 (0.28 off), so 1.0; then (1.4 + x)/3: 0.0 gives 0.467 (0.013 off).
        assert_eq!(herd(f.view(), &[0, 1, 2, 3, 4], 3), vec![2, 1, 0]);
    }
}
