//! The one serialisable configuration a run depends on. A URL, a file or the command line's `--config`
//! reproduces a run exactly from it.

use crate::data::{DataConfig, DataError};
use serde::{Deserialize, Serialize};

/// Everything a run depends on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The data set and its split.
    pub data: DataConfig,
}

impl Config {
    /// Checks every field; the message names the first bad one.
    pub fn validate(&self) -> Result<(), DataError> {
        self.data.validate()
    }

    /// Parses a JSON config; missing fields take their defaults, unknown fields are errors.
    pub fn from_json(text: &str) -> Result<Config, String> {
        let config: Config = serde_json::from_str(text).map_err(|e| format!("config: {e}"))?;
        config.validate().map_err(|e| format!("config: {e}"))?;
        Ok(config)
    }

    /// Merges a partial JSON object into this config (objects merge key by key; other values replace) and
    /// returns the validated result, leaving `self` untouched.
    pub fn merged(&self, partial: &str) -> Result<Config, String> {
        let patch: serde_json::Value = serde_json::from_str(partial).map_err(|e| format!("config: {e}"))?;
        if !patch.is_object() {
            return Err("config: expected a JSON object".into());
        }
        let mut base = serde_json::to_value(self).expect("a Config always serialises");
        merge(&mut base, patch);
        Config::from_json(&base.to_string())
    }

    /// The config as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Config always serialises")
    }
}

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, p) => *b = p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_untouched_fields_and_rejects_bad_values() {
        let base = Config::default();
        let merged = base.merged(r#"{"data": {"seed": 9}}"#).unwrap();
        assert_eq!(merged.data.seed, 9);
        assert_eq!(merged.data.samples, base.data.samples);
        assert!(base.merged(r#"{"data": {"noise": -1}}"#).unwrap_err().contains("noise = -1"));
        assert!(base.merged(r#"{"data": {"colour": 1}}"#).unwrap_err().contains("unknown field"));
        assert!(base.merged("[1]").is_err());
    }
}
