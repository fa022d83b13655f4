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
    /// Print the iterate after every unit of the solver instead (Crammer–Singer).
    pub trace: bool,
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
    let bytes = std::fs::read(&args.csv).map_err(|e| format!("{}: {e}", args.csv.display()))?;
    let table = if lastlayer::netfile::Format::sniff(&bytes).is_some() {
        let name = args.csv.display().to_string();
        let file = lastlayer::netfile::NetworkFile::read(&[(name.as_str(), bytes.as_slice())])?;
        let k = file.classes();
        (file.features, file.labels, k)
    } else {
        let text = String::from_utf8(bytes).map_err(|e| format!("{}: not text: {e}", args.csv.display()))?;
        let rules = csv_io::TableRules {
            max_rows: csv_io::MAX_ROWS,
            max_features: usize::MAX,
            max_classes: 1000,
            ..Default::default()
        };
        let table = csv_io::parse_table(&text, "data", &rules).map_err(|e| format!("{}: {e}", args.csv.display()))?;
        let k = table.classes();
        (table.inputs, table.labels, k)
    };
    let (inputs, labels, classes) = table;
    if args.trace {
        return trace(&params, inputs.view(), &labels, classes);
    }
    let fit = || -> Result<_, String> {
        let start = Instant::now();
        let model = if args.formulation == "crammer-singer" {
            params.fit_multiclass(inputs.view(), &labels, classes, None)
        } else {
            params.fit(inputs.view(), &labels, classes, None)
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

/// `--trace`: one JSON line per unit of the solver (an epoch, or a certificate with its finish) — the solver's
/// time so far, its own excluding the printing, and the classifier its dual variables give — so that a
/// benchmark can find when the solve reached an objective, computed by itself.
fn trace(params: &SvmParams, x: ndarray::ArrayView2<f64>, y: &[usize], classes: usize) -> Result<(), String> {
    let started = Instant::now();
    let mut fit = params.start(x, y, classes, None).map_err(|e| e.to_string())?;
    let mut seconds = started.elapsed().as_secs_f64();
    for unit in 1.. {
        let t = Instant::now();
        let done = fit.advance(&mut 1.0);
        seconds += t.elapsed().as_secs_f64();
        let lin = fit.classifier_now().ok_or("--trace follows the Crammer–Singer solver (more than two classes)")?;
        let w: Vec<Vec<f64>> = lin.w.rows().into_iter().map(|r| r.to_vec()).collect();
        println!("{}", serde_json::json!({ "unit": unit, "ms": seconds * 1e3, "W": w, "b": lin.b, "done": done }));
        if done {
            break;
        }
    }
    Ok(())
}
