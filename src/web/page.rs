//! The page's handle: the page's copy of the run ([`PageState`], made of the engine's snapshots) and the
//! drawing of every view on canvases. It also turns a pointer on the input view into a point-editing request.

use super::canvas::{draw_on, draw_plane_on, CanvasPainter};
use crate::page::PageState;
use crate::render::figures::{file_name, Figure, Seen};
use crate::render::{self, PlotFrame};
use crate::request::Request;
use crate::scene;
use crate::snapshot::{FeatureProjection, InputProjection, Snapshot};
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Forward-pass multiply-adds the input view's heatmap may cost per drawing.
const HEATMAP_BUDGET: f64 = 2.5e6;
/// How far from the pointer (CSS pixels) a point is removed.
const ERASE_REACH_PX: f64 = 14.0;

/// A plot's frame as JSON: `{px, py}` in canvas pixels and `{x, y}` its data rectangle ("null" when none).
fn plot_json(frame: Option<PlotFrame>) -> String {
    frame.map_or_else(
        || "null".into(),
        |f| {
            serde_json::json!({
                "px": [f.px.0, f.px.1], "py": [f.py.0, f.py.1],
                "x": [f.bounds.x.0, f.bounds.x.1], "y": [f.bounds.y.0, f.bounds.y.1],
            })
            .to_string()
        },
    )
}

/// What the page shows.
#[wasm_bindgen(js_name = Page)]
pub struct PageHandle {
    state: PageState,
    /// While a restarted engine is restored: the run it sends, built aside until the restore is over (the page
    /// shows `state`, the last one it had, meanwhile).
    pending: Option<PageState>,
    painter: CanvasPainter,
    input_frame: Option<PlotFrame>,
    feature_frame: Option<PlotFrame>,
}

#[wasm_bindgen(js_class = Page)]
impl PageHandle {
    /// An empty page (it shows nothing until the first snapshot).
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<PageHandle, JsError> {
        Ok(PageHandle {
            state: PageState::default(),
            pending: None,
            painter: CanvasPainter::new()?,
            input_frame: None,
            feature_frame: None,
        })
    }

    /// Applies a snapshot from the driver. Returns whether a new run began. While restoring, the snapshot goes
    /// to the run built aside, and nothing the page shows changes (false).
    pub fn apply(&mut self, bytes: &[u8]) -> Result<bool, JsError> {
        let snapshot =
            Snapshot::decode(bytes).map_err(|e| JsError::new(&format!("a snapshot could not be read: {e}")))?;
        if let Some(pending) = &mut self.pending {
            pending.apply(snapshot);
            return Ok(false);
        }
        let new_run = snapshot.run != self.state.run;
        self.state.apply(snapshot);
        Ok(new_run)
    }

    /// A number that changes whenever a snapshot changed what the views draw (see [`PageState::revision`]).
    pub fn revision(&self) -> f64 {
        self.state.revision as f64
    }

    /// Tells the page whether the engine runs on its main thread (no worker could start).
    #[wasm_bindgen(js_name = setMainThread)]
    pub fn set_main_thread(&mut self, on: bool) {
        self.state.on_main_thread = on;
        if let Some(pending) = &mut self.pending {
            pending.on_main_thread = on;
        }
    }

    /// The engine was lost and a new one is being restored: until [`Self::end_restore`], the page keeps showing
    /// (and reporting, flagged `restoring`) the last state it had, and the new engine's snapshots — a fresh run,
    /// then the replay's steps — build the restored run aside. Beginning again forgets what was built aside.
    #[wasm_bindgen(js_name = beginRestore)]
    pub fn begin_restore(&mut self) {
        self.pending = Some(PageState { on_main_thread: self.state.on_main_thread, ..PageState::default() });
    }

    /// The restore is over (done, or failed): the page shows the new engine's run from now on.
    #[wasm_bindgen(js_name = endRestore)]
    pub fn end_restore(&mut self) {
        if let Some(pending) = self.pending.take() {
            self.state = pending;
            self.input_frame = None;
            self.feature_frame = None;
        }
    }

    /// Milliseconds of the longest piece of work the run's engine does without a pause, at the rate assumed for
    /// a modest laptop (a training step, or a piece of a measurement): how long it may rightly stay silent.
    #[wasm_bindgen(js_name = longestWorkMs)]
    pub fn longest_work_ms(&self) -> f64 {
        self.state.cost.unit_ms()
    }

    /// Whether a new engine is being restored (see [`Self::begin_restore`]).
    pub fn restoring(&self) -> bool {
        self.pending.is_some()
    }

    /// Steps taken.
    pub fn step(&self) -> f64 {
        self.state.step as f64
    }

    /// Whether training is on.
    pub fn playing(&self) -> bool {
        self.state.playing
    }

    /// What the shell's controls need to know of the run, as JSON: `{preset}` (the preset the run is exactly,
    /// or null), `input_width` (0 before any data), `feature_names`, `has_gallery` (image data: the gallery
    /// can be drawn), `has_experiment` (adversarial examples or a class-incremental run: the experiment view
    /// is shown), `edit_classes` (how many classes the point editor offers) and `layers` (the network editor's
    /// rows: see [`crate::page::PageState::layer_rows`]).
    pub fn info(&self) -> String {
        let data = self.state.data.as_ref();
        serde_json::json!({
            "preset": self.state.preset(),
            "layers": self.state.layer_rows(),
            "input_width": data.map_or(0, |d| d.train.ncols()),
            "feature_names": data.map(|d| d.info.feature_names.clone()).unwrap_or_default(),
            "has_gallery": data.is_some_and(|d| d.info.image.is_some()),
            "has_experiment": self.state.config.as_ref().is_some_and(|c| c.attack.on || c.forgetting.on),
            "edit_classes": self.state.edit_classes(),
        })
        .to_string()
    }

    /// How many classes the point editor offers now (`info().edit_classes`, cheap enough for every
    /// snapshot: a class-incremental run shows its new classes mid-run).
    #[wasm_bindgen(js_name = editClasses)]
    pub fn edit_classes(&self) -> usize {
        self.state.edit_classes()
    }

    /// Where a view's plot ("input" or "feature") was last drawn: `{px: [left, right], py: [top, bottom]}` in
    /// canvas pixels and the data rectangle it shows, `{x: [x0, x1], y: [y0, y1]}` ("null" before it is
    /// drawn) — for overlays, and for tests that check a line is drawn where the model puts it.
    pub fn plot(&self, view: &str) -> String {
        plot_json(if view == "feature" { self.feature_frame } else { self.input_frame })
    }

    /// The configuration as JSON ("null" before the first snapshot).
    pub fn config(&self) -> String {
        self.state.config.as_ref().map_or_else(|| "null".into(), |c| c.to_json())
    }

    /// The query of a link that reproduces this run: `[[name, value], …]` as JSON (values not yet encoded).
    #[wasm_bindgen(js_name = shareQuery)]
    pub fn share_query(&self) -> String {
        let query = self.state.config.as_ref().map(crate::link::share_query).unwrap_or_default();
        serde_json::to_string(&query).expect("strings serialise")
    }

    /// The metrics as `lab.metrics()` reports them (JSON), with `restoring`: whether they are the last state
    /// of a lost engine while a new one is restored.
    pub fn metrics(&self) -> String {
        let mut metrics = self.state.metrics_json();
        metrics["restoring"] = self.pending.is_some().into();
        metrics.to_string()
    }

    /// The readout's numbers, typeset: `[{key, name, value, help}]` (JSON).
    pub fn readout(&self) -> String {
        serde_json::to_string(&self.state.readout()).expect("readout serialises")
    }

    /// The banners: `[{kind, text, action?: {label, request}}]` (JSON).
    pub fn banners(&self) -> String {
        serde_json::to_string(&self.state.banners()).expect("banners serialise")
    }

    /// The gallery's examples (image data, once measured): `{step, support: [...], hardest: [...], extra}`,
    /// each `{index, label, net, svm, weight}` with class names, and `extra` the adversarial examples' and a
    /// class-incremental run's memory's rows (`{title, tiles: [{index, caption}]}`) — what the gallery draws,
    /// as data.
    pub fn gallery(&self) -> String {
        let Some(g) = scene::gallery::build(&self.state) else { return "null".into() };
        let tiles = |t: &[scene::gallery::Tile]| -> Vec<serde_json::Value> {
            t.iter()
                .map(|t| serde_json::json!({ "label": t.label, "net": t.net, "svm": t.svm, "weight": t.weight, "index": t.index }))
                .collect()
        };
        let extra: Vec<serde_json::Value> = g
            .extra
            .iter()
            .map(|(title, t)| {
                let tiles: Vec<serde_json::Value> =
                    t.iter().map(|t| serde_json::json!({ "index": t.index, "caption": t.caption })).collect();
                serde_json::json!({ "title": title, "tiles": tiles })
            })
            .collect();
        serde_json::json!({ "step": g.step, "support": tiles(&g.support), "hardest": tiles(&g.hardest), "extra": extra })
            .to_string()
    }

    /// Draws the input space on `canvas` (whose pixel size the caller set to its CSS size × `scale`);
    /// `projection` is "pca" or "features:I,J" for inputs wider than 2; `fast` halves the heatmap's cells
    /// (while training).
    #[wasm_bindgen(js_name = drawInput)]
    pub fn draw_input(
        &mut self,
        canvas: HtmlCanvasElement,
        scale: f64,
        dark: bool,
        show_test: bool,
        projection: &str,
        fast: bool,
    ) -> Result<(), JsError> {
        let side = self.state.measurement.as_ref().map_or(8, |m| scene::input::grid_side(&m.network, HEATMAP_BUDGET));
        let side = if fast { (side / 2).max(8) } else { side };
        // While points are being edited, hold the frame still so that they land where they are clicked.
        let editing = self.state.data.as_ref().is_some_and(|d| d.pending.is_some());
        let keep = if editing { self.input_frame.map(|f| f.bounds) } else { None };
        let Some(view) = scene::input::build(&self.state, InputProjection::parse(projection), side, show_test, keep)
        else {
            return Ok(());
        };
        self.input_frame = Some(draw_plane_on(canvas, scale, dark, &mut self.painter, &view)?);
        Ok(())
    }

    /// Draws the feature space (`projection`: "svm_network" or "pca" for widths above 2).
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
        let projection = if projection == "pca" { FeatureProjection::Pca } else { FeatureProjection::SvmNetwork };
        let Some(view) = scene::feature::build(&self.state, projection, if fast { 32 } else { 48 }, show_test) else {
            return draw_on(canvas, scale, dark, |root, st, _| root.fill(&st.background));
        };
        self.feature_frame = Some(draw_plane_on(canvas, scale, dark, &mut self.painter, &view)?);
        Ok(())
    }

    /// Draws the convergence charts (the history plus the newest measurement): all four, or with
    /// `angle_alone` the angle chart by itself with its newest values written at the lines' ends.
    #[wasm_bindgen(js_name = drawCharts)]
    pub fn draw_charts(
        &mut self,
        canvas: HtmlCanvasElement,
        scale: f64,
        dark: bool,
        angle_alone: bool,
    ) -> Result<(), JsError> {
        let history = self.state.history_with_latest();
        let view = if angle_alone { scene::charts::angle_alone(&history) } else { scene::charts::build(&history) };
        draw_on(canvas, scale, dark, |root, st, _| render::draw_charts(root, &view, st))
    }

    /// Draws the theory beside the measurement (see [`crate::scene::theory`]), its panels two abreast or, with
    /// `one_column` (a narrow screen), one under another; returns how many panels it drew.
    #[wasm_bindgen(js_name = drawTheory)]
    pub fn draw_theory(
        &mut self,
        canvas: HtmlCanvasElement,
        scale: f64,
        dark: bool,
        one_column: bool,
    ) -> Result<u32, JsError> {
        let history = self.state.history_with_latest();
        let view = scene::theory::build(&history, &crate::theory::summary(&history));
        draw_panels(canvas, scale, dark, view, one_column)
    }

    /// Draws the experiment charts (a class-incremental run's arms, adversarial distances), in one column with
    /// `one_column`, or only the first (the old classes' accuracy; the adversarial distance) with `first_alone`
    /// — a narrow frame, where four panels would be unreadable; returns how many panels it drew (0, drawing
    /// nothing, when neither experiment is on).
    #[wasm_bindgen(js_name = drawExperiment)]
    pub fn draw_experiment(
        &mut self,
        canvas: HtmlCanvasElement,
        scale: f64,
        dark: bool,
        one_column: bool,
        first_alone: bool,
    ) -> Result<u32, JsError> {
        let Some(mut view) = scene::experiment::build(&self.state) else { return Ok(0) };
        if first_alone {
            view.panels.truncate(1);
            view.columns = 1;
        }
        draw_panels(canvas, scale, dark, view, one_column)
    }

    /// The network's file shown instead of a run (see `lastlayer check`): its report as JSON text — the
    /// final numbers under run.json's keys, the history, the regime and the notes — or "null".
    pub fn checked(&self) -> String {
        self.state.checked.as_ref().map_or_else(|| "null".to_string(), |c| c.report.clone())
    }

    /// The experiments as data (`lab.experiments()`): `{forgetting, forgetting_error, finished, adversarial}`
    /// — a class-incremental run's arms (their memories and records; null before its second phase or in any
    /// other run) and the newest adversarial search's points (step, and per point its set, index,
    /// classes and distances; null when off).
    pub fn experiments(&self) -> String {
        let adversarial = self.state.attacks().filter(|(_, points)| !points.is_empty()).map(|(m, points)| {
            serde_json::json!({
                "step": m.step,
                "points": points.iter().map(|p| serde_json::json!({
                    "set": if p.test { "test" } else { "train" }, "index": p.index, "from": p.from, "to": p.to,
                    "distance": p.distance, "point": p.point, "svm_to": p.svm_to, "svm_distance": p.svm_distance,
                    "feature_distance": p.feature_distance,
                })).collect::<Vec<_>>(),
            })
        });
        serde_json::json!({
            "forgetting": self.state.forgetting,
            "forgetting_error": self.state.forgetting_error,
            "finished": self.state.finished,
            "adversarial": adversarial,
        })
        .to_string()
    }

    /// A figure as a file (`name`: "input", "feature", "charts", "theory", "experiment", "gallery" or "strip"), seen as the page
    /// shows it (`projection` of wide inputs: "pca" or "features:I,J"; of wide features: "svm_network" or
    /// "pca"): `{file, svg}` as JSON — the SVG carries the run's configuration and link in its metadata, the
    /// file name the preset and step — or "null" when the view has nothing to show yet.
    pub fn figure(&self, name: &str, projection: &str, feature_projection: &str, show_test: bool) -> String {
        let Some(figure) = Figure::from_name(name) else { return "null".into() };
        let seen = Seen {
            input: InputProjection::parse(projection),
            feature: if feature_projection == "pca" { FeatureProjection::Pca } else { FeatureProjection::SvmNetwork },
            test: show_test,
        };
        // Text measured by a canvas (see `render::svg::Measure`).
        let context = self.painter.measuring_context();
        let measure = |text: &str, font: &str| -> f64 {
            context.as_ref().map_or(0.6 * 12.0 * text.chars().count() as f64, |c| {
                c.set_font(font);
                c.measure_text(text).map_or(0.0, |m| m.width())
            })
        };
        match crate::render::figures::svg(&self.state, figure, seen, 64, Some(&measure)) {
            Some(svg) => serde_json::json!({ "file": file_name(&self.state, figure, "svg"), "svg": svg }).to_string(),
            None => "null".into(),
        }
    }

    /// The file name of a figure or recording of this run in format `extension` (e.g. `png`, `webm`): what it
    /// shows, the preset (or "custom") and the step.
    #[wasm_bindgen(js_name = fileName)]
    pub fn file_name(&self, name: &str, extension: &str) -> String {
        match Figure::from_name(name) {
            Some(figure) => file_name(&self.state, figure, extension),
            None => format!(
                "lastlayer-{name}-{}-step{}.{extension}",
                self.state.preset().unwrap_or("custom"),
                self.state.step
            ),
        }
    }

    /// What the history says about the theories (see [`crate::theory::Summary`]), as JSON.
    pub fn theory(&self) -> String {
        serde_json::to_string(&crate::theory::summary(&self.state.history_with_latest())).expect("a summary serialises")
    }

    /// Draws the gallery of support vectors and highest-loss examples; returns false (drawing nothing) when
    /// the data are not images or nothing is measured yet.
    #[wasm_bindgen(js_name = drawGallery)]
    pub fn draw_gallery(&mut self, canvas: HtmlCanvasElement, scale: f64, dark: bool) -> Result<bool, JsError> {
        let Some(view) = scene::gallery::build(&self.state) else { return Ok(false) };
        draw_on(canvas, scale, dark, |root, st, _| render::draw_gallery(root, &view, st))?;
        Ok(true)
    }

    /// The request a press at canvas pixel (x, y) of the input view makes (as it was last drawn, `scale`
    /// canvas pixels per CSS pixel): add a point of class `label`, or remove the nearest when `erase`.
    /// `undefined` outside the plot; an error (with its message) when the inputs are not 2-D.
    #[wasm_bindgen(js_name = pointRequest)]
    pub fn point_request(
        &self,
        x: f64,
        y: f64,
        erase: bool,
        label: usize,
        scale: f64,
    ) -> Result<Option<String>, JsError> {
        let width = self.state.data.as_ref().map_or(0, |d| d.train.ncols());
        if width != 2 && width != 0 {
            return Err(JsError::new(&crate::data::DataError::NotEditable(width).to_string()));
        }
        let Some(frame) = self.input_frame else { return Ok(None) };
        let Some([x, y]) = frame.to_data(x, y) else { return Ok(None) };
        let request = if erase {
            Request::RemovePoint { x, y, reach: ERASE_REACH_PX * scale / frame.scale() }
        } else {
            Request::AddPoint { x, y, label }
        };
        Ok(Some(serde_json::to_string(&request).expect("requests serialise")))
    }
}

/// Draws chart panels two abreast, or with `one_column` one under another; returns how many it drew.
fn draw_panels(
    canvas: HtmlCanvasElement,
    scale: f64,
    dark: bool,
    mut view: scene::ChartsScene,
    one_column: bool,
) -> Result<u32, JsError> {
    if one_column {
        view.columns = 1;
    }
    draw_on(canvas, scale, dark, |root, st, _| render::draw_charts(root, &view, st))?;
    Ok(view.panels.len() as u32)
}
