//! Class-incremental runs (src/forgetting.rs), as a researcher would check them: the phases see the data
//! they should, every arm's memory follows its rule (recomputed here: the SVMs refitted — the kernel one is
//! checked against scikit-learn in kernel_svm.rs —, equal shares per class counted, the linear variant's
//! margins and iCaRL's herding written out here), the arms are real and independent training runs (which arm
//! is shown changes no arm's numbers), the run ends with its second phase, every arm's final record recomputes
//! from run.json, and bad settings are refused with the previous run kept.
#![cfg(not(target_arch = "wasm32"))]

use lastlayer::config::{Arm, Config};
use lastlayer::csv_io::library_with_digits;
use lastlayer::engine::Engine;
use lastlayer::export::run_json;
use lastlayer::session::Phase;
use lastlayer::svm::kernel::KernelSvm;
use lastlayer::svm::{BiasMode, Loss, SvmParams};
use ndarray::ArrayView2;
use serde_json::Value;

fn preset(name: &str) -> Config {
    lastlayer::presets::find(name).expect("the preset exists").config
}

fn engine(config: Config) -> Engine {
    Engine::new(config, library_with_digits()).expect("the run starts")
}

/// Every arm's record, exactly (Debug writes each double's bits; NaN angles compare as text).
fn records(e: &Engine) -> Vec<String> {
    e.forgetting().expect("second phase").view().arms.iter().map(|a| format!("{:?} {:?}", a.arm, a.history)).collect()
}

#[test]
fn phases_see_their_data_and_memories_follow_their_rules() {
    // The default budget (the preset sets its own).
    let mut config = preset("forgetting_blobs");
    config.forgetting.budget = None;
    let phase = config.forgetting.phase_steps;
    let mut e = engine(config.clone());
    e.advance(phase - 1);
    // The first phase: the old classes alone, with as many outputs.
    assert!(matches!(e.session().phase(), Phase::Old { .. }));
    assert_eq!(e.session().split().train.classes, 2);
    assert!(e.session().split().train.labels.iter().all(|&l| l < 2));
    assert_eq!(e.session().network().outputs(), 2);
    assert!(e.forgetting().is_none());
    let old_train = e.session().split().train.len();
    // The network at the end of the first phase, trained here without the engine, and the SVM on its old
    // training features, refitted here.
    let mut alone = lastlayer::session::Session::new(config.clone(), &library_with_digits()).unwrap();
    assert_eq!(alone.train(phase), phase);
    let features = alone.network().hidden_features(alone.x_train());
    let labels = alone.split().train.labels.clone();
    e.advance(2);
    assert!(matches!(e.session().phase(), Phase::New { old_classes: 2, .. }));
    assert_eq!(e.session().split().train.classes, 4);
    assert_eq!(e.session().network().outputs(), 4);
    let v = e.forgetting().expect("the second phase began").view().clone();
    let svm = SvmParams { c: config.svm.c, loss: Loss::Hinge, bias: BiasMode::Regularized, ..SvmParams::default() }
        .fit(features.view(), &labels, 2, None)
        .unwrap();
    let kernel = KernelSvm::default().fit(features.view(), &labels, 2);
    assert_eq!(v.support_count, svm.support.len());
    assert_eq!(v.kernel_support_count, kernel.support.len());
    assert_eq!(v.budget, 20, "the default budget is ten per old class, whatever the SVMs' support vectors");
    assert_eq!(v.old_points.len(), old_train);
    let memory = |arm: Arm| v.arms.iter().find(|a| a.arm == arm).unwrap().memory.clone();
    assert!(memory(Arm::None).is_empty());
    assert_eq!(memory(Arm::AllOld), (0..old_train).collect::<Vec<_>>());
    let per_class = |m: &[usize]| (0..2).map(|c| m.iter().filter(|&&i| labels[i] == c).count()).collect::<Vec<_>>();
    let distinct = |m: &[usize]| {
        let mut s = m.to_vec();
        s.sort_unstable();
        s.dedup();
        s.len() == m.len()
    };
    for arm in [Arm::SupportNet, Arm::LinearSvm, Arm::Random, Arm::ClassMeans] {
        assert_eq!(per_class(&memory(arm)), vec![10, 10], "{arm:?}: equal shares per class");
        assert!(distinct(&memory(arm)), "{arm:?}: no point twice");
    }
    check_supportnet(&memory(Arm::SupportNet), &kernel.support, &labels, 10);
    check_linear(&memory(Arm::LinearSvm), &svm, features.view(), &labels, 10);
    check_herding(&memory(Arm::ClassMeans), features.view(), &labels, 10);

    // Budgets on both sides of the support vectors' count: nine per class (one class gets ten of 19).
    for budget in [3, 19, 60] {
        let mut with_budget = config.clone();
        with_budget.forgetting.budget = Some(budget);
        let mut b = engine(with_budget);
        b.advance(phase + 1);
        let v = b.forgetting().unwrap().view();
        let arm = |a: Arm| v.arms.iter().find(|x| x.arm == a).unwrap().memory.clone();
        let shares = vec![budget.div_ceil(2), budget / 2];
        for a in [Arm::SupportNet, Arm::LinearSvm, Arm::Random, Arm::ClassMeans] {
            assert_eq!(per_class(&arm(a)), shares, "{a:?} at budget {budget}");
        }
        check_supportnet(&arm(Arm::SupportNet), &kernel.support, &labels, budget.div_ceil(2));
        check_linear(&arm(Arm::LinearSvm), &svm, features.view(), &labels, budget.div_ceil(2));
        check_herding(&arm(Arm::ClassMeans), features.view(), &labels, budget.div_ceil(2));
    }
}

/// SupportNet's rule, class by class: only support vectors when the class has at least its share of them
/// (`most` for the first class, one fewer possible for the second), otherwise all of them and other points.
fn check_supportnet(memory: &[usize], support: &[usize], labels: &[usize], most: usize) {
    for c in 0..2 {
        let chosen: Vec<usize> = memory.iter().copied().filter(|&i| labels[i] == c).collect();
        let sv: Vec<usize> = support.iter().copied().filter(|&i| labels[i] == c).collect();
        assert!(chosen.len() <= most);
        if sv.len() >= chosen.len() {
            assert!(chosen.iter().all(|i| sv.contains(i)), "class {c}: drawn among its support vectors");
        } else {
            assert!(sv.iter().all(|i| chosen.contains(i)), "class {c}: every support vector, then a fill");
        }
    }
}

/// The linear-SVM variant: per class, the smallest margins y(w·x + b)/‖w‖ of its support vectors first, then of
/// the rest (margins by hand from the refitted SVM's w and b).
fn check_linear(memory: &[usize], svm: &lastlayer::svm::SvmModel, f: ArrayView2<f64>, labels: &[usize], most: usize) {
    // Binary: one row, class 1 positive.
    assert_eq!(svm.linear.w.nrows(), 1);
    let w1: Vec<f64> = svm.linear.w.row(0).to_vec();
    let b = svm.linear.b[0];
    let margin = |i: usize| {
        let y = if labels[i] == 1 { 1.0 } else { -1.0 };
        y * ((0..f.ncols()).map(|j| w1[j] * f[[i, j]]).sum::<f64>() + b)
    };
    for c in 0..2 {
        let chosen: Vec<usize> = memory.iter().copied().filter(|&i| labels[i] == c).collect();
        let mut sv: Vec<usize> = svm.support.iter().copied().filter(|&i| labels[i] == c).collect();
        let mut rest: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c && !sv.contains(&i)).collect();
        sv.sort_by(|&a, &b| margin(a).total_cmp(&margin(b)));
        rest.sort_by(|&a, &b| margin(a).total_cmp(&margin(b)));
        let expected: Vec<usize> = sv.into_iter().chain(rest).take(chosen.len()).collect();
        assert!(chosen.len() <= most);
        assert_eq!(chosen, expected, "class {c}: smallest margins first");
    }
}

/// iCaRL's herding (Rebuffi et al. 2017, Algorithm 4) written out here: on L2-normalised features, per class,
/// the point that brings the mean of those chosen nearest the class mean, one at a time.
fn check_herding(memory: &[usize], f: ArrayView2<f64>, labels: &[usize], most: usize) {
    let unit: Vec<Vec<f64>> = f
        .rows()
        .into_iter()
        .map(|r| {
            let n = r.iter().map(|v| v * v).sum::<f64>().sqrt();
            r.iter().map(|v| v / n).collect()
        })
        .collect();
    for c in 0..2 {
        let chosen: Vec<usize> = memory.iter().copied().filter(|&i| labels[i] == c).collect();
        let members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        let d = unit[0].len();
        let mu: Vec<f64> =
            (0..d).map(|j| members.iter().map(|&i| unit[i][j]).sum::<f64>() / members.len() as f64).collect();
        let mut picked: Vec<usize> = Vec::new();
        for k in 1..=chosen.len() {
            let gap = |i: usize| {
                (0..d)
                    .map(|j| {
                        let s: f64 = picked.iter().map(|&p| unit[p][j]).sum::<f64>() + unit[i][j];
                        (mu[j] - s / k as f64).powi(2)
                    })
                    .sum::<f64>()
            };
            let next =
                *members.iter().filter(|i| !picked.contains(i)).min_by(|&&a, &&b| gap(a).total_cmp(&gap(b))).unwrap();
            picked.push(next);
        }
        assert!(chosen.len() <= most);
        assert_eq!(chosen, picked, "class {c}: herding's picks in order");
    }
}

#[test]
fn arms_are_real_runs_and_the_arm_shown_changes_no_number() {
    let config = preset("forgetting_blobs");
    let end = 2 * config.forgetting.phase_steps;
    let mut shown_sv = engine(config.clone());
    shown_sv.advance(end);
    let mut other = config.clone();
    other.forgetting.shown = Arm::Random;
    let mut shown_random = engine(other);
    shown_random.advance(end);
    assert_eq!(records(&shown_sv), records(&shown_random));
    // Switching the arm shown half-way through the second phase changes nothing either, and the engine's run
    // becomes that arm.
    let mut switched = engine(config.clone());
    switched.advance(end - 1000);
    switched.merge_config(r#"{"forgetting": {"shown": "all_old"}}"#).unwrap();
    assert!(
        !switched.history().iter().any(|m| m.step >= config.forgetting.phase_steps),
        "the other arm's history is dropped"
    );
    switched.advance(1000);
    assert_eq!(records(&switched), records(&shown_sv));
    let v = shown_sv.forgetting().unwrap().view();
    let last = |a: Arm| *v.arms.iter().find(|x| x.arm == a).unwrap().history.last().unwrap();
    assert_eq!(last(Arm::AllOld).step, end);
    // Real runs: forgetting without a memory, remembering with all the old data.
    assert_eq!(last(Arm::None).old_acc, 0.0);
    assert_eq!(last(Arm::AllOld).old_acc, 1.0);
    assert_eq!(switched.session().config().forgetting.shown, Arm::AllOld);
    let all_old_acc = switched.metrics().unwrap().acc_test;
    assert_eq!(all_old_acc, last(Arm::AllOld).acc, "the engine's run is the arm shown");
    // The run ends with its second phase.
    assert!(shown_sv.finished());
    assert_eq!(shown_sv.run(100, &|| 0.0, f64::INFINITY), 0);
    assert_eq!(shown_sv.step(), end);
}

/// Every arm's final record, recomputed from run.json by hand: each arm shown in turn (which arm is shown
/// changes no number, as above), its network's layers applied to the test points here: old-class, new-class
/// and overall test accuracy.
#[test]
fn every_arms_record_recomputes_from_run_json() {
    let config = preset("forgetting_blobs");
    for arm in Arm::ALL {
        let mut c = config.clone();
        c.forgetting.shown = arm;
        let mut e = engine(c);
        e.advance(2 * config.forgetting.phase_steps);
        let run = run_json(&e);
        let f = &run["forgetting"];
        assert_eq!(f["budget"], 4);
        assert_eq!(f["shown"], arm.name());
        assert_eq!(f["old_classes"], serde_json::json!(["class 0", "class 1"]));
        assert_eq!(f["new_classes"], serde_json::json!(["class 2", "class 3"]));
        let arms = f["arms"].as_array().unwrap();
        let names: Vec<&str> = arms.iter().map(|a| a["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["none", "supportnet", "linear_svm", "random", "class_means", "all_old"]);
        let old_points = run["train"]["labels"].as_array().unwrap().iter().filter(|l| l.as_u64().unwrap() < 2).count();
        for a in arms {
            let history = a["history"].as_array().unwrap();
            let steps: Vec<u64> = history.iter().map(|p| p["step"].as_u64().unwrap()).collect();
            assert_eq!(steps.first(), Some(&2000));
            assert_eq!(steps.last(), Some(&4000));
            assert!(steps.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(a["final"], *history.last().unwrap());
            assert!(a["memory"].as_array().unwrap().iter().all(|m| (m.as_u64().unwrap() as usize) < old_points));
        }
        // The network in run.json is the shown arm's at the last step.
        let layers = run["network"]["layers"].as_array().unwrap();
        let forward = |x: &[f64]| -> Vec<f64> {
            let mut a = x.to_vec();
            for (l, layer) in layers.iter().enumerate() {
                let w = layer["weights"].as_array().unwrap();
                let b: Vec<f64> = serde_json::from_value(layer["biases"].clone()).unwrap();
                let mut z = b.clone();
                for (i, row) in w.iter().enumerate() {
                    for (j, v) in row.as_array().unwrap().iter().enumerate() {
                        z[j] += a[i] * v.as_f64().unwrap();
                    }
                }
                a = if l + 1 < layers.len() { z.iter().map(|v| v.tanh()).collect() } else { z };
            }
            a
        };
        let inputs = run["test"]["inputs"].as_array().unwrap();
        let labels: Vec<usize> = serde_json::from_value(run["test"]["labels"].clone()).unwrap();
        let mut right = [0usize; 2];
        let mut total = [0usize; 2];
        for (x, &y) in inputs.iter().zip(&labels) {
            let x: Vec<f64> = serde_json::from_value(x.clone()).unwrap();
            let out = forward(&x);
            let predicted = (0..out.len()).max_by(|&a, &b| out[a].total_cmp(&out[b])).unwrap();
            let old = usize::from(y >= 2);
            total[old] += 1;
            right[old] += usize::from(predicted == y);
        }
        let shown = arms.iter().find(|a| a["name"] == arm.name()).unwrap();
        let close = |v: &Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-12;
        assert!(close(&shown["final"]["old_acc"], right[0] as f64 / total[0] as f64), "{arm:?}");
        assert!(close(&shown["final"]["new_acc"], right[1] as f64 / total[1] as f64), "{arm:?}");
        assert!(close(&shown["final"]["acc"], (right[0] + right[1]) as f64 / labels.len() as f64), "{arm:?}");
    }
}

/// SupportNet's consolidation regularisers, as an option: they change the SupportNet arm's run only, and
/// they pull it towards the first phase's network — with EWC its parameters end nearer θ* in the Fisher
/// metric, and with the feature regulariser its memory's features end nearer their first-phase values. (The
/// preset trains by gradient descent with η = 0.5: a feature regulariser of 3 or more overshoots there, as any
/// penalty too stiff for the step size does.)
#[test]
fn consolidation_changes_supportnet_alone_and_holds_it_near_the_first_phase() {
    let config = preset("forgetting_blobs");
    let phase = config.forgetting.phase_steps;
    let run = |ewc: f64, feature_reg: f64| {
        let mut c = config.clone();
        c.forgetting.ewc = ewc;
        c.forgetting.feature_reg = feature_reg;
        c.forgetting.shown = Arm::SupportNet;
        let mut e = engine(c);
        e.advance(phase + 300);
        e
    };
    let plain = run(0.0, 0.0);
    let ewc = run(1e6, 0.0);
    let feature = run(0.0, 1.0);
    // θ* and the memory: the first phase's network, trained here alone.
    let mut first = lastlayer::session::Session::new(config.clone(), &library_with_digits()).unwrap();
    first.train(phase);
    let anchor = first.network().clone();
    let old_x = first.x_train().to_owned();
    let old_y = first.split().train.labels.clone();
    let fisher = lastlayer::nn::trainer::fisher_diagonal(&anchor, old_x.view(), &old_y, config.train.loss);
    let others = |e: &Engine| records(e).into_iter().filter(|r| !r.starts_with("SupportNet")).collect::<Vec<_>>();
    for e in [&ewc, &feature] {
        assert_eq!(others(e), others(&plain), "the other arms are untouched");
        assert_ne!(e.session().network(), plain.session().network(), "the SupportNet arm trained otherwise");
    }
    // The Fisher-weighted distance to θ* over the hidden layers (the output layer gained rows).
    let hidden = anchor.depth() - 1;
    let fisher_distance = |e: &Engine| {
        let net = e.session().network();
        let mut d = 0.0;
        for (l, t) in net.trainable(0).into_iter().filter(|&(l, _)| l < hidden) {
            for (i, (&a, &b)) in net.tensor(l, t).iter().zip(anchor.tensor(l, t)).enumerate() {
                d += fisher.tensor(l, t)[i] * (a - b) * (a - b);
            }
        }
        d
    };
    assert!(
        fisher_distance(&ewc) < 0.5 * fisher_distance(&plain),
        "{} vs {}",
        fisher_distance(&ewc),
        fisher_distance(&plain)
    );
    let v = plain.forgetting().unwrap().view();
    let memory: Vec<usize> = v.arms.iter().find(|a| a.arm == Arm::SupportNet).unwrap().memory.clone();
    let memory_x = old_x.select(ndarray::Axis(0), &memory);
    let before = anchor.hidden_features(memory_x.view());
    let drift = |e: &Engine| (&e.session().network().hidden_features(memory_x.view()) - &before).mapv(|v| v * v).sum();
    assert!(drift(&feature) < 0.5 * drift(&plain), "{} vs {}", drift(&feature), drift(&plain));
}

#[test]
fn bad_settings_are_refused_and_the_run_survives() {
    let mut e = engine(preset("moons"));
    e.advance(20);
    let before = e.session().config().clone();
    let err = e.merge_config(r#"{"forgetting": {"on": true}}"#).unwrap_err().to_string();
    assert!(err.contains("at least four classes") && err.contains("has 2"), "{err}");
    assert_eq!(e.session().config(), &before);
    assert_eq!(e.step(), 20, "the run goes on where it was");
    let mut four = engine(preset("forgetting_blobs"));
    let err = four.merge_config(r#"{"forgetting": {"budget": 100000}}"#).unwrap_err().to_string();
    assert!(err.contains("forgetting.budget"), "{err}");
    let err = four.merge_config(r#"{"forgetting": {"budget": 500}}"#).unwrap_err().to_string();
    assert!(err.contains("a memory of 500 points is more than the 160 training points of the old classes"), "{err}");
    let err = four.merge_config(r#"{"forgetting": {"budget": 0}}"#).unwrap_err().to_string();
    assert!(err.contains("forgetting.budget = 0 is out of range"), "{err}");
    let err = four.merge_config(r#"{"forgetting": {"ewc": -1}}"#).unwrap_err().to_string();
    assert!(err.contains("forgetting.ewc = -1 is out of range"), "{err}");
    let err = four.merge_config(r#"{"forgetting": {"shown": "best"}}"#).unwrap_err().to_string();
    assert!(err.contains("unknown variant `best`"), "{err}");
    assert_eq!(four.session().config(), &preset("forgetting_blobs"));
    // A link written before SupportNet was built as its paper builds it names the arm "support_vectors".
    four.merge_config(r#"{"forgetting": {"shown": "support_vectors"}}"#).unwrap();
    assert_eq!(four.session().config().forgetting.shown, Arm::SupportNet);
    // Three digit classes kept: not enough either.
    let mut digits = preset("digits_012");
    digits.forgetting.on = true;
    let err = Engine::new(digits, library_with_digits()).err().unwrap().to_string();
    assert!(err.contains("has 3"), "{err}");
}

/// A first phase that never separates the old classes says so (and still runs its arms).
#[test]
fn an_unseparated_first_phase_is_said() {
    let mut config = preset("forgetting_blobs");
    config.data.noise = 0.3;
    config.forgetting.phase_steps = 3;
    let mut e = engine(config);
    e.advance(8);
    let v = e.forgetting().unwrap().view();
    let note = v.note.as_ref().expect("a note on the first phase");
    assert!(note.contains("had not separated the old classes"), "{note}");
    let mut page = lastlayer::page::PageState::default();
    page.apply(e.snapshot(&Default::default()).0);
    assert!(page.banners().iter().any(|b| b.text == *note && b.kind == "warn"));
    assert!(page.banners().iter().any(|b| b.text.starts_with("Forgetting, phase 2 (complete at step 6)")));
}

/// What the views draw of the experiments: the shown arm's memory marked in the input and feature views (the
/// old points it rehearses), and arrows from the test points nearest the boundary to their adversarial points.
#[test]
fn the_views_mark_the_memory_and_the_attacks() {
    use lastlayer::scene::{self, Marker};
    use lastlayer::snapshot::{FeatureProjection, InputProjection};
    let mut e = engine(preset("forgetting_blobs"));
    e.advance(2100);
    let mut page = lastlayer::page::PageState::default();
    page.apply(e.snapshot(&Default::default()).0);
    let v = e.forgetting().unwrap().view();
    let shown = v.arms.iter().find(|a| a.arm == v.shown).unwrap();
    let expected: Vec<usize> = shown.memory.iter().map(|&m| v.old_points[m]).collect();
    assert!(expected.iter().all(|&i| page.data.as_ref().unwrap().train_labels[i] < 2), "memory points are old classes");
    let input = scene::input::build(&page, InputProjection::Pca, 32, true, None).unwrap();
    assert_eq!(input.memory, expected);
    let feature = scene::feature::build(&page, FeatureProjection::SvmNetwork, 32, true).unwrap();
    assert_eq!(feature.memory, expected);

    // The angle chart says why some arms have no line (when some have one).
    // (Shown: the arm without a memory, whose accuracy on all training points plateaus near half.)
    let mut forgets = preset("forgetting_blobs");
    forgets.forgetting.shown = Arm::None;
    let mut end = engine(forgets);
    end.advance(4000);
    let mut page = lastlayer::page::PageState::default();
    page.apply(end.snapshot(&Default::default()).0);
    let charts = scene::experiment::build(&page).unwrap();
    let angle = charts.panels.iter().find(|p| p.title.starts_with("Angle of the last layer")).unwrap();
    let without: Vec<&str> =
        angle.series.iter().filter(|s| s.points.iter().all(|p| !p.1.is_finite())).map(|s| s.label.as_str()).collect();
    assert!(!without.is_empty() && without.len() < angle.series.len(), "{without:?}");
    let note = angle.note.as_deref().unwrap();
    assert_eq!(note, "arms without a line misclassify a training point: no SVM limit");
    assert!(!page.banners().iter().any(|b| b.text.contains("stall")), "no stall advice for the intended forgetting");

    let mut a = engine(preset("adversarial_moons"));
    a.advance(500);
    let mut page = lastlayer::page::PageState::default();
    page.apply(a.snapshot(&Default::default()).0);
    let input = scene::input::build(&page, InputProjection::Pca, 32, true, None).unwrap();
    let arrows = input.curves.iter().find(|c| c.kind == Marker::Attack).expect("arrows");
    assert_eq!(arrows.lines.len(), scene::input::ARROWS);
    let m = a.latest().unwrap();
    let mut nearest: Vec<_> = m.adversarial.iter().filter(|p| p.test).collect();
    nearest.sort_by(|x, y| x.distance.total_cmp(&y.distance));
    let test = &page.data.as_ref().unwrap().test;
    for (line, p) in arrows.lines.iter().zip(nearest) {
        assert_eq!(line[0], [test[[p.index, 0]], test[[p.index, 1]]]);
        assert_eq!(line[1], [p.point[0], p.point[1]]);
    }
}
