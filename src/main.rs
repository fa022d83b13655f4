//! `lastlayer`: the core of Last Layer Lab on the command line.
//!
//! - `lastlayer data --set NAME [--seed S] [--samples N] ...` writes a generated data set as CSV.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
