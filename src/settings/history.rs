//! Where the history store is, resolved like any other setting: `--data-dir` /
//! `USAGE_TRACKER_DATA_DIR` / `data_dir` (in the settings file relative to it), `off` for no
//! history, else the platform data directory.

use super::{Key, Layers, Origin, SettingsError, defs};
use std::path::PathBuf;

pub use usage_tracker_core::settings::HistoryDir;

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
    // The commands that only read history say at once that a file is no folder; the ones that
    // fetch run without history and say why (opening the store names the file and the fix).
    if path.is_file() && matches!(layers.scope, super::Scope::Export | super::Scope::Report) {
        return Err(super::invalid(
            d.name,
            text,
            origin,
            "a folder, not a file: name the folder that holds (or will hold) history.sqlite",
        ));
    }
    Ok(HistoryDir::At(path, origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Options;
    use crate::settings::{Environment, Scope, history_dir};
    use std::collections::HashMap;

    fn env(dir: &std::path::Path) -> Environment {
        Environment {
            vars: HashMap::new(),
            cwd: Some(dir.join("cwd")),
            exe: None,
            config_dir: Some(dir.join("config")),
            data_dir: Some(dir.join("data")),
        }
    }

    #[test]
    fn default_flag_env_settings_file_and_off() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = env(dir.path());
        let none = Options::default();
        assert_eq!(
            history_dir(&none, &e, Scope::Export).unwrap(),
            HistoryDir::At(dir.path().join("data"), Origin::Default)
        );
        // In the settings file a relative folder is relative to the file.
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(
            dir.path().join("config/settings.toml"),
            "data_dir = \"hist\"\n",
        )
        .unwrap();
        let HistoryDir::At(p, Origin::SettingsFile { .. }) =
            history_dir(&none, &e, Scope::Report).unwrap()
        else {
            panic!("from the settings file");
        };
        assert_eq!(p, dir.path().join("config/hist"));
        e.vars.insert("USAGE_TRACKER_DATA_DIR".into(), "OFF".into());
        let off = history_dir(&none, &e, Scope::Export).unwrap();
        assert_eq!(off, HistoryDir::Off(Origin::Env("USAGE_TRACKER_DATA_DIR")));
        let why = off.folder().unwrap_err();
        assert!(
            why.contains("history is off") && why.contains("USAGE_TRACKER_DATA_DIR"),
            "{why}"
        );
        let mut flag = Options::default();
        flag.set(Key::DataDir, dir.path().join("x").display().to_string());
        assert_eq!(
            history_dir(&flag, &e, Scope::Export).unwrap(),
            HistoryDir::At(dir.path().join("x"), Origin::Flag("--data-dir"))
        );
    }

    #[test]
    fn a_file_or_nothing_is_bad_input_naming_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let e = env(dir.path());
        let file = dir.path().join("history.sqlite");
        std::fs::write(&file, b"").unwrap();
        let mut flag = Options::default();
        flag.set(Key::DataDir, file.display().to_string());
        let msg = history_dir(&flag, &e, Scope::Export)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("--data-dir")
                && msg.contains("history.sqlite")
                && msg.contains("a folder, not a file"),
            "{msg}"
        );
        let mut blank = Options::default();
        blank.set(Key::DataDir, "  ");
        let msg = history_dir(&blank, &e, Scope::Export)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("invalid data directory"), "{msg}");
        let mut no_home = env(dir.path());
        no_home.data_dir = None;
        assert_eq!(
            history_dir(&Options::default(), &no_home, Scope::Export).unwrap(),
            HistoryDir::NoDataDir
        );
    }
}
