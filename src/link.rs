//! Links: the whole state of a run in the page's URL. A link names a preset and, when the run differs from
//! it, only what differs (`?preset=moons&c={"train":{"learning_rate":0.3}}`), so a link stays short and
//! readable; `?c=` alone is merged into the default experiment. [`start`] reads a link's parameters into the
//! requests that set the run up and what the page shows; [`share_query`] writes one for a configuration.

use crate::config::Config;
use crate::presets;
use crate::request::Request;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The preset a page starts with when its link names none.
pub const DEFAULT_PRESET: &str = "blobs";

/// What a link asks the page to do.
#[derive(Serialize, Clone, Debug, PartialEq, Default)]
pub struct StartPlan {
    /// The requests that set the run up, in order.
    pub requests: Vec<Request>,
    /// What is wrong with the link, if anything (the page then shows the default experiment).
    pub message: Option<String>,
    /// Embedded in another page (`embed`).
    pub embed: bool,
    /// Presenter mode (`present`).
    pub present: bool,
    /// The lesson step to open (1-based, `lesson=N`).
    pub lesson: Option<usize>,
    /// Start playing (`play`).
    pub play: bool,
    /// The views an embed shows (`view=input,feature,charts,experiment`; the experiment chart when the run has
    /// one), in order.
    pub views: Vec<String>,
    /// The panels an embed hides (`hide=…`; all of them when not given).
    pub hide: Vec<String>,
}

/// Every view an embed can show, in the default order.
pub const VIEWS: [&str; 4] = ["input", "feature", "charts", "experiment"];
/// Every panel an embed can hide.
pub const PANELS: [&str; 5] = ["presets", "data", "network", "svm", "view"];

fn list(text: Option<&String>, allowed: &[&str]) -> Vec<String> {
    text.map(|t| t.split(',').map(str::trim).filter(|v| allowed.contains(v)).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Reads a link's query parameters (decoded, by name).
pub fn start(params: &BTreeMap<String, String>) -> StartPlan {
    let mut plan = StartPlan {
        embed: params.contains_key("embed"),
        present: params.contains_key("present"),
        lesson: params.get("lesson").map(|n| n.trim().parse::<usize>().unwrap_or(1).max(1)),
        play: params.contains_key("play"),
        views: list(params.get("view"), &VIEWS),
        hide: if params.contains_key("hide") {
            list(params.get("hide"), &PANELS)
        } else {
            PANELS.map(String::from).to_vec()
        },
        ..StartPlan::default()
    };
    if plan.views.is_empty() {
        plan.views = VIEWS.map(String::from).to_vec();
    }
    let preset = match params.get("preset") {
        Some(name) => match presets::find(name) {
            Some(p) => Some(p),
            None => {
                let shown: String = name.chars().take(40).collect();
                plan.message = Some(format!("Unknown experiment '{shown}'; showing the default instead."));
                return plan;
            }
        },
        None => None,
    };
    let base = preset.as_ref().map_or_else(default_config, |p| p.config.clone());
    if let Some(name) = params.get("preset").filter(|_| preset.is_some()) {
        plan.requests.push(Request::LoadPreset(name.clone()));
    }
    if let Some(text) = params.get("c") {
        match base.merged(text) {
            Ok(config) => plan
                .requests
                .push(Request::SetConfig(serde_json::to_value(&config).expect("a Config always serialises"))),
            Err(e) => {
                plan.requests.clear();
                plan.message =
                    Some(format!("The link's settings were not valid ({e}); showing the default experiment instead."));
            }
        }
    }
    plan
}

fn default_config() -> Config {
    presets::find(DEFAULT_PRESET).expect("the default preset exists").config
}

/// What of `value` differs from `base`: objects key by key, anything else whole (`None` when nothing).
fn difference(value: &Value, base: &Value) -> Option<Value> {
    match (value, base) {
        (Value::Object(v), Value::Object(b)) => {
            let mut out = Map::new();
            for (key, x) in v {
                match b.get(key) {
                    Some(y) => {
                        if let Some(d) = difference(x, y) {
                            out.insert(key.clone(), d);
                        }
                    }
                    None => {
                        out.insert(key.clone(), x.clone());
                    }
                }
            }
            // A field the base has and the value leaves out is at its default (JSON leaves out what is off).
            for (key, y) in b {
                if !v.contains_key(key) {
                    let default = match y {
                        Value::Bool(_) => Value::Bool(false),
                        Value::Array(_) => Value::Array(Vec::new()),
                        Value::String(_) => Value::String(String::new()),
                        _ => continue,
                    };
                    out.insert(key.clone(), default);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ => (value != base).then(|| value.clone()),
    }
}

/// The query part of a link that reproduces `config` (without the leading `?`, not yet URL-encoded):
/// `preset=NAME` for the preset it differs least from, plus `c=` with what differs.
pub fn share_query(config: &Config) -> Vec<(String, String)> {
    let value = serde_json::to_value(config).expect("a Config always serialises");
    let best = presets::all()
        .into_iter()
        .map(|p| {
            let base = serde_json::to_value(&p.config).expect("a Config always serialises");
            let diff = difference(&value, &base);
            let size = diff.as_ref().map_or(0, |d| d.to_string().len());
            (size, p.name, diff)
        })
        .min_by_key(|(size, _, _)| *size)
        .expect("there are presets");
    let mut query = vec![("preset".to_string(), best.1.to_string())];
    if let Some(diff) = best.2 {
        query.push(("c".to_string(), diff.to_string()));
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// A share link names the nearest preset and only what differs; reading it back gives the same config
    /// exactly, for every preset and for changed ones.
    #[test]
    fn share_links_are_short_and_exact() {
        for p in presets::all() {
            let q = share_query(&p.config);
            assert_eq!(q, vec![("preset".to_string(), p.name.to_string())], "{}", p.name);
        }
        let mut config = presets::find("moons").unwrap().config;
        config.train.learning_rate = 0.3;
        config.data.seed = 9_007_199_254_740_991;
        config.data.standardize = true;
        let q = share_query(&config);
        assert_eq!(q[0], ("preset".to_string(), "moons".to_string()));
        assert!(q[1].1.len() < 100, "{}", q[1].1);
        let plan = start(&q.iter().cloned().collect());
        assert_eq!(plan.message, None);
        let Request::SetConfig(value) = &plan.requests[1] else { panic!("{:?}", plan.requests) };
        assert_eq!(Config::from_json(&value.to_string()).unwrap(), config);
        // Turning off what the preset has on is written too.
        let mut digits = presets::find("digits").unwrap().config;
        digits.data.standardize = false;
        let q = share_query(&digits);
        let plan = start(&q.iter().cloned().collect());
        let Request::SetConfig(value) = &plan.requests[1] else { panic!("{:?}", plan.requests) };
        assert!(!Config::from_json(&value.to_string()).unwrap().data.standardize);
    }

    /// Bad links fall back with a message and no request; the embed's options are read.
    #[test]
    fn bad_links_say_so() {
        let plan = start(&params(&[("c", "{not json")]));
        assert!(plan.requests.is_empty());
        assert!(plan.message.unwrap().starts_with("The link's settings were not valid (config:"));
        let plan = start(&params(&[("preset", "<b>nope</b>")]));
        assert_eq!(plan.message.unwrap(), "Unknown experiment '<b>nope</b>'; showing the default instead.");
        let plan = start(&params(&[("embed", ""), ("view", "charts,bogus,input"), ("play", ""), ("lesson", "4")]));
        assert!(plan.embed && plan.play);
        assert_eq!(plan.views, ["charts", "input"]);
        assert_eq!(plan.hide.len(), PANELS.len());
        assert_eq!(plan.lesson, Some(4));
    }
}
