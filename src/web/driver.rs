//! The driver's handle: a [`Driver`] (the engine, its requests and its pacing) for the page's host, which
//! runs it in a Web Worker or in slices of the main thread. Requests come in and messages go out as JSON
//! (the vocabulary of [`crate::request`]); snapshots go out as bytes for the page's handle.

use super::now_ms;
use crate::data::Library;
use crate::driver::Driver;
use crate::engine::Engine;
use crate::link::DEFAULT_PRESET;
use crate::request::{Message, Request};
use wasm_bindgen::prelude::*;

/// The engine as the page's host runs it.
#[wasm_bindgen(js_name = Driver)]
pub struct DriverHandle {
    driver: Driver,
}

#[wasm_bindgen(js_class = Driver)]
impl DriverHandle {
    /// A driver running the default experiment; `on_main_thread` when it shares the page's thread.
    #[wasm_bindgen(constructor)]
    pub fn new(on_main_thread: bool) -> Result<DriverHandle, JsError> {
        let engine = Engine::for_preset(DEFAULT_PRESET, Library::default()).map_err(super::js_err)?;
        Ok(DriverHandle { driver: Driver::new(engine, on_main_thread) })
    }

    /// Hands over request `id` (a [`Request`] as JSON); returns the messages now due (a JSON array).
    pub fn request(&mut self, id: f64, json: &str) -> String {
        let id = id as u64;
        match serde_json::from_str::<Request>(json) {
            Ok(request) => self.driver.request(id, request, now_ms()),
            Err(e) => {
                let shown: String = json.chars().take(80).collect();
                self.driver.request_failed(id, format!("'{shown}' is not a request the engine knows: {e}"));
            }
        }
        self.messages()
    }

    /// Starts checking a network's file (see [`crate::check`]) as request `id`: the files' names (a JSON
    /// array) and their bytes one after another (`lengths` says where each ends); returns the messages now due.
    #[wasm_bindgen(js_name = checkFiles)]
    pub fn check_files(&mut self, id: f64, names: &str, bytes: &[u8], lengths: &[u32]) -> String {
        let names: Vec<String> = serde_json::from_str(names).unwrap_or_default();
        let mut files = Vec::with_capacity(names.len());
        let mut at = 0usize;
        for (name, &len) in names.iter().zip(lengths) {
            let end = (at + len as usize).min(bytes.len());
            files.push((name.as_str(), &bytes[at..end]));
            at = end;
        }
        self.driver.check_files(id as u64, &files);
        self.messages()
    }

    /// Works for up to `budget_ms`; returns the messages now due (a JSON array).
    pub fn pump(&mut self, budget_ms: f64) -> String {
        self.driver.pump(budget_ms, &now_ms);
        self.messages()
    }

    /// Whether there is work to do.
    pub fn busy(&self) -> bool {
        self.driver.busy()
    }

    /// The step reached.
    pub fn step(&self) -> f64 {
        self.driver.engine().step() as f64
    }

    /// What changed since the previous snapshot, as bytes for the page's handle.
    pub fn snapshot(&mut self) -> Vec<u8> {
        self.driver.snapshot().encode()
    }

    /// The reply's error when the table the driver asked for could not be fetched from `path` (`why`).
    #[wasm_bindgen(js_name = tableFailed)]
    pub fn table_failed(&self, path: &str, why: &str) -> String {
        format!("the data could not be loaded from {path} ({why})")
    }

    /// Makes the next snapshot carry everything (for a page that starts afresh).
    #[wasm_bindgen(js_name = resendEverything)]
    pub fn resend_everything(&mut self) {
        self.driver.resend_everything();
    }

    fn messages(&mut self) -> String {
        let messages: Vec<Message> = self.driver.take_messages();
        serde_json::to_string(&messages).expect("messages serialise")
    }
}
