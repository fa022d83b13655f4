//! Small dense linear algebra the solvers and views need: a pivoted LU solve (the SVM's active-set finish)
//! and the leading eigenvectors of a small symmetric matrix (PCA of hidden features).

/// Solves `a · x = b` in place (`a` is n × n row-major and is overwritten; `b` becomes `x`) by Gaussian
/// elimination with partial pivoting. Returns `false`, leaving `b` unspecified, when a pivot is negligible
/// (below 1e-13 of the largest entry): the system is singular to working precision.
pub fn lu_solve(a: &mut [f64], b: &mut [f64], n: usize) -> bool {
    assert_eq!(a.len(), n * n, "lu_solve needs an n × n matrix");
    assert_eq!(b.len(), n, "lu_solve needs n right-hand sides");
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return false;
    }
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs())).expect("col < n");
        if a[pivot * n + col].abs() <= 1e-13 * scale {
            return false;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            b.swap(col, pivot);
        }
        let inv = 1.0 / a[col * n + col];
        for row in col + 1..n {
            let f = a[row * n + col] * inv;
            if f != 0.0 {
                for k in col..n {
                    a[row * n + k] -= f * a[col * n + k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    for row in (0..n).rev() {
        let mut s = b[row];
        for k in row + 1..n {
            s -= a[row * n + k] * b[k];
        }
        b[row] = s / a[row * n + row];
    }
    b.iter().all(|v| v.is_finite())
}

/// Solves a system whose rows `ridge_from..n` carry a small ridge `ridge` on the diagonal (added by the
/// caller to make dependent rows solvable), then removes the ridge's bias by proximal-point rounds:
/// (A + εI)xₖ₊₁ = b + εxₖ on those rows, which converges to the unregularised solution (or the least-squares
/// one) at the rate ε/(λ + ε). `a` is not modified. Returns `None` if the system is singular.
pub fn lu_solve_proximal(
    a: &[f64],
    b: &[f64],
    n: usize,
    ridge: f64,
    ridge_from: usize,
    rounds: usize,
) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut x = b.to_vec();
    if !lu_solve(&mut m, &mut x, n) {
        return None;
    }
    for _ in 0..rounds {
        let mut m = a.to_vec();
        let mut rhs = b.to_vec();
        for i in ridge_from..n {
            rhs[i] += ridge * x[i];
        }
        if !lu_solve(&mut m, &mut rhs, n) {
            return None;
        }
        x = rhs;
    }
    Some(x)
}

/// The `count` leading eigenvectors (largest eigenvalues first) of the symmetric n × n matrix `m`, by cyclic
/// Jacobi rotations (exact to rounding for the small matrices of the views). Returns (eigenvalues, vectors as
/// rows).
pub fn symmetric_eigen(m: &[f64], n: usize, count: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut a = m.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..64 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        let diag: f64 = (0..n).map(|i| a[i * n + i].powi(2)).sum();
        if off <= 1e-30 * diag.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]));
    let values = order.iter().take(count).map(|&i| a[i * n + i]).collect();
    let vectors = order.iter().take(count).map(|&i| (0..n).map(|k| v[k * n + i]).collect()).collect();
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3 × 3 system that needs pivoting (zero in the first pivot): x = (1, 2, 3) by construction.
    #[test]
    fn lu_solves_with_pivoting() {
        let mut a = vec![0.0, 2.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.0, 3.0];
        let mut b = vec![2.0 * 2.0 + 3.0, 1.0 + 2.0 + 3.0, 2.0 + 9.0];
        assert!(lu_solve(&mut a, &mut b, 3));
        for (got, want) in b.iter().zip([1.0, 2.0, 3.0]) {
            assert!((got - want).abs() < 1e-12, "{b:?}");
        }
        let mut singular = vec![1.0, 2.0, 2.0, 4.0];
        assert!(!lu_solve(&mut singular, &mut [1.0, 2.0], 2));
    }

    /// [[2, 1], [1, 2]] has eigenvalues 3 and 1 with eigenvectors (1, 1)/√2 and (1, −1)/√2.
    #[test]
    fn eigen_of_a_known_matrix() {
        let (values, vectors) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2, 2);
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
        let v = &vectors[0];
        assert!((v[0].abs() - 0.5f64.sqrt()).abs() < 1e-12 && (v[0] - v[1]).abs() < 1e-12);
    }
}
