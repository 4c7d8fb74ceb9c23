//! Where the app keeps its files (settings, history), and where it runs from.

use std::path::{Path, PathBuf};

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

/// Where the history store lives: `~/Library/Application Support/UsageTracker` on macOS,
/// `$XDG_DATA_HOME/usage-tracker` (or `~/.local/share/usage-tracker`) elsewhere.
pub fn data_dir() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    #[cfg(target_os = "macos")]
    let dir = base.data_dir().join("UsageTracker");
    #[cfg(not(target_os = "macos"))]
    let dir = base.data_dir().join("usage-tracker");
    Some(dir)
}

/// The app bundle whose executable `exe` is (`…/UsageTracker.app/Contents/MacOS/usage-tracker`
/// → `…/UsageTracker.app`), or `None` for a bare binary. Looks at the path only.
pub fn app_bundle(exe: &Path) -> Option<&Path> {
    let macos = exe.parent()?;
    let contents = macos.parent()?;
    let bundle = contents.parent()?;
    let is_bundle = macos.file_name()? == "MacOS"
        && contents.file_name()? == "Contents"
        && bundle.extension()? == "app";
    is_bundle.then_some(bundle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_of_its_executable() {
        let exe = Path::new("/Applications/Usage Tracker.app/Contents/MacOS/usage-tracker");
        assert_eq!(
            app_bundle(exe),
            Some(Path::new("/Applications/Usage Tracker.app"))
        );
        assert_eq!(
            app_bundle(Path::new("UsageTracker.app/Contents/MacOS/x")),
            Some(Path::new("UsageTracker.app"))
        );
    }

    #[test]
    fn bare_binaries_and_other_bundle_files_are_not_in_a_bundle() {
        for exe in [
            "/usr/local/bin/usage-tracker",
            "/opt/homebrew/Cellar/usage-tracker/0.1.0/bin/usage-tracker",
            "/Applications/UsageTracker.app/Contents/Resources/usage-tracker",
            "/Applications/UsageTracker.app/Contents/MacOS/helpers/usage-tracker",
            "/Applications/UsageTracker/Contents/MacOS/usage-tracker",
            "/x.app/MacOS/usage-tracker",
            "Contents/MacOS/usage-tracker",
            "usage-tracker",
            "",
        ] {
            assert_eq!(app_bundle(Path::new(exe)), None, "{exe}");
        }
    }
}
