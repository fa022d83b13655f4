//! Native training throughput for BENCHMARKS.md §1 (the wasm side and the anchors are in bench/train.mjs):
//!   cargo run --release --example bench_train
//! Prints JSON: steps/s and examples/s per config (median of 5 rounds of ≥ 0.5 s), GFLOP/s, and the FLOP rate
//! of a 256 × 256 matrix product through the same kernel. `conv` is the digits_conv preset's network on 430
//! digits (8 × 8 × 1 → conv 4 → pool → conv 8 → pool → 2 → 3, tanh), whole-batch steps.
use lastlayer::nn::trainer::{bench_digits_trainer, bench_trainer, matmul_reference};
use lastlayer::nn::{Activation, LayerSpec};
use std::time::Instant;

/// The digits_conv preset's hidden layers.
fn conv_preset_layers() -> Vec<LayerSpec> {
    lastlayer::presets::find("digits_conv").expect("the preset exists").config.network.hidden
}

fn main() {
    let configs: [(&str, &[usize], Activation, usize); 3] = [
        ("small", &[8, 8, 2], Activation::Relu, 10),
        ("mid", &[32, 32, 2], Activation::Tanh, 500),
        ("paper", &[2000, 2], Activation::Relu, 500),
    ];
    let mut rows = Vec::new();
    let digits = lastlayer::csv_io::bundled_digits();
    let trainers = configs
        .iter()
        .map(|&(name, hidden, act, batch)| {
            // Multiply-adds per example: Σ in·out over layers.
            let mut sizes = vec![2];
            sizes.extend_from_slice(hidden);
            sizes.push(2);
            let macs: usize = sizes.windows(2).map(|w| w[0] * w[1]).sum();
            (name, bench_trainer(hidden, act, batch, 0.1), batch, macs as f64)
        })
        .chain(std::iter::once({
            // The digits_conv preset's network, whole-batch steps over its 430 training digits.
            let t = bench_digits_trainer(&digits, &conv_preset_layers(), 430, 0.1);
            let macs = t.net.forward_cost();
            ("conv", t, 430, macs)
        }));
    for (name, mut t, batch, macs) in trainers {
        let mut steps = 1u64;
        loop {
            let start = Instant::now();
            for _ in 0..steps {
                t.step(0).unwrap();
            }
            if start.elapsed().as_secs_f64() > 0.1 {
                break;
            }
            steps *= 2;
        }
        let steps = steps * 5;
        let mut rates: Vec<f64> = (0..5)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..steps {
                    t.step(0).unwrap();
                }
                steps as f64 / start.elapsed().as_secs_f64()
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        let rate = rates[2];
        // Forward + two backward products ≈ 3× the forward multiply-adds, 2 flops each.
        let gflops = rate * batch as f64 * macs * 6.0 / 1e9;
        rows.push(format!(
            r#"{{"config":"{name}","steps_per_s":{rate:.1},"examples_per_s":{:.0},"gflops":{gflops:.3}}}"#,
            rate * batch as f64
        ));
    }
    let n = 256;
    let reps = 20;
    let start = Instant::now();
    let checksum = matmul_reference(n, reps);
    let secs = start.elapsed().as_secs_f64();
    println!(
        r#"{{"target":"native","configs":[{}],"matmul_256_gflops":{:.2},"checksum":{checksum}}}"#,
        rows.join(","),
        2.0 * (n as f64).powi(3) * reps as f64 / secs / 1e9
    );
}
