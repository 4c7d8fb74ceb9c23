//! `usage-tracker` with no subcommand: the menu-bar app.
//!
//! tao owns the main thread and sleeps between events (`ControlFlow::Wait`). The network runs on
//! a tokio runtime in another thread ([`worker`]); its results, menu clicks and dialog answers
//! all arrive here as [`AppEvent`]s through the event loop proxy. This module holds the app's
//! state, applies menu choices (saving them to the settings file), decides notifications, and
//! re-renders the view; drawing is `ui::tray`'s, wording `ui::view`'s.

mod worker;

use super::CliError;
use crate::alerts::BudgetDetector;
use crate::openai::ErrorKind;
use crate::platform::browser::{Browser, SystemBrowser};
use crate::platform::dialog::{Dialogs, SystemDialogs};
use crate::platform::login_item::{self, APPROVAL_PLACE, LoginItem, LoginState};
use crate::platform::notify::{Note, Notifier, SystemNotifier};
use crate::platform::secret::{self, SecretStore};
use crate::platform::single_instance::{self, InstanceGuard};
use crate::poller::{Command, Event, now_ms};
use crate::settings::{AdminKey, Origin, Settings, file::save_value};
use crate::ui::tray::{Tray, TrayInput};
use crate::ui::view::{self, Action, Choices, FailureView, KeyList, Notice, TrayState};
use secrecy::SecretString;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tao::event::{Event as TaoEvent, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy};
use tokio::sync::mpsc::UnboundedSender;
use worker::Job;

/// Everything that wakes the UI thread.
#[derive(Debug)]
pub enum AppEvent {
    Poll(Event),
    Keys(worker::KeysResult),
    Budget {
        day: i64,
        spent: f64,
    },
    Tray(TrayInput),
    /// The key typed in the dialog and stored, or why not.
    AdminKeyStored(Result<String, String>),
    ConnectFailed(String),
}

struct App {
    state: TrayState,
    settings: Settings,
    tray: Option<Tray>,
    jobs: UnboundedSender<Job>,
    proxy: EventLoopProxy<AppEvent>,
    notifier: Arc<dyn Notifier>,
    dialogs: Arc<dyn Dialogs>,
    login: Option<Box<dyn LoginItem>>,
    budget: Option<BudgetDetector>,
    key_rejected_told: bool,
    /// Some spike alert was active after the last successful refresh.
    spike_active: bool,
    guard: Option<InstanceGuard>,
}

pub fn run(mut settings: Settings) -> Result<ExitCode, CliError> {
    if !crate::platform::has_display() {
        return Err(CliError::Other(
            "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset): the menu-bar app needs a desktop; in a terminal use `usage-tracker once` or `usage-tracker watch`".into(),
        ));
    }
    let guard = single_instance::acquire(&single_instance::default_path())
        .map_err(|e| CliError::Other(e.to_string()))?;
    if settings.admin_key.is_none() && !settings.demo {
        match secret::system().get() {
            Ok(Some(k)) => {
                settings.admin_key = Some(AdminKey {
                    secret: SecretString::from(k),
                    origin: Origin::SecretStore,
                });
            }
            Ok(None) => {}
            Err(e) => eprintln!("usage-tracker: warning: cannot read the admin key: {e}"),
        }
    }
    let mut builder = EventLoopBuilder::<AppEvent>::with_user_event();
    let mut event_loop = builder.build();
    #[cfg(target_os = "macos")]
    {
        use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS};
        event_loop.set_activation_policy(ActivationPolicy::Accessory);
    }
    #[cfg(not(target_os = "macos"))]
    let _ = &mut event_loop;
    let proxy = event_loop.create_proxy();
    let jobs = worker::spawn(proxy.clone())?;
    let login = match login_item::current() {
        Ok(l) => Some(l),
        Err(e) => {
            tracing::warn!("{e}");
            None
        }
    };
    let mut app = App {
        state: initial_state(&settings, login.as_deref()),
        budget: settings.daily_budget.map(BudgetDetector::new),
        settings,
        tray: None,
        jobs,
        proxy,
        notifier: Arc::new(SystemNotifier::new()),
        dialogs: Arc::new(SystemDialogs),
        login,
        key_rejected_told: false,
        spike_active: false,
        guard: Some(guard),
    };
    event_loop.run(move |event, _, flow| {
        match event {
            TaoEvent::NewEvents(StartCause::Init) => {
                if let Err(e) = app.start() {
                    eprintln!("usage-tracker: {e}");
                    app.guard = None;
                    std::process::exit(1);
                }
            }
            TaoEvent::NewEvents(StartCause::ResumeTimeReached { .. }) => app.render(),
            TaoEvent::UserEvent(e) => {
                if app.on_event(e) {
                    app.guard = None;
                    *flow = ControlFlow::Exit;
                    return;
                }
            }
            _ => return,
        }
        *flow = app.next_wake();
    })
}

fn initial_state(settings: &Settings, login: Option<&dyn LoginItem>) -> TrayState {
    let login_state = login.and_then(|l| l.state().ok());
    TrayState {
        has_key: settings.admin_key.is_some() || settings.demo,
        snapshot: None,
        failure: None,
        refreshing: false,
        choices: Choices {
            title: settings.title,
            lookback_hours: settings.lookback_hours,
            tier: settings.tier,
            api_key_ids: settings.api_key_ids.clone(),
        },
        keys: KeyList::Loading,
        login_item: login_state.map(|s| s == LoginState::On),
        login_needs_approval: login_state == Some(LoginState::NeedsApproval),
        interval_secs: settings.interval.as_secs(),
        budget: None,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

impl App {
    fn start(&mut self) -> Result<(), String> {
        crate::ui::tray::forward_events(self.proxy.clone(), AppEvent::Tray);
        self.tray = Some(Tray::new(&view::tray_view(&self.state, now_ms()))?);
        if self.state.has_key {
            self.connect();
        }
        Ok(())
    }

    fn connect(&mut self) {
        self.state.keys = KeyList::Loading;
        let _ = self
            .jobs
            .send(Job::Connect(Box::new(self.settings.clone())));
    }

    fn render(&mut self) {
        let v = view::tray_view(&self.state, now_ms());
        if let Some(t) = &mut self.tray {
            t.render(&v);
        }
    }

    /// Sleep until the next event, or until the data turns stale (the title then shows it).
    fn next_wake(&self) -> ControlFlow {
        let Some(s) = &self.state.snapshot else {
            return ControlFlow::Wait;
        };
        let stale_at = s.fetched_at_ms
            + view::STALE_INTERVALS * 1000 * self.state.interval_secs.max(1) as i64
            + 1;
        let wait = stale_at - now_ms();
        if wait > 0 && self.state.failure.is_none() {
            ControlFlow::WaitUntil(Instant::now() + Duration::from_millis(wait as u64))
        } else {
            ControlFlow::Wait
        }
    }

    fn notify(&self, n: Notice) {
        let notifier = self.notifier.clone();
        // Sending blocks on IPC: not on the UI thread.
        std::thread::spawn(move || {
            let note = Note {
                summary: n.summary,
                body: n.body,
            };
            if let Err(e) = notifier.notify(&note) {
                tracing::warn!("{e}");
            }
        });
    }

    fn poll(&self, cmd: Command) {
        let _ = self.jobs.send(Job::Poll(cmd));
    }

    /// Handles one event; `true` to quit.
    fn on_event(&mut self, e: AppEvent) -> bool {
        match e {
            AppEvent::Poll(ev) => self.on_poll(ev),
            AppEvent::Keys(r) => {
                self.state.keys = match r {
                    Ok(k) => KeyList::Loaded(k),
                    Err(kind) => KeyList::Failed(kind),
                }
            }
            AppEvent::Budget { day, spent } => {
                if let Some(d) = &mut self.budget {
                    self.state.budget = Some((spent, d.budget()));
                    if let Some(a) = d.observe(day, spent) {
                        self.notify(view::budget_notice(&a));
                    }
                }
            }
            AppEvent::Tray(TrayInput::Clicked) => {
                if self.state.has_key {
                    self.poll(Command::RefreshIfOlderThan(self.settings.interval));
                }
            }
            AppEvent::Tray(TrayInput::Menu(action)) => return self.on_action(action),
            AppEvent::AdminKeyStored(Ok(key)) => {
                self.settings.admin_key = Some(AdminKey {
                    secret: SecretString::from(key),
                    origin: Origin::SecretStore,
                });
                self.state.has_key = true;
                self.state.snapshot = None;
                self.state.failure = None;
                self.key_rejected_told = false;
                self.connect();
            }
            AppEvent::AdminKeyStored(Err(e)) | AppEvent::ConnectFailed(e) => {
                self.notify(Notice {
                    summary: "UsageTracker".into(),
                    body: e,
                });
            }
        }
        self.render();
        false
    }

    fn on_poll(&mut self, ev: Event) {
        match ev {
            Event::Refreshing => self.state.refreshing = true,
            Event::Updated(snap) => {
                if let Some(n) = view::spike_start_notice(self.spike_active, &snap.new_alerts) {
                    self.notify(n);
                }
                self.spike_active = !snap.alerts.is_empty();
                self.state.snapshot = Some(snap);
                self.state.failure = None;
                self.state.refreshing = false;
                self.key_rejected_told = false;
            }
            Event::Repriced(snap) => self.state.snapshot = Some(snap),
            Event::Failed(f) => {
                let kind = f.error.kind();
                tracing::warn!("refresh failed: {}", f.error);
                self.state.refreshing = false;
                self.state.failure = Some(FailureView {
                    kind,
                    retry_at: Some((f.at_ms + f.retry_in.as_millis() as i64) / 1000),
                });
                if kind == ErrorKind::InvalidKey && !self.key_rejected_told {
                    self.key_rejected_told = true;
                    self.notify(view::key_rejected_notice());
                }
            }
        }
    }

    /// Saves one choice; a failure is told, not fatal (the choice still applies now).
    fn save(&self, key: &str, value: impl Into<toml_edit::Value>) {
        let Some(path) = &self.settings.settings_path else {
            return;
        };
        if let Err(e) = save_value(path, key, value) {
            self.notify(Notice {
                summary: "Cannot save the setting".into(),
                body: e.to_string(),
            });
        }
    }

    fn on_action(&mut self, action: Action) -> bool {
        let c = &mut self.state.choices;
        match action {
            Action::Refresh => self.poll(Command::RefreshNow),
            Action::Lookback(h) => {
                c.lookback_hours = f64::from(h);
                self.settings.lookback_hours = f64::from(h);
                self.save("lookback_hours", i64::from(h));
                self.poll(Command::SetLookbackSecs(i64::from(h) * 3600));
            }
            Action::Tier(t) => {
                c.tier = t;
                self.settings.tier = t;
                self.save("tier", t.as_str());
                self.poll(Command::SetTier(t));
            }
            Action::Title(t) => {
                c.title = t;
                self.settings.title = t;
                self.save("title", t.as_str());
            }
            Action::Track(id) => {
                let ids: Vec<String> = id.into_iter().collect();
                c.api_key_ids.clone_from(&ids);
                self.settings.api_key_ids.clone_from(&ids);
                self.save("api_key_ids", ids.iter().collect::<toml_edit::Array>());
                self.poll(Command::SetApiKeyIds(ids));
            }
            Action::SetAdminKey => self.ask_admin_key(),
            Action::Dashboard => {
                if let Err(e) = SystemBrowser.open(view::DASHBOARD_URL) {
                    self.notify(Notice {
                        summary: "Cannot open the dashboard".into(),
                        body: e,
                    });
                }
            }
            Action::LoginItem => self.toggle_login_item(),
            Action::About => {
                let dialogs = self.dialogs.clone();
                let text = about_text(&self.settings);
                std::thread::spawn(move || dialogs.show_message("About UsageTracker", &text));
            }
            Action::Quit => return true,
        }
        self.render();
        false
    }

    /// The check item shows the real state: re-read after the change, unchanged if it failed.
    /// A login item waiting for the user's approval (macOS) shows unchecked; turning it on then
    /// says where to approve it and opens that place, on every click until it is approved.
    fn toggle_login_item(&mut self) {
        let Some(login) = &self.login else { return };
        let want = self.state.login_item != Some(true);
        if let Err(e) = login.set_enabled(want) {
            self.notify(Notice {
                summary: "Cannot change Launch at login".into(),
                body: e.to_string(),
            });
        }
        let now = login.state();
        if want && matches!(now, Ok(LoginState::NeedsApproval)) {
            login.open_approval_settings();
            self.notify(Notice {
                summary: "Launch at login needs your approval".into(),
                body: format!("Switch UsageTracker on in {APPROVAL_PLACE}."),
            });
        }
        self.state.login_needs_approval = matches!(now, Ok(LoginState::NeedsApproval));
        self.state.login_item = now.ok().map(|s| s == LoginState::On);
    }

    fn ask_admin_key(&self) {
        let (dialogs, proxy) = (self.dialogs.clone(), self.proxy.clone());
        std::thread::spawn(move || {
            let answer = dialogs.ask_secret(
                "UsageTracker: Admin key",
                "Paste an OpenAI Admin key (sk-admin-…). It is kept in the system secret store.",
            );
            let result = match answer {
                Ok(None) => return,
                Ok(Some(k)) => store_key(k.trim()),
                Err(e) => Err(e),
            };
            let _ = proxy.send_event(AppEvent::AdminKeyStored(result));
        });
    }
}

/// Validates and stores a key (writing only if it changed); the key back on success.
pub fn store_key(key: &str) -> Result<String, String> {
    validate_key(key)?;
    let store = secret::system();
    secret::store_if_changed(&store, key)
        .map_err(|e| format!("cannot store the admin key: {e}"))?;
    Ok(key.to_owned())
}

/// The check of a key typed at `admin-key set` or in the menu's dialog; `Err` says why.
pub fn validate_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("that is not an admin key: it is empty or has spaces or line breaks".into());
    }
    if key.starts_with("sk-proj-") {
        return Err("that is a project key (sk-proj-...), which cannot read usage: create an Admin key (sk-admin-...) at https://platform.openai.com/settings/organization/admin-keys".into());
    }
    Ok(())
}

fn about_text(s: &Settings) -> String {
    let settings = s
        .settings_path
        .as_ref()
        .map_or_else(|| "none".to_owned(), |p| p.display().to_string());
    format!(
        "UsageTracker {}\nLive tokens and estimated cost of an OpenAI API key.\nPrices compiled {}; costs are estimates.\nSettings file: {settings}",
        env!("CARGO_PKG_VERSION"),
        s.prices.compiled
    )
}
