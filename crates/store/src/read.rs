//! Reading history at a period (hour or day) whatever widths were stored: each period slot
//! of each endpoint is served by the stored buckets of its own width when there are any,
//! else by the finer ones inside it (an hour from its minutes, a day from its hours, or from
//! the minutes of an hour with no hour bucket), so a day that was only ever fetched by the
//! hour still counts, and one stored as the tracker keeps a window (minutes for its partial
//! first hour, hours after) counts whole.

use crate::error::StoreError;
use crate::handle::{KeySet, Store};
use std::collections::BTreeSet;
use usage_tracker_core::bill::BilledDay;
use usage_tracker_core::usage::{Bucket, BucketWidth, Endpoint, Meter, UsageRow};

/// Every stored usage of `[from, to)` for `keys`, for sums per `period`.
#[derive(Debug, Default)]
pub struct PeriodData {
    pub completions: Vec<Bucket<UsageRow>>,
    pub others: Vec<Bucket<Meter>>,
    pub bill: Vec<BilledDay>,
}

fn finer(w: BucketWidth) -> &'static [BucketWidth] {
    match w {
        BucketWidth::Day => &[BucketWidth::Hour, BucketWidth::Minute],
        BucketWidth::Hour => &[BucketWidth::Minute],
        BucketWidth::Minute => &[],
    }
}

impl Store {
    fn load_period<R: crate::usage::StoredRow>(
        &self,
        keys: &KeySet,
        e: Endpoint,
        period: BucketWidth,
        from: i64,
        to: i64,
    ) -> Result<Vec<Bucket<R>>, StoreError> {
        let from = period.floor(from);
        let mut out: Vec<Bucket<R>> = Vec::new();
        // The slots each coarser width served, by width.
        let mut served: Vec<(BucketWidth, BTreeSet<i64>)> = Vec::new();
        for w in std::iter::once(period).chain(finer(period).iter().copied()) {
            let mut now_served = BTreeSet::new();
            for b in self.load_usage::<R>(keys, e, w, from, to)? {
                let start = b.bucket.start_time;
                // A finer bucket counts only where no coarser stored bucket covers it: the
                // minutes of an hour without an hour bucket count in its day even when other
                // hours of that day have theirs.
                if served.iter().any(|(cw, s)| s.contains(&cw.floor(start))) {
                    continue;
                }
                now_served.insert(start);
                out.push(b.bucket);
            }
            served.push((w, now_served));
        }
        out.sort_by_key(|b| b.start_time);
        Ok(out)
    }

    /// The usage of every endpoint and the bill in `[from, to)` for `keys`, picked per
    /// `period` slot from the widest stored width.
    pub fn load_periods(
        &self,
        keys: &KeySet,
        period: BucketWidth,
        from: i64,
        to: i64,
    ) -> Result<PeriodData, StoreError> {
        let mut data = PeriodData {
            completions: self.load_period(keys, Endpoint::Completions, period, from, to)?,
            ..PeriodData::default()
        };
        for e in Endpoint::OTHERS {
            data.others
                .extend(self.load_period::<Meter>(keys, e, period, from, to)?);
        }
        data.bill = self
            .load_bill(keys, from, to)?
            .into_iter()
            .map(|d| d.day)
            .collect();
        Ok(data)
    }
}
