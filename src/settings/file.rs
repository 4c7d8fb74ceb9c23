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
/// and keeping everything else in it as it was. The error says in plain words what stopped it.
pub fn save_value(
    path: &Path,
    key: &str,
    value: impl Into<toml_edit::Value>,
) -> Result<(), SettingsError> {
    let err = |reason: String| SettingsError::Save {
        path: path.to_owned(),
        reason,
    };
    let io = |what: &str, e: std::io::Error| err(format!("{what} ({})", plain_io(&e)));
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io("it cannot be read", e)),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map_or_else(String::new, |l| format!(" at line {l}"));
        err(format!(
            "it is not valid TOML{at} ({}); fix or remove that line",
            e.message().trim_end_matches('\n')
        ))
    })?;
    doc[key] = toml_edit::value(value);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io("its folder cannot be created", e))?;
    }
    // Write to a sibling and rename, so a crash never leaves half a file.
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, doc.to_string()).map_err(|e| io("it cannot be written", e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("it cannot be replaced", e))
}

/// An I/O error without its `(os error 13)` tail.
fn plain_io(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_into_a_broken_file_says_where_in_plain_words() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "tier = \"auto\"\n\nlookback_hours = = 6\n").unwrap();
        let e = save_value(&path, "tier", "batch").unwrap_err().to_string();
        assert!(e.starts_with("Cannot save to the settings file "), "{e}");
        assert!(e.contains("is not valid TOML at line 3 ("), "{e}");
        assert!(!e.contains('\n'), "one line: {e}");
        for noise in ["--settings", "USAGE_TRACKER_SETTINGS", "^", " | "] {
            assert!(!e.contains(noise), "{noise:?} in {e}");
        }
        // The file is left as it was.
        assert!(std::fs::read_to_string(&path).unwrap().contains("= = 6"));
    }

    #[test]
    fn a_save_into_an_unwritable_place_says_so() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the folder should be: the folder cannot be created.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "").unwrap();
        let e = save_value(&blocker.join("settings.toml"), "tier", "batch")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot be"), "{e}");
        assert!(!e.contains("os error"), "{e}");
    }
}
