//! The run export (JSON): config, metric history, final weights, hidden features of the training points,
//! labels and the SVM solutions — everything needed to check a run's claims independently — and the metric
//! history as CSV.

use crate::session::{Metrics, Session};
use crate::svm::SvmModel;
use serde_json::{json, Value};

/// An SVM solution as JSON: `w`/`b` for a binary machine (f(h) = w·h + b, positive for class 1), `W`/`b` for
/// K rows, then its certificates.
pub fn svm_json(model: &SvmModel) -> Value {
    let mut out = if model.linear.w.nrows() == 1 {
        json!({ "w": model.linear.w.row(0).to_vec(), "b": model.linear.b[0] })
    } else {
        json!({ "W": model.linear.w.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(), "b": model.linear.b })
    };
    let s = &model.stats;
    let extra = json!({
        "formulation": model.formulation,
        "primal": s.primal,
        "dual": s.dual,
        "gap": s.gap,
        "rel_gap": s.rel_gap,
        "angle_bound_deg": s.angle_bound_deg,
        "support": model.support,
        "epochs": s.epochs,
        "capped": s.capped,
        "separable": model.separable,
    });
    let map = out.as_object_mut().expect("built as an object");
    map.extend(extra.as_object().expect("built as an object").clone());
    out
}

/// The whole run as JSON (see the module docs). Takes `&mut` to bring the metrics up to date first.
pub fn run_json(session: &mut Session) -> Value {
    let latest = session.metrics();
    let net = session.network();
    let layers: Vec<Value> = net
        .weights
        .iter()
        .zip(&net.biases)
        .map(|(w, b)| json!({ "weights": w.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(), "biases": b.to_vec() }))
        .collect();
    let split = session.split();
    let fits = session.fits();
    json!({
        "format": "lastlayer-run/1",
        "config": session.config(),
        "steps": session.step(),
        "last_layer_only": session.last_layer_only(),
        "diverged": session.diverged().map(|(step, reason)| json!({ "step": step, "reason": reason })),
        "metrics": session.history(),
        "final": latest,
        "network": { "activation": net.activation, "layers": layers, "note": "weights are (inputs × outputs); scores = h·W + b" },
        "train": {
            "points": split.train.points,
            "labels": split.train.labels,
            "features": session.features().rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        },
        "test": { "points": split.test.points, "labels": split.test.labels },
        "svm": {
            "regularised_bias": fits.regularised.as_ref().map(svm_json),
            "free_bias": fits.free.as_ref().map(svm_json),
            "error": fits.error,
            "fitted_at_step": fits.step,
        },
    })
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
