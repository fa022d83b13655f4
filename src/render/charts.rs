//! Chart panels in a grid, each with its title and legend above it and its note on the chart: the convergence
//! charts (a logarithmic step axis) and the theory's (steps, or 1/ln t).

use super::legend::{self, Entry, Swatch};
use super::theme::Style;
use super::DrawResult;
use crate::scene::{ChartsScene, Panel, SeriesRole, XAxis};
use plotters::coord::combinators::{BindKeyPoints, LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::ops::Range;

/// The colour of a series in `role` (the charts' and the figures' palette).
pub fn role_color(role: SeriesRole, style: &Style) -> RGBColor {
    match role {
        SeriesRole::Main => style.foreground,
        SeriesRole::Svm => style.svm,
        SeriesRole::SvmFree => style.class(2),
        SeriesRole::Test => style.class(0),
        SeriesRole::Extra => style.class(3),
        SeriesRole::SvmVariant => style.class(1),
    }
}

/// A panel's axis, linear or logarithmic, as one type: the panels' drawing (the mesh, the series, the values
/// at the lines' ends) is then one function for every pair of axes instead of one per pair, a quarter of its
/// code in the page's wasm. It answers exactly as the axis it holds.
enum Axis {
    Linear(RangedCoordf64),
    Log(LogCoord<f64>),
    /// A log axis numbered at 1, 2 and 5 times each power of ten ([`log_axis`]).
    Numbered(WithKeyPoints<LogCoord<f64>>),
}

impl Axis {
    fn linear(range: Range<f64>) -> Axis {
        Axis::Linear(range.into())
    }

    fn log(range: Range<f64>) -> Axis {
        Axis::Log(range.log_scale().into())
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        match self {
            Axis::Linear(a) => a.map(value, limit),
            Axis::Log(a) => a.map(value, limit),
            Axis::Numbered(a) => a.map(value, limit),
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        match self {
            Axis::Linear(a) => a.key_points(hint),
            Axis::Log(a) => a.key_points(hint),
            Axis::Numbered(a) => a.key_points(hint),
        }
    }

    fn range(&self) -> Range<f64> {
        match self {
            Axis::Linear(a) => a.range(),
            Axis::Log(a) => a.range(),
            Axis::Numbered(a) => a.range(),
        }
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> Range<i32> {
        match self {
            Axis::Linear(a) => a.axis_pixel_range(limit),
            Axis::Log(a) => a.axis_pixel_range(limit),
            Axis::Numbered(a) => a.axis_pixel_range(limit),
        }
    }
}

/// Draws the convergence charts.
pub fn draw_charts<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &ChartsScene,
    style: &Style,
) -> DrawResult<DB> {
    area.fill(&style.background)?;
    let columns = view.columns.max(1);
    let rows = view.panels.len().div_ceil(columns).max(1);
    let panels = area.split_evenly((rows, columns));
    // Panels on steps share their range, so that one step is in the same column in each.
    let max_step = view
        .panels
        .iter()
        .filter(|p| p.x == XAxis::LogSteps)
        .flat_map(|p| &p.series)
        .flat_map(|s| &s.points)
        .map(|p| p.0)
        .fold(10.0f64, f64::max);
    for (panel, sub) in view.panels.iter().zip(&panels) {
        draw_panel(sub, panel, max_step, view.label_ends, style)?;
    }
    Ok(())
}

/// Whether a panel asking for a logarithmic y axis gets one: only when its values span more than about a
/// decade and a half. Over less, a log axis has one tick or none (a plateau at 48° between 30 and 80 would
/// show no number at all), and a linear one reads better.
fn log_y(panel: &Panel) -> bool {
    if !panel.log_y {
        return false;
    }
    let (lo, hi) = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|&v| v.is_finite() && v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    !(lo <= hi) || hi / lo > 30.0
}

/// A logarithmic value axis from `lo` to `hi` with its numbers where a reader needs them: at 1, 2 and 5 times
/// each power of ten over up to three decades (a plateau at 48° gets a 50 beside it, not only a 10 far
/// below), at each power of ten over more, and at every k-th one over so many that they would crowd.
fn log_axis(lo: f64, hi: f64, labels: usize) -> WithKeyPoints<LogCoord<f64>> {
    let (ticks, light) = log_ticks(lo, hi);
    // As many numbers as the axis has room for: every k-th of them.
    let every = ticks.len().div_ceil(labels.max(1)).max(1);
    let ticks = ticks.into_iter().step_by(every).collect();
    (lo..hi).log_scale().with_key_points(ticks).with_light_points(light)
}

/// The labelled and the light values of a logarithmic axis from `lo` to `hi` (both positive).
fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let decades = (hi / lo).log10();
    let mantissas: &[f64] = if decades <= 3.0 { &[1.0, 2.0, 5.0] } else { &[1.0] };
    let every = (decades / 6.0).ceil().max(1.0) as i32;
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let mut ticks = Vec::new();
    let mut light = Vec::new();
    for e in first..=last {
        // Powers of ten up to 10²² are exact doubles, and 1/10ᵏ is then the nearest one: the same on every
        // platform (plain IEEE arithmetic, no library power function).
        let p = (0..e.unsigned_abs()).fold(1.0f64, |a, _| a * 10.0);
        let decade = if e < 0 { 1.0 / p } else { p };
        if e.rem_euclid(every) == 0 {
            ticks.extend(mantissas.iter().map(|m| m * decade).filter(|v| (lo..=hi).contains(v)));
        }
        if decades <= 6.0 {
            light.extend((1..10).map(|m| f64::from(m) * decade).filter(|v| (lo..=hi).contains(v)));
        }
    }
    (ticks, light)
}

/// The y range of a panel's finite values (positive ones on a log axis), padded.
fn value_range(panel: &Panel, log_y: bool) -> (f64, f64) {
    let shown = |v: f64| v.is_finite() && (!log_y || v > 0.0);
    let (mut lo, mut hi) = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|&v| shown(v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !(lo <= hi) {
        (lo, hi) = if log_y { (0.1, 100.0) } else { (0.0, 1.0) };
    }
    if log_y {
        ((lo / 1.6).max(1e-12), hi * 1.6)
    } else {
        let pad = ((hi - lo) * 0.08).max(1e-9);
        (lo - pad, hi + pad)
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    max_step: f64,
    label_ends: bool,
    style: &Style,
) -> DrawResult<DB> {
    let (width, height) = area.dim_in_pixel();
    let left = style.px(58.0) as i32;
    let entries: Vec<Entry> =
        panel.series.iter().map(|s| (Swatch::Line(role_color(s.role, style), s.dashed), s.label.clone())).collect();
    let title_h = style.px(18.0);
    let legend_h = legend::height(area, &entries, style, width as i32 - left - style.px(14.0) as i32);
    let (top, rest) = area.split_vertically((title_h + legend_h).min(height / 2));
    // The title as it fits the panel (a phone's one column is ~350 pixels wide).
    let room = width.saturating_sub(style.px(12.0));
    let (title, size) =
        super::plane::fitted_title(&top, &format!("{} ({})", panel.title, panel.unit), style, 12.0, room);
    top.draw(&Text::new(title, (style.px(6.0) as i32, style.px(3.0) as i32), style.text(size)))?;
    legend::draw(&top.shrink((0, title_h), (width, legend_h)), &entries, style, left)?;
    let log = log_y(panel);
    let (lo, hi) = value_range(panel, log);
    let mut builder = ChartBuilder::on(&rest);
    // An axis with a name below its labels (1/ln t, a scatter's values) needs room for both.
    let x_area = if matches!(panel.x, XAxis::InverseLogSteps | XAxis::Values(_)) { 40.0 } else { 26.0 };
    builder
        .margin(style.px(6.0))
        .margin_top(style.px(2.0))
        .margin_right(style.px(if label_ends { 74.0 } else { 14.0 }))
        .x_label_area_size(style.px(x_area))
        .y_label_area_size(style.px(52.0));
    let ends = label_ends.then_some(&rest);
    // How many numbers the value axis has room for: one per ~2.4 lines of its text, two to five (a short panel,
    // as in presenter mode's larger type, would pile five on top of each other).
    let plot_h = rest.dim_in_pixel().1.saturating_sub(style.px(x_area) + style.px(8.0));
    let labels = (f64::from(plot_h) / (2.4 * f64::from(style.px(10.0)))).floor().clamp(2.0, 5.0) as usize;
    let y = if log { Axis::Numbered(log_axis(lo, hi, labels)) } else { Axis::linear(lo..hi) };
    let x = match panel.x {
        XAxis::LogSteps => Axis::log(1.0..max_step * 1.2),
        XAxis::Steps | XAxis::Values(_) => {
            let xs = panel.series.iter().flat_map(|s| &s.points).filter(|p| p.1.is_finite()).map(|p| p.0);
            let (mut a, mut b) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
            if !(a < b) {
                (a, b) = if a.is_finite() { (a - 1.0, a + 1.0) } else { (0.0, 1.0) };
            }
            let pad = if panel.x == XAxis::Steps { 0.0 } else { 0.05 * (b - a) };
            Axis::linear((a - pad)..(b + pad))
        }
        XAxis::InverseLogSteps => {
            let top = panel.series.iter().flat_map(|s| &s.points).map(|p| p.0).fold(0.0f64, f64::max).max(0.1) * 1.05;
            Axis::linear(0.0..top)
        }
    };
    finish(builder.build_cartesian_2d(x, y)?, panel, log, ends, labels, style)
}

/// Draws the mesh and the series of a panel whose axes are built; with `ends` (the area the chart is built
/// on), each line's newest value is written at its end, in its colour.
fn finish<DB: DrawingBackend>(
    mut chart: ChartContext<'_, DB, Cartesian2d<Axis, Axis>>,
    panel: &Panel,
    log_y: bool,
    ends: Option<&DrawingArea<DB, Shift>>,
    labels: usize,
    style: &Style,
) -> DrawResult<DB> {
    let x_span = {
        let r = chart.x_range();
        r.end - r.start
    };
    let inverse = panel.x == XAxis::InverseLogSteps;
    let values = matches!(panel.x, XAxis::Values(_));
    let steps_fmt = move |v: &f64| {
        if inverse || values {
            crate::format::axis_tick(*v, x_span)
        } else {
            crate::format::steps(*v)
        }
    };
    let x_desc = match panel.x {
        XAxis::InverseLogSteps => "1/ln t",
        XAxis::Values(label) => label,
        XAxis::LogSteps | XAxis::Steps => "",
    };
    let y_span = {
        let r = chart.y_range();
        r.end - r.start
    };
    let value_fmt = |v: &f64| crate::format::axis_tick(*v, y_span);
    chart
        .configure_mesh()
        .light_line_style(style.muted.mix(0.15))
        .bold_line_style(style.muted.mix(0.3))
        .axis_style(style.muted.stroke_width(style.px(1.0)))
        .label_style(style.muted_text(10.0))
        .x_label_formatter(&steps_fmt)
        .y_label_formatter(&value_fmt)
        .x_labels(8)
        .y_labels(labels)
        .x_desc(x_desc)
        .axis_desc_style(style.muted_text(10.0))
        .draw()?;
    let plot = chart.plotting_area();
    if let Some(note) = &panel.note {
        // Written on the chart, top right, over whatever is there in the plot, but not over the axis's numbers:
        // smaller where the plot is narrow (a phone's panel).
        let (w, _) = plot.dim_in_pixel();
        let room = f64::from(w.saturating_sub(style.px(8.0)));
        let wide = plot.estimate_text_size(note, &style.muted_text(10.5)).map_or(0.0, |(tw, _)| f64::from(tw));
        let size = if wide > room { (10.5 * room / wide).max(7.0) } else { 10.5 };
        let text = style.muted_text(size).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Top,
        ));
        plot.strip_coord_spec().draw(&Text::new(
            note.clone(),
            (w as i32 - style.px(4.0) as i32, style.px(3.0) as i32),
            text,
        ))?;
    }
    // Dashed lines over solid ones: where two series coincide (an arm that kept nothing and one that kept
    // too little, both at 0), the dashed one's gaps show the solid one beneath.
    for s in panel.series.iter().filter(|s| !s.dashed).chain(panel.series.iter().filter(|s| s.dashed)) {
        let color = role_color(s.role, style);
        if s.scatter {
            for &(x, y) in s.points.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
                plot.draw(&Circle::new((x, y), style.px(2.6), color.mix(0.75).filled()))?;
            }
            continue;
        }
        let stroke = color.stroke_width(style.px(2.0));
        // Non-finite values (and non-positive ones on a log axis) break the line.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>| -> DrawResult<DB> {
            match run.len() {
                0 => {}
                1 => {
                    plot.draw(&Circle::new(run[0], style.px(2.0), color.filled()))?;
                }
                _ if s.dashed => {
                    plot.draw(&DashedPathElement::new(run.clone(), style.px(6.0), style.px(4.0), stroke))?;
                }
                _ => {
                    plot.draw(&PathElement::new(run.clone(), stroke))?;
                }
            }
            run.clear();
            Ok(())
        };
        for &(x, y) in &s.points {
            if y.is_finite() && (!log_y || y > 0.0) {
                run.push((x, y));
            } else {
                flush(&mut run)?;
            }
        }
        flush(&mut run)?;
    }
    if let Some(frame) = ends {
        write_ends(&chart, frame, panel, log_y, style)?;
    }
    Ok(())
}

/// Writes each line's newest finite value just right of its end, in the line's colour; labels that would
/// overlap are pushed apart vertically.
fn write_ends<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<Axis, Axis>>,
    frame: &DrawingArea<DB, Shift>,
    panel: &Panel,
    log_y: bool,
    style: &Style,
) -> DrawResult<DB> {
    let base = frame.get_base_pixel();
    let mut labels: Vec<(i32, i32, String, RGBColor)> = panel
        .series
        .iter()
        .filter(|s| !s.scatter)
        .filter_map(|s| {
            let &(x, y) = s.points.iter().rev().find(|p| p.1.is_finite() && (!log_y || p.1 > 0.0))?;
            let (px, py) = chart.backend_coord(&(x, y));
            let text = if panel.unit == "degrees" { crate::format::degrees(y) } else { crate::format::number(y, 3) };
            Some((px - base.0, py - base.1, text, role_color(s.role, style)))
        })
        .collect();
    crate::order::sort_by_key(&mut labels, |l| (f64::from(l.1), 0));
    let gap = style.px(15.0) as i32;
    for i in 1..labels.len() {
        let floor = labels[i - 1].1 + gap;
        labels[i].1 = labels[i].1.max(floor);
    }
    let pos = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Center,
    );
    for (x, y, text, color) in labels {
        frame.draw(&Text::new(text, (x + style.px(5.0) as i32, y), style.text(13.0).color(&color).pos(pos)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::log_ticks;

    #[test]
    fn log_axes_are_numbered_where_a_reader_needs_them() {
        // The squared-error plateau: 0.6° to 48° (padded) — numbers above 10, not only 1 and 10.
        let (ticks, light) = log_ticks(0.6 / 1.6, 48.0 * 1.6);
        assert_eq!(ticks, [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]);
        assert!(light.contains(&30.0) && light.contains(&0.4));
        // A loss over twelve decades: every other power of ten, no light lines.
        let (ticks, light) = log_ticks(1e-12, 1.0);
        assert_eq!(ticks, [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0]);
        assert!(light.is_empty());
        // Five decades: each power of ten.
        assert_eq!(log_ticks(0.05, 5000.0).0, [0.1, 1.0, 10.0, 100.0, 1000.0]);
    }
}
