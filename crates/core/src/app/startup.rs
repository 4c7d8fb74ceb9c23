//! The core's rule for what a start at login would lose: the settings this run was started
//! with from flags or the environment (the login item starts the bare app). While launch at
//! login is on the menu offers to write them into the settings file; the offer goes once they
//! are saved, and a setting the menu saves itself (a lookback, a tier) leaves it. Never in
//! `--demo`, never the admin key (it has no file key: it belongs in the secret store).

use super::{AppCore, Effect};
use crate::settings::{Origin, StartupValue};
use crate::ui::view::Notice;

/// How the user gave it: `--daily-budget`, `USAGE_TRACKER_BASE_URL`.
fn as_given(v: &StartupValue) -> String {
    match &v.origin {
        Origin::Flag(flag) => (*flag).to_owned(),
        Origin::Env(var) | Origin::DotEnv { var, .. } => (*var).to_owned(),
        other => other.to_string(),
    }
}

impl AppCore {
    /// Keeps the menu's list in step with what is left to save.
    fn show_startup(&mut self) {
        self.state.startup_options = self.startup_only.iter().map(as_given).collect();
    }

    /// What `--demo` and a run without a settings file never offer.
    pub(super) fn init_startup(&mut self) {
        if !self.settings.demo && self.settings.settings_path.is_some() {
            self.startup_only = self.settings.startup_only.clone();
        }
        self.show_startup();
    }

    /// The menu wrote `key` itself: the file holds the run's value now.
    pub(super) fn startup_saved_by_menu(&mut self, key: &str) {
        self.startup_only.retain(|v| v.key != key);
        self.show_startup();
    }

    pub(super) fn save_startup(&mut self, out: &mut Vec<Effect>) {
        let Some(path) = self.settings.settings_path.clone() else {
            return;
        };
        if self.settings.demo || self.startup_only.is_empty() {
            return;
        }
        let values = self
            .startup_only
            .iter()
            .map(|v| (v.key, v.value.clone()))
            .collect();
        out.push(Effect::SaveSettings { path, values });
    }

    pub(super) fn on_startup_saved(
        &mut self,
        saved: Result<Vec<&'static str>, String>,
        out: &mut Vec<Effect>,
    ) {
        match saved {
            Ok(keys) => {
                let given: Vec<String> = self
                    .startup_only
                    .iter()
                    .filter(|v| keys.contains(&v.key))
                    .map(as_given)
                    .collect();
                self.startup_only.retain(|v| !keys.contains(&v.key));
                self.show_startup();
                let place = self
                    .settings
                    .settings_path
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" in {}", p.display()));
                out.push(Effect::Notify(Notice {
                    summary: "Start-up options saved for login".into(),
                    body: format!(
                        "{} now set{place}: a start at login uses them too.",
                        keys.join(", ")
                    ),
                }));
                tracing::info!("saved for login: {}", given.join(", "));
            }
            Err(body) => out.push(Effect::Notify(Notice {
                summary: "Cannot save the start-up options".into(),
                body,
            })),
        }
    }

    /// Turning launch at login on while the run has options a login start would lose: say so
    /// and where the offer is.
    pub(super) fn tell_startup_on_login(&self, out: &mut Vec<Effect>) {
        if self.startup_only.is_empty() {
            return;
        }
        out.push(Effect::Notify(Notice {
            summary: "Launch at login starts the app without your start-up options".into(),
            body: format!(
                "{} apply to this run only. Choose “Save start-up options for login” in the menu to keep them in the settings file.",
                self.state.startup_options.join(", ")
            ),
        }));
    }
}
