//! Native training throughput for BENCHMARKS.md §1 (the wasm side and the anchors are in bench/train.mjs):
//!   cargo run --release --example bench_train
//! Prints JSON: steps/s and examples/s per config (median of 5 rounds of ≥ 0.5 s), GFLOP/s, and the FLOP rate
//! of a 256 × 256 matrix product through the same kernel.
use lastlayer::nn::trainer::{bench_trainer, matmul_reference};
use lastlayer::nn::Activation;
use std::time::Instant;

fn main() {
    let configs: [(&str, &[usize], Activation, usize); 3] = [
        ("small", &[8, 8, 2], Activation::Relu, 10),
        ("mid", &[32, 32, 2], Activation::Tanh, 500),
        ("paper", &[2000, 2], Activation::Relu, 500),
    ];
    let mut rows = Vec::new();
    for (name, hidden, act, batch) in configs {
        let mut t = bench_trainer(hidden, act, batch, 0.1);
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
        // Multiply-adds per example: Σ in·out over layers; forward + two backward products ≈ 3× that, 2 flops each.
        let mut sizes = vec![2];
        sizes.extend_from_slice(hidden);
        sizes.push(2);
        let macs: usize = sizes.windows(2).map(|w| w[0] * w[1]).sum();
        let gflops = rate * batch as f64 * macs as f64 * 6.0 / 1e9;
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
