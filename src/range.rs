//! The range of a numeric setting: what a config accepts and what the page's control for it spans. A leaf,
//! shared by every group of the config (data, network, training, SVM), with its own error.

use serde::Serialize;
use thiserror::Error;

/// A value outside its setting's range.
#[derive(Error, Debug, Clone, PartialEq)]
#[error("{name} = {value} is out of range: it must be between {min} and {max}")]
pub struct RangeError {
    /// The setting (group.name).
    pub name: String,
    /// The value given.
    pub value: f64,
    /// Smallest allowed.
    pub min: f64,
    /// Largest allowed.
    pub max: f64,
}

/// The range of a numeric setting.
#[derive(Serialize, Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Config group ("data", "network", "train", "svm").
    pub group: &'static str,
    /// Field name.
    pub name: &'static str,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Control step (0 for a logarithmic slider).
    pub step: f64,
    /// Whether the control moves on a logarithmic scale.
    pub log: bool,
}

impl Range {
    /// Whether `value` is inside (NaN is not).
    pub fn check(&self, value: f64) -> Result<(), RangeError> {
        // `!(a <= b)` so that NaN fails too.
        if !(value >= self.min && value <= self.max) {
            return Err(self.error(value));
        }
        Ok(())
    }

    /// The error for `value` (for checks the f64 comparison cannot make, such as integers above 2⁵³).
    pub fn error(&self, value: f64) -> RangeError {
        RangeError { name: format!("{}.{}", self.group, self.name), value, min: self.min, max: self.max }
    }
}

/// The range called `name` in `ranges` (every checked field has one: a missing one is a programming error).
pub fn find<'a>(ranges: &'a [Range], name: &str) -> &'a Range {
    ranges.iter().find(|r| r.name == name).expect("every checked field has a range")
}
