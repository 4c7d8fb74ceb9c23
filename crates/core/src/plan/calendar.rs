//! The tracker's window when it follows the UTC calendar ("Today", "This week", "This month")
//! rather than a number of hours: `[period start, now)`, read at a width chosen so that each
//! endpoint's whole window is one small request, and restarted when the period rolls over
//! (UTC midnight, Monday, the 1st). Pure: a function of the choice and the clock.
//!
//! The rolling window moves its start every refresh; a calendar window's start stays put and
//! its length grows with the clock, so the same [`super::usage::Schedule`] reads it: only the
//! tail that may still change after the first read, the late hour every five minutes, the
//! whole period every hour. Its start is always on a bucket boundary, so it has no head.

use crate::plan::periods::{self, Calendar};
use crate::usage::BucketWidth;

/// The width a calendar window is read at. Today and This week in hours: at most 24 and 168
/// buckets, one page each (168 is the API's most hourly buckets per page) and the last hour
/// re-read as one bucket. This month in days: at most 31 buckets, one page (31 is the daily
/// page limit), where hours would be up to 744 buckets, five pages. Minutes never: a day is
/// 1,440 of them.
pub fn width(c: Calendar) -> BucketWidth {
    match c {
        Calendar::Today | Calendar::ThisWeek => BucketWidth::Hour,
        Calendar::ThisMonth => BucketWidth::Day,
    }
}

/// Where the window starts at `now` and its length: what the schedule plans with.
pub fn span(c: Calendar, now: i64) -> (i64, i64) {
    let start = periods::period(c, now).start;
    (start, (now - start).max(0))
}

/// Whether the period holding `now` is another one than that starting at `held`: the window
/// restarts (the tracker drops what it holds and reads the new period whole).
pub fn rolled_over(c: Calendar, held: Option<i64>, now: i64) -> bool {
    held.is_some_and(|start| span(c, now).0 != start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn each_window_fits_one_page_at_its_width() {
        // The longest each can be: a whole day, a whole week, a 31-day month.
        for (c, longest) in [
            (Calendar::Today, 86_400),
            (Calendar::ThisWeek, 7 * 86_400),
            (Calendar::ThisMonth, 31 * 86_400),
        ] {
            let w = width(c);
            assert!(longest / w.secs() <= i64::from(w.max_page_limit()), "{c:?}");
            assert_ne!(w, BucketWidth::Minute);
        }
    }

    #[test]
    fn the_start_stays_and_the_length_grows_until_the_period_rolls_over() {
        // Sunday 6 December 2026, 23:59:30 UTC, then 60 s later: Monday 7 December.
        let sunday = at(2026, 12, 6, 23, 59, 30);
        let monday = sunday + 60;
        let (today, len) = span(Calendar::Today, sunday);
        assert_eq!((today, len), (at(2026, 12, 6, 0, 0, 0), 86_370));
        assert!(!rolled_over(Calendar::Today, Some(today), sunday));
        assert!(rolled_over(Calendar::Today, Some(today), monday));
        assert_eq!(
            span(Calendar::Today, monday),
            (at(2026, 12, 7, 0, 0, 0), 30)
        );

        let (week, _) = span(Calendar::ThisWeek, sunday);
        assert_eq!(week, at(2026, 11, 30, 0, 0, 0));
        assert!(rolled_over(Calendar::ThisWeek, Some(week), monday));
        assert_eq!(span(Calendar::ThisWeek, monday).0, at(2026, 12, 7, 0, 0, 0));

        // The month rolls on the 1st, not on a Monday or at every midnight.
        let (month, _) = span(Calendar::ThisMonth, sunday);
        assert!(!rolled_over(Calendar::ThisMonth, Some(month), monday));
        let new_year = at(2027, 1, 1, 0, 0, 5);
        assert!(rolled_over(Calendar::ThisMonth, Some(month), new_year));
        assert_eq!(
            span(Calendar::ThisMonth, new_year),
            (at(2027, 1, 1, 0, 0, 0), 5)
        );
        // Nothing held yet: nothing to roll over.
        assert!(!rolled_over(Calendar::ThisMonth, None, new_year));
    }
}
