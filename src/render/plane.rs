//! A 2-D view (input or feature space): heatmap, boundaries, points (train filled, test hollow), marks for
//! misclassified and disputed points, support vectors ringed; the title above, and the legend and the note
//! in a strip below the plot.

use super::legend::{self, arrow, diamond, marker_color, Entry, Swatch};
use super::raster::{color_cells, Blit, Hatch, HeatmapPainter};
use super::theme::Style;
use super::DrawResult;
use crate::geometry::Bounds;
use crate::scene::{
    Curve, Marker, PlaneScene, PointSet, DISPUTED_LABEL, MEMORY_LABEL, MISCLASSIFIED_LABEL, SUPPORT_LABEL,
};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

type Plot<'a, DB> = DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

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

/// The legend entries of a view: the classes, test points, marks, support vectors, then its curves.
fn entries(view: &PlaneScene) -> Vec<Entry> {
    let mut out: Vec<Entry> = (0..view.classes)
        .map(|k| {
            (Swatch::Marker(Marker::Point(k)), view.class_names.get(k).cloned().unwrap_or_else(|| format!("class {k}")))
        })
        .collect();
    let all = || view.train.misclassified.iter().chain(view.test.iter().flat_map(|t| &t.misclassified));
    if view.test.is_some() {
        out.push((Swatch::Marker(Marker::Hollow), "test points".into()));
    }
    if all().any(Option::is_some) {
        out.push((Swatch::Marker(Marker::Misclassified), MISCLASSIFIED_LABEL.into()));
    }
    if view.train.disputed.iter().chain(view.test.iter().flat_map(|t| &t.disputed)).any(|&d| d) {
        out.push((Swatch::Marker(Marker::Disputed), DISPUTED_LABEL.into()));
    }
    if !view.support.is_empty() {
        out.push((Swatch::Marker(Marker::Ring), SUPPORT_LABEL.into()));
    }
    if !view.memory.is_empty() {
        out.push((Swatch::Marker(Marker::Memory), MEMORY_LABEL.into()));
    }
    let hatched = view.heatmap.as_ref().is_some_and(|h| h.disagree.iter().any(|&d| d));
    for curve in &view.curves {
        if let Some(label) = &curve.label {
            if curve.kind != Marker::Disagreement || hatched {
                out.push((Swatch::Marker(curve.kind), label.clone()));
            }
        }
    }
    out
}

/// Whether a marker is drawn as a line (a boundary, a margin, the disagreement's hatching, an attack).
fn is_line(marker: Marker) -> bool {
    matches!(marker, Marker::NetworkLine | Marker::SvmLine | Marker::SvmMargin | Marker::Disagreement | Marker::Attack)
}

/// The title as it fits `room` pixels: at `size` (CSS pixels) or down to 70% of it; failing that, without
/// its parenthetical part ("Feature space (last hidden layer, width 2) — step 5" → "Feature space — step 5"),
/// and at the smallest size if even that is too wide.
pub(super) fn fitted_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    style: &Style,
    size: f64,
    room: u32,
) -> (String, f64) {
    let fits = |text: &str, s: f64| area.estimate_text_size(text, &style.text(s)).is_ok_and(|(w, _)| w <= room);
    let sizes = [1.0, 0.9, 0.8, 0.7].map(|f| size * f);
    let short = match (title.find(" ("), title.find(')')) {
        (Some(a), Some(b)) if b > a => format!("{}{}", &title[..a], &title[b + 1..]),
        _ => title.to_string(),
    };
    for text in [title, short.as_str()] {
        if let Some(&s) = sizes.iter().find(|&&s| fits(text, s)) {
            return (text.to_string(), s);
        }
    }
    (short, sizes[3])
}

/// Draws a 2-D view. Returns where the plot landed.
pub fn draw_plane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &PlaneScene,
    style: &Style,
    painter: &mut dyn HeatmapPainter,
) -> Result<PlotFrame, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&style.background)?;
    let (width, height) = area.dim_in_pixel();
    let left = style.px(54.0) as i32;
    let legend_entries = entries(view);
    // The room is that of every entry the view may show, so that the plot keeps its place when they come.
    let mut room = legend_entries.clone();
    for (marker, label) in &view.reserve {
        if !room.iter().any(|(_, l)| l == label) {
            room.push((Swatch::Marker(*marker), label.clone()));
        }
    }
    // A small multiple (a frame of the snapshot strip) has no legend or note: the strip's own legend serves.
    let note_h = if !view.compact && (view.note.is_some() || view.note_reserved) { style.px(15.0) } else { 0 };
    let legend_width = width as i32 - left - style.px(14.0) as i32;
    let band = |entries: &[Entry]| legend::height(area, entries, style, legend_width) + note_h + style.px(4.0);
    // The legend and note take at most a third of the view. A view too small for the whole legend (an embed,
    // a phone) keeps its lines' entries (the colours of the classes read from the points), as many as fit,
    // rather than print entries over each other.
    let (legend_entries, room) = if view.compact || band(&room) <= height / 3 {
        (legend_entries, room)
    } else {
        let mut kept: Vec<Entry> =
            room.into_iter().filter(|(kind, _)| matches!(kind, Swatch::Marker(m) if is_line(*m))).collect();
        while !kept.is_empty() && band(&kept) > height / 3 {
            kept.pop();
        }
        let shown = legend_entries.into_iter().filter(|e| kept.iter().any(|k| k.1 == e.1)).collect();
        (shown, kept)
    };
    let strip = if view.compact { 0 } else { band(&room).min(height / 3) };
    let (plot_area, below) = area.split_vertically(height.saturating_sub(strip));
    let Bounds { x: (x0, x1), y: (y0, y1) } = view.bounds;
    let room = width.saturating_sub(style.px(24.0));
    let (title, title_size) =
        fitted_title(&plot_area, &view.title, style, if view.compact { 11.0 } else { 14.0 }, room);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(style.px(10.0))
        .margin_right(style.px(14.0))
        .margin_bottom(style.px(2.0))
        .caption(&title, style.text(title_size))
        .x_label_area_size(style.px(34.0))
        .y_label_area_size(style.px(44.0))
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let axis_labels = style.muted_text(11.0);
    let x_fmt = |v: &f64| crate::format::axis_tick(*v, x1 - x0);
    let y_fmt = |v: &f64| crate::format::axis_tick(*v, y1 - y0);
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(style.muted.stroke_width(style.px(1.0)))
        .label_style(axis_labels.clone())
        .axis_desc_style(axis_labels)
        .x_desc(view.axes.0.as_str())
        .y_desc(view.axes.1.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_labels(6)
        .y_labels(6)
        .draw()?;
    if let Some(heat) = &view.heatmap {
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let (ar, br) = area.get_pixel_range();
        let (w, h) = ((xr.end - xr.start).max(0) as u32, (yr.end - yr.start).max(0) as u32);
        let cells = color_cells(heat, style);
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
    let (xr, yr) = plot.get_pixel_range();
    let pixel = |p: &[f64; 2]| {
        let (x, y) = plot.map_coordinate(&(p[0], p[1]));
        (x - xr.start, y - yr.start)
    };
    let raw = plot.strip_coord_spec();
    for &i in &view.memory {
        if let Some(p) = view.train.points.get(i).filter(|p| p[0].is_finite() && p[1].is_finite()) {
            diamond(&raw, pixel(p), style.px(8.0) as i32, style.foreground, style)?;
        }
    }
    if view.compact {
        let (xr, yr) = plot.get_pixel_range();
        return Ok(PlotFrame { px: (xr.start, xr.end), py: (yr.start, yr.end), bounds: view.bounds });
    }
    if let Some(note) = &view.note {
        // A narrow view (an embed, a phone) gets the note in smaller type rather than cut off at its edge.
        let room = (width as i32 - left - style.px(8.0) as i32).max(1) as f64;
        let wide = below.estimate_text_size(note, &style.muted_text(10.5)).map_or(0.0, |(w, _)| w as f64);
        let size = if wide > room { (10.5 * room / wide).max(7.0) } else { 10.5 };
        below.draw(&Text::new(note.clone(), (left, style.px(2.0) as i32), style.muted_text(size)))?;
    }
    let (_, below_h) = below.dim_in_pixel();
    let legend_area = below.shrink((0, note_h), (width, below_h.saturating_sub(note_h)));
    legend::draw(&legend_area, &legend_entries, style, left)?;
    let (xr, yr) = plot.get_pixel_range();
    Ok(PlotFrame { px: (xr.start, xr.end), py: (yr.start, yr.end), bounds: view.bounds })
}

fn draw_curve<DB: DrawingBackend>(plot: &Plot<DB>, curve: &Curve, style: &Style) -> DrawResult<DB> {
    let color = marker_color(curve.kind, style);
    if curve.kind == Marker::Attack {
        let (xr, yr) = plot.get_pixel_range();
        let raw = plot.strip_coord_spec();
        for line in curve.lines.iter().filter(|l| l.len() == 2) {
            let [a, b] = [line[0], line[1]].map(|p| {
                let (x, y) = plot.map_coordinate(&(p[0], p[1]));
                (x - xr.start, y - yr.start)
            });
            arrow(&raw, a, b, color, style)?;
        }
        return Ok(());
    }
    let stroke = color.stroke_width(style.px(curve.width));
    let dash = super::legend::marker_dash(curve.kind);
    for line in &curve.lines {
        let coords: Vec<(f64, f64)> = line.iter().map(|p| (p[0], p[1])).collect();
        if let Some((dash, gap)) = dash {
            plot.draw(&DashedPathElement::new(coords, style.px(dash), style.px(gap), stroke))?;
        } else {
            plot.draw(&PathElement::new(coords, stroke))?;
        }
    }
    Ok(())
}

fn draw_points<DB: DrawingBackend>(plot: &Plot<DB>, set: &PointSet, style: &Style) -> DrawResult<DB> {
    let r = style.px(3.5);
    let finite = |p: &[f64; 2]| p[0].is_finite() && p[1].is_finite();
    for (i, (p, &k)) in set.points.iter().zip(&set.labels).enumerate().filter(|(_, (p, _))| finite(p)) {
        let at = (p[0], p[1]);
        let c = style.class(k);
        if set.hollow {
            plot.draw(&Circle::new(at, r, c.stroke_width(style.px(1.6))))?;
        } else {
            plot.draw(&Circle::new(at, r, c.filled()))?;
            plot.draw(&Circle::new(at, r, style.background.mix(0.9).stroke_width(style.px(1.0))))?;
        }
        if let Some(Some(predicted)) = set.misclassified.get(i) {
            plot.draw(&Circle::new(at, style.px(5.5), style.class(*predicted).stroke_width(style.px(2.0))))?;
        }
    }
    // The squares of the disputed points over all the markers, in a pass of their own: the canvas stamps the
    // circles in memory and hands them over when anything else is drawn, so a square between two circles
    // would hand them over once per point (thousands of canvas calls for a digits run that starts disputed).
    let h = style.px(7.0) as i32;
    let (xr, yr) = plot.get_pixel_range();
    for (p, _) in set.points.iter().zip(&set.disputed).filter(|(p, &d)| d && finite(p)) {
        let (x, y) = plot.map_coordinate(&(p[0], p[1]));
        let (x, y) = (x - xr.start, y - yr.start);
        plot.strip_coord_spec()
            .draw(&Rectangle::new([(x - h, y - h), (x + h, y + h)], style.disagreement.stroke_width(style.px(1.5))))?;
    }
    Ok(())
}
