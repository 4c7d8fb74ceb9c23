//! Where the app keeps its files.

use std::path::PathBuf;

/// `~/Library/Application Support/UsageTracker` on macOS,
/// `$XDG_CONFIG_HOME/usage-tracker` (or `~/.config/usage-tracker`) elsewhere.
pub fn config_dir() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    #[cfg(target_os = "macos")]
    let dir = base.config_dir().join("UsageTracker");
    #[cfg(not(target_os = "macos"))]
    let dir = base.config_dir().join("usage-tracker");
    Some(dir)
}
