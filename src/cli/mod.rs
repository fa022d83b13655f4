//! Command-line parsing and the subcommands.

mod check;
mod reproduce;
mod svm;

use clap::{Parser, Subcommand};
use lastlayer::csv_io;
use lastlayer::data::{self, LabeledPoint, Source, Split};
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
        /// Train on a CSV file instead of the preset's generator: a header row, numeric feature columns (any
        /// number) and the label in a column named `label` or last (class numbers or names). Inputs are
        /// standardised by the training set's mean and deviation unless --raw is given.
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// With --data: feed the inputs to the network in their own units.
        #[arg(long)]
        raw: bool,
        /// Output directory.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// List the presets and exit.
        #[arg(long)]
        list: bool,
        /// The figures' format: png, svg (vector, with the run's configuration in each file's metadata) or
        /// both.
        #[arg(long, default_value = "png", value_parser = ["png", "svg", "both"])]
        format: String,
        /// Run the configuration with data and network seeds 1..=N instead, and write each run's final
        /// numbers and their mean ± standard deviation (seeds.json).
        #[arg(long)]
        seeds: Option<u64>,
        /// With --seeds, in a class-incremental run: repeat the seeds at each of these memory budgets
        /// (comma-separated) and chart each arm's old-class test accuracy against the budget (budgets.svg,
        /// budgets.json).
        #[arg(long, value_delimiter = ',')]
        budgets: Vec<usize>,
    },
    /// Fit a linear SVM to a CSV file (header row, feature columns, the label in a column named `label` or
    /// last), or to a NumPy/safetensors file's `features` and `labels`, and print the solution as JSON. Classes are the labels in sorted order (numerically when they are
    /// numbers); binary: the second class is +1, the first −1, f(x) = w·x + b.
    Svm {
        /// The data file: CSV, or a .npz/.npy/safetensors file with `features` and `labels` (as `check` reads).
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
        /// Fit this many times and report the median time in `ms` (every fit is the same: the solver is
        /// deterministic); for benchmarks.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10000))]
        repeat: u32,
        /// Print the iterate after every epoch of the Crammer–Singer solver (JSON lines: its time so far, W
        /// and b), for benchmarks that measure the time to reach an objective.
        #[arg(long)]
        trace: bool,
    },
    /// Measure a network trained anywhere: its last hidden layer's outputs (and its last layer, a test set,
    /// checkpoints) in NumPy .npz/.npy or safetensors files (names in the README). Writes report.json (the
    /// same keys as run.json's `final`) and the figures, and prints a table.
    Check {
        /// The files (arrays are named by their keys; a .npy file's array by its file name).
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// The SVM: hinge-regbias, sqhinge-regbias, crammer-singer or ovr (default: the lab's, hinge with a
        /// regularised bias; Crammer–Singer for more than two classes).
        #[arg(long)]
        svm: Option<String>,
        /// Cost of slack C > 0 (default: the lab's).
        #[arg(long = "c")]
        c: Option<f64>,
        /// Stop at this certified relative duality gap (default 1e-9).
        #[arg(long)]
        tol: Option<f64>,
        /// Output directory (default check-out).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The figures' format: png, svg or both.
        #[arg(long, default_value = "png", value_parser = ["png", "svg", "both"])]
        format: String,
    },
    /// Write a data set as CSV: a generated one (training and test points, x,y,label) or the bundled digits
    /// (64 pixel columns and the label).
    Data {
        /// The data set (blobs, plate, sectors, sectors_overlap, disk, moons, three_blobs, xor, spiral,
        /// gaussian_blobs, digits).
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
        Command::Reproduce { preset, steps, config, data, raw, out, list, format, seeds, budgets } => {
            reproduce::run(&reproduce::ReproduceArgs {
                preset,
                steps,
                config,
                data,
                raw,
                out,
                list,
                format,
                seeds,
                budgets,
            })
        }
        Command::Svm { csv, formulation, c, tol, bias_scale, max_epochs, repeat, trace } => {
            svm::run(&svm::SvmArgs { csv, formulation, c, tol, bias_scale, max_epochs, repeat, trace })
        }
        Command::Check { files, svm, c, tol, out, format } => {
            check::run(&check::CheckArgs { files, svm, c, tol, out, format })
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
    let source = Source::from_id(set).filter(|s| s.is_generated() || *s == Source::Digits).ok_or_else(|| {
        let names: Vec<&str> =
            Source::ALL.iter().filter(|s| s.is_generated() || **s == Source::Digits).map(|s| s.id()).collect();
        format!("unknown data set '{set}': use one of {}", names.join(", "))
    })?;
    if source == Source::Digits {
        print!("{}", csv_io::write_table(&csv_io::bundled_digits()));
        return Ok(());
    }
    let mut config = source.defaults();
    config.samples = samples.unwrap_or(config.samples);
    config.seed = seed.unwrap_or(config.seed);
    config.noise = noise.unwrap_or(config.noise);
    let split = data::generate(&config, &Default::default()).map_err(|e| e.to_string())?;
    let points: Vec<LabeledPoint> = if train_only {
        let train_part = Split { test: Default::default(), ..split };
        data::points_of(&train_part)
    } else {
        data::points_of(&split)
    };
    print!("{}", csv_io::write_points(&points));
    Ok(())
}
