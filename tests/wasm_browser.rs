//! WebAssembly tests run in headless Chromium by `wasm-bindgen-test-runner` (through Debian's chromedriver,
//! with the flags in `webdriver.json`): the two handles across the wasm boundary — the driver that trains and
//! answers requests, and the page that draws its snapshots on real canvases.
#![cfg(target_arch = "wasm32")]

mod common;

use lastlayer::web::driver::DriverHandle;
use lastlayer::web::page::PageHandle;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn canvas(w: u32, h: u32) -> HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = document.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    document.body().unwrap().append_child(&c).unwrap();
    c
}

fn pixels(c: &HtmlCanvasElement) -> Vec<u8> {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    ctx.get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64).unwrap().data().0
}

fn near(px: &[u8], rgb: [u8; 3], tol: i32) -> usize {
    px.chunks_exact(4).filter(|p| (0..3).all(|i| (p[i] as i32 - rgb[i] as i32).abs() < tol)).count()
}

fn metrics(view: &PageHandle) -> serde_json::Value {
    serde_json::from_str(&view.metrics()).unwrap()
}

/// Sends `request` (JSON) as request 1 and pumps the driver until it is answered; returns the answer.
fn answer(driver: &mut DriverHandle, request: &str) -> serde_json::Value {
    let mut out: Vec<serde_json::Value> = serde_json::from_str(&driver.request(1.0, request)).unwrap();
    while out.is_empty() {
        out = serde_json::from_str(&driver.pump(5.0)).unwrap();
    }
    out.remove(0)
}

/// Drawing the default data set paints both class colours (Okabe–Ito blue and orange) on the canvas.
#[wasm_bindgen_test]
fn draws_both_classes_on_a_canvas() {
    let mut driver = DriverHandle::new(false).unwrap();
    answer(&mut driver, r#""settle""#);
    let mut view = PageHandle::new().unwrap();
    assert!(view.apply(&driver.snapshot()).unwrap(), "the first snapshot starts a run");
    let c = canvas(400, 400);
    view.draw_input(c.clone(), 1.0, false, true, "pca", false).unwrap();
    let px = pixels(&c);
    assert!(near(&px, [0, 114, 178], 30) > 100, "class 0 blue");
    assert!(near(&px, [230, 159, 0], 30) > 100, "class 1 orange");
}

/// Training in the browser through the engine handle gives the native numbers: 300 steps of blobs end at
/// 9.382° (as `lastlayer reproduce --preset blobs --steps 300` and tests/cli.rs measure) and the feature and
/// chart views draw the SVM's colour.
#[wasm_bindgen_test]
fn trains_and_draws_every_view() {
    let mut driver = DriverHandle::new(false).unwrap();
    let mut view = PageHandle::new().unwrap();
    answer(&mut driver, r#""settle""#);
    view.apply(&driver.snapshot()).unwrap();
    let before = metrics(&view)["angle_wb_deg"].as_f64().unwrap();
    assert_eq!(answer(&mut driver, r#"{"step": 300}"#)["reply"]["value"], 300);
    view.apply(&driver.snapshot()).unwrap();
    let after = metrics(&view);
    assert_eq!(after["step"], 300);
    assert_eq!(after["svm_fitted_at_step"], 300);
    let angle = after["angle_wb_deg"].as_f64().unwrap();
    assert!((before - 137.18).abs() < 0.01 && (angle - 9.382).abs() < 0.001, "{before}° → {angle}°");
    for draw in [0, 1] {
        let c = canvas(500, 500);
        if draw == 0 {
            view.draw_features(c.clone(), 1.0, false, true, "svm_network", true).unwrap();
        } else {
            view.draw_charts(c.clone(), 1.0, false).unwrap();
        }
        let svm = pixels(&c)
            .chunks_exact(4)
            .filter(|p| (p[0] as i32 - 213).abs() < 25 && (p[1] as i32 - 94).abs() < 25 && (p[2] as i32) < 40)
            .count();
        assert!(svm > 50, "view {draw}: SVM-coloured pixels {svm}");
    }
}

/// A rejected config leaves the engine as it was.
#[wasm_bindgen_test]
fn bad_config_keeps_previous_state() {
    let mut driver = DriverHandle::new(false).unwrap();
    let mut view = PageHandle::new().unwrap();
    view.apply(&driver.snapshot()).unwrap();
    let before = view.config();
    let reply = answer(&mut driver, r#"{"set_config": {"data": {"samples": 3}}}"#);
    assert_eq!(reply["reply"]["ok"], false);
    view.apply(&driver.snapshot()).unwrap();
    assert_eq!(view.config(), before);
}

/// The engine in the browser measures four presets to the native bits.
#[wasm_bindgen_test]
fn engine_matches_native_in_the_browser() {
    assert_eq!(common::engine_fingerprint(), common::golden_engine_fingerprint());
}
