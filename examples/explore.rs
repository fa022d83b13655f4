//! Prints a run's measurements at checkpoints, as `tests/claims.rs` measures them:
//! `cargo run --release --example explore -- PRESET-or-'<partial config JSON>'-or-'PRESET+<partial JSON>' 10,100,1000`.
use lastlayer::config::Config;
use lastlayer::csv_io::library_with_digits;
use lastlayer::engine::Engine;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = args.get(1).map_or("{}", |s| s.as_str());
    let (name, partial) = arg.split_once('+').unwrap_or(if arg.starts_with('{') { ("", arg) } else { (arg, "{}") });
    let base = lastlayer::presets::find(name).map_or_else(Config::default, |p| p.config);
    let config = base.merged(partial).expect("a preset name and/or a partial config");
    let checkpoints: Vec<u64> = args
        .get(2)
        .map_or("10,100,1000,10000".into(), |s| s.clone())
        .split(',')
        .map(|s| s.parse().expect("steps"))
        .collect();
    let mut e = Engine::new(config, library_with_digits()).expect("a valid config");
    let t = std::time::Instant::now();
    for c in checkpoints {
        e.advance(c.saturating_sub(e.step()));
        let m = e.metrics().expect("settled");
        println!(
            "{:>8} loss {:9.3e} acc {:.4}/{:.4} ang_wb {:8.4} ang_w {:8.4} free_wb {:8.4} off {:.5}/{:.5}/{:.5} marg {:7.4}/{:7.4} agree {:.3}/{:.3} sv {:.2} |W| {:7.3} sep {} gap {:.1e} cap {} div {}",
            m.step, m.loss_train, m.acc_train, m.acc_test, m.angle_wb_deg, m.angle_w_deg, m.angle_wb_free_deg, m.offset_net, m.offset_whole,
            m.offset_svm, m.margin_net, m.margin_svm, m.agree_grid, m.agree_test, m.sv_overlap, m.last_layer_norm, m.separable,
            m.svm_rel_gap, m.svm_capped, m.diverged
        );
        println!(
            "         theory: |net|/ln t {:.4} |svm| {:.4} log10(t·loss) {:.4} lyu-li {:.5e}/{:.5e} homog {} nc {:.3e}/{:.3e}/{:.3e}/{:.3e}/{:.3e} drift {:.3e} turn {:.3e} from {:?}",
            m.norm_net_wb / (m.step.max(3) as f64).ln(), m.norm_svm_wb, m.log10_t_loss, m.margin_lyu_li, m.smoothed_margin_lyu_li,
            m.homogeneous, m.nc1, m.nc2_equinorm, m.nc2_equiangular, m.nc3, m.nc4, m.feature_drift, m.svm_turn_deg, m.drift_from_step
        );
        if m.adv_median.is_finite() {
            println!(
                "         adversarial: median {:.5} min {:.5} svm median {:.5} rank corr {:.4} (svm margin {:.4})",
                m.adv_median, m.adv_min, m.adv_median_svm, m.adv_rank_corr, m.margin_svm
            );
        }
    }
    if let Some(f) = e.forgetting() {
        let v = f.view();
        println!(
            "forgetting: budget {} (support vectors {}), phase-one accuracy {:.4}",
            v.budget, v.support_count, v.phase_one_accuracy
        );
        for a in &v.arms {
            let last = a.history.last().unwrap();
            println!(
                "  {:16} memory {:4}  step {:6} old {:.4} new {:.4} all {:.4} angle {:8.3} ({} records)",
                a.arm.name(),
                a.memory.len(),
                last.step,
                last.old_acc,
                last.new_acc,
                last.acc,
                last.angle_wb_deg,
                a.history.len()
            );
        }
    }
    if let Some(err) = e.forgetting_error() {
        println!("forgetting error: {err}");
    }
    eprintln!("{:.2}s, history {}", t.elapsed().as_secs_f64(), e.history().len());
}
