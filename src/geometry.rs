//! Plain geometry shared by the views and the measurements: rectangles of data coordinates, grids over them,
//! and the affine planes through which a view of a space wider than 2 is drawn (a projection p = Pᵀx + c
//! and its lift x = a + Lp back into the space, with PᵀL = I so that lifting then projecting is exact).

use crate::linalg::{dot, symmetric_eigen};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// A rectangle of data coordinates.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// (min, max) along the horizontal axis.
    pub x: (f64, f64),
    /// (min, max) along the vertical axis.
    pub y: (f64, f64),
}

impl Bounds {
    /// The smallest square box around `points`, padded by `pad` of its side on every edge (the unit square
    /// when no point is finite).
    pub fn square_around<'a>(points: impl IntoIterator<Item = &'a [f64; 2]>, pad: f64) -> Bounds {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for p in points {
            for a in 0..2 {
                if p[a].is_finite() {
                    lo[a] = lo[a].min(p[a]);
                    hi[a] = hi[a].max(p[a]);
                }
            }
        }
        if !(lo[0] <= hi[0] && lo[1] <= hi[1]) {
            return Bounds { x: (0.0, 1.0), y: (0.0, 1.0) };
        }
        let side = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1e-9 * (1.0 + lo[0].abs().max(lo[1].abs())));
        let half = side * (0.5 + pad);
        let c = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        Bounds { x: (c[0] - half, c[0] + half), y: (c[1] - half, c[1] + half) }
    }

    /// The point at fractions `(u, v)` of the way across (0 = min, 1 = max).
    pub fn at(&self, u: f64, v: f64) -> [f64; 2] {
        [self.x.0 + u * (self.x.1 - self.x.0), self.y.0 + v * (self.y.1 - self.y.0)]
    }

    /// Whether `p` lies inside (edges included).
    pub fn contains(&self, p: [f64; 2]) -> bool {
        p[0] >= self.x.0 && p[0] <= self.x.1 && p[1] >= self.y.0 && p[1] <= self.y.1
    }
}

/// The centres of a `side × side` grid over `bounds`, row-major from the bottom-left.
pub fn grid_points(bounds: Bounds, side: usize) -> Array2<f64> {
    let mut g = Array2::zeros((side * side, 2));
    for r in 0..side {
        for c in 0..side {
            let p = bounds.at((c as f64 + 0.5) / side as f64, (r as f64 + 0.5) / side as f64);
            g[[r * side + c, 0]] = p[0];
            g[[r * side + c, 1]] = p[1];
        }
    }
    g
}

/// An affine plane in a space of width D, seen through two coordinates: p = Pᵀx + c projects a point of
/// the space into the plane's coordinates, x = a + Lp lifts plane coordinates back (PᵀL = I).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Plane {
    /// a: the point of the space at plane coordinates (0, 0).
    pub origin: Vec<f64>,
    /// L (D × 2): the space's directions of the two plane axes.
    pub lift: Array2<f64>,
    /// P (D × 2): the projection's weights.
    pub project: Array2<f64>,
    /// c: the projection's offset.
    pub offset: [f64; 2],
}

impl Plane {
    /// The plane of a 2-D space itself: p = x.
    pub fn identity() -> Plane {
        Plane { origin: vec![0.0; 2], lift: Array2::eye(2), project: Array2::eye(2), offset: [0.0; 2] }
    }

    /// The plane through `mean` spanned by two orthonormal directions `u` (D × 2), with coordinates measured
    /// from `mean` along them.
    pub fn through(mean: &[f64], u: Array2<f64>) -> Plane {
        let along = |c: usize| -> f64 { dot(&u.column(c).to_vec(), mean) };
        let offset = [-along(0), -along(1)];
        Plane { origin: mean.to_vec(), lift: u.clone(), project: u, offset }
    }

    /// The plane through `mean` along original features `i` and `j`, whose coordinates are those features'
    /// own values (so axes can be labelled in the data's units).
    pub fn features(mean: &[f64], i: usize, j: usize) -> Plane {
        let d = mean.len();
        let mut e = Array2::zeros((d, 2));
        e[[i, 0]] = 1.0;
        e[[j, 1]] = 1.0;
        let mut origin = mean.to_vec();
        origin[i] = 0.0;
        origin[j] = 0.0;
        Plane { origin, lift: e.clone(), project: e, offset: [0.0, 0.0] }
    }

    /// The same plane seen through a per-coordinate affine map of the space, z = (x − m)/s (standardising):
    /// given a plane in z-space, the plane in x-space that shows the same points at the same coordinates.
    pub fn unstandardized(&self, mean: &[f64], scale: &[f64]) -> Plane {
        let d = mean.len();
        let origin: Vec<f64> = (0..d).map(|k| mean[k] + scale[k] * self.origin[k]).collect();
        let mut lift = self.lift.clone();
        let mut project = self.project.clone();
        for k in 0..d {
            for a in 0..2 {
                lift[[k, a]] *= scale[k];
                project[[k, a]] /= scale[k];
            }
        }
        // p = Pᵀ((x − m)/s) + c = (P/s)ᵀx + (c − (P/s)ᵀm)
        let offset = [
            self.offset[0] - (0..d).map(|k| project[[k, 0]] * mean[k]).sum::<f64>(),
            self.offset[1] - (0..d).map(|k| project[[k, 1]] * mean[k]).sum::<f64>(),
        ];
        Plane { origin, lift, project, offset }
    }

    /// Width D of the space.
    pub fn width(&self) -> usize {
        self.origin.len()
    }

    /// Plane coordinates of one point of the space.
    pub fn coordinates(&self, x: &[f64]) -> [f64; 2] {
        let mut p = self.offset;
        for (k, &v) in x.iter().enumerate() {
            p[0] += self.project[[k, 0]] * v;
            p[1] += self.project[[k, 1]] * v;
        }
        p
    }

    /// Plane coordinates of the rows of `x`.
    pub fn coordinates_of(&self, x: ArrayView2<f64>) -> Vec<[f64; 2]> {
        x.rows().into_iter().map(|r| self.coordinates(&r.to_vec())).collect()
    }

    /// The points of the space at the plane coordinates given by the rows of `p` (n × 2).
    pub fn lift_rows(&self, p: ArrayView2<f64>) -> Array2<f64> {
        let mut x = p.dot(&self.lift.t());
        for mut row in x.rows_mut() {
            for (v, o) in row.iter_mut().zip(&self.origin) {
                *v += o;
            }
        }
        x
    }
}

/// The most rows [`principal_axes`] reads (a strided sample of larger sets).
pub const PCA_ROWS: usize = 4096;

/// The two leading principal directions of the rows of `x` about their mean (orthonormal, D × 2), or `None`
/// when the points have no spread. Narrow data through the covariance's eigenvectors; wide data (D > 64)
/// through orthogonal iteration on the centred rows, so that the cost stays O(nD) per iteration.
pub fn principal_axes(x: ArrayView2<f64>, mean: &Array1<f64>) -> Option<Array2<f64>> {
    let (n, d) = x.dim();
    if n == 0 || d < 2 {
        return None;
    }
    // A view's plane needs the leading directions, not every row: past PCA_ROWS rows, every k-th row (a fixed
    // stride, so the same points give the same plane). The lab's own data sets are all smaller.
    let stride = n.div_ceil(PCA_ROWS);
    let x = x.slice(ndarray::s![..;stride, ..]);
    let centred = &x - &mean.view().insert_axis(Axis(0));
    if d <= 64 {
        let cov = centred.t().dot(&centred);
        let (values, vectors) = symmetric_eigen(cov.as_standard_layout().as_slice()?, d, 2);
        if values.len() < 2 || !(values[0] > 0.0) {
            return None;
        }
        let mut u = Array2::zeros((d, 2));
        for (c, v) in vectors.iter().enumerate() {
            for (r, x) in v.iter().enumerate() {
                u[[r, c]] = *x;
            }
        }
        return Some(u);
    }
    // Orthogonal iteration: V ← orth(Xᵀ(X V)), from a fixed start (deterministic).
    let mut v = Array2::from_shape_fn((d, 2), |(r, c)| if (r + c) % 2 == 0 { 1.0 } else { -0.5 } / (1.0 + r as f64));
    for _ in 0..60 {
        let xv = centred.dot(&v);
        let mut next = centred.t().dot(&xv);
        let n0 = next.column(0).dot(&next.column(0)).sqrt();
        if !(n0 > 0.0 && n0.is_finite()) {
            return None;
        }
        next.column_mut(0).mapv_inplace(|t| t / n0);
        let proj = next.column(0).dot(&next.column(1));
        let c0 = next.column(0).to_owned();
        next.column_mut(1).zip_mut_with(&c0, |b, a| *b -= proj * a);
        let n1 = next.column(1).dot(&next.column(1)).sqrt();
        if !(n1 > 0.0 && n1.is_finite()) {
            return None;
        }
        next.column_mut(1).mapv_inplace(|t| t / n1);
        v = next;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Projecting a lifted point gives back its plane coordinates, for a PCA-like plane seen through a
    /// standardisation (x = m + s∘z) and for a pair of original features.
    #[test]
    fn lift_then_project_is_exact() {
        let u = Array2::from_shape_vec((3, 2), vec![0.6, 0.0, 0.8, 0.0, 0.0, 1.0]).unwrap();
        let plane = Plane::through(&[0.0, 0.0, 0.0], u).unstandardized(&[1.0, -2.0, 5.0], &[2.0, 0.5, 10.0]);
        let p = Array2::from_shape_vec((2, 2), vec![0.3, -1.2, 4.0, 2.5]).unwrap();
        let x = plane.lift_rows(p.view());
        for (row, want) in x.rows().into_iter().zip(p.rows()) {
            let got = plane.coordinates(&row.to_vec());
            assert!((got[0] - want[0]).abs() < 1e-12 && (got[1] - want[1]).abs() < 1e-12, "{got:?} vs {want}");
        }
        let f = Plane::features(&[1.0, 2.0, 3.0], 2, 0);
        assert_eq!(f.coordinates(&[7.0, 8.0, 9.0]), [9.0, 7.0]);
        let back = f.lift_rows(Array2::from_shape_vec((1, 2), vec![9.0, 7.0]).unwrap().view());
        assert_eq!(back.row(0).to_vec(), vec![7.0, 2.0, 9.0]);
    }

    /// Points spread along (1, 1, 0) and, uncorrelated with that (±0.1 in a pattern whose covariance with i
    /// is exactly 0), along (0, 0, 1): the first principal axis is ±(1, 1, 0)/√2, by the eigen route and by
    /// orthogonal iteration (a 70-wide copy with zero columns).
    #[test]
    fn principal_axes_find_the_spread() {
        let rows: Vec<[f64; 3]> =
            (0..20).map(|i| [i as f64, i as f64, if i % 4 == 0 || i % 4 == 3 { 0.1 } else { -0.1 }]).collect();
        for width in [3, 70] {
            let x = Array2::from_shape_fn((20, width), |(i, j)| if j < 3 { rows[i][j] } else { 0.0 });
            let mean = x.mean_axis(Axis(0)).unwrap();
            let u = principal_axes(x.view(), &mean).unwrap();
            let first = u.column(0);
            assert!((first[0].abs() - 0.5f64.sqrt()).abs() < 1e-9 && (first[0] - first[1]).abs() < 1e-9, "{first}");
            assert!(u.column(0).dot(&u.column(1)).abs() < 1e-9);
        }
    }
}
