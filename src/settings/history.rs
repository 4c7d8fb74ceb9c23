//! Where the history store is, resolved like any other setting: `--data-dir` /
//! `USAGE_TRACKER_DATA_DIR` / `data_dir` (in the settings file relative to it), `off` for no
//! history, else the platform data directory.

use super::{Key, Layers, Origin, SettingsError, defs};
use std::path::PathBuf;

/// Where history is kept, and why.
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryDir {
    /// The folder holding `history.sqlite`, and where that came from.
    At(PathBuf, Origin),
    /// Turned off with `off`, from here.
    Off(Origin),
    /// No setting and no home directory to find the data directory in.
    NoDataDir,
}

impl HistoryDir {
    /// The folder, or why there is none (for a message).
    pub fn folder(&self) -> Result<&std::path::Path, String> {
        match self {
            HistoryDir::At(p, _) => Ok(p),
            HistoryDir::Off(origin) => Err(format!(
                "history is off (data directory \"off\" from {origin}): set --data-dir / USAGE_TRACKER_DATA_DIR / data_dir to a folder to keep it"
            )),
            HistoryDir::NoDataDir => Err(
                "there is no data directory to keep history in (no home directory): set --data-dir or USAGE_TRACKER_DATA_DIR".into(),
            ),
        }
    }
}

pub(super) fn resolve(
    layers: &Layers,
    data_dir: Option<&PathBuf>,
    settings_path: Option<&PathBuf>,
) -> Result<HistoryDir, SettingsError> {
    let d = defs::def(Key::DataDir);
    let Some((text, origin)) = layers.raw(Key::DataDir) else {
        return Ok(match data_dir {
            Some(dir) => HistoryDir::At(dir.clone(), Origin::Default),
            None => HistoryDir::NoDataDir,
        });
    };
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(HistoryDir::Off(origin));
    }
    if text.is_empty() || text.contains('\0') {
        return Err(super::invalid(d.name, text, origin, d.expected));
    }
    let path = PathBuf::from(text);
    let path = match (&origin, settings_path) {
        (Origin::SettingsFile { .. }, Some(file)) if path.is_relative() => file
            .parent()
            .map_or_else(|| path.clone(), |dir| dir.join(&path)),
        _ => path,
    };
    if path.is_file() {
        return Err(super::invalid(
            d.name,
            text,
            origin,
            "a folder, not a file: name the folder that holds (or will hold) history.sqlite",
        ));
    }
    Ok(HistoryDir::At(path, origin))
}
