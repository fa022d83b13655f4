//! The matrix products of training, written for the shapes a small network has: very wide and very narrow
//! layers (2 → 2000 → 2) as well as square ones. Every inner loop runs over contiguous memory (an `axpy` or a
//! dot product), which the compiler vectorises (SIMD128 in the browser); narrow factors are transposed first so
//! that this holds whatever the shape. A general blocked kernel spends most of its time packing such shapes.
//!
//! All matrices are row-major slices.

use crate::linalg::{axpy, dot};

/// Below this many columns the narrow-output paths are taken.
const NARROW: usize = 8;

/// `t` (n × k) = transpose of `w` (k × n).
pub fn transpose_into(w: &[f64], k: usize, n: usize, t: &mut Vec<f64>) {
    t.clear();
    t.resize(k * n, 0.0);
    for p in 0..k {
        for j in 0..n {
            t[j * k + p] = w[p * n + j];
        }
    }
}

/// Whether a layer of `n` outputs takes the narrow paths (its weights used transposed: see [`prepare`]).
pub fn is_narrow(n: usize) -> bool {
    n < NARROW
}

/// Writes into `wt` what the narrow paths need of `w` (k × n): its transpose when `n` is narrow, else nothing.
pub fn prepare(w: &[f64], k: usize, n: usize, wt: &mut Vec<f64>) {
    if is_narrow(n) {
        transpose_into(w, k, n, wt);
    } else {
        wt.clear();
    }
}

/// Z = A·W + b: A is m × k, W is k × n, b has n entries, Z is m × n. `scratch` holds Wᵀ for narrow W.
// BLAS-style signature: the operands, their shape, and a reusable buffer.
#[allow(clippy::too_many_arguments)]
pub fn affine(a: &[f64], w: &[f64], b: &[f64], z: &mut [f64], m: usize, k: usize, n: usize, scratch: &mut Vec<f64>) {
    prepare(w, k, n, scratch);
    affine_prepared(a, w, scratch, b, z, m, k, n);
}

/// [`affine`] with `wt` from [`prepare`] (so that a batch taken in blocks of rows transposes W once). Each row
/// of Z is computed from its row of A alone, in the same order whatever the blocks.
#[allow(clippy::too_many_arguments)]
pub fn affine_prepared(a: &[f64], w: &[f64], wt: &[f64], b: &[f64], z: &mut [f64], m: usize, k: usize, n: usize) {
    if n >= NARROW {
        for i in 0..m {
            let zi = &mut z[i * n..(i + 1) * n];
            zi.copy_from_slice(b);
            for (p, &aip) in a[i * k..(i + 1) * k].iter().enumerate() {
                if aip != 0.0 {
                    axpy(aip, &w[p * n..(p + 1) * n], zi);
                }
            }
        }
    } else {
        for i in 0..m {
            let ai = &a[i * k..(i + 1) * k];
            for j in 0..n {
                z[i * n + j] = b[j] + dot(ai, &wt[j * k..(j + 1) * k]);
            }
        }
    }
}

/// G = Aᵀ·D (the weight gradient): A is m × k, D is m × n, G is k × n (overwritten). `scratch` holds Gᵀ
/// while it accumulates for narrow D.
pub fn weight_gradient(a: &[f64], d: &[f64], g: &mut [f64], m: usize, k: usize, n: usize, scratch: &mut Vec<f64>) {
    weight_gradient_start(g, k, n, scratch);
    weight_gradient_rows(a, d, g, m, k, n, scratch);
    weight_gradient_finish(g, k, n, scratch);
}

/// Starts a weight gradient taken in blocks of rows: zeroes G, or for narrow D the Gᵀ it accumulates in `acc`.
pub fn weight_gradient_start(g: &mut [f64], k: usize, n: usize, acc: &mut Vec<f64>) {
    if n >= NARROW {
        g.fill(0.0);
    } else {
        acc.clear();
        acc.resize(n * k, 0.0);
    }
}

/// Adds the rows of A (m × k) and D (m × n) to a weight gradient begun by [`weight_gradient_start`]. Every
/// entry sums its rows in their order, so blocks of rows given in order sum exactly as the whole batch does.
pub fn weight_gradient_rows(a: &[f64], d: &[f64], g: &mut [f64], m: usize, k: usize, n: usize, acc: &mut [f64]) {
    if n >= NARROW {
        for i in 0..m {
            let di = &d[i * n..(i + 1) * n];
            for (p, &aip) in a[i * k..(i + 1) * k].iter().enumerate() {
                if aip != 0.0 {
                    axpy(aip, di, &mut g[p * n..(p + 1) * n]);
                }
            }
        }
    } else {
        for i in 0..m {
            let ai = &a[i * k..(i + 1) * k];
            for j in 0..n {
                let dij = d[i * n + j];
                if dij != 0.0 {
                    axpy(dij, ai, &mut acc[j * k..(j + 1) * k]);
                }
            }
        }
    }
}

/// Ends a weight gradient taken in blocks of rows: for narrow D, G is the transpose of what `acc` summed.
pub fn weight_gradient_finish(g: &mut [f64], k: usize, n: usize, acc: &[f64]) {
    if n < NARROW {
        for p in 0..k {
            for j in 0..n {
                g[p * n + j] = acc[j * k + p];
            }
        }
    }
}

/// P = D·Wᵀ (the error sent back a layer): D is m × n, W is k × n, P is m × k (overwritten). `scratch` holds
/// Wᵀ for narrow W.
pub fn back_project(d: &[f64], w: &[f64], p_out: &mut [f64], m: usize, k: usize, n: usize, scratch: &mut Vec<f64>) {
    prepare(w, k, n, scratch);
    back_project_prepared(d, w, scratch, p_out, m, k, n);
}

/// [`back_project`] with `wt` from [`prepare`]; each row of P is computed from its row of D alone.
pub fn back_project_prepared(d: &[f64], w: &[f64], wt: &[f64], p_out: &mut [f64], m: usize, k: usize, n: usize) {
    if n >= NARROW {
        for i in 0..m {
            let di = &d[i * n..(i + 1) * n];
            for p in 0..k {
                p_out[i * k + p] = dot(di, &w[p * n..(p + 1) * n]);
            }
        }
    } else {
        for i in 0..m {
            let pi = &mut p_out[i * k..(i + 1) * k];
            pi.fill(0.0);
            for j in 0..n {
                let dij = d[i * n + j];
                if dij != 0.0 {
                    axpy(dij, &wt[j * k..(j + 1) * k], pi);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        (0..m * n).map(|ij| (0..k).map(|p| a[(ij / n) * k + p] * b[p * n + ij % n]).sum()).collect()
    }

    /// Every kernel against the textbook triple loop, for wide and narrow shapes (n = 1, 2, 7, 8, 33).
    #[test]
    fn kernels_match_the_definition() {
        for &(m, k, n) in &[(5, 3, 1), (4, 6, 2), (3, 9, 7), (6, 2, 8), (7, 5, 33), (2, 40, 2)] {
            let a: Vec<f64> = (0..m * k).map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.3).collect();
            let w: Vec<f64> = (0..k * n).map(|i| ((i * 17 % 13) as f64 - 6.0) * 0.2).collect();
            let b: Vec<f64> = (0..n).map(|j| j as f64 * 0.5 - 1.0).collect();
            let mut scratch = Vec::new();
            let mut z = vec![0.0; m * n];
            affine(&a, &w, &b, &mut z, m, k, n, &mut scratch);
            let want: Vec<f64> = naive(&a, &w, m, k, n).iter().enumerate().map(|(ij, v)| v + b[ij % n]).collect();
            assert!(z.iter().zip(&want).all(|(x, y)| (x - y).abs() < 1e-12), "affine {m}×{k}×{n}");
            // Weight gradient: Aᵀ (k × m) · D (m × n) with D = z.
            let mut at = Vec::new();
            transpose_into(&a, m, k, &mut at);
            let mut g = vec![0.0; k * n];
            weight_gradient(&a, &z, &mut g, m, k, n, &mut scratch);
            let want = naive(&at, &z, k, m, n);
            assert!(g.iter().zip(&want).all(|(x, y)| (x - y).abs() < 1e-12), "gradient {m}×{k}×{n}");
            // Back projection: D (m × n) · Wᵀ (n × k).
            let mut wt = Vec::new();
            transpose_into(&w, k, n, &mut wt);
            let mut p = vec![0.0; m * k];
            back_project(&z, &w, &mut p, m, k, n, &mut scratch);
            let want = naive(&z, &wt, m, n, k);
            assert!(p.iter().zip(&want).all(|(x, y)| (x - y).abs() < 1e-12), "back {m}×{k}×{n}");
        }
    }
}
