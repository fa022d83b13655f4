//! `lastlayer check FILE…`: the lab's measurements on a network trained anywhere (see `lastlayer::check`):
//! writes report.json (run.json's `final` keys), the figures, and prints a short table.

use super::reproduce::{figures, svg_figures};
use lastlayer::check::{check, CheckOptions};
use lastlayer::format;
use lastlayer::netfile::NetworkFile;
use lastlayer::page::PageState;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of the `check` command.
pub struct CheckArgs {
    pub files: Vec<PathBuf>,
    pub svm: Option<String>,
    pub c: Option<f64>,
    pub tol: Option<f64>,
    pub out: Option<PathBuf>,
    pub format: String,
}

/// Reads the files, measures, writes and prints. Errors name the file and the array.
pub fn run(args: &CheckArgs) -> Result<(), String> {
    let started = Instant::now();
    let file = {
        let mut contents = Vec::new();
        for path in &args.files {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            contents.push((path.display().to_string(), bytes));
        }
        let named: Vec<(&str, &[u8])> = contents.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        NetworkFile::read(&named)?
    };
    let read_s = started.elapsed().as_secs_f64();
    let mut options = CheckOptions::default();
    if let Some(name) = &args.svm {
        options.svm = options.svm.clone().with_formulation(name).map_err(|e| e.to_string())?;
    }
    if let Some(c) = args.c {
        options.svm.c = c;
    }
    if let Some(t) = args.tol {
        options.svm.solver.tol = t;
    }
    options.svm.validate().map_err(|e| e.to_string())?;
    let (n, d) = file.features.dim();
    eprintln!(
        "read {} in {read_s:.1} s: {n} × {d} features{}, {} classes, {}{}; {} MB held",
        args.files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" + "),
        if file.float32 { " (float32)" } else { "" },
        file.classes(),
        file.head.as_ref().map_or("no last layer".to_string(), |h| format!(
            "a {} × {} last layer{}",
            h.weight.nrows(),
            h.weight.ncols(),
            if h.has_bias { "" } else { " without bias" }
        )),
        if file.checkpoints.is_empty() { String::new() } else { format!(", {} checkpoints", file.checkpoints.len()) },
        file.memory_bytes() / 1_000_000
    );
    for note in &file.notes {
        eprintln!("note: {note}");
    }
    let fit_started = Instant::now();
    let states = file.checkpoints.len() + 1;
    let result = check(&file, &options, &mut |done| {
        if states > 1 {
            eprintln!("measured {:.0}%", done * 100.0);
        }
        true
    })?;
    let fit_s = fit_started.elapsed().as_secs_f64();
    println!(
        "{:>8} {:>11} {:>11} {:>10} {:>10} {:>8} {:>8} {:>6} {:>9} {:>8}",
        "epoch", "angle [w;b]", "angle w", "margin net", "margin svm", "agr.test", "sv≈hard", "SVs", "sep.", "NC1"
    );
    for m in &result.history {
        println!(
            "{:>8} {:>11} {:>11} {:>10.4} {:>10.4} {:>8.4} {:>8.3} {:>6} {:>9} {:>8.3}",
            m.step,
            format::degrees(m.angle_wb_deg),
            format::degrees(m.angle_w_deg),
            m.margin_net,
            m.margin_svm,
            m.agree_test,
            m.sv_overlap,
            m.support_count,
            m.separable,
            m.nc1
        );
    }
    let e = &result.extra;
    println!(
        "SVM: {}, {} passes, certified relative gap {:.1e}; train agreement {:.4}; {:.1} s",
        e.formulation,
        e.epochs,
        result.history.last().map_or(f64::NAN, |m| m.svm_rel_gap),
        e.agree_train,
        fit_s
    );
    println!("{}", result.regime);
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("check-out"));
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut report = result.report_json(&file);
    report["files"] = serde_json::json!(args.files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>());
    report["seconds"] = serde_json::json!({ "read": read_s, "measure": fit_s });
    let path = out.join("report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report).expect("JSON serialises"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut written = vec!["report.json".to_string()];
    written.extend(draw(&result, &file, &args.files[0], &out, &args.format)?);
    eprintln!("wrote {} to {}", written.join(", "), out.display());
    Ok(())
}

/// The figures of the check, drawn by the page's renderer from the check's snapshot.
fn draw(
    result: &lastlayer::check::Check,
    file: &NetworkFile,
    first: &Path,
    out: &Path,
    format: &str,
) -> Result<Vec<String>, String> {
    let name = first.file_stem().map_or("file".into(), |s| s.to_string_lossy().to_string());
    let mut view = PageState::default();
    view.apply(result.snapshot(file, &name));
    let mut written = Vec::new();
    if format != "svg" {
        written.extend(figures(&view, out)?);
    }
    if format != "png" {
        written.extend(svg_figures(&view, out)?);
    }
    Ok(written)
}
