//! The platform effects the core's executor ([`Platform::run`]) leaves to the binary: the
//! app's files ([`SystemFiles`]: the settings file, `told.json`, the report page from the
//! store), whether anything shows the icon (D-Bus), and a line for the terminal. All may
//! block: the worker runs them on its blocking pool, never on the UI thread.

use super::core::ports::{Browser, Files, TrayHost};
use super::core::report::MenuReport;
use super::core::told::Told;
use super::core::{Effect, Input, Platform};
use crate::platform::menu_bar;
use crate::settings::file::save_values;
use std::path::{Path, PathBuf};

/// Performs one effect: the shell's own here, the rest through the core's executor.
pub fn run(platform: &Platform, effect: Effect) -> Option<Input> {
    match effect {
        Effect::CheckTrayHost => Some(Input::TrayHost(tray_host())),
        Effect::Stderr(line) => {
            eprintln!("{line}");
            None
        }
        other => platform.run(other),
    }
}

fn tray_host() -> TrayHost {
    menu_bar::tray_host()
}

/// The files on disk.
pub struct SystemFiles;

impl Files for SystemFiles {
    fn save_settings(
        &self,
        path: &Path,
        values: Vec<(&'static str, toml_edit::Value)>,
    ) -> Result<(), String> {
        save_values(path, values).map_err(|e| e.to_string())
    }

    fn save_told(&self, path: &Path, told: &Told) -> Result<(), String> {
        super::told::save(path, told).map_err(|e| e.to_string())
    }

    fn open_report(&self, job: &MenuReport, browser: &dyn Browser) -> Result<PathBuf, String> {
        let now = crate::engine::now_ms().div_euclid(1000);
        crate::commands::report::menu::open_from_menu(job, browser, now)
    }
}
