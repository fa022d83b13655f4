//! The feature space: the last hidden layer's outputs h(x) of the points (through a plane when wider than
//! 2), the last layer's boundary, the SVM's with its margin, support vectors ringed, and the network's
//! confidence — all of the step the newest measurement was taken at, so the lines and the points agree.

use super::{
    boundary_functions, curves_for, Curve, Heatmap, Marker, PageState, PlaneScene, PointSet, DISAGREE_LABEL,
    MEMORY_LABEL, SUPPORT_LABEL,
};
use crate::geometry::grid_points;
use crate::probe::{predictions, softmax_into};
use crate::snapshot::FeatureProjection;

/// The feature view of `view`'s newest measurement through `projection`, with `side` cells per side; `None`
/// before the first measurement.
pub fn build(view: &PageState, projection: FeatureProjection, side: usize, show_test: bool) -> Option<PlaneScene> {
    let data = view.data.as_ref()?;
    let m = view.measurement.as_ref().filter(|m| m.matches(data))?;
    let fp = &m.feature_planes[match projection {
        FeatureProjection::SvmNetwork => 0,
        FeatureProjection::Pca => 1,
    }];
    let width = m.network.feature_width();
    let classes = fp.outputs.rows();
    let bounds = fp.bounds();
    let cells = grid_points(bounds, side);
    let net_scores = fp.network.scores_of(cells.view());
    let out = fp.outputs.scores_of(cells.view());
    let mut probs = Vec::with_capacity(side * side * classes);
    for row in out.rows() {
        softmax_into(&row.to_vec(), &mut probs);
    }
    let svm_scores = fp.svm.as_ref().map(|s| s.scores_of(cells.view()));
    let net_pred = predictions(net_scores.view());
    let disagree = match &svm_scores {
        Some(s) => net_pred.iter().zip(predictions(s.view())).map(|(a, b)| *a != b).collect(),
        None => vec![false; side * side],
    };
    let mut curves =
        vec![curves_for(Marker::NetworkLine, &boundary_functions(&net_scores), side, bounds, 2.2, "last layer")];
    if let Some(s) = &svm_scores {
        curves.push(curves_for(Marker::SvmLine, &boundary_functions(s), side, bounds, 2.2, "SVM"));
        curves.push(Curve {
            kind: Marker::Disagreement,
            lines: Vec::new(),
            width: 0.0,
            label: Some(DISAGREE_LABEL.into()),
        });
        if s.ncols() == 1 {
            let plus: Vec<f64> = s.column(0).iter().map(|v| v - 1.0).collect();
            let minus: Vec<f64> = s.column(0).iter().map(|v| v + 1.0).collect();
            curves.push(curves_for(Marker::SvmMargin, &[plus, minus], side, bounds, 1.6, "SVM margin"));
        }
    }
    let axes = if fp.note.is_none() {
        ("h₁".to_string(), "h₂".to_string())
    } else {
        ("p₁".to_string(), "p₂".to_string())
    };
    Some(PlaneScene {
        title: match &view.checked {
            Some(c) => format!("Your network's features (width {})", crate::format::count(c.width as u64)),
            None => format!(
                "Feature space (last hidden layer, width {width}) — step {}",
                crate::format::count(m.metrics.step)
            ),
        },
        axes,
        bounds,
        classes,
        heatmap: Some(Heatmap { width: side, height: side, classes, probs, disagree }),
        curves,
        train: PointSet { points: fp.train.clone(), labels: data.train_labels.clone(), ..PointSet::default() },
        test: (show_test && !fp.test.is_empty()).then(|| PointSet {
            points: fp.test.clone(),
            labels: data.test_labels.clone(),
            hollow: true,
            ..PointSet::default()
        }),
        support: m.regularized.as_ref().map(|f| f.support.clone()).unwrap_or_default(),
        memory: view.memory(),
        note: fp.note.clone(),
        class_names: data.info.class_names.clone(),
        reserve: [(Marker::Disagreement, DISAGREE_LABEL), (Marker::Ring, SUPPORT_LABEL)]
            .into_iter()
            .chain(view.config.as_ref().filter(|c| c.forgetting.on).map(|_| (Marker::Memory, MEMORY_LABEL)))
            .map(|(m, l)| (m, l.to_string()))
            .collect(),
        note_reserved: false,
        compact: false,
    })
}
