//! `lastlayer svm`: fit the SVM to a CSV file and print the solution as one JSON object.

use lastlayer::csv_io;
use lastlayer::svm::{SvmModel, SvmParams};
use serde_json::{json, Value};
use std::time::Instant;

/// Options of the `svm` command.
pub struct SvmArgs {
    pub csv: std::path::PathBuf,
    pub formulation: String,
    pub c: f64,
    pub tol: Option<f64>,
    pub bias_scale: Option<f64>,
    pub max_epochs: Option<usize>,
}

/// Runs the command: reads, fits, prints. Errors name the file and line.
pub fn run(args: &SvmArgs) -> Result<(), String> {
    let mut params = SvmParams { c: args.c, ..SvmParams::default() }.with_formulation(&args.formulation)?;
    if let Some(t) = args.tol {
        params.tol = t;
    }
    if let Some(b) = args.bias_scale {
        params.bias_scale = b;
    }
    if let Some(e) = args.max_epochs {
        params.max_epochs = e;
    }
    let text = std::fs::read_to_string(&args.csv).map_err(|e| format!("{}: {e}", args.csv.display()))?;
    let table = csv_io::parse_labeled(&text, None, usize::MAX).map_err(|e| format!("{}: {e}", args.csv.display()))?;
    let start = Instant::now();
    let model = if args.formulation == "crammer-singer" {
        params.fit_multiclass(table.features.view(), &table.labels, table.classes, None)
    } else {
        params.fit(table.features.view(), &table.labels, table.classes, None)
    }
    .map_err(|e| format!("{}: {e}", args.csv.display()))?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    println!("{}", solution_json(&model, ms));
    Ok(())
}

/// The printed object: `w`/`b` for a binary machine, `W`/`b` for K rows, then the certificates.
pub fn solution_json(model: &SvmModel, ms: f64) -> Value {
    let mut out = if model.weights.nrows() == 1 {
        json!({ "w": model.weights.row(0).to_vec(), "b": model.biases[0] })
    } else {
        json!({ "W": model.weights.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(), "b": model.biases })
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
        "ms": ms,
        "capped": s.capped,
        "separable": model.separable,
    });
    out.as_object_mut().expect("built as an object").extend(extra.as_object().expect("built as an object").clone());
    out
}
