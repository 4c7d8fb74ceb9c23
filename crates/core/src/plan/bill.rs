//! When the bill tracker asks the Costs API, and for which days, as a pure function of the
//! clock and of what it asked before; and when it re-reads the usage of the checked days.
//!
//! The bill changes slowly (daily buckets, minutes to hours of lag) and the Admin API's rate
//! limits are shared by the whole organization, so: one first fetch of the month (and of the
//! 7 days before today, for the check, when they reach into the previous month), then at most
//! one request per [`BILL_INTERVAL_SECS`] for today's bucket only, with yesterday's in the same
//! request until it is settled ([`SETTLE_SECS`] after midnight), since late costs land then.
//! A user's "Refresh now" asks once more (never before a server's `Retry-After`). Failures
//! back off, doubling from the interval to [`MAX_BILL_BACKOFF_SECS`].
//!
//! The usage of the checked days is read again only when a new day completes and once more
//! after the late-usage hour (usage reaches the API up to [`LATE_USAGE_SECS`] late): at most
//! two reads a day of one request per usage endpoint.

use super::usage::LATE_USAGE_SECS;
use crate::bill::reconcile::CHECK_DAYS;
use crate::bill::{SECS_PER_DAY, SETTLE_SECS, utc_day_start, utc_month_start};

/// At most one costs request this often in steady state.
pub const BILL_INTERVAL_SECS: i64 = 600;
/// The longest wait between two costs attempts after failures.
pub const MAX_BILL_BACKOFF_SECS: i64 = 3_600;

/// The first day the bill keeps at `now`: this UTC month, and the checked days before today.
pub fn keep_from(now: i64) -> i64 {
    let today = utc_day_start(now);
    utc_month_start(now).min(today - CHECK_DAYS * SECS_PER_DAY)
}

/// What the costs requests have been so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BillSchedule {
    /// The last attempt, successful or not.
    pub last_attempt: Option<i64>,
    /// The start of the UTC day of the last success; `None` before the first.
    pub last_success_day: Option<i64>,
    pub failures: u32,
    /// A server's `Retry-After` holds until then.
    pub retry_after_until: Option<i64>,
}

impl BillSchedule {
    /// When the next scheduled request is due (now, before the first).
    pub fn next_at(&self) -> Option<i64> {
        let last = self.last_attempt?;
        let wait = if self.failures == 0 {
            BILL_INTERVAL_SECS
        } else {
            let factor = 1i64 << (self.failures - 1).min(10);
            (BILL_INTERVAL_SECS * factor).min(MAX_BILL_BACKOFF_SECS)
        };
        Some((last + wait).max(self.retry_after_until.unwrap_or(i64::MIN)))
    }

    pub fn due(&self, now: i64) -> bool {
        self.next_at().is_none_or(|t| now >= t)
    }

    /// The user asked: allowed unless a server's `Retry-After` still holds.
    pub fn may_force(&self, now: i64) -> bool {
        self.retry_after_until.is_none_or(|t| now >= t)
    }

    /// The first day to ask for at `now`: everything kept before the first success; then
    /// today (and yesterday until it is settled), reaching back to the last success's day
    /// after a long failure so that no day is left unread.
    pub fn from(&self, now: i64) -> i64 {
        let today = utc_day_start(now);
        let Some(last_day) = self.last_success_day else {
            return keep_from(now);
        };
        let policy = if now - today < SETTLE_SECS {
            today - SECS_PER_DAY
        } else {
            today
        };
        policy.min(last_day).max(keep_from(now))
    }

    /// Records an attempt at `now`: a success, or a failure with the server's `Retry-After`.
    pub fn done(&mut self, now: i64, outcome: Result<(), Option<i64>>) {
        self.last_attempt = Some(now);
        match outcome {
            Ok(()) => {
                self.failures = 0;
                self.retry_after_until = None;
                self.last_success_day = Some(utc_day_start(now));
            }
            Err(retry_after) => {
                self.failures += 1;
                self.retry_after_until = retry_after.map(|s| now + s);
            }
        }
    }
}

/// When the usage of the checked days was last read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EstimateSchedule {
    /// The UTC day (start) the last read was made on.
    pub read_on: Option<i64>,
    /// That read came after the late-usage hour of that day.
    pub after_late: bool,
}

impl EstimateSchedule {
    pub fn due(&self, now: i64) -> bool {
        let today = utc_day_start(now);
        match self.read_on {
            None => true,
            Some(day) if day != today => true,
            Some(_) => !self.after_late && now - today >= LATE_USAGE_SECS,
        }
    }

    pub fn done(&mut self, now: i64) {
        let today = utc_day_start(now);
        self.read_on = Some(today);
        self.after_late = now - today >= LATE_USAGE_SECS;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = SECS_PER_DAY;
    /// 2026-12-10T12:00:00Z
    const NOW: i64 = 1_796_904_000;

    #[test]
    fn the_first_fetch_reads_the_month_or_the_last_seven_days_whichever_is_earlier() {
        let s = BillSchedule::default();
        assert!(s.due(NOW));
        assert_eq!(s.from(NOW), utc_month_start(NOW), "10 December: the month");
        let third = utc_month_start(NOW) + 2 * D + 5; // 3 December
        assert_eq!(
            s.from(third),
            utc_day_start(third) - 7 * D,
            "the 7 days before"
        );
    }

    #[test]
    fn steady_state_is_one_request_per_ten_minutes_for_today_only() {
        let mut s = BillSchedule::default();
        s.done(NOW, Ok(()));
        let mut asked = 0;
        // 24 hours in 15 s steps, from noon to noon.
        for step in 1..=(24 * 240) {
            let now = NOW + 15 * step;
            if s.due(now) {
                let from = s.from(now);
                let today = utc_day_start(now);
                if now - today < SETTLE_SECS {
                    assert_eq!(from, today - D, "yesterday too in the first hours");
                } else {
                    assert_eq!(from, today);
                }
                s.done(now, Ok(()));
                asked += 1;
            }
        }
        assert_eq!(asked, 24 * 6);
    }

    #[test]
    fn failures_back_off_and_a_retry_after_holds_even_a_forced_request() {
        let mut s = BillSchedule::default();
        s.done(NOW, Ok(()));
        s.done(NOW + 600, Err(None));
        assert_eq!(s.next_at(), Some(NOW + 1200));
        s.done(NOW + 1200, Err(None));
        assert_eq!(s.next_at(), Some(NOW + 2400));
        for _ in 0..10 {
            s.done(NOW + 2400, Err(None));
        }
        assert_eq!(s.next_at(), Some(NOW + 2400 + MAX_BILL_BACKOFF_SECS));
        assert!(s.may_force(NOW + 2401));
        s.done(NOW + 3000, Err(Some(7200)));
        assert!(!s.may_force(NOW + 3000 + 7199));
        assert_eq!(s.next_at(), Some(NOW + 3000 + 7200));
        s.done(NOW + 10_200, Ok(()));
        assert_eq!(s.next_at(), Some(NOW + 10_800));
    }

    #[test]
    fn after_a_long_failure_the_days_missed_are_read_again() {
        let mut s = BillSchedule::default();
        s.done(NOW, Ok(()));
        let later = NOW + 3 * D;
        assert_eq!(s.from(later), utc_day_start(NOW));
        assert!(s.from(NOW + 200 * D) >= keep_from(NOW + 200 * D));
    }

    #[test]
    fn day_usage_is_read_when_a_day_completes_and_after_the_late_hour() {
        let mut e = EstimateSchedule::default();
        let mut reads = 0;
        for step in 0..(48 * 60) {
            let now = NOW + 60 * step; // two days, minute by minute
            if e.due(now) {
                e.done(now);
                reads += 1;
            }
        }
        // Noon day 1 (late hour passed), then just after each midnight and at 01:00, twice.
        assert_eq!(reads, 1 + 2 + 2);
    }
}
