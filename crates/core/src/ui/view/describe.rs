//! The icon's spoken description: what a screen reader says for the menu-bar item (the
//! StatusNotifierItem's `IconAccessibleDesc` and `Title` on Linux, the status item's tooltip and
//! accessibility label on macOS). It names the app and the figures in words, so that it is
//! useful without seeing the title; it follows every refresh. Pure: from the state to a line.

use super::{MARKER, TrayState, failure_text, short_cost, usage_kinds};
use crate::ui::format;

/// `UsageTracker: 1.2M tokens, $3.40 in the last hour`; with the reason when the figures are
/// old or missing, and what to do without a key.
pub fn description(state: &TrayState, now_ms: i64) -> String {
    let what = if state.reading_key && !state.has_key {
        "reading the admin key".to_owned()
    } else if !state.has_key {
        "no admin key: choose Set Admin Key… in its menu".to_owned()
    } else {
        match (&state.snapshot, &state.failure) {
            (None, None) if state.waiting => "waiting for the API".to_owned(),
            (None, None) => "loading".to_owned(),
            (None, Some(f)) => format!("no figures, the last refresh failed: {}", failure_text(f)),
            (Some(s), failure) => {
                let t = usage_kinds::whole(s);
                let window = super::period::shown_since(state).unwrap_or_else(|| {
                    format!("in the last {}", window_words(state.choices.lookback_hours))
                });
                let mut line = format!(
                    "{} tokens, {} {window}",
                    format::tokens_short(t.total_tokens),
                    short_cost(&t),
                );
                // Where a panel draws no label (Xfce), this is where the figures are read.
                if let Some(h) = super::headline(state, now_ms) {
                    for part in h.beyond_window() {
                        line.push_str(&format!("; {part}"));
                    }
                }
                if let Some(from) = super::stored::described(state, now_ms) {
                    line.push_str(&from);
                }
                if let Some(f) = failure {
                    line.push_str(&format!("; the last refresh failed: {}", failure_text(f)));
                } else if state.is_stale(now_ms) {
                    line.push_str(&format!(
                        "; not updated since {}",
                        format::local_hm(s.fetched_at_ms / 1000)
                    ));
                }
                line
            }
        }
    };
    // The marker is for the eye; said aloud it is noise.
    format!("UsageTracker: {}", what.replace(MARKER, "").trim())
}

/// `hour`, `6 hours`, `7 days`, `1.5 hours`.
pub fn window_words(hours: f64) -> String {
    if hours == 1.0 {
        "hour".to_owned()
    } else if hours >= 48.0 && hours % 24.0 == 0.0 {
        format!("{} days", hours / 24.0)
    } else {
        format!("{hours} hours")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW_MS, model, snapshot, state, two_models};
    use super::super::{FailureView, tray_view};
    use super::*;
    use crate::openai::ErrorKind;

    #[test]
    fn it_names_the_app_and_the_figures_in_words() {
        let mut s = state();
        s.snapshot = Some(two_models());
        s.choices.lookback_hours = 1.0;
        let d = description(&s, NOW_MS);
        assert_eq!(d, "UsageTracker: 1.2M tokens, $3.45 in the last hour");
        // The tooltip is the same line: one text for the eye and the ear.
        assert_eq!(tray_view(&s, NOW_MS).tooltip, d);
    }

    #[test]
    fn it_follows_the_data_and_the_window() {
        let mut s = state();
        s.snapshot = Some(snapshot(
            vec![model("gpt-4o", 2_000_000, 500_000, Some(12.5))],
            Vec::new(),
        ));
        s.choices.lookback_hours = 168.0;
        assert_eq!(
            description(&s, NOW_MS),
            "UsageTracker: 2.5M tokens, $12.50 in the last 7 days"
        );
        s.snapshot = Some(snapshot(vec![model("o-new", 1_000, 0, None)], Vec::new()));
        s.choices.lookback_hours = 6.0;
        assert_eq!(
            description(&s, NOW_MS),
            "UsageTracker: 1.0k tokens, — in the last 6 hours"
        );
    }

    #[test]
    fn old_or_missing_figures_say_why() {
        let mut s = state();
        assert_eq!(description(&s, NOW_MS), "UsageTracker: loading");
        s.failure = Some(FailureView {
            kind: ErrorKind::InvalidKey,
            retry_at: None,
        });
        assert_eq!(
            description(&s, NOW_MS),
            "UsageTracker: no figures, the last refresh failed: invalid key"
        );
        s.snapshot = Some(two_models());
        let d = description(&s, NOW_MS);
        assert!(
            d.starts_with("UsageTracker: 1.2M tokens, $3.45 in the last 6 hours; the last refresh failed: invalid key"),
            "{d}"
        );
        s.failure = None;
        let later = NOW_MS + 3_600_000;
        let d = description(&s, later);
        assert!(d.contains("; not updated since "), "{d}");
        assert!(!d.contains(MARKER), "{d}");
        s.has_key = false;
        assert_eq!(
            description(&s, NOW_MS),
            "UsageTracker: no admin key: choose Set Admin Key… in its menu"
        );
    }

    #[test]
    fn windows_in_words() {
        assert_eq!(window_words(1.0), "hour");
        assert_eq!(window_words(24.0), "24 hours");
        assert_eq!(window_words(1.5), "1.5 hours");
        assert_eq!(window_words(72.0), "3 days");
    }
}
