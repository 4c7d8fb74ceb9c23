//! The tracker: keeps the usage series of the current window and turns it into snapshots.
//!
//! The first refresh fetches the whole window; later ones fetch only the trailing buckets that
//! can still change (those that overlap the last [`LATE_SECS`] before the previous fetch, when
//! late usage may still arrive) plus the new ones, and keep the rest. Pure bookkeeping on top
//! of [`AdminClient`]; runs on whatever tokio task calls it.

use crate::alerts::{Alert, SpikeDetector, Thresholds};
use crate::openai::{AdminClient, ApiError, UsageQuery};
use crate::pricing::{PriceTable, TierChoice};
use crate::usage::{BucketWidth, Summary, UsageSeries, Window, summarize};
use serde::Serialize;
use std::sync::Arc;

/// How long after a bucket ends its usage may still change (the API reports with some delay).
pub const LATE_SECS: i64 = 300;

/// What to track.
#[derive(Clone, Debug)]
pub struct TrackerConfig {
    pub lookback_secs: i64,
    pub width: BucketWidth,
    pub api_key_ids: Vec<String>,
    pub tier: TierChoice,
    pub prices: Arc<PriceTable>,
    pub thresholds: Thresholds,
}

/// Tokens and requests of one bucket, for charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BucketPoint {
    pub start_time: i64,
    pub total_tokens: u64,
    pub requests: u64,
}

/// What the last refresh cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FetchStats {
    /// HTTP requests, retries included.
    pub requests: u64,
    /// Buckets received.
    pub buckets: usize,
    /// Whether the whole window was fetched.
    pub full: bool,
}

/// Everything a front end shows after a successful refresh.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub window: Window,
    pub api_key_ids: Vec<String>,
    pub tier: TierChoice,
    pub fetched_at_ms: i64,
    pub summary: Summary,
    pub buckets: Vec<BucketPoint>,
    /// Spike alerts active now.
    pub alerts: Vec<Alert>,
    /// Alerts that started with this refresh (notify once for each).
    pub new_alerts: Vec<Alert>,
    pub fetch: FetchStats,
    /// When the built-in prices were compiled.
    pub prices_compiled: String,
}

pub struct Tracker {
    client: AdminClient,
    config: TrackerConfig,
    series: UsageSeries,
    /// Unix seconds of the last successful fetch, `None` before the first.
    last_fetch: Option<i64>,
    spikes: SpikeDetector,
}

impl Tracker {
    pub fn new(client: AdminClient, config: TrackerConfig) -> Tracker {
        Tracker {
            client,
            series: UsageSeries::new(config.width),
            last_fetch: None,
            spikes: SpikeDetector::new(config.thresholds),
            config,
        }
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.config
    }

    pub fn client(&self) -> &AdminClient {
        &self.client
    }

    pub fn series(&self) -> &UsageSeries {
        &self.series
    }

    /// Prices every row at `tier` from now on; no refetch needed (rows carry their tier).
    pub fn set_tier(&mut self, tier: TierChoice) {
        self.config.tier = tier;
    }

    /// A new window length: the next refresh fetches the whole window.
    pub fn set_lookback_secs(&mut self, secs: i64) {
        if secs != self.config.lookback_secs {
            self.config.lookback_secs = secs;
            self.start_over();
        }
    }

    /// New keys to track: the next refresh fetches the whole window.
    pub fn set_api_key_ids(&mut self, ids: Vec<String>) {
        if ids != self.config.api_key_ids {
            self.config.api_key_ids = ids;
            self.start_over();
        }
    }

    fn start_over(&mut self) {
        self.series = UsageSeries::new(self.config.width);
        self.last_fetch = None;
        self.spikes.reset();
    }

    /// The window ending at `now` (unix seconds).
    pub fn window(&self, now: i64) -> Window {
        Window::ending_at(now, self.config.lookback_secs, self.config.width)
    }

    /// Where a refresh at `now` starts fetching: the window's start the first time, else the
    /// first bucket that may still change.
    pub fn fetch_from(&self, now: i64) -> i64 {
        let window = self.window(now);
        match self.last_fetch {
            Some(last) if !self.series.is_empty() => {
                let from = self.config.width.floor(last - LATE_SECS);
                from.max(window.start_time)
            }
            _ => window.start_time,
        }
    }

    /// Fetches what changed since the last refresh and returns the new snapshot.
    /// `now_ms` is the wall clock in unix milliseconds.
    pub async fn refresh(&mut self, now_ms: i64) -> Result<Snapshot, ApiError> {
        let started = std::time::Instant::now();
        let now = now_ms.div_euclid(1000);
        let window = self.window(now);
        let from = self.fetch_from(now);
        let full = self.last_fetch.is_none() || self.series.is_empty();
        let width = self.config.width;
        let expected = ((now - from) / width.secs() + 2) as u32;
        let query = UsageQuery {
            start_time: from,
            width,
            api_key_ids: self.config.api_key_ids.clone(),
            by_tier: true,
            limit: expected.min(width.max_page_limit()),
        };
        let fetched = self
            .client
            .usage_completions(&query, &mut self.series)
            .await?;
        let stats = FetchStats {
            requests: fetched.requests,
            buckets: fetched.buckets.len(),
            full,
        };
        self.series.replace_from(from, fetched.buckets);
        self.series.retain_from(window.start_time);
        self.last_fetch = Some(now);
        // The data covers up to when the answer came, not when the request left: a slow
        // answer must not shrink the time the growth is divided by (a false spike).
        let answered_ms = now_ms + started.elapsed().as_millis() as i64;
        let spikes = self.spikes.observe(answered_ms, &self.series);
        let mut snap = self.snapshot_at(answered_ms);
        snap.alerts = spikes.active;
        snap.new_alerts = spikes.started;
        snap.fetch = stats;
        Ok(snap)
    }

    /// A snapshot of what is held, priced with the current settings (no fetch, no alerts).
    pub fn snapshot_at(&self, now_ms: i64) -> Snapshot {
        let window = self.window(now_ms.div_euclid(1000));
        let in_window = || {
            self.series
                .buckets()
                .filter(move |b| b.start_time >= window.start_time)
        };
        let summary = summarize(in_window(), &self.config.prices, self.config.tier);
        let buckets = in_window()
            .map(|b| BucketPoint {
                start_time: b.start_time,
                total_tokens: b.total_tokens(),
                requests: b.requests(),
            })
            .collect();
        Snapshot {
            window,
            api_key_ids: self.config.api_key_ids.clone(),
            tier: self.config.tier,
            fetched_at_ms: now_ms,
            summary,
            buckets,
            alerts: Vec::new(),
            new_alerts: Vec::new(),
            fetch: FetchStats::default(),
            prices_compiled: self.config.prices.compiled.clone(),
        }
    }
}

#[cfg(test)]
mod answered_time_tests {
    use super::*;
    use crate::simulator::{DEMO_ADMIN_KEY, Fault, SimConfig, SimServer};

    /// A slow answer: the snapshot (and the spike rate) is dated when it came, not when the
    /// request left.
    #[tokio::test]
    async fn a_refresh_is_dated_when_its_answer_came() {
        let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
        let key = secrecy::SecretString::from(DEMO_ADMIN_KEY);
        let client = AdminClient::new(
            &sim.base_url(),
            &key,
            crate::openai::ClientOptions::default(),
        )
        .unwrap();
        let config = TrackerConfig {
            lookback_secs: 3600,
            width: BucketWidth::Hour,
            api_key_ids: vec![],
            tier: TierChoice::Auto,
            prices: Arc::new(PriceTable::builtin().clone()),
            thresholds: crate::alerts::Thresholds {
                tokens_per_min: 1e12,
                requests_per_min: 1e12,
            },
        };
        let mut tracker = Tracker::new(client, config);
        sim.control()
            .inject(Fault::Slow(std::time::Duration::from_millis(600)), 1);
        let now_ms = crate::poller::now_ms();
        let snap = tracker.refresh(now_ms).await.unwrap();
        assert!(
            snap.fetched_at_ms >= now_ms + 600,
            "dated {} ms after the request left",
            snap.fetched_at_ms - now_ms
        );
    }
}
