//! What a start at login would lose: offered while launch at login is on, written by the shell
//! through the same [`Platform::run`], gone once saved; never in `--demo`. (That the real file
//! keeps its comments and a start at login reads the values is the binary's test.)

use super::*;
use crate::settings::StartupValue;

fn flags() -> Vec<StartupValue> {
    vec![
        StartupValue {
            key: "daily_budget",
            origin: Origin::Flag("--daily-budget"),
            value: 2.5.into(),
        },
        StartupValue {
            key: "base_url",
            origin: Origin::Env("USAGE_TRACKER_BASE_URL"),
            value: "http://127.0.0.1:8080/v1".into(),
        },
        StartupValue {
            key: "lookback_hours",
            origin: Origin::Flag("--lookback-hours"),
            value: 1.into(),
        },
    ]
}

fn offer(h: &Harness) -> Option<String> {
    let menu = h.view().menu;
    view::flatten(&menu).into_iter().find_map(|n| match n {
        Node::Item {
            action: Action::SaveStartup,
            text,
            ..
        } => Some(text.clone()),
        _ => None,
    })
}

fn started_with(change: impl FnOnce(&mut Settings)) -> Harness {
    let mut h = Harness::new(
        |s| {
            s.startup_only = flags();
            change(s);
        },
        FakeLoginItem::default(),
    );
    h.feed(Input::Started);
    h
}

#[test]
fn the_offer_shows_while_launch_at_login_is_on_and_saving_writes_the_file() {
    let mut h = started_with(|_| {});
    let path = h.core.settings.settings_path.clone().unwrap();
    h.files.write(&path, "# mine\ntier = \"batch\" # cheaper\n");
    assert_eq!(offer(&h), None, "launch at login is off");

    h.feed(Input::Tray(TrayInput::Menu(Action::LoginItem)));
    assert_eq!(
        h.notes(),
        ["Launch at login starts the app without your start-up options"]
    );
    assert_eq!(
        offer(&h).as_deref(),
        Some(
            "Save start-up options for login (--daily-budget, USAGE_TRACKER_BASE_URL, --lookback-hours)"
        )
    );

    h.feed(Input::Tray(TrayInput::Menu(Action::SaveStartup)));
    assert_eq!(offer(&h), None, "saved: the offer goes");
    assert_eq!(h.notes()[1], "Start-up options saved for login");
    let text = h.saved();
    for line in [
        "# mine\n",
        "tier = \"batch\" # cheaper\n",
        "daily_budget = 2.5\n",
        "base_url = \"http://127.0.0.1:8080/v1\"\n",
        "lookback_hours = 1\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    assert!(!text.contains(KEY), "{text}");
}

#[test]
fn a_choice_the_menu_saves_itself_leaves_the_offer() {
    let mut h = started_with(|_| {});
    h.feed(Input::Tray(TrayInput::Menu(Action::LoginItem)));
    h.feed(Input::Tray(TrayInput::Menu(Action::Lookback(24))));
    assert_eq!(
        offer(&h).as_deref(),
        Some("Save start-up options for login (--daily-budget, USAGE_TRACKER_BASE_URL)")
    );
    let out = h.feed(Input::Tray(TrayInput::Menu(Action::SaveStartup)));
    assert!(!format!("{out:?}").contains("lookback"), "{out:?}");
    let text = h.saved();
    assert!(
        text.contains("lookback_hours = 24"),
        "the menu's choice stays: {text}"
    );
}

#[test]
fn a_failed_save_says_why_and_keeps_the_offer() {
    let mut h = started_with(|_| {});
    let path = h.core.settings.settings_path.clone().unwrap();
    h.files.write(&path, "tier = = \"batch\"\n");
    h.feed(Input::Tray(TrayInput::Menu(Action::LoginItem)));
    h.feed(Input::Tray(TrayInput::Menu(Action::SaveStartup)));
    assert_eq!(h.notes()[1], "Cannot save the start-up options");
    let body = h.notifier.sent.lock().unwrap()[1].body.clone();
    assert!(body.contains("not valid TOML"), "{body}");
    assert!(offer(&h).is_some());
    assert_eq!(h.saved(), "tier = = \"batch\"\n");
}

#[test]
fn the_demo_never_offers_or_writes_them() {
    let mut h = started_with(|s| {
        s.demo = true;
        s.admin_key = None;
    });
    h.feed(Input::Tray(TrayInput::Menu(Action::LoginItem)));
    assert_eq!(h.core.state().login_item, Some(true));
    assert_eq!(offer(&h), None);
    assert!(h.notes().is_empty(), "{:?}", h.notes());
    let out = h.feed(Input::Tray(TrayInput::Menu(Action::SaveStartup)));
    assert!(
        !out.iter().any(|e| matches!(e, Effect::SaveSettings { .. })),
        "{out:?}"
    );
    assert!(h.files.settings.lock().unwrap().is_empty());
}
