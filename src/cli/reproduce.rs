//! `lastlayer reproduce`: run a preset (or a config, or a CSV file) headless for N steps through the same
//! engine the page runs, and write run.json, metrics.csv and the figures, drawn by the page's renderer
//! through plotters' bitmap backend.

use lastlayer::config::Config;
use lastlayer::csv_io;
use lastlayer::engine::Cursor;
use lastlayer::engine::Engine;
use lastlayer::export::{metrics_csv, run_json};
use lastlayer::page::PageState;
use lastlayer::render::figures::{Figure, Seen};
use lastlayer::render::{draw_charts, draw_gallery, draw_plane, Style, Upsampler};
use lastlayer::scene;
use lastlayer::snapshot::FeatureProjection;
use lastlayer::snapshot::InputProjection;
use lastlayer::{format, presets};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Options of the `reproduce` command.
pub struct ReproduceArgs {
    pub preset: Option<String>,
    pub steps: Option<u64>,
    pub config: Option<PathBuf>,
    pub data: Option<PathBuf>,
    pub raw: bool,
    pub out: Option<PathBuf>,
    pub list: bool,
    /// "png", "svg" or "both".
    pub format: String,
    /// Runs the configuration with seeds 1..=N and summarises the final numbers (mean ± standard deviation).
    pub seeds: Option<u64>,
}

/// Runs the command.
pub fn run(args: &ReproduceArgs) -> Result<(), String> {
    if args.list {
        for p in presets::all() {
            println!("{:<20} {} ({} steps)", p.name, p.title, p.steps);
        }
        return Ok(());
    }
    let out = args.out.as_ref().ok_or("--out DIR is required (or --list)")?;
    let (mut config, default_steps, name) = match &args.preset {
        Some(name) => {
            let p = presets::find(name).ok_or_else(|| {
                format!(
                    "unknown preset '{name}'; `lastlayer reproduce --list` shows them: {}",
                    presets::all().iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                )
            })?;
            (p.config, p.steps, p.name.to_string())
        }
        None => (Config::default(), 10_000, "custom".to_string()),
    };
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        config = config.merged(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut engine = Engine::new(config, csv_io::library_with_digits()).map_err(|e| e.to_string())?;
    if let Some(path) = &args.data {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = path.file_name().map_or("data.csv".into(), |f| f.to_string_lossy().to_string());
        let n = engine.import_csv(&file, &text).map_err(|e| format!("{}: {e}", path.display()))?;
        if args.raw {
            engine.merge_config(r#"{"data": {"standardize": false}}"#).map_err(|e| e.to_string())?;
        }
        let split = engine.session().split();
        eprintln!(
            "{}: {n} rows, {} features, {} classes ({}); inputs {}",
            path.display(),
            split.train.width(),
            split.train.classes,
            split.info.class_names.join(", "),
            if engine.session().config().data.standardize { "standardised" } else { "in raw units" }
        );
    }
    let steps = args.steps.unwrap_or(default_steps);
    if let Some(n) = args.seeds {
        return seeds(engine.session().config(), engine.library(), steps, n, out);
    }
    let started = std::time::Instant::now();
    // Milliseconds since the start: no deadline is ever set, so the clock only times the SVM fits
    // (`svm_fit_ms`); the numbers do not depend on it.
    let clock = || started.elapsed().as_secs_f64() * 1e3;
    let mut next_report = 1u64;
    while engine.step() < steps && engine.session().diverged().is_none() && !engine.finished() {
        let target = next_report.min(steps);
        engine.run(target - engine.step(), &clock, f64::INFINITY);
        if engine.step() >= next_report || engine.step() == steps {
            if let Some(m) = engine.metrics() {
                eprintln!(
                    "step {:>9}  (measured at {:>9})  loss {:<10}  angle [w;b] {:>9}  w {:>9}  train acc {:.3}  test acc {:.3}",
                    engine.step(),
                    m.step,
                    format::power_of_ten(m.log10_loss_train),
                    format::degrees(m.angle_wb_deg),
                    format::degrees(m.angle_w_deg),
                    m.acc_train,
                    m.acc_test
                );
            }
            next_report = next_report.saturating_mul(10);
        }
    }
    engine.settle(&clock, f64::INFINITY);
    if let Some((step, reason)) = engine.session().diverged() {
        eprintln!("training diverged at step {step}: {reason}; writing the last finite state");
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |file: &str, text: String| -> Result<(), String> {
        let path = out.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    if let Some(m) = engine.metrics() {
        eprintln!(
            "final, step {}: loss {}, angle [w;b] {}, w {}, train acc {:.4}, test acc {:.4}, separable {}",
            m.step,
            format::power_of_ten(m.log10_loss_train),
            format::degrees(m.angle_wb_deg),
            format::degrees(m.angle_w_deg),
            m.acc_train,
            m.acc_test,
            m.separable
        );
    }
    write("run.json", serde_json::to_string_pretty(&run_json(&engine)).expect("JSON serialises"))?;
    write("metrics.csv", metrics_csv(engine.history()))?;
    let mut view = PageState::default();
    view.apply(engine.snapshot(&Cursor::default()).0);
    // What the page would say about this run (the theorem applies or not, stalled training, …).
    for banner in view.banners() {
        eprintln!("{}: {}", banner.kind, banner.text);
    }
    // And what it says of the theories.
    let summary = lastlayer::theory::summary(&view.history_with_latest());
    for line in [&summary.soudry, &summary.lyu_li, &summary.collapse] {
        eprintln!("theory: {line}");
    }
    let mut written = Vec::new();
    if args.format != "svg" {
        written.extend(figures(&view, out)?);
    }
    if args.format != "png" {
        written.extend(svg_figures(&view, out)?);
    }
    eprintln!(
        "{name}: {} steps in {:.1} s; wrote run.json, metrics.csv, {} to {}",
        engine.step(),
        started.elapsed().as_secs_f64(),
        written.join(", "),
        out.display()
    );
    Ok(())
}

/// Writes every figure of `view` that has something to show as SVG into `dir` (named by what it shows, the
/// preset and the step); returns their file names.
pub fn svg_figures(view: &PageState, dir: &Path) -> Result<Vec<String>, String> {
    register_font();
    let seen = Seen { input: InputProjection::Pca, feature: FeatureProjection::SvmNetwork, test: true };
    let mut written = Vec::new();
    for figure in Figure::ALL {
        if let Some(svg) = lastlayer::render::figures::svg(view, figure, seen, 96, None) {
            let name = lastlayer::render::figures::file_name(view, figure, "svg");
            std::fs::write(dir.join(&name), svg).map_err(|e| format!("{}: {e}", dir.join(&name).display()))?;
            written.push(name);
        }
    }
    Ok(written)
}

/// `--seeds N`: the configuration run with data and network seeds 1..=N for `steps` steps each; prints and
/// writes (seeds.json) each run's final numbers and their mean ± sample standard deviation.
fn seeds(config: &Config, library: &lastlayer::data::Library, steps: u64, n: u64, out: &Path) -> Result<(), String> {
    if n == 0 {
        return Err("--seeds must be at least 1".into());
    }
    let started = std::time::Instant::now();
    let runs = lastlayer::export::seed_runs(config, library, steps, n)?;
    for (seed, values) in &runs {
        eprintln!("seed {seed}: {}", values.iter().map(|(k, v)| format!("{k} {v:.4}")).collect::<Vec<_>>().join(", "));
    }
    eprintln!("{n} runs of {steps} steps in {:.1} s", started.elapsed().as_secs_f64());
    let names: Vec<String> = runs[0].1.iter().map(|(k, _)| k.clone()).collect();
    let mut summary = serde_json::Map::new();
    println!("{:<28} {:>10} {:>10}   (over {n} seeds, {steps} steps each)", "final value", "mean", "sd");
    for (i, name) in names.iter().enumerate() {
        let values: Vec<f64> = runs.iter().map(|(_, v)| v[i].1).filter(|v| v.is_finite()).collect();
        let (mean, sd) = lastlayer::export::mean_sd(&values);
        println!(
            "{name:<28} {mean:>10.4} {sd:>10.4}{}",
            if values.len() < runs.len() { "   (some runs undefined)" } else { "" }
        );
        summary.insert(name.clone(), serde_json::json!({ "mean": mean, "sd": sd, "runs": values.len() }));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let runs_json: Vec<serde_json::Value> = runs
        .iter()
        .map(|(seed, v)| {
            let values: serde_json::Map<String, serde_json::Value> = v
                .iter()
                .map(|(k, x)| (k.clone(), if x.is_finite() { serde_json::json!(x) } else { serde_json::Value::Null }))
                .collect();
            serde_json::json!({ "seed": seed, "final": values })
        })
        .collect();
    let json =
        serde_json::json!({ "config": config, "steps": steps, "seeds": n, "runs": runs_json, "summary": summary });
    let path = out.join("seeds.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON serialises"))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Registers the bundled DejaVu Sans as the renderer's "sans-serif" (no system fonts needed).
fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        // The bundled font is a valid TrueType file; a failure would only mean text is not drawn.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

/// Writes the figures of `view` into `dir`; returns their file names.
pub fn figures(view: &PageState, dir: &Path) -> Result<Vec<String>, String> {
    register_font();
    let style = Style::light(2.0);
    let fail = |e: String| format!("drawing failed: {e}");
    let mut written = Vec::new();
    let mut plane = |file: &str, scene: Option<scene::PlaneScene>| -> Result<(), String> {
        let Some(scene) = scene else { return Ok(()) };
        let path = dir.join(file);
        let root = BitMapBackend::new(&path, (1100, 1160)).into_drawing_area();
        draw_plane(&root, &scene, &style, &mut Upsampler).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
        written.push(file.to_string());
        Ok(())
    };
    // Figures get a finer heatmap than the page: up to 160 cells a side within 3·10⁷ multiply-adds.
    let side =
        view.measurement.as_ref().map_or(160, |m| ((3e7 / m.network.forward_cost()).sqrt() as usize).clamp(48, 160));
    plane("input_space.png", scene::input::build(view, InputProjection::Pca, side, true, None))?;
    plane("feature_space.png", scene::feature::build(view, FeatureProjection::SvmNetwork, 160, true))?;
    let history = view.history_with_latest();
    let path = dir.join("convergence.png");
    let root = BitMapBackend::new(&path, (1400, 1800)).into_drawing_area();
    draw_charts(&root, &scene::charts::build(&history), &style).map_err(|e| fail(e.to_string()))?;
    root.present().map_err(|e| fail(e.to_string()))?;
    written.push("convergence.png".into());
    let path = dir.join("theory.png");
    let root = BitMapBackend::new(&path, (1800, 1500)).into_drawing_area();
    let summary = lastlayer::theory::summary(&history);
    draw_charts(&root, &scene::theory::build(&history, &summary), &style).map_err(|e| fail(e.to_string()))?;
    root.present().map_err(|e| fail(e.to_string()))?;
    written.push("theory.png".into());
    if let Some(experiment) = scene::experiment::build(view) {
        let path = dir.join("experiment.png");
        let root = BitMapBackend::new(&path, (2000, 1680)).into_drawing_area();
        draw_charts(&root, &experiment, &style).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
        written.push("experiment.png".into());
    }
    let path = dir.join("strip.png");
    let (w, h) = Figure::Strip.size();
    let root = BitMapBackend::new(&path, (2 * w, 2 * h)).into_drawing_area();
    let seen = Seen { input: InputProjection::Pca, feature: FeatureProjection::SvmNetwork, test: true };
    lastlayer::render::figures::draw_strip(&root, view, seen, 48, &style).map_err(|e| fail(e.to_string()))?;
    root.present().map_err(|e| fail(e.to_string()))?;
    written.push("strip.png".into());
    if let Some(gallery) = scene::gallery::build(view) {
        let path = dir.join("gallery.png");
        let root = BitMapBackend::new(&path, (1400, 560)).into_drawing_area();
        draw_gallery(&root, &gallery, &style).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
        written.push("gallery.png".into());
    }
    Ok(written)
}
