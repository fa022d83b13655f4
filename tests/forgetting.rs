//! Class-incremental runs (src/forgetting.rs), as a researcher would check them: the phases see the data
//! they should, every arm's memory follows its rule (recomputed here independently: the SVM refitted, the
//! strata counted, the herding's first pick found by hand), the arms are real and independent training runs
//! (which arm is shown changes no arm's numbers), the run ends with its second phase, the shown arm's final
//! record recomputes from run.json, and bad settings are refused with the previous run kept.
#![cfg(not(target_arch = "wasm32"))]

use lastlayer::config::{Arm, Config};
use lastlayer::csv_io::library_with_digits;
use lastlayer::engine::Engine;
use lastlayer::export::run_json;
use lastlayer::session::Phase;
use lastlayer::svm::{BiasMode, Loss, SvmParams};
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
    let config = preset("forgetting_blobs");
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
    assert_eq!(v.support_count, svm.support.len());
    assert_eq!(v.budget, svm.support.len(), "the default budget is the number of support vectors");
    assert_eq!(v.old_points.len(), old_train);
    let memory = |arm: Arm| v.arms.iter().find(|a| a.arm == arm).unwrap().memory.clone();
    let mut sv = memory(Arm::SupportVectors);
    sv.sort_unstable();
    assert_eq!(sv, svm.support, "the support-vector arm rehearses exactly the SVM's support vectors");
    assert!(memory(Arm::None).is_empty());
    assert_eq!(memory(Arm::AllOld), (0..old_train).collect::<Vec<_>>());
    // Random: stratified — each class in proportion to its share of the old points (equal here).
    let per_class = |m: &[usize]| (0..2).map(|c| m.iter().filter(|&&i| labels[i] == c).count()).collect::<Vec<_>>();
    assert_eq!(per_class(&memory(Arm::Random)), vec![1, 1]);
    // Class means: each class's first pick is its point nearest the class mean of the features.
    let herded = memory(Arm::ClassMeans);
    assert_eq!(per_class(&herded), vec![1, 1]);
    for c in 0..2 {
        let members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        let mean: Vec<f64> = (0..features.ncols())
            .map(|j| members.iter().map(|&i| features[[i, j]]).sum::<f64>() / members.len() as f64)
            .collect();
        let gap = |i: usize| (0..mean.len()).map(|j| (features[[i, j]] - mean[j]).powi(2)).sum::<f64>();
        let nearest = *members.iter().min_by(|&&a, &&b| gap(a).total_cmp(&gap(b))).unwrap();
        assert!(herded.contains(&nearest), "class {c}: herding starts at the point nearest the mean");
    }
    // A budget: the support vectors first, then the next-smallest margins; random keeps the strata.
    let mut with_budget = config.clone();
    with_budget.forgetting.budget = Some(9);
    let mut b = engine(with_budget);
    b.advance(phase + 1);
    let v = b.forgetting().unwrap().view();
    let arm = |a: Arm| v.arms.iter().find(|x| x.arm == a).unwrap().memory.clone();
    assert!(svm.support.iter().all(|i| arm(Arm::SupportVectors).contains(i)));
    assert_eq!(arm(Arm::SupportVectors).len(), 9);
    let counts = per_class(&arm(Arm::Random));
    assert_eq!(counts.iter().sum::<usize>(), 9);
    assert!(counts[0].abs_diff(counts[1]) <= 1, "stratified: {counts:?}");
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

/// The shown arm's final record, recomputed from run.json by hand (its network's layers and the test points):
/// old-class, new-class and overall test accuracy.
#[test]
fn the_shown_arms_record_recomputes_from_run_json() {
    let config = preset("forgetting_blobs");
    let mut e = engine(config.clone());
    e.advance(2 * config.forgetting.phase_steps);
    let run = run_json(&e);
    let f = &run["forgetting"];
    assert_eq!(f["budget"], 2);
    assert_eq!(f["old_classes"], serde_json::json!(["class 0", "class 1"]));
    assert_eq!(f["new_classes"], serde_json::json!(["class 2", "class 3"]));
    let arms = f["arms"].as_array().unwrap();
    let names: Vec<&str> = arms.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["none", "support_vectors", "random", "class_means", "all_old"]);
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
    // The network in run.json is the shown arm's at the last step: its test accuracies, by hand.
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
    let shown = arms.iter().find(|a| a["name"] == "support_vectors").unwrap();
    let close = |v: &Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-12;
    assert!(close(&shown["final"]["old_acc"], right[0] as f64 / total[0] as f64));
    assert!(close(&shown["final"]["new_acc"], right[1] as f64 / total[1] as f64));
    assert!(close(&shown["final"]["acc"], (right[0] + right[1]) as f64 / labels.len() as f64));
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
    let err = four.merge_config(r#"{"forgetting": {"shown": "best"}}"#).unwrap_err().to_string();
    assert!(err.contains("unknown variant `best`"), "{err}");
    assert_eq!(four.session().config(), &preset("forgetting_blobs"));
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
