//! Zero-level contours of a function sampled on a grid (marching squares with linear interpolation), joined
//! into polylines so that dashed strokes run continuously along a boundary.

use crate::geometry::Bounds;
use std::collections::HashMap;

/// The polylines where `values` (row-major, `nx` across × `ny` up, sampled at cell centres of `bounds`)
/// crosses zero.
pub fn zero_lines(values: &[f64], nx: usize, ny: usize, bounds: Bounds) -> Vec<Vec<[f64; 2]>> {
    if nx < 2 || ny < 2 || values.len() != nx * ny {
        return Vec::new();
    }
    let at = |c: usize, r: usize| values[r * nx + c];
    let pos = |c: f64, r: f64| bounds.at((c + 0.5) / nx as f64, (r + 0.5) / ny as f64);
    // Edge ids: horizontal edge (c, r)–(c+1, r) is 2(r·nx + c); vertical (c, r)–(c, r+1) is 2(r·nx + c) + 1.
    let h_edge = |c: usize, r: usize| 2 * (r * nx + c);
    let v_edge = |c: usize, r: usize| 2 * (r * nx + c) + 1;
    let crossing = |edge: usize| -> [f64; 2] {
        let (cell, vertical) = (edge / 2, edge % 2 == 1);
        let (c, r) = (cell % nx, cell / nx);
        let (a, b) = if vertical { (at(c, r), at(c, r + 1)) } else { (at(c, r), at(c + 1, r)) };
        let t = if a == b { 0.5 } else { (a / (a - b)).clamp(0.0, 1.0) };
        if vertical {
            pos(c as f64, r as f64 + t)
        } else {
            pos(c as f64 + t, r as f64)
        }
    };
    let mut segments: Vec<(usize, usize)> = Vec::new();
    for r in 0..ny - 1 {
        for c in 0..nx - 1 {
            let v = [at(c, r), at(c + 1, r), at(c + 1, r + 1), at(c, r + 1)];
            if v.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let index =
                (v[0] > 0.0) as u8 | ((v[1] > 0.0) as u8) << 1 | ((v[2] > 0.0) as u8) << 2 | ((v[3] > 0.0) as u8) << 3;
            let (bottom, right, top, left) = (h_edge(c, r), v_edge(c + 1, r), h_edge(c, r + 1), v_edge(c, r));
            let center_positive = v.iter().sum::<f64>() > 0.0;
            match index {
                0 | 15 => {}
                1 | 14 => segments.push((left, bottom)),
                2 | 13 => segments.push((bottom, right)),
                3 | 12 => segments.push((left, right)),
                4 | 11 => segments.push((right, top)),
                6 | 9 => segments.push((bottom, top)),
                7 | 8 => segments.push((left, top)),
                5 => {
                    // Saddle: corners 0 and 2 positive; the centre decides which pairs connect.
                    if center_positive {
                        segments.push((left, top));
                        segments.push((bottom, right));
                    } else {
                        segments.push((left, bottom));
                        segments.push((right, top));
                    }
                }
                10 => {
                    if center_positive {
                        segments.push((left, bottom));
                        segments.push((right, top));
                    } else {
                        segments.push((left, top));
                        segments.push((bottom, right));
                    }
                }
                _ => unreachable!("four bits make 16 cases"),
            }
        }
    }
    join(&segments).into_iter().map(|chain| chain.into_iter().map(crossing).collect()).collect()
}

/// Joins segments sharing edge ids into chains.
fn join(segments: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut by_edge: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &(a, b)) in segments.iter().enumerate() {
        by_edge.entry(a).or_default().push(i);
        by_edge.entry(b).or_default().push(i);
    }
    let mut used = vec![false; segments.len()];
    let mut chains = Vec::new();
    let next_from = |edge: usize, used: &[bool], by_edge: &HashMap<usize, Vec<usize>>| -> Option<usize> {
        by_edge.get(&edge).and_then(|list| list.iter().copied().find(|&s| !used[s]))
    };
    for start in 0..segments.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let (a, b) = segments[start];
        let mut chain = std::collections::VecDeque::from([a, b]);
        // Extend forwards from b, then backwards from a.
        let mut end = b;
        while let Some(s) = next_from(end, &used, &by_edge) {
            used[s] = true;
            let (p, q) = segments[s];
            end = if p == end { q } else { p };
            chain.push_back(end);
        }
        let mut front = a;
        while let Some(s) = next_from(front, &used, &by_edge) {
            used[s] = true;
            let (p, q) = segments[s];
            front = if p == front { q } else { p };
            chain.push_front(front);
        }
        chains.push(chain.into_iter().collect());
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The zero set of x − 0.3 on [0, 1]² is one vertical polyline at x = 0.3 spanning the grid.
    #[test]
    fn a_straight_boundary_is_one_polyline() {
        let b = Bounds { x: (0.0, 1.0), y: (0.0, 1.0) };
        let n = 20;
        let values: Vec<f64> = (0..n * n).map(|i| b.at(((i % n) as f64 + 0.5) / n as f64, 0.0)[0] - 0.3).collect();
        let lines = zero_lines(&values, n, n, b);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), n);
        assert!(lines[0].iter().all(|p| (p[0] - 0.3).abs() < 1e-12));
    }

    /// A circle of radius 0.3 comes out as one closed polyline whose points lie near the circle.
    #[test]
    fn a_circle_is_closed() {
        let b = Bounds { x: (-1.0, 1.0), y: (-1.0, 1.0) };
        let n = 64;
        let values: Vec<f64> = (0..n * n)
            .map(|i| {
                let p = b.at(((i % n) as f64 + 0.5) / n as f64, ((i / n) as f64 + 0.5) / n as f64);
                p[0].hypot(p[1]) - 0.3
            })
            .collect();
        let lines = zero_lines(&values, n, n, b);
        assert_eq!(lines.len(), 1);
        let l = &lines[0];
        assert_eq!(l.first(), l.last(), "closed");
        assert!(l.iter().all(|p| (p[0].hypot(p[1]) - 0.3).abs() < 0.01));
    }
}
