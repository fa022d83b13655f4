//! The run export (JSON): config, metric history, the network's weights, the inputs (in their own units,
//! with the standardisation the network saw them through), the hidden features of the training points and
//! the SVM solutions — everything needed to check a run's claims independently — and the history as CSV.

use crate::engine::Engine;
use crate::snapshot::{history_with, FitView, Metrics};
use crate::svm::{LinearClassifier, SolveStats, SvmModel};
use serde_json::{json, Value};

fn classifier_json(
    linear: &LinearClassifier,
    stats: &SolveStats,
    support: &[usize],
    separable: bool,
    formulation: &str,
) -> Value {
    let mut out = if linear.rows() == 1 {
        json!({ "w": linear.w.row(0).to_vec(), "b": linear.b[0] })
    } else {
        json!({ "W": linear.w.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(), "b": linear.b })
    };
    let extra = json!({
        "formulation": formulation,
        "primal": stats.primal,
        "dual": stats.dual,
        "gap": stats.gap,
        "rel_gap": stats.rel_gap,
        "angle_bound_deg": stats.angle_bound_deg,
        "support": support,
        "epochs": stats.epochs,
        "capped": stats.capped,
        "separable": separable,
    });
    out.as_object_mut().expect("built as an object").extend(extra.as_object().expect("built as an object").clone());
    out
}

/// An SVM solution as JSON: `w`/`b` for a binary machine (f(h) = w·h + b, positive for class 1), `W`/`b` for
/// K rows, then its certificates.
pub fn svm_json(model: &SvmModel) -> Value {
    classifier_json(&model.linear, &model.stats, &model.support, model.separable, &model.formulation)
}

/// A measurement's SVM as JSON (class-centred rows for K classes), in the same shape as [`svm_json`], plus
/// `dual`: the support vectors' dual variables (one per point for a binary machine, K for Crammer–Singer),
/// so that its optimality can be checked independently.
pub fn fit_json(fit: &FitView) -> Value {
    let mut out = classifier_json(&fit.linear, &fit.stats, &fit.support, fit.separable, &fit.formulation);
    out["dual"] = json!(fit.dual);
    out
}

/// The whole run as JSON (see the module docs). Its `final` numbers and SVMs are those of the engine's
/// newest measurement; settle the engine first to have them at the current step.
pub fn run_json(engine: &Engine) -> Value {
    let session = engine.session();
    let latest = engine.latest();
    let net = latest.map_or(session.network(), |m| &m.network);
    let layers: Vec<Value> = net.layers().iter().map(crate::nn::Layer::to_json).collect();
    let split = session.split();
    let rows = |x: &ndarray::Array2<f64>| x.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>();
    let standardizer = session.standardizer();
    let bounds = session.bounds();
    json!({
        "format": "lastlayer-run/4",
        "config": session.config(),
        "steps": session.step(),
        "last_layer_only": session.last_layer_only(),
        "diverged": session.diverged().map(|(step, reason)| json!({ "step": step, "reason": reason })),
        "metrics": engine.history(),
        "final": latest.map(|m| &m.metrics),
        "theory": crate::theory::summary(&history_with(engine.history(), latest.map(|m| &m.metrics))),
        "data": {
            "name": split.info.name,
            "feature_names": split.info.feature_names,
            "class_names": split.info.class_names,
            "image": split.info.image,
            "standardized": session.config().data.standardize,
            "mean": standardizer.mean,
            "scale": standardizer.scale,
            "note": "the network sees (input − mean)/scale",
            "plane": {
                "origin": session.plane().origin,
                "lift": rows(&session.plane().lift),
                "bounds": { "x": [bounds.x.0, bounds.x.1], "y": [bounds.y.0, bounds.y.1] },
                "agreement_grid": crate::measure::AGREEMENT_GRID,
                "note": "the input view's plane: plane point p ↦ input origin + lift·p; agreement is measured at the centres of an agreement_grid² grid over bounds",
            },
        },
        "network": {
            "activation": net.activation(),
            "biases": net.biased(),
            "input_shape": net.input_shape().dims(),
            "step": latest.map(|m| m.metrics.step),
            "layers": layers,
            "note": "dense weights are (inputs × outputs): z = a·W + b; conv weights are out × in × kh × kw, \
                     cross-correlation as torch.nn.Conv2d, with `pad` zeros before the input (top, left) and the \
                     rest after; pools are 2 × 2 with stride 2, odd rims dropped; images are channels × height × \
                     width and flatten in that order (torch.flatten); the activation follows every conv and every \
                     hidden dense layer, not the pools; the last layer's output are the scores",
        },
        "train": {
            "inputs": rows(&split.train.inputs),
            "labels": split.train.labels,
            "features": latest.map(|m| rows(&m.features_train)),
        },
        "test": { "inputs": rows(&split.test.inputs), "labels": split.test.labels },
        "svm": {
            "regularized_bias": latest.and_then(|m| m.regularized.as_ref()).map(fit_json),
            "free_bias": latest.and_then(|m| m.free.as_ref()).map(fit_json),
            "error": latest.and_then(|m| m.svm_error.clone()),
            "fitted_at_step": latest.map(|m| m.metrics.svm_fitted_at_step),
        },
        "adversarial": latest.filter(|m| !m.adversarial.is_empty()).map(adversarial_json),
        "forgetting": engine.forgetting().map(|f| forgetting_json(f.view(), &split.info.class_names)),
        "forgetting_error": engine.forgetting_error(),
    })
}

/// A class-incremental run's arms as JSON: the budget and the classes of each phase, and per arm its memory
/// (indices into the old training points, which are the training points of the old classes in their
/// order), its record through the second phase and its final numbers.
fn forgetting_json(v: &crate::snapshot::ForgettingView, class_names: &[String]) -> Value {
    let finite = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    let point = |p: &crate::snapshot::ArmPoint| {
        json!({
            "step": p.step,
            "old_acc": finite(p.old_acc),
            "new_acc": finite(p.new_acc),
            "acc": finite(p.acc),
            "angle_wb_deg": finite(p.angle_wb_deg),
        })
    };
    let arms: Vec<Value> = v
        .arms
        .iter()
        .map(|a| {
            json!({
                "name": a.arm.name(),
                "memory": a.memory,
                "history": a.history.iter().map(point).collect::<Vec<_>>(),
                "final": a.history.last().map(point),
            })
        })
        .collect();
    json!({
        "budget": v.budget,
        "phase_steps": v.phase_steps,
        "old_classes": class_names[..v.old_classes],
        "new_classes": class_names[v.old_classes..],
        "support_vectors": v.support_count,
        "supportnet_support_vectors": v.kernel_support_count,
        "phase_one_accuracy": v.phase_one_accuracy,
        "note": v.note,
        "shown": v.shown.name(),
        "old_points": "memory indices count the old classes' training points in the order of train.inputs",
        "arms": arms,
    })
}

/// A measurement's adversarial examples as JSON: per attacked point its set and index, the network's
/// crossing (distance, the adversarial point, the classes before and after) and the SVM's pulled back, and
/// its distance to the SVM's boundary in the feature space (NaN, written as null, where nothing was found).
fn adversarial_json(m: &crate::snapshot::Measurement) -> Value {
    let finite = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
    let points: Vec<Value> = m
        .adversarial
        .iter()
        .map(|p| {
            json!({
                "set": if p.test { "test" } else { "train" },
                "index": p.index,
                "distance": finite(p.distance),
                "searched": finite(p.searched),
                "point": p.point,
                "from_class": p.from,
                "to_class": p.to,
                "svm_distance": finite(p.svm_distance),
                "svm_searched": finite(p.svm_searched),
                "svm_point": p.svm_point,
                "svm_to_class": p.svm_to,
                "feature_distance": finite(p.feature_distance),
            })
        })
        .collect();
    json!({
        "measured_at_step": m.metrics.step,
        "units": "the data's own units (standardisation undone), l2",
        "note": "a point whose search found no crossing has distance null and `searched`, the reach searched: a lower bound on its distance",
        "missed": m.metrics.adv_missed,
        "missed_svm": m.metrics.adv_missed_svm,
        "points": points,
    })
}

/// [`run_json`] as text.
pub fn run_json_text(engine: &Engine) -> String {
    serde_json::to_string(&run_json(engine)).expect("JSON serialises")
}

/// The metric history as CSV, one row per recorded step (NaN written as empty cells).
pub fn metrics_csv(history: &[Metrics]) -> String {
    let rows: Vec<Value> = history.iter().map(|m| serde_json::to_value(m).expect("metrics serialise")).collect();
    let Some(first) = rows.first().and_then(Value::as_object) else {
        return String::new();
    };
    let columns: Vec<&String> = first.keys().collect();
    let mut out = columns.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",");
    out.push('\n');
    for row in &rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match &row[c.as_str()] {
                Value::Null => String::new(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => other.to_string(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A run's final numbers for a summary over seeds, as (name, value) pairs: the angle and the test accuracy;
/// with adversarial examples on, their distances, rank correlation and the SVM's margin; in a
/// class-incremental run, each arm's final old-class, new-class and overall test accuracy
/// (`supportnet.old_acc`, …).
pub fn finals(engine: &Engine) -> Finals {
    let mut out = Vec::new();
    if let Some(m) = engine.metrics() {
        out.push(("angle_wb_deg".into(), m.angle_wb_deg));
        out.push(("acc_test".into(), m.acc_test));
        if engine.session().config().attack.on {
            for (name, v) in [
                ("adv_median", m.adv_median),
                ("adv_min", m.adv_min),
                ("adv_median_svm", m.adv_median_svm),
                ("adv_rank_corr", m.adv_rank_corr),
                ("adv_missed", m.adv_missed),
                ("adv_missed_svm", m.adv_missed_svm),
                ("margin_svm", m.margin_svm),
            ] {
                out.push((name.into(), v));
            }
        }
    }
    if let Some(f) = engine.forgetting() {
        for a in &f.view().arms {
            if let Some(p) = a.history.last() {
                for (what, v) in [("old_acc", p.old_acc), ("new_acc", p.new_acc), ("acc", p.acc)] {
                    out.push((format!("{}.{what}", a.arm.name()), v));
                }
            }
        }
    }
    out
}

/// A run's final numbers by name (see [`finals`]).
pub type Finals = Vec<(String, f64)>;

/// `config` run with data and network seeds 1..=`n` for `steps` steps each (tables from `library`): each
/// seed's [`finals`], in seed order. What `lastlayer reproduce --seeds N` prints and the claims tests check.
/// The seeds are independent runs and share the machine's cores (the answer does not depend on how many).
pub fn seed_runs(
    config: &crate::config::Config,
    library: &crate::data::Library,
    steps: u64,
    n: u64,
) -> Result<Vec<(u64, Finals)>, String> {
    if n == 0 {
        return Err("--seeds must be at least 1".into());
    }
    let one = |seed: u64| -> Result<(u64, Finals), String> {
        let mut c = config.clone();
        c.data.seed = seed;
        c.network.seed = seed;
        let mut engine = Engine::new(c, library.clone()).map_err(|e| format!("seed {seed}: {e}"))?;
        engine.advance(steps);
        if let Some(e) = engine.forgetting_error() {
            return Err(format!("seed {seed}: {e}"));
        }
        Ok((seed, finals(&engine)))
    };
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(n as usize);
    if threads <= 1 {
        return (1..=n).map(one).collect();
    }
    // Seed s runs on thread (s − 1) mod threads; the results are put back in seed order.
    let mut runs: Vec<Result<(u64, Finals), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|t| {
                let one = &one;
                scope.spawn(move || (1..=n).filter(|s| (s - 1) % threads as u64 == t).map(one).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a seed's run does not panic")).collect()
    });
    runs.sort_by_key(|r| r.as_ref().map_or(0, |(s, _)| *s));
    runs.into_iter().collect()
}

/// The mean and the sample standard deviation of `values` (NaN where undefined).
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = if values.is_empty() { f64::NAN } else { values.iter().sum::<f64>() / n };
    let sd = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    (mean, sd)
}

/// The run's newest measurement as a network's file (see [`crate::netfile`]): the training and test points'
/// last-hidden-layer outputs, the labels and class names, the last layer, and — when the images are the
/// inputs — the training inputs; `None` before the first measurement. What `lastlayer check` reads back.
pub fn network_file(engine: &Engine) -> Option<crate::netfile::NetworkFile> {
    let m = engine.latest()?;
    let session = engine.session();
    let split = session.split();
    if m.features_train.nrows() != split.train.labels.len() {
        return None;
    }
    let (w, b) = m.network.head();
    let test = (!split.test.labels.is_empty())
        .then(|| (m.network.hidden_features(session.x_test()), split.test.labels.clone()));
    let inputs = split
        .info
        .image
        .map(|[w, h]| crate::netfile::Inputs { values: split.train.inputs.clone(), image: Some([h, w, 1]) });
    Some(crate::netfile::NetworkFile {
        features: m.features_train.clone(),
        labels: split.train.labels.clone(),
        class_names: split.info.class_names.clone(),
        head: Some(crate::netfile::Head { weight: w, bias: b, has_bias: true }),
        test,
        checkpoints: Vec::new(),
        inputs,
        notes: Vec::new(),
        float32: false,
    })
}
