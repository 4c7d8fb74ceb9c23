//! Performs the core's effects that touch the platform: notifications, the settings write, the
//! secret store, dialogs, the browser, the report and the login item. All of them may block (IPC, XPC, a
//! dialog waiting for the user), so the shell runs them on a worker thread, never on the UI
//! thread. Each returns what the core must hear back. Tests run them with the platform fakes.

use super::core::{Effect, Input};
use crate::commands::admin_key::validate_key;
use crate::platform::browser::Browser;
use crate::platform::dialog::Dialogs;
use crate::platform::login_item::LoginItem;
use crate::platform::menu_bar;
use crate::platform::notify::{Note, Notifier};
use crate::platform::secret::{self, SecretStore};
use crate::settings::file::{save_value, save_values};
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
}

impl Platform {
    /// Performs one effect (blocking); `None` when the core needs no answer. Render, Connect,
    /// Poll and Quit are the shell's and answer nothing here.
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
            Effect::Save { path, key, value } => match save_value(&path, key, value) {
                Ok(()) => None,
                Err(e) => {
                    let n = crate::ui::view::save_failed_notice(key, &e);
                    failed(&n.summary, n.body)
                }
            },
            Effect::SaveTold { path, told } => {
                // At worst a notification is repeated after a restart: logged, not shown.
                if let Err(e) = super::told::save(&path, &told) {
                    tracing::warn!("cannot save {}: {e}", path.display());
                }
                None
            }
            Effect::SaveSettings { path, values } => {
                let keys = values.iter().map(|(k, _)| *k).collect();
                Some(Input::StartupSaved(
                    save_values(&path, values)
                        .map(|()| keys)
                        .map_err(|e| e.to_string()),
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
            Effect::OpenReport(job) => {
                let now = crate::engine::now_ms().div_euclid(1000);
                match crate::commands::report::menu::open_from_menu(
                    &job,
                    self.browser.as_ref(),
                    now,
                ) {
                    Ok(page) => {
                        tracing::info!("report written to {} and opened", page.display());
                        None
                    }
                    Err(e) => failed("Cannot open the report", e),
                }
            }
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
            Effect::CheckTrayHost => Some(Input::TrayHost(menu_bar::tray_host())),
            Effect::Stderr(line) => {
                eprintln!("{line}");
                None
            }
            Effect::Render(_) | Effect::Connect(..) | Effect::Poll(..) | Effect::Quit => None,
        }
    }
}

/// Validates and stores a key (writing only if it changed); the key back on success.
pub fn store_key(store: &dyn SecretStore, key: &str) -> Result<SecretString, String> {
    validate_key(key)?;
    secret::store_if_changed(store, key).map_err(|e| format!("cannot store the admin key: {e}"))?;
    Ok(SecretString::from(key))
}
