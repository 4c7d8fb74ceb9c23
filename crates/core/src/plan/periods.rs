//! The calendar Lookback choices, "Today", "This week" and "This month", in UTC (the days the
//! bill is cut on, so the figures compare with it): each one's window `[start, now)` and label.
//! How a window's length follows the clock is [`super::calendar`]. Pure.

use crate::bill::{SECS_PER_DAY, utc_day_start};
use crate::figures::pace::month_bounds;
pub use crate::usage::Calendar;
use chrono::{Datelike, TimeZone, Utc};

/// The window of a [`Calendar`] choice at `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
    /// "Today (UTC)", "This week (UTC, from Mon 30 Nov)", "This month (UTC)".
    pub label: String,
}

/// `[start, now)` of `choice` and its label.
pub fn period(choice: Calendar, now: i64) -> Period {
    let today = utc_day_start(now);
    let (start, label) = match choice {
        Calendar::Today => (today, "Today (UTC)".to_owned()),
        Calendar::ThisWeek => {
            let weekday = Utc
                .timestamp_opt(today, 0)
                .single()
                .map_or(0, |t| t.weekday().num_days_from_monday());
            let monday = today - i64::from(weekday) * SECS_PER_DAY;
            let name = Utc
                .timestamp_opt(monday, 0)
                .single()
                .map_or_else(|| monday.to_string(), |t| t.format("%a %-d %b").to_string());
            (monday, format!("This week (UTC, from {name})"))
        }
        Calendar::ThisMonth => (
            month_bounds(now).map_or(today, |(s, _)| s),
            "This month (UTC)".to_owned(),
        ),
    };
    Period {
        start,
        end: now,
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn the_setting_values_round_trip() {
        for c in Calendar::ALL {
            assert_eq!(Calendar::parse(c.as_str()), Some(c));
        }
        assert_eq!(Calendar::parse(" Today "), Some(Calendar::Today));
        assert_eq!(Calendar::parse("this week"), None);
        assert_eq!(Calendar::parse("6"), None);
    }

    #[test]
    fn windows_and_labels_follow_the_utc_calendar() {
        // Wednesday 2 December 2026, 09:12 UTC.
        let now = at(2026, 12, 2, 9, 12);
        let t = period(Calendar::Today, now);
        assert_eq!(
            (t.start, t.end, t.label.as_str()),
            (at(2026, 12, 2, 0, 0), now, "Today (UTC)")
        );
        let w = period(Calendar::ThisWeek, now);
        assert_eq!(w.start, at(2026, 11, 30, 0, 0));
        assert_eq!(w.label, "This week (UTC, from Mon 30 Nov)");
        let m = period(Calendar::ThisMonth, now);
        assert_eq!(
            (m.start, m.label.as_str()),
            (at(2026, 12, 1, 0, 0), "This month (UTC)")
        );
        // A Monday's week starts that day.
        assert_eq!(
            period(Calendar::ThisWeek, at(2026, 11, 30, 1, 0)).start,
            at(2026, 11, 30, 0, 0)
        );
    }
}
