//! Editing the user's own points: adding and removing points turns any 2-D data into "your own points"; a set
//! that cannot be trained on yet is kept pending (and shown) until it is valid.

use super::dataset::{points_of, Split};
use super::source::{validate_points, DataError, LabeledPoint, MAX_GENERATED_CLASSES};

/// Editing the user's own points: adding and removing points turns any 2-D data into "your own points"; a
/// set of points that cannot be trained on yet (too few per class) is kept pending and shown, and the run
/// goes on with the previous data until the points make a valid set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointEdit {
    /// Points being edited that do not yet make a valid data set.
    pub pending: Option<Vec<LabeledPoint>>,
}

/// What an edit did.
#[derive(Clone, Debug, PartialEq)]
pub enum EditOutcome {
    /// The points make a valid set: the run restarts on them.
    Apply(Vec<LabeledPoint>),
    /// Kept pending (the message says why they cannot be trained on yet).
    Pending(String),
    /// Nothing changed (no point near enough to remove).
    Unchanged,
}

impl PointEdit {
    /// The points an edit starts from: the pending ones, or all points of `split`.
    pub fn current(&self, split: &Split) -> Vec<LabeledPoint> {
        self.pending.clone().unwrap_or_else(|| points_of(split))
    }

    fn settle(&mut self, points: Vec<LabeledPoint>) -> EditOutcome {
        match validate_points(&points) {
            Ok(()) => {
                self.pending = None;
                EditOutcome::Apply(points)
            }
            Err(e) => {
                self.pending = Some(points);
                EditOutcome::Pending(e.to_string())
            }
        }
    }

    /// Adds a point of class `label` at `p`.
    pub fn add(&mut self, split: &Split, p: [f64; 2], label: usize) -> Result<EditOutcome, DataError> {
        if label >= MAX_GENERATED_CLASSES {
            return Err(DataError::BadPoint {
                index: 0,
                reason: format!("class {label} is not in 0..{}", MAX_GENERATED_CLASSES - 1),
            });
        }
        if !(p[0].is_finite() && p[1].is_finite()) {
            return Err(DataError::BadPoint { index: 0, reason: "coordinates must be finite".into() });
        }
        let mut points = self.current(split);
        points.push(LabeledPoint(p[0], p[1], label));
        Ok(self.settle(points))
    }

    /// Removes the point nearest to `p`, if one lies within `reach` (data units).
    pub fn remove_near(&mut self, split: &Split, p: [f64; 2], reach: f64) -> EditOutcome {
        let mut points = self.current(split);
        let nearest = points
            .iter()
            .enumerate()
            .map(|(i, q)| (i, libm::hypot(q.0 - p[0], q.1 - p[1])))
            .filter(|&(_, d)| d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match nearest {
            Some((i, _)) => {
                points.remove(i);
                self.settle(points)
            }
            None => EditOutcome::Unchanged,
        }
    }

    /// Removes every point (the run waits for valid points).
    pub fn clear(&mut self) -> EditOutcome {
        self.settle(Vec::new())
    }

    /// Why the pending points cannot be trained on yet (`None` when nothing is pending).
    pub fn message(&self) -> Option<String> {
        self.pending.as_ref().and_then(|p| validate_points(p).err()).map(|e| e.to_string())
    }
}
