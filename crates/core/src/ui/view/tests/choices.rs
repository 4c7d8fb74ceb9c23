//! The menu's exclusive choices, the key rows and the waiting state.

use super::super::*;
use super::{NOW_MS, checked, infos, state, submenu, two_models};

fn keys(ids: &[&str]) -> KeyList {
    KeyList::Loaded(
        ids.iter()
            .map(|id| KeyChoice {
                id: (*id).into(),
                name: None,
                project: "App".into(),
                ..Default::default()
            })
            .collect(),
    )
}

#[test]
fn every_exclusive_choice_has_exactly_one_row_checked() {
    let mut s = state();
    s.snapshot = Some(two_models());
    s.keys = keys(&["key_a", "key_b", "key_c"]);
    s.choices.lookback_hours = 1.5;
    s.choices.api_key_ids = vec!["key_a".into(), "key_b".into()];
    s.key_set = s.choices.api_key_ids.clone();
    let v = tray_view(&s, NOW_MS);
    for group in ["Lookback", "Pricing tier", "Show in menu bar", "Track key"] {
        assert_eq!(checked(submenu(&v.menu, group)).len(), 1, "{group}");
    }
    assert_eq!(
        checked(submenu(&v.menu, "Lookback")),
        ["1.5 h (from the settings)"]
    );
    assert_eq!(
        checked(submenu(&v.menu, "Track key")),
        ["2 keys: key_a, key_b"]
    );
}

#[test]
fn a_selection_of_several_keys_stays_offered_after_picking_one() {
    let mut s = state();
    s.keys = keys(&["key_a", "key_b"]);
    s.key_set = vec!["key_a".into(), "key_b".into()];
    s.choices.api_key_ids = vec!["key_b".into()];
    let v = tray_view(&s, NOW_MS);
    let rows = submenu(&v.menu, "Track key");
    assert_eq!(checked(rows), ["App › (unnamed) (key_b)"]);
    let set = rows.iter().find_map(|n| match n {
        Node::Check {
            action: a @ Action::TrackSet(_),
            ..
        } => Some(a.clone()),
        _ => None,
    });
    let set = set.expect("the selection of two keys is still a choice");
    assert_eq!(Action::parse(&set.id()), Some(set));
}

#[test]
fn a_tracked_key_of_no_project_is_said_once_the_list_is_loaded() {
    let mut s = state();
    s.snapshot = Some(two_models());
    s.choices.api_key_ids = vec!["key_gone".into()];
    let said = "⚠ key_gone is not a key of this organization";
    assert!(!infos(&tray_view(&s, NOW_MS).menu).contains(&said));
    s.keys = keys(&["key_a"]);
    assert!(infos(&tray_view(&s, NOW_MS).menu).contains(&said));
    s.choices.api_key_ids = vec!["key_a".into()];
    assert!(!format!("{:?}", tray_view(&s, NOW_MS).menu).contains("not a key"));
}

#[test]
fn a_long_refresh_says_it_is_waiting_for_the_api() {
    let mut s = state();
    s.refreshing = true;
    assert_eq!(title(&s, NOW_MS), LOADING_TITLE);
    s.waiting = true;
    assert_eq!(title(&s, NOW_MS), WAITING_TITLE);
    s.snapshot = Some(two_models());
    let v = tray_view(&s, NOW_MS);
    assert!(
        infos(&v.menu)
            .iter()
            .any(|r| r.starts_with("Updated ") && r.ends_with("waiting for the API…")),
        "{:?}",
        infos(&v.menu)
    );
}

#[test]
fn shapes_compare_kinds_and_actions_not_texts() {
    let mut s = state();
    s.snapshot = Some(two_models());
    let a = tray_view(&s, NOW_MS).menu;
    s.choices.tier = TierChoice::Fixed(crate::pricing::Tier::Flex);
    s.refreshing = true;
    assert!(same_shape(&a, &tray_view(&s, NOW_MS).menu));
    s.snapshot = None;
    assert!(!same_shape(&a, &tray_view(&s, NOW_MS).menu));
}

/// The offer to save the start-up options shows only while launch at login is on (or waiting
/// for approval), and names what it would save.
#[test]
fn the_start_up_options_are_offered_while_launch_at_login_is_on() {
    let offer = |s: &TrayState| {
        let menu = tray_view(s, NOW_MS).menu;
        flatten(&menu).into_iter().find_map(|n| match n {
            Node::Item {
                action: Action::SaveStartup,
                text,
                ..
            } => Some(text.clone()),
            _ => None,
        })
    };
    let mut s = state();
    s.startup_options = vec!["--daily-budget".into(), "USAGE_TRACKER_BASE_URL".into()];
    assert_eq!(offer(&s), None, "launch at login is off");
    s.login_item = Some(true);
    assert_eq!(
        offer(&s).as_deref(),
        Some("Save start-up options for login (--daily-budget, USAGE_TRACKER_BASE_URL)")
    );
    s.login_item = Some(false);
    s.login_needs_approval = true;
    assert!(offer(&s).is_some());
    s.startup_options.clear();
    assert_eq!(offer(&s), None, "nothing to save");
}
