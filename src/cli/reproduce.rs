//! `lastlayer reproduce`: run a preset (or a config, or a CSV file) headless for N steps through the same
//! engine the page runs, and write run.json, metrics.csv and the figures, drawn by the page's renderer
//! through plotters' bitmap backend.

use lastlayer::config::{Arm, Config};
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
    /// With `seeds`: the memory budgets to chart (empty: the configuration's own).
    pub budgets: Vec<usize>,
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
    if !args.budgets.is_empty() {
        let n = args.seeds.ok_or("--budgets needs --seeds N")?;
        return budgets(engine.session().config(), engine.library(), steps, n, &args.budgets, out);
    }
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
    // The newest measurement's features and last layer, as `lastlayer check` and NumPy read them.
    if let Some(file) = lastlayer::export::network_file(&engine) {
        let path = out.join("network.npz");
        std::fs::write(&path, file.to_npz()?).map_err(|e| format!("{}: {e}", path.display()))?;
    }
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
    let paired = paired_differences(&runs, "old_acc");
    if !paired.is_empty() {
        println!(
            "\nold-class test accuracy, paired by seed: mean difference and its 95% t-interval over {n} seeds \
             (a ranking only where the interval excludes 0)"
        );
        for p in &paired {
            println!("{:<26} {:>+8.4}  [{:>+8.4}, {:>+8.4}]   {}", p.name, p.mean, p.lo, p.hi, p.verdict());
        }
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
    let paired_json: serde_json::Map<String, serde_json::Value> = paired
        .iter()
        .map(|p| (p.name.clone(), serde_json::json!({ "mean": p.mean, "lo": p.lo, "hi": p.hi, "runs": p.runs })))
        .collect();
    let json = serde_json::json!({
        "config": config, "steps": steps, "seeds": n, "runs": runs_json, "summary": summary,
        "paired_old_acc": paired_json,
    });
    let path = out.join("seeds.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON serialises"))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `--budgets B1,B2,… --seeds N`: the class-incremental run at each budget over seeds 1..=N; writes
/// budgets.json (per budget and arm: the old-class test accuracy's mean, its 95% t-interval and the paired
/// differences) and budgets.svg (the means against the budget, per arm, with the intervals as bars).
fn budgets(
    config: &Config,
    library: &lastlayer::data::Library,
    steps: u64,
    n: u64,
    budgets: &[usize],
    out: &Path,
) -> Result<(), String> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if !config.forgetting.on {
        return Err("--budgets charts a class-incremental run: the configuration has forgetting off".into());
    }
    if budgets.contains(&0) {
        return Err("--budgets: every budget must be at least 1".into());
    }
    let started = std::time::Instant::now();
    let mut table = Vec::new();
    for &b in budgets {
        let mut c = config.clone();
        c.forgetting.budget = Some(b);
        let runs = lastlayer::export::seed_runs(&c, library, steps, n)?;
        let mut arms = serde_json::Map::new();
        let mut points = Vec::new();
        for arm in Arm::ALL {
            let key = format!("{}.old_acc", arm.name());
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|(_, r)| r.iter().find(|(k, _)| *k == key).map(|(_, v)| *v))
                .filter(|v| v.is_finite())
                .collect();
            let (mean, sd) = lastlayer::export::mean_sd(&values);
            let half = if values.len() > 1 {
                let t = StudentsT::new(0.0, 1.0, (values.len() - 1) as f64).expect("positive degrees of freedom");
                t.inverse_cdf(0.975) * sd / (values.len() as f64).sqrt()
            } else {
                f64::NAN
            };
            arms.insert(arm.name().into(), serde_json::json!({ "mean": mean, "lo": mean - half, "hi": mean + half }));
            points.push((arm, mean, half));
        }
        let paired: serde_json::Map<String, serde_json::Value> = paired_differences(&runs, "old_acc")
            .iter()
            .map(|p| (p.name.clone(), serde_json::json!({ "mean": p.mean, "lo": p.lo, "hi": p.hi })))
            .collect();
        eprintln!(
            "budget {b}: {} ({:.0} s so far)",
            points.iter().map(|(a, m, h)| format!("{} {:.3} ± {:.3}", a.name(), m, h)).collect::<Vec<_>>().join(", "),
            started.elapsed().as_secs_f64()
        );
        table.push((b, points, serde_json::json!({ "budget": b, "old_acc": arms, "paired_old_acc": paired })));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let json = serde_json::json!({
        "config": config, "steps": steps, "seeds": n,
        "budgets": table.iter().map(|t| t.2.clone()).collect::<Vec<_>>(),
    });
    let path = out.join("budgets.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON serialises"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let path = out.join("budgets.svg");
    let series: Vec<ArmLine> = Arm::ALL
        .iter()
        .enumerate()
        .map(|(i, &arm)| (arm, table.iter().map(|(b, p, _)| (*b as f64, p[i].1, p[i].2)).collect()))
        .collect();
    budget_chart(&path, &series, n).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {} and {}", out.join("budgets.json").display(), path.display());
    Ok(())
}

/// An arm's line on the budgets chart: per budget, (budget, mean, half-width of the 95% interval).
type ArmLine = (Arm, Vec<(f64, f64, f64)>);

/// The budgets chart: old-class test accuracy (mean over seeds, 95% interval as bars) against the memory
/// budget (one column per budget, in order), one line per arm in the experiment chart's colours and dashes.
fn budget_chart(path: &Path, series: &[ArmLine], seeds: u64) -> Result<(), String> {
    use plotters::element::DashedPathElement;
    register_font();
    let fail = |e: String| format!("drawing failed: {e}");
    let budgets: Vec<f64> = series[0].1.iter().map(|p| p.0).collect();
    let columns = budgets.len() as f64;
    let root = SVGBackend::new(path, (760, 470)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Old classes' test accuracy against the memory budget ({seeds} seeds, 95% intervals)"),
            ("sans-serif", 17),
        )
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5..columns - 0.5, 0.0..1.0)
        .map_err(|e| fail(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("memory budget: old points kept, equal shares per class")
        .y_desc("old-class test accuracy")
        .x_labels(budgets.len())
        .x_label_formatter(&|v| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < budgets.len() {
                format!("{:.0}", budgets[i as usize])
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 15))
        .light_line_style(WHITE)
        .draw()
        .map_err(|e| fail(e.to_string()))?;
    for (k, (arm, points)) in series.iter().enumerate() {
        let (role, dashed) = lastlayer::scene::experiment::arm_style(*arm);
        let colour = lastlayer::render::charts::role_color(role, &Style::light(1.0));
        let style = colour.stroke_width(2);
        // Each arm's bars a little to the side of the others', so that the intervals do not hide each other.
        let shift = (k as f64 - (series.len() as f64 - 1.0) / 2.0) * 0.035;
        let at = |i: usize, y: f64| (i as f64 + shift, y);
        let line: Vec<(f64, f64)> = points.iter().enumerate().map(|(i, p)| at(i, p.1)).collect();
        let drawn = if dashed {
            chart.draw_series(DashedLineSeries::new(line.clone(), 6, 4, style))
        } else {
            chart.draw_series(LineSeries::new(line.clone(), style))
        }
        .map_err(|e| fail(e.to_string()))?;
        if dashed {
            drawn
                .label(arm.title())
                .legend(move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 22, y)], 6, 4, style));
        } else {
            drawn.label(arm.title()).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
        }
        chart.draw_series(line.iter().map(|&p| Circle::new(p, 3, colour.filled()))).map_err(|e| fail(e.to_string()))?;
        chart
            .draw_series(points.iter().enumerate().filter(|(_, p)| p.2.is_finite()).map(|(i, p)| {
                PathElement::new(vec![at(i, (p.1 - p.2).max(0.0)), at(i, (p.1 + p.2).min(1.0))], colour.stroke_width(1))
            }))
            .map_err(|e| fail(e.to_string()))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::Coordinate(350, 175))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|e| fail(e.to_string()))?;
    root.present().map_err(|e| fail(e.to_string()))
}

/// Two arms' difference in one final value over the same seeds.
pub struct Paired {
    /// "A-B" (arm names).
    pub name: String,
    /// The mean of A − B over the seeds where both are defined.
    pub mean: f64,
    /// The 95% Student-t interval of that mean.
    pub lo: f64,
    pub hi: f64,
    /// How many seeds.
    pub runs: usize,
}

impl Paired {
    /// What the interval supports: a ranking only where it excludes zero.
    pub fn verdict(&self) -> String {
        let (a, b) = self.name.split_once('-').unwrap_or((&self.name, ""));
        if self.lo > 0.0 {
            format!("{a} keeps more")
        } else if self.hi < 0.0 {
            format!("{b} keeps more")
        } else {
            "no ranking (the interval contains 0)".into()
        }
    }
}

/// Every pair of a class-incremental run's arms with a memory (not "none" or "all_old", whose places are not
/// in question), compared on `what` (e.g. "old_acc") seed by seed.
pub fn paired_differences(runs: &[(u64, lastlayer::export::Finals)], what: &str) -> Vec<Paired> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let arms: Vec<&str> = [Arm::SupportNet, Arm::LinearSvm, Arm::Random, Arm::ClassMeans].map(Arm::name).to_vec();
    let value = |run: &lastlayer::export::Finals, arm: &str| {
        let key = format!("{arm}.{what}");
        run.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    };
    let mut out = Vec::new();
    for (i, a) in arms.iter().enumerate() {
        for b in &arms[i + 1..] {
            let diffs: Vec<f64> =
                runs.iter().filter_map(|(_, r)| Some(value(r, a)? - value(r, b)?)).filter(|d| d.is_finite()).collect();
            if diffs.len() < 2 {
                continue;
            }
            let (mean, sd) = lastlayer::export::mean_sd(&diffs);
            let t = StudentsT::new(0.0, 1.0, (diffs.len() - 1) as f64).expect("positive degrees of freedom");
            let half = t.inverse_cdf(0.975) * sd / (diffs.len() as f64).sqrt();
            out.push(Paired { name: format!("{a}-{b}"), mean, lo: mean - half, hi: mean + half, runs: diffs.len() });
        }
    }
    out
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
