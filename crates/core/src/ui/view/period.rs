//! The calendar Lookback choices in the menu: their radio rows (checked exclusively with the
//! hour rows) and the words that name the window with its real start, in UTC, for the header
//! and the spoken description ("today since 00:00 UTC", "this week since Mon 30 Nov (UTC)").

use super::{Action, Node, TrayState};
use crate::plan::periods::{Calendar, period};
use chrono::{TimeZone, Utc};

/// The row of each choice: "Today (UTC)", "This week (UTC)", "This month (UTC)".
pub fn row_label(c: Calendar) -> &'static str {
    match c {
        Calendar::Today => "Today (UTC)",
        Calendar::ThisWeek => "This week (UTC)",
        Calendar::ThisMonth => "This month (UTC)",
    }
}

/// The Lookback submenu's calendar rows; `chosen` is the one checked (none: an hour row is).
pub(super) fn rows(chosen: Option<Calendar>) -> Vec<Node> {
    Calendar::ALL
        .into_iter()
        .map(|c| Node::Check {
            action: Action::Calendar(c),
            text: row_label(c).to_owned(),
            checked: chosen == Some(c),
            enabled: true,
        })
        .collect()
}

/// `c`'s window in words, with its real start at `now` (unix seconds): "today since 00:00
/// UTC", "this week since Mon 30 Nov (UTC)", "this month since 1 Dec (UTC)".
pub fn since_words(c: Calendar, now: i64) -> String {
    let start = period(c, now).start;
    let day = |pattern: &str| {
        Utc.timestamp_opt(start, 0)
            .single()
            .map_or_else(|| start.to_string(), |t| t.format(pattern).to_string())
    };
    match c {
        Calendar::Today => "today since 00:00 UTC".to_owned(),
        Calendar::ThisWeek => format!("this week since {} (UTC)", day("%a %-d %b")),
        Calendar::ThisMonth => format!("this month since {} (UTC)", day("%-d %b")),
    }
}

/// The chosen calendar window in words for the figures shown (dated by their window's end),
/// `None` for a rolling lookback.
pub(super) fn shown_since(state: &TrayState) -> Option<String> {
    let c = state.choices.calendar?;
    let now = state.snapshot.as_ref().map(|s| s.window.end_time)?;
    Some(since_words(c, now))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW_MS, checked, infos, state, submenu, two_models};
    use super::super::{description, tray_view};
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn the_words_name_the_real_start_in_utc() {
        // Wednesday 2 December 2026, 09:12 UTC.
        let now = at(2026, 12, 2, 9, 12);
        assert_eq!(since_words(Calendar::Today, now), "today since 00:00 UTC");
        assert_eq!(
            since_words(Calendar::ThisWeek, now),
            "this week since Mon 30 Nov (UTC)"
        );
        assert_eq!(
            since_words(Calendar::ThisMonth, now),
            "this month since 1 Dec (UTC)"
        );
        // The next Monday, the first of the next month.
        assert_eq!(
            since_words(Calendar::ThisWeek, at(2026, 12, 7, 0, 1)),
            "this week since Mon 7 Dec (UTC)"
        );
        assert_eq!(
            since_words(Calendar::ThisMonth, at(2027, 1, 1, 0, 1)),
            "this month since 1 Jan (UTC)"
        );
    }

    #[test]
    fn one_lookback_row_is_checked_hours_or_calendar() {
        let mut s = state();
        let rows = |s: &TrayState| {
            let v = tray_view(s, NOW_MS);
            let all: Vec<String> = submenu(&v.menu, "Lookback")
                .iter()
                .filter_map(|n| match n {
                    Node::Check { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect();
            let on: Vec<String> = checked(submenu(&v.menu, "Lookback"))
                .into_iter()
                .map(str::to_owned)
                .collect();
            (all, on)
        };
        let (all, on) = rows(&s);
        assert_eq!(
            all,
            [
                "1 h",
                "6 h",
                "24 h",
                "7 d",
                "Today (UTC)",
                "This week (UTC)",
                "This month (UTC)"
            ]
        );
        assert_eq!(on, ["6 h"]);
        s.choices.calendar = Some(Calendar::ThisWeek);
        assert_eq!(rows(&s).1, ["This week (UTC)"]);
        // An hour count the menu does not offer is not shown checked beside a calendar row.
        s.choices.lookback_hours = 1.5;
        assert_eq!(rows(&s).1, ["This week (UTC)"]);
        assert_eq!(rows(&s).0.len(), 7);
        s.choices.calendar = None;
        assert_eq!(rows(&s).1, ["1.5 h (from the settings)"]);
    }

    #[test]
    fn the_header_and_the_description_name_the_period_and_its_start() {
        // NOW_MS is Monday 24 November 2025, 16:00 UTC.
        let mut s = state();
        s.snapshot = Some(two_models());
        for (c, words) in [
            (Calendar::Today, "today since 00:00 UTC"),
            (Calendar::ThisWeek, "this week since Mon 24 Nov (UTC)"),
            (Calendar::ThisMonth, "this month since 1 Nov (UTC)"),
        ] {
            s.choices.calendar = Some(c);
            // The header names the window of the figures shown.
            let mut snap = (*two_models()).clone();
            snap.window.calendar = Some(c);
            snap.window.start_time = crate::plan::periods::period(c, snap.window.end_time).start;
            s.snapshot = Some(std::sync::Arc::new(snap));
            let v = tray_view(&s, NOW_MS);
            let header = infos(&v.menu)[0].to_owned();
            assert!(header.contains(&format!(", {words}: ")), "{header}");
            assert!(!header.contains("last"), "{header}");
            assert_eq!(
                description(&s, NOW_MS),
                format!("UsageTracker: 1.2M tokens, $3.45 {words}")
            );
        }
        s.choices.calendar = None;
        s.snapshot = Some(two_models());
        assert!(infos(&tray_view(&s, NOW_MS).menu)[0].contains(", last 6 h: "));
    }

    #[test]
    fn the_window_row_names_the_period_the_figures_cover() {
        let mut s = state();
        let mut snap = (*two_models()).clone();
        snap.window.calendar = Some(Calendar::Today);
        s.snapshot = Some(std::sync::Arc::new(snap));
        s.choices.calendar = Some(Calendar::Today);
        let v = tray_view(&s, NOW_MS);
        let row = infos(&v.menu)
            .into_iter()
            .find(|r| r.starts_with("Window: "))
            .unwrap()
            .to_owned();
        assert!(row.starts_with("Window: Today (UTC), since "), "{row}");
        assert!(row.ends_with(" local time"), "{row}");
    }

    #[test]
    fn the_rows_ids_round_trip() {
        for c in Calendar::ALL {
            let a = Action::Calendar(c);
            assert_eq!(Action::parse(&a.id()), Some(a));
        }
        assert_eq!(Action::Calendar(Calendar::Today).id(), "lookback:today");
        assert_eq!(Action::parse("lookback:6"), Some(Action::Lookback(6)));
    }
}
