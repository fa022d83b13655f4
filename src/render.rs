//! Drawing: every view of the page and every figure of `lastlayer reproduce`, generic over plotters'
//! [`DrawingBackend`] and fed plain data (a [`crate::scene`] value), never a model.
//!
//! The canvas backend in the page and the bitmap backend on the command line run the same code. Heatmaps are
//! coloured into a pixel buffer here and handed to the backend in one `blit_bitmap` call (the page's backend
//! turns that into a single `putImageData`), because drawing them as rectangles costs one canvas call per cell.

use crate::scene::{Bounds, ChartsView, Curve, Heatmap, Marker, Panel, PlaneView, PointSet, SeriesRole};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendCoord, DrawingErrorKind};

/// Result of drawing on backend `DB`.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Colours and sizes of a theme at a device-pixel scale.
#[derive(Clone, Debug)]
pub struct Style {
    /// Device pixels per CSS pixel (2 on most phones and high-DPI screens).
    pub scale: f64,
    /// Page background.
    pub background: RGBColor,
    /// Text, axes and the network's boundary.
    pub foreground: RGBColor,
    /// Secondary text and grid lines.
    pub muted: RGBColor,
    /// The SVM's lines.
    pub svm: RGBColor,
    /// Where the network and the SVM disagree.
    pub disagreement: RGBColor,
    /// One colour per class (Okabe–Ito: distinguishable with every common colour-vision deficiency).
    pub classes: [RGBColor; 6],
    /// Font family for all text.
    pub font: &'static str,
}

/// Okabe & Ito's colour-blind-safe palette: blue, orange, bluish green, reddish purple, sky blue, vermillion.
const OKABE_ITO: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];

impl Style {
    /// The light theme at `scale` device pixels per CSS pixel.
    pub fn light(scale: f64) -> Style {
        Style {
            scale: sanitize_scale(scale),
            background: RGBColor(255, 255, 255),
            foreground: RGBColor(28, 30, 36),
            muted: RGBColor(110, 116, 128),
            svm: RGBColor(213, 94, 0),
            disagreement: RGBColor(120, 0, 160),
            classes: OKABE_ITO,
            font: "sans-serif",
        }
    }

    /// The dark theme at `scale` device pixels per CSS pixel.
    pub fn dark(scale: f64) -> Style {
        Style {
            background: RGBColor(22, 24, 30),
            foreground: RGBColor(232, 234, 240),
            muted: RGBColor(150, 156, 170),
            svm: RGBColor(255, 140, 60),
            disagreement: RGBColor(230, 120, 255),
            classes: [
                RGBColor(60, 160, 235),
                RGBColor(240, 180, 40),
                RGBColor(0, 190, 140),
                RGBColor(225, 150, 195),
                RGBColor(120, 200, 245),
                RGBColor(240, 120, 40),
            ],
            ..Style::light(scale)
        }
    }

    /// A length of `css` CSS pixels in device pixels.
    pub fn px(&self, css: f64) -> u32 {
        (css * self.scale).round().max(1.0) as u32
    }

    /// The colour of class `k`.
    pub fn class(&self, k: usize) -> RGBColor {
        self.classes[k % self.classes.len()]
    }

    fn text(&self, css_size: f64) -> TextStyle<'static> {
        (self.font, css_size * self.scale).into_font().color(&self.foreground)
    }

    fn muted_text(&self, css_size: f64) -> TextStyle<'static> {
        (self.font, css_size * self.scale).into_font().color(&self.muted)
    }
}

fn sanitize_scale(scale: f64) -> f64 {
    if scale.is_finite() {
        scale.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

/// A raster blitted at a pixel offset inside a drawing area: one `blit_bitmap` call.
struct Blit<'a> {
    origin: BackendCoord,
    size: (u32, u32),
    rgb: &'a [u8],
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
pub fn colour_cells(heat: &Heatmap, style: &Style) -> Vec<u8> {
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

type Plot<'a, DB> = DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

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

/// The pixel rectangle of a plot inside its drawing area and the data rectangle it shows: maps a pointer
/// position back to data coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotFrame {
    /// Left, right pixel columns.
    pub px: (i32, i32),
    /// Top, bottom pixel rows.
    pub py: (i32, i32),
    /// The data shown.
    pub bounds: Bounds,
}

impl PlotFrame {
    /// The data point under pixel (x, y), or `None` outside the plot.
    pub fn to_data(&self, x: f64, y: f64) -> Option<[f64; 2]> {
        let u = (x - self.px.0 as f64) / (self.px.1 - self.px.0).max(1) as f64;
        let v = (self.py.1 as f64 - y) / (self.py.1 - self.py.0).max(1) as f64;
        ((0.0..=1.0).contains(&u) && (0.0..=1.0).contains(&v)).then(|| self.bounds.at(u, v))
    }

    /// Pixels per data unit horizontally.
    pub fn scale(&self) -> f64 {
        (self.px.1 - self.px.0) as f64 / (self.bounds.x.1 - self.bounds.x.0)
    }
}

/// Draws a 2-D view (input or feature space): heatmap, boundaries, points (train filled, test hollow),
/// support vectors ringed, a legend, and a note under the title. Returns where the plot landed.
pub fn draw_plane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &PlaneView,
    style: &Style,
    painter: &mut dyn HeatmapPainter,
) -> Result<PlotFrame, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&style.background)?;
    let Bounds { x: (x0, x1), y: (y0, y1) } = view.bounds;
    let mut chart = ChartBuilder::on(area)
        .margin(style.px(10.0))
        .margin_right(style.px(14.0))
        .caption(&view.title, style.text(14.0))
        .x_label_area_size(style.px(34.0))
        .y_label_area_size(style.px(44.0))
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let axis_labels = style.muted_text(11.0);
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(style.muted.stroke_width(style.px(1.0)))
        .label_style(axis_labels.clone())
        .axis_desc_style(axis_labels)
        .x_desc(view.axes.0.as_str())
        .y_desc(view.axes.1.as_str())
        .x_labels(6)
        .y_labels(6)
        .draw()?;
    if let Some(heat) = &view.heatmap {
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let (ar, br) = area.get_pixel_range();
        let (w, h) = ((xr.end - xr.start).max(0) as u32, (yr.end - yr.start).max(0) as u32);
        let cells = colour_cells(heat, style);
        let hatch = heat.disagree.iter().any(|&d| d).then_some(Hatch {
            mask: &heat.disagree,
            ink: style.disagreement,
            period: style.px(9.0),
        });
        if let Some(pixels) = painter.paint((xr.start, yr.start, w, h), &cells, heat.width, heat.height, hatch) {
            area.draw(&Blit { origin: (xr.start - ar.start, yr.start - br.start), size: (w, h), rgb: &pixels })?;
        }
    }
    let plot = chart.plotting_area();
    for curve in &view.curves {
        draw_curve(plot, curve, style)?;
    }
    draw_points(plot, &view.train, style)?;
    if let Some(test) = &view.test {
        draw_points(plot, test, style)?;
    }
    let ring = style.px(6.5);
    for &i in &view.support {
        if let Some(p) = view.train.points.get(i) {
            plot.draw(&Circle::new((p[0], p[1]), ring, style.foreground.stroke_width(style.px(1.5))))?;
        }
    }
    let mut entries: Vec<(Marker, String)> =
        (0..view.classes).map(|k| (Marker::Point(k), format!("class {k}"))).collect();
    if view.test.is_some() {
        entries.push((Marker::Hollow, "test points".into()));
    }
    if !view.support.is_empty() {
        entries.push((Marker::Ring, "support vectors".into()));
    }
    let hatched = view.heatmap.as_ref().is_some_and(|h| h.disagree.iter().any(|&d| d));
    for curve in &view.curves {
        if let Some(label) = &curve.label {
            if curve.kind != Marker::Disagreement || hatched {
                entries.push((curve.kind, label.clone()));
            }
        }
    }
    let (xr, yr) = plot.get_pixel_range();
    let avoid: Vec<(i32, i32)> = view
        .train
        .points
        .iter()
        .chain(view.test.iter().flat_map(|t| t.points.iter()))
        .map(|p| {
            let (x, y) = plot.map_coordinate(&(p[0], p[1]));
            (x - xr.start, y - yr.start)
        })
        .collect();
    draw_legend(plot, &entries, style, &avoid)?;
    if let Some(note) = &view.note {
        let (xr, yr) = plot.get_pixel_range();
        let (ar, br) = area.get_pixel_range();
        area.draw(&Text::new(
            note.clone(),
            (xr.start - ar.start + style.px(4.0) as i32, yr.end - br.start - style.px(14.0) as i32),
            style.muted_text(10.0),
        ))?;
    }
    let (xr, yr) = plot.get_pixel_range();
    Ok(PlotFrame { px: (xr.start, xr.end), py: (yr.start, yr.end), bounds: view.bounds })
}

fn draw_curve<DB: DrawingBackend>(plot: &Plot<DB>, curve: &Curve, style: &Style) -> DrawResult<DB> {
    let colour = marker_colour(curve.kind, style);
    let stroke = colour.stroke_width(style.px(curve.width));
    let dashed = matches!(curve.kind, Marker::SvmLine | Marker::SvmMargin);
    let (dash, gap) = if curve.kind == Marker::SvmMargin { (4.0, 4.0) } else { (8.0, 5.0) };
    for line in &curve.lines {
        let coords: Vec<(f64, f64)> = line.iter().map(|p| (p[0], p[1])).collect();
        if dashed {
            plot.draw(&DashedPathElement::new(coords, style.px(dash), style.px(gap), stroke))?;
        } else {
            plot.draw(&PathElement::new(coords, stroke))?;
        }
    }
    Ok(())
}

fn marker_colour(marker: Marker, style: &Style) -> RGBColor {
    match marker {
        Marker::NetworkLine | Marker::Hollow | Marker::Ring => style.foreground,
        Marker::SvmLine | Marker::SvmMargin => style.svm,
        Marker::Disagreement => style.disagreement,
        Marker::Point(k) => style.class(k),
    }
}

fn draw_points<DB: DrawingBackend>(plot: &Plot<DB>, set: &PointSet, style: &Style) -> DrawResult<DB> {
    let r = style.px(3.5);
    for (p, &k) in set.points.iter().zip(&set.labels) {
        if !(p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        let c = style.class(k);
        if set.hollow {
            plot.draw(&Circle::new((p[0], p[1]), r, c.stroke_width(style.px(1.6))))?;
        } else {
            plot.draw(&Circle::new((p[0], p[1]), r, c.filled()))?;
            plot.draw(&Circle::new((p[0], p[1]), r, style.background.mix(0.9).stroke_width(style.px(1.0))))?;
        }
    }
    Ok(())
}

/// A legend swatch: what to draw left of a legend label.
#[derive(Clone, Copy)]
enum Swatch {
    Marker(Marker),
    Line(RGBColor, bool),
}

/// A legend box in the plot's top-right corner.
fn draw_legend<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    plot: &DrawingArea<DB, CT>,
    entries: &[(Marker, String)],
    style: &Style,
    avoid: &[(i32, i32)],
) -> DrawResult<DB> {
    let swatches: Vec<(Swatch, String)> = entries.iter().map(|(m, l)| (Swatch::Marker(*m), l.clone())).collect();
    draw_swatches(plot, &swatches, style, avoid)
}

/// A legend in whichever corner of the plot covers the fewest of the `avoid` pixels (relative to the plot),
/// the top-right on ties.
fn draw_swatches<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    plot: &DrawingArea<DB, CT>,
    entries: &[(Swatch, String)],
    style: &Style,
    avoid: &[(i32, i32)],
) -> DrawResult<DB> {
    if entries.is_empty() {
        return Ok(());
    }
    let area = plot.strip_coord_spec();
    let (w, _) = area.dim_in_pixel();
    let font = style.text(11.0);
    let line = style.px(16.0) as i32;
    let pad = style.px(6.0) as i32;
    let swatch = style.px(22.0) as i32;
    let text_w = entries
        .iter()
        .map(|(_, label)| area.estimate_text_size(label, &font).map(|s| s.0 as i32).unwrap_or(60))
        .max()
        .unwrap_or(60);
    let box_w = pad * 3 + swatch + text_w;
    let box_h = pad * 2 + line * entries.len() as i32;
    let (_, h) = area.dim_in_pixel();
    let corners = [
        (w as i32 - box_w - pad, pad),
        (pad, pad),
        (w as i32 - box_w - pad, h as i32 - box_h - pad),
        (pad, h as i32 - box_h - pad),
    ];
    let covered = |&(l, t): &(i32, i32)| {
        avoid.iter().filter(|&&(x, y)| x >= l && x <= l + box_w && y >= t && y <= t + box_h).count()
    };
    let (left, top) = corners.iter().copied().min_by_key(covered).expect("four corners");
    area.draw(&Rectangle::new([(left, top), (left + box_w, top + box_h)], style.background.mix(0.88).filled()))?;
    area.draw(&Rectangle::new(
        [(left, top), (left + box_w, top + box_h)],
        style.muted.mix(0.6).stroke_width(style.px(1.0)),
    ))?;
    for (row, (swatch_kind, label)) in entries.iter().enumerate() {
        let cy = top + pad + line * row as i32 + line / 2;
        let cx = left + pad + swatch / 2;
        let from = (left + pad, cy);
        let to = (left + pad + swatch, cy);
        let r = style.px(3.5) as i32;
        match *swatch_kind {
            Swatch::Marker(Marker::Point(k)) => area.draw(&Circle::new((cx, cy), r, style.class(k).filled()))?,
            Swatch::Marker(Marker::Hollow) => {
                area.draw(&Circle::new((cx, cy), r, style.foreground.stroke_width(style.px(1.6))))?
            }
            Swatch::Marker(Marker::Ring) => {
                area.draw(&Circle::new((cx, cy), style.px(6.5) as i32, style.foreground.stroke_width(style.px(1.5))))?
            }
            Swatch::Marker(Marker::Disagreement) => {
                let h = style.px(5.0) as i32;
                for k in 0..4 {
                    let x = left + pad + k * swatch / 4;
                    area.draw(&PathElement::new(
                        vec![(x, cy + h), (x + swatch / 4, cy - h)],
                        style.disagreement.stroke_width(style.px(2.0)),
                    ))?;
                }
            }
            Swatch::Marker(_) | Swatch::Line(..) => {
                let (colour, width, dashed) = match *swatch_kind {
                    Swatch::Marker(m) => (
                        marker_colour(m, style),
                        if m == Marker::SvmMargin { 1.2 } else { 2.2 },
                        matches!(m, Marker::SvmLine | Marker::SvmMargin),
                    ),
                    Swatch::Line(colour, dashed) => (colour, 2.0, dashed),
                };
                let stroke = colour.stroke_width(style.px(width));
                if dashed {
                    area.draw(&DashedPathElement::new([from, to], style.px(5.0), style.px(3.0), stroke))?;
                } else {
                    area.draw(&PathElement::new(vec![from, to], stroke))?;
                }
            }
        }
        area.draw(&Text::new(
            label.clone(),
            (left + pad * 2 + swatch, cy),
            font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

fn role_colour(role: SeriesRole, style: &Style) -> RGBColor {
    match role {
        SeriesRole::Main => style.foreground,
        SeriesRole::Svm => style.svm,
        SeriesRole::SvmFree => style.class(2),
        SeriesRole::Test => style.class(0),
        SeriesRole::Extra => style.class(3),
    }
}

/// Draws the convergence charts: the panels stacked, sharing a logarithmic step axis.
pub fn draw_charts<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &ChartsView,
    style: &Style,
) -> DrawResult<DB> {
    area.fill(&style.background)?;
    let panels = area.split_evenly((view.panels.len().max(1), 1));
    let max_step =
        view.panels.iter().flat_map(|p| &p.series).flat_map(|s| &s.points).map(|p| p.0).fold(10.0f64, f64::max);
    for (panel, sub) in view.panels.iter().zip(&panels) {
        draw_panel(sub, panel, max_step, style)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    max_step: f64,
    style: &Style,
) -> DrawResult<DB> {
    let values: Vec<f64> = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite() && (!panel.log_y || *v > 0.0))
        .collect();
    let (mut lo, mut hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if !(lo <= hi) {
        (lo, hi) = if panel.log_y { (0.1, 100.0) } else { (0.0, 1.0) };
    }
    if panel.log_y {
        lo = (lo / 1.6).max(1e-12);
        hi *= 1.6;
    } else {
        let pad = ((hi - lo) * 0.08).max(1e-9);
        lo -= pad;
        hi += pad;
    }
    let x_range = (1.0f64..max_step * 1.2).log_scale();
    let caption = format!("{} ({})", panel.title, panel.unit);
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(style.px(6.0))
        .margin_right(style.px(14.0))
        .caption(caption, style.text(12.0))
        .x_label_area_size(style.px(26.0))
        .y_label_area_size(style.px(52.0));
    let steps_fmt = |v: &f64| format_steps(*v);
    let value_fmt = |v: &f64| format_value(*v);
    macro_rules! finish {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .light_line_style(style.muted.mix(0.15))
                .bold_line_style(style.muted.mix(0.3))
                .axis_style(style.muted.stroke_width(style.px(1.0)))
                .label_style(style.muted_text(10.0))
                .x_label_formatter(&steps_fmt)
                .y_label_formatter(&value_fmt)
                .x_labels(8)
                .y_labels(5)
                .draw()?;
            for s in &panel.series {
                let colour = role_colour(s.role, style);
                let stroke = colour.stroke_width(style.px(2.0));
                // Non-finite values (and non-positive ones on a log axis) break the line.
                let mut run: Vec<(f64, f64)> = Vec::new();
                let flush = |run: &mut Vec<(f64, f64)>| -> DrawResult<DB> {
                    if run.len() >= 2 {
                        let pts = std::mem::take(run);
                        if s.dashed {
                            chart.plotting_area().draw(&DashedPathElement::new(
                                pts,
                                style.px(6.0),
                                style.px(4.0),
                                stroke,
                            ))?;
                        } else {
                            chart.plotting_area().draw(&PathElement::new(pts, stroke))?;
                        }
                    } else if run.len() == 1 {
                        chart.plotting_area().draw(&Circle::new(run[0], style.px(2.0), colour.filled()))?;
                        run.clear();
                    }
                    Ok(())
                };
                for &(x, y) in &s.points {
                    if y.is_finite() && (!panel.log_y || y > 0.0) {
                        run.push((x, y));
                    } else {
                        flush(&mut run)?;
                    }
                }
                flush(&mut run)?;
            }
            let entries: Vec<(Swatch, String)> = panel
                .series
                .iter()
                .map(|s| (Swatch::Line(role_colour(s.role, style), s.dashed), s.label.clone()))
                .collect();
            let plot = chart.plotting_area();
            let (xr, yr) = plot.get_pixel_range();
            let avoid: Vec<(i32, i32)> = panel
                .series
                .iter()
                .flat_map(|s| s.points.iter())
                .filter(|p| p.1.is_finite() && (!panel.log_y || p.1 > 0.0))
                .map(|p| {
                    let (x, y) = plot.map_coordinate(p);
                    (x - xr.start, y - yr.start)
                })
                .collect();
            draw_swatches(plot, &entries, style, &avoid)?;
        }};
    }
    if panel.log_y {
        finish!(builder.build_cartesian_2d(x_range, (lo..hi).log_scale())?);
    } else {
        finish!(builder.build_cartesian_2d(x_range, lo..hi)?);
    }
    Ok(())
}

/// Step counts as 1, 10, 100, 1k, 10k, 1M.
pub fn format_steps(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if v >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Axis values with a sensible number of digits.
pub fn format_value(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.0e}")
    } else if a < 1.0 {
        format!("{v:.3}").trim_end_matches('0').to_string()
    } else {
        trim(v)
    }
}
