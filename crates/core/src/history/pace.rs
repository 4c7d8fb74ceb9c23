//! Pace: where today's and this month's spend are heading at the rate so far, in UTC (the
//! days the bill is cut on). Pure arithmetic the menu, `watch` and the JSON share.
//!
//! The first minutes rule: before [`MIN_ELAPSED_SECS`] of the UTC day (or month) have passed,
//! no pace is given. A rate from a few minutes multiplies one early request into a day's
//! worth ("$40 today" at 00:02), which misleads more than it tells.

use crate::bill::{SECS_PER_DAY, utc_day_start};
use chrono::{Datelike, TimeZone, Utc};

/// Half an hour: before it, [`today`] and [`month`] say nothing.
pub const MIN_ELAPSED_SECS: i64 = 30 * 60;

/// "On pace for $X today": `cost_today` (spend since `now`'s UTC midnight) divided by the
/// fraction of the UTC day elapsed. `None` in the first [`MIN_ELAPSED_SECS`] or when the cost
/// is not a finite number.
pub fn today(cost_today: f64, now: i64) -> Option<f64> {
    let elapsed = now - utc_day_start(now);
    project(cost_today, elapsed, SECS_PER_DAY)
}

/// "$Y this month": what is spent since the first of `now`'s UTC month, the month's bill so
/// far (`billed_usd`, whole billed days) plus the estimate of what is not billed yet
/// (`unbilled_usd`: today, and yesterday while its bill has not landed), projected over the
/// month's length (28 to 31 days). `None` in the month's first [`MIN_ELAPSED_SECS`].
pub fn month(billed_usd: f64, unbilled_usd: f64, now: i64) -> Option<f64> {
    let (start, end) = month_bounds(now)?;
    project(billed_usd + unbilled_usd, now - start, end - start)
}

/// `[first of the month, first of the next)` of `now`'s UTC month, unix seconds.
pub fn month_bounds(now: i64) -> Option<(i64, i64)> {
    let t = Utc.timestamp_opt(now, 0).single()?;
    let start = Utc
        .with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0)
        .single()?;
    let (y, m) = if t.month() == 12 {
        (t.year() + 1, 1)
    } else {
        (t.year(), t.month() + 1)
    };
    let end = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()?;
    Some((start.timestamp(), end.timestamp()))
}

fn project(spent: f64, elapsed: i64, length: i64) -> Option<f64> {
    if elapsed < MIN_ELAPSED_SECS || !spent.is_finite() {
        return None;
    }
    Some(spent * length as f64 / elapsed.min(length) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .timestamp()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn today_is_the_rate_so_far_over_the_whole_day() {
        // $3 by 06:00 is a quarter of the day: $12.
        assert!(close(today(3.0, at(2026, 12, 2, 6, 0)), 12.0));
        // $1.50 by 18:00 (three quarters): $2.
        assert!(close(today(1.5, at(2026, 12, 2, 18, 0)), 2.0));
        // Nothing spent is on pace for nothing.
        assert!(close(today(0.0, at(2026, 12, 2, 12, 0)), 0.0));
    }

    #[test]
    fn the_first_half_hour_says_nothing() {
        assert_eq!(today(5.0, at(2026, 12, 2, 0, 0)), None);
        assert_eq!(today(5.0, at(2026, 12, 2, 0, 29)), None);
        // At 00:30, a 48th of the day: $0.25 → $12.
        assert!(close(today(0.25, at(2026, 12, 2, 0, 30)), 12.0));
        assert_eq!(month(0.0, 5.0, at(2026, 12, 1, 0, 10)), None);
        assert_eq!(today(f64::NAN, at(2026, 12, 2, 12, 0)), None);
    }

    #[test]
    fn month_projects_bill_and_unbilled_over_the_months_length() {
        // 31 days: noon of the 2nd is 1.5 days in; $30 billed + $1.50 today → $31.50 / 1.5 × 31.
        assert!(close(month(30.0, 1.5, at(2026, 12, 2, 12, 0)), 651.0));
        // 30 days: the 16th at 00:00 is 15 days in, $45 → $90.
        assert!(close(month(40.0, 5.0, at(2026, 11, 16, 0, 0)), 90.0));
        // 28 days (2026 is not a leap year): the 8th at 00:00 is 7 days in, $7 → $28.
        assert!(close(month(7.0, 0.0, at(2026, 2, 8, 0, 0)), 28.0));
        // 29 days in 2028: 7 days in, $7 → $29.
        assert!(close(month(7.0, 0.0, at(2028, 2, 8, 0, 0)), 29.0));
    }

    #[test]
    fn month_bounds_cross_the_year() {
        assert_eq!(
            month_bounds(at(2026, 12, 31, 23, 59)),
            Some((at(2026, 12, 1, 0, 0), at(2027, 1, 1, 0, 0)))
        );
    }
}
