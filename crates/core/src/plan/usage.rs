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

/// What the history store lacks of a window (from `Store::missing`): where the first head
/// minute and the first body bucket that are not stored, or may still change, start; `None`:
/// all of that part is stored and final.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resume {
    pub head_from: Option<i64>,
    pub body_from: Option<i64>,
}

/// The first whole minute at or after the window's start: the head's minutes the store can
/// hold (usage counts at its minute, so the partial minute before it holds none of the window).
pub fn head_minutes_from(window_start: i64) -> i64 {
    body_start(window_start, BucketWidth::Minute)
}

impl Schedule {
    /// The whole-window read of [`plan`](Self::plan) (the first, or the hourly resync) when a
    /// history store holds part of the window: only what `resume` says is missing or may
    /// still change, from there to the head's end and to now. Counts as a whole-window read.
    pub fn resume(&self, now: i64, lookback: i64, width: BucketWidth, resume: Resume) -> Plan {
        let start = now - lookback;
        let body = body_start(start, width);
        let has_head = width != BucketWidth::Minute && start < body;
        Plan {
            head: resume
                .head_from
                .filter(|_| has_head)
                .map(|f| (f.max(start), body)),
            body_from: resume.body_from.map(|f| width.floor(f).max(body)),
            late: true,
            full: true,
        }
    }

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
        // A whole-window read with nothing to ask (all of it stored and final) still counts.
        if plan.is_empty() && !plan.full {
            return;
        }
        self.last_fetch = Some(now);
        if plan.late {
            self.last_late = now;
        }
        if plan.full {
            self.last_full = now;
        }
        // After a whole-window read the head is known (read, or stored and final).
        if plan.head.is_some() || plan.full || width == BucketWidth::Minute {
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
    fn a_resumed_window_asks_only_what_the_store_lacks_then_runs_as_usual() {
        let mut s = Schedule::default();
        let start = NOW - 6 * H;
        let body = body_start(start, BucketWidth::Hour);
        // The head is stored and final; the body from two hours ago may still change.
        let changing = BucketWidth::Hour.floor(NOW - 2 * H);
        let r = Resume {
            head_from: None,
            body_from: Some(changing + 17),
        };
        let p = s.resume(NOW, 6 * H, BucketWidth::Hour, r);
        assert_eq!(p.head, None);
        assert_eq!(
            p.body_from,
            Some(changing),
            "whole buckets from the first one lacking"
        );
        assert!(p.full && p.late);
        s.done(&p, NOW, 6 * H, BucketWidth::Hour);
        // The head counts as read: the next plans are the steady state's, not a full read.
        let next = run(&mut s, NOW + 15, 6 * H, BucketWidth::Hour, false);
        assert_eq!(next.head, None);
        assert!(!next.full);
        assert_eq!(
            next.body_from,
            Some(BucketWidth::Hour.floor(NOW - LATE_SECS))
        );
        // A head lacking from a minute on is read from there to the body's start only.
        let minute = head_minutes_from(start) + 600;
        let p = Schedule::default().resume(
            NOW,
            6 * H,
            BucketWidth::Hour,
            Resume {
                head_from: Some(minute),
                body_from: None,
            },
        );
        assert_eq!(p.head, Some((minute, body)));
        assert_eq!(p.body_from, None);
        // Nothing lacking: nothing asked, yet the window counts as read.
        let mut s = Schedule::default();
        let p = s.resume(NOW, 6 * H, BucketWidth::Hour, Resume::default());
        assert!(p.is_empty());
        s.done(&p, NOW, 6 * H, BucketWidth::Hour);
        assert_eq!(s.last_fetch, Some(NOW));
        assert_eq!(s.last_full, NOW);
        // Minute buckets have no head to resume.
        let m = Schedule::default().resume(
            NOW,
            6 * H,
            BucketWidth::Minute,
            Resume {
                head_from: Some(start),
                body_from: Some(NOW - 60),
            },
        );
        assert_eq!(m.head, None);
        assert_eq!(m.body_from, Some(BucketWidth::Minute.floor(NOW - 60)));
    }

    #[test]
    fn the_head_minutes_start_at_the_first_whole_minute() {
        assert_eq!(head_minutes_from(120), 120);
        assert_eq!(head_minutes_from(121), 180);
    }

    #[test]
    fn a_one_hour_window_rereads_its_head_with_the_late_usage() {
        let mut s = Schedule::default();
        run(&mut s, NOW, H, BucketWidth::Hour, false);
        let p = run(&mut s, NOW + LATE_RECHECK_SECS, H, BucketWidth::Hour, false);
        assert!(p.late && p.head.is_some());
    }
}
