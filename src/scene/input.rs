//! The input space: the network's confidence shading and boundary, the regularised-bias SVM's boundary
//! pulled back through the network (the zero set of svm(h(x))), their disagreement, the points and the
//! support vectors. Inputs wider than 2 are seen through a plane — the two leading principal components
//! through the data's mean, or two chosen features — on which the shading and boundaries are a slice, and
//! onto which the points are projected (marked where the network misclassifies them or the two models
//! disagree, since a slice cannot show that for points off the plane).

use super::{
    boundary_functions, curves_for, Curve, Heatmap, Marker, PageState, PlaneScene, PointSet, ATTACK_LABEL,
    DISAGREE_LABEL, DISPUTED_LABEL, MEMORY_LABEL, MISCLASSIFIED_LABEL, SUPPORT_LABEL,
};
use crate::geometry::{Bounds, Plane};
use crate::nn::Network;
use crate::probe::probe;
use crate::snapshot::InputProjection;
use ndarray::{ArrayView2, Axis};

const NETWORK_LABEL: &str = "network boundary";
const SVM_LABEL: &str = "SVM on h(x), pulled back";
/// How many of the test points nearest the network's boundary get an arrow to their adversarial point.
pub const ARROWS: usize = 12;

/// Heatmap cells per side for `net` within a forward-pass budget of `budget` multiply-adds: between 8 and
/// 64 (the browser's bilinear scaling makes a 64-cell grid shade smoothly; contours interpolate linearly).
pub fn grid_side(net: &Network, budget: f64) -> usize {
    ((budget / net.forward_cost().max(1.0)).sqrt()).clamp(8.0, 64.0) as usize
}

fn projected(plane: &Plane, x: ArrayView2<f64>) -> Vec<[f64; 2]> {
    plane.coordinates_of(x)
}

/// The input view of `view` through `projection`, with `side` cells per side. `keep` holds the visible
/// rectangle still (while points are being edited, so that they land where they are clicked). `None`
/// before any data.
pub fn build(
    view: &PageState,
    projection: InputProjection,
    side: usize,
    show_test: bool,
    keep: Option<Bounds>,
) -> Option<PlaneScene> {
    let data = view.data.as_ref()?;
    let d = data.train.ncols();
    let (plane, axes, note) = match projection {
        InputProjection::Features(i, j) if i < d && j < d && d > 2 => {
            let mean = data.train.mean_axis(Axis(0)).map_or_else(|| vec![0.0; d], |m| m.to_vec());
            let names = &data.info.feature_names;
            (
                Plane::features(&mean, i, j),
                (names[i].clone(), names[j].clone()),
                Some(format!("a slice through the mean along {} and {}; points projected onto it", names[i], names[j])),
            )
        }
        _ if d > 2 => (
            data.plane.clone(),
            ("PC 1".to_string(), "PC 2".to_string()),
            Some(
                "a slice through the mean along the two leading principal components; points projected onto it"
                    .to_string(),
            ),
        ),
        _ => {
            let names = &data.info.feature_names;
            let second = names.get(1).cloned().unwrap_or_default();
            (data.plane.clone(), (names[0].clone(), second), None)
        }
    };
    let train_p = projected(&plane, data.train.view());
    let test_p = projected(&plane, data.test.view());
    let bounds = keep.unwrap_or_else(|| {
        if plane == data.plane {
            data.bounds
        } else {
            Bounds::square_around(train_p.iter().chain(&test_p), 0.06)
        }
    });
    let mut out = PlaneScene {
        title: "Input space".into(),
        axes,
        bounds,
        classes: data.classes,
        heatmap: None,
        curves: Vec::new(),
        train: PointSet { points: train_p, labels: data.train_labels.clone(), ..PointSet::default() },
        test: (show_test && !data.test_labels.is_empty()).then(|| PointSet {
            points: test_p,
            labels: data.test_labels.clone(),
            hollow: true,
            ..PointSet::default()
        }),
        support: Vec::new(),
        memory: view.memory(),
        note,
        class_names: data.info.class_names.clone(),
        reserve: [
            (Marker::Ring, SUPPORT_LABEL),
            (Marker::NetworkLine, NETWORK_LABEL),
            (Marker::SvmLine, SVM_LABEL),
            (Marker::Disagreement, DISAGREE_LABEL),
        ]
        .into_iter()
        .chain(
            (d > 2)
                .then_some([(Marker::Misclassified, MISCLASSIFIED_LABEL), (Marker::Disputed, DISPUTED_LABEL)])
                .into_iter()
                .flatten(),
        )
        .chain(view.config.as_ref().filter(|c| c.attack.on && d == 2).map(|_| (Marker::Attack, ATTACK_LABEL)))
        .chain(view.config.as_ref().filter(|c| c.forgetting.on).map(|_| (Marker::Memory, MEMORY_LABEL)))
        .map(|(m, l)| (m, l.to_string()))
        .collect(),
        note_reserved: d == 2,
        compact: false,
    };
    if let Some((points, why)) = &data.pending {
        // Points being edited: show them alone, with what they still need.
        out.train = PointSet {
            points: points.iter().map(|p| [p.0, p.1]).collect(),
            labels: points.iter().map(|p| p.2).collect(),
            ..PointSet::default()
        };
        out.test = None;
        out.classes = points.iter().map(|p| p.2 + 1).max().unwrap_or(1).max(data.classes);
        while out.class_names.len() < out.classes {
            out.class_names.push(format!("class {}", out.class_names.len()));
        }
        out.note = Some(why.clone());
        return Some(out);
    }
    let Some(m) = view.measurement.as_ref().filter(|m| m.matches(data)) else { return Some(out) };
    let svm = m.regularized.as_ref().map(|f| &f.linear);
    let grid = probe(&m.network, &data.standardizer, &plane, bounds, side, svm);
    out.title = match &view.checked {
        // A file has no inputs: its features, through their plane, with the last layer and the SVM in it.
        Some(c) if c.width == 2 => "Your network's features".to_string(),
        Some(_) => "Your features: principal components".to_string(),
        None => format!("Input space — step {}", crate::format::count(m.metrics.step)),
    };
    out.heatmap = Some(Heatmap {
        width: side,
        height: side,
        classes: grid.classes,
        probs: grid.probs.clone(),
        disagree: grid.disagreement(),
    });
    out.curves.push(curves_for(
        Marker::NetworkLine,
        &boundary_functions(&grid.net_scores),
        side,
        bounds,
        2.2,
        NETWORK_LABEL,
    ));
    if let Some(s) = &grid.svm_scores {
        out.curves.push(curves_for(Marker::SvmLine, &boundary_functions(s), side, bounds, 2.2, SVM_LABEL));
        out.curves.push(Curve {
            kind: Marker::Disagreement,
            lines: Vec::new(),
            width: 0.0,
            label: Some(DISAGREE_LABEL.into()),
        });
        out.support = m.regularized.as_ref().map(|f| f.support.clone()).unwrap_or_default();
    }
    if d == 2 {
        // The adversarial steps of the test points nearest the network's boundary, as arrows.
        let adversarial = view.attacks().map_or(&[][..], |(_, points)| points);
        let mut attacked: Vec<_> =
            adversarial.iter().filter(|p| p.test && p.distance.is_finite() && p.point.len() == 2).collect();
        crate::order::sort_by_key(&mut attacked, |p| (p.distance, p.index));
        let lines: Vec<Vec<[f64; 2]>> = attacked
            .iter()
            .take(ARROWS)
            .filter_map(|p| {
                let x = data.test.row(p.index);
                (x.len() == 2).then(|| vec![[x[0], x[1]], [p.point[0], p.point[1]]])
            })
            .collect();
        if !lines.is_empty() {
            out.curves.push(Curve { kind: Marker::Attack, lines, width: 1.6, label: Some(ATTACK_LABEL.into()) });
        }
    }
    if d > 2 {
        // Off the plane, the shading does not say what the models predict for the points: mark it.
        let mark = |set: &mut PointSet, predictions: &[Vec<u8>; 2]| {
            set.misclassified = set
                .labels
                .iter()
                .zip(&predictions[0])
                .map(|(&y, &p)| (p as usize != y).then_some(p as usize))
                .collect();
            set.disputed = predictions[0].iter().zip(&predictions[1]).map(|(a, b)| a != b).collect();
        };
        mark(&mut out.train, &m.train_predictions);
        if let Some(test) = &mut out.test {
            mark(test, &m.test_predictions);
        }
    }
    Some(out)
}
