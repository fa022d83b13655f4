//! Drawing: every view of the page and every figure of `lastlayer reproduce`, generic over plotters'
//! [`DrawingBackend`] and fed plain data (a [`crate::scene`] value), never a model.
//!
//! The canvas backend in the page and the bitmap backend on the command line run the same code. Heatmaps are
//! coloured into a pixel buffer here and handed to the backend in one `blit_bitmap` call (the page's backend
//! turns that into a single `putImageData`), because drawing them as rectangles costs one canvas call per cell.

use crate::scene::{Bounds, Curve, InputView, Marker, PointSet, Raster};
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

/// Upsamples a raster of RGB cells to `w × h` pixels by bilinear interpolation (cell centres at pixel
/// centres), so that a coarse grid still shades smoothly.
pub fn upsample(raster: &Raster, w: u32, h: u32) -> Vec<u8> {
    let (nx, ny) = (raster.width, raster.height);
    let mut out = vec![0u8; (w * h * 3) as usize];
    if nx == 0 || ny == 0 || w == 0 || h == 0 {
        return out;
    }
    // Raster row 0 is the bottom of the plot (smallest y); pixel row 0 is the top.
    let sx = nx as f64 / w as f64;
    let sy = ny as f64 / h as f64;
    let cols: Vec<(usize, usize, f32)> = (0..w)
        .map(|px| {
            let fx = ((px as f64 + 0.5) * sx - 0.5).clamp(0.0, (nx - 1) as f64);
            let x0 = fx.floor() as usize;
            (x0, (x0 + 1).min(nx - 1), (fx - x0 as f64) as f32)
        })
        .collect();
    for py in 0..h {
        let fy = (((h - 1 - py) as f64 + 0.5) * sy - 0.5).clamp(0.0, (ny - 1) as f64);
        let y0 = fy.floor() as usize;
        let y1 = (y0 + 1).min(ny - 1);
        let ty = (fy - y0 as f64) as f32;
        let row = &mut out[(py * w * 3) as usize..((py + 1) * w * 3) as usize];
        for (px, &(x0, x1, tx)) in cols.iter().enumerate() {
            for c in 0..3 {
                let at = |x: usize, y: usize| raster.rgb[(y * nx + x) * 3 + c] as f32;
                let top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * tx;
                let bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * tx;
                row[px * 3 + c] = (top + (bottom - top) * ty).round() as u8;
            }
        }
    }
    out
}

/// Draws the input space: the heatmap, the boundaries, the points (train filled, test hollow, support vectors
/// ringed) and a legend.
pub fn draw_input_view<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &InputView,
    style: &Style,
) -> DrawResult<DB> {
    area.fill(&style.background)?;
    let Bounds { x: (x0, x1), y: (y0, y1) } = view.bounds;
    let mut chart = ChartBuilder::on(area)
        .margin(style.px(10.0))
        .margin_right(style.px(14.0))
        .caption(&view.title, style.text(14.0))
        .x_label_area_size(style.px(30.0))
        .y_label_area_size(style.px(40.0))
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let axis_labels = style.muted_text(11.0);
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(style.muted.stroke_width(style.px(1.0)))
        .label_style(axis_labels.clone())
        .axis_desc_style(axis_labels)
        .x_desc("x₁")
        .y_desc("x₂")
        .x_labels(6)
        .y_labels(6)
        .draw()?;

    if let Some(raster) = &view.heatmap {
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let (ar, br) = area.get_pixel_range();
        let (w, h) = ((xr.end - xr.start).max(0) as u32, (yr.end - yr.start).max(0) as u32);
        let pixels = upsample(raster, w, h);
        area.draw(&Blit { origin: (xr.start - ar.start, yr.start - br.start), size: (w, h), rgb: &pixels })?;
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
    let mut entries: Vec<(Marker, String)> = (0..view.classes)
        .map(|k| (Marker::Point(k), view.class_names.get(k).cloned().unwrap_or_else(|| format!("class {k}"))))
        .collect();
    if view.test.is_some() {
        entries.push((Marker::Hollow, "test points".into()));
    }
    if !view.support.is_empty() {
        entries.push((Marker::Ring, "support vectors".into()));
    }
    for curve in &view.curves {
        if let Some(label) = &curve.label {
            entries.push((curve.marker(), label.clone()));
        }
    }
    draw_legend(plot, &entries, style)
}

fn draw_curve<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    curve: &Curve,
    style: &Style,
) -> DrawResult<DB> {
    let colour = curve_colour(curve.marker(), style);
    let stroke = colour.stroke_width(style.px(curve.width));
    for line in &curve.lines {
        let coords: Vec<(f64, f64)> = line.iter().map(|p| (p[0], p[1])).collect();
        if curve.dashed {
            plot.draw(&DashedPathElement::new(coords, style.px(7.0), style.px(5.0), stroke))?;
        } else {
            plot.draw(&PathElement::new(coords, stroke))?;
        }
    }
    Ok(())
}

fn curve_colour(marker: Marker, style: &Style) -> RGBColor {
    match marker {
        Marker::NetworkLine => style.foreground,
        Marker::SvmLine | Marker::SvmMargin => style.svm,
        Marker::Disagreement => style.disagreement,
        Marker::Point(k) => style.class(k),
        Marker::Hollow | Marker::Ring => style.foreground,
    }
}

fn draw_points<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    set: &PointSet,
    style: &Style,
) -> DrawResult<DB> {
    let r = style.px(3.5);
    let outline = style.px(1.0);
    for (p, &k) in set.points.iter().zip(&set.labels) {
        let c = style.class(k);
        if set.hollow {
            plot.draw(&Circle::new((p[0], p[1]), r, c.stroke_width(style.px(1.6))))?;
        } else {
            plot.draw(&Circle::new((p[0], p[1]), r, c.filled()))?;
            plot.draw(&Circle::new((p[0], p[1]), r, style.background.mix(0.9).stroke_width(outline)))?;
        }
    }
    Ok(())
}

/// A legend box in the plot's top-right corner.
fn draw_legend<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    plot: &DrawingArea<DB, CT>,
    entries: &[(Marker, String)],
    style: &Style,
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
    let left = w as i32 - box_w - pad;
    let top = pad;
    area.draw(&Rectangle::new([(left, top), (left + box_w, top + box_h)], style.background.mix(0.85).filled()))?;
    area.draw(&Rectangle::new(
        [(left, top), (left + box_w, top + box_h)],
        style.muted.mix(0.6).stroke_width(style.px(1.0)),
    ))?;
    for (row, (marker, label)) in entries.iter().enumerate() {
        let cy = top + pad + line * row as i32 + line / 2;
        let cx = left + pad + swatch / 2;
        let r = style.px(3.5) as i32;
        match *marker {
            Marker::Point(k) => area.draw(&Circle::new((cx, cy), r, style.class(k).filled()))?,
            Marker::Hollow => area.draw(&Circle::new((cx, cy), r, style.foreground.stroke_width(style.px(1.6))))?,
            Marker::Ring => {
                area.draw(&Circle::new((cx, cy), style.px(6.5) as i32, style.foreground.stroke_width(style.px(1.5))))?
            }
            Marker::NetworkLine | Marker::SvmLine | Marker::SvmMargin | Marker::Disagreement => {
                let colour = curve_colour(*marker, style);
                let from = (left + pad, cy);
                let to = (left + pad + swatch, cy);
                let width = style.px(if *marker == Marker::SvmMargin { 1.0 } else { 2.0 });
                if matches!(marker, Marker::SvmLine | Marker::SvmMargin) {
                    area.draw(&DashedPathElement::new(
                        [from, to],
                        style.px(5.0),
                        style.px(3.0),
                        colour.stroke_width(width),
                    ))?;
                } else {
                    area.draw(&PathElement::new(vec![from, to], colour.stroke_width(width)))?;
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
