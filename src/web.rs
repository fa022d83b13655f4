//! The wasm boundary: the only module that names wasm-bindgen, web-sys or plotters-canvas.
//!
//! JavaScript holds one long-lived [`Lab`] handle and asks it small questions; data stays in wasm memory.
//! Errors cross as `Error` objects with the core's message; a panic hook reports the impossible.

use crate::config::Config;
use crate::data::{self, DataSet, Split};
use crate::render::{self, Style};
use crate::scene;
use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The page's handle on the core.
#[wasm_bindgen]
pub struct Lab {
    config: Config,
    split: Split,
}

#[wasm_bindgen]
impl Lab {
    /// A lab with the default configuration.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Lab, JsError> {
        let config = Config::default();
        let split = data::generate(&config.data).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Lab { config, split })
    }

    /// The current configuration as JSON.
    pub fn config(&self) -> String {
        self.config.to_json()
    }

    /// Merges a partial JSON config into the current one. On any error the previous state is kept and the
    /// error's message says what was wrong.
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&mut self, partial: &str) -> Result<(), JsError> {
        let config = self.config.merged(partial).map_err(|e| JsError::new(&e))?;
        let split = data::generate(&config.data).map_err(|e| JsError::new(&e.to_string()))?;
        self.config = config;
        self.split = split;
        Ok(())
    }

    /// The data sets as JSON: `[{id, title, defaults}]`.
    #[wasm_bindgen(js_name = dataSets)]
    pub fn data_sets() -> String {
        let list: Vec<serde_json::Value> = DataSet::ALL
            .iter()
            .map(|s| serde_json::json!({ "id": s.id(), "title": s.title(), "defaults": s.defaults() }))
            .collect();
        serde_json::Value::Array(list).to_string()
    }

    /// Numbers of training and test points per class, as JSON `{train: [...], test: [...]}`.
    pub fn counts(&self) -> String {
        serde_json::json!({ "train": self.split.train.class_counts(), "test": self.split.test.class_counts() })
            .to_string()
    }

    /// Draws the input-space view on `canvas` (whose pixel size the caller has set to CSS size × `scale`).
    #[wasm_bindgen(js_name = drawInput)]
    pub fn draw_input(
        &self,
        canvas: HtmlCanvasElement,
        scale: f64,
        dark: bool,
        show_test: bool,
    ) -> Result<(), JsError> {
        let view = scene::data_view(&self.split, show_test);
        let style = if dark { Style::dark(scale) } else { Style::light(scale) };
        let backend = FastCanvas::new(canvas)?;
        let root = backend.into_drawing_area();
        render::draw_plane(&root, &view, &style).map_err(|e| JsError::new(&format!("drawing failed: {e}")))?;
        root.present().map_err(|e| JsError::new(&format!("drawing failed: {e}")))?;
        Ok(())
    }
}

/// plotters-canvas with two fast paths it lacks: `blit_bitmap` as one `putImageData` (its default is a draw
/// call per pixel) and text measurement through the canvas's `measureText` (the default lays out a DOM node
/// per label).
struct FastCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
}

impl FastCanvas {
    fn new(canvas: HtmlCanvasElement) -> Result<FastCanvas, JsError> {
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            .ok_or_else(|| JsError::new("this browser gives no 2-D canvas context"))?;
        let inner =
            CanvasBackend::with_canvas_object(canvas).ok_or_else(|| JsError::new("cannot draw on this canvas"))?;
        Ok(FastCanvas { inner, context })
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
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.context.set_font(&format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str()));
        let width =
            self.context.measure_text(text).map(|m| m.width()).unwrap_or(style.size() * 0.6 * text.len() as f64);
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
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h)
            .map_err(|e| DrawingErrorKind::FontError(format!("ImageData: {e:?}").into()))?;
        self.context
            .put_image_data(&image, pos.0 as f64, pos.1 as f64)
            .map_err(|e| DrawingErrorKind::FontError(format!("putImageData: {e:?}").into()))
    }
}
