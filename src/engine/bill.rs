//! The bill tracker: what the Costs API billed the tracked key(s), beside the live tracker and
//! slower than it, and the check of the estimate against it. Runs on whatever tokio task calls
//! it (the poller's, or `once`'s).
//!
//! Its schedule is [`crate::plan::bill`]'s. A failed costs request keeps the last good figures
//! and marks them stale (`BillSnapshot::failure`); it never touches the live estimate. The day
//! estimates are read rarely and kept; a failure to read them is carried in the snapshot
//! (`estimate_failure`) with the last check made from a good read (a check re-computed against
//! days never estimated would show an older day as the latest), and is tried again at the
//! next costs request.

use super::day_estimate::DayEstimates;
use super::tracker::{Tracker, TrackerConfig};
use crate::bill::{
    Bill, BillFailure, BillSnapshot, days_from_buckets, line_item, reconcile, utc_day_start,
};
use crate::openai::{AdminClient, ApiError, CostsQuery};
use crate::plan::bill::{BillSchedule, keep_from};
use crate::pricing::{PriceBook, TierChoice};

pub use crate::plan::bill::{BILL_INTERVAL_SECS, MAX_BILL_BACKOFF_SECS};

pub struct BillTracker {
    client: AdminClient,
    keys: Vec<String>,
    prices: PriceBook,
    tier: TierChoice,
    schedule: BillSchedule,
    bill: Option<Bill>,
    failure: Option<BillFailure>,
    estimates: DayEstimates,
    estimate_failure: Option<BillFailure>,
    /// The check as of the last good day-estimate read, shown while `estimate_failure` holds.
    last_good_check: Option<crate::bill::Reconciliation>,
    /// Costs requests made so far (HTTP requests, retries and pages included).
    pub costs_requests: u64,
    /// Usage requests made for the day estimates so far.
    pub estimate_requests: u64,
    /// Where billed days are recorded and the first request resumed from (`None`: no history).
    history: Option<crate::store::SharedStore>,
    /// The stored days were taken in since the last start (or key change).
    resumed: bool,
}

impl BillTracker {
    pub fn new(client: AdminClient, config: &TrackerConfig) -> Self {
        BillTracker {
            client,
            keys: config.api_key_ids.clone(),
            prices: config.prices.clone(),
            tier: config.tier,
            schedule: BillSchedule::default(),
            bill: None,
            failure: None,
            estimates: DayEstimates::default(),
            estimate_failure: None,
            last_good_check: None,
            costs_requests: 0,
            estimate_requests: 0,
            history: None,
            resumed: false,
        }
    }

    /// Records every billed day fetched into `store`; the first request asks only the days
    /// it lacks or that may still change (`Store::missing_bill`).
    pub fn with_history(mut self, store: crate::store::SharedStore) -> Self {
        self.history = Some(store);
        self
    }

    /// Before the first request: takes the stored days of what is kept in, and returns the
    /// first day the store lacks or that may still change (`None`: no store, or nothing).
    async fn resume_from_store(&mut self, now: i64) -> Option<i64> {
        let store = self.history.clone()?;
        let keys = crate::store::KeySet::of(&self.keys);
        let (from, to) = (
            keep_from(now),
            utc_day_start(now) + crate::bill::SECS_PER_DAY,
        );
        let (days, missing) = store
            .run_or_skip("reading the bill", move |s| {
                Ok((
                    s.load_bill(&keys, from, to)?,
                    s.missing_bill(&keys, from, to)?,
                ))
            })
            .await?;
        let keys = crate::store::KeySet::of(&self.keys);
        let learned = store
            .run_or_skip("reading the prices learned from the bill", move |s| {
                s.load_prices(&keys)
            })
            .await;
        if let Some(learned) = learned {
            self.prices.learn(learned);
        }
        let newest = days.iter().map(|d| d.fetched_at).max()?;
        self.bill = Some(Bill {
            days: days.into_iter().map(|d| d.day).collect(),
            fetched_at_ms: newest.saturating_mul(1000),
        });
        Some(missing.first().map_or(utc_day_start(now), |m| m.0))
    }

    async fn record(&self, days: &[crate::bill::BilledDay], fetched_at: i64) {
        let Some(store) = &self.history else { return };
        let keys = crate::store::KeySet::of(&self.keys);
        let days = days.to_vec();
        store
            .run_or_skip("recording the bill", move |s| {
                s.record_bill(&keys, &days, fetched_at)
            })
            .await;
    }

    /// A bill tracker for what `tracker` tracks, on its client.
    pub fn for_tracker(tracker: &Tracker) -> Self {
        let bill = BillTracker::new(tracker.client().clone(), tracker.config());
        match tracker.history() {
            Some(h) => bill.with_history(h.clone()),
            None => bill,
        }
    }

    /// A scheduled costs request is due at `now` (unix seconds).
    pub fn due(&self, now: i64) -> bool {
        self.schedule.due(now)
    }

    /// When the next scheduled request is due (unix seconds; `None`: now).
    pub fn next_at(&self) -> Option<i64> {
        self.schedule.next_at()
    }

    /// The user asked for a refresh: allowed unless a server's `Retry-After` holds.
    pub fn may_force(&self, now: i64) -> bool {
        self.schedule.may_force(now)
    }

    /// New keys: the figures held are another key set's, so they go, and the next request
    /// (due at once) reads the whole month again.
    pub fn set_api_key_ids(&mut self, ids: Vec<String>) {
        if ids != self.keys {
            self.keys = ids;
            self.bill = None;
            self.failure = None;
            self.estimates.clear();
            self.estimate_failure = None;
            self.last_good_check = None;
            self.resumed = false;
            let retry_after_until = self.schedule.retry_after_until;
            self.schedule = BillSchedule {
                retry_after_until,
                ..BillSchedule::default()
            };
        }
    }

    /// Prices the day estimates at `tier` from now on (no fetch needed).
    pub fn set_tier(&mut self, tier: TierChoice) {
        self.tier = tier;
    }

    /// What is held, with the check re-computed at `now` (no fetch).
    pub fn snapshot(&self, now: i64) -> BillSnapshot {
        let reconciliation = if self.estimate_failure.is_some() {
            self.last_good_check.clone()
        } else {
            self.check(now)
        };
        BillSnapshot {
            bill: self.bill.clone(),
            failure: self.failure.clone(),
            reconciliation,
            estimate_failure: self.estimate_failure.clone(),
        }
    }

    /// Each checked day's estimate priced as that day was billed: the prices learned so far,
    /// with the day's own unit prices over them where it has them (a day's mix of image
    /// qualities or long-context requests is its own), so what the check shows is the usage
    /// read against the bill, not one day's mix against another's.
    fn check(&self, now: i64) -> Option<crate::bill::Reconciliation> {
        let bill = self.bill.as_ref()?;
        let usage = self.estimates.day_usage();
        let current = self.prices.current();
        let estimates = self.estimates.per_day(
            |day| {
                let own = bill
                    .day(day)
                    .map(|d| crate::bill::prices::learn(std::slice::from_ref(d), &usage, now))
                    .unwrap_or_default();
                if own.is_empty() {
                    return std::borrow::Cow::Borrowed(&current.table);
                }
                let learned = current.learned.overridden_by(own);
                let day_prices =
                    crate::pricing::learned::apply(self.prices.base(), &learned, current.mode);
                std::borrow::Cow::Owned(day_prices.table)
            },
            self.tier,
        );
        Some(reconcile(&estimates, bill, now))
    }

    /// One costs request (and, when due, the day estimates' usage), whatever the schedule
    /// says: the caller decides when ([`Self::due`], or the user asked).
    pub async fn refresh(&mut self, now_ms: i64) -> BillSnapshot {
        let started = std::time::Instant::now();
        let now = now_ms.div_euclid(1000);
        let mut from = self.schedule.from(now);
        if self.schedule.last_success_day.is_none() && !self.resumed {
            self.resumed = true;
            if let Some(lacking) = self.resume_from_store(now).await {
                from = from.max(lacking);
            }
        }
        match self.fetch_costs(from, now).await {
            Ok(days) => {
                // Dated when the answer came, like the live snapshot.
                let answered_ms = now_ms + started.elapsed().as_millis() as i64;
                self.record(&days, answered_ms.div_euclid(1000)).await;
                let bill = self.bill.get_or_insert_with(Bill::default);
                bill.replace_from(from, days, keep_from(now), answered_ms);
                self.failure = None;
                self.schedule.done(now, Ok(()));
                let before_bill_check = self.last_good_check.take();
                if self.estimates.schedule.due(now) {
                    match self
                        .estimates
                        .read(&self.client, &self.keys, utc_day_start(now))
                        .await
                    {
                        Ok(n) => {
                            self.estimate_requests += n;
                            self.estimates.schedule.done(now);
                            self.estimate_failure = None;
                        }
                        Err(error) => {
                            tracing::debug!(error = %error, "day estimates not read");
                            self.estimate_failure = Some(BillFailure {
                                error,
                                at_ms: now_ms,
                            });
                        }
                    }
                }
                self.learn_prices(now).await;
                self.last_good_check = if self.estimate_failure.is_some() {
                    before_bill_check
                } else {
                    self.check(now)
                };
                // What `snapshot` would compute again (each day priced anew): the check just made.
                return BillSnapshot {
                    bill: self.bill.clone(),
                    failure: None,
                    reconciliation: self.last_good_check.clone(),
                    estimate_failure: self.estimate_failure.clone(),
                };
            }
            Err(error) => {
                let retry_after = error.retry_after().map(|d| d.as_secs() as i64);
                self.schedule.done(now, Err(retry_after));
                self.failure = Some(BillFailure {
                    error,
                    at_ms: now_ms,
                });
            }
        }
        self.snapshot(now)
    }

    /// Reads the unit prices of the settled days held (against the day estimates' usage) into
    /// the shared price book, and keeps them in the store when they taught something new.
    async fn learn_prices(&mut self, now: i64) {
        let Some(bill) = &self.bill else { return };
        let learned = crate::bill::prices::learn(&bill.days, &self.estimates.day_usage(), now);
        if learned.is_empty() || !self.prices.learn(learned.clone()) {
            return;
        }
        let Some(store) = &self.history else { return };
        let keys = crate::store::KeySet::of(&self.keys);
        store
            .run_or_skip("keeping the prices learned from the bill", move |s| {
                s.record_prices(&keys, &learned)
            })
            .await;
    }

    async fn fetch_costs(
        &mut self,
        from: i64,
        now: i64,
    ) -> Result<Vec<crate::bill::BilledDay>, ApiError> {
        let q = CostsQuery::new(from, now, &self.keys);
        let before = self.client.requests_made();
        let fetched = self
            .client
            .costs(&q, |r| {
                line_item(
                    r.line_item.as_deref(),
                    r.value,
                    &r.currency,
                    r.quantity,
                    r.quantity_unit.as_deref(),
                    r.api_key_id.as_deref(),
                    r.project_id.as_deref(),
                )
            })
            .await;
        self.costs_requests += self.client.requests_made() - before;
        let fetched = fetched?;
        Ok(days_from_buckets(
            fetched.buckets.into_iter().map(|b| (b.start_time, b.rows)),
        ))
    }
}

/// For `once`: one costs fetch (the month, and the checked days) and the day estimates, at
/// `now_ms`, for what `config` tracks, all within one deadline: the client's (`once` gives it
/// `--timeout`), not one per request, so a slow bill never takes nine deadlines.
pub async fn bill_once(client: &AdminClient, config: &TrackerConfig, now_ms: i64) -> BillSnapshot {
    bill_once_with(client, config, None, now_ms).await
}

/// [`bill_once`] recording into (and resuming from) the history store, when there is one.
pub async fn bill_once_with(
    client: &AdminClient,
    config: &TrackerConfig,
    history: Option<crate::store::SharedStore>,
    now_ms: i64,
) -> BillSnapshot {
    let after = client.deadline_after();
    let mut bill = BillTracker::new(client.clone(), config);
    if let Some(h) = history {
        bill = bill.with_history(h);
    }
    match tokio::time::timeout(after, bill.refresh(now_ms)).await {
        Ok(snap) => snap,
        Err(_) => BillSnapshot {
            failure: Some(BillFailure {
                error: ApiError::Timeout {
                    url: client.base_url().to_owned(),
                    after,
                },
                at_ms: now_ms,
            }),
            ..BillSnapshot::default()
        },
    }
}
