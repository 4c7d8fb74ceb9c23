//! How long each kind of history is kept, and the pruning. Pruning is a few indexed deletes
//! (rows go with their bucket through the foreign key), run on open and at most once an hour
//! on write, so it costs nothing between refreshes.

use super::{Store, StoreError};
use usage_tracker_core::usage::BucketWidth;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// Retention runs on write at most this often.
const PRUNE_EVERY_SECS: i64 = HOUR;

/// Seconds each kind of history is kept, counted back from now to a bucket's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub minute_secs: i64,
    pub hour_secs: i64,
    pub day_secs: i64,
    pub bill_secs: i64,
}

impl Default for Retention {
    /// 1-minute buckets 48 h, 1-hour buckets 90 days, daily buckets and bills 400 days.
    fn default() -> Self {
        Retention {
            minute_secs: 48 * HOUR,
            hour_secs: 90 * DAY,
            day_secs: 400 * DAY,
            bill_secs: 400 * DAY,
        }
    }
}

impl Retention {
    /// The longest span a setting may give: ten years.
    pub const MAX_SECS: i64 = 3_660 * DAY;

    /// Parses `1m=48h,1h=90d,1d=400d,bills=400d` (the `history_keep` setting): any of the four,
    /// in any order, each once; spans in whole hours (`h`) or days (`d`), at least an hour and
    /// at most [`MAX_SECS`](Self::MAX_SECS); one left out keeps its default. `None` for
    /// anything else (an empty text included).
    pub fn parse(text: &str) -> Option<Retention> {
        let mut r = Retention::default();
        let mut seen = Vec::new();
        for part in text.split(',') {
            let (name, span) = part.split_once('=')?;
            let name = name.trim();
            if seen.contains(&name) {
                return None;
            }
            seen.push(name);
            let secs = parse_span(span.trim())?;
            match name {
                "1m" => r.minute_secs = secs,
                "1h" => r.hour_secs = secs,
                "1d" => r.day_secs = secs,
                "bills" => r.bill_secs = secs,
                _ => return None,
            }
        }
        Some(r)
    }

    /// The setting's text for these spans (what [`parse`](Self::parse) reads back).
    pub fn spec(&self) -> String {
        // Hours below four days (48h reads better than 2d), whole days above.
        let span = |secs: i64| {
            if secs % DAY == 0 && secs >= 4 * DAY {
                format!("{}d", secs / DAY)
            } else {
                format!("{}h", secs / HOUR)
            }
        };
        format!(
            "1m={},1h={},1d={},bills={}",
            span(self.minute_secs),
            span(self.hour_secs),
            span(self.day_secs),
            span(self.bill_secs)
        )
    }

    pub fn of(&self, width: BucketWidth) -> i64 {
        match width {
            BucketWidth::Minute => self.minute_secs,
            BucketWidth::Hour => self.hour_secs,
            BucketWidth::Day => self.day_secs,
        }
    }
}

/// `48h` or `90d`: whole hours or days, from an hour to [`Retention::MAX_SECS`].
fn parse_span(text: &str) -> Option<i64> {
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: i64 = digits.parse().ok().filter(|n| *n > 0)?;
    let secs = match unit {
        "h" => n.checked_mul(HOUR)?,
        "d" => n.checked_mul(DAY)?,
        _ => return None,
    };
    (secs <= Retention::MAX_SECS).then_some(secs)
}

impl Store {
    /// Drops what is older than its retention as of `now`; returns the buckets and days
    /// dropped.
    pub fn prune(&mut self, now: i64) -> Result<usize, StoreError> {
        let r = self.options.retention;
        let (path, busy) = (self.path.clone(), self.options.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, busy, e);
        // IMMEDIATE: a deferred transaction that reads and then writes fails at once with
        // SQLITE_BUSY (no busy wait) when another process wrote in between; this one waits.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut dropped = 0;
        for w in [BucketWidth::Minute, BucketWidth::Hour, BucketWidth::Day] {
            dropped += tx
                .execute(
                    "DELETE FROM usage_bucket WHERE start_time < ?2
                       AND series_id IN (SELECT id FROM series WHERE width = ?1)",
                    (w.secs(), now - r.of(w)),
                )
                .map_err(err)?;
        }
        dropped += tx
            .execute(
                "DELETE FROM bill_day WHERE start_time < ?1",
                [now - r.bill_secs],
            )
            .map_err(err)?;
        tx.commit().map_err(err)?;
        self.last_prune = now;
        Ok(dropped)
    }

    /// Prunes when the last pruning is an hour old (called by the writers).
    pub(super) fn prune_if_due(&mut self, now: i64) -> Result<(), StoreError> {
        if now - self.last_prune >= PRUNE_EVERY_SECS {
            self.prune(now)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod setting_tests {
    use super::*;

    #[test]
    fn the_default_spec_reads_back_as_the_default() {
        let d = Retention::default();
        assert_eq!(d.spec(), "1m=48h,1h=90d,1d=400d,bills=400d");
        assert_eq!(Retention::parse(&d.spec()), Some(d));
    }

    #[test]
    fn a_spec_sets_what_it_names_and_keeps_the_rest() {
        let r = Retention::parse(" 1h = 30d , 1m=72h").unwrap();
        assert_eq!(r.hour_secs, 30 * DAY);
        assert_eq!(r.minute_secs, 72 * HOUR);
        assert_eq!(r.day_secs, Retention::default().day_secs);
        assert_eq!(r.bill_secs, Retention::default().bill_secs);
        assert_eq!(r.spec(), "1m=72h,1h=30d,1d=400d,bills=400d");
        assert_eq!(Retention::parse(&r.spec()), Some(r));
        let r = Retention::parse("bills=25h").unwrap();
        assert_eq!(
            (r.bill_secs, r.spec().ends_with("bills=25h")),
            (25 * HOUR, true)
        );
    }

    #[test]
    fn a_bad_spec_is_refused() {
        for bad in [
            "",
            "1m",
            "1m=",
            "1m=48",
            "1m=0h",
            "1m=-1h",
            "1m=1.5d",
            "1m=48m",
            "5m=48h",
            "1m=48h,1m=72h",
            "1m=48h,",
            "1d=3661d",
            "1d=99999999999999999d",
        ] {
            assert_eq!(Retention::parse(bad), None, "{bad:?}");
        }
        assert!(Retention::parse("1d=3660d").is_some());
    }
}
