//! The theory drawn beside the measurement (see [`crate::theory`]): the angle against 1/ln t with the line
//! fitted in Soudry et al.'s regime; the network's norm over ln t against the SVM's ‖ŵ‖; t·loss; Lyu & Li's
//! margins; neural collapse (three classes or more); and the moving target — how far the features and the
//! SVM's normal moved between measurements. A panel whose theory's assumptions the run does not meet says so
//! on the chart instead of drawing a misleading prediction.

use super::charts::series;
use super::{ChartsScene, Panel, Series, SeriesRole, XAxis};
use crate::format;
use crate::snapshot::Metrics;
use crate::theory::Summary;

/// The theory's panels for a history (plus the live point, if any) and its summary.
pub fn build(history: &[Metrics], summary: &Summary) -> ChartsScene {
    let shown: Vec<&Metrics> = history.iter().filter(|m| m.step >= 3).collect();
    let inverse = |label: &str, role: SeriesRole, dashed: bool, points: Vec<(f64, f64)>| Series {
        label: label.into(),
        role,
        dashed,
        points,
        scatter: false,
    };
    // 1. The angle against 1/ln t, and the line fitted to it in the regime.
    let mut angle_series = vec![inverse(
        "angle of [w; b]",
        SeriesRole::Main,
        false,
        shown.iter().map(|m| (1.0 / (m.step as f64).ln(), m.angle_wb_deg)).collect(),
    )];
    let angle_note = match summary.inverse_log_fit {
        Some(f) => {
            let x = |s: u64| 1.0 / (s as f64).ln();
            angle_series.push(inverse(
                "line through the origin (Soudry et al.)",
                SeriesRole::Svm,
                true,
                vec![(0.0, 0.0), (x(f.from_step), f.slope * x(f.from_step))],
            ));
            Some(format!(
                "R² = {} from step {} (slope {}°; free intercept {}° ± {}°)",
                format::number(f.r2, 3),
                format::count(f.from_step),
                format::number(f.slope, 3),
                format::number(f.intercept, 2),
                format::number(2.0 * f.intercept_se, 2)
            ))
        }
        // No fit: the same reason the regime sentence gives.
        None => Some(match history.last() {
            Some(m) if !m.theorem_applies && !m.separable => "no fit: the features are not linearly separable".into(),
            Some(m) if !m.theorem_applies => "no fit: the theory is about cross-entropy without weight decay".into(),
            _ => "no fit: not in the regime yet".into(),
        }),
    };
    // 2. ‖[w; b]‖ / ln t against ‖ŵ‖; 3. t · loss.
    let per_log = |m: &Metrics| if m.step >= 3 { m.norm_net_wb / (m.step as f64).ln() } else { f64::NAN };
    let norms = vec![
        series(history, "network ‖[w; b]‖ / ln t", SeriesRole::Main, false, per_log),
        series(history, "SVM ‖ŵ‖", SeriesRole::Svm, true, |m| m.norm_svm_wb),
    ];
    let loss = vec![series(history, "log₁₀(t · loss)", SeriesRole::Main, false, |m| m.log10_t_loss)];
    // 4. Lyu & Li, for homogeneous networks.
    let homogeneous = history.last().is_some_and(|m| m.homogeneous);
    let margins = vec![
        series(history, "normalised margin min q/ρᴸ", SeriesRole::Main, false, |m| m.margin_lyu_li),
        series(history, "smoothed margin ln(1/(e^ℒ−1))/ρᴸ", SeriesRole::Svm, true, |m| m.smoothed_margin_lyu_li),
    ];
    let mut panels = vec![
        Panel {
            title: "Angle against 1/ln t: a straight line if the theory holds".into(),
            unit: "degrees".into(),
            log_y: false,
            x: XAxis::InverseLogSteps,
            series: angle_series,
            note: angle_note,
        },
        Panel {
            title: "Norm growth: ‖[w; b]‖/ln t tends to ‖ŵ‖".into(),
            unit: "feature units".into(),
            log_y: false,
            x: XAxis::LogSteps,
            series: norms,
            note: None,
        },
        Panel {
            title: "The loss falls like 1/t: t · loss levels off".into(),
            unit: "log₁₀".into(),
            log_y: false,
            x: XAxis::LogSteps,
            series: loss,
            note: None,
        },
        Panel {
            title: "Lyu & Li: the whole network's margins".into(),
            unit: "ρᴸ-normalised".into(),
            log_y: false,
            x: XAxis::LogSteps,
            series: margins,
            note: (!homogeneous).then(|| "not homogeneous (biases or tanh-like units): for comparison only".into()),
        },
    ];
    if history.iter().any(|m| m.nc1.is_finite()) {
        panels.push(Panel {
            title: "Neural collapse (→ 0 as features collapse to their class means)".into(),
            unit: "log scale".into(),
            log_y: true,
            x: XAxis::LogSteps,
            series: vec![
                series(history, "NC1 tr(Σ_W Σ_B⁺)/K", SeriesRole::Main, false, |m| m.nc1),
                series(history, "NC2 norms Std/Avg", SeriesRole::Svm, true, |m| m.nc2_equinorm),
                series(history, "NC2 angles Std cos", SeriesRole::SvmFree, true, |m| m.nc2_equiangular),
                series(history, "NC2 max-angle |cos+1/(K−1)|", SeriesRole::SvmFree, false, |m| m.nc2_max_angle),
                series(history, "NC3 W vs means", SeriesRole::Test, false, |m| m.nc3),
                series(history, "NC4 ≠ nearest mean", SeriesRole::Extra, false, |m| m.nc4),
            ],
            note: None,
        });
    }
    panels.push(Panel {
        title: "The moving target: what moved since the previous measurement".into(),
        unit: "log scale".into(),
        log_y: true,
        x: XAxis::LogSteps,
        series: vec![
            series(history, "features ‖ΔH‖/‖H‖", SeriesRole::Main, false, |m| m.feature_drift),
            series(history, "SVM normal turned (degrees)", SeriesRole::Svm, true, |m| m.svm_turn_deg),
        ],
        note: None,
    });
    ChartsScene { panels, columns: 2, label_ends: false }
}
