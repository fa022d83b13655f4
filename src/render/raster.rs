//! Heatmaps as pixels: class probabilities coloured per cell, then either handed to the browser to scale
//! (the page's painter) or upsampled here and blitted in one call (bitmap backends). Drawing a heatmap as
//! rectangles would cost one backend call per cell.

use super::theme::Style;
use crate::scene::Heatmap;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

/// A raster blitted at a pixel offset inside a drawing area: one `blit_bitmap` call.
pub(crate) struct Blit<'a> {
    pub(crate) origin: BackendCoord,
    pub(crate) size: (u32, u32),
    pub(crate) rgb: &'a [u8],
}

impl<'a, 'b> PointCollection<'b, BackendCoord> for &'b Blit<'a> {
    type Point = &'b BackendCoord;
    type IntoIter = std::iter::Once<&'b BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.origin)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Blit<'_> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _parent: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        match points.next() {
            Some(at) => backend.blit_bitmap(at, self.size, self.rgb),
            None => Ok(()),
        }
    }
}

/// Colours each heatmap cell: the probability-weighted mix of the class colours, laid over the background
/// with an opacity that grows with the confidence max p − 1/K. Returns RGB bytes, row 0 at the bottom.
pub fn color_cells(heat: &Heatmap, style: &Style) -> Vec<u8> {
    let k = heat.classes.max(1);
    let bg = style.background;
    let mut rgb = Vec::with_capacity(heat.width * heat.height * 3);
    for cell in 0..heat.width * heat.height {
        let p = &heat.probs[cell * k..(cell + 1) * k];
        let mut mix = [0.0f32; 3];
        let mut top = 0.0f32;
        for (c, &pc) in p.iter().enumerate() {
            let col = style.class(c);
            mix[0] += pc * col.0 as f32;
            mix[1] += pc * col.1 as f32;
            mix[2] += pc * col.2 as f32;
            top = top.max(pc);
        }
        let floor = 1.0 / k as f32;
        let confidence = ((top - floor) / (1.0 - floor)).clamp(0.0, 1.0);
        let alpha = 0.10 + 0.32 * confidence;
        for (i, b) in [bg.0, bg.1, bg.2].into_iter().enumerate() {
            rgb.push((b as f32 + (mix[i] - b as f32) * alpha).round().clamp(0.0, 255.0) as u8);
        }
    }
    rgb
}

/// Upsamples a grid of RGB cells (row 0 at the bottom) to `w × h` pixels (row 0 at the top) by bilinear
/// interpolation with cell centres at pixel centres, hatching the cells marked in `hatch` with `ink`.
pub fn upsample(
    cells: &[u8],
    nx: usize,
    ny: usize,
    w: u32,
    h: u32,
    hatch: Option<(&[bool], RGBColor, u32)>,
) -> Vec<u8> {
    let mut out = vec![0u8; (w * h * 3) as usize];
    if nx == 0 || ny == 0 || w == 0 || h == 0 || cells.len() < nx * ny * 3 {
        return out;
    }
    let sx = nx as f64 / w as f64;
    let sy = ny as f64 / h as f64;
    let cols: Vec<(usize, usize, f32, usize)> = (0..w)
        .map(|px| {
            let f = (px as f64 + 0.5) * sx - 0.5;
            let fx = f.clamp(0.0, (nx - 1) as f64);
            let x0 = fx.floor() as usize;
            (x0, (x0 + 1).min(nx - 1), (fx - x0 as f64) as f32, (f + 0.5).clamp(0.0, (nx - 1) as f64) as usize)
        })
        .collect();
    for py in 0..h {
        let f = ((h - 1 - py) as f64 + 0.5) * sy - 0.5;
        let fy = f.clamp(0.0, (ny - 1) as f64);
        let y0 = fy.floor() as usize;
        let y1 = (y0 + 1).min(ny - 1);
        let ty = (fy - y0 as f64) as f32;
        let nearest_row = (f + 0.5).clamp(0.0, (ny - 1) as f64) as usize;
        let row = &mut out[(py * w * 3) as usize..((py + 1) * w * 3) as usize];
        for (px, &(x0, x1, tx, nearest_col)) in cols.iter().enumerate() {
            let at = |x: usize, y: usize, c: usize| cells[(y * nx + x) * 3 + c] as f32;
            let mut pixel = [0u8; 3];
            for c in 0..3 {
                let bottom = at(x0, y0, c) + (at(x1, y0, c) - at(x0, y0, c)) * tx;
                let top = at(x0, y1, c) + (at(x1, y1, c) - at(x0, y1, c)) * tx;
                pixel[c] = (bottom + (top - bottom) * ty).round() as u8;
            }
            if let Some((mask, ink, period)) = hatch {
                if mask[nearest_row * nx + nearest_col] && (px as u32 + py) % period < period / 3 {
                    pixel = [
                        ((pixel[0] as u32 + 2 * ink.0 as u32) / 3) as u8,
                        ((pixel[1] as u32 + 2 * ink.1 as u32) / 3) as u8,
                        ((pixel[2] as u32 + 2 * ink.2 as u32) / 3) as u8,
                    ];
                }
            }
            row[px * 3..px * 3 + 3].copy_from_slice(&pixel);
        }
    }
    out
}

/// Where a heatmap's cells go. A bitmap backend has them upsampled here and blitted ([`Upsampler`]); the page's
/// canvas hands the small image to the browser, which scales it in one `drawImage`.
pub trait HeatmapPainter {
    /// Paints `cells` (`nx × ny` RGB, row 0 at the bottom) into the backend-pixel rectangle `(x, y, w, h)`,
    /// hatching the cells marked in `hatch`. Returns pixels to blit instead when it cannot draw by itself.
    fn paint(
        &mut self,
        rect: (i32, i32, u32, u32),
        cells: &[u8],
        nx: usize,
        ny: usize,
        hatch: Option<Hatch<'_>>,
    ) -> Option<Vec<u8>>;
}

/// Cells to hatch, in which colour, with which stripe period (backend pixels).
#[derive(Clone, Copy)]
pub struct Hatch<'a> {
    /// One flag per cell.
    pub mask: &'a [bool],
    /// Stripe colour.
    pub ink: RGBColor,
    /// Stripe period in pixels.
    pub period: u32,
}

/// The painter for backends without a faster path: bilinear upsampling in Rust, then one blit.
pub struct Upsampler;

impl HeatmapPainter for Upsampler {
    fn paint(
        &mut self,
        rect: (i32, i32, u32, u32),
        cells: &[u8],
        nx: usize,
        ny: usize,
        hatch: Option<Hatch<'_>>,
    ) -> Option<Vec<u8>> {
        Some(upsample(cells, nx, ny, rect.2, rect.3, hatch.map(|h| (h.mask, h.ink, h.period))))
    }
}
