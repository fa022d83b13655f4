//! The page's drawing backend: plotters-canvas with the fast paths it lacks (circles stamped from sprites,
//! one `putImageData` per bitmap, text measured by the canvas), and a heatmap painter that lets the browser scale a small cell image in one
//! smoothed `drawImage`, with the disagreement as a stripe pattern filled over the disagreeing cells.

use crate::render::stamps::{Sprite, StampLayer};
use crate::render::{self, PlotFrame, Style};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform};
use plotters_canvas::CanvasBackend;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The theme at a device-pixel scale.
pub fn style(scale: f64, dark: bool) -> Style {
    if dark {
        Style::dark(scale)
    } else {
        Style::light(scale)
    }
}

/// Runs a drawing function on a canvas through [`FastCanvas`], converting errors once.
pub fn draw_on<T, E: std::fmt::Debug>(
    canvas: HtmlCanvasElement,
    scale: f64,
    dark: bool,
    f: impl FnOnce(&DrawingArea<FastCanvas, plotters::coord::Shift>, &Style, &CanvasRenderingContext2d) -> Result<T, E>,
) -> Result<T, JsError> {
    let backend = FastCanvas::new(canvas)?;
    let context = backend.context.clone();
    let root = backend.into_drawing_area();
    let out = f(&root, &style(scale, dark), &context).map_err(|e| JsError::new(&format!("drawing failed: {e:?}")))?;
    root.present().map_err(|e| JsError::new(&format!("drawing failed: {e:?}")))?;
    Ok(out)
}

/// Draws a plane view with the browser's heatmap painter.
pub fn draw_plane_on(
    canvas: HtmlCanvasElement,
    scale: f64,
    dark: bool,
    painter: &mut CanvasPainter,
    view: &crate::scene::PlaneScene,
) -> Result<PlotFrame, JsError> {
    draw_on(canvas, scale, dark, |root, st, ctx| {
        painter.target = Some(ctx.clone());
        render::draw_plane(root, view, st, painter)
    })
}

/// Paints heatmaps through the browser: the small cell image goes into a scratch canvas and is scaled into the
/// plot with one smoothed `drawImage`; disagreement is a stripe pattern filled over a path of the disagreeing
/// cells' runs.
pub struct CanvasPainter {
    target: Option<CanvasRenderingContext2d>,
    cells: HtmlCanvasElement,
    stripes: HtmlCanvasElement,
    stripe_key: (u32, (u8, u8, u8)),
}

/// An off-screen canvas whose pixels the drawing puts (heatmap cells, stripes, stamped markers) and reads
/// (sprites). `put_often`: pixels are put into it again after it was drawn from, every frame (the stamps'
/// hand-over canvases); its context then asks for `willReadFrequently`, which keeps its pixels in memory.
/// Without it WebKit (Safari) took 3–10 ms for each such `putImageData`, a third of a redraw, against 0.05 ms
/// in Firefox; with it both take under 0.1 ms. Not for the others: Chromium's fast redraw went from 5 to 15 ms
/// when every scratch canvas asked for it (BENCHMARKS §9.1).
fn scratch_canvas(put_often: bool) -> Result<HtmlCanvasElement, JsError> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| JsError::new("no document"))?;
    let canvas = document
        .create_element("canvas")
        .map_err(|_| JsError::new("cannot create a canvas"))?
        .dyn_into::<HtmlCanvasElement>()
        .map_err(|_| JsError::new("not a canvas"))?;
    if !put_often {
        return Ok(canvas);
    }
    // The first getContext call fixes the context's settings; later calls (`context_of`) return this one.
    let settings = js_sys::Object::new();
    js_sys::Reflect::set(&settings, &JsValue::from_str("willReadFrequently"), &JsValue::TRUE)
        .map_err(|_| JsError::new("cannot set the canvas's settings"))?;
    canvas.get_context_with_context_options("2d", &settings).map_err(|_| JsError::new("no 2-D context"))?;
    Ok(canvas)
}

fn context_of(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2-D context"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| JsValue::from_str("not 2-D"))
}

/// RGBA rows top-first from cells stored bottom-first; `pixel` maps a cell to its RGBA.
fn flipped_rgba(nx: usize, ny: usize, pixel: impl Fn(usize) -> [u8; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nx * ny * 4);
    for r in (0..ny).rev() {
        for c in 0..nx {
            out.extend_from_slice(&pixel(r * nx + c));
        }
    }
    out
}

impl CanvasPainter {
    /// Scratch canvases for the heatmap (created once).
    pub fn new() -> Result<CanvasPainter, JsError> {
        Ok(CanvasPainter {
            target: None,
            cells: scratch_canvas(false)?,
            stripes: scratch_canvas(false)?,
            stripe_key: (0, (0, 0, 0)),
        })
    }

    /// A 2-D context of a scratch canvas, to measure text with (SVG figures).
    pub fn measuring_context(&self) -> Option<CanvasRenderingContext2d> {
        context_of(&self.stripes).ok()
    }

    fn put(canvas: &HtmlCanvasElement, nx: usize, ny: usize, rgba: &[u8]) -> Result<(), JsValue> {
        if canvas.width() != nx as u32 || canvas.height() != ny as u32 {
            canvas.set_width(nx as u32);
            canvas.set_height(ny as u32);
        }
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), nx as u32, ny as u32)?;
        context_of(canvas)?.put_image_data(&image, 0.0, 0.0)
    }

    fn try_paint(
        &mut self,
        (x, y, w, h): (i32, i32, u32, u32),
        cells: &[u8],
        nx: usize,
        ny: usize,
        hatch: Option<render::Hatch<'_>>,
    ) -> Result<(), JsValue> {
        let ctx = self.target.clone().ok_or_else(|| JsValue::from_str("no target"))?;
        // Markers stamped before the heatmap lie under it.
        flush_stamps(&ctx)?;
        Self::put(
            &self.cells,
            nx,
            ny,
            &flipped_rgba(nx, ny, |i| [cells[3 * i], cells[3 * i + 1], cells[3 * i + 2], 255]),
        )?;
        ctx.save();
        ctx.set_image_smoothing_enabled(true);
        ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            &self.cells,
            0.0,
            0.0,
            nx as f64,
            ny as f64,
            x as f64,
            y as f64,
            w as f64,
            h as f64,
        )?;
        if let Some(hatch) = hatch {
            // The disagreeing cells as one path of horizontal runs, filled with the stripe pattern: the cost
            // follows the disagreement's area, not the plot's.
            let ink = hatch.ink;
            let p = hatch.period.max(3);
            if self.stripe_key != (p, (ink.0, ink.1, ink.2)) {
                self.stripes.set_width(p);
                self.stripes.set_height(p);
                let s = context_of(&self.stripes)?;
                s.clear_rect(0.0, 0.0, p as f64, p as f64);
                s.set_stroke_style_str(&format!("rgb({},{},{})", ink.0, ink.1, ink.2));
                s.set_line_width(p as f64 / 3.0);
                s.begin_path();
                let pf = p as f64;
                for offset in [-pf, 0.0, pf] {
                    s.move_to(offset, pf);
                    s.line_to(offset + pf, 0.0);
                }
                s.stroke();
                self.stripe_key = (p, (ink.0, ink.1, ink.2));
            }
            let (cw, ch) = (w as f64 / nx as f64, h as f64 / ny as f64);
            // Cell edges rounded to whole pixels, so that neighbouring runs meet without seams or overlaps.
            let edge_x = |c: usize| (x as f64 + c as f64 * cw).round();
            let edge_y = |r: usize| (y as f64 + r as f64 * ch).round();
            ctx.begin_path();
            let mut any = false;
            for r in 0..ny {
                let row = &hatch.mask[r * nx..(r + 1) * nx];
                // Rows are stored bottom-first; the canvas counts from the top.
                let (top, bottom) = (edge_y(ny - 1 - r), edge_y(ny - r));
                let mut c = 0;
                while c < nx {
                    if !row[c] {
                        c += 1;
                        continue;
                    }
                    let from = c;
                    while c < nx && row[c] {
                        c += 1;
                    }
                    let (left, right) = (edge_x(from), edge_x(c));
                    ctx.rect(left, top, right - left, bottom - top);
                    any = true;
                }
            }
            if any {
                let pattern = ctx
                    .create_pattern_with_html_canvas_element(&self.stripes, "repeat")?
                    .ok_or_else(|| JsValue::from_str("no pattern"))?;
                ctx.set_fill_style_canvas_pattern(&pattern);
                ctx.set_global_alpha(0.67);
                ctx.fill();
            }
        }
        ctx.restore();
        Ok(())
    }
}

impl render::HeatmapPainter for CanvasPainter {
    fn paint(
        &mut self,
        rect: (i32, i32, u32, u32),
        cells: &[u8],
        nx: usize,
        ny: usize,
        hatch: Option<render::Hatch<'_>>,
    ) -> Option<Vec<u8>> {
        match self.try_paint(rect, cells, nx, ny, hatch) {
            Ok(()) => None,
            // Any canvas error: fall back to upsampling in Rust and a plain blit.
            Err(_) => render::Upsampler.paint(rect, cells, nx, ny, hatch),
        }
    }
}

/// A circle as drawn by plotters: radius, colour, stroke width (unless filled).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct SpriteKey {
    radius: u32,
    rgb: (u8, u8, u8),
    alpha: u64,
    width: u32,
    fill: bool,
}

thread_local! {
    /// Circles rasterised once by the canvas and kept as pixels: a view draws hundreds or thousands of
    /// identical point markers a frame.
    static SPRITES: std::cell::RefCell<std::collections::HashMap<SpriteKey, (Rc<Sprite>, i32)>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
    /// The markers stamped since the canvas last drew anything else, and the scratch canvases that hand them
    /// over, a `putImageData` and a `drawImage` for each of a few rectangles.
    static STAMPS: std::cell::RefCell<Stamps> = std::cell::RefCell::new(Stamps::default());
    /// Text widths by font and text, as the canvas measured them.
    static TEXT_WIDTHS: std::cell::RefCell<std::collections::HashMap<(String, String), f64>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The markers stamped and not yet drawn, and the scratch canvases that hand them over.
#[derive(Default)]
struct Stamps {
    layer: StampLayer,
    scratch: Vec<HtmlCanvasElement>,
    /// The scratch canvas the next rectangle goes through: each is used once per drawing (up to
    /// [`SCRATCH_CANVASES`]), because putting new pixels in one that was just drawn from makes the canvas
    /// copy it first.
    next: usize,
}

/// The most scratch canvases kept for handing over markers.
const SCRATCH_CANVASES: usize = 32;

/// The sprite of `key` and the offset of its centre (rasterised on first use; the cache is bounded).
fn sprite(key: SpriteKey) -> Result<(Rc<Sprite>, i32), JsValue> {
    if let Some(hit) = SPRITES.with(|s| s.borrow().get(&key).cloned()) {
        return Ok(hit);
    }
    let centre = (key.radius + key.width + 2) as i32;
    let side = 2 * centre as u32;
    let canvas = scratch_canvas(false).map_err(|_| JsValue::from_str("no canvas"))?;
    canvas.set_width(side);
    canvas.set_height(side);
    let ctx = context_of(&canvas)?;
    let (r, g, b) = key.rgb;
    let color = format!("rgba({r},{g},{b},{})", f64::from_bits(key.alpha));
    ctx.begin_path();
    ctx.arc(f64::from(centre), f64::from(centre), f64::from(key.radius), 0.0, std::f64::consts::TAU)?;
    if key.fill {
        ctx.set_fill_style_str(&color);
        ctx.fill();
    } else {
        ctx.set_stroke_style_str(&color);
        ctx.set_line_width(f64::from(key.width));
        ctx.stroke();
    }
    let pixels = ctx.get_image_data(0.0, 0.0, f64::from(side), f64::from(side))?.data();
    let sprite = Rc::new(Sprite::from_straight(side as usize, &pixels));
    SPRITES.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() >= 256 {
            s.clear();
        }
        s.insert(key, (sprite.clone(), centre));
    });
    Ok((sprite, centre))
}

/// Draws the markers stamped since the last call onto `ctx` (before anything else is drawn over them).
fn flush_stamps(ctx: &CanvasRenderingContext2d) -> Result<(), JsValue> {
    STAMPS.with(|cell| {
        let stamps = &mut *cell.borrow_mut();
        if stamps.layer.is_empty() {
            return Ok(());
        }
        // Each scratch canvas only grows (resizing clears it; only its top-left w × h is drawn).
        for (x, y, w, h, rgba) in stamps.layer.take() {
            let i = stamps.next % SCRATCH_CANVASES;
            stamps.next += 1;
            if stamps.scratch.len() <= i {
                stamps.scratch.push(scratch_canvas(true).map_err(|_| JsValue::from_str("no canvas"))?);
            }
            let canvas = &stamps.scratch[i];
            if canvas.width() < w || canvas.height() < h {
                canvas.set_width(canvas.width().max(w));
                canvas.set_height(canvas.height().max(h));
            }
            let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h)?;
            context_of(canvas)?.put_image_data(&image, 0.0, 0.0)?;
            let (fx, fy, fw, fh) = (f64::from(x), f64::from(y), f64::from(w), f64::from(h));
            ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                canvas, 0.0, 0.0, fw, fh, fx, fy, fw, fh,
            )?;
        }
        Ok(())
    })
}

/// plotters-canvas with the fast paths it lacks: circles stamped from cached sprites into a [`StampLayer`]
/// that reaches the canvas in one call before anything else is drawn (so the order of the drawing is kept),
/// `blit_bitmap` as one `putImageData` (its default is a draw call per pixel) and text measurement through the
/// canvas's `measureText` (the default lays out a DOM node per label).
pub struct FastCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
    /// The text state last set on the context (a view prints a hundred labels in a few styles, and setting
    /// a font makes the canvas parse it).
    text: std::cell::RefCell<TextState>,
}

/// Text settings of a canvas context, as last set through [`FastCanvas`] (empty: not known).
#[derive(Default)]
struct TextState {
    font: String,
    baseline: &'static str,
    align: &'static str,
    fill: Option<((u8, u8, u8), u64)>,
}

impl TextState {
    /// Sets a keyword setting (alignment, baseline) through `set` when it differs from the one last set.
    fn update(slot: &mut &'static str, value: &'static str, set: impl FnOnce(&str)) {
        if *slot != value {
            set(value);
            *slot = value;
        }
    }

    fn set_font(&mut self, context: &CanvasRenderingContext2d, font: &str) {
        if self.font != font {
            context.set_font(font);
            self.font = font.to_string();
        }
    }
}

impl FastCanvas {
    fn new(canvas: HtmlCanvasElement) -> Result<FastCanvas, JsError> {
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            .ok_or_else(|| JsError::new("this browser gives no 2-D canvas context"))?;
        let (w, h) = (canvas.width() as usize, canvas.height() as usize);
        let inner =
            CanvasBackend::with_canvas_object(canvas).ok_or_else(|| JsError::new("cannot draw on this canvas"))?;
        STAMPS.with(|cell| {
            let mut stamps = cell.borrow_mut();
            stamps.layer.resize(w, h);
            stamps.next = 0;
        });
        Ok(FastCanvas { inner, context, text: Default::default() })
    }

    /// Hands the stamped markers to the canvas: called before any other drawing, and at the end.
    fn flush(&self) -> Result<(), DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>> {
        flush_stamps(&self.context).map_err(|e| DrawingErrorKind::FontError(format!("markers: {e:?}").into()))
    }
}

impl DrawingBackend for FastCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.flush()?;
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.flush()?;
        self.text.get_mut().fill = None;
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.flush()?;
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.flush()?;
        self.text.get_mut().fill = None;
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.flush()?;
        self.inner.draw_path(path, style)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.flush()?;
        self.text.get_mut().fill = None;
        self.inner.fill_polygon(vert, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let key = SpriteKey { radius, rgb: color.rgb, alpha: color.alpha.to_bits(), width: style.stroke_width(), fill };
        match sprite(key) {
            // The sprite's centre is a whole pixel, so stamping it at a whole-pixel offset gives the very pixels
            // the arc would.
            Ok((sprite, centre)) => {
                STAMPS.with(|cell| cell.borrow_mut().layer.stamp(&sprite, center.0 - centre, center.1 - centre));
                Ok(())
            }
            Err(_) => {
                self.flush()?;
                self.text.get_mut().fill = None;
                self.inner.draw_circle(center, radius, style, fill)
            }
        }
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.flush()?;
        // As plotters-canvas draws text, with the context's text settings changed only when they differ.
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let cast = |e: JsValue| DrawingErrorKind::FontError(format!("text: {e:?}").into());
        let turn = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 0.5,
            FontTransform::Rotate180 => 1.0,
            FontTransform::Rotate270 => 1.5,
        } * std::f64::consts::PI;
        let (mut x, mut y) = (f64::from(pos.0), f64::from(pos.1));
        if turn != 0.0 {
            self.context.save();
            self.context.translate(x, y).map_err(cast)?;
            self.context.rotate(turn).map_err(cast)?;
            (x, y) = (0.0, 0.0);
        }
        let state = self.text.get_mut();
        let baseline = match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        };
        TextState::update(&mut state.baseline, baseline, |v| self.context.set_text_baseline(v));
        let align = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        };
        TextState::update(&mut state.align, align, |v| self.context.set_text_align(v));
        let fill = (color.rgb, color.alpha.to_bits());
        if state.fill != Some(fill) {
            let (r, g, b) = color.rgb;
            self.context.set_fill_style_str(&format!("rgba({r},{g},{b},{})", color.alpha));
            state.fill = Some(fill);
        }
        state.set_font(
            &self.context,
            &format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str()),
        );
        self.context.fill_text(text, x, y).map_err(cast)?;
        if turn != 0.0 {
            // The context's text settings are back to what they were before the turn.
            self.context.restore();
            *state = TextState::default();
        }
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let font = format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str());
        // The same labels are measured at every redraw (ticks, legends, titles fitted to their room): each
        // width is measured once per font (the page's fonts are the system's, loaded before any drawing).
        let key = (font, text.to_string());
        let width = match TEXT_WIDTHS.with(|w| w.borrow().get(&key).copied()) {
            Some(width) => width,
            None => {
                self.text.borrow_mut().set_font(&self.context, &key.0);
                let width = self
                    .context
                    .measure_text(text)
                    .map(|m| m.width())
                    .unwrap_or(style.size() * 0.6 * text.len() as f64);
                TEXT_WIDTHS.with(|w| {
                    let mut w = w.borrow_mut();
                    if w.len() >= 4096 {
                        w.clear();
                    }
                    w.insert(key, width);
                });
                width
            }
        };
        Ok((width.ceil() as u32, style.size().ceil() as u32))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (w, h): (u32, u32),
        rgb: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if w == 0 || h == 0 {
            return Ok(());
        }
        let mut rgba = Vec::with_capacity((w * h * 4) as usize);
        for px in rgb.chunks_exact(3) {
            rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
        self.flush()?;
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h)
            .map_err(|e| DrawingErrorKind::FontError(format!("ImageData: {e:?}").into()))?;
        self.context
            .put_image_data(&image, pos.0 as f64, pos.1 as f64)
            .map_err(|e| DrawingErrorKind::FontError(format!("putImageData: {e:?}").into()))
    }
}
