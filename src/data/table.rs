//! Tables of any width (imported files and the bundled digits) and the standardisation of inputs.

use super::{DataInfo, Dataset};
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Labelled rows of any width, with names for the columns and the classes.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// A short name (the file's, or "digits").
    pub name: String,
    /// n × D inputs.
    pub inputs: Array2<f64>,
    /// The class of each row, in 0..K.
    pub labels: Vec<usize>,
    /// One name per class (the file's labels, or the class numbers).
    pub class_names: Vec<String>,
    /// One name per input column.
    pub feature_names: Vec<String>,
    /// (width, height) when each row is an image, row-major (for the gallery).
    pub image: Option<[usize; 2]>,
    /// The image shape the rows declare, (channels, height, width), stored channel by channel (a CSV's
    /// `# image: HxWxC` line; the digits are 1 × 8 × 8). `None`: flat rows.
    pub shape: Option<[usize; 3]>,
}

impl Table {
    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }

    /// The rows as a data set.
    pub fn dataset(&self) -> Dataset {
        Dataset { inputs: self.inputs.clone(), labels: self.labels.clone(), classes: self.classes() }
    }

    /// The names and shape the views need.
    pub fn info(&self) -> DataInfo {
        DataInfo {
            name: self.name.clone(),
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
            image: self.image,
            shape: self.shape,
        }
    }

    /// Whether rows look like square images: at least 16 columns, a perfect square of them, and no negative
    /// value (pixel intensities).
    pub fn guess_image(inputs: ArrayView2<f64>) -> Option<[usize; 2]> {
        let d = inputs.ncols();
        let side = (d as f64).sqrt().round() as usize;
        (d >= 16 && side * side == d && inputs.iter().all(|&v| v >= 0.0)).then_some([side, side])
    }
}

/// z = (x − mean)/scale per input column, with the training set's mean and standard deviation (a column that
/// does not vary keeps scale 1, so it stays at 0).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Standardizer {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column deviations.
    pub scale: Vec<f64>,
}

impl Standardizer {
    /// No change, for `width` columns.
    pub fn identity(width: usize) -> Standardizer {
        Standardizer { mean: vec![0.0; width], scale: vec![1.0; width] }
    }

    /// The mean and (population) standard deviation of the rows of `x`.
    pub fn fit(x: ArrayView2<f64>) -> Standardizer {
        let d = x.ncols();
        if x.nrows() == 0 {
            return Standardizer::identity(d);
        }
        let mean = x.mean_axis(Axis(0)).expect("rows exist").to_vec();
        let scale = (0..d)
            .map(|j| {
                let var = x.column(j).iter().map(|v| (v - mean[j]).powi(2)).sum::<f64>() / x.nrows() as f64;
                let s = var.sqrt();
                if s > 1e-12 * (1.0 + mean[j].abs()) && s.is_finite() {
                    s
                } else {
                    1.0
                }
            })
            .collect();
        Standardizer { mean, scale }
    }

    /// Whether it changes nothing.
    pub fn is_identity(&self) -> bool {
        self.mean.iter().all(|&m| m == 0.0) && self.scale.iter().all(|&s| s == 1.0)
    }

    /// The standardised rows of `x`.
    pub fn apply(&self, x: ArrayView2<f64>) -> Array2<f64> {
        if self.is_identity() {
            return x.to_owned();
        }
        let mut z = x.to_owned();
        for mut row in z.rows_mut() {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = (*v - m) / s;
            }
        }
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns (1, 3) and (5, 5): means 2 and 5, deviations 1 and (constant) 1; 64 non-negative columns
    /// are an 8 × 8 image, 63 are not.
    #[test]
    fn standardises_and_guesses_images() {
        let x = Array2::from_shape_vec((2, 2), vec![1.0, 5.0, 3.0, 5.0]).unwrap();
        let s = Standardizer::fit(x.view());
        assert_eq!(s.mean, vec![2.0, 5.0]);
        assert_eq!(s.scale, vec![1.0, 1.0]);
        assert_eq!(s.apply(x.view()), Array2::from_shape_vec((2, 2), vec![-1.0, 0.0, 1.0, 0.0]).unwrap());
        assert_eq!(Table::guess_image(Array2::<f64>::zeros((3, 64)).view()), Some([8, 8]));
        assert_eq!(Table::guess_image(Array2::<f64>::zeros((3, 63)).view()), None);
    }
}
