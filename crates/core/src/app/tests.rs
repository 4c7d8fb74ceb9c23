//! The core driven with values; its platform effects run against the platform fakes through
//! the same [`Platform::run`] the app uses, and their answers are fed back in. The files are
//! the fakes' too (in memory); the binary's tests write real ones.

use super::*;
use crate::alerts::{Alert, AlertKind, Thresholds};
use crate::app::ports::fakes::{
    FakeBrowser, FakeDialogs, FakeFiles, FakeLoginItem, FakeNotifier, FakeSecretStore,
};
use crate::app::ports::{LoginItem, SecretStore};
use crate::openai::ApiError;
use crate::pricing::{PriceTable, TierChoice};
use crate::settings::{Retention, TitleFormat};
use crate::snapshot::{FetchStats, Snapshot};
use crate::ui::view::Action;
use crate::ui::view::Node;
use crate::usage::{BucketWidth, ModelSummary, Summary, Totals, Window};
use std::sync::Arc;
use std::time::Duration;

const T0: i64 = 1_764_000_000_000;
const KEY: &str = "sk-admin-test-secret-0123456789";

fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        admin_key: Some(AdminKey {
            secret: SecretString::from(KEY),
            origin: Origin::SecretStore,
        }),
        api_key_ids: vec![],
        project_ids: vec![],
        lookback_hours: 6.0,
        calendar: None,
        bucket_width: BucketWidth::Minute,
        interval: Duration::from_secs(15),
        tier: TierChoice::Auto,
        thresholds: Thresholds {
            tokens_per_min: 1e4,
            requests_per_min: 120.0,
        },
        prices: Arc::new(PriceTable::builtin().clone()),
        pricing_file: None,
        price_mode: crate::pricing::PriceMode::Bill,
        base_url: "http://127.0.0.1:9/v1".into(),
        daily_budget: Some(1.0),
        monthly_budget: None,
        title: TitleFormat::TokensAndCost,
        timeout: Duration::from_secs(20),
        settings_path: Some(dir.join("settings.toml")),
        dotenv_files: vec![],
        warnings: vec![],
        demo: false,
        startup_only: vec![],
        history: crate::settings::HistoryDir::Off(Origin::Default),
        history_keep: Retention::default(),
    }
}

struct Harness {
    core: AppCore,
    platform: Platform,
    notifier: Arc<FakeNotifier>,
    login: Arc<FakeLoginItem>,
    browser: Arc<FakeBrowser>,
    dialogs: Arc<FakeDialogs>,
    secrets: Arc<FakeSecretStore>,
    files: Arc<FakeFiles>,
    now: i64,
}

/// Where the harness's settings file is (in [`FakeFiles`]: nothing is written to disk).
fn config_dir() -> std::path::PathBuf {
    std::path::PathBuf::from("/fake/config")
}

impl Harness {
    fn new(change: impl FnOnce(&mut Settings), login: FakeLoginItem) -> Harness {
        let mut s = settings(&config_dir());
        change(&mut s);
        let (notifier, login) = (Arc::new(FakeNotifier::default()), Arc::new(login));
        let (browser, dialogs) = (
            Arc::new(FakeBrowser::default()),
            Arc::new(FakeDialogs::default()),
        );
        let secrets = Arc::new(FakeSecretStore::default());
        let files = Arc::new(FakeFiles::default());
        let platform = Platform {
            notifier: notifier.clone(),
            dialogs: dialogs.clone(),
            browser: browser.clone(),
            secrets: secrets.clone(),
            login: Some(login.clone()),
            files: files.clone(),
        };
        let mut core = AppCore::new(s);
        core.first_view(T0);
        Harness {
            core,
            platform,
            notifier,
            login,
            browser,
            dialogs,
            secrets,
            files,
            now: T0,
        }
    }

    fn started() -> Harness {
        let mut h = Harness::new(|_| {}, FakeLoginItem::default());
        h.feed(Input::Started);
        h
    }

    /// Feeds one input; runs platform effects (feeding their answers back) and returns the
    /// shell's effects (render, connect, poll, save, quit) in order.
    fn feed(&mut self, input: Input) -> Vec<Effect> {
        let mut shell = Vec::new();
        let mut queue = vec![input];
        while let Some(input) = queue.pop() {
            for e in self.core.on(input, self.now) {
                match e {
                    Effect::Render(_) | Effect::Connect(..) | Effect::Poll(..) | Effect::Quit => {
                        shell.push(e)
                    }
                    // The real bus is not the test's: the answer is fed in by the test.
                    Effect::CheckTrayHost | Effect::Stderr(_) => shell.push(e),
                    Effect::Save { .. } => {
                        let shown = format!("{e:?}");
                        assert!(self.platform.run(e).is_none(), "{shown}");
                        shell.push(Effect::ShowMessage {
                            title: "saved".into(),
                            text: shown,
                        });
                    }
                    other => queue.extend(self.platform.run(other)),
                }
            }
        }
        shell
    }

    fn session(&self) -> SessionId {
        self.core.session
    }

    fn notes(&self) -> Vec<String> {
        let sent = self.notifier.sent.lock().unwrap();
        sent.iter().map(|n| n.summary.clone()).collect()
    }

    /// What the settings file holds now (empty when nothing was saved).
    fn saved(&self) -> String {
        let path = self.core.settings.settings_path.clone().unwrap();
        self.files.text(&path).unwrap_or_default()
    }

    fn view(&self) -> TrayView {
        view::tray_view(self.core.state(), self.now)
    }
}

fn model(name: &str, tokens: u64) -> ModelSummary {
    ModelSummary {
        model: name.into(),
        input_tokens: tokens,
        cached_input_tokens: 0,
        output_tokens: 0,
        total_tokens: tokens,
        requests: 1,
        cost_usd: Some(tokens as f64 / 1e6),
        price_source: Some(crate::pricing::Source::Table),
        tiers: vec![],
        unpriced_tiers: vec![],
    }
}

fn snap(models: Vec<ModelSummary>, alerts: Vec<Alert>, new: Vec<Alert>) -> Arc<Snapshot> {
    let totals = Totals {
        total_tokens: models.iter().map(|m| m.total_tokens).sum(),
        ..Totals::default()
    };
    Arc::new(Snapshot {
        window: Window::ending_at(T0 / 1000, 6 * 3600, BucketWidth::Minute),
        owners: vec![],
        api_key_ids: vec![],
        project_ids: vec![],
        tier: TierChoice::Auto,
        fetched_at_ms: T0,
        summary: Summary { models, totals },
        other: Default::default(),
        buckets: vec![],
        alerts,
        new_alerts: new,
        fetch: FetchStats::default(),
        prices_compiled: "2026-01-01".into(),
        price_checks: Vec::new(),
        price_mode: crate::pricing::PriceMode::Bill,
    })
}

fn spike() -> Alert {
    Alert {
        kind: AlertKind::TokenRate,
        per_minute: 50_000.0,
        threshold: 10_000.0,
        top_model: None,
    }
}

fn updated(s: SessionId, snapshot: Arc<Snapshot>) -> Input {
    Input::Poll(s, Event::Updated(snapshot))
}

fn failed(s: SessionId, error: ApiError) -> Input {
    Input::Poll(
        s,
        Event::Failed(Failure {
            error,
            at_ms: T0,
            consecutive: 1,
            retry_in: Duration::from_secs(15),
        }),
    )
}

fn invalid_key() -> ApiError {
    ApiError::Unauthorized {
        message: "bad key".into(),
    }
}

fn rendered(effects: &[Effect]) -> &TrayView {
    effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Render(v) => Some(v),
            _ => None,
        })
        .expect("a render")
}

fn model_rows(v: &TrayView) -> Vec<&str> {
    v.menu
        .iter()
        .filter_map(|n| match n {
            Node::Submenu { text, .. } if text.contains(" tok · ") => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn each_spike_is_told_once() {
    let mut h = Harness::started();
    let s = h.session();
    h.feed(updated(s, snap(vec![], vec![spike()], vec![spike()])));
    h.feed(updated(s, snap(vec![], vec![spike()], vec![spike()])));
    assert_eq!(
        h.notes(),
        ["Token spike on the organization: 50,000 tokens/min"]
    );
    h.feed(updated(s, snap(vec![], vec![], vec![])));
    h.feed(updated(s, snap(vec![], vec![spike()], vec![spike()])));
    assert_eq!(h.notes().len(), 2);
}

#[test]
fn a_rejected_key_is_told_once_until_a_success() {
    let mut h = Harness::started();
    let s = h.session();
    h.feed(failed(s, invalid_key()));
    h.feed(failed(s, invalid_key()));
    assert_eq!(h.notes(), ["Admin key rejected"]);
    h.feed(updated(s, snap(vec![], vec![], vec![])));
    h.feed(failed(s, invalid_key()));
    assert_eq!(h.notes().len(), 2);
}

#[test]
fn the_budget_is_told_once_per_day() {
    let mut h = Harness::started();
    let session = h.session();
    for (day, spent) in [(1, 0.5), (1, 1.5), (1, 2.0), (2, 0.2), (2, 1.1)] {
        h.feed(Input::Budget {
            session,
            day,
            spent,
        });
    }
    let budget = h.notes();
    assert_eq!(budget.len(), 2, "{budget:?}");
    // Day 1 is first seen at 1.5 times the budget: "over"; day 2 just past it: "reached".
    assert_eq!(
        budget,
        ["Over daily budget: $1.50", "Daily budget reached: $1.10"]
    );
}

#[test]
fn choices_apply_are_sent_to_the_poller_and_saved() {
    let mut h = Harness::started();
    let s = h.session();
    let out = h.feed(Input::Tray(TrayInput::Menu(Action::Lookback(24))));
    assert!(
        out.iter()
            .any(|e| matches!(e, Effect::Poll(id, Command::SetLookbackSecs(86400)) if *id == s))
    );
    let tier = TierChoice::Fixed(crate::pricing::Tier::Flex);
    h.feed(Input::Tray(TrayInput::Menu(Action::Tier(tier))));
    h.feed(Input::Tray(TrayInput::Menu(Action::Title(
        TitleFormat::Cost,
    ))));
    h.feed(Input::Tray(TrayInput::Menu(Action::Track(Some(
        "key_b".into(),
    )))));
    let saved = h.saved();
    for line in [
        "lookback_hours = 24",
        "tier = \"flex\"",
        "title = \"cost\"",
        "api_key_ids = [\"key_b\"]",
    ] {
        assert!(saved.contains(line), "{line} in {saved}");
    }
    assert_eq!(h.core.state().choices.api_key_ids, ["key_b"]);
}

#[test]
fn the_demo_saves_nothing_and_says_which_key_it_tracks() {
    // The shell sets the simulator's demo key before it builds the core.
    const DEMO_KEY_ID: &str = "key_demo";
    let mut h = Harness::new(
        |s| {
            s.demo = true;
            s.admin_key = None;
            s.api_key_ids = vec![DEMO_KEY_ID.into()];
        },
        FakeLoginItem::default(),
    );
    let out = h.feed(Input::Started);
    let Some(Effect::Connect(_, settings)) = out.iter().find(|e| matches!(e, Effect::Connect(..)))
    else {
        panic!("the demo connects")
    };
    assert_eq!(settings.api_key_ids, [DEMO_KEY_ID]);
    let text = format!("{:?}", h.view().menu);
    assert!(text.contains(&format!("Key: {DEMO_KEY_ID}")), "{text}");
    for a in [
        Action::Lookback(24),
        Action::Title(TitleFormat::Cost),
        Action::Track(None),
    ] {
        let out = h.feed(Input::Tray(TrayInput::Menu(a)));
        assert!(!format!("{out:?}").contains("saved"), "{out:?}");
    }
    assert!(h.files.settings.lock().unwrap().is_empty());
}

/// The demo never writes the login item nor the secret store: the rows are not offered, and
/// a click that arrives anyway (a stale menu) does nothing, through the platform fakes.
#[test]
fn the_demo_offers_and_writes_no_login_item_and_no_secret() {
    let mut h = Harness::new(
        |s| {
            s.demo = true;
            s.admin_key = None;
            s.api_key_ids = vec!["key_demo".into()];
        },
        FakeLoginItem::default(),
    );
    h.dialogs
        .replies
        .lock()
        .unwrap()
        .push(Some("sk-admin-pasted-0123456789abcdef".into()));
    let mut effects = h.feed(Input::Started);
    let s = h.core.session;
    effects.extend(h.feed(updated(s, snap(vec![model("gpt-4o", 10)], vec![], vec![]))));
    effects.extend(h.feed(Input::Tray(TrayInput::Clicked)));
    let menu = format!("{:?}", h.view().menu);
    assert!(!menu.contains("Launch at login"), "{menu}");
    assert!(!menu.contains("Set Admin Key"), "{menu}");
    assert!(!menu.contains("Save start-up options"), "{menu}");
    assert!(
        menu.contains("Refresh now"),
        "the rest of the menu is there: {menu}"
    );
    for a in [Action::LoginItem, Action::SetAdminKey, Action::SaveStartup] {
        let out = h.core.on(Input::Tray(TrayInput::Menu(a.clone())), h.now);
        assert!(
            !out.iter().any(|e| matches!(
                e,
                Effect::SetLoginItem(_) | Effect::ReadLoginItem | Effect::AskAdminKey
            )),
            "{a:?}: {out:?}"
        );
        effects.extend(h.feed(Input::Tray(TrayInput::Menu(a))));
    }
    assert!(!*h.login.enabled.lock().unwrap(), "no login item written");
    assert_eq!(h.secrets.writes(), 0, "no secret written");
    assert!(
        h.dialogs.shown.lock().unwrap().is_empty(),
        "no key asked for"
    );
    assert!(h.files.settings.lock().unwrap().is_empty());
    assert!(h.notes().is_empty(), "{:?}", h.notes());

    // The same clicks outside the demo do write (the test can fail).
    let mut real = Harness::started();
    real.dialogs
        .replies
        .lock()
        .unwrap()
        .push(Some("sk-admin-pasted-0123456789abcdef".into()));
    real.feed(Input::Tray(TrayInput::Menu(Action::LoginItem)));
    real.feed(Input::Tray(TrayInput::Menu(Action::SetAdminKey)));
    assert!(*real.login.enabled.lock().unwrap());
    assert_eq!(real.secrets.writes(), 1);
    let menu = format!("{:?}", real.view().menu);
    assert!(menu.contains("Launch at login") && menu.contains("Set Admin Key"));
}

#[test]
fn launch_at_login_shows_the_state_read_back_and_reverts_on_failure() {
    let mut h = Harness::new(
        |_| {},
        FakeLoginItem {
            fail: true,
            ..Default::default()
        },
    );
    h.feed(Input::Started);
    assert_eq!(h.core.state().login_item, Some(false));
    h.feed(Input::Tray(TrayInput::Menu(Action::LoginItem)));
    assert_eq!(h.core.state().login_item, Some(false));
    assert_eq!(h.notes(), ["Cannot change Launch at login"]);
}

#[test]
fn launch_at_login_changed_elsewhere_shows_when_the_menu_opens() {
    let mut h = Harness::started();
    h.feed(Input::Tray(TrayInput::Menu(Action::LoginItem)));
    assert_eq!(h.core.state().login_item, Some(true));
    h.login.set_enabled(false).unwrap(); // `usage-tracker login-item disable`
    h.feed(Input::Tray(TrayInput::Clicked));
    assert_eq!(h.core.state().login_item, Some(false));
}

#[test]
fn a_login_item_waiting_for_approval_opens_the_place_to_allow_it() {
    let mut h = Harness::new(
        |_| {},
        FakeLoginItem {
            needs_approval: true,
            ..Default::default()
        },
    );
    h.feed(Input::Started);
    h.feed(Input::Tray(TrayInput::Menu(Action::LoginItem)));
    assert!(h.core.state().login_needs_approval);
    assert_eq!(h.notes(), ["Launch at login needs your approval"]);
}

#[test]
fn a_replaced_session_never_reaches_the_ui() {
    let mut h = Harness::started();
    let old = h.session();
    h.dialogs
        .replies
        .lock()
        .unwrap()
        .push(Some("sk-admin-other".into()));
    let out = h.feed(Input::Tray(TrayInput::Menu(Action::SetAdminKey)));
    let new = h.session();
    assert!(new != old);
    assert!(
        out.iter()
            .any(|e| matches!(e, Effect::Connect(id, _) if *id == new))
    );
    assert_eq!(h.secrets.get().unwrap().as_deref(), Some("sk-admin-other"));
    h.feed(failed(old, invalid_key()));
    h.feed(updated(
        old,
        snap(vec![model("gpt-old", 5)], vec![], vec![]),
    ));
    h.feed(Input::Keys(old, Ok(vec![])));
    h.feed(Input::ConnectFailed(old, "late".into()));
    assert!(h.notes().is_empty(), "{:?}", h.notes());
    let st = h.core.state();
    assert!(st.failure.is_none() && st.snapshot.is_none());
    assert_eq!(st.keys, KeyList::Loading);
    h.feed(updated(
        new,
        snap(vec![model("gpt-new", 5)], vec![], vec![]),
    ));
    assert!(h.core.state().snapshot.is_some());
}

#[test]
fn the_key_never_shows_in_debug_output() {
    let mut h = Harness::started();
    let input = Input::AdminKeyStored(Ok(SecretString::from(KEY)));
    assert!(!format!("{input:?}").contains(KEY));
    let out = h.feed(input);
    assert!(!format!("{out:?}").contains(KEY));
    assert!(!format!("{:?}", Input::SecretRead(Ok(Some(SecretString::from(KEY))))).contains(KEY));
}

#[test]
fn without_a_key_the_store_is_read_off_the_ui_thread_then_the_app_connects() {
    let mut h = Harness::new(|s| s.admin_key = None, FakeLoginItem::default());
    // Until the secret store answers (a Keychain prompt may be up) the key is not missing.
    assert_eq!(h.view().title, view::LOADING_TITLE);
    assert_eq!(
        h.view().menu[0],
        Node::Info("Reading the admin key…".into())
    );
    assert_eq!(h.view().tooltip, "UsageTracker: reading the admin key");
    let out = h.feed(Input::Started);
    assert!(!out.iter().any(|e| matches!(e, Effect::Connect(..))));
    assert_eq!(h.view().title, view::NO_KEY_TITLE);
    h.secrets.set(KEY).unwrap();
    let out = h.feed(Input::Started);
    assert!(out.iter().any(|e| matches!(e, Effect::Connect(..))));
}

#[test]
fn the_menu_keeps_its_shape_while_open() {
    let mut h = Harness::started();
    let s = h.session();
    h.feed(updated(s, snap(vec![model("a", 1000)], vec![], vec![])));
    h.feed(Input::Tray(TrayInput::Clicked));
    let two = snap(vec![model("a", 2000), model("b", 3000)], vec![], vec![]);
    let out = h.feed(updated(s, two));
    let v = rendered(&out);
    assert_eq!(model_rows(v).len(), 1, "no row comes while open");
    assert_eq!(v.title, h.view().title, "the title is current");
    // Same shape: rows update in place while open.
    let out = h.feed(Input::Poll(s, Event::Refreshing));
    assert_eq!(model_rows(rendered(&out)).len(), 1);
    h.now += MENU_OPEN_MS;
    let out = h.feed(Input::Tick);
    assert_eq!(
        model_rows(rendered(&out)).len(),
        2,
        "rows follow once closed"
    );
    // A chosen row closes the menu at once.
    h.feed(Input::Tray(TrayInput::Clicked));
    h.feed(updated(s, snap(vec![model("a", 1)], vec![], vec![])));
    let out = h.feed(Input::Tray(TrayInput::Menu(Action::Title(
        TitleFormat::Cost,
    ))));
    assert_eq!(model_rows(rendered(&out)).len(), 1);
}

#[test]
fn a_long_refresh_turns_into_waiting_for_the_api() {
    let mut h = Harness::started();
    let s = h.session();
    h.feed(Input::Poll(s, Event::Refreshing));
    assert_eq!(h.core.next_wake(h.now), Some(T0 + SLOW_REFRESH_MS));
    h.now += SLOW_REFRESH_MS;
    let out = h.feed(Input::Tick);
    assert_eq!(rendered(&out).title, view::WAITING_TITLE);
    h.feed(updated(s, snap(vec![], vec![], vec![])));
    assert!(!h.core.state().waiting);
}

#[test]
fn the_dashboard_opens_in_the_browser_and_quit_quits() {
    let mut h = Harness::started();
    h.feed(Input::Tray(TrayInput::Menu(Action::Dashboard)));
    assert_eq!(*h.browser.opened.lock().unwrap(), [view::DASHBOARD_URL]);
    let out = h.feed(Input::Tray(TrayInput::Menu(Action::Quit)));
    assert!(matches!(out.last(), Some(Effect::Quit)));
}

#[test]
fn no_tray_host_is_said_once_with_what_to_install() {
    let mut h = Harness::started();
    let missing = || Input::TrayHost(TrayHost::Missing(ports::NO_HOST_ADVICE.into()));
    let out = h.feed(missing());
    let said: Vec<_> = out
        .iter()
        .filter_map(|e| match e {
            Effect::Stderr(l) => Some(l.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(said.len(), 1);
    assert!(said[0].contains("AppIndicator extension"), "{said:?}");
    h.feed(missing());
    assert_eq!(h.notes(), ["UsageTracker: no place to show the icon"]);
    let mut present = Harness::started();
    let out = present.feed(Input::TrayHost(TrayHost::Present));
    assert!(present.notes().is_empty() && !format!("{out:?}").contains("Stderr"));
}

mod bill;
mod by_key;
mod calendar;
mod glance;
mod menu_open;
mod report;
mod startup;
mod stored;
