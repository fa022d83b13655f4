//! The wasm boundary: the only module that names wasm-bindgen, web-sys or plotters-canvas.
//!
//! Two small handles cross it. [`driver::DriverHandle`] (`Driver` in JavaScript) owns the engine: the
//! page's host runs it in a Web Worker (or, where no worker can start, in slices on the main thread), hands
//! it requests as JSON and sends its snapshots as bytes. [`page::PageHandle`] (`Page`) lives on the main
//! thread, applies those snapshots and draws the views on canvases. Big data stays in wasm memory on each
//! side; numbers, strings and byte arrays cross. Errors cross as `Error` objects with the core's message; a
//! panic hook reports the impossible. [`options`] tells the page every choice, range, limit and text the
//! core owns, [`start`] reads a link, and [`host_call`] checks an embedding page's call, so the shell
//! hard-codes none of them.

pub mod canvas;
pub mod driver;
pub mod page;

#[cfg(feature = "bench")]
pub mod bench;

use crate::config::{ranges, Arm, MAX_FIRST_WIDTH, MAX_LAYERS, MAX_WIDTH};
use crate::data::{Source, MAX_CLASSES, MAX_GENERATED_CLASSES, MAX_SAMPLES};
use crate::nn::{Activation, Init, LossKind, OptimizerKind, Padding, PoolMode};
use crate::request::HostCall;
use crate::svm::{Loss, Multiclass};
use crate::{lesson, presets};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn install_panic_hook() {
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
            "generated": s.is_generated(),
        })).collect::<Vec<_>>(),
        "activations": choices(&Activation::ALL, Activation::title),
        "inits": choices(&Init::ALL, Init::title),
        "losses": choices(&LossKind::ALL, LossKind::title),
        "optimizers": choices(&OptimizerKind::ALL, OptimizerKind::title),
        "svmLosses": choices(&Loss::ALL, Loss::title),
        "multiclass": choices(&Multiclass::ALL, Multiclass::title),
        "arms": choices(&Arm::ALL, Arm::title),
        "ranges": ranges(),
        "limits": {
            "layers": MAX_LAYERS, "width": MAX_WIDTH, "firstWidth": MAX_FIRST_WIDTH, "samples": MAX_SAMPLES,
            "classes": MAX_CLASSES, "editClasses": MAX_GENERATED_CLASSES, "channels": crate::nn::layer::MAX_CHANNELS,
        },
        "conv": {
            "kernels": (1..=crate::nn::layer::MAX_KERNEL).collect::<Vec<_>>(),
            "strides": [1, 2],
            "paddings": choices(&[Padding::Same, Padding::Valid], Padding::name),
            "pools": choices(&[PoolMode::Max, PoolMode::Avg], PoolMode::name),
        },
        "presets": presets::all().iter().map(|p| json!({
            "name": p.name, "title": p.title, "watch": p.watch, "steps": p.steps,
            "table": p.config.data.table_name(),
        })).collect::<Vec<_>>(),
        "lesson": lesson::steps(),
        "texts": texts(),
    })
    .to_string()
}

/// The shell's own words (everything else it shows comes with the data it shows).
fn texts() -> Value {
    json!({
        "engineWorker": "training in a background thread (a Web Worker): the page stays smooth",
        "lessonMore": "Read ▾",
        "lessonLess": "Less ▴",
        "angleChartAlone": "The angle between the last layer and the SVM over training steps (logarithmic), each line's newest value written at its end",
        "chartsAll": "Convergence charts: angle, loss, margins and offsets, accuracy over training steps",
        "notes": "{n} notes (tap to read): ",
        "ownRun": "— a run of your own —",
        "ownPoints": "Your point makes these points your own data (“custom” in the Data panel): the run starts again on them from step 0. Choose the class a tap adds on the view's corner.",
        "dropWhat": "Drop a network's files (.npz, .npy, safetensors: see Data → Your own network) or one CSV of points.",
        "engineMain": "training on the page itself, between frames (no background thread could start here)",
        "couldNotStart": "Last Layer Lab could not start: ",
        "drawingFailed": "Drawing failed: ",
        "copied": "Copied.",
        "copyByHand": "Press Ctrl+C (⌘C) to copy the selected text.",
        "play": "▶ Play",
        "pause": "❚❚ Pause",
        "next": "Next →",
        "finish": "Finish",
        "lessonCount": "Step {n} of {total}",
        "notANumber": "{name}: {why}",
        "invalidNumber": "not a valid number",
        "noAnswer": "the engine did not answer in time; it may be overloaded — try again, or reload the page",
        "silent": "it stopped answering",
        "engineStopped": "The engine stopped: ",
        "restoring": ". A new one is starting and the run will be restored; until then the page shows its last state.",
        "restored": "The engine was restarted and the run restored to step {step}.",
        "restoreFailed": "The engine was restarted, but the run could not be restored: ",
        "nothingYet": "This view has nothing to show yet.",
        "record": "● Record",
        "stopRecording": "■ Stop",
        "recordingSaved": "Saved the recording: ",
        "recordAs": "Record the input and feature views while the run plays, and save a {format} video",
        "emptyRecording": "This browser recorded nothing: its video encoder gave an empty file, so none was saved.",
        "noRecorder": "Recording needs the browser's MediaRecorder, which is missing here.",
        "runComplete": "The run is complete: both phases of the class-incremental run are over, so Play has nothing left to train. Reset runs it again; a new setting starts a new run.",
    })
}

/// Reads a link's query parameters (a JSON object of decoded name → value) into the page's start plan
/// (see [`crate::link::start`]), as JSON.
#[wasm_bindgen(js_name = startPlan)]
pub fn start_plan(params: &str) -> String {
    let params: BTreeMap<String, String> = serde_json::from_str(params).unwrap_or_default();
    serde_json::to_string(&crate::link::start(&params)).expect("a plan serialises")
}

/// Checks a call from the page that embeds the lab (`call` and `args` as JSON): `{ok: true, call, args}`
/// with the `window.lab` member to call, or `{ok: false, error}`.
#[wasm_bindgen(js_name = hostCall)]
pub fn host_call(call: &str, args: &str) -> String {
    let value = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    let names: Vec<&str> = presets::all().iter().map(|p| p.name).collect();
    match HostCall::parse(&value(call), &value(args), &names) {
        Ok(c) => {
            let mut v = serde_json::to_value(c).expect("calls serialise");
            v["ok"] = json!(true);
            v.to_string()
        }
        Err(error) => json!({ "ok": false, "error": error }).to_string(),
    }
}
