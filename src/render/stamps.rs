//! A layer of stamps: many small images (the page's point markers) laid over each other in memory with the
//! canvas's "source over" rule, then handed to the canvas as a few images (the rows of 32-pixel tiles stamped,
//! close rows joined). A view of 5 000 points stamps ~10 000 sprites; one canvas call each cost ~4 µs of the
//! page's thread (15–20 µs on a throttled laptop), here a stamp is a few hundred multiply-adds and the canvas
//! sees a `putImageData` and a `drawImage` per rectangle.
//!
//! Pixels are premultiplied RGBA bytes while stamped (so that "over" is one multiply-add per channel) and
//! straight RGBA when taken out (what `ImageData` holds). Outside the region stamped since the last
//! [`StampLayer::take`] the layer is all zeros, whatever the width it was last used at, so a layer can serve
//! canvases of any size without clearing.

/// A sprite: `side` × `side` premultiplied RGBA pixels, rows top first.
pub struct Sprite {
    pub side: usize,
    pub rgba: Vec<u8>,
}

impl Sprite {
    /// A sprite from straight RGBA pixels (what a canvas's `getImageData` returns).
    pub fn from_straight(side: usize, straight: &[u8]) -> Sprite {
        let rgba = straight
            .chunks_exact(4)
            .take(side * side)
            .flat_map(|p| {
                let a = u16::from(p[3]);
                [mul255(u16::from(p[0]), a), mul255(u16::from(p[1]), a), mul255(u16::from(p[2]), a), p[3]]
            })
            .collect();
        Sprite { side, rgba }
    }
}

/// x · y / 255 rounded to nearest, for bytes.
fn mul255(x: u16, y: u16) -> u8 {
    let t = u32::from(x) * u32::from(y) + 128;
    ((t + (t >> 8)) >> 8) as u8
}

/// Pixels stamped since the last take: `(x, y, width, height, straight RGBA rows)`.
pub type Taken = (i32, i32, u32, u32, Vec<u8>);

/// The side of the tiles the layer tracks: only tiles stamped are handed over (points scattered over a
/// plot leave most of it empty, and every pixel handed over costs the canvas a copy).
const TILE: usize = 32;

/// What a canvas call costs, in pixels copied (measured in Chromium: a `putImageData` and `drawImage` pair
/// costs about as much as copying a 64 × 64 region).
const CALL_PIXELS: usize = 64 * 64;

/// Stamps laid over each other; see the module's documentation.
#[derive(Default)]
pub struct StampLayer {
    buf: Vec<u8>,
    width: usize,
    height: usize,
    /// Which tiles were stamped since the last take, row by row.
    dirty: Vec<bool>,
    any: bool,
}

impl StampLayer {
    /// Whether nothing was stamped since the last take.
    pub fn is_empty(&self) -> bool {
        !self.any
    }

    fn tiles_x(&self) -> usize {
        self.width.div_ceil(TILE)
    }

    /// Stamps on a canvas of `width` × `height` pixels from now on. Anything stamped and not yet taken is
    /// dropped.
    pub fn resize(&mut self, width: usize, height: usize) {
        self.clear();
        self.width = width;
        self.height = height;
        if self.buf.len() < width * height * 4 {
            self.buf.resize(width * height * 4, 0);
        }
        let tiles = self.tiles_x() * height.div_ceil(TILE);
        self.dirty.clear();
        self.dirty.resize(tiles, false);
    }

    /// Lays `sprite` over the layer with its top-left corner at `(x, y)`; what falls outside the canvas is
    /// cut off.
    pub fn stamp(&mut self, sprite: &Sprite, x: i32, y: i32) {
        let n = sprite.side as i64;
        let (x, y) = (i64::from(x), i64::from(y));
        let (x0, y0) = (x.max(0), y.max(0));
        let (x1, y1) = ((x + n).min(self.width as i64), (y + n).min(self.height as i64));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let stride = self.width * 4;
        for row in y0..y1 {
            let src =
                &sprite.rgba[(((row - y) * n + (x0 - x)) * 4) as usize..(((row - y) * n + (x1 - x)) * 4) as usize];
            let at = row as usize * stride + x0 as usize * 4;
            let dst = &mut self.buf[at..at + src.len()];
            for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                match s[3] {
                    0 => {}
                    255 => d.copy_from_slice(s),
                    a => {
                        let keep = 255 - u16::from(a);
                        for c in 0..4 {
                            d[c] = s[c].saturating_add(mul255(u16::from(d[c]), keep));
                        }
                    }
                }
            }
        }
        let tiles_x = self.tiles_x();
        let [x0, y0, x1, y1] = [x0, y0, x1, y1].map(|v| v as usize);
        for ty in y0 / TILE..=(y1 - 1) / TILE {
            self.dirty[ty * tiles_x + x0 / TILE..=ty * tiles_x + (x1 - 1) / TILE].fill(true);
        }
        self.any = true;
    }

    /// The rectangles to hand over, `[x0, y0, x1, y1)` in pixels: each row of tiles from its first stamped
    /// tile to its last, and neighbouring rows joined while the empty pixels that adds cost less than a
    /// canvas call (a call costs the canvas about as much as copying [`CALL_PIXELS`] pixels).
    fn rects(&self) -> Vec<[usize; 4]> {
        let tiles_x = self.tiles_x().max(1);
        let mut out: Vec<[usize; 4]> = Vec::new();
        if !self.any {
            return out;
        }
        let area = |r: &[usize; 4]| (r[2] - r[0]) * (r[3] - r[1]);
        for (ty, row) in self.dirty.chunks_exact(tiles_x).enumerate() {
            let (Some(first), Some(last)) = (row.iter().position(|&d| d), row.iter().rposition(|&d| d)) else {
                continue;
            };
            let band =
                [first * TILE, ty * TILE, ((last + 1) * TILE).min(self.width), (ty * TILE + TILE).min(self.height)];
            match out.last_mut() {
                Some(prev) if prev[3] == band[1] => {
                    let union = [prev[0].min(band[0]), prev[1], prev[2].max(band[2]), band[3]];
                    if area(&union) <= area(prev) + area(&band) + CALL_PIXELS {
                        *prev = union;
                    } else {
                        out.push(band);
                    }
                }
                _ => out.push(band),
            }
        }
        out
    }

    /// The pixels stamped since the last take, as straight RGBA in a few rectangles (see `rects`), and the
    /// layer zeroed there again.
    pub fn take(&mut self) -> Vec<Taken> {
        let rects = self.rects();
        let stride = self.width * 4;
        let taken = rects
            .iter()
            .map(|&[x0, y0, x1, y1]| {
                let mut out = Vec::with_capacity((x1 - x0) * (y1 - y0) * 4);
                for row in y0..y1 {
                    let line = &mut self.buf[row * stride + x0 * 4..row * stride + x1 * 4];
                    let start = out.len();
                    // Empty and opaque pixels read the same straight and premultiplied: only the partly
                    // transparent ones (the markers' antialiased edges) are divided by their alpha.
                    out.extend_from_slice(line);
                    for p in out[start..].chunks_exact_mut(4) {
                        let a = p[3];
                        if a != 0 && a != 255 {
                            for c in &mut p[..3] {
                                *c = ((u32::from(*c) * 255 + u32::from(a) / 2) / u32::from(a)).min(255) as u8;
                            }
                        }
                    }
                    line.fill(0);
                }
                (x0 as i32, y0 as i32, (x1 - x0) as u32, (y1 - y0) as u32, out)
            })
            .collect();
        self.dirty.fill(false);
        self.any = false;
        taken
    }

    /// Drops what was stamped and not taken (a drawing that failed half-way).
    pub fn clear(&mut self) {
        let stride = self.width * 4;
        for [x0, y0, x1, y1] in self.rects() {
            for row in y0..y1 {
                self.buf[row * stride + x0 * 4..row * stride + x1 * 4].fill(0);
            }
        }
        self.dirty.fill(false);
        self.any = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(side: usize, straight: [u8; 4]) -> Sprite {
        Sprite::from_straight(side, &straight.repeat(side * side))
    }

    #[test]
    fn an_opaque_stamp_comes_back_as_itself_and_the_layer_is_zero_after() {
        let mut layer = StampLayer::default();
        layer.resize(10, 8);
        assert!(layer.is_empty());
        layer.stamp(&solid(3, [200, 10, 40, 255]), 2, 4);
        let taken = layer.take();
        assert_eq!(taken.len(), 1);
        let (x, y, w, h, px) = &taken[0];
        // The tile stamped, cut at the canvas's edges: the stamp at (2..5, 4..7), nothing around it.
        assert_eq!((*x, *y, *w, *h), (0, 0, 10, 8));
        for (i, p) in px.chunks_exact(4).enumerate() {
            let (cx, cy) = (i % 10, i / 10);
            let inside = (2..5).contains(&cx) && (4..7).contains(&cy);
            assert_eq!(p, if inside { [200, 10, 40, 255] } else { [0; 4] }, "pixel ({cx}, {cy})");
        }
        assert!(layer.buf.iter().all(|&b| b == 0) && layer.take().is_empty() && layer.is_empty());
    }

    #[test]
    fn translucent_stamps_compose_like_source_over() {
        // Half-transparent red over opaque blue: 0.5 · red + 0.5 · blue, opaque.
        let mut layer = StampLayer::default();
        layer.resize(4, 4);
        layer.stamp(&solid(1, [0, 0, 255, 255]), 1, 1);
        layer.stamp(&solid(1, [255, 0, 0, 128]), 1, 1);
        let px = &layer.take()[0].4[(4 + 1) * 4..(4 + 2) * 4];
        assert_eq!(px, [128, 0, 127, 255]);
        // Two 50 % stamps on nothing: alpha 1 − 0.5² = 0.75, the colour unchanged once straight again.
        layer.stamp(&solid(1, [40, 80, 160, 128]), 0, 0);
        layer.stamp(&solid(1, [40, 80, 160, 128]), 0, 0);
        let px = &layer.take()[0].4[..4];
        assert_eq!(px[3], 192);
        for (c, want) in px[..3].iter().zip([40, 80, 160]) {
            assert!((i32::from(*c) - want).abs() <= 1, "{px:?}");
        }
    }

    #[test]
    fn stamps_are_cut_at_the_canvas_edges() {
        let mut layer = StampLayer::default();
        layer.resize(6, 5);
        layer.stamp(&solid(4, [1, 2, 3, 255]), -2, -1);
        layer.stamp(&solid(4, [1, 2, 3, 255]), 4, 3);
        layer.stamp(&solid(4, [1, 2, 3, 255]), 9, 9); // wholly outside
        let taken = layer.take();
        assert_eq!(taken.len(), 1);
        let (x, y, w, h, px) = &taken[0];
        assert_eq!((*x, *y, *w, *h), (0, 0, 6, 5));
        let opaque = px.chunks_exact(4).filter(|p| p[3] == 255).count();
        assert_eq!(opaque, 2 * 3 + 2 * 2);
    }

    #[test]
    fn only_stamped_rows_of_tiles_are_handed_over_and_close_ones_joined() {
        let mut layer = StampLayer::default();
        layer.resize(400, 100);
        let dot = solid(3, [5, 6, 7, 255]);
        layer.stamp(&dot, 1, 1); // tile (0, 0)
        layer.stamp(&dot, 62, 40); // across tiles (1, 1) and (2, 1): joined with the row above (1 024 px more)
        layer.stamp(&dot, 390, 97); // the last tile, cut by both edges: on its own
        let rects: Vec<_> = layer
            .take()
            .into_iter()
            .map(|(x, y, w, h, px)| {
                assert_eq!(px.len(), (w * h * 4) as usize);
                (x, y, w, h)
            })
            .collect();
        assert_eq!(rects, [(0, 0, 96, 64), (384, 96, 16, 4)]);
        assert!(layer.buf.iter().all(|&b| b == 0));
    }

    #[test]
    fn a_layer_serves_any_canvas_size_and_drops_what_a_failed_drawing_left() {
        let mut layer = StampLayer::default();
        layer.resize(20, 20);
        layer.stamp(&solid(2, [9, 9, 9, 255]), 17, 17);
        layer.clear();
        layer.resize(7, 3);
        layer.stamp(&solid(2, [9, 9, 9, 255]), 5, 1);
        let taken = layer.take();
        assert_eq!(taken.len(), 1);
        let (x, y, w, h, px) = &taken[0];
        assert_eq!((*x, *y, *w, *h), (0, 0, 7, 3));
        assert_eq!(px.chunks_exact(4).filter(|p| p[3] == 255).count(), 4);
        assert!(layer.buf.iter().all(|&b| b == 0));
    }
}
