//! `lastlayer svm`: fit the SVM to a CSV file and print the solution as one JSON object.

use lastlayer::csv_io;
use lastlayer::export::svm_json;
use lastlayer::svm::SvmParams;
use std::time::Instant;

/// Options of the `svm` command.
pub struct SvmArgs {
    pub csv: std::path::PathBuf,
    pub formulation: String,
    pub c: f64,
    pub tol: Option<f64>,
    pub bias_scale: Option<f64>,
    pub max_epochs: Option<usize>,
    /// Fits made; `ms` reports their median time.
    pub repeat: u32,
}

/// Runs the command: reads, fits, prints. Errors name the file and line.
pub fn run(args: &SvmArgs) -> Result<(), String> {
    let mut params = SvmParams { c: args.c, ..SvmParams::default() }
        .with_formulation(&args.formulation)
        .map_err(|e| e.to_string())?;
    if let Some(t) = args.tol {
        params.solver.tol = t;
    }
    if let Some(b) = args.bias_scale {
        params.bias_scale = b;
    }
    if let Some(e) = args.max_epochs {
        params.solver.max_epochs = e;
    }
    let text = std::fs::read_to_string(&args.csv).map_err(|e| format!("{}: {e}", args.csv.display()))?;
    let rules = csv_io::TableRules {
        max_rows: csv_io::MAX_ROWS,
        max_features: usize::MAX,
        max_classes: 1000,
        ..Default::default()
    };
    let table = csv_io::parse_table(&text, "data", &rules).map_err(|e| format!("{}: {e}", args.csv.display()))?;
    let fit = || -> Result<_, String> {
        let start = Instant::now();
        let model = if args.formulation == "crammer-singer" {
            params.fit_multiclass(table.inputs.view(), &table.labels, table.classes(), None)
        } else {
            params.fit(table.inputs.view(), &table.labels, table.classes(), None)
        }
        .map_err(|e| format!("{}: {e}", args.csv.display()))?;
        Ok((model, start.elapsed().as_secs_f64() * 1e3))
    };
    let (model, first_ms) = fit()?;
    let mut times = vec![first_ms];
    for _ in 1..args.repeat {
        times.push(fit()?.1);
    }
    lastlayer::order::sort_numbers(&mut times);
    let ms = times[times.len() / 2];
    let mut out = svm_json(&model);
    out["ms"] = serde_json::json!(ms);
    println!("{out}");
    Ok(())
}
