//! Prints the metric trajectory of a run: `cargo run --release --example explore -- '<partial config JSON>' STEPS`.
use lastlayer::config::Config;
use lastlayer::session::Session;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = args.get(1).map_or("{}", |s| s.as_str());
    let config = match lastlayer::presets::find(arg) {
        Some(p) => p.config,
        None => Config::default().merged(arg).unwrap(),
    };
    let steps: u64 = args.get(2).map_or(10000, |s| s.parse().unwrap());
    let mut s = Session::new(config).unwrap();
    let t = std::time::Instant::now();
    let mut next = 1u64;
    while s.step() < steps {
        s.train(next - s.step());
        let m = s.metrics();
        println!("{:>8} loss {:9.3e} acc {:.3} ang_w {:8.4} ang_wb {:8.4} free_wb {:8.4} off {:7.4}/{:7.4}/{:7.4} marg {:7.4}/{:7.4} agree {:.3} sv {:.2} |W| {:7.3} sep {} gap {:.1e} cap {} div {}",
            m.step, m.loss_train, m.acc_train, m.angle_w_deg, m.angle_wb_deg, m.angle_wb_free_deg, m.offset_net, m.offset_svm, m.offset_svm_free, m.margin_net, m.margin_svm, m.agree_grid, m.sv_overlap, m.last_layer_norm, m.separable, m.svm_rel_gap, m.svm_capped, m.diverged);
        if m.diverged {
            break;
        }
        next = (next * 10).min(steps);
        if next <= s.step() {
            break;
        }
    }
    eprintln!("{:.2}s, history {}", t.elapsed().as_secs_f64(), s.history().len());
    if let Ok(path) = std::env::var("DUMP") {
        let f = s.features();
        let labels = &s.split().train.labels;
        let mut out = String::from("h1,h2,label\n");
        for (row, l) in f.rows().into_iter().zip(labels) {
            out.push_str(&format!("{},{},{}\n", row[0], row[1], l));
        }
        std::fs::write(path, out).unwrap();
    }
}
