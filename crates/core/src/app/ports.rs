//! What the app asks of the platform, as small traits: notifications, dialogs, the browser,
//! the secret store, the login item, the app's files, and whether anything shows the icon.
//! The real implementations (one per OS, `cfg(target_os)`) are the binary's `platform`; the
//! fakes in [`fakes`] drive the app's tests here and in the binary. Every call may block (IPC,
//! a dialog waiting for the user): the shell makes them off the UI thread.

pub mod fakes;

use super::report::MenuReport;
use super::told::Told;
use std::path::{Path, PathBuf};

/// One notification as the user reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub summary: String,
    pub body: String,
}

pub trait Notifier: Send + Sync {
    fn notify(&self, note: &Note) -> Result<(), String>;
}

pub trait Browser: Send + Sync {
    fn open(&self, url: &str) -> Result<(), String>;
}

pub trait Dialogs: Send + Sync {
    /// Asks for a secret; `Ok(None)` when the user cancels.
    fn ask_secret(&self, title: &str, prompt: &str) -> Result<Option<String>, String>;
    fn show_message(&self, title: &str, text: &str) -> Result<(), String>;
}

#[derive(Debug, thiserror::Error)]
#[error("{store}: {reason}")]
pub struct SecretError {
    pub store: &'static str,
    pub reason: String,
}

/// One secret, owned by the app.
pub trait SecretStore: Send + Sync {
    /// The stored value, `None` when there is none.
    fn get(&self) -> Result<Option<String>, SecretError>;
    /// Creates or replaces the value (in place: the store keeps one item).
    fn set(&self, value: &str) -> Result<(), SecretError>;
    /// Removes the value; `false` when there was none.
    fn delete(&self) -> Result<bool, SecretError>;
    /// What the store is called, for messages.
    fn name(&self) -> &'static str;
}

/// Writes `value` unless the store already holds it; says whether it wrote.
pub fn store_if_changed(store: &dyn SecretStore, value: &str) -> Result<bool, SecretError> {
    if store.get()?.as_deref() == Some(value) {
        return Ok(false);
    }
    store.set(value)?;
    Ok(true)
}

#[derive(Debug, thiserror::Error)]
#[error("launch at login: {action} {path}: {reason}")]
pub struct LoginItemError {
    pub action: &'static str,
    pub path: String,
    pub reason: String,
}

/// Whether the app starts at login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginState {
    On,
    Off,
    /// Registered, but macOS starts it only once the user allows it in [`APPROVAL_PLACE`].
    NeedsApproval,
}

/// Where a login item waiting for approval is allowed (macOS 13 and later).
pub const APPROVAL_PLACE: &str = "System Settings → General → Login Items";

pub trait LoginItem: Send + Sync {
    fn state(&self) -> Result<LoginState, LoginItemError>;
    /// Starts at login now, approval included.
    fn is_enabled(&self) -> Result<bool, LoginItemError> {
        Ok(self.state()? == LoginState::On)
    }
    /// Turning it on may leave it [`LoginState::NeedsApproval`]: read [`state`](Self::state)
    /// after.
    fn set_enabled(&self, on: bool) -> Result<(), LoginItemError>;
    /// Where the state lives, for `login-item status`.
    fn location(&self) -> String;
    /// Opens the place where the user approves a login item ([`APPROVAL_PLACE`] on macOS);
    /// nothing where no approval exists.
    fn open_approval_settings(&self) {}
}

/// Whether anything can show the icon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrayHost {
    Present,
    /// Nothing shows StatusNotifierItems: what to install.
    Missing(String),
    /// Cannot be told (no session bus).
    Unknown(String),
}

/// What to install when no StatusNotifierItem host runs.
pub const NO_HOST_ADVICE: &str = "nothing on this desktop shows tray icons (no StatusNotifierItem host on the session bus): on GNOME install and enable the AppIndicator extension (package gnome-shell-extension-appindicator, or extensions.gnome.org › AppIndicator and KStatusNotifierItem Support) and log in again; elsewhere add a system tray or status notifier plugin to the panel";

/// The app's files: the settings file the menu's choices go into, what the bill's
/// notifications told, and the report page. Errors are the sentence the user reads.
pub trait Files: Send + Sync {
    /// Sets `values` in the settings file at `path`, keeping the rest of it (comments too).
    fn save_settings(
        &self,
        path: &Path,
        values: Vec<(&'static str, toml_edit::Value)>,
    ) -> Result<(), String>;
    /// Keeps `told` at `path` for the next launch.
    fn save_told(&self, path: &Path, told: &Told) -> Result<(), String>;
    /// Writes the report `job` asks for and opens it with `browser`; the page's path, or why
    /// not and what to do.
    fn open_report(&self, job: &MenuReport, browser: &dyn Browser) -> Result<PathBuf, String>;
}
