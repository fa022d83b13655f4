//! Legends as a strip of their own — below a 2-D view, above a chart panel — with entries flowing into
//! rows, so that a legend never covers a point or a line.

use super::theme::Style;
use super::DrawResult;
use crate::scene::Marker;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What to draw left of a legend label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    /// A marker of a 2-D view.
    Marker(Marker),
    /// A chart line: its colour and whether it is dashed.
    Line(RGBColor, bool),
}

/// One entry.
pub type Entry = (Swatch, String);

fn metrics(style: &Style) -> (i32, i32, i32, i32) {
    // Swatch width, gap to the label, space after an entry, row height (device pixels).
    (style.px(22.0) as i32, style.px(5.0) as i32, style.px(14.0) as i32, style.px(17.0) as i32)
}

/// The entries' positions when they flow into rows `width` pixels wide: (x, row) per entry.
fn flow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    style: &Style,
    width: i32,
) -> Vec<(i32, i32)> {
    let (swatch, gap, space, _) = metrics(style);
    let font = style.text(11.0);
    let mut out = Vec::with_capacity(entries.len());
    let (mut x, mut row) = (0, 0);
    for (_, label) in entries {
        let text = area.estimate_text_size(label, &font).map_or(60, |s| s.0 as i32);
        let w = swatch + gap + text;
        if x > 0 && x + w > width {
            x = 0;
            row += 1;
        }
        out.push((x, row));
        x += w + space;
    }
    out
}

/// The height a legend of `entries` needs across `width` pixels (0 without entries).
pub fn height<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[Entry], style: &Style, width: i32) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    let rows = flow(area, entries, style, width).last().map_or(0, |p| p.1) + 1;
    (rows * metrics(style).3) as u32 + style.px(4.0)
}

/// Draws `entries` flowing across `area`, starting `left` pixels in.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    style: &Style,
    left: i32,
) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let (swatch, gap, _, line) = metrics(style);
    let font = style.text(11.0);
    for ((kind, label), (x, row)) in entries.iter().zip(flow(area, entries, style, w as i32 - left)) {
        let x = left + x;
        let cy = row * line + line / 2 + style.px(2.0) as i32;
        draw_swatch(area, *kind, (x, cy), swatch, style)?;
        area.draw(&Text::new(
            label.clone(),
            (x + swatch + gap, cy),
            font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// The dash and gap (in CSS pixels) a line marker is drawn with, or `None` for a solid line: the SVM long
/// dashes, its margin dots, so that the two tell apart in the plot and in the legend alike.
pub fn marker_dash(marker: Marker) -> Option<(f64, f64)> {
    match marker {
        Marker::SvmLine => Some((8.0, 5.0)),
        Marker::SvmMargin => Some((1.6, 3.4)),
        _ => None,
    }
}

/// The colour a marker is drawn in.
pub fn marker_color(marker: Marker, style: &Style) -> RGBColor {
    match marker {
        Marker::NetworkLine | Marker::Hollow | Marker::Ring | Marker::Memory | Marker::Attack => style.foreground,
        Marker::SvmLine | Marker::SvmMargin => style.svm,
        Marker::Disagreement | Marker::Disputed => style.disagreement,
        Marker::Misclassified => style.muted,
        Marker::Point(k) => style.class(k),
    }
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    kind: Swatch,
    (x, cy): (i32, i32),
    swatch: i32,
    style: &Style,
) -> DrawResult<DB> {
    let cx = x + swatch / 2;
    let r = style.px(3.5) as i32;
    let (from, to) = ((x, cy), (x + swatch, cy));
    match kind {
        Swatch::Marker(Marker::Point(k)) => area.draw(&Circle::new((cx, cy), r, style.class(k).filled())),
        Swatch::Marker(Marker::Hollow) => {
            area.draw(&Circle::new((cx, cy), r, style.foreground.stroke_width(style.px(1.6))))
        }
        Swatch::Marker(Marker::Ring) => {
            area.draw(&Circle::new((cx, cy), style.px(6.5) as i32, style.foreground.stroke_width(style.px(1.5))))
        }
        Swatch::Marker(Marker::Misclassified) => {
            area.draw(&Circle::new((cx, cy), r, style.muted.filled()))?;
            area.draw(&Circle::new((cx, cy), style.px(5.5) as i32, style.foreground.stroke_width(style.px(2.0))))
        }
        Swatch::Marker(Marker::Disputed) => {
            let h = style.px(5.5) as i32;
            area.draw(&Rectangle::new(
                [(cx - h, cy - h), (cx + h, cy + h)],
                style.disagreement.stroke_width(style.px(1.5)),
            ))
        }
        Swatch::Marker(Marker::Memory) => diamond(area, (cx, cy), style.px(6.0) as i32, style.foreground, style),
        Swatch::Marker(Marker::Attack) => {
            let color = marker_color(Marker::Attack, style);
            area.draw(&Circle::new((x + 2, cy), style.px(2.0) as i32, color.filled()))?;
            arrow(area, (x + 2, cy), (x + swatch, cy), color, style)
        }
        Swatch::Marker(Marker::Disagreement) => {
            let h = style.px(5.0) as i32;
            for k in 0..4 {
                let sx = x + k * swatch / 4;
                area.draw(&PathElement::new(
                    vec![(sx, cy + h), (sx + swatch / 4, cy - h)],
                    style.disagreement.stroke_width(style.px(2.0)),
                ))?;
            }
            Ok(())
        }
        Swatch::Marker(m) => {
            let width = if m == Marker::SvmMargin { 1.6 } else { 2.2 };
            line(area, from, to, marker_color(m, style), width, marker_dash(m), style)
        }
        Swatch::Line(color, dashed) => line(area, from, to, color, 2.0, dashed.then_some((5.0, 3.0)), style),
    }
}

/// A diamond outline of half-diagonal `h` pixels around `(cx, cy)`.
pub fn diamond<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (cx, cy): (i32, i32),
    h: i32,
    color: RGBColor,
    style: &Style,
) -> DrawResult<DB> {
    area.draw(&PathElement::new(
        vec![(cx, cy - h), (cx + h, cy), (cx, cy + h), (cx - h, cy), (cx, cy - h)],
        color.stroke_width(style.px(1.6)),
    ))
}

/// An arrow from `from` to `to` (pixels), its head at `to`.
pub fn arrow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    style: &Style,
) -> DrawResult<DB> {
    let stroke = color.stroke_width(style.px(1.6));
    area.draw(&PathElement::new(vec![from, to], stroke))?;
    let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / len, dy / len);
    let head = style.px(6.0) as f64;
    let side = |sign: f64| {
        (to.0 - (head * ux - sign * 0.5 * head * uy) as i32, to.1 - (head * uy + sign * 0.5 * head * ux) as i32)
    };
    area.draw(&PathElement::new(vec![side(1.0), to, side(-1.0)], stroke))
}

fn line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    width: f64,
    dash: Option<(f64, f64)>,
    style: &Style,
) -> DrawResult<DB> {
    let stroke = color.stroke_width(style.px(width));
    if let Some((dash, gap)) = dash {
        area.draw(&DashedPathElement::new([from, to], style.px(dash), style.px(gap), stroke))
    } else {
        area.draw(&PathElement::new(vec![from, to], stroke))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svm_and_its_margin_are_dashed_apart() {
        // One pattern each, used by the plot and the legend alike: long dashes for the SVM, dots for its margin.
        let (line, margin) = (marker_dash(Marker::SvmLine).unwrap(), marker_dash(Marker::SvmMargin).unwrap());
        assert!(line.0 >= 3.0 * margin.0, "the SVM's dashes {line:?} are long beside its margin's dots {margin:?}");
        assert_eq!(marker_dash(Marker::NetworkLine), None);
    }
}
