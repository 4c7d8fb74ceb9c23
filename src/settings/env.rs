//! What settings resolution reads besides the flags: the process environment and where to
//! look for `.env` files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What resolution reads besides the flags: the environment and where to look for files.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    pub vars: HashMap<String, String>,
    pub cwd: Option<PathBuf>,
    /// The running executable.
    pub exe: Option<PathBuf>,
    /// The platform config directory of the app (holds `settings.toml` and maybe `.env`).
    pub config_dir: Option<PathBuf>,
    /// The platform data directory of the app (holds the history store).
    pub data_dir: Option<PathBuf>,
}

impl Environment {
    pub fn from_process() -> Environment {
        Environment {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            cwd: std::env::current_dir().ok(),
            exe: std::env::current_exe().ok(),
            config_dir: crate::platform::config_dir(),
            data_dir: crate::platform::data_dir(),
        }
    }

    /// `.env` candidates: the current directory, beside the executable (and beside the app
    /// bundle when the executable is inside one), then the config directory.
    pub fn dotenv_candidates(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(cwd) = &self.cwd {
            out.push(cwd.join(".env"));
        }
        if let Some(dir) = self.exe.as_deref().and_then(Path::parent) {
            out.push(dir.join(".env"));
            // …/UsageTracker.app/Contents/MacOS/usage-tracker → beside UsageTracker.app
            if let Some(bundle) = self.exe.as_deref().and_then(crate::platform::app_bundle) {
                out.extend(bundle.parent().map(|p| p.join(".env")));
            }
        }
        if let Some(dir) = &self.config_dir {
            out.push(dir.join(".env"));
        }
        out
    }
}
