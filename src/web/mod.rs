//! The wasm boundary: the only module that names wasm-bindgen, web-sys or plotters-canvas.
//!
//! Two small handles cross it. [`engine::LabEngine`] owns a run and its schedule; the page runs it in a Web
//! Worker (or, where no worker can start, in slices on the main thread) and asks it for snapshots as bytes.
//! [`view::LabView`] lives on the main thread, applies those snapshots and draws the views on canvases. Big
//! data stays in wasm memory on each side; numbers, strings and byte arrays cross. Errors cross as `Error`
//! objects with the core's message; a panic hook reports the impossible. [`options`] tells the page every
//! choice and range the core accepts, so the shell never hard-codes one.

pub mod canvas;
pub mod engine;
pub mod view;

#[cfg(feature = "bench")]
pub mod bench;

use crate::config::{ranges, MAX_FIRST_WIDTH, MAX_LAYERS, MAX_WIDTH};
use crate::data::{Source, MAX_CLASSES, MAX_GENERATED_CLASSES, MAX_SAMPLES};
use crate::nn::{Activation, Init, LossKind, OptimizerKind};
use crate::svm::{Loss, Multiclass};
use crate::{lesson, presets};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Converts any error into a JavaScript `Error` with its message.
pub(crate) fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Milliseconds from the page's (or worker's) clock.
pub(crate) fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

use wasm_bindgen::JsCast;

fn choices<T: serde::Serialize + Copy>(all: &[T], title: impl Fn(T) -> &'static str) -> Vec<Value> {
    all.iter().map(|&v| json!({ "id": v, "title": title(v) })).collect()
}

/// `v` written as everywhere else on the page (three significant digits, powers of ten typeset).
#[wasm_bindgen(js_name = formatNumber)]
pub fn format_number(v: f64) -> String {
    crate::format::number(v, 3)
}

/// Every choice and range the page offers, as JSON: data sources (with the knobs each uses and its
/// defaults), activations, initialisations, losses, optimisers, SVM losses and multi-class schemes (each
/// `{id, title}`), the numeric ranges of every setting, the size limits, the presets and the lesson.
#[wasm_bindgen]
pub fn options() -> String {
    json!({
        "sources": Source::ALL.iter().map(|s| json!({
            "id": s.id(), "title": s.title(), "knobs": s.knobs(), "defaults": s.defaults(),
            "generated": s.is_generated(), "editable": matches!(s, Source::Custom) || s.is_generated(),
        })).collect::<Vec<_>>(),
        "activations": choices(&Activation::ALL, Activation::title),
        "inits": choices(&Init::ALL, Init::title),
        "losses": choices(&LossKind::ALL, LossKind::title),
        "optimizers": choices(&OptimizerKind::ALL, OptimizerKind::title),
        "svmLosses": choices(&Loss::ALL, Loss::title),
        "multiclass": choices(&Multiclass::ALL, Multiclass::title),
        "ranges": ranges(),
        "limits": {
            "layers": MAX_LAYERS, "width": MAX_WIDTH, "firstWidth": MAX_FIRST_WIDTH, "samples": MAX_SAMPLES,
            "classes": MAX_CLASSES, "editClasses": MAX_GENERATED_CLASSES,
        },
        "presets": presets::all().iter().map(|p| json!({
            "name": p.name, "title": p.title, "watch": p.watch, "steps": p.steps,
            "table": p.config.data.table_name(),
        })).collect::<Vec<_>>(),
        "lesson": lesson::steps(),
    })
    .to_string()
}
