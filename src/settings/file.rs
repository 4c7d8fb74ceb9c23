//! The settings file (TOML). Every field is optional; unknown fields are errors (a typo would
//! otherwise be silently ignored). Menu choices are written back with `toml_edit`, which keeps
//! the user's comments and layout.

use super::SettingsError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file as written: raw values, validated later with the same rules as flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    pub api_key_ids: Option<Vec<String>>,
    pub lookback_hours: Option<toml::Value>,
    pub bucket_width: Option<toml::Value>,
    pub interval: Option<toml::Value>,
    pub tier: Option<toml::Value>,
    pub spike_token_rate: Option<toml::Value>,
    pub spike_request_rate: Option<toml::Value>,
    pub pricing: Option<PathBuf>,
    pub base_url: Option<toml::Value>,
    pub daily_budget: Option<toml::Value>,
    pub title: Option<toml::Value>,
}

impl SettingsFile {
    /// Reads `path`; a missing file is an empty one.
    pub fn load(path: &Path) -> Result<SettingsFile, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(SettingsError::File {
                    path: path.to_owned(),
                    reason: e.to_string(),
                });
            }
        };
        toml::from_str(&text).map_err(|e| SettingsError::File {
            path: path.to_owned(),
            reason: e.to_string().trim_end().to_owned(),
        })
    }
}

/// A value as text for validation: strings bare, everything else as TOML writes it.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Sets `key = value` in the settings file at `path`, creating it (and its folder) if needed
/// and keeping everything else in it as it was.
pub fn save_value(
    path: &Path,
    key: &str,
    value: impl Into<toml_edit::Value>,
) -> Result<(), SettingsError> {
    let err = |reason: String| SettingsError::File {
        path: path.to_owned(),
        reason,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(err(e.to_string())),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| err(format!("{e}")))?;
    doc[key] = toml_edit::value(value);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    }
    // Write to a sibling and rename, so a crash never leaves half a file.
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, doc.to_string()).map_err(|e| err(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
}
