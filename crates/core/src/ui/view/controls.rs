//! The menu's controls: Refresh now, the Lookback and Track key submenus with the current choice
//! checked, Settings (Pricing tier, Show in menu bar, the admin key, launch at login and the
//! offer to save the start-up options for it), dashboard, the report, About and Quit. Eight
//! rows at the top level: what is changed once in a while waits one level down, so that the
//! actions are in view on a small screen however long the figures above them are.

use super::{Action, KeyChoice, KeyList, LOOKBACKS, Node, TrayState};
use crate::pricing::TierChoice;
use crate::ui::view::TitleFormat;

fn check(action: Action, text: impl Into<String>, checked: bool) -> Node {
    Node::Check {
        action,
        text: text.into(),
        checked,
        enabled: true,
    }
}

fn item(action: Action, text: impl Into<String>, enabled: bool) -> Node {
    Node::Item {
        action,
        text: text.into(),
        enabled,
    }
}

pub(super) fn controls(state: &TrayState) -> Vec<Node> {
    let c = &state.choices;
    // One row checked: an hour row, or a calendar row (then no hour row).
    let hours = c.calendar.is_none();
    let mut lookbacks: Vec<Node> = LOOKBACKS
        .iter()
        .map(|(h, label)| {
            check(
                Action::Lookback(*h),
                *label,
                hours && f64::from(*h) == c.lookback_hours,
            )
        })
        .collect();
    // A lookback set elsewhere (flag, settings file) that the menu does not offer is still the
    // one choice checked, not none.
    if hours
        && !LOOKBACKS
            .iter()
            .any(|(h, _)| f64::from(*h) == c.lookback_hours)
    {
        lookbacks.push(Node::Check {
            action: Action::OtherLookback,
            text: format!(
                "{} (from the settings)",
                super::lookback_label(c.lookback_hours)
            ),
            checked: true,
            enabled: false,
        });
    }
    lookbacks.extend(super::period::rows(c.calendar));
    let tiers = TierChoice::ALL
        .iter()
        .map(|t| check(Action::Tier(*t), t.as_str(), *t == c.tier))
        .collect();
    let titles = TitleFormat::ALL
        .iter()
        .map(|t| {
            let text = match t {
                TitleFormat::TokensAndCost => "Tokens and cost",
                TitleFormat::Cost => "Cost only",
                TitleFormat::Tokens => "Tokens only",
                TitleFormat::MonthToDate => "Month to date (the bill)",
            };
            check(Action::Title(*t), text, *t == c.title)
        })
        .collect();
    let mut settings = vec![
        Node::Submenu {
            text: "Pricing tier".into(),
            children: tiers,
        },
        Node::Submenu {
            text: "Show in menu bar".into(),
            children: titles,
        },
    ];
    let set_key = item(Action::SetAdminKey, "Set Admin Key…", true);
    if state.has_key {
        settings.push(set_key.clone());
    }
    settings.push(Node::Check {
        action: Action::LoginItem,
        text: if state.login_needs_approval {
            "Launch at login (allow it in System Settings)".into()
        } else {
            "Launch at login".into()
        },
        checked: state.login_item == Some(true),
        enabled: state.login_item.is_some(),
    });
    let at_login = state.login_item == Some(true) || state.login_needs_approval;
    if at_login && !state.startup_options.is_empty() {
        settings.push(item(
            Action::SaveStartup,
            format!(
                "Save start-up options for login ({})",
                state.startup_options.join(", ")
            ),
            true,
        ));
    }
    let mut rows = vec![
        item(Action::Refresh, "Refresh now", state.has_key),
        Node::Submenu {
            text: "Lookback".into(),
            children: lookbacks,
        },
        Node::Submenu {
            text: "Track key".into(),
            children: key_choices(state),
        },
    ];
    // Without a key, the header says to choose it: in view, not in Settings.
    if !state.has_key {
        rows.push(set_key);
    }
    rows.extend([
        Node::Submenu {
            text: SETTINGS.into(),
            children: settings,
        },
        item(Action::Dashboard, "Open usage dashboard", true),
        match &state.report_unavailable {
            None => item(Action::OpenReport, "Open report…", true),
            Some(why) => item(Action::OpenReport, format!("Open report… ({why})"), false),
        },
        Node::Separator,
        item(
            Action::About,
            format!("About UsageTracker {}", state.version),
            true,
        ),
        item(Action::Quit, "Quit", true),
    ]);
    rows
}

/// The submenu of the choices made once in a while.
pub const SETTINGS: &str = "Settings";

fn key_choices(state: &TrayState) -> Vec<Node> {
    let ids = &state.choices.api_key_ids;
    let mut rows = vec![check(
        Action::Track(None),
        "All keys (whole organization)",
        ids.is_empty(),
    )];
    let several = ids.len() > 1;
    if state.key_set.len() > 1 {
        rows.push(check(
            Action::TrackSet(state.key_set.clone()),
            format!("{} keys: {}", state.key_set.len(), state.key_set.join(", ")),
            *ids == state.key_set,
        ));
    }
    // One row is checked: a single key's own row, or the row of the selection of several.
    let single = |id: &String| !several && ids.contains(id);
    let listed: &[KeyChoice] = match &state.keys {
        KeyList::Loaded(keys) => keys,
        _ => &[],
    };
    for k in listed {
        let name = k.name.as_deref().unwrap_or("(unnamed)");
        let text = format!("{} › {name} ({})", k.project, k.id);
        rows.push(check(
            Action::Track(Some(k.id.clone())),
            text,
            single(&k.id),
        ));
    }
    for id in ids.iter().filter(|id| !listed.iter().any(|k| &k.id == *id)) {
        rows.push(check(
            Action::Track(Some(id.clone())),
            id.as_str(),
            single(id),
        ));
    }
    match &state.keys {
        _ if !state.has_key => rows.push(Node::Info("Set an admin key to list keys".into())),
        KeyList::Loading => rows.push(Node::Info("Loading keys…".into())),
        KeyList::Failed(kind) => {
            rows.push(Node::Info(format!("Cannot list keys: {}", kind.label())))
        }
        KeyList::Loaded(k) if k.is_empty() => rows.push(Node::Info("No project keys".into())),
        KeyList::Loaded(_) => {}
    }
    rows
}
