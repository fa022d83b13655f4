//! The gallery: support vectors and highest-loss examples as small images, each captioned with its label
//! and both models' predictions.

use super::raster::Blit;
use super::theme::Style;
use super::DrawResult;
use crate::scene::gallery::{GalleryScene, Tile};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Draws the gallery: a row of support vectors and a row of the highest-loss examples.
pub fn draw_gallery<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &GalleryScene,
    style: &Style,
) -> DrawResult<DB> {
    area.fill(&style.background)?;
    let (width, height) = area.dim_in_pixel();
    let pad = style.px(8.0) as i32;
    let heading = style.px(20.0) as i32;
    let caption = style.px(30.0) as i32;
    let mut rows = vec![
        (format!("Support vectors of the SVM (step {})", crate::format::count(view.step)), &view.support),
        (
            format!(
                "Highest-loss training examples — {} of the support vectors are among them",
                crate::format::percent(view.overlap)
            ),
            &view.hardest,
        ),
    ];
    rows.extend(view.extra.iter().map(|(title, tiles)| (title.clone(), tiles)));
    let columns = rows.iter().map(|(_, t)| t.len()).max().unwrap_or(1).max(1) as i32;
    let cell_w = ((width as i32 - pad) / columns - pad).max(8);
    let row_h = (height as i32 - pad) / rows.len() as i32;
    let side = cell_w.min(row_h - heading - caption - pad).max(8);
    for (r, (title, tiles)) in rows.iter().enumerate() {
        let top = pad + r as i32 * row_h;
        area.draw(&Text::new(title.clone(), (pad, top), style.text(12.0)))?;
        if tiles.is_empty() {
            area.draw(&Text::new("none".to_string(), (pad, top + heading), style.muted_text(11.0)))?;
        }
        for (c, tile) in tiles.iter().enumerate() {
            let x = pad + c as i32 * (cell_w + pad);
            draw_tile(area, tile, (x, top + heading), side, style)?;
        }
    }
    Ok(())
}

fn draw_tile<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    tile: &Tile,
    (x, y): (i32, i32),
    side: i32,
    style: &Style,
) -> DrawResult<DB> {
    let [w, h] = tile.size;
    let side = side.max(1) as u32;
    // Nearest-neighbour enlargement of the pixels, dark ink on the background.
    let mut rgb = Vec::with_capacity((side * side * 3) as usize);
    let (bg, fg) = (style.background, style.foreground);
    for py in 0..side {
        for px in 0..side {
            let raw = tile.pixels.get((py as usize * h / side as usize) * w + (px as usize * w / side as usize));
            let raw = raw.copied().unwrap_or(0.0);
            // A change is drawn in two class colours by its sign; an image in ink on the background.
            let (v, ink) = if tile.signed {
                (raw.abs().clamp(0.0, 1.0), if raw >= 0.0 { style.class(1) } else { style.class(0) })
            } else {
                (raw.clamp(0.0, 1.0), fg)
            };
            let mix = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * v).round() as u8;
            rgb.extend_from_slice(&[mix(bg.0, ink.0), mix(bg.1, ink.1), mix(bg.2, ink.2)]);
        }
    }
    area.draw(&Blit { origin: (x, y), size: (side, side), rgb: &rgb })?;
    let s = side as i32;
    area.draw(&Rectangle::new([(x, y), (x + s, y + s)], style.muted.stroke_width(style.px(1.0))))?;
    let font = style.text(10.5).pos(Pos::new(HPos::Left, VPos::Top));
    let [first, verdict] = tile
        .caption
        .clone()
        .unwrap_or_else(|| [format!("label {}", tile.label), format!("net {} · SVM {}", tile.net, tile.svm)]);
    area.draw(&Text::new(first, (x, y + s + style.px(3.0) as i32), font.clone()))?;
    let color = if tile.net_wrong { style.svm } else { style.muted };
    area.draw(&Text::new(verdict, (x, y + s + style.px(16.0) as i32), font.color(&color)))?;
    Ok(())
}
