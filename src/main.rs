//! `lastlayer`: the core of Last Layer Lab on the command line.
//!
//! - `lastlayer reproduce --preset NAME --out DIR` runs an experiment and writes its figures.
//! - `lastlayer svm --csv FILE` fits the SVM to a file.
//! - `lastlayer data --set NAME` writes a generated data set as CSV.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
