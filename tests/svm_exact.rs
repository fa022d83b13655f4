//! The SVM against certified optima (`tests/fixtures/svm/`, computed by an interior-point solver at 1e-12 and
//! cross-checked primal/dual), KKT conditions, warm starts, the hard-margin limit and bad input.
#![cfg(not(target_arch = "wasm32"))]

use lastlayer::svm::{BiasMode, DualState, Loss, Multiclass, SolverOptions, SvmError, SvmModel, SvmParams};
use ndarray::{Array2, ArrayView2};
use serde_json::Value;

struct Fixture {
    name: String,
    x: Array2<f64>,
    y: Vec<usize>,
    classes: usize,
    references: Vec<Value>,
}

fn fixtures() -> Vec<Fixture> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/svm");
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let rows: Vec<Vec<f64>> = serde_json::from_value(v["X"].clone()).unwrap();
        let d = rows[0].len();
        let x = Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap();
        out.push(Fixture {
            name: v["name"].as_str().unwrap().to_string(),
            x,
            y: serde_json::from_value(v["y"].clone()).unwrap(),
            classes: v["classes"].as_u64().unwrap() as usize,
            references: v["references"].as_array().unwrap().clone(),
        });
    }
    out
}

fn params_for(formulation: &str, c: f64) -> SvmParams {
    let base = SvmParams { c, ..SvmParams::default() };
    match formulation {
        "binary_hinge_regbias" => SvmParams { loss: Loss::Hinge, bias: BiasMode::Regularized, ..base },
        "binary_sqhinge_regbias" => SvmParams { loss: Loss::SquaredHinge, bias: BiasMode::Regularized, ..base },
        "binary_hinge_freebias" => SvmParams { loss: Loss::Hinge, bias: BiasMode::Free, ..base },
        "crammer_singer_regbias" => SvmParams { multiclass: Multiclass::CrammerSinger, ..base },
        other => panic!("unknown formulation {other}"),
    }
}

/// The primal objective of `formulation` at (W, b), evaluated independently of the solver.
fn primal(formulation: &str, c: f64, x: ArrayView2<f64>, y: &[usize], w: &Array2<f64>, b: &[f64]) -> f64 {
    let n = x.nrows();
    let reg: f64 = w.iter().map(|v| v * v).sum::<f64>()
        + if formulation.contains("freebias") { 0.0 } else { b.iter().map(|v| v * v).sum() };
    let mut loss = 0.0;
    for i in 0..n {
        let s: Vec<f64> = (0..w.nrows()).map(|k| w.row(k).dot(&x.row(i)) + b[k]).collect();
        loss += if w.nrows() == 1 {
            let z = (1.0 - if y[i] == 1 { s[0] } else { -s[0] }).max(0.0);
            if formulation.contains("sqhinge") {
                z * z
            } else {
                z
            }
        } else {
            let worst = (0..s.len()).filter(|&k| k != y[i]).map(|k| 1.0 + s[k]).fold(f64::NEG_INFINITY, f64::max);
            (worst - s[y[i]]).max(0.0)
        };
    }
    0.5 * reg + c * loss
}

/// Angle in degrees between two vectors, as 2·asin(‖â − b̂‖/2): accurate for the tiny angles these tests
/// bound, where acos(â·b̂) loses half the digits.
fn angle(a: &[f64], b: &[f64]) -> f64 {
    let na = a.iter().map(|v| v * v).sum::<f64>().sqrt();
    let nb = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    let d: f64 = a.iter().zip(b).map(|(p, q)| (p / na - q / nb).powi(2)).sum::<f64>().sqrt();
    (2.0 * (d / 2.0).asin()).to_degrees()
}

fn flat(w: &Array2<f64>, b: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = w.iter().copied().collect();
    v.extend_from_slice(b);
    v
}

/// Every reference of every fixture: relative primal excess ≤ 1e-6 and angle to the optimal (w, b) ≤ 0.01°,
/// with the solver's own certificate (gap ≥ 0, relative gap ≤ its tolerance) honest too.
#[test]
fn matches_every_certified_optimum() {
    let mut checked = 0;
    for fx in fixtures() {
        for r in &fx.references {
            let formulation = r["formulation"].as_str().unwrap();
            let c = r["C"].as_f64().unwrap();
            let model = params_for(formulation, c).fit(fx.x.view(), &fx.y, fx.classes, None).unwrap();
            let (w_ref, b_ref): (Array2<f64>, Vec<f64>) = if fx.classes == 2 {
                let w: Vec<f64> = serde_json::from_value(r["w"].clone()).unwrap();
                (Array2::from_shape_vec((1, w.len()), w).unwrap(), vec![r["b"].as_f64().unwrap()])
            } else {
                let w: Vec<Vec<f64>> = serde_json::from_value(r["W"].clone()).unwrap();
                (
                    Array2::from_shape_vec((w.len(), w[0].len()), w.concat()).unwrap(),
                    serde_json::from_value(r["b"].clone()).unwrap(),
                )
            };
            let p_ref = r["primal"].as_f64().unwrap();
            let p_ours = primal(formulation, c, fx.x.view(), &fx.y, &model.linear.w, &model.linear.b);
            let excess = (p_ours - p_ref) / p_ref;
            let theta = angle(&flat(&model.linear.w, &model.linear.b), &flat(&w_ref, &b_ref));
            let what = format!("{} {formulation} C={c}", fx.name);
            assert!(excess <= 1e-6, "{what}: relative primal excess {excess:e}");
            assert!(excess >= -1e-9, "{what}: below the certified optimum by {excess:e} — the objective is wrong");
            assert!(theta <= 0.01, "{what}: angle {theta}° to the optimum");
            assert!(!model.stats.capped, "{what}: hit the epoch cap");
            assert!(model.stats.rel_gap <= 1e-9, "{what}: certified gap {:e}", model.stats.rel_gap);
            assert!(
                (model.stats.primal - p_ours).abs() <= 1e-9 * p_ours.abs(),
                "{what}: reported primal {} vs {p_ours}",
                model.stats.primal
            );
            assert!(
                model.stats.dual <= p_ref * (1.0 + 1e-9),
                "{what}: dual {} above the optimum {p_ref}",
                model.stats.dual
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 34, "every fixture reference should be checked");
}

/// KKT conditions of the L1 machine with regularised bias at the returned solution, on the paper's blobs at
/// C = 1000: w = Σαᵢyᵢx̃ᵢ, and αᵢ = 0 ⇒ yᵢfᵢ ≥ 1, 0 < αᵢ < C ⇒ yᵢfᵢ = 1, αᵢ = C ⇒ yᵢfᵢ ≤ 1 (to 1e-6).
#[test]
fn kkt_conditions_hold() {
    let fx = fixtures().into_iter().find(|f| f.name == "paper_blobs").unwrap();
    for (loss, bias) in [(Loss::Hinge, BiasMode::Regularized), (Loss::Hinge, BiasMode::Free)] {
        let c = 1000.0;
        let model = SvmParams { loss, bias, c, ..SvmParams::default() }.fit(fx.x.view(), &fx.y, 2, None).unwrap();
        let alpha = &model.dual_state.alpha;
        let w = model.linear.w.row(0);
        let mut w_from_alpha = vec![0.0; w.len()];
        let mut signed_sum = 0.0;
        for i in 0..fx.x.nrows() {
            let yi = if fx.y[i] == 1 { 1.0 } else { -1.0 };
            for j in 0..w.len() {
                w_from_alpha[j] += alpha[i] * yi * fx.x[[i, j]];
            }
            signed_sum += alpha[i] * yi;
            let margin = yi * (w.dot(&fx.x.row(i)) + model.linear.b[0]);
            if alpha[i] == 0.0 {
                assert!(margin >= 1.0 - 1e-6, "{bias:?}: α = 0 but y f = {margin}");
            } else if alpha[i] < c {
                assert!((margin - 1.0).abs() <= 1e-6, "{bias:?}: free α but y f = {margin}");
            } else {
                assert!(margin <= 1.0 + 1e-6, "{bias:?}: α = C but y f = {margin}");
            }
        }
        for j in 0..w.len() {
            assert!((w_from_alpha[j] - w[j]).abs() <= 1e-9 * (1.0 + w[j].abs()), "{bias:?}: w ≠ Σ αyx");
        }
        match bias {
            // Regularised: b = B² Σ αᵢyᵢ with B = 1.
            BiasMode::Regularized => assert!((signed_sum - model.linear.b[0]).abs() <= 1e-9),
            // Free: the dual's equality constraint Σ αᵢyᵢ = 0.
            BiasMode::Free => assert!(signed_sum.abs() <= 1e-6 * alpha.iter().sum::<f64>(), "Σαy = {signed_sum}"),
        }
        assert!(model.separable, "the paper's blobs are separable");
    }
}

/// The hard-margin limit on four points: (0,0) and (0,1) in class 0, (1,1) and (2,2) in class 1. With a
/// regularised bias the hard-margin problem min ½(‖w‖² + b²) s.t. yᵢ(w·xᵢ + b) ≥ 1 forces b ≤ −1 (from
/// (0,0)), w₂ + b ≤ −1 (from (0,1)) and w₁ + w₂ + b ≥ 1 (from (1,1)); the optimum is w = (2, 0), b = −1,
/// objective 2.5, with duals α = (1, 2, 2, 0) all below C = 1000, so the soft-margin machine equals it.
#[test]
fn hard_margin_limit_by_hand() {
    let x = Array2::from_shape_vec((4, 2), vec![0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 2.0, 2.0]).unwrap();
    let y = [0, 1, 0, 1];
    let model = SvmParams { c: 1000.0, ..SvmParams::default() }.fit(x.view(), &y, 2, None).unwrap();
    let w = model.linear.w.row(0);
    assert!(
        (w[0] - 2.0).abs() < 1e-7 && w[1].abs() < 1e-7 && (model.linear.b[0] + 1.0).abs() < 1e-7,
        "w = {w}, b = {}",
        model.linear.b[0]
    );
    assert!((model.stats.primal - 2.5).abs() < 1e-7);
    let alpha = &model.dual_state.alpha;
    for (got, want) in alpha.iter().zip([1.0, 2.0, 2.0, 0.0]) {
        assert!((got - want).abs() < 1e-6, "α = {alpha:?}");
    }
    assert_eq!(model.support, vec![0, 1, 2]);
    assert!((model.margin() - 0.5).abs() < 1e-7, "margin 1/‖w‖ = 1/2");
    assert!(model.separable);
}

/// A warm start from the solution of slightly different features (as after a training step) lands on the
/// cold optimum of the new features with strictly less work (multiply-adds counted by the solver; epochs
/// alone do not tell, since a fit that has not settled by epoch 16 is finished exactly either way), for every
/// formulation — so a warm start that was ignored would fail.
#[test]
fn warm_start_reaches_the_cold_optimum_faster() {
    for fx in fixtures() {
        for r in &fx.references {
            let formulation = r["formulation"].as_str().unwrap();
            let c = r["C"].as_f64().unwrap();
            let params = params_for(formulation, c);
            let before = params.fit(fx.x.view(), &fx.y, fx.classes, None).unwrap();
            // Move every feature a little: a smooth, deterministic perturbation of about 1%.
            let moved = Array2::from_shape_fn(fx.x.dim(), |(i, j)| {
                fx.x[[i, j]] * (1.0 + 0.01 * ((i * 7 + j * 3) as f64).sin())
            });
            let solve = |warm: Option<&lastlayer::svm::DualState>| {
                let mut fit = params.start(moved.view(), &fx.y, fx.classes, warm).unwrap();
                // A budget large enough to finish, small enough that the work subtracted from it is exact.
                assert!(fit.advance(&mut 1e15), "done");
                let work = fit.work();
                (fit.into_model(), work)
            };
            let (cold, cold_work) = solve(None);
            let (warm, warm_work) = solve(Some(&before.dual_state));
            let what = format!("{} {formulation} C={c}", fx.name);
            let theta = angle(&flat(&warm.linear.w, &warm.linear.b), &flat(&cold.linear.w, &cold.linear.b));
            assert!(theta <= 0.01, "{what}: warm and cold differ by {theta}°");
            assert!(
                (warm.stats.primal - cold.stats.primal).abs() <= 2e-9 * cold.stats.primal,
                "{what}: primal {} vs {}",
                warm.stats.primal,
                cold.stats.primal
            );
            assert!(
                warm_work < cold_work && warm.stats.epochs <= cold.stats.epochs,
                "{what}: warm {warm_work:e} multiply-adds in {} epochs, cold {cold_work:e} in {}",
                warm.stats.epochs,
                cold.stats.epochs
            );
        }
    }
}

/// One-vs-rest: each row is exactly the binary machine of "class k against the rest" (checked against a
/// separate binary fit, whose solver the fixtures certify), and at every point the decision is the rows'
/// scores w_k·x + b_k and the prediction their arg-max.
#[test]
fn one_vs_rest_rows_are_the_binary_machines() {
    for fx in fixtures().into_iter().filter(|f| f.classes > 2) {
        for (loss, bias) in [(Loss::SquaredHinge, BiasMode::Regularized), (Loss::Hinge, BiasMode::Free)] {
            let params = SvmParams { loss, bias, multiclass: Multiclass::OneVsRest, c: 10.0, ..SvmParams::default() };
            let ovr = params.fit(fx.x.view(), &fx.y, fx.classes, None).unwrap();
            for k in 0..fx.classes {
                let yk: Vec<usize> = fx.y.iter().map(|&l| usize::from(l == k)).collect();
                let bin = params.fit(fx.x.view(), &yk, 2, None).unwrap();
                let row: Vec<f64> = ovr.linear.w.row(k).iter().copied().chain([ovr.linear.b[k]]).collect();
                let want: Vec<f64> = bin.linear.w.row(0).iter().copied().chain([bin.linear.b[0]]).collect();
                let theta = angle(&row, &want);
                assert!(theta <= 0.01, "{} {loss:?} {bias:?} class {k}: {theta}°", fx.name);
            }
            for i in 0..fx.y.len() {
                let x = fx.x.row(i).to_vec();
                let scores = ovr.decision(&x);
                for k in 0..fx.classes {
                    let by_hand: f64 =
                        ovr.linear.w.row(k).iter().zip(&x).map(|(w, v)| w * v).sum::<f64>() + ovr.linear.b[k];
                    assert!(
                        (scores[k] - by_hand).abs() <= 1e-12 * (1.0 + by_hand.abs()),
                        "{} point {i} class {k}",
                        fx.name
                    );
                }
                let best = (0..fx.classes).max_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
                assert_eq!(ovr.predict(&x), best, "{} point {i}", fx.name);
            }
        }
    }
}

/// Non-separable data are reported as such; separable data as separable.
#[test]
fn separability_is_reported() {
    for fx in fixtures() {
        let model = SvmParams { c: 1000.0, ..SvmParams::default() }.fit(fx.x.view(), &fx.y, fx.classes, None).unwrap();
        // Only these two are not linearly separable (checked against the reference optima).
        let expected = !matches!(fx.name.as_str(), "overlap" | "four_class_d8");
        assert_eq!(model.separable, expected, "{}", fx.name);
    }
}

/// Bad input is an error value with a message, never a panic; duplicates and zero vectors are fine.
#[test]
fn bad_input_is_an_error() {
    let x = Array2::from_shape_vec((3, 2), vec![0.0, 0.0, 1.0, 1.0, 2.0, 2.0]).unwrap();
    let p = SvmParams::default();
    let err = |r: Result<SvmModel, SvmError>| r.unwrap_err().to_string();
    assert_eq!(err(p.fit(Array2::zeros((0, 2)).view(), &[], 2, None)), "no points to fit");
    assert_eq!(err(p.fit(Array2::zeros((3, 0)).view(), &[0, 1, 1], 2, None)), "the points have no features");
    assert_eq!(
        err(p.fit(x.view(), &[1, 1, 1], 2, None)),
        "all points are in class 1: an SVM needs at least two classes"
    );
    assert_eq!(err(p.fit(x.view(), &[0, 1], 2, None)), "3 points but 2 labels");
    assert_eq!(err(p.fit(x.view(), &[0, 1, 5], 2, None)), "point 2 has label 5, but classes are numbered 0..1");
    let mut nan = x.clone();
    nan[[1, 0]] = f64::NAN;
    assert_eq!(err(p.fit(nan.view(), &[0, 1, 1], 2, None)), "feature 0 of point 1 is NaN: features must be finite");
    for c in [0.0, -1.0, f64::INFINITY, f64::NAN] {
        assert!(err(SvmParams { c, ..p.clone() }.fit(x.view(), &[0, 1, 1], 2, None)).starts_with("C = "));
    }
    let free_cs = SvmParams { bias: BiasMode::Free, ..p.clone() };
    assert!(err(free_cs.fit(x.view(), &[0, 1, 2], 3, None))
        .contains("Crammer–Singer is offered with a regularised bias only"));
    // Duplicates (even with opposite labels) and zero vectors fit without trouble.
    let dup = Array2::from_shape_vec((4, 2), vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]).unwrap();
    let m = p.fit(dup.view(), &[0, 1, 1, 0], 2, None).unwrap();
    assert!(m.stats.rel_gap <= 1e-9 && !m.separable);
    let zeros = Array2::zeros((4, 3));
    let m = p.fit(zeros.view(), &[0, 1, 0, 1], 2, None).unwrap();
    assert!(m.stats.primal.is_finite() && m.linear.w.iter().all(|v| v.abs() < 1e-12));
    // A warm start of the wrong shape is ignored, not trusted.
    let junk = DualState { alpha: vec![f64::NAN; 7], mu: vec![f64::INFINITY] };
    let m = p.fit(x.view(), &[0, 1, 1], 2, Some(&junk)).unwrap();
    assert!(m.stats.rel_gap <= 1e-9);
}

mod common;

/// Native half of the cross-platform SVM check (the wasm half is in `tests/wasm_node.rs`). Regenerate with
/// `LASTLAYER_BLESS=1 cargo test --test svm_exact` only when the solver changes on purpose.
#[test]
fn svm_fingerprint_matches_golden() {
    let got = common::svm_fingerprint();
    if std::env::var_os("LASTLAYER_BLESS").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/svm_fingerprint.txt"),
            format!("{got:#018x}\n"),
        )
        .unwrap();
    }
    assert_eq!(got, common::golden_svm_fingerprint(), "native SVM differs from the golden fingerprint: {got:#018x}");
}

/// Overlapping classes at large C, the case where coordinate descent alone crawls (on 500 points in 16
/// dimensions at C = 10⁴ it used to run into a 100 000-epoch cap 24% above the optimum): x ~ N(0, I₁₆),
/// y = [x·u + 0.5·noise > 0]. Both bias modes must certify a relative gap of 1e-6 well inside 20 000 epochs,
/// and for both the certificate is recomputed here from the returned α alone: α in the box, w = Σαᵢyᵢxᵢ, and
/// the dual — Σα − ½‖Σαᵢyᵢ[xᵢ; 1]‖² for the regularised bias, Σα − ½‖Σαᵢyᵢxᵢ‖² with Σαᵢyᵢ = 0 for the free
/// one — within 1e-6 (relative) of the primal at the returned (w, b).
#[test]
fn certifies_overlapping_classes_at_large_c() {
    use lastlayer::rng::{self, Stream};
    let (n, d, c) = (1000, 16, 1e4);
    let mut r = rng::seeded(11, Stream::Aux);
    let mut u: Vec<f64> = (0..d).map(|_| rng::normal(&mut r)).collect();
    let norm = u.iter().map(|v| v * v).sum::<f64>().sqrt();
    u.iter_mut().for_each(|v| *v /= norm);
    let x = Array2::from_shape_fn((n, d), |_| rng::normal(&mut r));
    let y: Vec<usize> = (0..n)
        .map(|i| {
            usize::from(x.row(i).iter().zip(&u).map(|(a, b)| a * b).sum::<f64>() + 0.5 * rng::normal(&mut r) > 0.0)
        })
        .collect();
    for bias in [BiasMode::Regularized, BiasMode::Free] {
        let params = SvmParams {
            loss: Loss::Hinge,
            bias,
            c,
            solver: SolverOptions { tol: 1e-6, max_epochs: 20_000, ..SolverOptions::default() },
            ..SvmParams::default()
        };
        let model = params.fit(x.view(), &y, 2, None).unwrap();
        let stats = &model.stats;
        assert!(!stats.capped && stats.rel_gap <= 1e-6, "{bias:?}: {stats:?}");
        assert!(!model.separable, "the classes overlap");
        let formulation = if bias == BiasMode::Free { "binary_hinge_freebias" } else { "binary_hinge_regbias" };
        let p = primal(formulation, c, x.view(), &y, &model.linear.w, &model.linear.b);
        assert!((p - stats.primal).abs() <= 1e-9 * p, "{bias:?}: primal {p} vs reported {}", stats.primal);
        // The dual written out here, from the returned α alone: Σα − ½‖Σαyx̃‖² over 0 ≤ α ≤ C, with x̃ = (x, 1)
        // when the bias is regularised, and x̃ = x with the equality constraint Σαy = 0 when it is free.
        let alpha = &model.dual_state.alpha;
        assert!(alpha.iter().all(|&a| (0.0..=c).contains(&a)), "{bias:?}: α outside [0, C]");
        let mut v = vec![0.0; d + 1];
        for i in 0..n {
            let yi = if y[i] == 1 { 1.0 } else { -1.0 };
            for j in 0..d {
                v[j] += alpha[i] * yi * x[[i, j]];
            }
            v[d] += alpha[i] * yi;
        }
        for j in 0..d {
            assert!((v[j] - model.linear.w[[0, j]]).abs() <= 1e-6 * (1.0 + v[j].abs()), "{bias:?}: w ≠ Σαyx");
        }
        let sum: f64 = alpha.iter().sum();
        let dual = match bias {
            BiasMode::Regularized => sum - 0.5 * v.iter().map(|t| t * t).sum::<f64>(),
            BiasMode::Free => {
                assert!(v[d].abs() <= 1e-6 * sum, "free bias: Σαy = {} is not 0", v[d]);
                sum - 0.5 * v[..d].iter().map(|t| t * t).sum::<f64>()
            }
        };
        assert!(dual <= p * (1.0 + 1e-12), "{bias:?}: the dual {dual} above the primal {p}");
        assert!((p - dual) / dual <= 1e-6, "{bias:?}: independent gap {} too large", (p - dual) / dual);
    }
}
