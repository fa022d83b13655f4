//! What the theory predicts, measured on a run — so that a reader can see whether a run behaves as the theory
//! says rather than judge it by eye:
//!
//! - **Soudry et al. (JMLR 2018)**, the last layer on fixed, separable features: the direction error falls
//!   like 1/ln t and the norm grows like ‖ŵ‖·ln t (ŵ the hard-margin SVM at margin 1), the loss like 1/t.
//!   [`fit_inverse_log`] fits the angle against 1/ln t over a run's history (a straight line when the theory
//!   holds) and says how well it fits.
//! - **Lyu & Li (ICLR 2020)**, the whole network when it is homogeneous (relu, leaky relu or linear, no
//!   biases): the normalised margin minₙ qₙ/ρᴸ and the smoothed margin rise (qₙ the score of the true class
//!   minus the best other, ρ the parameters' norm, L the number of weight layers). For the cross-entropy loss
//!   the smoothed margin is, in their form, ln(1/(e^ℒ − 1))/ρᴸ with ℒ = Σₙ ln(1 + Σ_{k≠yₙ} e^{−(s_y − s_k)}) the
//!   summed loss — [`lyu_li_margins`].
//! - **Neural collapse (Papyan, Han & Donoho, PNAS 2020)**, three classes or more, as their paper defines
//!   and their code computes it: NC1 = tr(Σ_W Σ_B⁺)/K (within-class variation against between-class); NC2
//!   equinorm = Std_k ‖μ_k − μ_G‖ / Avg_k ‖μ_k − μ_G‖ and equiangularity = Std_{k≠k'} cos(μ_k − μ_G, μ_k' − μ_G)
//!   (both standard deviations with Bessel's correction, as `torch.std`), and their maximal-angle measure
//!   Avg_{k≠k'} |cos + 1/(K − 1)|; NC3 = ‖W/‖W‖ − M/‖M‖‖² between the raw last layer (K × d, no centring) and
//!   the centred class means; NC4 the share of points where the network disagrees with the nearest class
//!   mean — [`neural_collapse`]. Collapsed features put every point of a class at its mean, so every point
//!   lies on the SVM's margin: all become support vectors.
//! - **The moving target**: how far the features moved between two measurements ([`drift`]) — the SVM a
//!   last layer turns towards moves with them, which is why an angle can stall or rise.

use crate::linalg::symmetric_eigen;
use crate::nn::{Activation, Network, Tensor};
use crate::snapshot::Metrics;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// Whether a network is homogeneous in its parameters (Lyu & Li's assumption): relu, leaky relu or linear
/// units and no biases.
pub fn homogeneous(net: &Network) -> bool {
    !net.biased() && matches!(net.activation(), Activation::Relu | Activation::LeakyRelu | Activation::Linear)
}

/// Lyu & Li's normalised margin minₙ qₙ/ρᴸ and smoothed margin ln(1/(e^ℒ − 1))/ρᴸ for the summed
/// cross-entropy ℒ (see the module docs) of a network from its output scores `out` (n × K) on labelled points.
/// ln(e^ℒ − 1) is formed without overflow or cancellation: ℒ + ln(1 − e^{−ℒ}) for a large loss, ln ℒ + ln(expm1(ℒ)/ℒ)
/// for a moderate one, and for a loss that underflows (every ln(1 + u) ≈ u) the log-sum-exp of the exponents.
pub fn lyu_li_margins(net: &Network, out: ArrayView2<f64>, labels: &[usize]) -> (f64, f64) {
    // ‖θ‖² summed as every weight, layer by layer, then every bias.
    let of = |kind: Tensor| {
        net.trainable(0).into_iter().filter(move |&(_, t)| t == kind).flat_map(move |(l, t)| net.tensor(l, t).iter())
    };
    let rho2: f64 = of(Tensor::Weights).chain(of(Tensor::Biases)).map(|v| v * v).sum();
    let rho_l = rho2.sqrt().powi(net.weight_layers() as i32);
    let mut worst = f64::INFINITY;
    let mut exponents = Vec::with_capacity(out.len());
    for (row, &y) in out.rows().into_iter().zip(labels) {
        for (k, &s) in row.iter().enumerate() {
            if k != y {
                worst = worst.min(row[y] - s);
                exponents.push(s - row[y]);
            }
        }
    }
    (worst / rho_l, -log_expm1_cross_entropy(&exponents, out.ncols().saturating_sub(1).max(1)) / rho_l)
}

/// ln(e^ℒ − 1) for the summed cross-entropy ℒ = Σₙ ln(1 + Σₖ e^{eₙₖ}), the exponents eₙₖ = s_k − s_y given
/// point by point in runs of `per_point`.
fn log_expm1_cross_entropy(exponents: &[f64], per_point: usize) -> f64 {
    let top = exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top < -40.0 {
        // Every u = Σₖ e^{eₙₖ} is below K·e^{−40}: ln(1 + u) = u(1 − u/2 + …), so ℒ = Σ u to 1e-17 relative, and
        // e^ℒ − 1 = ℒ(1 + ℒ/2 + …) with ℒ tiny too: ln(e^ℒ − 1) = ln ℒ, the log-sum-exp of the exponents.
        return top + libm::log(exponents.iter().map(|e| libm::exp(e - top)).sum::<f64>());
    }
    let loss: f64 = exponents
        .chunks(per_point)
        .map(|point| {
            let m = point.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if m > 30.0 {
                // ln(1 + u) = ln u + ln(1 + 1/u), u = e^m Σ e^{e − m}.
                let log_u = m + libm::log(point.iter().map(|e| libm::exp(e - m)).sum::<f64>());
                log_u + libm::log1p(libm::exp(-log_u))
            } else {
                libm::log1p(point.iter().map(|&e| libm::exp(e)).sum::<f64>())
            }
        })
        .sum();
    if loss > 30.0 {
        loss + libm::log1p(-libm::exp(-loss))
    } else {
        libm::log(libm::expm1(loss))
    }
}

/// Papyan, Han & Donoho's four measures of neural collapse (see the module docs), NaN below three classes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Collapse {
    /// NC1: tr(Σ_W Σ_B⁺)/K.
    pub nc1: f64,
    /// NC2, equal norms: the standard deviation of the centred class means' norms over their mean.
    pub nc2_equinorm: f64,
    /// NC2, equal angles: the standard deviation of the cosines between pairs of centred class means.
    pub nc2_equiangular: f64,
    /// NC2, maximal angles: the mean |cos + 1/(K − 1)| over pairs of centred class means.
    pub nc2_max_angle: f64,
    /// NC3: ‖W/‖W‖ − M/‖M‖‖² between the raw last layer and the centred class means.
    pub nc3: f64,
    /// NC4: the share of points where the network's class is not the nearest class mean's.
    pub nc4: f64,
}

impl Collapse {
    /// Every measure NaN (fewer than three classes).
    pub const NONE: Collapse = Collapse {
        nc1: f64::NAN,
        nc2_equinorm: f64::NAN,
        nc2_equiangular: f64::NAN,
        nc2_max_angle: f64::NAN,
        nc3: f64::NAN,
        nc4: f64::NAN,
    };
}

/// The neural-collapse measures of features `h` (n × d) with `labels` in 0..`classes`, the last layer `w`
/// (K × d, as the network has it) and the network's predictions.
pub fn neural_collapse(
    h: ArrayView2<f64>,
    labels: &[usize],
    classes: usize,
    w: ArrayView2<f64>,
    predictions: &[usize],
) -> Collapse {
    let (n, d) = h.dim();
    let k = classes;
    if k < 3 || n == 0 {
        return Collapse::NONE;
    }
    let mut means = vec![vec![0.0; d]; k];
    let mut counts = vec![0usize; k];
    for (row, &y) in h.rows().into_iter().zip(labels) {
        counts[y] += 1;
        for (m, v) in means[y].iter_mut().zip(row) {
            *m += v;
        }
    }
    if counts.contains(&0) {
        return Collapse::NONE;
    }
    for (m, &c) in means.iter_mut().zip(&counts) {
        m.iter_mut().for_each(|v| *v /= c as f64);
    }
    let global: Vec<f64> = (0..d).map(|j| (0..n).map(|i| h[[i, j]]).sum::<f64>() / n as f64).collect();
    // M (d × K): the centred class means as columns; G = MᵀM (K × K).
    let centred: Vec<Vec<f64>> = means.iter().map(|m| m.iter().zip(&global).map(|(a, b)| a - b).collect()).collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let g: Vec<f64> = (0..k * k).map(|ab| dot(&centred[ab / k], &centred[ab % k])).collect();
    // A = Mᵀ Σ_W M with Σ_W = (1/n) Σᵢ eᵢeᵢᵀ, eᵢ = hᵢ − μ_yᵢ: A = (EM)ᵀ(EM)/n.
    let mut a = vec![0.0; k * k];
    for (row, &y) in h.rows().into_iter().zip(labels) {
        let e: Vec<f64> = row.iter().zip(&means[y]).map(|(v, m)| v - m).collect();
        let em: Vec<f64> = centred.iter().map(|c| dot(&e, c)).collect();
        for p in 0..k {
            for q in 0..k {
                a[p * k + q] += em[p] * em[q] / n as f64;
            }
        }
    }
    // Σ_B = MMᵀ/K, so Σ_B⁺ = K·M(G⁺)²Mᵀ and tr(Σ_W Σ_B⁺)/K = tr(G⁺ A G⁺).
    let (values, vectors) = symmetric_eigen(&g, k, k);
    let floor = 1e-12 * values.iter().copied().fold(0.0, f64::max);
    let mut g_plus = vec![0.0; k * k];
    for (lambda, v) in values.iter().zip(&vectors) {
        if *lambda > floor {
            for p in 0..k {
                for q in 0..k {
                    g_plus[p * k + q] += v[p] * v[q] / lambda;
                }
            }
        }
    }
    let product = |x: &[f64], y: &[f64]| -> Vec<f64> {
        (0..k * k).map(|pq| (0..k).map(|r| x[pq / k * k + r] * y[r * k + pq % k]).sum()).collect()
    };
    let gag = product(&product(&g_plus, &a), &g_plus);
    let nc1 = (0..k).map(|p| gag[p * k + p]).sum::<f64>();
    let norms: Vec<f64> = centred.iter().map(|c| dot(c, c).sqrt()).collect();
    // Standard deviations with Bessel's correction, as Papyan, Han & Donoho's code takes them (`torch.std`).
    let sample_sd = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    };
    let mean_norm = norms.iter().sum::<f64>() / k as f64;
    // The cosines of every ordered pair of distinct classes.
    let cosines: Vec<f64> = (0..k * k)
        .filter(|pq| pq / k != pq % k)
        .map(|pq| dot(&centred[pq / k], &centred[pq % k]) / (norms[pq / k] * norms[pq % k]))
        .collect();
    let max_angle = cosines.iter().map(|c| (c + 1.0 / (k - 1) as f64).abs()).sum::<f64>() / cosines.len() as f64;
    let m_norm = norms.iter().map(|v| v * v).sum::<f64>().sqrt();
    let w_norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    let nc3 = (0..k)
        .flat_map(|c| (0..d).map(move |j| (c, j)))
        .map(|(c, j)| (w[[c, j]] / w_norm - centred[c][j] / m_norm).powi(2))
        .sum::<f64>();
    let nearest = |row: &[f64]| -> usize {
        (0..k)
            .map(|c| (c, row.iter().zip(&means[c]).map(|(v, m)| (v - m).powi(2)).sum::<f64>()))
            .fold((0, f64::INFINITY), |best, (c, dist)| if dist < best.1 { (c, dist) } else { best })
            .0
    };
    let disagree = h.rows().into_iter().zip(predictions).filter(|(row, &p)| nearest(&row.to_vec()) != p).count() as f64;
    Collapse {
        nc1,
        nc2_equinorm: sample_sd(&norms) / mean_norm,
        nc2_equiangular: sample_sd(&cosines),
        nc2_max_angle: max_angle,
        nc3,
        nc4: disagree / n as f64,
    }
}

/// How far features moved: ‖H − H₀‖_F / ‖H₀‖_F (NaN when the shapes differ or H₀ is zero).
pub fn drift(before: ArrayView2<f64>, now: ArrayView2<f64>) -> f64 {
    if before.dim() != now.dim() {
        return f64::NAN;
    }
    let base = before.iter().map(|v| v * v).sum::<f64>().sqrt();
    let moved = before.iter().zip(now.iter()).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
    if base > 0.0 {
        moved / base
    } else {
        f64::NAN
    }
}

/// Soudry et al.'s law, angle = s·(1/ln t), a line through the origin (the angle vanishes as t → ∞), fitted
/// by least squares to a run's measurements, with how well it fits — R² = 1 − Σ residual² / Σ (angle − mean)²,
/// negative when the line through the origin fits worse than a constant — and, as a test of the law, the
/// intercept a free line a + s′·(1/ln t) would take, with its standard error.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct InverseLogFit {
    /// s, degrees per unit of 1/ln t, of the line through the origin.
    pub slope: f64,
    /// The free line's intercept a: the angle it reaches as t → ∞ (the law says 0).
    pub intercept: f64,
    /// The standard error of that intercept (NaN with fewer than three points).
    pub intercept_se: f64,
    /// The share of the angle's variance the line through the origin explains.
    pub r2: f64,
    /// The first step fitted.
    pub from_step: u64,
    /// The last step fitted.
    pub to_step: u64,
    /// How many measurements were fitted.
    pub points: usize,
}

/// Fits the angle against 1/ln t over the `(step, angle)` measurements at or after `from` (steps ≥ 3 so that
/// 1/ln t is defined and below 1); `None` with fewer than four.
pub fn fit_inverse_log(points: &[(u64, f64)], from: u64) -> Option<InverseLogFit> {
    let used: Vec<(u64, f64, f64)> = points
        .iter()
        .filter(|(s, a)| *s >= from.max(3) && a.is_finite())
        .map(|&(s, a)| (s, 1.0 / libm::log(s as f64), a))
        .collect();
    if used.len() < 4 {
        return None;
    }
    let n = used.len() as f64;
    let mx = used.iter().map(|p| p.1).sum::<f64>() / n;
    let my = used.iter().map(|p| p.2).sum::<f64>() / n;
    let sxx = used.iter().map(|p| (p.1 - mx).powi(2)).sum::<f64>();
    let sxy = used.iter().map(|p| (p.1 - mx) * (p.2 - my)).sum::<f64>();
    let syy = used.iter().map(|p| (p.2 - my).powi(2)).sum::<f64>();
    if sxx <= 0.0 {
        return None;
    }
    // Through the origin: s = Σ x·y / Σ x².
    let slope = used.iter().map(|p| p.1 * p.2).sum::<f64>() / used.iter().map(|p| p.1 * p.1).sum::<f64>();
    let residual = used.iter().map(|p| (p.2 - slope * p.1).powi(2)).sum::<f64>();
    let r2 = if syy > 0.0 { 1.0 - residual / syy } else { f64::NAN };
    // The free line, its intercept and that intercept's standard error.
    let free_slope = sxy / sxx;
    let intercept = my - free_slope * mx;
    let free_residual = used.iter().map(|p| (p.2 - intercept - free_slope * p.1).powi(2)).sum::<f64>();
    let sigma2 = free_residual / (n - 2.0);
    let intercept_se = (sigma2 * (1.0 / n + mx * mx / sxx)).sqrt();
    Some(InverseLogFit {
        slope,
        intercept,
        intercept_se,
        r2,
        from_step: used[0].0,
        to_step: used[used.len() - 1].0,
        points: used.len(),
    })
}

/// What a run's history says about the theories: the angle's fit against 1/ln t over the measurements in
/// Soudry et al.'s regime, and a sentence for each theory on whether the run meets its assumptions.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Summary {
    /// The fit of the angle of [w; b] against 1/ln t, from the first measurement in the regime on.
    pub inverse_log_fit: Option<InverseLogFit>,
    /// Soudry et al.: whether the run is in the regime the theory describes, and why (not).
    pub soudry: String,
    /// Lyu & Li: whether the network meets the assumptions.
    pub lyu_li: String,
    /// Neural collapse: how far it has gone, or why it is not measured.
    pub collapse: String,
}

/// The training loss below which a run counts as "loss small" for Soudry et al.'s regime.
pub const SMALL_LOSS: f64 = 0.1;
/// The relative move of the features between measurements below which they count as settled.
pub const SETTLED_DRIFT: f64 = 1e-3;

fn percent(v: f64) -> String {
    crate::format::percent(v)
}

/// The summary of a history (oldest first; the newest measurement last).
pub fn summary(history: &[Metrics]) -> Summary {
    let Some(last) = history.last() else {
        return Summary {
            soudry: "Not measured yet.".into(),
            lyu_li: "Not measured yet.".into(),
            collapse: "Not measured yet.".into(),
            ..Summary::default()
        };
    };
    // The regime starts at the first measurement from which on every one is separable with a small loss and
    // the features have settled (moved less than SETTLED_DRIFT since the measurement before).
    let settled = |m: &Metrics| !(m.feature_drift > SETTLED_DRIFT);
    let start = history
        .iter()
        .rposition(|m| !(m.separable && m.loss_train < SMALL_LOSS && m.theorem_applies && settled(m)))
        .map_or(0, |i| i + 1);
    let in_regime = &history[start.min(history.len())..];
    let points: Vec<(u64, f64)> = in_regime.iter().map(|m| (m.step, m.angle_wb_deg)).collect();
    let inverse_log_fit = in_regime.first().and_then(|first| fit_inverse_log(&points, first.step));
    let drift = last.feature_drift;
    let soudry = if !last.theorem_applies {
        if !last.separable {
            "Outside Soudry et al.'s regime: the hidden features are not linearly separable.".to_string()
        } else {
            "Outside Soudry et al.'s regime: the theory is about cross-entropy without weight decay.".to_string()
        }
    } else if last.loss_train >= SMALL_LOSS {
        format!(
            "Not yet in Soudry et al.'s regime: the features are separable but the loss ({}) is not yet small.",
            crate::format::number(last.loss_train, 2)
        )
    } else if drift.is_finite() && drift > SETTLED_DRIFT {
        format!(
            "Near Soudry et al.'s regime but for one assumption: the features still move ({} from step {} to step {}), so the SVM is a moving target; the angle follows it rather than falling like 1/ln t.",
            percent(drift),
            last.drift_from_step.map_or_else(|| "?".into(), crate::format::count),
            crate::format::count(last.step)
        )
    } else {
        let fit = inverse_log_fit.map_or(String::new(), |f| {
            let test = if (f.intercept / f.intercept_se).abs() <= 2.0 {
                "consistent with the law's 0"
            } else if f.intercept > 0.0 {
                "above the law's 0: over these steps the angle falls more slowly than 1/ln t"
            } else {
                "below the law's 0: over these steps the angle falls faster than 1/ln t"
            };
            format!(
                " Since step {}, the angle against 1/ln t fits a line through the origin with R² = {} (slope {}°); a \
                 free line would meet t → ∞ at {}° ± {}°, {test}.",
                crate::format::count(f.from_step),
                crate::format::number(f.r2, 3),
                crate::format::number(f.slope, 3),
                crate::format::number(f.intercept, 2),
                crate::format::number(2.0 * f.intercept_se, 2),
            )
        });
        format!("In Soudry et al.'s regime: separable features, a small loss, features settled.{fit}")
    };
    let lyu_li = if last.homogeneous {
        "The network is homogeneous (no biases; relu, leaky relu or linear units): Lyu & Li's margins apply, and the smoothed one should rise once the loss is small.".to_string()
    } else {
        "Lyu & Li's theory assumes a homogeneous network — no biases and relu, leaky relu or linear units; this one is not, so its margins are shown for comparison only.".to_string()
    };
    let collapse = if last.nc1.is_nan() {
        "Neural collapse is measured for three classes or more.".to_string()
    } else {
        format!(
            "Neural collapse: NC1 {}, NC4 {} (toward 0 as the features collapse to their class means; then every point lies on the SVM's margin and all become support vectors).",
            crate::format::number(last.nc1, 3),
            percent(last.nc4)
        )
    };
    Summary { inverse_log_fit, soudry, lyu_li, collapse }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Points on an exact law s/ln t fit the line through the origin with R² = 1, its slope, and a free
    /// intercept of 0; points on a line with an intercept of 2° do not fit it exactly, and the free intercept
    /// is found (its error 0: the points are on that line).
    #[test]
    fn an_exact_inverse_log_law_fits_perfectly() {
        let law: Vec<(u64, f64)> = [10u64, 100, 1000, 10_000].iter().map(|&s| (s, 30.0 / (s as f64).ln())).collect();
        let fit = fit_inverse_log(&law, 1).unwrap();
        assert!((fit.slope - 30.0).abs() < 1e-9 && fit.intercept.abs() < 1e-9 && (fit.r2 - 1.0).abs() < 1e-12);
        let points: Vec<(u64, f64)> =
            [10u64, 100, 1000, 10_000].iter().map(|&s| (s, 2.0 + 30.0 / (s as f64).ln())).collect();
        let fit = fit_inverse_log(&points, 1).unwrap();
        assert!((fit.intercept - 2.0).abs() < 1e-9 && fit.intercept_se < 1e-9, "{fit:?}");
        // Through the origin by hand: s = Σxy/Σx² and R² = 1 − Σ(y − sx)²/Σ(y − ȳ)².
        let (x, y): (Vec<f64>, Vec<f64>) = points.iter().map(|&(s, a)| (1.0 / (s as f64).ln(), a)).unzip();
        let s = x.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>() / x.iter().map(|a| a * a).sum::<f64>();
        let ybar = y.iter().sum::<f64>() / 4.0;
        let r2 = 1.0
            - x.iter().zip(&y).map(|(a, b)| (b - s * a).powi(2)).sum::<f64>()
                / y.iter().map(|b| (b - ybar).powi(2)).sum::<f64>();
        assert!((fit.slope - s).abs() < 1e-9 && (fit.r2 - r2).abs() < 1e-12 && fit.r2 < 0.999, "{fit:?}");
        assert_eq!((fit.from_step, fit.to_step, fit.points), (10, 10_000, 4));
        assert!(fit_inverse_log(&points[..3], 1).is_none());
    }

    /// Three perfectly collapsed classes (each point at its class mean, the means a regular triangle, the
    /// last layer equal to the means): NC1 = 0, both NC2 = 0, NC3 = 0, NC4 = 0.
    #[test]
    fn a_collapsed_simplex_has_no_variation() {
        let s3 = 3f64.sqrt() / 2.0;
        let corners = [[1.0, 0.0], [-0.5, s3], [-0.5, -s3]];
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for (c, p) in corners.iter().enumerate() {
            for _ in 0..4 {
                rows.extend_from_slice(p);
                labels.push(c);
            }
        }
        let h = ndarray::Array2::from_shape_vec((12, 2), rows).unwrap();
        let w = array![[1.0, 0.0], [-0.5, s3], [-0.5, -s3]];
        let c = neural_collapse(h.view(), &labels, 3, w.view(), &labels);
        for v in [c.nc1, c.nc2_equinorm, c.nc2_equiangular, c.nc2_max_angle, c.nc3, c.nc4] {
            assert!(v.abs() < 1e-12, "{c:?}");
        }
        assert!(neural_collapse(h.view(), &labels, 2, w.view(), &labels).nc1.is_nan(), "two classes: not defined");
    }
}
