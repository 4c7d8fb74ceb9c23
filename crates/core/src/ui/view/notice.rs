//! The texts of the notifications: a spike starting, the admin key rejected, the daily budget
//! reached or far past, a menu choice that could not be saved. Pure, like the rest of the view.
//! Each names what it is about (the tracked key or the organization), since a notification is
//! read away from the menu that would say so.

use super::TrayState;
use crate::alerts::{Alert, BudgetAlert};
use crate::ui::format;

/// A notification's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
}

/// Spent this many times the budget (or more) reads "over budget", not "reached".
pub const FAR_OVER_BUDGET: f64 = 1.5;

/// What the figures are about: `Primary (key_abc)`, `key_abc`, `2 keys`, or `the organization`.
pub fn subject(state: &TrayState) -> String {
    let ids = &state.choices.api_key_ids;
    match ids.as_slice() {
        [] => "the organization".to_owned(),
        [id] => super::key_name(state, id).map_or_else(|| id.clone(), |n| format!("{n} ({id})")),
        _ => format!("{}: {}", format::count(ids.len(), "key"), ids.join(", ")),
    }
}

/// "Token spike on Primary (key_a): 48,210 tokens/min" / "threshold 10,000 tokens/min · gpt-4o
/// grew most"
pub fn spike_notice(a: &Alert, about: &str) -> Notice {
    let mut body = format!("threshold {} {}", format::rate(a.threshold), a.kind.unit());
    if let Some(m) = &a.top_model {
        body.push_str(&format!(" · {m} grew most"));
    }
    Notice {
        summary: format!(
            "{} on {about}: {} {}",
            a.kind.label(),
            format::rate(a.per_minute),
            a.kind.unit()
        ),
        body,
    }
}

/// One notification per spike: when alerts start while none was active. Kinds starting
/// together make one notification, led by the token spike; a kind that starts while another is
/// still active is part of the same spike.
pub fn spike_start_notice(was_active: bool, started: &[Alert], about: &str) -> Option<Notice> {
    if was_active {
        return None;
    }
    let (first, rest) = started.split_first()?;
    let mut notice = spike_notice(first, about);
    for a in rest {
        notice.body.push_str(&format!(
            " · also {} {} (threshold {})",
            format::rate(a.per_minute),
            a.kind.unit(),
            format::rate(a.threshold)
        ));
    }
    Some(notice)
}

pub fn key_rejected_notice() -> Notice {
    Notice {
        summary: "Admin key rejected".into(),
        body: "The API answered 401 (invalid key). Set a new one from the menu (Set Admin Key…) \
or with `usage-tracker admin-key set`."
            .into(),
    }
}

/// "Daily budget reached: $5.20" when it has just been crossed; "Over daily budget: $9.00" when
/// the first look of the day finds it far past (the app started late, or usage jumped).
pub fn budget_notice(a: &BudgetAlert, about: &str) -> Notice {
    Notice {
        summary: budget_summary(a, "Daily", "daily"),
        body: format!(
            "Estimated cost since local midnight for {about}: {} (budget {})",
            format::usd(a.spent),
            format::usd(a.budget)
        ),
    }
}

/// "Daily budget reached: $5.20" / "Over monthly budget: $150.00".
pub(super) fn budget_summary(a: &BudgetAlert, period: &str, period_lower: &str) -> String {
    let spent = format::usd(a.spent);
    if a.spent >= a.budget * FAR_OVER_BUDGET {
        format!("Over {period_lower} budget: {spent}")
    } else {
        format!("{period} budget reached: {spent}")
    }
}

/// The menu's name for a setting the menu saves (its settings-file key otherwise).
pub fn setting_label(key: &str) -> &str {
    match key {
        "lookback_hours" => "Lookback",
        "tier" => "Pricing tier",
        "title" => "Show in menu bar",
        "api_key_ids" => "Track key",
        other => other,
    }
}

/// "Cannot save your Lookback choice" / "The settings file … is not valid TOML at line 3 …
/// The choice applies until UsageTracker quits."
pub fn save_failed_notice(key: &str, e: &dyn std::fmt::Display) -> Notice {
    Notice {
        summary: format!("Cannot save your {} choice", setting_label(key)),
        body: format!("{e}. The choice applies until UsageTracker quits."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::AlertKind;

    fn alert(kind: AlertKind, per_minute: f64, threshold: f64) -> Alert {
        Alert {
            kind,
            per_minute,
            threshold,
            top_model: Some("gpt-4o".into()),
        }
    }

    #[test]
    fn a_spike_names_its_key_and_the_threshold_unit() {
        let n = spike_notice(
            &alert(AlertKind::TokenRate, 48_210.4, 10_000.0),
            "Primary (key_a)",
        );
        assert_eq!(
            n.summary,
            "Token spike on Primary (key_a): 48,210 tokens/min"
        );
        assert_eq!(n.body, "threshold 10,000 tokens/min · gpt-4o grew most");
        let both = [
            alert(AlertKind::TokenRate, 48_210.0, 10_000.0),
            alert(AlertKind::RequestRate, 390.0, 120.0),
        ];
        let n = spike_start_notice(false, &both, "the organization").unwrap();
        assert!(
            n.summary.starts_with("Token spike on the organization: "),
            "{n:?}"
        );
        assert!(
            n.body.ends_with(" · also 390 requests/min (threshold 120)"),
            "{n:?}"
        );
        assert_eq!(spike_start_notice(true, &both, "x"), None);
    }

    #[test]
    fn the_budget_is_reached_then_far_past() {
        let n = budget_notice(
            &BudgetAlert {
                spent: 5.2,
                budget: 5.0,
            },
            "key_a",
        );
        assert_eq!(n.summary, "Daily budget reached: $5.20");
        assert_eq!(
            n.body,
            "Estimated cost since local midnight for key_a: $5.20 (budget $5.00)"
        );
        let n = budget_notice(
            &BudgetAlert {
                spent: 7.5,
                budget: 5.0,
            },
            "key_a",
        );
        assert_eq!(n.summary, "Over daily budget: $7.50");
    }

    #[test]
    fn a_save_failure_names_the_setting_in_plain_words() {
        // The settings' own error text (its Display is tested in `settings`).
        let e = "Cannot save to the settings file /home/me/.config/usage-tracker/settings.toml: \
                 it is not valid TOML at line 3 (invalid key)";
        let n = save_failed_notice("lookback_hours", &e);
        assert_eq!(n.summary, "Cannot save your Lookback choice");
        assert!(
            n.body
                .starts_with("Cannot save to the settings file /home/me/"),
            "{n:?}"
        );
        assert!(
            n.body
                .ends_with("(invalid key). The choice applies until UsageTracker quits."),
            "{n:?}"
        );
        assert_eq!(
            save_failed_notice("tier", &e).summary,
            "Cannot save your Pricing tier choice"
        );
    }
}
