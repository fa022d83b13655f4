//! WebAssembly tests run in headless Chromium by `wasm-bindgen-test-runner` (through Debian's chromedriver,
//! with the flags in `webdriver.json`): the wasm boundary drawing on a real canvas.
#![cfg(target_arch = "wasm32")]

use lastlayer::web::Lab;
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

/// Drawing the default data set paints both class colours (Okabe–Ito blue and orange) on the canvas.
#[wasm_bindgen_test]
fn draws_both_classes_on_a_canvas() {
    let mut lab = Lab::new().unwrap();
    let c = canvas(400, 400);
    lab.draw_input(c.clone(), 1.0, false, true, false).unwrap();
    let px = pixels(&c);
    let near =
        |rgb: [u8; 3]| px.chunks_exact(4).filter(|p| (0..3).all(|i| (p[i] as i32 - rgb[i] as i32).abs() < 30)).count();
    assert!(near([0, 114, 178]) > 100, "class 0 blue: {}", near([0, 114, 178]));
    assert!(near([230, 159, 0]) > 100, "class 1 orange: {}", near([230, 159, 0]));
}

/// Training in the browser moves the angle, and the feature and chart views draw the SVM's colour.
#[wasm_bindgen_test]
fn trains_and_draws_every_view() {
    let mut lab = Lab::new().unwrap();
    let before: serde_json::Value = serde_json::from_str(&lab.metrics()).unwrap();
    assert_eq!(lab.step(200), 200);
    let after: serde_json::Value = serde_json::from_str(&lab.metrics()).unwrap();
    assert!(after["angle_wb_deg"].as_f64().unwrap() < before["angle_wb_deg"].as_f64().unwrap() / 2.0);
    for draw in [0, 1] {
        let c = canvas(500, 500);
        if draw == 0 {
            lab.draw_features(c.clone(), 1.0, false, true, "svm_network", true).unwrap();
        } else {
            lab.draw_charts(c.clone(), 1.0, false).unwrap();
        }
        let px = pixels(&c);
        let svm = px
            .chunks_exact(4)
            .filter(|p| (p[0] as i32 - 213).abs() < 25 && (p[1] as i32 - 94).abs() < 25 && (p[2] as i32) < 40)
            .count();
        assert!(svm > 50, "view {draw}: SVM-coloured pixels {svm}");
    }
}

/// A rejected config leaves the lab as it was.
#[wasm_bindgen_test]
fn bad_config_keeps_previous_state() {
    let mut lab = Lab::new().unwrap();
    let before = lab.config();
    assert!(lab.set_config(r#"{"data": {"samples": 3}}"#).is_err());
    assert_eq!(lab.config(), before);
}
