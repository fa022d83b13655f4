//! Small dense linear algebra the solvers and views need: the vector kernels of training and of coordinate
//! descent, a pivoted LU factorisation (the SVM's exact finishes) and the leading eigenvectors of a small
//! symmetric matrix (PCA of hidden features).

/// y += α·x over the common length (the compiler vectorises it: SIMD128 in the browser).
#[inline]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// a·b with four accumulators: lets the compiler vectorise and keeps the rounding error small. The summation
/// order is fixed, so native and wasm give the same bits (and changing it changes every trained network's
/// bits: chaotic runs, such as the sectors preset's, then end elsewhere).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let b = &b[..a.len()];
    let whole = a.len() / 4 * 4;
    let mut acc = [0.0f64; 4];
    // Exact chunks: no bounds checks in the loop, so that it vectorises.
    for (x, y) in a[..whole].chunks_exact(4).zip(b[..whole].chunks_exact(4)) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in a[whole..].iter().zip(&b[whole..]) {
        s += x * y;
    }
    s
}

/// `out[i]` = row i of the row-major `x` (rows of length `d`) · `v`, for every row: [`dot`]'s sums, to the bit,
/// four rows at a time so that each entry of `v` is loaded once per four rows.
pub fn row_dots(x: &[f64], d: usize, v: &[f64], out: &mut [f64]) {
    let n = out.len();
    let whole = d / 4 * 4;
    let v = &v[..d];
    let mut blocks = out.chunks_exact_mut(4);
    for (block, o) in (&mut blocks).enumerate() {
        let rows = &x[4 * block * d..(4 * block + 4) * d];
        let (r0, rest) = rows.split_at(d);
        let (r1, rest) = rest.split_at(d);
        let (r2, r3) = rest.split_at(d);
        let mut acc = [[0.0f64; 4]; 4];
        for c in (0..whole).step_by(4) {
            let vc = &v[c..c + 4];
            for (a, r) in acc.iter_mut().zip([r0, r1, r2, r3]) {
                let rc = &r[c..c + 4];
                for l in 0..4 {
                    a[l] += rc[l] * vc[l];
                }
            }
        }
        for ((a, r), o) in acc.iter().zip([r0, r1, r2, r3]).zip(o.iter_mut()) {
            let mut s = (a[0] + a[1]) + (a[2] + a[3]);
            for j in whole..d {
                s += r[j] * v[j];
            }
            *o = s;
        }
    }
    let done = n / 4 * 4;
    for (k, o) in blocks.into_remainder().iter_mut().enumerate() {
        let i = done + k;
        *o = dot(&x[i * d..(i + 1) * d], v);
    }
}

/// Index of the largest entry (the first on ties; 0 for an empty slice).
pub fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for k in 1..v.len() {
        if v[k] > v[best] {
            best = k;
        }
    }
    best
}

/// An LU factorisation with partial pivoting of an n × n row-major matrix: factor once, solve many times.
pub struct Lu {
    /// L (unit diagonal, below) and U (on and above the diagonal), packed.
    packed: Vec<f64>,
    /// Row `k` of the factorised matrix is row `perm[k]` of the original.
    perm: Vec<usize>,
    n: usize,
}

impl Lu {
    /// Factorises `a`. Returns `None` when a pivot is negligible (below 1e-13 of the largest entry): the
    /// matrix is singular to working precision.
    pub fn factor(a: &[f64], n: usize) -> Option<Lu> {
        assert_eq!(a.len(), n * n, "Lu::factor needs an n × n matrix");
        let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if scale == 0.0 || !scale.is_finite() {
            return None;
        }
        let mut m = a.to_vec();
        let mut perm: Vec<usize> = (0..n).collect();
        for col in 0..n {
            let pivot =
                (col..n).max_by(|&i, &j| m[i * n + col].abs().total_cmp(&m[j * n + col].abs())).expect("col < n");
            if m[pivot * n + col].abs() <= 1e-13 * scale {
                return None;
            }
            if pivot != col {
                for k in 0..n {
                    m.swap(col * n + k, pivot * n + k);
                }
                perm.swap(col, pivot);
            }
            let inv = 1.0 / m[col * n + col];
            for row in col + 1..n {
                let f = m[row * n + col] * inv;
                m[row * n + col] = f;
                if f != 0.0 {
                    for k in col + 1..n {
                        m[row * n + k] -= f * m[col * n + k];
                    }
                }
            }
        }
        Some(Lu { packed: m, perm, n })
    }

    /// Solves `a · x = b` with the factorised `a`; `None` if the result is not finite.
    pub fn solve(&self, b: &[f64]) -> Option<Vec<f64>> {
        let n = self.n;
        assert_eq!(b.len(), n, "Lu::solve needs n right-hand sides");
        let m = &self.packed;
        let mut x: Vec<f64> = self.perm.iter().map(|&i| b[i]).collect();
        for row in 0..n {
            let mut s = x[row];
            for k in 0..row {
                s -= m[row * n + k] * x[k];
            }
            x[row] = s;
        }
        for row in (0..n).rev() {
            let mut s = x[row];
            for k in row + 1..n {
                s -= m[row * n + k] * x[k];
            }
            x[row] = s / m[row * n + row];
        }
        x.iter().all(|v| v.is_finite()).then_some(x)
    }
}

/// Solves a system whose rows `ridged` carry a small ridge `ridge` on the diagonal (added by the caller to
/// make dependent rows solvable), then removes the ridge's bias by `rounds` proximal-point rounds:
/// (A + εI)xₖ₊₁ = b + εxₖ on those rows, which converges to the unregularised solution (or the least-squares
/// one) at the rate ε/(λ + ε). One factorisation serves every round. Returns `None` if the system is singular.
pub fn lu_solve_proximal(
    a: &[f64],
    b: &[f64],
    n: usize,
    ridge: f64,
    ridged: std::ops::Range<usize>,
    rounds: usize,
) -> Option<Vec<f64>> {
    let lu = Lu::factor(a, n)?;
    let mut x = lu.solve(b)?;
    for _ in 0..rounds {
        let mut rhs = b.to_vec();
        for i in ridged.clone() {
            rhs[i] += ridge * x[i];
        }
        x = lu.solve(&rhs)?;
    }
    Some(x)
}

/// A Cholesky factor L (A = LLᵀ) of a symmetric positive definite matrix that grows and shrinks by one row
/// and column at a time: appending costs a triangular solve, O(m²); deleting restores triangularity with
/// Givens rotations, O(m²). The active-set finishes keep one for their free set instead of refactoring it
/// from scratch every round (m³/3).
#[derive(Clone, Debug, Default)]
pub struct GrowingCholesky {
    /// Row k holds L[k][0..=k].
    rows: Vec<Vec<f64>>,
}

impl GrowingCholesky {
    /// The order m of the factorised matrix.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the matrix is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Appends a row and column: `column` holds its entries against the existing rows, `diagonal` its own.
    /// A pivot that rounding makes non-positive is replaced by `floor` (the caller's ridge), so the factor
    /// stays usable for dependent rows. Returns the pivot before that (the new row's Schur complement).
    pub fn append(&mut self, column: &[f64], diagonal: f64, floor: f64) -> f64 {
        let m = self.rows.len();
        let mut l = vec![0.0; m + 1];
        for k in 0..m {
            let rk = &self.rows[k];
            let s = column[k] - dot(&rk[..k], &l[..k]);
            l[k] = s / rk[k];
        }
        let pivot = diagonal - dot(&l[..m], &l[..m]);
        l[m] = pivot.max(floor).sqrt();
        self.rows.push(l);
        pivot
    }

    /// Deletes row and column `k`.
    pub fn remove(&mut self, k: usize) {
        // Without row k, L still reproduces the other rows and columns of A (A' = MMᵀ with M = L minus row k),
        // but rows k.. carry one entry right of their diagonal (the old diagonal, at column j + 1 of row j): a
        // Givens rotation of columns (j, j + 1), applied to every row from j down, zeroes it; column m − 1
        // ends up zero and is dropped.
        self.rows.remove(k);
        let m = self.rows.len();
        for j in k..m {
            let (a, b) = (self.rows[j][j], self.rows[j][j + 1]);
            let r = libm::hypot(a, b);
            let (c, s) = if r == 0.0 { (1.0, 0.0) } else { (a / r, b / r) };
            for row in self.rows.iter_mut().skip(j) {
                let (x, y) = (row[j], row[j + 1]);
                row[j] = c * x + s * y;
                row[j + 1] = -s * x + c * y;
            }
            self.rows[j].pop();
            if self.rows[j][j] < 0.0 {
                // Keep a positive diagonal: flip the sign of column j (rows j..).
                for row in self.rows.iter_mut().skip(j) {
                    row[j] = -row[j];
                }
            }
        }
    }

    /// Solves A x = b.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let m = self.rows.len();
        let mut x = b.to_vec();
        for k in 0..m {
            let rk = &self.rows[k];
            x[k] = (x[k] - dot(&rk[..k], &x[..k])) / rk[k];
        }
        // Lᵀ x = z by columns of Lᵀ, that is by L's rows: contiguous, so it vectorises.
        for k in (0..m).rev() {
            let rk = &self.rows[k];
            x[k] /= rk[k];
            let xk = x[k];
            axpy(-xk, &rk[..k], &mut x[..k]);
        }
        x
    }
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
    // The largest first, ties by index.
    let order = crate::order::argsort(n, |i| -a[i * n + i]);
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
        let a = [0.0, 2.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.0, 3.0];
        let lu = Lu::factor(&a, 3).expect("regular");
        // Two right-hand sides through one factorisation: x = (1, 2, 3) and x = (−1, 0, 2).
        for want in [[1.0, 2.0, 3.0], [-1.0, 0.0, 2.0]] {
            let b: Vec<f64> = (0..3).map(|r| (0..3).map(|k| a[r * 3 + k] * want[k]).sum()).collect();
            let x = lu.solve(&b).expect("finite");
            for (got, want) in x.iter().zip(want) {
                assert!((got - want).abs() < 1e-12, "{x:?}");
            }
        }
        assert!(Lu::factor(&[1.0, 2.0, 2.0, 4.0], 2).is_none());
    }

    /// A 4 × 4 positive definite matrix factorised by appends, then with row/column 1 deleted, solves as the
    /// dense 3 × 3 system it leaves: A x = b with x = (1, −2, 0.5) by construction.
    #[test]
    fn growing_cholesky_appends_and_deletes() {
        let a = [[4.0, 1.0, 0.5, 0.2], [1.0, 3.0, 0.3, 0.1], [0.5, 0.3, 2.0, 0.4], [0.2, 0.1, 0.4, 5.0]];
        let mut ch = GrowingCholesky::default();
        for k in 0..4 {
            ch.append(&a[k][..k], a[k][k], 1e-300);
        }
        let x = [1.0, 0.25, -2.0, 0.5];
        let b: Vec<f64> = (0..4).map(|r| (0..4).map(|c| a[r][c] * x[c]).sum()).collect();
        for (got, want) in ch.solve(&b).iter().zip(x) {
            assert!((got - want).abs() < 1e-12);
        }
        ch.remove(1);
        let keep = [0, 2, 3];
        let x = [1.0, -2.0, 0.5];
        let b: Vec<f64> = keep.iter().map(|&r| keep.iter().zip(x).map(|(&c, v)| a[r][c] * v).sum()).collect();
        assert_eq!(ch.len(), 3);
        for (got, want) in ch.solve(&b).iter().zip(x) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }

    /// Every length — whole chunks of four and each remainder — sums every product once: integer-valued
    /// vectors (exact in any order) give the exact sum, and each row of `row_dots` is its row's dot.
    #[test]
    fn dot_sums_every_product_once() {
        for len in 0..=11usize {
            let a: Vec<f64> = (0..len).map(|i| (i as f64) - 3.0).collect();
            let b: Vec<f64> = (0..len).map(|i| 2.0 * (i as f64) + 1.0).collect();
            let exact: f64 = (0..len).map(|i| a[i] * b[i]).sum();
            assert_eq!(dot(&a, &b), exact, "length {len}");
        }
        let x: Vec<f64> = (0..15).map(|i| (i % 7) as f64).collect();
        let mut out = vec![f64::NAN; 3];
        row_dots(&x, 5, &[1.0, 0.0, 2.0, 0.0, -1.0], &mut out);
        assert_eq!(out, vec![0.0 + 4.0 - 4.0, 5.0 + 0.0 - 2.0, 3.0 + 10.0 - 0.0]);
    }

    /// The four-row kernel gives `dot`'s sums to the bit (the solver's results must not depend on which of
    /// the two computed a margin), for every remainder of rows and columns.
    #[test]
    fn row_dots_are_dots_to_the_bit() {
        let mut rng = crate::rng::seeded(5, crate::rng::Stream::Data);
        for (n, d) in [(0, 3), (1, 1), (4, 4), (5, 7), (8, 64), (11, 13)] {
            let x: Vec<f64> = (0..n * d).map(|_| crate::rng::normal(&mut rng)).collect();
            let v: Vec<f64> = (0..d).map(|_| crate::rng::normal(&mut rng)).collect();
            let mut out = vec![f64::NAN; n];
            row_dots(&x, d, &v, &mut out);
            for i in 0..n {
                assert_eq!(out[i].to_bits(), dot(&x[i * d..(i + 1) * d], &v).to_bits(), "n {n} d {d} row {i}");
            }
        }
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
