//! The convergence charts: angle, loss, margins and offsets, accuracy and agreement, on a logarithmic step
//! axis, from the history of measurements (plus the newest one).

use super::{ChartsScene, Panel, Series, SeriesRole, XAxis};
use crate::snapshot::Metrics;

pub(crate) fn series(
    history: &[Metrics],
    label: &str,
    role: SeriesRole,
    dashed: bool,
    f: impl Fn(&Metrics) -> f64,
) -> Series {
    // The step axis is logarithmic: step 0 (the initial state) has no place on it.
    Series {
        label: label.into(),
        role,
        dashed,
        points: history.iter().filter(|m| m.step > 0).map(|m| (m.step as f64, f(m))).collect(),
        scatter: false,
    }
}

/// The chart panels the page and the figures show, from a history (plus the live point, if any).
pub fn build(history: &[Metrics]) -> ChartsScene {
    let binary = history.iter().any(|m| m.offset_net.is_finite());
    let mut geometry = vec![
        series(history, "network margin", SeriesRole::Main, false, |m| m.margin_net),
        series(history, "SVM margin", SeriesRole::Svm, true, |m| m.margin_svm),
    ];
    if binary {
        geometry.push(series(history, "network offset −b/‖w‖", SeriesRole::Test, false, |m| m.offset_net));
        geometry.push(series(history, "SVM offset", SeriesRole::Extra, true, |m| m.offset_svm));
    }
    if history.iter().any(|m| m.offset_whole.is_finite()) {
        // A run whose last layer was retrained alone, beside its twin that kept training the whole network.
        geometry.push(series(history, "offset, had the whole network trained on", SeriesRole::SvmFree, false, |m| {
            m.offset_whole
        }));
    }
    ChartsScene {
        columns: 1,
        label_ends: false,
        panels: vec![
            angle_panel(history),
            Panel {
                title: "Loss".into(),
                unit: "log₁₀ loss".into(),
                log_y: false,
                x: XAxis::LogSteps,
                note: None,
                series: vec![
                    series(history, "training loss", SeriesRole::Main, false, |m| m.log10_loss_train),
                    series(history, "test loss", SeriesRole::Test, true, |m| m.loss_test.log10()),
                ],
            },
            Panel {
                title: "Margins and offsets in feature space".into(),
                unit: "feature units".into(),
                log_y: false,
                x: XAxis::LogSteps,
                note: None,
                series: geometry,
            },
            Panel {
                title: "Accuracy, agreement and ‖W_L‖".into(),
                unit: "share / norm".into(),
                log_y: false,
                x: XAxis::LogSteps,
                note: None,
                series: vec![
                    series(history, "train accuracy", SeriesRole::Main, false, |m| m.acc_train),
                    series(history, "test accuracy", SeriesRole::Test, true, |m| m.acc_test),
                    series(history, "agreement on the plane", SeriesRole::Svm, false, |m| m.agree_grid),
                    series(history, "last layer's norm ‖W_L‖ / 10", SeriesRole::Extra, false, |m| {
                        m.last_layer_norm / 10.0
                    }),
                ],
            },
        ],
    }
}

/// The angle chart alone, each line's newest value written at its end: what a narrow screen shows (four
/// panels in 300 pixels cannot be read) and what the lesson shows when a step is about the angle.
pub fn angle_alone(history: &[Metrics]) -> ChartsScene {
    ChartsScene { columns: 1, label_ends: true, panels: vec![angle_panel(history)] }
}

/// The angle between the last layer and the SVM: [w; b] and w alone, and [w; b] to the free-bias SVM when
/// it is fitted.
fn angle_panel(history: &[Metrics]) -> Panel {
    let free_shown = history.iter().any(|m| m.angle_wb_free_deg.is_finite());
    let mut angle = vec![
        series(history, "angle of [w; b] (weights and bias) to the SVM", SeriesRole::Main, false, |m| m.angle_wb_deg),
        series(history, "angle of w to the SVM", SeriesRole::Svm, true, |m| m.angle_w_deg),
    ];
    if free_shown {
        angle.push(series(history, "[w; b] to the free-bias SVM", SeriesRole::SvmFree, true, |m| m.angle_wb_free_deg));
    }
    Panel {
        title: "Angle between the last layer and the SVM".into(),
        unit: "degrees".into(),
        log_y: true,
        x: XAxis::LogSteps,
        series: angle,
        note: None,
    }
}
