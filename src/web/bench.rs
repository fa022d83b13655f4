//! Exports for the benchmarks only (built with `--features bench`; the shipped page does not carry them):
//! training without a session (`bench/train.mjs`), the matrix-product reference, single SVM fits
//! (`bench/svm_wasm.mjs`) and the page's warm refit.

use super::js_err;
use crate::measure::{MeasurementJob, WarmStart};
use crate::nn::Activation;
use crate::presets;
use crate::session::Session;
use serde_json::json;
use wasm_bindgen::prelude::*;

/// Training without the session around it, for the throughput benchmark (`bench/train.mjs`): the paper's
/// blobs (n = 500), a network `2 → hidden → 2` with one activation, softmax cross-entropy, plain SGD.
#[wasm_bindgen]
pub struct BenchTrainer {
    trainer: crate::nn::Trainer,
}

#[wasm_bindgen]
impl BenchTrainer {
    /// `hidden`: widths as JSON (e.g. "[8, 8, 2]"); `activation`: e.g. "relu".
    #[wasm_bindgen(constructor)]
    pub fn new(hidden: &str, activation: &str, batch: usize, learning_rate: f64) -> Result<BenchTrainer, JsError> {
        let hidden: Vec<usize> = serde_json::from_str(hidden).map_err(js_err)?;
        let activation: Activation = serde_json::from_value(json!(activation)).map_err(js_err)?;
        Ok(BenchTrainer { trainer: crate::nn::trainer::bench_trainer(&hidden, activation, batch, learning_rate) })
    }

    /// The convolutional configuration (`nn::trainer::bench_digits_trainer`) on the digits CSV `text` (the
    /// bundled file, unzipped): `hidden` as a config writes it, e.g. `[{"conv": {"channels": 4, "kernel": 3}},
    /// {"pool": "max"}, 2]`.
    pub fn digits(text: &str, hidden: &str, batch: usize, learning_rate: f64) -> Result<BenchTrainer, JsError> {
        let digits = crate::csv_io::parse_digits(text).map_err(js_err)?;
        let hidden: Vec<crate::nn::LayerSpec> = serde_json::from_str(hidden).map_err(js_err)?;
        Ok(BenchTrainer { trainer: crate::nn::trainer::bench_digits_trainer(&digits, &hidden, batch, learning_rate) })
    }

    /// Runs `steps` steps; returns the last batch loss.
    pub fn run(&mut self, steps: u32) -> f64 {
        let mut last = f64::NAN;
        for _ in 0..steps {
            last = self.trainer.step(0).map(|l| l.value).unwrap_or(f64::NAN);
        }
        last
    }
}

/// Multiplies two n × n matrices `reps` times with the same kernel training uses (the FLOP-rate reference of
/// the throughput benchmark); returns a checksum so the work cannot be optimised away.
#[wasm_bindgen(js_name = benchMatmul)]
pub fn bench_matmul(n: usize, reps: u32) -> f64 {
    crate::nn::trainer::matmul_reference(n, reps)
}

/// Fits an SVM to `x` (n × d, row-major) and labels `y`, for the solver benchmark (`bench/svm_wasm.mjs`).
/// `formulation` as on the command line. Returns the certificates as JSON; the caller times the call.
#[wasm_bindgen(js_name = benchSvmFit)]
pub fn bench_svm_fit(x: &[f64], y: &[u32], d: usize, formulation: &str, c: f64, tol: f64) -> Result<String, JsError> {
    let n = y.len();
    let features = ndarray::ArrayView2::from_shape((n, d), x).map_err(js_err)?;
    let labels: Vec<usize> = y.iter().map(|&l| l as usize).collect();
    let classes = labels.iter().max().map_or(0, |m| m + 1);
    let mut params = crate::svm::SvmParams { c, ..crate::svm::SvmParams::default() }
        .with_formulation(formulation)
        .map_err(js_err)?;
    params.solver.tol = tol;
    let model = params.fit(features, &labels, classes, None).map_err(js_err)?;
    Ok(crate::export::svm_json(&model).to_string())
}

/// The page's situation for the solver benchmark: a run on 500 blob points measured (features, both SVMs
/// warm-started from the previous measurement, all metrics) after each single training step.
#[wasm_bindgen]
pub struct BenchRefit {
    session: Session,
    warm: WarmStart,
}

#[wasm_bindgen]
impl BenchRefit {
    /// A blobs run with `partial` merged into it (a JSON config; "{}" for 500 training points and the page's
    /// default network), trained for `steps` steps and measured.
    #[wasm_bindgen(constructor)]
    pub fn new(partial: &str, steps: u32) -> Result<BenchRefit, JsError> {
        let mut config = presets::find("blobs").map(|p| p.config).unwrap_or_default();
        config.data.samples = 500;
        config.data.test_fraction = 0.0;
        let config = config.merged(partial).map_err(js_err)?;
        let mut session = Session::new(config, &Default::default()).map_err(js_err)?;
        session.train(steps as u64);
        let (_, warm) = MeasurementJob::start(&session, &WarmStart::default()).finish(&session, None);
        Ok(BenchRefit { session, warm })
    }

    /// One training step.
    #[wasm_bindgen(js_name = trainStep)]
    pub fn train_step(&mut self) {
        self.session.train(1);
    }

    /// Measures the current step from scratch (a cold fit); returns the regularised fit's epochs.
    #[wasm_bindgen(js_name = coldRefit)]
    pub fn cold_refit(&mut self) -> usize {
        let (m, _) = MeasurementJob::start(&self.session, &WarmStart::default()).finish(&self.session, None);
        m.regularized.as_ref().map_or(0, |f| f.stats.epochs)
    }

    /// Measures the current step, warm-started from the previous measurement; returns the regularised fit's
    /// epochs.
    pub fn refit(&mut self) -> usize {
        let (m, warm) = MeasurementJob::start(&self.session, &self.warm).finish(&self.session, None);
        self.warm = warm;
        m.regularized.as_ref().map_or(0, |f| f.stats.epochs)
    }
}
