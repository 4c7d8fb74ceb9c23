//! The only place with `cfg(target_os)`: paths, secret store, login item, notifications,
//! dialogs, single instance, the browser and the menu bar's per-OS details, each a small trait with one implementation per
//! OS and a fake for tests. Everything here runs on whichever thread calls it; calls that can
//! block (D-Bus, a dialog) say so, and the app keeps them off the UI thread.

pub mod browser;
pub mod desktop_log;
pub mod dialog;
pub mod login_item;
#[cfg(feature = "app")]
pub mod menu_bar;
pub mod notify;
mod paths;
pub mod secret;
pub mod single_instance;

pub use paths::{app_bundle, config_dir, data_dir};

/// The app's bundle id: Keychain service, notification sender, LaunchAgent label.
pub const BUNDLE_ID: &str = "dev.usagetracker.UsageTracker";

/// Whether a graphical session is there to show the menu-bar app: always on macOS; an X11 or
/// Wayland display on Linux (without one GTK cannot start).
pub fn has_display() -> bool {
    #[cfg(target_os = "macos")]
    {
        true
    }
    #[cfg(not(target_os = "macos"))]
    {
        ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
    }
}
