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
    toml_error_quoting(text, span, message, false)
}

/// Like [`toml_error`]; with `quote`, the line's text (scrubbed) follows its number, for
/// files that hold no secrets (a price file).
pub fn toml_error_quoting(
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
    quote: bool,
) -> String {
    let place = span.map(|s| {
        let before = &text[..s.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let shown = text
            .lines()
            .nth(line - 1)
            .filter(|_| quote)
            .map(|l| format!(" `{}`", redact::scrub(l.trim())))
            .unwrap_or_default();
        format!("line {line}{shown}, column {column}: ")
    });
    format!(
        "{}{}",
        place.unwrap_or_default(),
        redact::scrub(message.trim_end())
    )
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
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| err(toml_error(&text, e.span(), e.message())))?;
    doc[key] = toml_edit::value(value);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    }
    // Write to a sibling and rename, so a crash never leaves half a file.
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, doc.to_string()).map_err(|e| err(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
}
