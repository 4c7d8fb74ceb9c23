//! Performs the effects that touch the platform, through the traits of [`super::ports`]:
//! notifications, the settings file, what was told, the secret store, dialogs, the browser,
//! the report and the login item. Each may block (IPC, XPC, a dialog waiting for the user), so
//! the shell runs them off the UI thread; each returns what the core must hear back. Here, not
//! in the binary, so the app's tests run the very code the app runs, against the fakes.

use super::ports::{Browser, Dialogs, Files, LoginItem, Note, Notifier, SecretStore};
use super::{Effect, Input, ports};
use crate::settings::validate_key;
use secrecy::SecretString;
use std::sync::Arc;

/// The platform services the effects use.
#[derive(Clone)]
pub struct Platform {
    pub notifier: Arc<dyn Notifier>,
    pub dialogs: Arc<dyn Dialogs>,
    pub browser: Arc<dyn Browser>,
    pub secrets: Arc<dyn SecretStore>,
    /// `None` when the login item could not be located.
    pub login: Option<Arc<dyn LoginItem>>,
    pub files: Arc<dyn Files>,
}

impl Platform {
    /// Performs one effect (blocking); `None` when the core needs no answer. Render, Connect,
    /// Poll and Quit are the shell's, and so are CheckTrayHost (a D-Bus question) and Stderr
    /// (the terminal): they answer nothing here.
    pub fn run(&self, effect: Effect) -> Option<Input> {
        let failed = |summary: &str, body: String| {
            Some(Input::Failed {
                summary: summary.into(),
                body,
            })
        };
        match effect {
            Effect::Notify(n) => {
                let note = Note {
                    summary: n.summary,
                    body: n.body,
                };
                if let Err(e) = self.notifier.notify(&note) {
                    tracing::warn!("{e}");
                }
                None
            }
            Effect::Save { path, key, value } => {
                match self.files.save_settings(&path, vec![(key, value)]) {
                    Ok(()) => None,
                    Err(e) => {
                        let n = crate::ui::view::save_failed_notice(key, &e);
                        failed(&n.summary, n.body)
                    }
                }
            }
            Effect::SaveTold { path, told } => {
                // At worst a notification is repeated after a restart: logged, not shown.
                if let Err(e) = self.files.save_told(&path, &told) {
                    tracing::warn!("cannot save {}: {e}", path.display());
                }
                None
            }
            Effect::SaveSettings { path, values } => {
                let keys = values.iter().map(|(k, _)| *k).collect();
                Some(Input::StartupSaved(
                    self.files.save_settings(&path, values).map(|()| keys),
                ))
            }
            Effect::ReadSecret => Some(Input::SecretRead(
                self.secrets
                    .get()
                    .map(|k| k.map(SecretString::from))
                    .map_err(|e| e.to_string()),
            )),
            Effect::AskAdminKey => {
                let answer = self.dialogs.ask_secret(
                    "UsageTracker: Admin key",
                    "Paste an OpenAI Admin key (sk-admin-…). It is kept in the system secret store.",
                );
                match answer {
                    Ok(None) => None,
                    Ok(Some(k)) => Some(Input::AdminKeyStored(store_key(
                        self.secrets.as_ref(),
                        k.trim(),
                    ))),
                    Err(e) => Some(Input::AdminKeyStored(Err(e))),
                }
            }
            Effect::ShowMessage { title, text } => match self.dialogs.show_message(&title, &text) {
                Ok(()) => None,
                Err(e) => failed("Cannot show the message", e),
            },
            Effect::OpenUrl(url) => match self.browser.open(&url) {
                Ok(()) => None,
                Err(e) => failed("Cannot open the dashboard", e),
            },
            Effect::OpenReport(job) => match self.files.open_report(&job, self.browser.as_ref()) {
                Ok(page) => {
                    tracing::info!("report written to {} and opened", page.display());
                    None
                }
                Err(e) => failed("Cannot open the report", e),
            },
            Effect::SetLoginItem(on) => {
                let login = self.login.as_ref()?;
                let changed = login.set_enabled(on).map_err(|e| e.to_string());
                Some(Input::LoginItem {
                    wanted: Some(on),
                    changed,
                    state: login.state().map_err(|e| e.to_string()),
                })
            }
            Effect::ReadLoginItem => {
                let login = self.login.as_ref()?;
                Some(Input::LoginItem {
                    wanted: None,
                    changed: Ok(()),
                    state: login.state().map_err(|e| e.to_string()),
                })
            }
            Effect::OpenLoginApproval => {
                if let Some(l) = &self.login {
                    l.open_approval_settings();
                }
                None
            }
            Effect::CheckTrayHost
            | Effect::Stderr(_)
            | Effect::Render(_)
            | Effect::Connect(..)
            | Effect::Poll(..)
            | Effect::Quit => None,
        }
    }
}

/// Validates and stores a key (writing only if it changed); the key back on success.
pub fn store_key(store: &dyn SecretStore, key: &str) -> Result<SecretString, String> {
    validate_key(key)?;
    ports::store_if_changed(store, key).map_err(|e| format!("cannot store the admin key: {e}"))?;
    Ok(SecretString::from(key))
}
