//! The settings file (TOML). Every field is optional; unknown fields are errors (a typo would
//! otherwise be silently ignored). Menu choices are written back with `toml_edit`, which keeps
//! the user's comments and layout.

use super::{SettingsError, defs, redact};
use std::path::{Path, PathBuf};

/// The file as written: raw values, validated later with the same rules as flags.
#[derive(Debug, Default)]
pub struct SettingsFile {
    table: toml::Table,
    path: PathBuf,
}

impl SettingsFile {
    /// Reads `path`; a missing file is an empty one. Every key must be a declared setting;
    /// no message quotes the file's text (it may hold a key), only line, column and reason.
    pub fn load(path: &Path) -> Result<SettingsFile, SettingsError> {
        let err = |reason: String| SettingsError::File {
            path: path.to_owned(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(err(e.to_string())),
        };
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err(toml_error(&text, e.span(), e.message())))?;
        for key in table.keys() {
            let line = line_of(&text, key);
            if key == "admin_key" {
                return Err(err(format!(
                    "{line}`admin_key` is not read from a settings file: the admin key belongs in the OS secret store (`usage-tracker admin-key set`) or the environment (OPENAI_ADMIN_KEY, or a .env file); remove that line"
                )));
            }
            if !defs::DEFS.iter().any(|d| d.file == Some(key.as_str())) {
                let known: Vec<&str> = defs::DEFS.iter().filter_map(|d| d.file).collect();
                return Err(err(format!(
                    "{line}unknown setting `{}`; the settings are {}",
                    redact::scrub(key),
                    known.join(", ")
                )));
            }
        }
        Ok(SettingsFile {
            table,
            path: path.to_owned(),
        })
    }

    /// The value of `key` and the file it is in.
    pub fn get(&self, key: &str) -> Option<(&toml::Value, &Path)> {
        self.table.get(key).map(|v| (v, self.path.as_path()))
    }
}

/// `line 3, column 7: <reason>`, with anything shaped like a key scrubbed from the reason;
/// the line's text is never shown (a settings file may hold a key).
pub fn toml_error(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> String {
    redact::toml_error_quoting(text, span, message, false)
}

/// `line N: ` for the first line that starts with `key`, or nothing.
fn line_of(text: &str, key: &str) -> String {
    text.lines()
        .position(|l| l.trim_start().trim_start_matches('"').starts_with(key))
        .map_or_else(String::new, |i| format!("line {}: ", i + 1))
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
    save_values(path, [(key, value.into())])
}

/// Like [`save_value`] for several keys, written at once (all or none).
pub fn save_values<'a>(
    path: &Path,
    values: impl IntoIterator<Item = (&'a str, toml_edit::Value)>,
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
        err(format!(
            "it is not valid TOML ({}); fix or remove that line",
            toml_error(&text, e.span(), e.message())
        ))
    })?;
    for (key, value) in values {
        // A key already there keeps its place and the comments around it; only the value changes.
        match doc.get_mut(key).and_then(toml_edit::Item::as_value_mut) {
            Some(old) => {
                let decor = old.decor().clone();
                *old = value;
                *old.decor_mut() = decor;
            }
            None => doc[key] = toml_edit::value(value),
        }
    }
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
        assert!(e.contains("is not valid TOML (line 3, column "), "{e}");
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
