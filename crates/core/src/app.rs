//! The menu-bar app's decisions, pure: [`AppCore::on`] takes one [`Input`] (a poller update, the
//! key list, a menu click, a dialog's answer, a timer) and the time, updates the state and
//! returns the [`Effect`]s to perform (render this view, notify this, save this choice, send
//! this to the poller, ask for the key, change the login item, open a URL, quit). The shell in
//! the binary (`commands/app.rs`) performs them on the right thread, the platform's through
//! [`Platform::run`] behind the small traits of [`ports`]; nothing here blocks, draws or does
//! I/O, so every rule is unit-tested with plain values and the [`ports::fakes`].
//!
//! Rules owned here: a spike and a rejected key are told once; the daily budget once per day,
//! the monthly one once per month and the check of the estimate once per day ([`bill`]); menu
//! choices are saved, except in `--demo` ([`choices`]); a connection's events carry its session and a
//! replaced session's are dropped; the menu keeps its shape while it is open; the login item
//! shows the state read back after a change; what a start at login would lose is offered to be
//! saved ([`startup`]).

use crate::alerts::BudgetDetector;
use crate::openai::ErrorKind;
use crate::settings::{AdminKey, Origin, Settings, StartupValue};
use crate::ui::view::{self, Choices, FailureView, KeyList, Notice, TrayState, TrayView};
use bill::BillRules;
use secrecy::SecretString;
use std::path::PathBuf;

mod bill;
mod choices;
pub mod effects;
pub mod engine;
mod io;
pub mod ports;
pub mod report;
mod startup;
pub mod told;

pub use effects::Platform;
pub use engine::{Command, Event, Failure};
pub use io::{Effect, Input, KeysResult, SessionId, TrayInput};
use ports::TrayHost;

/// A refresh running longer than this is waiting on the API (retries, `Retry-After`).
pub const SLOW_REFRESH_MS: i64 = 8_000;
/// How long after the icon is clicked (macOS: the menu opens) the menu counts as open when
/// no menu row is chosen and the platform says nothing of the menu itself.
pub const MENU_OPEN_MS: i64 = 30_000;
/// How long the menu counts as open after the platform said it opened, should its close never
/// be told: no rebuild waits forever.
pub const MENU_OPEN_MAX_MS: i64 = 10 * 60_000;

pub struct AppCore {
    state: TrayState,
    settings: Settings,
    session: SessionId,
    budget: Option<BudgetDetector>,
    bill: BillRules,
    key_rejected_told: bool,
    /// Some spike alert was active after the last successful refresh.
    spike_active: bool,
    refreshing_since: Option<i64>,
    /// Until when the menu counts as open (macOS); `None`: closed.
    menu_open_until: Option<i64>,
    /// The platform tells when the menu opens and closes (AppKit's menu tracking): no guess
    /// from a click then.
    menu_told: bool,
    /// The view last rendered.
    shown: Option<TrayView>,
    no_host_told: bool,
    /// What a start at login would lose and is not saved yet.
    startup_only: Vec<StartupValue>,
    /// Where "Open report…" reads and writes, or why it is off ([`report::place`]).
    report: Result<(PathBuf, PathBuf), (String, String)>,
}

impl AppCore {
    /// The app as `settings` start it. `--demo`'s key is the shell's to set (the simulator's
    /// demo key, unless told otherwise) before this.
    pub fn new(settings: Settings) -> AppCore {
        let state = TrayState {
            has_key: settings.admin_key.is_some() || settings.demo,
            // Started reads the secret store when no key came with the settings.
            reading_key: settings.admin_key.is_none() && !settings.demo,
            snapshot: None,
            failure: None,
            refreshing: false,
            waiting: false,
            choices: Choices {
                title: settings.title,
                lookback_hours: settings.lookback_hours,
                calendar: settings.calendar,
                tier: settings.tier,
                api_key_ids: settings.api_key_ids.clone(),
            },
            key_set: if settings.api_key_ids.len() > 1 {
                settings.api_key_ids.clone()
            } else {
                Vec::new()
            },
            keys: KeyList::Loading,
            login_item: None,
            login_needs_approval: false,
            startup_options: Vec::new(),
            interval_secs: settings.interval.as_secs(),
            budget: None,
            bill: None,
            monthly_budget: settings.monthly_budget,
            glance: None,
            report_unavailable: None,
            stored: Default::default(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        let report = report::place(&settings.history, settings.demo);
        let mut core = AppCore {
            state,
            budget: settings.daily_budget.map(BudgetDetector::new),
            bill: BillRules::new(
                settings.monthly_budget,
                (!settings.demo)
                    .then_some(settings.settings_path.as_deref())
                    .flatten()
                    .map(told::path_beside),
            ),
            settings,
            session: 0,
            key_rejected_told: false,
            spike_active: false,
            refreshing_since: None,
            menu_open_until: None,
            menu_told: false,
            shown: None,
            no_host_told: false,
            startup_only: Vec::new(),
            report,
        };
        core.state.report_unavailable = core.report.as_ref().err().map(|(why, _)| why.clone());
        core.init_startup();
        core
    }

    #[cfg(test)]
    pub fn state(&self) -> &TrayState {
        &self.state
    }

    /// Where the shell keeps what the bill's notifications told; `None` in `--demo`.
    pub fn told_path(&self) -> Option<&std::path::Path> {
        self.bill.told_path().map(PathBuf::as_path)
    }

    /// What a previous launch told, loaded by the shell from [`Self::told_path`].
    pub fn restore_told(&mut self, told: told::Told) {
        self.bill.restore(told);
    }

    /// The view to show first, before the event loop runs.
    pub fn first_view(&mut self, now_ms: i64) -> TrayView {
        let v = view::tray_view(&self.state, now_ms);
        self.shown = Some(v.clone());
        v
    }

    /// When the core next needs a [`Input::Tick`] (unix ms): the data turning stale, a long
    /// refresh, the menu's open time running out. Never a time already past (the shell would
    /// wake at once, again and again): stored figures, or figures already stale, wake nothing.
    pub fn next_wake(&self, now_ms: i64) -> Option<i64> {
        let stale = self
            .state
            .snapshot
            .as_ref()
            .filter(|_| self.state.failure.is_none() && !self.state.shows_stored())
            .map(|s| {
                s.fetched_at_ms
                    + view::STALE_INTERVALS * 1000 * self.state.interval_secs.max(1) as i64
                    + 1
            })
            .filter(|&t| t > now_ms);
        let slow = self
            .refreshing_since
            .filter(|_| !self.state.waiting)
            .map(|t| t + SLOW_REFRESH_MS);
        [stale, slow, self.menu_open_until]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn on(&mut self, input: Input, now_ms: i64) -> Vec<Effect> {
        let mut out = Vec::new();
        match input {
            Input::Started => {
                out.push(Effect::CheckTrayHost);
                out.push(Effect::ReadLoginItem);
                if self.state.has_key {
                    self.connect(&mut out);
                } else {
                    out.push(Effect::ReadSecret);
                }
            }
            Input::SecretRead(Ok(Some(secret))) => {
                self.state.reading_key = false;
                self.use_key(secret, &mut out);
            }
            Input::SecretRead(Ok(None)) => self.state.reading_key = false,
            Input::SecretRead(Err(e)) => {
                self.state.reading_key = false;
                out.push(Effect::Notify(Notice {
                    summary: "Cannot read the admin key".into(),
                    body: e,
                }));
            }
            Input::Poll(s, ev) if s == self.session => self.on_poll(ev, now_ms, &mut out),
            Input::Keys(s, r) if s == self.session => {
                self.state.keys = match r {
                    Ok(k) => KeyList::Loaded(k),
                    Err(kind) => KeyList::Failed(kind),
                }
            }
            Input::Budget {
                session,
                day,
                spent,
            } if session == self.session => {
                if let Some(d) = &mut self.budget {
                    self.state.budget = Some((spent, d.budget()));
                    if let Some(a) = d.observe(day, spent) {
                        out.push(Effect::Notify(view::budget_notice(
                            &a,
                            &view::subject(&self.state),
                        )));
                    }
                }
            }
            Input::History { session, view } if session == self.session => {
                self.state.glance = Some(view);
                // Today's UTC estimate is the glance's: the month's budget follows it.
                self.bill.month(&self.state, now_ms, &mut out);
            }
            Input::ConnectFailed(s, e) if s == self.session => out.push(Effect::Notify(Notice {
                summary: "UsageTracker".into(),
                body: e,
            })),
            // Told in the log once, shown as a row; every connection opens the store again and
            // says the same, which is not news.
            Input::HistoryNotice(s, why) if s == self.session => {
                if self.state.stored.notice.as_ref() != Some(&why) {
                    tracing::warn!("{why}");
                    self.state.stored.notice = Some(why);
                }
            }
            // A replaced session's late events.
            Input::Poll(..)
            | Input::Keys(..)
            | Input::Budget { .. }
            | Input::History { .. }
            | Input::ConnectFailed(..)
            | Input::HistoryNotice(..) => {
                return out;
            }
            Input::Tray(TrayInput::MenuOpened) => {
                self.menu_told = true;
                self.menu_open_until = Some(now_ms + MENU_OPEN_MAX_MS);
            }
            Input::Tray(TrayInput::MenuClosed) => self.menu_open_until = None,
            Input::Tray(TrayInput::Clicked) => {
                if !self.menu_told {
                    self.menu_open_until = Some(now_ms + MENU_OPEN_MS);
                }
                out.push(Effect::ReadLoginItem);
                if self.state.has_key {
                    let cmd = Command::RefreshIfOlderThan(self.settings.interval);
                    out.push(Effect::Poll(self.session, cmd));
                }
            }
            Input::Tray(TrayInput::Menu(action)) => {
                // Choosing a row closes the menu.
                self.menu_open_until = None;
                self.on_action(action, &mut out);
            }
            Input::AdminKeyStored(Ok(secret)) => self.use_key(secret, &mut out),
            Input::AdminKeyStored(Err(body)) => out.push(Effect::Notify(Notice {
                summary: "Cannot set the admin key".into(),
                body,
            })),
            Input::LoginItem {
                wanted,
                changed,
                state,
            } => self.on_login_item(wanted, changed, state, &mut out),
            Input::Failed { summary, body } => out.push(Effect::Notify(Notice { summary, body })),
            Input::TrayHost(TrayHost::Missing(advice)) if !self.no_host_told => {
                self.no_host_told = true;
                out.push(Effect::Stderr(format!("usage-tracker: warning: {advice}")));
                out.push(Effect::Notify(Notice {
                    summary: "UsageTracker: no place to show the icon".into(),
                    body: advice,
                }));
            }
            Input::TrayHost(TrayHost::Unknown(why)) => {
                tracing::info!("cannot tell whether a tray host runs: {why}");
            }
            Input::TrayHost(_) => {}
            Input::StartupSaved(saved) => self.on_startup_saved(saved, &mut out),
            Input::Tick => {
                if self.menu_open_until.is_some_and(|t| now_ms >= t) {
                    self.menu_open_until = None;
                }
                if let Some(t) = self.refreshing_since {
                    self.state.waiting = now_ms - t >= SLOW_REFRESH_MS;
                }
            }
        }
        if !matches!(out.last(), Some(Effect::Quit)) {
            out.push(self.render(now_ms));
        }
        out
    }

    /// The view now; while the menu is open a view of another shape waits (rows coming or
    /// going would replace the open menu): the title updates, the rows follow on close.
    fn render(&mut self, now_ms: i64) -> Effect {
        let mut v = view::tray_view(&self.state, now_ms);
        let open = self.menu_open_until.is_some_and(|t| now_ms < t);
        if let Some(shown) = self.shown.as_ref().filter(|_| open)
            && !view::same_shape(&shown.menu, &v.menu)
        {
            v.menu = shown.menu.clone();
        }
        self.shown = Some(v.clone());
        Effect::Render(v)
    }

    fn connect(&mut self, out: &mut Vec<Effect>) {
        self.session += 1;
        self.state.keys = KeyList::Loading;
        self.state.snapshot = None;
        self.state.stored.as_of_ms = None;
        self.state.failure = None;
        // Another key's bill; the days told and the month's budget stay told.
        self.state.bill = None;
        self.state.glance = None;
        self.state.refreshing = false;
        self.state.waiting = false;
        self.refreshing_since = None;
        self.key_rejected_told = false;
        self.spike_active = false;
        out.push(Effect::Connect(
            self.session,
            Box::new(self.settings.clone()),
        ));
    }

    fn use_key(&mut self, secret: SecretString, out: &mut Vec<Effect>) {
        self.settings.admin_key = Some(AdminKey {
            secret,
            origin: Origin::SecretStore,
        });
        self.state.has_key = true;
        self.connect(out);
    }

    fn on_poll(&mut self, ev: Event, now_ms: i64, out: &mut Vec<Effect>) {
        match ev {
            Event::Refreshing => {
                self.state.refreshing = true;
                self.refreshing_since.get_or_insert(now_ms);
            }
            Event::Updated(snap) => {
                let about = view::subject(&self.state);
                if let Some(n) =
                    view::spike_start_notice(self.spike_active, &snap.new_alerts, &about)
                {
                    out.push(Effect::Notify(n));
                }
                self.spike_active = !snap.alerts.is_empty();
                self.state.snapshot = Some(snap);
                self.state.stored.as_of_ms = None;
                self.state.failure = None;
                self.end_refresh();
                self.key_rejected_told = false;
                // Changed elsewhere (`login-item disable`)? Linux gives no menu-open event.
                out.push(Effect::ReadLoginItem);
            }
            // Stored figures re-priced stay stored (and as old as they were).
            Event::Repriced(snap) => self.state.snapshot = Some(snap),
            // The store's figures for the window, before its first refresh answers (at launch,
            // after a lookback or key change): shown at once, marked until that refresh.
            Event::Restored(snap) => {
                self.state.stored.as_of_ms = Some(snap.fetched_at_ms);
                self.state.snapshot = Some(snap);
            }
            Event::Glance(view) => self.state.glance = Some(view),
            Event::Failed(f) => {
                let kind = f.error.kind();
                tracing::warn!("refresh failed: {}", f.error);
                self.end_refresh();
                self.state.failure = Some(FailureView {
                    kind,
                    retry_at: Some((f.at_ms + f.retry_in.as_millis() as i64) / 1000),
                });
                if kind == ErrorKind::InvalidKey && !self.key_rejected_told {
                    self.key_rejected_told = true;
                    out.push(Effect::Notify(view::key_rejected_notice()));
                }
            }
            Event::Billed(bill) => {
                self.state.bill = Some(bill);
                let keys = &self.settings.api_key_ids;
                self.bill.billed(&self.state, keys, now_ms, out);
            }
        }
    }

    fn end_refresh(&mut self) {
        self.state.refreshing = false;
        self.state.waiting = false;
        self.refreshing_since = None;
    }
}

#[cfg(test)]
mod tests;
