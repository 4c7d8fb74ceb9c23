//! The tracker: keeps the usage of the current window for every endpoint and turns it into
//! snapshots.
//!
//! Each endpoint has its own series and [`plan::Schedule`]: the first refresh reads the whole
//! window; later ones read the tail that may still change, the last hour every five minutes
//! (late usage), the whole window every hour, and an endpoint without usage only every five
//! minutes. Pure bookkeeping on top of [`AdminClient`]; runs on whatever tokio task calls it.

mod stored;

use super::fetch::{self, Row};
use crate::alerts::{Digest, Reading, SpikeDetector, Thresholds};
use crate::openai::{AdminClient, ApiError};
use crate::plan::calendar;
use crate::plan::periods::Calendar;
use crate::plan::usage::{self as plan, Plan, Schedule};
use crate::pricing::{PriceBook, TierChoice};
use crate::store::StoreError;
use crate::usage::price_usage as price;
use crate::usage::{Bucket, BucketWidth, Endpoint, Meter, Names, UsageRow, UsageSeries, Window};

pub use crate::snapshot::{BucketPoint, FetchStats, Snapshot};

/// What to track.
#[derive(Clone, Debug)]
pub struct TrackerConfig {
    pub lookback_secs: i64,
    pub width: BucketWidth,
    /// The tracked ids: keys and projects (`openai::scope`); empty: the whole organization.
    pub api_key_ids: Vec<String>,
    pub tier: TierChoice,
    /// Shared with every tracker of the process: the table and what the bill has taught.
    pub prices: PriceBook,
    pub thresholds: Thresholds,
    /// `Some`: the window is `[start of this UTC period, now)` at the width
    /// [`calendar::width`] picks (`lookback_secs` and `width` are not used); `None`: the
    /// rolling `[now - lookback_secs, now)` in `width` buckets.
    pub calendar: Option<Calendar>,
}

/// One endpoint's usage: the partial first bucket as minutes (`head`), whole buckets after it
/// (`body`), and what was asked when.
#[derive(Clone, Debug)]
struct Track<R> {
    endpoint: Endpoint,
    head: UsageSeries<R>,
    body: UsageSeries<R>,
    schedule: Schedule,
    /// What the history store lacks of the window, for the next whole-window read.
    resume: Option<plan::Resume>,
}

impl<R> Track<R> {
    fn new(endpoint: Endpoint, width: BucketWidth) -> Self {
        Track {
            endpoint,
            head: UsageSeries::new(BucketWidth::Minute),
            body: UsageSeries::new(width),
            schedule: Schedule::default(),
            resume: None,
        }
    }

    /// The buckets inside the window starting at `start`.
    fn in_window(&self, start: i64) -> impl Iterator<Item = &Bucket<R>> {
        let head_end = self
            .body
            .buckets()
            .next()
            .map_or(i64::MAX, |b| b.start_time);
        self.head
            .buckets()
            .filter(move |b| b.start_time >= start && b.start_time < head_end)
            .chain(self.body.buckets().filter(move |b| b.start_time >= start))
    }

    fn idle(&self) -> bool {
        self.head
            .buckets()
            .chain(self.body.buckets())
            .all(|b| b.rows.is_empty())
    }

    /// Applies what `plan` fetched, then drops what slid out of the window.
    fn apply(
        &mut self,
        plan: &Plan,
        head: Option<Vec<Bucket<R>>>,
        body: Option<Vec<Bucket<R>>>,
        window_start: i64,
        body_start: i64,
    ) {
        if let (Some((from, _)), Some(h)) = (plan.head, head) {
            self.head.replace_from(from, h);
        }
        if let (Some(from), Some(b)) = (plan.body_from, body) {
            self.body.replace_from(from, b);
        }
        self.head.retain_from(window_start);
        self.body.retain_from(body_start);
    }
}

pub struct Tracker {
    client: AdminClient,
    config: TrackerConfig,
    names: Names,
    completions: Track<UsageRow>,
    others: Vec<Track<Meter>>,
    spikes: SpikeDetector,
    /// The start of the calendar period the tracks hold (set by the first refresh).
    period_start: Option<i64>,
    /// Where fetched pages are recorded and the window restored from (`None`: no history).
    history: Option<crate::store::SharedStore>,
    /// The stored window was taken in (and shown) since the last start over.
    restored: bool,
}

/// What one endpoint's refresh cost: (requests, buckets).
type Cost = (u64, usize);

/// When a refresh started: the clock it was given (unix ms) and the instant.
type T0 = (i64, std::time::Instant);

/// When an answer came (unix seconds), on the refresh's clock.
fn answered_secs((now_ms, started): T0) -> i64 {
    (now_ms + started.elapsed().as_millis() as i64).div_euclid(1000)
}

/// A page to record in the store, held until the refresh's reads are done.
type Record = Box<dyn FnOnce(&mut crate::store::Store) -> Result<usize, StoreError> + Send>;

/// What every endpoint's read of one refresh shares: the client, the tracked keys, the names
/// rows are interned into, and, with a store, the pages read so far. They are recorded together
/// once the reads are done ([`Reader::record`]): one call on the store's thread per refresh
/// instead of one per page, each of which woke a thread of the blocking pool and this one.
struct Reader<'a> {
    client: &'a AdminClient,
    ids: &'a [String],
    keys: Option<crate::store::KeySet>,
    names: &'a mut Names,
    pages: Vec<Record>,
}

impl Reader<'_> {
    /// One read of `endpoint` (see [`fetch::read`]), its pages dated when the answer came.
    async fn read<R: Row>(
        &mut self,
        endpoint: Endpoint,
        (from, to): (i64, Option<i64>),
        width: BucketWidth,
        now: i64,
        t0: T0,
    ) -> Result<fetch::Read<R>, ApiError> {
        let q = fetch::query(endpoint, self.ids, from, to, width, now);
        let read = fetch::read(self.client, self.names, &q, None, || 0).await?;
        if let Some(keys) = &self.keys {
            let (keys, at, page) = (keys.clone(), answered_secs(t0), read.buckets.clone());
            self.pages.push(Box::new(move |s| {
                s.record_usage_page(&keys, endpoint, width, &page, at)
            }));
        }
        Ok(read)
    }

    /// Records the pages read so far in `store`, in one call; a failure is logged once.
    async fn record(&mut self, store: Option<&crate::store::SharedStore>) {
        let (Some(store), false) = (store, self.pages.is_empty()) else {
            return;
        };
        let pages = std::mem::take(&mut self.pages);
        store
            .run_or_skip("recording pages", move |s| {
                pages.into_iter().try_for_each(|page| page(s).map(drop))
            })
            .await;
    }
}

/// Refreshes one endpoint's track at `now` over `(lookback, width)`: what its plan asks (the
/// head's minutes, then the body's buckets), then the window slid. `None`: nothing was due.
async fn refresh_track<R: Row>(
    track: &mut Track<R>,
    reader: &mut Reader<'_>,
    idle: bool,
    now: i64,
    (lookback, width): (i64, BucketWidth),
    t0: T0,
) -> Result<Option<Cost>, ApiError> {
    let plan = track.next_plan(now, lookback, width, idle);
    if plan.is_empty() {
        track.schedule.done(&plan, now, lookback, width);
        return Ok(None);
    }
    let e = track.endpoint;
    let mut cost = (0, 0);
    let mut head = None;
    if let Some((from, to)) = plan.head {
        let span = (from, Some(to.min(now)));
        let r = reader.read(e, span, BucketWidth::Minute, now, t0).await?;
        cost = (cost.0 + r.requests, cost.1 + r.buckets.len());
        head = Some(r.buckets);
    }
    let mut body = None;
    if let Some(from) = plan.body_from.filter(|&f| f < now) {
        let r = reader.read(e, (from, None), width, now, t0).await?;
        cost = (cost.0 + r.requests, cost.1 + r.buckets.len());
        body = Some(r.buckets);
    }
    let start = now - lookback;
    track.apply(&plan, head, body, start, plan::body_start(start, width));
    track.schedule.done(&plan, now, lookback, width);
    Ok(Some(cost))
}

impl Tracker {
    pub fn new(client: AdminClient, config: TrackerConfig) -> Tracker {
        let width = config.calendar.map_or(config.width, calendar::width);
        Tracker {
            client,
            names: Names::default(),
            completions: Track::new(Endpoint::Completions, width),
            others: Endpoint::OTHERS
                .iter()
                .map(|&e| Track::new(e, width))
                .collect(),
            spikes: SpikeDetector::new(config.thresholds),
            config,
            period_start: None,
            history: None,
            restored: false,
        }
    }

    /// Records every page fetched into `store` and starts from what it holds.
    pub fn with_history(mut self, store: crate::store::SharedStore) -> Tracker {
        self.history = Some(store);
        self
    }

    pub fn history(&self) -> Option<&crate::store::SharedStore> {
        self.history.as_ref()
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.config
    }

    pub fn client(&self) -> &AdminClient {
        &self.client
    }

    /// The completions buckets after the window's first (whole buckets only).
    pub fn series(&self) -> &UsageSeries {
        &self.completions.body
    }

    /// Prices every row at `tier` from now on; no refetch needed (rows carry their tier).
    pub fn set_tier(&mut self, tier: TierChoice) {
        self.config.tier = tier;
    }

    /// A new window length (a rolling window, leaving a calendar one): the next refresh
    /// fetches the whole window.
    pub fn set_lookback_secs(&mut self, secs: i64) {
        if secs != self.config.lookback_secs || self.config.calendar.is_some() {
            self.config.lookback_secs = secs;
            self.config.calendar = None;
            self.start_over();
        }
    }

    /// A calendar window (`None`: back to the rolling lookback): the next refresh fetches
    /// the whole period.
    pub fn set_calendar(&mut self, calendar: Option<Calendar>) {
        if calendar != self.config.calendar {
            self.config.calendar = calendar;
            self.start_over();
        }
    }

    /// The width the window is read at: the calendar's, else the configured one.
    fn width(&self) -> BucketWidth {
        self.config
            .calendar
            .map_or(self.config.width, calendar::width)
    }

    /// The window's length at `now` (a calendar window's grows with the clock) and width.
    fn span(&self, now: i64) -> (i64, BucketWidth) {
        let lookback = match self.config.calendar {
            Some(c) => calendar::span(c, now).1,
            None => self.config.lookback_secs,
        };
        (lookback, self.width())
    }

    /// A calendar window whose period ended (UTC midnight, Monday, the 1st) starts again.
    fn roll_over(&mut self, now: i64) {
        let Some(c) = self.config.calendar else {
            return;
        };
        if calendar::rolled_over(c, self.period_start, now) {
            self.start_over();
        }
        self.period_start = Some(calendar::span(c, now).0);
    }

    /// New keys to track: the next refresh fetches the whole window.
    pub fn set_api_key_ids(&mut self, ids: Vec<String>) {
        if ids != self.config.api_key_ids {
            self.config.api_key_ids = ids;
            self.start_over();
        }
    }

    fn start_over(&mut self) {
        let width = self.width();
        self.period_start = None;
        self.completions = Track::new(Endpoint::Completions, width);
        for t in &mut self.others {
            *t = Track::new(t.endpoint, width);
        }
        self.spikes.reset();
        self.restored = false;
    }

    /// The window ending at `now` (unix seconds): exactly `[now - lookback, now)`, or
    /// `[period start, now)` for a calendar choice.
    pub fn window(&self, now: i64) -> Window {
        let (lookback, width) = self.span(now);
        Window {
            calendar: self.config.calendar,
            ..Window::ending_at(now, lookback, width)
        }
    }

    /// Fetches what changed since the last refresh and returns the new snapshot.
    /// `now_ms` is the wall clock in unix milliseconds.
    pub async fn refresh(&mut self, now_ms: i64) -> Result<Snapshot, ApiError> {
        let started = std::time::Instant::now();
        let now = now_ms.div_euclid(1000);
        self.roll_over(now);
        let full = self.completions.schedule.last_fetch.is_none();
        // A whole-window read starts from the history store: only what it lacks is asked.
        if self.history.is_some() {
            self.load_stored(now, false).await;
            self.restored = true;
        }
        let t0 = (now_ms, started);
        let mut stats = FetchStats {
            full,
            ..FetchStats::default()
        };
        let record = |stats: &mut FetchStats, e: Endpoint, cost: Option<Cost>| {
            if let Some((requests, buckets)) = cost {
                stats.requests += requests;
                stats.buckets += buckets;
                stats.endpoints.push((e, requests, buckets));
            }
        };
        // Each endpoint read is dated when its answer came, not when the request left: a slow
        // answer must not shrink the time its growth is divided by (a false spike).
        let answered = || now_ms + started.elapsed().as_millis() as i64;
        let mut readings = Vec::new();
        let mut read = |endpoint, usage| {
            let at_ms = answered();
            readings.push(Reading {
                endpoint,
                at_ms,
                usage,
            });
        };
        let span = self.span(now);
        let keys = self.keys();
        let mut reader = Reader {
            client: &self.client,
            ids: &self.config.api_key_ids,
            keys: self.history.is_some().then_some(keys),
            names: &mut self.names,
            pages: Vec::new(),
        };
        let (completions, others) = (&mut self.completions, &mut self.others);
        let reads = async {
            let cost = refresh_track(completions, &mut reader, false, now, span, t0).await?;
            record(&mut stats, Endpoint::Completions, cost);
            if cost.is_some() {
                read(Endpoint::Completions, Digest::of(&completions.body));
            }
            for track in others.iter_mut() {
                let idle = track.idle();
                let cost = refresh_track(track, &mut reader, idle, now, span, t0).await?;
                record(&mut stats, track.endpoint, cost);
                if cost.is_some() {
                    read(track.endpoint, Digest::of(&track.body));
                }
            }
            Ok::<_, ApiError>(())
        }
        .await;
        // What was read is recorded even when a later endpoint failed.
        reader.record(self.history.as_ref()).await;
        reads?;
        let answered_ms = answered();
        let spikes = self.spikes.observe(readings);
        // The window is the one asked for (the data was read for it); only the date moves.
        let mut snap = self.snapshot_at(now_ms);
        snap.fetched_at_ms = answered_ms;
        snap.alerts = spikes.active;
        snap.new_alerts = spikes.started;
        snap.fetch = stats;
        Ok(snap)
    }

    /// The estimated cost of every kind of usage held in buckets starting at or after `since`
    /// (a budget's "today"), priced as the live total is: completions and every other endpoint.
    pub fn cost_since(&self, since: i64) -> f64 {
        let prices = self.config.prices.current();
        let (summary, other) = price::price_usage(
            &prices.table,
            self.config.tier,
            self.completions.in_window(since),
            self.others.iter().flat_map(|t| t.in_window(since)),
        );
        summary.totals.cost_usd + other.cost_usd
    }

    /// `snap` (this tracker's) priced again with the current prices: what the bill has taught
    /// since it was made (no fetch; window, alerts and fetch figures kept).
    pub fn reprice(&self, snap: &mut Snapshot) {
        let fresh = self.snapshot_at(snap.window.end_time.saturating_mul(1000));
        snap.summary = fresh.summary;
        snap.other = fresh.other;
        snap.prices_compiled = fresh.prices_compiled;
        snap.price_checks = fresh.price_checks;
        snap.price_mode = fresh.price_mode;
        snap.owners = fresh.owners;
    }

    /// The window's usage from `start` by key and project. Asked by them whenever more than
    /// one key can be in the figure; a single key's rows carry no owner, so they are its.
    fn owners(&self, start: i64) -> Vec<crate::usage::OwnerFigure> {
        let prices = self.config.prices.current();
        let mut figures = crate::usage::by_owner(
            &prices.table,
            self.config.tier,
            self.completions.in_window(start),
            self.others.iter().flat_map(|t| t.in_window(start)),
        );
        let ids = &self.config.api_key_ids;
        if !crate::openai::scope::many_keys(ids) {
            let (keys, _) = crate::openai::scope::split(ids);
            for f in &mut figures {
                f.owner.api_key_id = keys.first().map(|k| std::sync::Arc::from(k.as_str()));
            }
        }
        figures
    }

    /// A snapshot of what is held, priced with the current settings (no fetch, no alerts).
    pub fn snapshot_at(&self, now_ms: i64) -> Snapshot {
        let window = self.window(now_ms.div_euclid(1000));
        let start = window.start_time;
        let prices = self.config.prices.current();
        let (summary, other) = price::price_usage(
            &prices.table,
            self.config.tier,
            self.completions.in_window(start),
            self.others.iter().flat_map(|t| t.in_window(start)),
        );
        let mut buckets: Vec<BucketPoint> = Vec::new();
        let head_end = plan::body_start(start, window.bucket_width);
        for b in self.completions.in_window(start) {
            let at = if b.start_time < head_end {
                start
            } else {
                b.start_time
            };
            match buckets.last_mut() {
                Some(p) if p.start_time == at => {
                    p.total_tokens += b.total_tokens();
                    p.requests += b.requests();
                }
                _ => buckets.push(BucketPoint {
                    start_time: at,
                    total_tokens: b.total_tokens(),
                    requests: b.requests(),
                }),
            }
        }
        Snapshot {
            window,
            api_key_ids: crate::openai::scope::split(&self.config.api_key_ids).0,
            project_ids: crate::openai::scope::split(&self.config.api_key_ids).1,
            tier: self.config.tier,
            fetched_at_ms: now_ms,
            summary,
            other,
            buckets,
            alerts: Vec::new(),
            new_alerts: Vec::new(),
            fetch: FetchStats::default(),
            prices_compiled: prices.table.compiled.clone(),
            price_checks: prices.checks.clone(),
            price_mode: prices.mode,
            owners: self.owners(start),
        }
    }
}

#[cfg(test)]
mod tests;
