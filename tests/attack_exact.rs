//! The adversarial search against a brute-force one: in two dimensions the distance it reports for every test
//! point of trained networks is within 2 % of the true smallest distance to the boundary (no crossing exists
//! nearer, searched over 3 600 directions and fine radii), and every adversarial point it reports really is
//! classified differently — for the network and for the SVM pulled back through it.
#![cfg(not(target_arch = "wasm32"))]

use lastlayer::attack::{AttackOptions, Attacked, Target};
use lastlayer::engine::Engine;

/// Whether any point nearer to `x` than `radius` is classified other than `from`: 3 600 directions, each
/// marched outwards in 300 steps.
fn crossing_within(a: &mut Attacked, x: &[f64], from: usize, radius: f64) -> Option<(f64, f64)> {
    const DIRECTIONS: usize = 3600;
    const STEPS: usize = 300;
    for j in 0..DIRECTIONS {
        let theta = j as f64 / DIRECTIONS as f64 * std::f64::consts::TAU;
        let (s, c) = theta.sin_cos();
        for i in 1..=STEPS {
            let r = radius * i as f64 / STEPS as f64;
            if a.class_of(&[x[0] + r * c, x[1] + r * s]) != from {
                return Some((theta, r));
            }
        }
    }
    None
}

fn check(preset: &str, steps: u64) {
    let mut engine = Engine::for_preset(preset, Default::default()).unwrap();
    engine.advance(steps);
    let m = engine.latest().expect("measured");
    let session = engine.session();
    let net = &m.network;
    let st = session.standardizer();
    let svm = m.regularized.as_ref().map(|f| f.linear.clone());
    let targets: Vec<(&str, Target)> = std::iter::once(("network", Target::Network))
        .chain(svm.as_ref().map(|s| ("svm", Target::Features(s))))
        .collect();
    for (name, target) in targets {
        let mut a = Attacked::new(net, st, target);
        let mut found = 0;
        for (i, x) in session.split().test.inputs.rows().into_iter().enumerate() {
            let x = x.to_vec();
            let from = a.class_of(&x);
            let Some(c) = a.attack(&x, &AttackOptions::for_width(2)) else { continue };
            found += 1;
            assert_eq!(c.from, from);
            assert_ne!(
                a.class_of(&c.point),
                from,
                "{preset} {name} point {i}: the adversarial point is not adversarial"
            );
            assert_eq!(a.class_of(&c.point), c.to);
            let moved = ((c.point[0] - x[0]).powi(2) + (c.point[1] - x[1]).powi(2)).sqrt();
            assert!((moved - c.distance).abs() <= 1e-12 * (1.0 + moved), "{preset} {name} {i}: distance is the move");
            if let Some((theta, r)) = crossing_within(&mut a, &x, from, c.distance / 1.02) {
                panic!(
                    "{preset} {name} point {i} at {x:?}: found {} but a crossing at r = {r} (θ = {theta}) is nearer by more than 2 %",
                    c.distance
                );
            }
        }
        let n = session.split().test.len();
        assert!(found * 10 >= n * 9, "{preset} {name}: found crossings for {found} of {n} test points");
    }
}

#[test]
fn blobs_distances_are_within_two_percent_of_the_truth() {
    check("blobs", 2000);
}

#[test]
fn moons_distances_are_within_two_percent_of_the_truth() {
    check("moons", 3000);
}

#[test]
fn three_class_distances_are_within_two_percent_of_the_truth() {
    check("three_blobs", 2000);
}

/// A network given by run.json's layers (tanh hidden units), evaluated by hand: (hidden features, outputs).
fn forward(run: &serde_json::Value, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let layers = run["network"]["layers"].as_array().unwrap();
    let mean: Vec<f64> = serde_json::from_value(run["data"]["mean"].clone()).unwrap();
    let scale: Vec<f64> = serde_json::from_value(run["data"]["scale"].clone()).unwrap();
    let mut a: Vec<f64> = x.iter().zip(&mean).zip(&scale).map(|((v, m), s)| (v - m) / s).collect();
    let mut hidden = Vec::new();
    for (l, layer) in layers.iter().enumerate() {
        let mut z: Vec<f64> = serde_json::from_value(layer["biases"].clone()).unwrap();
        for (i, row) in layer["weights"].as_array().unwrap().iter().enumerate() {
            for (j, w) in row.as_array().unwrap().iter().enumerate() {
                z[j] += a[i] * w.as_f64().unwrap();
            }
        }
        if l + 1 < layers.len() {
            a = z.iter().map(|v| v.tanh()).collect();
            hidden = a.clone();
        } else {
            a = z;
        }
    }
    (hidden, a)
}

fn argmax(v: &[f64]) -> usize {
    (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap()
}

/// Spearman's ρ, written here again (average ranks for ties).
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let rank = |v: &[f64]| -> Vec<f64> {
        (0..v.len())
            .map(|i| {
                let below = v.iter().filter(|&&x| x < v[i]).count() as f64;
                let same = v.iter().filter(|&&x| x == v[i]).count() as f64;
                below + (same + 1.0) / 2.0
            })
            .collect()
    };
    let (ra, rb) = (rank(a), rank(b));
    let n = a.len() as f64;
    let m = (n + 1.0) / 2.0;
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - m) * (y - m)).sum();
    let va: f64 = ra.iter().map(|x| (x - m).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - m).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// The adversarial points a measurement reports are real, recomputed from run.json with a forward pass written
/// here: the input is of its class, the adversarial point of another (for the network and for the SVM on the
/// hidden features), the distance is the move; and the summaries (median, smallest, rank correlation with the
/// feature-space distance to the SVM's boundary) recompute from the points.
#[test]
fn measured_adversarial_points_are_real_and_summarised_honestly() {
    let mut e = Engine::for_preset("adversarial_moons", Default::default()).unwrap();
    e.advance(3000);
    let run = lastlayer::export::run_json(&e);
    let adv = &run["adversarial"];
    assert_eq!(adv["measured_at_step"], 3000);
    let points = adv["points"].as_array().unwrap();
    let test: Vec<Vec<f64>> = serde_json::from_value(run["test"]["inputs"].clone()).unwrap();
    assert_eq!(points.len(), test.len(), "every test point is attacked (fewer than `most`)");
    let svm = &run["svm"]["regularized_bias"];
    let w: Vec<f64> = serde_json::from_value(svm["w"].clone()).unwrap();
    let b = svm["b"].as_f64().unwrap();
    let svm_class = |h: &[f64]| usize::from(h.iter().zip(&w).map(|(x, y)| x * y).sum::<f64>() + b > 0.0);
    let (mut distances, mut feature) = (Vec::new(), Vec::new());
    for p in points {
        let i = p["index"].as_u64().unwrap() as usize;
        let x = &test[i];
        let from = p["from_class"].as_u64().unwrap() as usize;
        let point: Vec<f64> = serde_json::from_value(p["point"].clone()).unwrap();
        assert_eq!(argmax(&forward(&run, x).1), from);
        assert_eq!(argmax(&forward(&run, &point).1), p["to_class"].as_u64().unwrap() as usize);
        assert_ne!(p["to_class"], p["from_class"]);
        let d = p["distance"].as_f64().unwrap();
        let moved = ((point[0] - x[0]).powi(2) + (point[1] - x[1]).powi(2)).sqrt();
        assert!((d - moved).abs() < 1e-12, "{d} vs {moved}");
        let svm_point: Vec<f64> = serde_json::from_value(p["svm_point"].clone()).unwrap();
        assert_ne!(
            svm_class(&forward(&run, &svm_point).0),
            svm_class(&forward(&run, x).0),
            "the SVM's point crosses the SVM"
        );
        // The feature-space distance to the SVM's boundary, signed by agreement with the network's class.
        let h = forward(&run, x).0;
        let s = h.iter().zip(&w).map(|(x, y)| x * y).sum::<f64>() + b;
        let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
        let expected = if from == 1 { s / norm } else { -s / norm };
        assert!((p["feature_distance"].as_f64().unwrap() - expected).abs() < 1e-9);
        distances.push(d);
        feature.push(expected);
    }
    let m = &run["final"];
    let mut sorted = distances.clone();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 { sorted[n / 2] } else { 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]) };
    assert_eq!(m["adv_median"].as_f64().unwrap(), median);
    assert_eq!(m["adv_min"].as_f64().unwrap(), sorted[0]);
    assert!((m["adv_rank_corr"].as_f64().unwrap() - spearman(&distances, &feature)).abs() < 1e-12);
}

/// What the adversarial digits preset says of its perturbations: almost all of the change lies on the pixels
/// that barely vary among the training digits (deviation below 1), and some adversarial points leave 0–16.
#[test]
fn adversarial_digits_change_the_pixels_that_never_vary() {
    let mut e = Engine::for_preset("adversarial_digits", lastlayer::csv_io::library_with_digits()).unwrap();
    e.advance(1000);
    let run = lastlayer::export::run_json(&e);
    let scale: Vec<f64> = serde_json::from_value(run["data"]["scale"].clone()).unwrap();
    let test: Vec<Vec<f64>> = serde_json::from_value(run["test"]["inputs"].clone()).unwrap();
    let still: Vec<usize> = (0..scale.len()).filter(|&j| scale[j] < 1.0).collect();
    assert!(!still.is_empty() && still.len() <= 8, "{} nearly constant pixels", still.len());
    let mut shares = Vec::new();
    let mut outside = 0;
    for p in run["adversarial"]["points"].as_array().unwrap() {
        let point: Vec<f64> = serde_json::from_value(p["point"].clone()).unwrap();
        let x = &test[p["index"].as_u64().unwrap() as usize];
        let d: Vec<f64> = point.iter().zip(x).map(|(a, b)| a - b).collect();
        let total: f64 = d.iter().map(|v| v * v).sum();
        shares.push(still.iter().map(|&j| d[j] * d[j]).sum::<f64>() / total);
        outside += usize::from(point.iter().any(|&v| !(0.0..=16.0).contains(&v)));
    }
    shares.sort_by(f64::total_cmp);
    assert!(shares[shares.len() / 2] > 0.9, "median share on the still pixels: {}", shares[shares.len() / 2]);
    assert!(outside > 0);
}

/// Off, nothing is attacked and nothing is charged: no points, the numbers NaN.
#[test]
fn adversarial_examples_off_cost_nothing() {
    let mut e = Engine::for_preset("moons", Default::default()).unwrap();
    e.advance(50);
    assert!(e.latest().unwrap().adversarial.is_empty());
    assert!(e.metrics().unwrap().adv_median.is_nan());
    assert!(lastlayer::export::run_json(&e)["adversarial"].is_null());
}
