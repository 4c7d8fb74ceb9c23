//! The tracker over real HTTP: a refresh is dated when its answer came; a budget's "today"
//! counts every kind of usage.

use super::*;
use crate::simulator::{DEMO_ADMIN_KEY, DEMO_KEY_ID, Fault, SimConfig, SimServer};

/// A tracker of `keys` (none: the organization) over the last `lookback_secs` in hourly
/// buckets, on `sim`, with spike thresholds no test reaches.
fn hourly_tracker(sim: &SimServer, lookback_secs: i64, keys: &[&str]) -> Tracker {
    let key = secrecy::SecretString::from(DEMO_ADMIN_KEY);
    let client = AdminClient::new(
        &sim.base_url(),
        &key,
        crate::openai::ClientOptions::default(),
    )
    .unwrap();
    let config = TrackerConfig {
        lookback_secs,
        width: BucketWidth::Hour,
        api_key_ids: keys.iter().map(|k| (*k).to_owned()).collect(),
        tier: TierChoice::Auto,
        prices: crate::pricing::PriceBook::builtin(),
        calendar: None,
        thresholds: crate::alerts::Thresholds {
            tokens_per_min: 1e12,
            requests_per_min: 1e12,
        },
    };
    Tracker::new(client, config)
}

/// A slow answer: the snapshot (and the spike rate) is dated when it came, not when the
/// request left.
#[tokio::test]
async fn a_refresh_is_dated_when_its_answer_came() {
    let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
    let mut tracker = hourly_tracker(&sim, 3600, &[]);
    sim.control()
        .inject(Fault::Slow(std::time::Duration::from_millis(600)), 1);
    let now_ms = crate::engine::now_ms();
    let snap = tracker.refresh(now_ms).await.unwrap();
    assert!(
        snap.fetched_at_ms >= now_ms + 600,
        "dated {} ms after the request left",
        snap.fetched_at_ms - now_ms
    );
}

/// A budget's "today": every kind of usage of the buckets after the start, not only completions.
#[tokio::test]
async fn cost_since_counts_every_endpoint_of_the_buckets_after_the_start() {
    let sim = SimServer::start(SimConfig::demo(), None).await.unwrap();
    let mut tracker = hourly_tracker(&sim, 26 * 3600, &[DEMO_KEY_ID]);
    let now_ms = crate::engine::now_ms();
    let snap = tracker.refresh(now_ms).await.unwrap();
    assert!(
        snap.other.cost_usd > 0.0,
        "the demo key has other usage priced"
    );
    // From the window's start: the whole of the title's figure, other usage included.
    let whole = tracker.cost_since(snap.window.start_time);
    assert!(
        (whole - snap.total_cost_usd()).abs() < 1e-9,
        "cost since the start {whole} vs the snapshot's total {}",
        snap.total_cost_usd()
    );
    assert!(whole > snap.summary.totals.cost_usd + 1e-9);
    // From a later hour: strictly less, still more than its completions alone.
    let since = BucketWidth::Hour.floor(now_ms / 1000) - 6 * 3600;
    let part = tracker.cost_since(since);
    let completions_only = crate::alerts::cost_since(
        tracker.series(),
        since,
        &tracker.config().prices.current().table,
        TierChoice::Auto,
    );
    assert!(
        part < whole && part > completions_only + 1e-9,
        "since {since}: {part} (completions alone {completions_only}, window {whole})"
    );
    assert_eq!(tracker.cost_since(now_ms / 1000 + 3600), 0.0);
}
