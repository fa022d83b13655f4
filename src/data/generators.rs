//! The 2-D generators: the paper's sets (blobs, plate, sectors, disk, moons, three blobs) and the classic
//! teaching sets (xor, spiral, k gaussian blobs).
//!
//! Every generator is seeded and deterministic: the same [`DataConfig`] gives bit-identical points natively and
//! in WebAssembly (only `+ − × ÷ √` and `libm`'s `sin`/`cos` touch the coordinates, all IEEE-exact or computed
//! by the same code on both targets).
//!
//! Geometry follows the paper's code (Li, Ding & Gao 2018), scaled into the unit square so that one learning
//! rate suits every set: the three-blob centres (10,10), (45,75), (80,10) with σ = 5 become (0.1,0.1),
//! (0.45,0.75), (0.8,0.1) with σ = 0.05.

use super::{DataConfig, Dataset, Source};
use crate::rng::{self, Rng, Stream};
use std::f64::consts::PI;

/// Class sizes for `n` points: geometric weights r^(k/(K−1)) with r = balance / (1 − balance), rounded by the
/// largest-remainder rule so that they sum to `n`; every class gets at least one point.
pub fn class_sizes(n: usize, classes: usize, balance: f64) -> Vec<usize> {
    let ratio = balance / (1.0 - balance);
    let weights: Vec<f64> = (0..classes).map(|k| libm::pow(ratio, k as f64 / (classes - 1) as f64)).collect();
    let total: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| n as f64 * w / total).collect();
    let mut sizes: Vec<usize> = exact.iter().map(|e| (e.floor() as usize).max(1)).collect();
    // The largest fractions first, ties by class.
    let order = crate::order::argsort(classes, |k| -(exact[k] - exact[k].floor()));
    let mut assigned: usize = sizes.iter().sum();
    let mut turn = 0;
    while assigned < n {
        sizes[order[turn % classes]] += 1;
        assigned += 1;
        turn += 1;
    }
    while assigned > n {
        // Only reachable when the `max(1)` floor lifted a class; take from the largest.
        let largest = (0..classes).max_by_key(|&k| sizes[k]).expect("at least one class");
        sizes[largest] -= 1;
        assigned -= 1;
    }
    sizes
}

/// Draws the points of a generated set (2-D inputs); `None` for a source that is not generated.
pub fn sample(config: &DataConfig) -> Option<Dataset> {
    let mut rng = rng::seeded(config.seed, Stream::Data);
    let classes = config.class_count();
    let sizes = class_sizes(config.samples, classes, config.balance);
    let mut points: Vec<[f64; 2]> = Vec::with_capacity(config.samples);
    let mut labels = Vec::with_capacity(config.samples);
    let s = config.noise;
    for (class, &size) in sizes.iter().enumerate() {
        for _ in 0..size {
            // The blob sets are Gaussian by construction; the geometric sets get an optional jitter.
            let p = match config.set {
                Source::Blobs => gaussian(&mut rng, [[0.2, 0.2], [0.8, 0.8]][class], s),
                Source::ThreeBlobs => gaussian(&mut rng, [[0.1, 0.1], [0.45, 0.75], [0.8, 0.1]][class], s),
                Source::GaussianBlobs => {
                    let angle = 2.0 * PI * class as f64 / classes as f64 + PI / 4.0;
                    gaussian(&mut rng, [0.5 + 0.3 * libm::cos(angle), 0.5 + 0.3 * libm::sin(angle)], s)
                }
                geometric => {
                    let p = match geometric {
                        Source::Plate => plate(&mut rng, class, config.margin),
                        Source::Sectors => sector(&mut rng, [[0.1, 0.2], [0.283, 0.4]][class]),
                        Source::SectorsOverlap => sector(&mut rng, [[0.1, 0.2], [0.25, 0.4]][class]),
                        Source::Disk => disk(&mut rng, class, config.margin),
                        Source::Moons => moon(&mut rng, class),
                        Source::Xor => xor(&mut rng, class, config.margin),
                        Source::Spiral => spiral(&mut rng, class, classes),
                        _ => return None,
                    };
                    jitter(&mut rng, p, s)
                }
            };
            points.push(p);
            labels.push(class);
        }
    }
    let inputs = ndarray::Array2::from_shape_fn((points.len(), 2), |(i, j)| points[i][j]);
    Some(Dataset { inputs, labels, classes })
}

fn gaussian(rng: &mut Rng, centre: [f64; 2], std: f64) -> [f64; 2] {
    [centre[0] + std * rng::normal(rng), centre[1] + std * rng::normal(rng)]
}

fn jitter(rng: &mut Rng, p: [f64; 2], std: f64) -> [f64; 2] {
    if std == 0.0 {
        p
    } else {
        gaussian(rng, p, std)
    }
}

/// Uniform in the unit square on the class's side of the band |x₁ + x₂ − 1| < margin (by rejection; each
/// side covers at least 18% of the square for margin ≤ 0.4).
fn plate(rng: &mut Rng, class: usize, margin: f64) -> [f64; 2] {
    loop {
        let p = [rng::uniform(rng, 0.0, 1.0), rng::uniform(rng, 0.0, 1.0)];
        let side = p[0] + p[1] - 1.0;
        if (class == 1 && side >= margin) || (class == 0 && side <= -margin) {
            return p;
        }
    }
}

/// Area-uniform in the quarter annulus r ∈ [r₀, r₁], θ ∈ [0, π/2].
fn sector(rng: &mut Rng, radii: [f64; 2]) -> [f64; 2] {
    let r = (rng::uniform(rng, radii[0] * radii[0], radii[1] * radii[1])).sqrt();
    let theta = rng::uniform(rng, 0.0, PI / 2.0);
    [r * libm::cos(theta), r * libm::sin(theta)]
}

/// Class 0: area-uniform in the disk of radius 0.2 − margin about (0.5, 0.5); class 1: uniform in the unit
/// square outside radius 0.2 + margin (by rejection; that region covers over 60% of the square).
fn disk(rng: &mut Rng, class: usize, margin: f64) -> [f64; 2] {
    if class == 0 {
        let r = (0.2 - margin).max(0.0) * rng::uniform(rng, 0.0, 1.0).sqrt();
        let theta = rng::uniform(rng, 0.0, 2.0 * PI);
        return [0.5 + r * libm::cos(theta), 0.5 + r * libm::sin(theta)];
    }
    let outer = 0.2 + margin;
    loop {
        let p = [rng::uniform(rng, 0.0, 1.0), rng::uniform(rng, 0.0, 1.0)];
        let (dx, dy) = (p[0] - 0.5, p[1] - 0.5);
        if dx * dx + dy * dy >= outer * outer {
            return p;
        }
    }
}

/// Two interleaving half circles of radius 1 (class 0 the upper one), scaled by 1/3 into the unit square.
fn moon(rng: &mut Rng, class: usize) -> [f64; 2] {
    let t = rng::uniform(rng, 0.0, PI);
    let (x, y) = if class == 0 { (libm::cos(t), libm::sin(t)) } else { (1.0 - libm::cos(t), 0.5 - libm::sin(t)) };
    [(x + 1.0) / 3.0, (y + 0.5) / 3.0 + 0.25]
}

/// Uniform in the unit square away (by `margin`) from the lines x = 0.5 and y = 0.5; class 1 where exactly
/// one coordinate exceeds 0.5.
fn xor(rng: &mut Rng, class: usize, margin: f64) -> [f64; 2] {
    loop {
        let p = [rng::uniform(rng, 0.0, 1.0), rng::uniform(rng, 0.0, 1.0)];
        if (p[0] - 0.5).abs() < margin || (p[1] - 0.5).abs() < margin {
            continue;
        }
        let label = usize::from((p[0] > 0.5) != (p[1] > 0.5));
        if label == class {
            return p;
        }
    }
}

/// Arm `class` of `arms`: radius from 0.05 to 0.45 over 1¼ turns, arms rotated evenly about (0.5, 0.5).
fn spiral(rng: &mut Rng, class: usize, arms: usize) -> [f64; 2] {
    let t = rng::uniform(rng, 0.0, 1.0);
    let r = 0.05 + 0.4 * t;
    let theta = 2.0 * PI * (class as f64 / arms as f64 + 1.25 * t);
    [0.5 + r * libm::cos(theta), 0.5 + r * libm::sin(theta)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Class sizes sum to n and follow the balance: 0.75 gives 3× the points in class 1 (the paper's sectors).
    #[test]
    fn class_sizes_follow_balance() {
        assert_eq!(class_sizes(400, 2, 0.75), vec![100, 300]);
        assert_eq!(class_sizes(10, 2, 0.5), vec![5, 5]);
        assert_eq!(class_sizes(9, 3, 0.5), vec![3, 3, 3]);
        let s = class_sizes(101, 4, 0.8);
        assert_eq!(s.iter().sum::<usize>(), 101);
        assert!(s.windows(2).all(|w| w[0] <= w[1]), "{s:?} should grow towards the last class");
    }
}
