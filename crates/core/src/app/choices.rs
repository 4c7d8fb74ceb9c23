//! The menu's choices: what a chosen row does (saved unless `--demo`, sent to the poller,
//! asked of the platform), and the login item's state read back after a change.

use super::engine::Command;
use super::ports::{APPROVAL_PLACE, LoginState};
use super::{AppCore, Effect, report};
use crate::settings::Settings;
use crate::ui::view::{self, Action, Notice};

impl AppCore {
    /// Saves one choice; `--demo` saves nothing (its choices, such as the demo key, would
    /// mislead a later real run).
    pub(super) fn save(
        &mut self,
        key: &'static str,
        value: impl Into<toml_edit::Value>,
        out: &mut Vec<Effect>,
    ) {
        if self.settings.demo {
            return;
        }
        if let Some(path) = &self.settings.settings_path {
            out.push(Effect::Save {
                path: path.clone(),
                key,
                value: value.into(),
            });
            self.startup_saved_by_menu(key);
        }
    }

    fn track(&mut self, ids: Vec<String>, out: &mut Vec<Effect>) {
        self.state.choices.api_key_ids.clone_from(&ids);
        self.settings.api_key_ids.clone_from(&ids);
        self.save("api_key_ids", ids.iter().collect::<toml_edit::Array>(), out);
        // The bill and today's estimate were the old keys'; the poller fetches the new ones.
        self.state.bill = None;
        self.state.glance = None;
        out.push(Effect::Poll(self.session, Command::SetApiKeyIds(ids)));
    }

    pub(super) fn on_action(&mut self, action: Action, out: &mut Vec<Effect>) {
        let session = self.session;
        match action {
            Action::Refresh => out.push(Effect::Poll(session, Command::RefreshNow)),
            Action::Lookback(h) => {
                self.state.choices.lookback_hours = f64::from(h);
                self.settings.lookback_hours = f64::from(h);
                self.state.choices.calendar = None;
                self.settings.calendar = None;
                self.save("lookback_hours", i64::from(h), out);
                let cmd = Command::SetLookbackSecs(i64::from(h) * 3600);
                out.push(Effect::Poll(session, cmd));
            }
            Action::Calendar(c) => {
                // Saved as the hours are, by name: `lookback_hours = "today"`.
                self.state.choices.calendar = Some(c);
                self.settings.calendar = Some(c);
                self.save("lookback_hours", c.as_str(), out);
                out.push(Effect::Poll(session, Command::SetCalendar(Some(c))));
            }
            Action::OtherLookback => {}
            Action::Tier(t) => {
                self.state.choices.tier = t;
                self.settings.tier = t;
                self.save("tier", t.as_str(), out);
                out.push(Effect::Poll(session, Command::SetTier(t)));
            }
            Action::Title(t) => {
                self.state.choices.title = t;
                self.settings.title = t;
                self.save("title", t.as_str(), out);
            }
            Action::Track(id) => self.track(id.into_iter().collect(), out),
            Action::TrackSet(ids) => self.track(ids, out),
            Action::SetAdminKey => out.push(Effect::AskAdminKey),
            Action::Dashboard => out.push(Effect::OpenUrl(view::DASHBOARD_URL.into())),
            Action::OpenReport => match report::job(&self.report, &self.settings) {
                Ok(job) => out.push(Effect::OpenReport(job)),
                Err(n) => out.push(Effect::Notify(n)),
            },
            Action::LoginItem => {
                if self.state.login_item.is_some() {
                    out.push(Effect::SetLoginItem(self.state.login_item != Some(true)));
                }
            }
            Action::SaveStartup => self.save_startup(out),
            Action::About => out.push(Effect::ShowMessage {
                title: "About UsageTracker".into(),
                text: about_text(&self.settings),
            }),
            Action::Quit => out.push(Effect::Quit),
        }
    }

    /// The check item shows the state read back: unchanged when the change failed. A login
    /// item waiting for approval (macOS) shows unchecked; turning it on then says where to
    /// approve it and opens that place, on every click until it is approved.
    pub(super) fn on_login_item(
        &mut self,
        wanted: Option<bool>,
        changed: Result<(), String>,
        state: Result<LoginState, String>,
        out: &mut Vec<Effect>,
    ) {
        if let Err(body) = changed {
            out.push(Effect::Notify(Notice {
                summary: "Cannot change Launch at login".into(),
                body,
            }));
        }
        let waiting = matches!(state, Ok(LoginState::NeedsApproval));
        if wanted == Some(true) && waiting {
            out.push(Effect::OpenLoginApproval);
            out.push(Effect::Notify(Notice {
                summary: "Launch at login needs your approval".into(),
                body: format!("Switch UsageTracker on in {APPROVAL_PLACE}."),
            }));
        }
        if let Err(e) = &state {
            tracing::warn!("{e}");
        }
        self.state.login_needs_approval = waiting;
        self.state.login_item = state.ok().map(|s| s == LoginState::On);
        if wanted == Some(true) && (waiting || self.state.login_item == Some(true)) {
            self.tell_startup_on_login(out);
        }
    }
}

fn about_text(s: &Settings) -> String {
    let settings = match (&s.settings_path, s.demo) {
        (_, true) => "not used in the demo".to_owned(),
        (Some(p), false) => p.display().to_string(),
        (None, false) => "none".to_owned(),
    };
    format!(
        "UsageTracker {}\nLive tokens and estimated cost of an OpenAI API key.\nPrices compiled {}; costs are estimates.\nSettings file: {settings}",
        env!("CARGO_PKG_VERSION"),
        s.prices.compiled
    )
}
