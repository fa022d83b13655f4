use lastlayer::svm::{BiasMode, Loss, SvmParams};
use ndarray::Array2;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&args[1]).unwrap()).unwrap();
    let rows: Vec<Vec<f64>> = serde_json::from_value(v["X"].clone()).unwrap();
    let y: Vec<usize> = serde_json::from_value(v["y"].clone()).unwrap();
    let x = Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).unwrap();
    let c: f64 = args[2].parse().unwrap();
    let loss = if args[3].contains("sq") { Loss::SquaredHinge } else { Loss::Hinge };
    let bias = if args[3].contains("free") { BiasMode::Free } else { BiasMode::Regularised };
    let m = SvmParams {
        c,
        loss,
        bias,
        tol: args.get(4).map(|t| t.parse().unwrap()).unwrap_or(1e-9),
        shrinking: std::env::var("NOSHRINK").is_err(),
        ..SvmParams::default()
    }
    .fit(x.view(), &y, v["classes"].as_u64().unwrap() as usize, None)
    .unwrap();
    println!("w {:?} b {:?}\nstats {:?}", m.weights.as_slice(), m.biases, m.stats);
}
