//! The vocabulary between the page and the engine, named once: every [`Request`] the page, the engine's
//! host, the embed's message protocol and `window.lab` can make of the engine, every [`Reply`], and the
//! unasked [`Event`]s. They cross the wasm boundary as JSON (`{"load_preset": "digits"}`, `"play"`), so the
//! JavaScript shell forwards values it never spells out: a new request is a variant here, its arm in
//! [`crate::driver::Driver::request`] and, if the page offers it, one wiring line.
//!
//! [`HostCall`] is the vocabulary of the embed's host pages (`{lastlayer: 1, id, call, args}`): the calls
//! `window.lab` answers, checked here so that nothing a host sends reaches the lab unvalidated.

use crate::data::Source;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The most steps one request may take (a host page or a script asking for more is refused).
pub const MAX_STEPS_PER_REQUEST: u64 = 1_000_000;
/// The largest partial configuration a host page may send, in bytes of JSON.
pub const MAX_CONFIG_BYTES: usize = 200_000;

/// What the page asks of the engine.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Nothing but the snapshot every reply carries (what changed since the last one).
    Snapshot,
    /// Start training (on the main thread a run too heavy for it is held until [`Request::AllowHeavy`]).
    Play,
    /// Stop training; the step paused at is then measured.
    Pause,
    /// Take this many steps now and measure the result; answered with the steps taken, once measured.
    Step(u64),
    /// Answered, once the current step is measured, with whether it could be (a held heavy run cannot).
    Settle,
    /// Steps per second while playing; 0 for as fast as the machine goes.
    Speed(f64),
    /// Let a run too heavy for the main thread train there anyway.
    AllowHeavy,
    /// Stop checking a network's file (see [`crate::check`]): the run stays as it was.
    CancelCheck,
    /// Leave a network's file shown and return to the run.
    LeaveCheck,
    /// Restart the run with the same configuration.
    Reset,
    /// Start the preset of this name.
    LoadPreset(String),
    /// Merge a partial configuration (a JSON object); answered with whether the run restarted.
    SetConfig(Value),
    /// Switch the data source, keeping what carries over (see [`crate::engine::Engine::set_source`]).
    SetSource(Source),
    /// Add a dense hidden layer just before the feature layer.
    AddLayer,
    /// Add a convolution after the last convolution or pooling (image data).
    AddConv,
    /// Add a 2 × 2 max pooling after the last convolution or pooling (image data).
    AddPool,
    /// Replace the hidden layer at `layer` (0-based), e.g. a convolution's kernel, stride or padding.
    SetLayer {
        /// The layer's index.
        layer: usize,
        /// What it becomes.
        spec: crate::nn::LayerSpec,
    },
    /// Remove the hidden layer at this index (0-based).
    RemoveLayer(usize),
    /// Set the width of the hidden layer at `layer` (0-based): a dense layer's units, a convolution's channels.
    SetLayerWidth {
        /// The layer's index.
        layer: usize,
        /// Its new width.
        width: usize,
    },
    /// Train on the points now shown, as the user's own (editable) points.
    UseOwnPoints,
    /// Freeze the hidden layers, re-initialise the last layer and train only it from now on.
    RetrainLastLayer,
    /// Train on a CSV file the user chose; answered with [`Reply::Imported`].
    ImportCsv {
        /// The file's name (tables are held under it).
        name: String,
        /// Its text.
        text: String,
    },
    /// A table a run needs, fetched by the host after a [`Message::NeedsTable`].
    ProvideTable {
        /// The table's name.
        name: String,
        /// Its CSV text.
        text: String,
    },
    /// Add a point of class `label` at data coordinates (x, y).
    AddPoint {
        /// Horizontal coordinate.
        x: f64,
        /// Vertical coordinate.
        y: f64,
        /// Its class.
        label: usize,
    },
    /// Remove the point nearest to (x, y) within `reach` data units.
    RemovePoint {
        /// Horizontal coordinate.
        x: f64,
        /// Vertical coordinate.
        y: f64,
        /// How far the nearest point may be.
        reach: f64,
    },
    /// Remove every point (the run waits for new ones).
    ClearPoints,
    /// The whole run as JSON text, at the current step (answered once it is measured).
    ExportRun,
    /// The data as CSV text.
    ExportCsv,
    /// Sets a new engine up as an old one was (after the old one died): the files it had imported, then the
    /// configuration, then `step` steps (the schedule is deterministic, so the same numbers), then playing if
    /// it was. Answered with the steps taken, once measured.
    Restore {
        /// The imported files, by name.
        tables: Vec<NamedText>,
        /// The whole configuration.
        config: Value,
        /// The step the run had reached.
        step: u64,
        /// Whether it was playing.
        playing: bool,
    },
    /// Makes the engine fail (test builds only: the page's recovery is tested with it).
    #[cfg(feature = "bench")]
    Crash,
}

/// A named text (an imported file).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NamedText {
    /// Its name.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// What a request is answered with (as JSON: `null`, a boolean, a number, a string or an object).
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum Reply {
    /// Done, nothing to tell.
    Done,
    /// Whether something happened: the run restarted, a point was added or removed, the step was measured.
    Flag(bool),
    /// A count: steps taken.
    Count(u64),
    /// Text: an export.
    Text(String),
    /// A file was read.
    Imported {
        /// How many points it holds.
        points: usize,
        /// What the page says about it.
        message: String,
    },
}

/// Why training stopped by itself.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// Training diverged.
    Diverged,
    /// The run is too heavy for the main thread.
    Heavy,
    /// The run has taken all its steps (a class-incremental run's second phase is over).
    Finished,
}

/// What the engine sends its host.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// The answer to request `id`: a reply, or an error's message.
    Reply {
        /// The request's id.
        id: u64,
        /// Whether it succeeded.
        ok: bool,
        /// The reply (when it succeeded).
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<Reply>,
        /// What went wrong (when it did not).
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// Request `id` needs a table the engine lacks: the host fetches `path` (relative to the page), provides
    /// it as `name` and sends the request again.
    NeedsTable {
        /// The request's id.
        id: u64,
        /// The table's name.
        name: String,
        /// Where the page serves it (gzipped CSV).
        path: String,
    },
    /// Training stopped by itself.
    Paused {
        /// Why.
        reason: PauseReason,
    },
}

impl Message {
    /// A successful answer to request `id`.
    pub fn ok(id: u64, value: Reply) -> Message {
        Message::Reply { id, ok: true, value: Some(value), error: None }
    }

    /// A failed answer to request `id`.
    pub fn error(id: u64, error: impl std::fmt::Display) -> Message {
        Message::Reply { id, ok: false, value: None, error: Some(error.to_string()) }
    }
}

/// A call from the page that embeds the lab (`{lastlayer: 1, id, call, args}`), checked: the `window.lab`
/// member to call and its argument, or a subscription to the metrics events.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(tag = "call", content = "args", rename_all = "camelCase")]
pub enum HostCall {
    /// Start training.
    Play,
    /// Stop training.
    Pause,
    /// Take steps (1 to [`MAX_STEPS_PER_REQUEST`]; one when not given).
    Step(u64),
    /// Restart the run.
    Reset,
    /// Start a preset.
    LoadPreset(String),
    /// Merge a partial configuration.
    SetConfig(Value),
    /// The configuration.
    Config,
    /// The newest measurement's numbers.
    Metrics,
    /// The presets.
    Presets,
    /// The experiments' results: a class-incremental run's arms, the adversarial examples.
    Experiments,
    /// Send the metrics to the host up to four times a second.
    Subscribe,
    /// Stop sending them.
    Unsubscribe,
}

impl HostCall {
    /// Every call's name, in the order the error message lists them.
    pub const NAMES: [&'static str; 12] = [
        "play",
        "pause",
        "step",
        "reset",
        "loadPreset",
        "setConfig",
        "config",
        "metrics",
        "presets",
        "experiments",
        "subscribe",
        "unsubscribe",
    ];

    /// Checks a host's `call` and `args` (any JSON values); the error says what a host should send instead.
    /// `presets` are the names `loadPreset` accepts.
    pub fn parse(call: &Value, args: &Value, presets: &[&str]) -> Result<HostCall, String> {
        let Some(name) = call.as_str() else {
            let kind = match call {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::Array(_) | Value::Object(_) => "object",
                Value::String(_) => "string",
            };
            return Err(format!("unknown call '{kind}': use one of {}", HostCall::NAMES.join(", ")));
        };
        let none = |call: HostCall| -> Result<HostCall, String> {
            if args.is_null() {
                Ok(call)
            } else {
                Err(format!("{name} takes no arguments"))
            }
        };
        match name {
            "play" => none(HostCall::Play),
            "pause" => none(HostCall::Pause),
            "reset" => none(HostCall::Reset),
            "config" => none(HostCall::Config),
            "metrics" => none(HostCall::Metrics),
            "presets" => none(HostCall::Presets),
            "experiments" => none(HostCall::Experiments),
            "subscribe" => none(HostCall::Subscribe),
            "unsubscribe" => none(HostCall::Unsubscribe),
            "step" => {
                if args.is_null() {
                    return Ok(HostCall::Step(1));
                }
                match args.as_u64() {
                    Some(n) if (1..=MAX_STEPS_PER_REQUEST).contains(&n) && args.is_u64() => Ok(HostCall::Step(n)),
                    _ => Err(format!("step takes a whole number of steps from 1 to {MAX_STEPS_PER_REQUEST}")),
                }
            }
            "loadPreset" => match args.as_str() {
                Some(p) if presets.contains(&p) => Ok(HostCall::LoadPreset(p.to_string())),
                _ => Err(format!("loadPreset takes a preset name: {}", presets.join(", "))),
            },
            "setConfig" => {
                if !args.is_object() {
                    return Err("setConfig takes a (partial) configuration object".into());
                }
                if args.to_string().len() > MAX_CONFIG_BYTES {
                    return Err(format!("setConfig takes at most {MAX_CONFIG_BYTES} bytes of JSON"));
                }
                Ok(HostCall::SetConfig(args.clone()))
            }
            other => {
                let shown: String = other.chars().take(40).collect();
                Err(format!("unknown call '{shown}': use one of {}", HostCall::NAMES.join(", ")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Requests cross as externally tagged JSON; unit requests as plain strings.
    #[test]
    fn requests_read_as_the_shell_writes_them() {
        let read = |text: &str| serde_json::from_str::<Request>(text);
        assert_eq!(read(r#""play""#).unwrap(), Request::Play);
        assert_eq!(read(r#"{"step": 30}"#).unwrap(), Request::Step(30));
        assert_eq!(read(r#"{"load_preset": "digits"}"#).unwrap(), Request::LoadPreset("digits".into()));
        assert_eq!(read(r#"{"set_source": "moons"}"#).unwrap(), Request::SetSource(Source::Moons));
        assert_eq!(
            read(r#"{"add_point": {"x": 1, "y": 2, "label": 1}}"#).unwrap(),
            Request::AddPoint { x: 1.0, y: 2.0, label: 1 }
        );
        assert!(read(r#""launch""#).is_err());
        assert!(read(r#"{"step": -1}"#).is_err());
        assert_eq!(serde_json::to_string(&Reply::Done).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Reply::Count(3)).unwrap(), "3");
        assert_eq!(
            serde_json::to_value(Message::ok(4, Reply::Flag(true))).unwrap(),
            json!({"reply": {"id": 4, "ok": true, "value": true}})
        );
    }

    /// Host calls: what each accepts and the message for what it does not.
    #[test]
    fn host_calls_are_checked() {
        let presets = ["blobs", "moons"];
        let parse = |call: Value, args: Value| HostCall::parse(&call, &args, &presets);
        assert_eq!(parse(json!("step"), Value::Null), Ok(HostCall::Step(1)));
        assert_eq!(parse(json!("step"), json!(1_000_000)), Ok(HostCall::Step(1_000_000)));
        for bad in [json!(0), json!(1_000_001), json!(1.5), json!(-4), json!("ten")] {
            assert!(parse(json!("step"), bad).unwrap_err().starts_with("step takes a whole number"));
        }
        assert_eq!(parse(json!("loadPreset"), json!("moons")), Ok(HostCall::LoadPreset("moons".into())));
        assert!(parse(json!("loadPreset"), json!("<img>")).unwrap_err().contains("blobs, moons"));
        assert!(parse(json!("setConfig"), json!("x")).is_err());
        assert!(parse(json!("setConfig"), json!({"data": {"points": "x".repeat(300_000)}})).is_err());
        assert_eq!(parse(json!("play"), json!(1)), Err("play takes no arguments".into()));
        assert!(parse(json!("launchMissiles"), Value::Null).unwrap_err().starts_with("unknown call 'launchMissiles'"));
        assert!(parse(json!({"toString": 1}), Value::Null).unwrap_err().starts_with("unknown call 'object'"));
        assert_eq!(
            serde_json::to_value(HostCall::Step(3)).unwrap(),
            json!({"call": "step", "args": 3}),
            "the page calls window.lab.step(3)"
        );
    }
}
