//! Today's cost for the daily budget: one tracker over the last 26 hours (one local day, DST
//! included), refreshed after each successful live refresh (incremental: a request or so per
//! endpoint) and re-priced without a fetch when the tier changes. It prices every kind of usage
//! since local midnight. Hourly buckets where local midnight falls on a UTC hour; minutes
//! otherwise (half-hour time zones). Runs as the engine's task on its runtime, only when a daily
//! budget is set. (Today's UTC estimate, for the pace and the monthly budget, is the glance's:
//! `Glance::today_estimate`.)

use super::events::TodayCost;
use super::tracker::{Tracker, TrackerConfig};
use crate::alerts::local_day;
use crate::openai::{AdminClient, ApiError};
use crate::pricing::TierChoice;
use crate::usage::BucketWidth;
use std::sync::Arc;
use tokio::sync::{Notify, watch};

/// The span the tracker holds: the longest local day (25 h) and an hour of slack.
const SPAN_SECS: i64 = 26 * 3600;

/// The tracker behind [`TodayCost`], made again when the local midnight's width changes.
pub struct TodayTracker {
    client: AdminClient,
    base: TrackerConfig,
    tracker: Option<Tracker>,
}

impl TodayTracker {
    /// Tracks what `base` tracks (its keys, tier, prices and thresholds) over the last 26 hours.
    pub fn new(client: AdminClient, base: &TrackerConfig) -> Self {
        TodayTracker {
            client,
            base: base.clone(),
            tracker: None,
        }
    }

    /// Prices at `tier` from now on (no fetch).
    pub fn set_tier(&mut self, tier: TierChoice) {
        self.base.tier = tier;
        if let Some(t) = &mut self.tracker {
            t.set_tier(tier);
        }
    }

    /// Other keys: the next refresh reads their 26 hours.
    pub fn set_api_key_ids(&mut self, ids: Vec<String>) {
        if let Some(t) = &mut self.tracker {
            t.set_api_key_ids(ids.clone());
        }
        self.base.api_key_ids = ids;
    }

    /// Refreshes at `now_ms` and prices today. `Ok(None)`: the local day is unknown (a time
    /// zone without that instant).
    pub async fn refresh(&mut self, now_ms: i64) -> Result<Option<TodayCost>, ApiError> {
        let Some((day, midnight)) = local_day(now_ms / 1000) else {
            return Ok(None);
        };
        let width = if midnight % 3600 == 0 {
            BucketWidth::Hour
        } else {
            BucketWidth::Minute
        };
        let t = match self.tracker.take() {
            Some(t) if t.config().width == width => t,
            _ => Tracker::new(
                self.client.clone(),
                TrackerConfig {
                    lookback_secs: SPAN_SECS,
                    width,
                    calendar: None,
                    ..self.base.clone()
                },
            ),
        };
        let t = self.tracker.insert(t);
        t.refresh(now_ms).await?;
        Ok(Some(cost_at(t, day, midnight)))
    }

    /// Today's cost at `now_ms` from what is held (no fetch); `None` before the first refresh.
    pub fn today(&self, now_ms: i64) -> Option<TodayCost> {
        let t = self.tracker.as_ref()?;
        let (day, midnight) = local_day(now_ms / 1000)?;
        Some(cost_at(t, day, midnight))
    }
}

/// What `t` holds since local `midnight` (of `day`).
fn cost_at(t: &Tracker, day: i64, midnight: i64) -> TodayCost {
    TodayCost {
        day,
        spent: t.cost_since(midnight),
    }
}

/// The live loop's side of a running budget task: a successful refresh kicks a refresh of
/// today, a re-pricing a re-pricing of it.
pub struct TodayFeed {
    refresh: Arc<Notify>,
    reprice: Arc<Notify>,
}

impl TodayFeed {
    pub fn observe(&self, event: &super::events::Event) {
        use super::events::Event;
        match event {
            Event::Updated(_) => self.refresh.notify_one(),
            Event::Repriced(_) => self.reprice.notify_one(),
            _ => {}
        }
    }
}

/// Starts the budget task on the current runtime: `chosen` follows the user's tier and keys;
/// `send` gets each [`TodayCost`] (`false`: nobody listens any more, the task ends).
pub fn spawn(
    today: TodayTracker,
    chosen: watch::Receiver<(TierChoice, Vec<String>)>,
    send: impl FnMut(TodayCost) -> bool + Send + 'static,
) -> (TodayFeed, tokio::task::JoinHandle<()>) {
    let (refresh, reprice) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let task = tokio::spawn(run(today, refresh.clone(), reprice.clone(), chosen, send));
    (TodayFeed { refresh, reprice }, task)
}

async fn run(
    mut today: TodayTracker,
    refresh: Arc<Notify>,
    reprice: Arc<Notify>,
    mut chosen: watch::Receiver<(TierChoice, Vec<String>)>,
    mut send: impl FnMut(TodayCost) -> bool,
) {
    loop {
        let fetch = tokio::select! {
            () = refresh.notified() => true,
            () = reprice.notified() => false,
        };
        if chosen.has_changed().unwrap_or(false) {
            let (tier, ids) = chosen.borrow_and_update().clone();
            today.set_tier(tier);
            today.set_api_key_ids(ids);
        }
        let now = super::now_ms();
        let cost = if fetch {
            match today.refresh(now).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::debug!("today's cost: refresh failed: {e}");
                    continue;
                }
            }
        } else {
            today.today(now)
        };
        if let Some(c) = cost
            && !send(c)
        {
            return;
        }
    }
}
