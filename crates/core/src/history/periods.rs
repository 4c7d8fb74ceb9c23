//! The calendar Lookback choices, "Today", "This week" and "This month", in UTC (the days the
//! bill is cut on, so the figures compare with it): each one's window `[start, now)` and label,
//! and the plan that reads it in the fewest requests, whole days at the store's daily width,
//! today's whole hours hourly and the current hour by the minute. Pure: the store answers
//! what is missing, the caller fetches.

use crate::bill::{SECS_PER_DAY, utc_day_start};
use crate::figures::pace::month_bounds;
use crate::usage::BucketWidth;
use chrono::{Datelike, TimeZone, Utc};

/// A Lookback choice that follows the UTC calendar rather than a number of hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calendar {
    Today,
    /// From Monday 00:00 UTC.
    ThisWeek,
    ThisMonth,
}

impl Calendar {
    pub const ALL: [Calendar; 3] = [Calendar::Today, Calendar::ThisWeek, Calendar::ThisMonth];
    /// The values the `lookback_hours` setting takes for these, in words for messages.
    pub const ACCEPTED: &'static str = "today, week or month";

    /// The setting's value: `today`, `week`, `month`.
    pub fn as_str(self) -> &'static str {
        match self {
            Calendar::Today => "today",
            Calendar::ThisWeek => "week",
            Calendar::ThisMonth => "month",
        }
    }

    /// [`Calendar::as_str`] back, ignoring case and surrounding spaces.
    pub fn parse(text: &str) -> Option<Calendar> {
        let t = text.trim();
        Calendar::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(t))
    }
}

/// The window of a [`Calendar`] choice at `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
    /// "Today (UTC)", "This week (UTC, from Mon 30 Nov)", "This month (UTC)".
    pub label: String,
}

/// One range to read at one width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub width: BucketWidth,
    pub from: i64,
    pub to: i64,
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

/// `[start, end)` as the widest buckets that fit: whole days before today, today's whole
/// hours, then the current hour's minutes. Empty pieces are left out.
pub fn pieces(p: &Period) -> Vec<Piece> {
    let day = utc_day_start(p.end).max(p.start);
    let hour = BucketWidth::Hour.floor(p.end).max(day);
    [
        (BucketWidth::Day, p.start, day),
        (BucketWidth::Hour, day, hour),
        (BucketWidth::Minute, hour, p.end),
    ]
    .into_iter()
    .filter(|(_, from, to)| from < to)
    .map(|(width, from, to)| Piece { width, from, to })
    .collect()
}

/// The requests that read `p` given what the store lacks: `missing(width, from, to)` is the
/// store's answer (`Store::missing` for one endpoint and key set), each missing range cut
/// into pages of the width's most buckets per request.
pub fn plan(
    p: &Period,
    mut missing: impl FnMut(BucketWidth, i64, i64) -> Vec<(i64, i64)>,
) -> Vec<Piece> {
    let mut out = Vec::new();
    for piece in pieces(p) {
        let page = piece.width.secs() * i64::from(piece.width.max_page_limit());
        for (from, to) in missing(piece.width, piece.from, piece.to) {
            let mut f = from;
            while f < to {
                let t = (f + page).min(to);
                out.push(Piece {
                    width: piece.width,
                    from: f,
                    to: t,
                });
                f = t;
            }
        }
    }
    out
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

    #[test]
    fn pieces_are_days_then_hours_then_minutes() {
        let now = at(2026, 12, 31, 23, 59);
        let p = period(Calendar::ThisMonth, now);
        let ps = pieces(&p);
        let got: Vec<_> = ps.iter().map(|x| (x.width, x.from, x.to)).collect();
        assert_eq!(
            got,
            vec![
                (
                    BucketWidth::Day,
                    at(2026, 12, 1, 0, 0),
                    at(2026, 12, 31, 0, 0)
                ),
                (
                    BucketWidth::Hour,
                    at(2026, 12, 31, 0, 0),
                    at(2026, 12, 31, 23, 0)
                ),
                (BucketWidth::Minute, at(2026, 12, 31, 23, 0), now),
            ]
        );
        // Right after midnight: minutes only.
        let early = pieces(&period(Calendar::Today, at(2026, 12, 2, 0, 5)));
        assert_eq!(early.len(), 1);
        assert_eq!(early[0].width, BucketWidth::Minute);
    }

    #[test]
    fn a_cold_store_reads_a_month_in_a_few_requests_a_warm_one_in_fewer() {
        let now = at(2026, 12, 31, 23, 59);
        let p = period(Calendar::ThisMonth, now);
        let cold = plan(&p, |_, f, t| vec![(f, t)]);
        assert!(cold.len() <= 3, "{cold:?}");
        // The store has every day and hour: only the current hour's minutes are read.
        let warm = plan(&p, |w, f, t| {
            if w == BucketWidth::Minute {
                vec![(f, t)]
            } else {
                Vec::new()
            }
        });
        assert_eq!(
            warm,
            vec![Piece {
                width: BucketWidth::Minute,
                from: at(2026, 12, 31, 23, 0),
                to: now
            }]
        );
    }

    #[test]
    fn a_missing_range_longer_than_a_page_is_cut_into_pages() {
        let now = at(2026, 12, 31, 23, 59);
        let p = Period {
            start: utc_day_start(now) - 40 * SECS_PER_DAY,
            end: now,
            label: String::new(),
        };
        let r = plan(&p, |w, f, t| {
            if w == BucketWidth::Day {
                vec![(f, t)]
            } else {
                Vec::new()
            }
        });
        let per_page = i64::from(BucketWidth::Day.max_page_limit());
        assert_eq!(r.len() as i64, (40 + per_page - 1) / per_page);
        assert_eq!(
            (r[0].from, r.last().unwrap().to),
            (utc_day_start(now) - 40 * SECS_PER_DAY, utc_day_start(now))
        );
    }
}
