//! When and what each endpoint is asked, as a pure function of the clock and of what was
//! asked before: the exact window's partial first bucket, the tail that may still change, the
//! re-read of the last hour for late usage, the periodic whole-window resync and the slower
//! re-check of an endpoint without usage.
//!
//! The window is `[now - lookback, now)`. With buckets wider than a minute its first bucket is
//! partial: it is held as minute buckets (the *head*), read once when the window's start enters
//! that bucket, and trimmed locally as the start moves on. Usage counts at its minute, so a
//! trimmed head stays exact without asking again. The rest (the *body*) is whole buckets.

use crate::usage::BucketWidth;

/// How long after a bucket ends its usage may still change: every refresh re-reads it.
pub const LATE_SECS: i64 = 300;
/// Usage may reach the API this late after its minute...
pub const LATE_USAGE_SECS: i64 = 3_600;
/// ...so the last [`LATE_USAGE_SECS`] are re-read at least this often.
pub const LATE_RECHECK_SECS: i64 = 300;
/// The whole window is re-read this often, for any other change inside it.
pub const RESYNC_SECS: i64 = 3_600;
/// An endpoint without usage in the window is asked at most this often.
pub const IDLE_RECHECK_SECS: i64 = 300;

/// Where the window's head ends and its body of whole buckets starts.
pub fn body_start(window_start: i64, width: BucketWidth) -> i64 {
    let w = width.secs();
    // The smallest bucket boundary at or after the start.
    -(-window_start).div_euclid(w) * w
}

/// What one endpoint has been asked so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    /// The last fetch of the tail, `None` before the first.
    pub last_fetch: Option<i64>,
    /// The last re-read of the last hour.
    pub last_late: i64,
    /// The last whole-window read.
    pub last_full: i64,
    /// The body start the head was read for.
    pub head_for: Option<i64>,
}

/// What to ask one endpoint in a refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Minute buckets `[from, to)` replacing the head from `from` on (`to` may be after now).
    pub head: Option<(i64, i64)>,
    /// Buckets of the window's width from here to now, replacing the body from here on (may
    /// be after now when the whole window is inside its first bucket: nothing to ask).
    pub body_from: Option<i64>,
    pub late: bool,
    pub full: bool,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.head.is_none() && self.body_from.is_none()
    }
}

impl Schedule {
    /// The plan at `now` for a window of `lookback` in `width` buckets. `idle`: the endpoint
    /// had no usage in the window at the last look.
    pub fn plan(&self, now: i64, lookback: i64, width: BucketWidth, idle: bool) -> Plan {
        let start = now - lookback;
        let body = body_start(start, width);
        // Minute buckets need no head: a minute that starts before the window is not in it.
        let has_head = width != BucketWidth::Minute && start < body;
        let Some(last) = self.last_fetch else {
            return Plan {
                head: has_head.then_some((start, body)),
                body_from: Some(body),
                late: true,
                full: true,
            };
        };
        let full = now - self.last_full >= RESYNC_SECS;
        let late = full || now - self.last_late >= LATE_RECHECK_SECS;
        if idle && !late {
            return Plan {
                head: None,
                body_from: None,
                late: false,
                full: false,
            };
        }
        // Usage after this may still change (or arrive late) and is read again.
        let changing = if late {
            // Late usage up to an hour old when it lands, landed since the last re-read.
            now - LATE_USAGE_SECS - LATE_RECHECK_SECS
        } else {
            last - LATE_SECS
        };
        let head = if !has_head {
            None
        } else if full || self.head_for != Some(body) {
            Some((start, body))
        } else if body > changing {
            // The head reaches into what may change (a window shorter than a bucket or two).
            Some((BucketWidth::Minute.floor(changing).max(start), body))
        } else {
            None
        };
        let from = if full {
            body
        } else {
            width.floor(changing).max(body)
        };
        Plan {
            head,
            body_from: Some(from),
            late,
            full,
        }
    }

    /// Records that `plan` was carried out at `now`.
    pub fn done(&mut self, plan: &Plan, now: i64, lookback: i64, width: BucketWidth) {
        if plan.is_empty() {
            return;
        }
        self.last_fetch = Some(now);
        if plan.late {
            self.last_late = now;
        }
        if plan.full {
            self.last_full = now;
        }
        if plan.head.is_some() || width == BucketWidth::Minute {
            self.head_for = Some(body_start(now - lookback, width));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600;
    /// 2026-11-26T10:37:20Z
    const NOW: i64 = 1_795_689_440;

    fn run(s: &mut Schedule, now: i64, lookback: i64, width: BucketWidth, idle: bool) -> Plan {
        let p = s.plan(now, lookback, width, idle);
        s.done(&p, now, lookback, width);
        p
    }

    #[test]
    fn the_body_starts_at_the_first_boundary_not_before_the_window() {
        assert_eq!(body_start(3_600, BucketWidth::Hour), 3_600);
        assert_eq!(body_start(3_601, BucketWidth::Hour), 7_200);
        assert_eq!(body_start(-1, BucketWidth::Minute), 0);
    }

    #[test]
    fn first_read_is_the_whole_window_with_its_partial_head() {
        let p = Schedule::default().plan(NOW, 6 * H, BucketWidth::Hour, false);
        let start = NOW - 6 * H;
        assert_eq!(p.head, Some((start, body_start(start, BucketWidth::Hour))));
        assert_eq!(p.body_from, Some(body_start(start, BucketWidth::Hour)));
        assert!(p.full && p.late);
        let m = Schedule::default().plan(NOW, 6 * H, BucketWidth::Minute, false);
        assert_eq!(m.head, None);
    }

    #[test]
    fn steady_state_reads_only_the_tail_and_the_head_once_per_bucket() {
        let mut s = Schedule::default();
        run(&mut s, NOW, 6 * H, BucketWidth::Hour, false);
        let p = run(&mut s, NOW + 15, 6 * H, BucketWidth::Hour, false);
        assert_eq!(p.head, None, "the head is trimmed locally");
        assert_eq!(p.body_from, Some(BucketWidth::Hour.floor(NOW - LATE_SECS)));
        assert!(!p.late && !p.full);
        // The window's start crosses an hour: the new head is read once.
        let crossing = body_start(NOW - 6 * H, BucketWidth::Hour) + 6 * H + 10;
        let p = run(&mut s, crossing, 6 * H, BucketWidth::Hour, false);
        assert!(p.head.is_some());
        let p = run(&mut s, crossing + 15, 6 * H, BucketWidth::Hour, false);
        assert!(p.head.is_none());
    }

    #[test]
    fn the_last_hour_is_reread_every_five_minutes_and_the_window_every_hour() {
        let mut s = Schedule::default();
        run(&mut s, NOW, 6 * H, BucketWidth::Minute, false);
        let mut lates = 0;
        let mut fulls = 0;
        for i in 1..=240 {
            // an hour in 15 s steps
            let p = run(&mut s, NOW + 15 * i, 6 * H, BucketWidth::Minute, false);
            if p.late {
                lates += 1;
                let reach = LATE_USAGE_SECS + LATE_RECHECK_SECS;
                assert!(p.body_from.unwrap() <= NOW + 15 * i - reach);
            }
            fulls += usize::from(p.full);
        }
        assert_eq!((lates, fulls), (12, 1));
    }

    #[test]
    fn an_idle_endpoint_is_asked_every_five_minutes_only() {
        let mut s = Schedule::default();
        run(&mut s, NOW, H, BucketWidth::Minute, true);
        let asked = (1..=40)
            .filter(|i| !run(&mut s, NOW + 15 * i, H, BucketWidth::Minute, true).is_empty())
            .count();
        assert_eq!(asked, 2);
    }

    #[test]
    fn a_window_inside_one_day_bucket_rereads_the_changing_end_of_its_head() {
        let mut s = Schedule::default();
        run(&mut s, NOW, 6 * H, BucketWidth::Day, false);
        let p = run(&mut s, NOW + 15, 6 * H, BucketWidth::Day, false);
        let (from, to) = p.head.unwrap();
        assert_eq!(from, BucketWidth::Minute.floor(NOW - LATE_SECS));
        assert!(to > NOW + 15, "the body starts tomorrow");
    }

    #[test]
    fn a_one_hour_window_rereads_its_head_with_the_late_usage() {
        let mut s = Schedule::default();
        run(&mut s, NOW, H, BucketWidth::Hour, false);
        let p = run(&mut s, NOW + LATE_RECHECK_SECS, H, BucketWidth::Hour, false);
        assert!(p.late && p.head.is_some());
    }
}
