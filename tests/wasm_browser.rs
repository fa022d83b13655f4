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

/// Training in the browser through the driver gives the native numbers: 300 steps of blobs end at 9.382° (as
/// `lastlayer reproduce --preset blobs --steps 300` and tests/cli.rs measure). The feature view draws the
/// SVM's line where the SVM of run.json puts it: along its zero set w·h + b = 0, sampled at every fourth
/// pixel column of the plot, the SVM's vermillion is found within 3 pixels at 60% of the crossings or more
/// (the line is dashed), and not along a line halfway between it and a margin line, which crosses the plot too;
/// the charts draw the SVM's series.
#[wasm_bindgen_test]
fn trains_and_draws_the_svm_where_it_is() {
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
    let run: serde_json::Value =
        serde_json::from_str(answer(&mut driver, r#""export_run""#)["reply"]["value"].as_str().unwrap()).unwrap();
    let svm = &run["svm"]["regularized_bias"];
    let w: Vec<f64> = serde_json::from_value(svm["w"].clone()).unwrap();
    let b = svm["b"].as_f64().unwrap();
    let c = canvas(500, 500);
    view.draw_features(c.clone(), 1.0, false, true, "svm_network", false).unwrap();
    let plot: serde_json::Value = serde_json::from_str(&view.plot("feature")).unwrap();
    let px = pixels(&c);
    let f = |x: &serde_json::Value, i: usize| x[i].as_f64().unwrap();
    let (px0, px1, py0, py1) = (f(&plot["px"], 0), f(&plot["px"], 1), f(&plot["py"], 0), f(&plot["py"], 1));
    let (x0, x1, y0, y1) = (f(&plot["x"], 0), f(&plot["x"], 1), f(&plot["y"], 0), f(&plot["y"], 1));
    let vermillion = |x: i64, y: i64| -> bool {
        (-3..=3).any(|dy| {
            (-1..=1).any(|dx| {
                let (xx, yy) = (x + dx, y + dy);
                if xx < 0 || yy < 0 || xx >= 500 || yy >= 500 {
                    return false;
                }
                let k = 4 * (yy as usize * 500 + xx as usize);
                (px[k] as i32 - 213).abs() < 40 && (px[k + 1] as i32 - 94).abs() < 40 && (px[k + 2] as i32) < 60
            })
        })
    };
    // Along each pixel column, where does w·h + b (shifted by `offset`) change sign?
    let sample = |offset: f64| -> (usize, usize) {
        let (mut crossings, mut hits) = (0, 0);
        let mut x = px0 + 6.0;
        while x < px1 - 6.0 {
            let h1 = x0 + (x + 0.5 - px0) / (px1 - px0) * (x1 - x0);
            let score = |y: f64| {
                let h2 = y0 + (py1 - y - 0.5) / (py1 - py0) * (y1 - y0);
                w[0] * h1 + w[1] * h2 + b + offset
            };
            let mut y = py0 + 6.0;
            while y < py1 - 6.0 {
                if score(y).signum() != score(y + 1.0).signum() {
                    crossings += 1;
                    hits += usize::from(vermillion(x as i64, y as i64));
                }
                y += 1.0;
            }
            x += 4.0;
        }
        (crossings, hits)
    };
    let (crossings, hits) = sample(0.0);
    assert!(crossings > 20 && hits as f64 >= 0.6 * crossings as f64, "the SVM's line: {hits} of {crossings} crossings");
    // A line halfway between the SVM's line and a margin line (w·h + b = ±1, drawn in the same colour), and so
    // well away from both, crosses the plot and is not drawn.
    let width = |offset: f64| offset.abs() / w.iter().map(|v| v * v).sum::<f64>().sqrt() * (px1 - px0) / (x1 - x0);
    assert!(width(0.5) > 8.0, "the margin is {} px wide: too narrow for the control", width(1.0));
    let (offset, (off_crossings, off_hits)) = [0.5, -0.5]
        .into_iter()
        .map(|o| (o, sample(o)))
        .find(|(_, (crossings, _))| *crossings > 20)
        .expect("a line halfway to a margin crosses the plot");
    assert!(
        (off_hits as f64) < 0.3 * off_crossings as f64,
        "the line shifted by {offset}: {off_hits} of {off_crossings}"
    );
    let charts = canvas(500, 500);
    view.draw_charts(charts.clone(), 1.0, false, false).unwrap();
    let svm_pixels = pixels(&charts)
        .chunks_exact(4)
        .filter(|p| (p[0] as i32 - 213).abs() < 25 && (p[1] as i32 - 94).abs() < 25 && (p[2] as i32) < 40)
        .count();
    assert!(svm_pixels > 200, "the charts draw the SVM's series: {svm_pixels} pixels");
}

/// A rejected config leaves the engine as it was: after 100 steps, a config with 3 points is refused with a
/// message naming the setting, and the run — its config, step, history, weights and measurement — is the same
/// to the bit (run.json but for the fits' wall time), and it goes on from there.
#[wasm_bindgen_test]
fn bad_config_keeps_previous_state() {
    let mut driver = DriverHandle::new(false).unwrap();
    assert_eq!(answer(&mut driver, r#"{"step": 100}"#)["reply"]["value"], 100);
    let export = |driver: &mut DriverHandle| -> serde_json::Value {
        let mut run: serde_json::Value =
            serde_json::from_str(answer(driver, r#""export_run""#)["reply"]["value"].as_str().unwrap()).unwrap();
        run["final"]["svm_fit_ms"] = serde_json::Value::Null;
        for m in run["metrics"].as_array_mut().unwrap() {
            m["svm_fit_ms"] = serde_json::Value::Null;
        }
        run
    };
    let before = export(&mut driver);
    let reply = answer(&mut driver, r#"{"set_config": {"data": {"samples": 3}}}"#);
    assert_eq!(reply["reply"]["ok"], false);
    assert!(reply["reply"]["error"].as_str().unwrap().contains("data.samples = 3 is out of range"), "{reply}");
    assert_eq!(export(&mut driver), before);
    assert_eq!(answer(&mut driver, r#"{"step": 10}"#)["reply"]["value"], 10);
    assert_eq!(export(&mut driver)["steps"], 110);
}

/// The engine in the browser measures four presets to the native bits.
#[wasm_bindgen_test]
fn engine_matches_native_in_the_browser() {
    assert_eq!(common::engine_fingerprint(), common::golden_engine_fingerprint());
}
