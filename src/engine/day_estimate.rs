//! The estimate of each complete UTC day the check covers: the usage of every endpoint in daily
//! buckets (one small request per endpoint, the same queries as the live tracker's), priced
//! exactly as the live total is ([`crate::usage::price_usage::price_usage`]). Held between reads;
//! re-priced without a fetch when the tier changes.

use super::fetch;
use crate::bill::SECS_PER_DAY;
use crate::bill::reconcile::CHECK_DAYS;
use crate::openai::{AdminClient, ApiError, UsageQuery};
use crate::plan::bill::EstimateSchedule;
use crate::pricing::{PriceTable, TierChoice};
use crate::usage::{Bucket, BucketWidth, Endpoint, Meter, Names, UsageRow};

#[derive(Default)]
pub(super) struct DayEstimates {
    pub schedule: EstimateSchedule,
    names: Names,
    completions: Vec<Bucket<UsageRow>>,
    others: Vec<Bucket<Meter>>,
}

impl DayEstimates {
    /// Reads the usage of the [`CHECK_DAYS`] complete days before `today` (a UTC midnight):
    /// one request per endpoint. Returns the requests made. Nothing held changes on a failure.
    pub async fn read(
        &mut self,
        client: &AdminClient,
        keys: &[String],
        today: i64,
    ) -> Result<u64, ApiError> {
        let from = today - CHECK_DAYS * SECS_PER_DAY;
        let query = |e: Endpoint| {
            let mut q = UsageQuery::new(e, from, BucketWidth::Day, keys);
            q.end_time = Some(today);
            q.limit = CHECK_DAYS as u32;
            q
        };
        let mut names = Names::default();
        // Not kept in the history: the glance's rounds keep the daily buckets.
        let q = query(Endpoint::Completions);
        let f = fetch::read::<UsageRow>(client, &mut names, &q, None, || today).await?;
        let mut requests = f.requests;
        let completions = f.buckets;
        let mut others = Vec::new();
        for e in Endpoint::OTHERS {
            let f = fetch::read::<Meter>(client, &mut names, &query(e), None, || today).await?;
            requests += f.requests;
            others.extend(f.buckets);
        }
        self.names = names;
        self.completions = completions;
        self.others = others;
        Ok(requests)
    }

    /// Forgets what was read (the tracked keys changed).
    pub fn clear(&mut self) {
        *self = DayEstimates::default();
    }

    /// The usage of each day read, per endpoint and model, for matching the bill's items
    /// (`bill::prices`).
    pub fn day_usage(&self) -> Vec<crate::bill::prices::DayUsage> {
        use std::collections::BTreeMap;
        let mut by_day: BTreeMap<i64, BTreeMap<(Endpoint, &str), u64>> = BTreeMap::new();
        for b in &self.completions {
            let day = by_day
                .entry(crate::bill::utc_day_start(b.start_time))
                .or_default();
            for r in &b.rows {
                let q = day.entry((Endpoint::Completions, &r.model)).or_default();
                *q = q.saturating_add(r.input_tokens.saturating_add(r.output_tokens));
            }
        }
        for b in &self.others {
            let day = by_day
                .entry(crate::bill::utc_day_start(b.start_time))
                .or_default();
            for m in &b.rows {
                let q = day.entry((m.endpoint, &m.model)).or_default();
                *q = q.saturating_add(m.quantity);
            }
        }
        by_day
            .into_iter()
            .map(|(day, rows)| crate::bill::prices::DayUsage {
                day,
                rows: rows
                    .into_iter()
                    .map(|((e, m), q)| (e, m.to_owned(), q))
                    .collect(),
            })
            .collect()
    }

    /// (day start, estimate in USD) of every day read, ascending, each day priced with the
    /// table `prices_of` gives for it.
    pub fn per_day<P: std::ops::Deref<Target = PriceTable>>(
        &self,
        prices_of: impl Fn(i64) -> P,
        tier: TierChoice,
    ) -> Vec<(i64, f64)> {
        let mut days: Vec<i64> = self
            .completions
            .iter()
            .map(|b| b.start_time)
            .chain(self.others.iter().map(|b| b.start_time))
            .map(crate::bill::utc_day_start)
            .collect();
        days.sort_unstable();
        days.dedup();
        days.into_iter()
            .map(|day| {
                let on = |start: i64| crate::bill::utc_day_start(start) == day;
                let c = self.completions.iter().filter(|b| on(b.start_time));
                let o = self.others.iter().filter(|b| on(b.start_time));
                let prices = prices_of(day);
                let (summary, other) = crate::usage::price_usage::price_usage(&prices, tier, c, o);
                (day, summary.totals.cost_usd + other.cost_usd)
            })
            .collect()
    }
}
