//! Daily budget, edge-triggered: one event when the estimated cost since local midnight reaches
//! the budget, re-armed when the local day changes. Pure: the caller passes the local day and the
//! cost of that day so far (`Tracker::cost_since` computes it over every kind of usage).

use crate::pricing::{PriceTable, TierChoice};
use crate::usage::{UsageSeries, summarize};
use chrono::{Datelike, Local, TimeZone};

/// The budget was crossed.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetAlert {
    pub spent: f64,
    pub budget: f64,
}

#[derive(Clone, Debug)]
pub struct BudgetDetector {
    budget: f64,
    /// The local day (any day number, e.g. days since the epoch) the alert last fired on.
    fired_on: Option<i64>,
}

impl BudgetDetector {
    pub fn new(budget: f64) -> Self {
        BudgetDetector {
            budget,
            fired_on: None,
        }
    }

    pub fn budget(&self) -> f64 {
        self.budget
    }

    /// The day the alert last fired on, to be kept across launches.
    pub fn fired_on(&self) -> Option<i64> {
        self.fired_on
    }

    /// Restores [`Self::fired_on`] from a previous launch.
    pub fn restore(&mut self, fired_on: Option<i64>) {
        self.fired_on = fired_on;
    }

    /// Observes the cost of local day `day` so far; `Some` once per day, when it reaches the
    /// budget.
    pub fn observe(&mut self, day: i64, spent: f64) -> Option<BudgetAlert> {
        if spent < self.budget || self.fired_on == Some(day) {
            return None;
        }
        self.fired_on = Some(day);
        Some(BudgetAlert {
            spent,
            budget: self.budget,
        })
    }
}

/// Estimated cost (priced models only) of the completions buckets starting at or after `since`
/// (completions alone: a budget counts every kind of usage, with `Tracker::cost_since`).
pub fn cost_since(series: &UsageSeries, since: i64, prices: &PriceTable, tier: TierChoice) -> f64 {
    let buckets = series.buckets().filter(|b| b.start_time >= since);
    summarize(buckets, prices, tier).totals.cost_usd
}

/// The local day number and the unix time of its midnight (for `cost_since`), shared by every
/// front end that shows today against the budget.
pub fn local_day(now: i64) -> Option<(i64, i64)> {
    let date = Local.timestamp_opt(now, 0).single()?.date_naive();
    let midnight = date
        .and_hms_opt(0, 0, 0)?
        .and_local_timezone(Local)
        .earliest()?
        .timestamp();
    Some((i64::from(date.num_days_from_ce()), midnight))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_is_on_the_same_local_day_and_at_most_a_day_back() {
        let now = 1_764_000_030;
        let (day, midnight) = local_day(now).unwrap();
        assert!(midnight <= now && now - midnight < 26 * 3600);
        assert_eq!(local_day(midnight).unwrap(), (day, midnight));
        assert_eq!(local_day(midnight - 1).unwrap().0, day - 1);
    }

    #[test]
    fn fires_once_when_crossed_then_rearms_the_next_day() {
        let mut d = BudgetDetector::new(5.0);
        assert_eq!(d.observe(100, 1.0), None);
        assert_eq!(d.observe(100, 4.99), None);
        assert_eq!(
            d.observe(100, 5.2),
            Some(BudgetAlert {
                spent: 5.2,
                budget: 5.0
            })
        );
        assert_eq!(d.observe(100, 6.0), None);
        assert_eq!(d.observe(100, 9.0), None);
        // A new day starts under the budget: no event until it is crossed again.
        assert_eq!(d.observe(101, 0.5), None);
        assert!(d.observe(101, 5.0).is_some());
        assert_eq!(d.observe(101, 5.5), None);
    }

    #[test]
    fn a_day_starting_over_budget_fires_once() {
        let mut d = BudgetDetector::new(1.0);
        assert!(d.observe(7, 3.0).is_some());
        assert!(d.observe(8, 3.0).is_some());
        assert!(d.observe(8, 4.0).is_none());
    }

    #[test]
    fn cost_since_midnight_leaves_out_earlier_buckets() {
        use crate::pricing::Tier;
        use crate::usage::{Bucket, BucketWidth, UsageRow};
        let mut series = UsageSeries::new(BucketWidth::Hour);
        let model = series.intern("gpt-4o");
        let bucket = |start: i64| Bucket {
            start_time: start,
            end_time: start + 3600,
            rows: vec![UsageRow {
                owner: Default::default(),
                model: model.clone(),
                tier: Tier::Standard,
                input_tokens: 1_000_000,
                cached_input_tokens: 0,
                output_tokens: 0,
                requests: 1,
                split: Default::default(),
            }],
        };
        series.replace_from(0, [bucket(0), bucket(3600), bucket(7200)]);
        let prices = PriceTable::builtin();
        let all = cost_since(&series, 0, prices, TierChoice::Auto);
        let last_two = cost_since(&series, 3600, prices, TierChoice::Auto);
        assert!(all > 0.0);
        assert!((last_two - all * 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(cost_since(&series, 10_800, prices, TierChoice::Auto), 0.0);
    }
}
