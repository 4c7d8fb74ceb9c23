//! The glance's data: the last 48 hours at hourly width and the days of the last 30 (and of
//! the month) at daily width, for every endpoint of the tracked keys, kept in the history
//! store, or without one in an in-memory store of the same kind, so pace and sparklines work
//! with history off. Made into a [`Glance`] (pure, `figures::glance`) after each round.
//!
//! Few requests: a round runs at most every [`GLANCE_INTERVAL_SECS`], kicked after a
//! successful main refresh, and asks per endpoint and width only for the span of what the
//! store says is missing or may still change ([`Store::missing`]), one request each, leaving
//! out what was fetched in the last [`FRESH_SECS`] (the main tracker records its own pages).
//! Days before today are final an hour after they end and are never asked again; today is
//! summed from its hours, so in a steady state only each endpoint's last hour or two is
//! re-read. An endpoint without usage in the 48 hours is re-read every [`IDLE_RECHECK_SECS`].

use super::TrackerConfig;
use super::rows;
use crate::bill::{Bill, BillSnapshot, utc_day_start};
use crate::figures::glance::{self, Buckets, Glance};
use crate::openai::{AdminClient, ApiError, TimeBucket, UsageQuery};
use crate::pricing::{PriceBook, TierChoice};
use crate::store::{KeySet, SharedStore, Store, StoreError, StoreOptions};
use crate::usage::{Bucket, BucketWidth, Endpoint, Names};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A glance round runs at most this often.
pub const GLANCE_INTERVAL_SECS: i64 = 300;
/// A stored bucket fetched this recently (by the main tracker, another process or the last
/// round) is not asked again, though it may still change.
pub const FRESH_SECS: i64 = 60;
/// An endpoint without usage in the last 48 hours is re-read at most this often.
pub const IDLE_RECHECK_SECS: i64 = 900;
/// Between rounds, with nothing chosen and no new bill, a glance is made again at most this
/// often (only the time moves its pace).
pub const REMAKE_SECS: i64 = 60;
/// The hours kept at hourly width.
pub const HOURLY_SPAN_SECS: i64 = 48 * 3_600;

/// Every endpoint, completions first.
fn endpoints() -> impl Iterator<Item = Endpoint> {
    std::iter::once(Endpoint::Completions).chain(Endpoint::OTHERS)
}

/// The span `[from, to)` to fetch: from the first slot of `missing` (ranges clipped to whole
/// slots of `step` but for the last, which may end at `now`) not in `fresh`, to the end of the
/// last such slot. `None` when every missing slot is fresh.
pub fn span(missing: &[(i64, i64)], fresh: &BTreeSet<i64>, step: i64) -> Option<(i64, i64)> {
    let mut slots = missing.iter().flat_map(|&(a, b)| {
        let first = a.div_euclid(step) * step;
        (0..)
            .map(move |k| first + k * step)
            .take_while(move |s| *s < b)
            .map(move |s| (s.max(a), (s + step).min(b)))
    });
    let mut out: Option<(i64, i64)> = None;
    for (a, b) in slots.by_ref() {
        if fresh.contains(&(a.div_euclid(step) * step)) {
            continue;
        }
        out = Some(match out {
            None => (a, b),
            Some((from, _)) => (from, b),
        });
    }
    out
}

/// One endpoint's part of the rounds.
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    /// When its hourly tail was last asked.
    asked_at: Option<i64>,
    /// No usage in the stored 48 hours at the last look.
    idle: bool,
}

pub struct GlanceTracker {
    client: AdminClient,
    keys: Vec<String>,
    prices: PriceBook,
    tier: TierChoice,
    store: SharedStore,
    last_round: Option<i64>,
    seen: HashMap<Endpoint, Seen>,
    names: Names,
    /// Usage requests made so far (HTTP requests, retries and pages included).
    pub requests: u64,
}

/// What a round of one endpoint and width would fetch, read from the store.
struct Want {
    span: Option<(i64, i64)>,
    idle: bool,
}

impl GlanceTracker {
    /// A glance over `history` (the history store), or without one over a new in-memory
    /// store, at `now` (unix seconds, for the store's retention).
    pub fn new(
        client: AdminClient,
        config: &TrackerConfig,
        history: Option<SharedStore>,
        now: i64,
    ) -> Result<GlanceTracker, StoreError> {
        let store = match history {
            Some(s) => s,
            None => SharedStore::new(in_memory(now)?),
        };
        Ok(GlanceTracker {
            client,
            keys: config.api_key_ids.clone(),
            prices: config.prices.clone(),
            tier: config.tier,
            store,
            last_round: None,
            seen: HashMap::new(),
            names: Names::default(),
            requests: 0,
        })
    }

    /// A round is due at `now`: none yet, or the last one [`GLANCE_INTERVAL_SECS`] ago.
    pub fn due(&self, now: i64) -> bool {
        self.last_round
            .is_none_or(|t| now - t >= GLANCE_INTERVAL_SECS)
    }

    /// Prices at `tier` from now on (no fetch).
    pub fn set_tier(&mut self, tier: TierChoice) {
        self.tier = tier;
    }

    /// Other keys: their history is another's; the next kick runs a round.
    pub fn set_api_key_ids(&mut self, ids: Vec<String>) {
        if ids != self.keys {
            self.keys = ids;
            self.last_round = None;
            self.seen.clear();
        }
    }

    fn key_set(&self) -> KeySet {
        KeySet::of(&self.keys)
    }

    async fn want(&self, e: Endpoint, width: BucketWidth, from: i64, to: i64, now: i64) -> Want {
        let keys = self.key_set();
        let got = self
            .store
            .run(move |s| {
                let missing = s.missing(&keys, e, width, from, to)?;
                let Some(first) = missing.first().map(|m| m.0) else {
                    return Ok((missing, BTreeSet::new(), false));
                };
                let (fresh, idle) = match e {
                    Endpoint::Completions => fresh_and_idle::<crate::usage::UsageRow>(
                        s, &keys, e, width, first, from, to, now,
                    )?,
                    _ => fresh_and_idle::<crate::usage::Meter>(
                        s, &keys, e, width, first, from, to, now,
                    )?,
                };
                Ok((missing, fresh, idle))
            })
            .await;
        match got {
            Ok((missing, fresh, idle)) => Want {
                span: span(&missing, &fresh, width.secs()),
                idle,
            },
            Err(err) => {
                // Without the store's answer the whole span is asked (and recorded if it can).
                tracing::debug!("glance: the store did not answer: {err}");
                Want {
                    span: (from < to).then_some((from, to)),
                    idle: false,
                }
            }
        }
    }

    /// One round at `now` (unix seconds): fetches and records what is missing. Returns the
    /// requests made. A failure ends the round (what was fetched before it is kept).
    pub async fn refresh(&mut self, now: i64) -> Result<u64, ApiError> {
        let before = self.requests;
        let hours_from = BucketWidth::Hour.floor(now) - HOURLY_SPAN_SECS + 3_600;
        let today = utc_day_start(now);
        for e in endpoints() {
            let seen = self.seen.get(&e).copied().unwrap_or_default();
            let hourly = self
                .want(e, BucketWidth::Hour, hours_from, now + 1, now)
                .await;
            let resting = seen.idle
                && hourly.idle
                && seen.asked_at.is_some_and(|t| now - t < IDLE_RECHECK_SECS);
            if let Some(range) = hourly.span.filter(|_| !resting) {
                self.fetch(e, BucketWidth::Hour, range, now).await?;
                self.seen.insert(
                    e,
                    Seen {
                        asked_at: Some(now),
                        idle: hourly.idle,
                    },
                );
            }
            let daily = self
                .want(e, BucketWidth::Day, glance::daily_from(now), today, now)
                .await;
            if let Some(range) = daily.span {
                self.fetch(e, BucketWidth::Day, range, now).await?;
            }
        }
        self.last_round = Some(now);
        Ok(self.requests - before)
    }

    async fn fetch(
        &mut self,
        e: Endpoint,
        width: BucketWidth,
        (from, to): (i64, i64),
        now: i64,
    ) -> Result<(), ApiError> {
        // Dated by the round's `now` (never later than the answer): finality errs on the late
        // side, and a test's simulated clock is the only clock.
        let mut q = UsageQuery::new(e, from, width, &self.keys);
        // Up to now: no end (the API's last bucket is then whole, as the store keeps them).
        q.end_time = (to < now).then_some(to);
        q.limit = (((to - from) / width.secs() + 2) as u32).min(width.max_page_limit());
        let keys = self.key_set();
        let names = &mut self.names;
        match e {
            Endpoint::Completions => {
                let f = self
                    .client
                    .usage_completions(&q, |r| rows::completions_row(names, r))
                    .await?;
                self.requests += f.requests;
                record_page(&self.store, keys, e, width, f.buckets, now).await;
            }
            _ => {
                let f = self
                    .client
                    .usage_other(&q, |r| rows::meter(names, e, r))
                    .await?;
                self.requests += f.requests;
                record_page(&self.store, keys, e, width, f.buckets, now).await;
            }
        }
        Ok(())
    }

    /// The usage the glance holds of the last 30 days: the whole UTC days, then today by the
    /// hour (`prices` lists what it used). `None` when the store cannot be read.
    pub async fn last_30_days(
        &self,
        now: i64,
    ) -> Option<(
        Vec<Bucket<crate::usage::UsageRow>>,
        Vec<Bucket<crate::usage::Meter>>,
    )> {
        let keys = self.key_set();
        let (days_from, today) = (glance::daily_from(now), utc_day_start(now));
        self.store
            .run_or_skip("reading the last 30 days", move |s| {
                let daily = s.load_periods(&keys, BucketWidth::Day, days_from, today)?;
                let hourly = s.load_periods(&keys, BucketWidth::Hour, today, now + 1)?;
                let mut completions = daily.completions;
                completions.extend(hourly.completions);
                let mut others = daily.others;
                others.extend(hourly.others);
                Ok((completions, others))
            })
            .await
    }

    /// The glance at `now` from what is stored, the month counted against `bill`'s whole
    /// days; `None` when the store cannot be read.
    pub async fn glance(&self, now: i64, bill: Option<&Bill>) -> Option<Glance> {
        let keys = self.key_set();
        let hours_from = glance::hours_from(now);
        let (days_from, today) = (glance::daily_from(now), utc_day_start(now));
        let data = self
            .store
            .run_or_skip("reading the glance", move |s| {
                let hourly = s.load_periods(&keys, BucketWidth::Hour, hours_from, now + 1)?;
                let daily = s.load_periods(&keys, BucketWidth::Day, days_from, today)?;
                Ok((hourly, daily))
            })
            .await?;
        let (hourly, daily) = data;
        let buckets = Buckets {
            hourly_completions: &hourly.completions,
            hourly_others: &hourly.others,
            daily_completions: &daily.completions,
            daily_others: &daily.others,
        };
        Some(Glance::new(
            buckets,
            bill,
            &self.prices.current().table,
            self.tier,
            now,
        ))
    }
}

/// A store in memory, for a glance without history.
pub fn in_memory(now: i64) -> Result<Store, StoreError> {
    Store::open(
        std::path::Path::new(":memory:"),
        StoreOptions::default(),
        now,
    )
}

/// Keeps one fetched page in the store (a failure is logged once; the glance goes on).
async fn record_page<R: crate::store::StoredRow + Send + 'static>(
    store: &SharedStore,
    keys: KeySet,
    e: Endpoint,
    width: BucketWidth,
    page: Vec<TimeBucket<R>>,
    now: i64,
) {
    let buckets: Vec<Bucket<R>> = page.into_iter().map(bucket).collect();
    store
        .run_or_skip("keeping the glance's usage", move |s| {
            s.record_usage_page(&keys, e, width, &buckets, now)
        })
        .await;
}

fn bucket<R>(b: TimeBucket<R>) -> Bucket<R> {
    Bucket {
        start_time: b.start_time,
        end_time: b.end_time,
        rows: b.rows,
    }
}

/// The starts of the stored buckets of `[first, to)` fetched in the last [`FRESH_SECS`], and
/// whether `[from, to)` has no usage stored.
#[allow(clippy::too_many_arguments)]
fn fresh_and_idle<R: crate::store::StoredRow>(
    s: &Store,
    keys: &KeySet,
    e: Endpoint,
    width: BucketWidth,
    first: i64,
    from: i64,
    to: i64,
    now: i64,
) -> Result<(BTreeSet<i64>, bool), StoreError> {
    let stored = s.load_usage::<R>(keys, e, width, from, to)?;
    let fresh = stored
        .iter()
        .filter(|b| b.bucket.start_time >= width.floor(first) && b.fetched_at >= now - FRESH_SECS)
        .map(|b| b.bucket.start_time)
        .collect();
    let idle = stored.iter().all(|b| b.bucket.rows.is_empty());
    Ok((fresh, idle))
}

/// The glance task beside the poller: after each kick (a successful main refresh) runs a
/// round when one is due, then sends the glance made from the store with the last bill (after
/// a round, a change of tier or keys, a new bill, else at most every [`REMAKE_SECS`]).
/// `config` carries the tier and keys the user chose; `bill` the last costs answer.
pub async fn run(
    mut tracker: GlanceTracker,
    kick: Arc<tokio::sync::Notify>,
    mut config: tokio::sync::watch::Receiver<(TierChoice, Vec<String>)>,
    mut bill: tokio::sync::watch::Receiver<Option<Arc<BillSnapshot>>>,
    mut send: impl FnMut(Arc<Glance>) -> bool,
) {
    let mut last_sent: Option<i64> = None;
    loop {
        kick.notified().await;
        let chosen = config.has_changed().unwrap_or(false);
        if chosen {
            let (tier, ids) = config.borrow_and_update().clone();
            tracker.set_tier(tier);
            tracker.set_api_key_ids(ids);
        }
        let now = crate::poller::now_ms() / 1000;
        let mut fresh = chosen;
        if tracker.due(now) {
            fresh = true;
            if let Err(e) = tracker.refresh(now).await {
                tracing::debug!("glance: a round failed: {e}");
            }
        }
        fresh |= bill.has_changed().unwrap_or(false);
        // Between rounds only the time moves the figures: a new glance a minute at most.
        if !fresh && last_sent.is_some_and(|t| now - t < REMAKE_SECS) {
            continue;
        }
        let held = bill.borrow_and_update().clone();
        let b = held.as_ref().and_then(|b| b.bill.as_ref());
        let Some(g) = tracker.glance(now, b).await else {
            continue;
        };
        // Other keys or tier chosen meanwhile: this glance is of the old ones; the next kick
        // (the refresh the change asks for) makes the new one.
        if config.has_changed().unwrap_or(false) {
            continue;
        }
        last_sent = Some(now);
        if !send(Arc::new(g)) {
            return;
        }
    }
}

/// The poller's side of a running glance task: [`GlanceFeed::observe`] every poller event
/// (a successful refresh kicks a round, a costs answer is kept for the month's pace).
pub struct GlanceFeed {
    kick: Arc<tokio::sync::Notify>,
    bill: tokio::sync::watch::Sender<Option<Arc<BillSnapshot>>>,
}

impl GlanceFeed {
    pub fn observe(&self, event: &crate::poller::Event) {
        use crate::poller::Event;
        match event {
            Event::Updated(_) => self.kick.notify_one(),
            Event::Billed(b) => {
                self.bill.send_replace(Some(b.clone()));
            }
            _ => {}
        }
    }
}

/// Starts the glance task on the current runtime for what `config` tracks, over `history`
/// (or an in-memory store); `settings` follows the user's tier and keys; `send` gets each
/// glance (`false`: nobody listens any more, the task ends). `None` (logged) when not even
/// an in-memory store opens.
pub fn spawn(
    client: AdminClient,
    config: &TrackerConfig,
    history: Option<SharedStore>,
    settings: tokio::sync::watch::Receiver<(TierChoice, Vec<String>)>,
    send: impl FnMut(Arc<Glance>) -> bool + Send + 'static,
) -> Option<(GlanceFeed, tokio::task::JoinHandle<()>)> {
    let now = crate::poller::now_ms() / 1000;
    let tracker = match GlanceTracker::new(client, config, history, now) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!("no pace or sparklines: {e}");
            return None;
        }
    };
    let kick = Arc::new(tokio::sync::Notify::new());
    let (bill, bill_rx) = tokio::sync::watch::channel(None);
    let task = tokio::spawn(run(tracker, kick.clone(), settings, bill_rx, send));
    Some((GlanceFeed { kick, bill }, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_span_runs_from_the_first_to_the_last_slot_not_fresh() {
        let h = 3_600;
        let none = BTreeSet::new();
        assert_eq!(span(&[], &none, h), None);
        // Two gaps: one span over both.
        assert_eq!(
            span(&[(0, 2 * h), (5 * h, 6 * h)], &none, h),
            Some((0, 6 * h))
        );
        // The fresh tail is left out; a tail clipped at now ends there.
        let fresh: BTreeSet<i64> = [5 * h].into();
        assert_eq!(
            span(&[(0, h), (5 * h, 5 * h + 10)], &fresh, h),
            Some((0, h))
        );
        assert_eq!(span(&[(5 * h, 5 * h + 10)], &fresh, h), None);
        assert_eq!(
            span(&[(4 * h, 5 * h + 10)], &[4 * h].into(), h),
            Some((5 * h, 5 * h + 10))
        );
    }

    #[test]
    fn a_store_in_memory_opens() {
        let s = in_memory(1_796_169_600).unwrap();
        assert_eq!(s.schema_version().unwrap(), crate::store::schema::CURRENT);
    }
}
