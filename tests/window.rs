//! The window over real HTTP: exactly `[now - lookback, now)` as one direct query of the API
//! counts it (a partial first bucket, not a start floored to a bucket boundary), kept exact as
//! it slides with few requests; and usage that reaches the API late is picked up in time.

mod common;

use common::*;
use usage_tracker::engine::tracker::Tracker;
use usage_tracker::snapshot::Snapshot;
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::{DEMO_KEY_ID, SimControl};

async fn assert_exact(
    t: &Tracker,
    s: &Snapshot,
    ctl: &SimControl,
    c: &usage_tracker::openai::AdminClient,
    label: &str,
) {
    let now = ctl.now();
    let lookback = t.config().lookback_secs;
    assert_eq!(s.window.start_time, now - lookback, "{label}");
    for e in Endpoint::ALL {
        let direct = direct_total(c, e, now - lookback, BucketWidth::Minute, &[DEMO_KEY_ID]).await;
        assert_eq!(held(s, e), direct, "{label}: {e}");
    }
}

/// At every width, through steps inside a minute, across minutes, hours and a day, the
/// tracker's figures equal a direct query of `[now - lookback, now)`.
#[tokio::test]
async fn the_window_is_exact_at_every_width_as_it_slides() {
    for (width, lookback) in [
        (BucketWidth::Minute, 3_600),
        (BucketWidth::Hour, 3_600),
        (BucketWidth::Hour, 6 * 3_600),
        (BucketWidth::Day, 6 * 3_600),
        (BucketWidth::Day, 86_400),
    ] {
        let sim = sim().await;
        let ctl = sim.control();
        let c = client(&sim);
        let mut t = Tracker::new(client(&sim), config(width, lookback, &[DEMO_KEY_ID]));
        let s = t.refresh(ctl.now() * 1000).await.unwrap();
        let label = format!("{width} {lookback}s");
        assert_exact(&t, &s, &ctl, &c, &format!("{label} first")).await;
        for step in [15, 17, 61, 300, 1_799, 3_599, 45, 7_200, 15] {
            ctl.advance(step);
            let s = t.refresh(ctl.now() * 1000).await.unwrap();
            assert_exact(&t, &s, &ctl, &c, &format!("{label} +{step}s")).await;
        }
    }
}

/// "Last 1 h" is one hour: not the hour-and-a-bit a start floored to the hour would count.
#[tokio::test]
async fn last_hour_means_one_hour() {
    let sim = sim().await;
    let ctl = sim.control();
    let mut t = Tracker::new(
        client(&sim),
        config(BucketWidth::Hour, 3_600, &[DEMO_KEY_ID]),
    );
    let s = t.refresh(ctl.now() * 1000).await.unwrap();
    assert_eq!(s.window.end_time - s.window.start_time, 3_600);
    let c = client(&sim);
    let floored = direct_total(
        &c,
        Endpoint::Completions,
        BucketWidth::Hour.floor(ctl.now() - 3_600),
        BucketWidth::Hour,
        &[DEMO_KEY_ID],
    )
    .await;
    assert!(
        s.summary.totals.total_tokens < floored.0,
        "the floored start counts more"
    );
}

/// Refreshes every 15 s; usage lands late (into a minute `age` seconds old) right after a
/// refresh. Returns how long until the tracker's figure equals a direct query again (which
/// counts the late usage), checking that it differed until then.
async fn seconds_until_late_usage_shows(
    width: BucketWidth,
    endpoint: Endpoint,
    model: &str,
    age: i64,
) -> i64 {
    let sim = sim().await;
    let ctl = sim.control();
    let c = client(&sim);
    let lookback = 2 * 3_600;
    let mut t = Tracker::new(client(&sim), config(width, lookback, &[DEMO_KEY_ID]));
    t.refresh(ctl.now() * 1000).await.unwrap();
    for _ in 0..5 {
        ctl.advance(15);
        t.refresh(ctl.now() * 1000).await.unwrap();
    }
    ctl.add_late_usage(endpoint.as_str(), model, ctl.now() - age, 777, 3);
    let mut waited = 0;
    while waited <= 2 * 3_600 {
        ctl.advance(15);
        waited += 15;
        let s = t.refresh(ctl.now() * 1000).await.unwrap();
        let truth = direct_total(
            &c,
            endpoint,
            ctl.now() - lookback,
            BucketWidth::Minute,
            &[DEMO_KEY_ID],
        )
        .await;
        let got = held(&s, endpoint);
        if got == truth {
            return waited;
        }
        // File search reports calls only: its requests are its quantity.
        let requests = if endpoint == Endpoint::FileSearchCalls {
            777
        } else {
            3
        };
        assert_eq!(
            (truth.0 - got.0, truth.1 - got.1),
            (777, requests),
            "only the late usage is missing"
        );
    }
    panic!("{width} {endpoint}: late usage never showed");
}

/// Usage that lands up to 60 minutes after its minute shows within 5 minutes.
#[tokio::test]
async fn late_usage_up_to_an_hour_old_shows_within_five_minutes() {
    for (width, endpoint, model) in [
        (
            BucketWidth::Minute,
            Endpoint::Completions,
            "gpt-4o-2024-08-06",
        ),
        (
            BucketWidth::Hour,
            Endpoint::Completions,
            "gpt-4o-2024-08-06",
        ),
        (BucketWidth::Minute, Endpoint::Images, "dall-e-3"),
        (BucketWidth::Hour, Endpoint::AudioSpeeches, "tts-1"),
    ] {
        for age in [600, 3_000, 3_540] {
            let waited = seconds_until_late_usage_shows(width, endpoint, model, age).await;
            eprintln!("{width} {endpoint}: late usage {age}s old shown after {waited}s");
            assert!(waited <= 300, "{width} {endpoint} {age}s old: {waited}s");
        }
    }
}

/// Any change inside the window shows within an hour (the whole window is re-read).
#[tokio::test]
async fn an_older_change_inside_the_window_shows_within_an_hour() {
    for (width, endpoint, model) in [
        (
            BucketWidth::Minute,
            Endpoint::Completions,
            "gpt-4o-2024-08-06",
        ),
        (
            BucketWidth::Hour,
            Endpoint::FileSearchCalls,
            "vs_demoDocs01",
        ),
    ] {
        let waited = seconds_until_late_usage_shows(width, endpoint, model, 5_400).await;
        eprintln!("{width} {endpoint}: a change 90 min back shown after {waited}s");
        assert!(waited <= 3_600, "{width} {endpoint}: {waited}s");
    }
}
