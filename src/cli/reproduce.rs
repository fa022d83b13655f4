//! `lastlayer reproduce`: run a preset (or a config, or the user's points) headless for N steps and write
//! run.json, metrics.csv and the figures, drawn by the page's own renderer through plotters' bitmap backend.

use lastlayer::config::Config;
use lastlayer::data::DataSet;
use lastlayer::export::{metrics_csv, run_json};
use lastlayer::render::{draw_charts, draw_plane, Style, Upsampler};
use lastlayer::scene::{charts, feature_view, input_view, Projection};
use lastlayer::session::Session;
use lastlayer::{csv_io, presets};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Options of the `reproduce` command.
pub struct ReproduceArgs {
    pub preset: Option<String>,
    pub steps: Option<u64>,
    pub config: Option<PathBuf>,
    pub data: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub list: bool,
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
    if let Some(path) = &args.data {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let points = csv_io::parse_points(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        config.data.set = DataSet::Custom;
        config.data.points = points;
        config.validate().map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let steps = args.steps.unwrap_or(default_steps);
    let mut session = Session::new(config)?;
    let started = std::time::Instant::now();
    let mut next_report = 1u64;
    while session.step() < steps && session.diverged().is_none() {
        let chunk = (next_report.min(steps) - session.step()).max(1);
        session.train(chunk);
        if session.step() >= next_report || session.step() == steps {
            let m = session.metrics();
            eprintln!(
                "step {:>9}  loss 1e{:<8.2}  angle [w;b] {:>9.4}°  w {:>9.4}°  train acc {:.3}",
                m.step, m.log10_loss_train, m.angle_wb_deg, m.angle_w_deg, m.acc_train
            );
            next_report = next_report.saturating_mul(10);
        }
    }
    if let Some((step, reason)) = session.diverged() {
        eprintln!("training diverged at step {step}: {reason}; writing the last finite state");
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |file: &str, text: String| -> Result<(), String> {
        let path = out.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let export = run_json(&mut session);
    write("run.json", serde_json::to_string_pretty(&export).expect("JSON serialises"))?;
    write("metrics.csv", metrics_csv(session.history()))?;
    figures(&session, out)?;
    eprintln!(
        "{name}: {} steps in {:.1} s; wrote run.json, metrics.csv, input_space.png, feature_space.png, convergence.png to {}",
        session.step(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
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

/// Writes the three figures into `dir`.
pub fn figures(session: &Session, dir: &Path) -> Result<(), String> {
    register_font();
    let style = Style::light(2.0);
    let fail = |e: String| format!("drawing failed: {e}");
    let plane = |file: &str, view| -> Result<(), String> {
        let path = dir.join(file);
        let root = BitMapBackend::new(&path, (1100, 1100)).into_drawing_area();
        draw_plane(&root, &view, &style, &mut Upsampler).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))
    };
    plane("input_space.png", input_view(session, 160, true))?;
    plane("feature_space.png", feature_view(session, Projection::SvmNetwork, 160, true))?;
    let path = dir.join("convergence.png");
    let root = BitMapBackend::new(&path, (1400, 1800)).into_drawing_area();
    draw_charts(&root, &charts(session.history()), &style).map_err(|e| fail(e.to_string()))?;
    root.present().map_err(|e| fail(e.to_string()))
}
