//! The tracker over real HTTP: a refresh is dated when its answer came.

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
        calendar: None,
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
