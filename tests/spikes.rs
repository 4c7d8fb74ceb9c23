//! Spike alerts over real HTTP against the simulator: requests count every endpoint's, each at
//! its own pace, so steady usage read at mixed paces stays calm and a burst on an endpoint
//! other than completions raises a request spike.

mod common;

use common::*;
use usage_tracker::alerts::{AlertKind, Thresholds};
use usage_tracker::engine::tracker::Tracker;
use usage_tracker::snapshot::Snapshot;
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::DEMO_KEY_ID;

fn image_requests(s: &Snapshot) -> u64 {
    s.other
        .kinds
        .iter()
        .find(|k| k.endpoint == Endpoint::Images)
        .map_or(0, |k| k.requests)
}

#[tokio::test]
async fn a_burst_of_images_alone_is_a_request_spike_in_the_snapshot() {
    let sim = sim().await;
    let ctl = sim.control();
    let mut cfg = config(BucketWidth::Hour, 6 * 3600, &[DEMO_KEY_ID]);
    // The default threshold; the tracked key makes about 20 requests a minute over all its
    // endpoints (up to about 60/min over 15 s, as requests land unevenly within minutes).
    cfg.thresholds = Thresholds {
        tokens_per_min: 1e12,
        requests_per_min: 120.0,
    };
    let mut t = Tracker::new(client(&sim), cfg);
    let mut snap = t.refresh(ctl.now() * 1000).await.unwrap();
    // Six and a half minutes of steady refreshes, past the re-read of the last hour.
    for i in 0..26 {
        ctl.advance(15);
        snap = t.refresh(ctl.now() * 1000).await.unwrap();
        assert!(snap.alerts.is_empty(), "refresh {i}: {:?}", snap.alerts);
    }
    let calm_images = image_requests(&snap);
    let completions_before = snap.summary.totals.requests;

    ctl.start_burst_on("images", 3, 400.0);
    ctl.advance(60);
    let snap = t.refresh(ctl.now() * 1000).await.unwrap();
    assert!(
        image_requests(&snap) > calm_images + 120,
        "the burst is on images"
    );
    assert!(
        snap.summary.totals.requests < completions_before + 120,
        "completions stay calm: {} then {}",
        completions_before,
        snap.summary.totals.requests
    );
    let spike = snap
        .alerts
        .iter()
        .find(|a| a.kind == AlertKind::RequestRate)
        .unwrap_or_else(|| panic!("no request spike: {:?}", snap.alerts));
    assert!(spike.per_minute >= 120.0, "{spike:?}");
    let image_models = ["dall-e-3", "gpt-image-1", "dall-e-2"];
    assert!(
        image_models.contains(&spike.top_model.as_deref().unwrap_or("")),
        "{spike:?}"
    );
    assert_eq!(snap.new_alerts.len(), 1, "{:?}", snap.new_alerts);
    assert!(!snap.alerts.iter().any(|a| a.kind == AlertKind::TokenRate));
    sim.shutdown().await;
}
