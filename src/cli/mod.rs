//! Command-line parsing and the subcommands.

mod reproduce;
mod svm;

use clap::{Parser, Subcommand};
use lastlayer::csv_io;
use lastlayer::data::{self, DataSet, LabeledPoint, Split};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "lastlayer", version, about = "Last Layer Lab: watch a network's last layer become an SVM")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a preset (or a config, or your own points) headless and write run.json, metrics.csv and the
    /// figures (input space, feature space, convergence) drawn by the page's renderer.
    Reproduce {
        /// The preset (see --list).
        #[arg(long)]
        preset: Option<String>,
        /// Training steps (default: the preset's).
        #[arg(long)]
        steps: Option<u64>,
        /// A JSON config (whole or partial) merged over the preset.
        #[arg(long)]
        config: Option<std::path::PathBuf>,
        /// Your own points (CSV: header, x,y,label) instead of the preset's generator.
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// Output directory.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// List the presets and exit.
        #[arg(long)]
        list: bool,
    },
    /// Fit a linear SVM to a CSV file (header row, feature columns, integer label 0..K−1 last) and print the
    /// solution as JSON. Binary: class 1 is +1, class 0 is −1, f(x) = w·x + b.
    Svm {
        /// The data file.
        #[arg(long)]
        csv: std::path::PathBuf,
        /// hinge-regbias, sqhinge-regbias, hinge-freebias, sqhinge-freebias, crammer-singer or ovr.
        #[arg(long, default_value = "hinge-regbias")]
        formulation: String,
        /// Cost of slack C > 0.
        #[arg(long = "c", default_value_t = 1.0)]
        c: f64,
        /// Stop at this certified relative duality gap (default 1e-9).
        #[arg(long)]
        tol: Option<f64>,
        /// The constant feature B carrying a regularised bias (default 1).
        #[arg(long = "bias-scale")]
        bias_scale: Option<f64>,
        /// Cap on passes over the data (default 100000).
        #[arg(long = "max-epochs")]
        max_epochs: Option<usize>,
    },
    /// Write a generated data set (training and test points) as CSV: x,y,label.
    Data {
        /// The data set (blobs, plate, sectors, sectors_overlap, disk, moons, three_blobs, xor, spiral, gaussian_blobs).
        #[arg(long, default_value = "blobs")]
        set: String,
        /// Number of points.
        #[arg(long)]
        samples: Option<usize>,
        /// Seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Noise (standard deviation).
        #[arg(long)]
        noise: Option<f64>,
        /// Write only the training points.
        #[arg(long)]
        train_only: bool,
    },
}

/// Parses the arguments and runs the command; errors go to stderr with a non-zero exit.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Reproduce { preset, steps, config, data, out, list } => {
            reproduce::run(&reproduce::ReproduceArgs { preset, steps, config, data, out, list })
        }
        Command::Svm { csv, formulation, c, tol, bias_scale, max_epochs } => {
            svm::run(&svm::SvmArgs { csv, formulation, c, tol, bias_scale, max_epochs })
        }
        Command::Data { set, samples, seed, noise, train_only } => data_command(&set, samples, seed, noise, train_only),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lastlayer: {message}");
            ExitCode::FAILURE
        }
    }
}

fn data_command(
    set: &str,
    samples: Option<usize>,
    seed: Option<u64>,
    noise: Option<f64>,
    train_only: bool,
) -> Result<(), String> {
    let set =
        DataSet::from_id(set).filter(|s| *s != DataSet::Custom).ok_or_else(|| format!("unknown data set '{set}'"))?;
    let mut config = set.defaults();
    config.samples = samples.unwrap_or(config.samples);
    config.seed = seed.unwrap_or(config.seed);
    config.noise = noise.unwrap_or(config.noise);
    let split = data::generate(&config).map_err(|e| e.to_string())?;
    let points: Vec<LabeledPoint> = if train_only {
        let train_part = Split { train: split.train, test: Default::default() };
        data::points_of(&train_part)
    } else {
        data::points_of(&split)
    };
    print!("{}", csv_io::write_points(&points));
    Ok(())
}
