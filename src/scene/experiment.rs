//! The experiments on the paper's consequences, charted: a class-incremental run's arms through its second
//! phase (old-class, new-class and overall test accuracy, and the angle to the SVM on all classes), and the
//! adversarial distances over training beside the SVM's margin, with each test point's adversarial distance
//! against its distance to the SVM's boundary in the feature space.

use super::charts::series;
use super::{ChartsScene, Panel, Series, SeriesRole, XAxis};
use crate::config::Arm;
use crate::page::PageState;
use crate::snapshot::{ArmPoint, ForgettingView};

/// The colour role and dash of an arm's line: colour-blind safe by colour and dash together.
pub fn arm_style(arm: Arm) -> (SeriesRole, bool) {
    match arm {
        Arm::None => (SeriesRole::Extra, true),
        Arm::SupportNet => (SeriesRole::Svm, false),
        Arm::LinearSvm => (SeriesRole::SvmVariant, true),
        Arm::Random => (SeriesRole::Test, true),
        Arm::ClassMeans => (SeriesRole::SvmFree, false),
        Arm::AllOld => (SeriesRole::Main, false),
    }
}

fn arm_panel(v: &ForgettingView, title: &str, unit: &str, f: fn(&ArmPoint) -> f64) -> Panel {
    Panel {
        title: title.into(),
        unit: unit.into(),
        log_y: false,
        x: XAxis::Steps,
        series: v
            .arms
            .iter()
            .map(|a| {
                let (role, dashed) = arm_style(a.arm);
                Series {
                    label: a.arm.title().into(),
                    role,
                    dashed,
                    points: a.history.iter().map(|p| (p.step as f64, f(p))).collect(),
                    scatter: false,
                }
            })
            .collect(),
        note: None,
    }
}

/// The experiment charts of `state`, or `None` when neither experiment is on (or nothing is measured yet).
pub fn build(state: &PageState) -> Option<ChartsScene> {
    let config = state.config.as_ref()?;
    let mut panels = Vec::new();
    if let Some(v) = &state.forgetting {
        panels.push(arm_panel(v, "Old classes: test accuracy, after the new ones arrive", "share", |p| p.old_acc));
        panels.push(arm_panel(v, "New classes: test accuracy", "share", |p| p.new_acc));
        panels.push(arm_panel(v, "All classes: test accuracy", "share", |p| p.acc));
        let mut angle =
            arm_panel(v, "Angle of the last layer to the SVM on all classes", "degrees", |p| p.angle_wb_deg);
        let without = angle.series.iter().filter(|s| s.points.iter().all(|p| !p.1.is_finite())).count();
        if without == angle.series.len() {
            angle.note = Some("no arm separates every class's training points yet: no SVM limit to approach".into());
        } else if without > 0 {
            // Say why the arms without a line have none (the legend shows which); short enough to stay legible.
            angle.note = Some("arms without a line misclassify a training point: no SVM limit".into());
        }
        panels.push(angle);
    } else if config.forgetting.on {
        panels.push(Panel {
            title: "Forgetting: the arms".into(),
            unit: "share".into(),
            log_y: false,
            x: XAxis::Steps,
            series: Vec::new(),
            note: Some(format!(
                "the arms begin when the new classes arrive, at step {}",
                crate::format::count(config.forgetting.phase_steps)
            )),
        });
    }
    if config.attack.on {
        let history = state.history_with_latest();
        // The search runs at some of the measurements only (its own share of the work): the lines join the
        // measurements that made it (their count of missed points is a number, NaN elsewhere).
        let attacked: Vec<_> = history.iter().filter(|m| m.adv_missed.is_finite()).cloned().collect();
        panels.push(Panel {
            title: "Adversarial distance of the test points".into(),
            unit: "input units".into(),
            log_y: false,
            x: XAxis::LogSteps,
            series: vec![
                series(&attacked, "median, network", SeriesRole::Main, false, |m| m.adv_median),
                series(&attacked, "smallest, network", SeriesRole::Test, false, |m| m.adv_min),
                series(&attacked, "median, SVM pulled back", SeriesRole::Svm, true, |m| m.adv_median_svm),
            ],
            note: None,
        });
        panels.push(Panel {
            title: "The SVM's margin in the feature space".into(),
            unit: "feature units".into(),
            log_y: false,
            x: XAxis::LogSteps,
            series: vec![series(&history, "SVM margin", SeriesRole::Svm, true, |m| m.margin_svm)],
            note: None,
        });
        let m = state.attacks();
        let points: Vec<(f64, f64)> = m
            .map(|(_, adversarial)| {
                adversarial
                    .iter()
                    .filter(|p| p.test && p.distance.is_finite() && p.feature_distance.is_finite())
                    .map(|p| (p.feature_distance, p.distance))
                    .collect()
            })
            .unwrap_or_default();
        let rho = m.map_or(f64::NAN, |(m, _)| m.adv_rank_corr);
        panels.push(Panel {
            title: "Each test point: adversarial distance against its distance to the SVM's boundary".into(),
            unit: "input units".into(),
            log_y: false,
            x: XAxis::Values("distance to the SVM's boundary in the feature space"),
            series: vec![Series {
                label: format!("test points (Spearman ρ = {})", crate::format::number(rho, 2)),
                role: SeriesRole::Main,
                dashed: false,
                points,
                scatter: true,
            }],
            note: m.map(|(m, _)| format!("step {}", crate::format::count(m.step))),
        });
    }
    (!panels.is_empty()).then_some(ChartsScene { columns: 2, panels, label_ends: false })
}
