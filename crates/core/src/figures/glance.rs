//! The glance: what the menu, `watch` and the JSON show of the recent past, from stored (or
//! just fetched) buckets. Pure: buckets, the bill and the time in, figures out.
//!
//! - the estimated cost of each of the last [`HOURS`] UTC hours (the current one so far),
//! - of each of the last [`DAYS`] UTC days (today so far, summed from its hours),
//! - the cost since UTC midnight, and the pace of today and of this month ([`super::pace`]).
//!
//! Priced as the live figures are (`tracker::price`: completions at the chosen tier, auto =
//! each row's own; every other kind through `usage::meter_cost` at the chosen tier, auto =
//! standard), with the current prices: a new price list re-prices the past too. Rows without a
//! price add nothing, as in the bill check's day estimates.
//!
//! A period is *known* when some endpoint has a bucket for it; one without any is `None`
//! (drawn `·`, never as zero). Today's cost is known only when every hour since midnight is.
//!
//! The month's pace: this month so far by the one rule ([`MonthSpend`]: the bill's landed days,
//! the estimate of the rest where it exceeds what the bill has of them), projected over the
//! month by `pace::month`. `None` when a day it needs is unknown.

use super::pace;
use crate::bill::{Bill, MonthSpend, SECS_PER_DAY, utc_day_start, utc_month_start};
use crate::pricing::{PriceTable, TierChoice};
use crate::usage::{Bucket, BucketWidth, Meter, UsageRow};
use std::collections::BTreeMap;

/// Hours in the 24-hour row.
pub const HOURS: usize = 24;
/// Days in the 30-day row.
pub const DAYS: usize = 30;
const HOUR: i64 = 3_600;

/// The recent past at a glance; see the module's notes.
#[derive(Clone, Debug, PartialEq)]
pub struct Glance {
    /// When it was made (unix seconds).
    pub now: i64,
    /// The start of the first of [`HOURS`] hours; the last is the one holding `now`.
    pub hours_from: i64,
    /// USD per hour, oldest first; `None`: not known.
    pub hourly: Vec<Option<f64>>,
    /// The start (a UTC midnight) of the first of [`DAYS`] days; the last is today.
    pub days_from: i64,
    /// USD per day, oldest first; today is the sum of its hours so far.
    pub daily: Vec<Option<f64>>,
    /// USD since `now`'s UTC midnight, when every hour of it is known.
    pub today_usd: Option<f64>,
    /// "On pace for $X today"; `None` in the day's first half hour or when today is unknown.
    pub pace_today: Option<f64>,
    /// "$Y this month"; `None` in the month's first half hour or when a day of it is unknown.
    pub pace_month: Option<f64>,
    /// This UTC month so far by the one rule ([`MonthSpend`]), the figure the pace projects.
    pub month: MonthSpend,
}

/// The buckets a glance is made from: hourly ones covering at least the last [`HOURS`] hours
/// and daily ones covering the days before today back to the earlier of [`DAYS`] days ago
/// and the first of the month. Any endpoint, in any order; a bucket outside is ignored.
#[derive(Clone, Copy, Debug)]
pub struct Buckets<'a> {
    pub hourly_completions: &'a [Bucket<UsageRow>],
    pub hourly_others: &'a [Bucket<Meter>],
    pub daily_completions: &'a [Bucket<UsageRow>],
    pub daily_others: &'a [Bucket<Meter>],
}

/// How far back the daily buckets must go for a glance at `now`: the earlier of the first of
/// the 30 days and the first of the month (the 31st of a month needs its 1st).
pub fn daily_from(now: i64) -> i64 {
    let days_from = utc_day_start(now) - (DAYS as i64 - 1) * SECS_PER_DAY;
    days_from.min(utc_month_start(now))
}

/// The first of the [`HOURS`] hours ending with the one holding `now`.
pub fn hours_from(now: i64) -> i64 {
    BucketWidth::Hour.floor(now) - (HOURS as i64 - 1) * HOUR
}

/// USD per period start of `width`, for the periods some bucket covers.
fn per_period(
    completions: &[Bucket<UsageRow>],
    others: &[Bucket<Meter>],
    width: BucketWidth,
    prices: &PriceTable,
    tier: TierChoice,
) -> BTreeMap<i64, f64> {
    type Pair<'a> = (Vec<&'a Bucket<UsageRow>>, Vec<&'a Bucket<Meter>>);
    let mut by: BTreeMap<i64, Pair> = BTreeMap::new();
    for b in completions {
        by.entry(width.floor(b.start_time)).or_default().0.push(b);
    }
    for b in others {
        by.entry(width.floor(b.start_time)).or_default().1.push(b);
    }
    by.into_iter()
        .map(|(start, (c, o))| {
            let (summary, other) = crate::usage::price_usage::price_usage(prices, tier, c, o);
            (start, summary.totals.cost_usd + other.cost_usd)
        })
        .collect()
}

impl Glance {
    /// The glance at `now` (unix seconds) of `buckets`, priced with `prices` at `tier`; the
    /// month's pace counts `bill`'s whole days (without a bill, the estimate of every day).
    pub fn new(
        buckets: Buckets<'_>,
        bill: Option<&Bill>,
        prices: &PriceTable,
        tier: TierChoice,
        now: i64,
    ) -> Glance {
        let hour_cost = per_period(
            buckets.hourly_completions,
            buckets.hourly_others,
            BucketWidth::Hour,
            prices,
            tier,
        );
        let day_cost = per_period(
            buckets.daily_completions,
            buckets.daily_others,
            BucketWidth::Day,
            prices,
            tier,
        );
        let first_hour = hours_from(now);
        let hourly: Vec<Option<f64>> = (0..HOURS as i64)
            .map(|i| hour_cost.get(&(first_hour + i * HOUR)).copied())
            .collect();
        let today = utc_day_start(now);
        let today_usd = (today..=BucketWidth::Hour.floor(now))
            .step_by(HOUR as usize)
            .map(|h| hour_cost.get(&h).copied())
            .sum::<Option<f64>>();
        let day = |d: i64| {
            if d == today {
                today_usd
            } else {
                day_cost.get(&d).copied()
            }
        };
        let days_from = today - (DAYS as i64 - 1) * SECS_PER_DAY;
        let daily = (0..DAYS as i64)
            .map(|i| day(days_from + i * SECS_PER_DAY))
            .collect();
        let month = MonthSpend::by_day(bill, now, day);
        let pace_month = month
            .complete
            .then(|| pace::month(month.billed_usd, month.unbilled_usd, now))
            .flatten();
        Glance {
            now,
            hours_from: first_hour,
            hourly,
            days_from,
            daily,
            today_usd,
            pace_today: today_usd.and_then(|c| pace::today(c, now)),
            pace_month,
            month,
        }
    }

    /// Today's UTC estimate, the one answer to "what has today cost so far": every kind of
    /// usage since `now`'s UTC midnight, summed from the day's hourly buckets as of the glance's
    /// round. `None` when unknown, or when the glance was made on another UTC day (yesterday's
    /// figure is not today's after midnight).
    pub fn today_estimate(&self, now: i64) -> Option<f64> {
        self.today_usd
            .filter(|_| utc_day_start(self.now) == utc_day_start(now))
    }

    /// A glance made at `now` that knows only today's UTC estimate: for tests of what reads it.
    #[cfg(test)]
    pub(crate) fn only_today(now: i64, today_usd: f64) -> Glance {
        Glance {
            now,
            hours_from: hours_from(now),
            hourly: vec![None; HOURS],
            days_from: utc_day_start(now) - (DAYS as i64 - 1) * SECS_PER_DAY,
            daily: vec![None; DAYS],
            today_usd: Some(today_usd),
            pace_today: pace::today(today_usd, now),
            pace_month: None,
            month: MonthSpend::default(),
        }
    }

    /// The start of hour `i` of [`Self::hourly`].
    pub fn hour_start(&self, i: usize) -> i64 {
        self.hours_from + i as i64 * HOUR
    }

    /// The start of day `i` of [`Self::daily`].
    pub fn day_start(&self, i: usize) -> i64 {
        self.days_from + i as i64 * SECS_PER_DAY
    }
}

#[cfg(test)]
mod tests;
