//! The wasm boundary: the only module that names wasm-bindgen, web-sys or plotters-canvas.
//!
//! JavaScript holds one long-lived [`Lab`] handle and asks it small questions; data stays in wasm memory.
//! Errors cross as `Error` objects with the core's message; a panic hook reports the impossible.

use crate::config::{MAX_FIRST_WIDTH, MAX_LAYERS, MAX_WIDTH};
use crate::csv_io;
use crate::data::{self, DataSet, LabeledPoint, Split, MAX_CLASSES, MAX_SAMPLES};
use crate::export::run_json;
use crate::nn::{Activation, OptimizerKind};
use crate::presets;
use crate::render::{self, PlotFrame, Style};
use crate::scene::{self, Projection};
use crate::session::Session;
use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The page's handle on the core: one session, the view settings, and where the input view was last drawn
/// (to map pointer positions to data).
#[wasm_bindgen]
pub struct Lab {
    session: Session,
    painter: CanvasPainter,
    input_frame: Option<PlotFrame>,
    /// Points being edited that do not yet make a valid data set (too few per class); shown, not trained on.
    pending: Option<Vec<LabeledPoint>>,
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

fn style(scale: f64, dark: bool) -> Style {
    if dark {
        Style::dark(scale)
    } else {
        Style::light(scale)
    }
}

/// Heatmap cells per side for a network: as fine as fits a forward-pass budget of ~1M multiply-adds, at most
/// 64 (the browser's bilinear scaling makes a 64-cell grid shade smoothly; contours interpolate linearly).
fn grid_side(net: &crate::nn::Network) -> usize {
    let per_point: usize = net.weights.iter().map(|w| w.len()).sum::<usize>().max(1);
    ((1_000_000 / per_point) as f64).sqrt().clamp(24.0, 64.0) as usize
}

#[wasm_bindgen]
impl Lab {
    /// A lab running the `blobs` preset.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Lab, JsError> {
        let config = presets::find("blobs").map(|p| p.config).unwrap_or_default();
        Ok(Lab {
            session: Session::new(config).map_err(js_err)?,
            painter: CanvasPainter::new()?,
            input_frame: None,
            pending: None,
        })
    }

    /// The current configuration as JSON.
    pub fn config(&self) -> String {
        self.session.config().to_json()
    }

    /// Merges a partial JSON config into the current one: settings that need a new run restart it, the others
    /// apply live. Returns whether the run restarted. On any error the previous state is kept and the error's
    /// message says what was wrong.
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&mut self, partial: &str) -> Result<bool, JsError> {
        let config = self.session.config().merged(partial).map_err(js_err)?;
        self.session.set_config(config).map_err(js_err)
    }

    /// Restarts the run with the same configuration.
    pub fn reset(&mut self) -> Result<(), JsError> {
        let mut config = self.session.config().clone();
        // A retrain recorded by the action is part of the run being reset only if the user set it up front.
        if self.session.last_layer_only() && config.train.retrain_last_layer_at == Some(self.session.step()) {
            config.train.retrain_last_layer_at = None;
        }
        self.session = Session::new(config).map_err(js_err)?;
        Ok(())
    }

    /// The presets as JSON: `[{name, title, watch, steps}]`.
    pub fn presets() -> String {
        let list: Vec<serde_json::Value> = presets::all()
            .iter()
            .map(|p| json!({ "name": p.name, "title": p.title, "watch": p.watch, "steps": p.steps }))
            .collect();
        serde_json::Value::Array(list).to_string()
    }

    /// Starts the preset `name`.
    #[wasm_bindgen(js_name = loadPreset)]
    pub fn load_preset(&mut self, name: &str) -> Result<(), JsError> {
        let preset = presets::find(name).ok_or_else(|| JsError::new(&format!("unknown preset '{name}'")))?;
        self.session = Session::new(preset.config).map_err(js_err)?;
        Ok(())
    }

    /// The choices of every enumerated setting and the data sets' defaults, as JSON.
    pub fn options() -> String {
        json!({
            "dataSets": DataSet::ALL.iter().map(|s| json!({ "id": s.id(), "title": s.title(), "defaults": s.defaults() })).collect::<Vec<_>>(),
            "activations": Activation::ALL,
            "optimizers": OptimizerKind::ALL,
            "losses": ["cross_entropy", "mse"],
            "inits": ["he", "xavier", "paper"],
            "svmLosses": ["hinge", "squared_hinge"],
            "multiclass": ["crammer_singer", "one_vs_rest"],
            "limits": { "layers": MAX_LAYERS, "width": MAX_WIDTH, "firstWidth": MAX_FIRST_WIDTH, "samples": MAX_SAMPLES, "classes": MAX_CLASSES },
        })
        .to_string()
    }

    /// Trains for at most `budget_ms` milliseconds and at most `max_steps` steps; returns the steps taken.
    #[wasm_bindgen(js_name = trainFor)]
    pub fn train_for(&mut self, budget_ms: f64, max_steps: u32) -> u32 {
        let start = now_ms();
        let mut done = 0u32;
        let mut chunk = 1u32;
        while done < max_steps && self.session.diverged().is_none() {
            let n = chunk.min(max_steps - done);
            let took = self.session.train(n as u64) as u32;
            done += took;
            if took < n {
                break;
            }
            let elapsed = now_ms() - start;
            if elapsed >= budget_ms {
                break;
            }
            // The clock may be coarsened to 0.1 ms: until a millisecond has passed, only double the chunk;
            // after that, size it from the measured time per step, leaving a margin.
            chunk = if elapsed < 1.0 {
                chunk.saturating_mul(2)
            } else {
                let per_step = elapsed / done as f64;
                ((budget_ms - elapsed) / per_step * 0.8).clamp(1.0, 1e6) as u32
            };
        }
        done
    }

    /// Trains exactly `steps` steps (fewer if training diverges); returns the steps taken.
    pub fn step(&mut self, steps: u32) -> u32 {
        self.session.train(steps as u64) as u32
    }

    /// Freezes the hidden layers, re-initialises the output layer and trains only it from now on.
    #[wasm_bindgen(js_name = retrainLastLayer)]
    pub fn retrain_last_layer(&mut self) {
        self.session.retrain_last_layer();
    }

    /// The latest metrics as JSON (see `session::Metrics`), plus the run's state: `diverged_at`,
    /// `diverged_reason`, `last_layer_only`, `svm_error`, `classes`, `feature_width`.
    pub fn metrics(&mut self) -> String {
        let m = self.session.metrics();
        let mut v = serde_json::to_value(&m).expect("metrics serialise");
        let extra = json!({
            "diverged_at": self.session.diverged().map(|d| d.0),
            "diverged_reason": self.session.diverged().map(|d| d.1.clone()),
            "last_layer_only": self.session.last_layer_only(),
            "svm_error": self.session.fits().error,
            "classes": self.session.split().train.classes,
            "feature_width": self.session.network().feature_width(),
            "train_points": self.session.split().train.len(),
            "test_points": self.session.split().test.len(),
        });
        v.as_object_mut().expect("an object").extend(extra.as_object().expect("an object").clone());
        v.to_string()
    }

    /// The recorded history as JSON.
    pub fn history(&self) -> String {
        serde_json::to_string(self.session.history()).expect("metrics serialise")
    }

    /// The whole run as JSON (config, history, weights, hidden features, labels, SVM solutions).
    #[wasm_bindgen(js_name = exportRun)]
    pub fn export_run(&mut self) -> String {
        serde_json::to_string(&run_json(&mut self.session)).expect("JSON serialises")
    }

    /// All current points as CSV (`x,y,label`).
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&self) -> String {
        csv_io::write_points(&data::points_of(self.session.split()))
    }

    /// Replaces the data with the points of a CSV file (`x,y,label`). A bad file changes nothing; the error
    /// names the line.
    #[wasm_bindgen(js_name = importCsv)]
    pub fn import_csv(&mut self, text: &str) -> Result<usize, JsError> {
        let points = csv_io::parse_points(text).map_err(js_err)?;
        let n = points.len();
        self.set_points(points)?;
        Ok(n)
    }

    fn set_points(&mut self, points: Vec<LabeledPoint>) -> Result<(), JsError> {
        let mut config = self.session.config().clone();
        config.data.set = DataSet::Custom;
        config.data.points = points;
        self.session.set_config(config).map_err(js_err)?;
        Ok(())
    }

    /// Adds a point of class `label` at canvas pixel (x, y) of the input view. Returns false if the pixel is
    /// outside the plot. Turns the data into "your own points" (keeping the current ones).
    #[wasm_bindgen(js_name = addPointAt)]
    pub fn add_point_at(&mut self, x: f64, y: f64, label: usize) -> Result<bool, JsError> {
        let Some(p) = self.input_frame.and_then(|f| f.to_data(x, y)) else {
            return Ok(false);
        };
        if label >= MAX_CLASSES {
            return Err(JsError::new(&format!("class {label} is not in 0..{}", MAX_CLASSES - 1)));
        }
        let mut points = self.current_points();
        points.push(LabeledPoint(p[0], p[1], label));
        self.set_points_lenient(points)
    }

    /// Removes the point nearest to canvas pixel (x, y) of the input view, if one is within `radius` pixels.
    #[wasm_bindgen(js_name = removePointAt)]
    pub fn remove_point_at(&mut self, x: f64, y: f64, radius: f64) -> Result<bool, JsError> {
        let Some(frame) = self.input_frame else { return Ok(false) };
        let Some(p) = frame.to_data(x, y) else { return Ok(false) };
        let mut points = self.current_points();
        let reach = radius / frame.scale();
        let nearest = points
            .iter()
            .enumerate()
            .map(|(i, q)| (i, (q.0 - p[0]).hypot(q.1 - p[1])))
            .filter(|&(_, d)| d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match nearest {
            Some((i, _)) => {
                points.remove(i);
                self.set_points_lenient(points)
            }
            None => Ok(false),
        }
    }

    /// Removes every point; the run waits until the new points make a valid data set.
    #[wasm_bindgen(js_name = clearPoints)]
    pub fn clear_points(&mut self) -> Result<(), JsError> {
        self.pending = Some(Vec::new());
        Ok(())
    }

    /// Why the edited points cannot be trained on yet (empty when they can, or when nothing is being edited).
    #[wasm_bindgen(js_name = editMessage)]
    pub fn edit_message(&self) -> String {
        match &self.pending {
            Some(points) => data::validate_points(points).err().map(|e| e.to_string()).unwrap_or_default(),
            None => String::new(),
        }
    }

    fn current_points(&self) -> Vec<LabeledPoint> {
        self.pending.clone().unwrap_or_else(|| data::points_of(self.session.split()))
    }

    /// Applies edited points if they make a valid data set, else keeps them pending (the run is untouched).
    fn set_points_lenient(&mut self, points: Vec<LabeledPoint>) -> Result<bool, JsError> {
        if data::validate_points(&points).is_ok() {
            self.pending = None;
            self.set_points(points)?;
        } else {
            self.pending = Some(points);
        }
        Ok(true)
    }

    /// Draws the input space on `canvas` (whose pixel size the caller set to its CSS size × `scale`). `fast`
    /// halves the heatmap's resolution (while training, to keep frames short).
    #[wasm_bindgen(js_name = drawInput)]
    pub fn draw_input(
        &mut self,
        canvas: HtmlCanvasElement,
        scale: f64,
        dark: bool,
        show_test: bool,
        fast: bool,
    ) -> Result<(), JsError> {
        let view = match &self.pending {
            Some(points) => {
                let mut d =
                    data::Dataset { classes: points.iter().map(|p| p.2 + 1).max().unwrap_or(1), ..Default::default() };
                d.points = points.iter().map(|p| [p.0, p.1]).collect();
                d.labels = points.iter().map(|p| p.2).collect();
                let split = Split { train: d, test: data::Dataset::default() };
                let mut v = scene::data_view(&split, false);
                // Keep the frame still while editing, so points land where they are clicked.
                if let Some(f) = self.input_frame {
                    v.bounds = f.bounds;
                }
                v.note = Some(self.edit_message());
                v
            }
            None => {
                let side = grid_side(self.session.network());
                scene::input_view(&self.session, if fast { (side / 2).max(24) } else { side }, show_test)
            }
        };
        let painter = &mut self.painter;
        let frame = draw_on(canvas, scale, dark, |root, st, ctx| {
            painter.target = Some(ctx.clone());
            render::draw_plane(root, &view, st, painter)
        })?;
        self.input_frame = Some(frame);
        Ok(())
    }

    /// Draws the feature space (`projection`: "svm_network" or "pca" for widths above 2); `fast` as for the
    /// input space.
    #[wasm_bindgen(js_name = drawFeatures)]
    pub fn draw_features(
        &mut self,
        canvas: HtmlCanvasElement,
        scale: f64,
        dark: bool,
        show_test: bool,
        projection: &str,
        fast: bool,
    ) -> Result<(), JsError> {
        let projection = if projection == "pca" { Projection::Pca } else { Projection::SvmNetwork };
        self.session.metrics(); // refits the SVMs if they are older than the network
        let view = scene::feature_view(&self.session, projection, if fast { 32 } else { 48 }, show_test);
        let painter = &mut self.painter;
        draw_on(canvas, scale, dark, |root, st, ctx| {
            painter.target = Some(ctx.clone());
            render::draw_plane(root, &view, st, painter).map(|_| ())
        })
    }

    /// Draws the convergence charts (the recorded history plus the current point).
    #[wasm_bindgen(js_name = drawCharts)]
    pub fn draw_charts(&mut self, canvas: HtmlCanvasElement, scale: f64, dark: bool) -> Result<(), JsError> {
        let latest = self.session.metrics();
        let mut history = self.session.history().to_vec();
        if history.last().is_none_or(|m| m.step != latest.step) {
            history.push(latest);
        }
        let view = scene::charts(&history);
        draw_on(canvas, scale, dark, |root, st, _| render::draw_charts(root, &view, st))
    }
}

/// Runs a drawing function on a canvas through [`FastCanvas`], converting errors once.
fn draw_on<T, E: std::fmt::Debug>(
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
/// Paints heatmaps through the browser: the small cell image goes into a scratch canvas and is scaled into the
/// plot with one smoothed `drawImage`; disagreement is a stripe pattern composited into the scaled mask.
struct CanvasPainter {
    target: Option<CanvasRenderingContext2d>,
    cells: HtmlCanvasElement,
    mask: HtmlCanvasElement,
    scaled: HtmlCanvasElement,
    stripes: HtmlCanvasElement,
    stripe_key: (u32, (u8, u8, u8)),
}

fn scratch_canvas() -> Result<HtmlCanvasElement, JsError> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| JsError::new("no document"))?;
    document
        .create_element("canvas")
        .map_err(|_| JsError::new("cannot create a canvas"))?
        .dyn_into::<HtmlCanvasElement>()
        .map_err(|_| JsError::new("not a canvas"))
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
    fn new() -> Result<CanvasPainter, JsError> {
        Ok(CanvasPainter {
            target: None,
            cells: scratch_canvas()?,
            mask: scratch_canvas()?,
            scaled: scratch_canvas()?,
            stripes: scratch_canvas()?,
            stripe_key: (0, (0, 0, 0)),
        })
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
            let ink = hatch.ink;
            Self::put(
                &self.mask,
                nx,
                ny,
                &flipped_rgba(nx, ny, |i| if hatch.mask[i] { [ink.0, ink.1, ink.2, 255] } else { [0, 0, 0, 0] }),
            )?;
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
            if self.scaled.width() != w || self.scaled.height() != h {
                self.scaled.set_width(w);
                self.scaled.set_height(h);
            }
            let t = context_of(&self.scaled)?;
            t.set_global_composite_operation("source-over")?;
            t.clear_rect(0.0, 0.0, w as f64, h as f64);
            t.set_image_smoothing_enabled(false);
            t.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                &self.mask, 0.0, 0.0, nx as f64, ny as f64, 0.0, 0.0, w as f64, h as f64,
            )?;
            t.set_global_composite_operation("source-in")?;
            let pattern = t
                .create_pattern_with_html_canvas_element(&self.stripes, "repeat")?
                .ok_or_else(|| JsValue::from_str("no pattern"))?;
            t.set_fill_style_canvas_pattern(&pattern);
            t.fill_rect(0.0, 0.0, w as f64, h as f64);
            ctx.set_global_alpha(0.67);
            ctx.draw_image_with_html_canvas_element(&self.scaled, x as f64, y as f64)?;
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

/// Training without the session around it, for the throughput benchmark (`bench/train.mjs`): the paper's
/// blobs (n = 500), a network `2 → hidden → 2` with one activation, softmax cross-entropy, plain SGD.
#[wasm_bindgen]
pub struct BenchTrainer {
    trainer: crate::nn::Trainer,
}

#[wasm_bindgen]
impl BenchTrainer {
    /// `hidden`: widths as JSON (e.g. "[8, 8, 2]"); `activation`: e.g. "relu".
    #[wasm_bindgen(constructor)]
    pub fn new(hidden: &str, activation: &str, batch: usize, learning_rate: f64) -> Result<BenchTrainer, JsError> {
        let hidden: Vec<usize> = serde_json::from_str(hidden).map_err(js_err)?;
        let activation: Activation = serde_json::from_value(json!(activation)).map_err(js_err)?;
        Ok(BenchTrainer { trainer: crate::nn::trainer::bench_trainer(&hidden, activation, batch, learning_rate) })
    }

    /// Runs `steps` steps; returns the last batch loss.
    pub fn run(&mut self, steps: u32) -> f64 {
        let mut last = f64::NAN;
        for _ in 0..steps {
            last = self.trainer.step(0).map(|l| l.value).unwrap_or(f64::NAN);
        }
        last
    }
}

/// Multiplies two n × n matrices `reps` times with the same kernel training uses (the FLOP-rate reference of
/// the throughput benchmark); returns a checksum so the work cannot be optimised away.
#[wasm_bindgen(js_name = benchMatmul)]
pub fn bench_matmul(n: usize, reps: u32) -> f64 {
    crate::nn::trainer::matmul_reference(n, reps)
}

/// Fits an SVM to `x` (n × d, row-major) and labels `y`, for the solver benchmark (`bench/svm_wasm.mjs`).
/// `formulation` as on the command line. Returns the certificates as JSON; the caller times the call.
#[wasm_bindgen(js_name = benchSvmFit)]
pub fn bench_svm_fit(x: &[f64], y: &[u32], d: usize, formulation: &str, c: f64, tol: f64) -> Result<String, JsError> {
    let n = y.len();
    let features = ndarray::ArrayView2::from_shape((n, d), x).map_err(js_err)?;
    let labels: Vec<usize> = y.iter().map(|&l| l as usize).collect();
    let classes = labels.iter().max().map_or(0, |m| m + 1);
    let mut params = crate::svm::SvmParams { c, ..crate::svm::SvmParams::default() }
        .with_formulation(formulation)
        .map_err(js_err)?;
    params.solver.tol = tol;
    let model = params.fit(features, &labels, classes, None).map_err(js_err)?;
    Ok(crate::export::svm_json(&model).to_string())
}

/// The page's situation for the solver benchmark: a session on 500 blob points whose SVM is refitted,
/// warm-started, after each single training step.
#[wasm_bindgen]
pub struct BenchRefit {
    session: Session,
}

#[wasm_bindgen]
impl BenchRefit {
    /// A blobs run (500 training points, the page's default network) trained for 300 steps.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<BenchRefit, JsError> {
        let mut config = presets::find("blobs").map(|p| p.config).unwrap_or_default();
        config.data.samples = 500;
        config.data.test_fraction = 0.0;
        config.svm.refit_every = 1_000_000;
        let mut session = Session::new(config).map_err(js_err)?;
        session.train(300);
        Ok(BenchRefit { session })
    }

    /// One training step without a refit.
    #[wasm_bindgen(js_name = trainStep)]
    pub fn train_step(&mut self) {
        self.session.train(1);
    }

    /// Refits both SVMs on the current features, warm-started; returns the regularised fit's epochs.
    pub fn refit(&mut self) -> usize {
        self.session.refit();
        self.session.fits().regularised.as_ref().map_or(0, |m| m.stats.epochs)
    }
}
