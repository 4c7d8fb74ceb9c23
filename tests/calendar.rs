//! The calendar Lookback choices over real HTTP: "Today", "This week" and "This month" (UTC)
//! count exactly `[period start, now)` as the simulator's own minute tables sum it, in one
//! small request per endpoint asked, through refreshes, the period rolling over and a switch
//! from a rolling hour and back.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use usage_tracker::engine::tracker::Tracker;
use usage_tracker::openai::AdminClient;
use usage_tracker::plan::periods::{Calendar, period};
use usage_tracker::snapshot::Snapshot;
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::{DEMO_KEY_ID, SimControl};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .unwrap()
        .timestamp()
}

/// Every endpoint's figures equal the simulator's buckets summed over `[start, now)`, and
/// the snapshot's window is that span. The simulator's minutes for a day at most; its hours
/// (each its minutes summed) for longer, where a direct read of the minutes is dozens of
/// pages of 1,440 per endpoint: too slow for a test's every step.
async fn assert_exact(s: &Snapshot, start: i64, ctl: &SimControl, c: &AdminClient, label: &str) {
    assert_eq!(
        (s.window.start_time, s.window.end_time),
        (start, ctl.now()),
        "{label}: the window"
    );
    let mut any = false;
    for e in Endpoint::ALL {
        let width = if ctl.now() - start <= 86_400 {
            BucketWidth::Minute
        } else {
            BucketWidth::Hour
        };
        let truth = direct_total(c, e, start, width, &[DEMO_KEY_ID]).await;
        any |= truth.1 > 0;
        assert_eq!(held(s, e), truth, "{label}: {e}");
    }
    assert!(any, "{label}: the demo key has usage in the period");
}

/// Each endpoint asked in this refresh was asked once.
fn assert_one_request_per_endpoint(s: &Snapshot, label: &str) {
    for (e, requests, buckets) in &s.fetch.endpoints {
        assert_eq!(*requests, 1, "{label}: {e} took {requests} requests");
        assert!(*buckets <= 168, "{label}: {e} read {buckets} buckets");
    }
    assert_eq!(
        s.fetch.requests,
        s.fetch.endpoints.len() as u64,
        "{label}: {:?}",
        s.fetch.endpoints
    );
}

fn calendar_config(c: Calendar) -> usage_tracker::engine::tracker::TrackerConfig {
    let mut cfg = config(BucketWidth::Minute, 3_600, &[DEMO_KEY_ID]);
    cfg.calendar = Some(c);
    cfg
}

#[tokio::test]
async fn each_choice_counts_its_period_in_one_request_per_endpoint() {
    // Late in a long week and a long month: the most buckets each choice reads.
    // Sunday 31 January 2027, 22:47:10 UTC.
    let now = at(2027, 1, 31, 22, 47, 10);
    for choice in Calendar::ALL {
        let sim = sim().await;
        let ctl = sim.control();
        let c = client(&sim);
        ctl.set_now(now);
        let mut t = Tracker::new(client(&sim), calendar_config(choice));
        let label = format!("{choice:?}");
        let s = t.refresh(ctl.now() * 1000).await.unwrap();
        let start = period(choice, now).start;
        assert_eq!(s.window.calendar, Some(choice));
        assert_exact(&s, start, &ctl, &c, &format!("{label} first")).await;
        assert_one_request_per_endpoint(&s, &format!("{label} first"));
        assert_eq!(
            s.fetch.endpoints.len(),
            Endpoint::ALL.len(),
            "the first refresh reads every endpoint"
        );
        // Steady state: the tail, the late hour, the hourly resync; never more than one
        // request per endpoint, and the figures stay exact.
        let mut requests = 0;
        let mut refreshes = 0;
        for step in [15, 300, 15, 3_300, 15] {
            ctl.advance(step);
            let s = t.refresh(ctl.now() * 1000).await.unwrap();
            let l = format!("{label} +{step}s");
            assert_exact(&s, start, &ctl, &c, &l).await;
            assert_one_request_per_endpoint(&s, &l);
            assert!(!s.fetch.full, "{l}: not the whole period again");
            requests += s.fetch.requests;
            refreshes += 1;
        }
        assert!(
            requests <= refreshes * Endpoint::ALL.len() as u64,
            "{label}: {requests} requests in {refreshes} refreshes"
        );
    }
}

#[tokio::test]
async fn the_window_restarts_at_midnight_on_monday_and_on_the_first() {
    // Sunday 28 February 2027, 23:59:30 UTC: a day, a week and a month end together.
    let before = at(2027, 2, 28, 23, 59, 30);
    for c in Calendar::ALL {
        let sim = sim().await;
        let ctl = sim.control();
        let cl = client(&sim);
        ctl.set_now(before);
        let mut t = Tracker::new(client(&sim), calendar_config(c));
        let s = t.refresh(ctl.now() * 1000).await.unwrap();
        assert_exact(
            &s,
            period(c, before).start,
            &ctl,
            &cl,
            &format!("{c:?} before"),
        )
        .await;
        ctl.advance(90);
        let s = t.refresh(ctl.now() * 1000).await.unwrap();
        let midnight = at(2027, 3, 1, 0, 0, 0);
        assert_eq!(s.window.start_time, midnight, "{c:?}: the new period");
        assert!(s.fetch.full, "{c:?}: the new period is read whole");
        assert_one_request_per_endpoint(&s, &format!("{c:?} after"));
        // 60 s of the new period: what the simulator has in that minute, nothing before.
        for e in Endpoint::ALL {
            let truth = direct_total(&cl, e, midnight, BucketWidth::Minute, &[DEMO_KEY_ID]).await;
            assert_eq!(held(&s, e), truth, "{c:?} after: {e}");
        }
        ctl.advance(15);
        let s = t.refresh(ctl.now() * 1000).await.unwrap();
        assert!(!s.fetch.full, "{c:?}: then the tail only");
    }
}

#[tokio::test]
async fn a_switch_from_one_hour_to_this_month_and_back() {
    // Wednesday 2 December 2026, 09:12:40 UTC.
    let now = at(2026, 12, 2, 9, 12, 40);
    let sim = sim().await;
    let ctl = sim.control();
    let c = client(&sim);
    ctl.set_now(now);
    let mut t = Tracker::new(
        client(&sim),
        config(BucketWidth::Hour, 3_600, &[DEMO_KEY_ID]),
    );
    let hour = t.refresh(ctl.now() * 1000).await.unwrap();
    assert_eq!(hour.window.calendar, None);
    assert_exact(&hour, now - 3_600, &ctl, &c, "1 h").await;

    ctl.advance(15);
    t.set_calendar(Some(Calendar::ThisMonth));
    let month = t.refresh(ctl.now() * 1000).await.unwrap();
    assert_eq!(month.window.calendar, Some(Calendar::ThisMonth));
    assert_eq!(month.window.bucket_width, BucketWidth::Day);
    assert!(month.fetch.full);
    assert_exact(&month, at(2026, 12, 1, 0, 0, 0), &ctl, &c, "this month").await;
    assert_one_request_per_endpoint(&month, "this month");
    assert!(held(&month, Endpoint::Completions).0 > held(&hour, Endpoint::Completions).0);

    ctl.advance(15);
    t.set_lookback_secs(3_600);
    let back = t.refresh(ctl.now() * 1000).await.unwrap();
    assert_eq!(back.window.calendar, None);
    assert_eq!(back.window.bucket_width, BucketWidth::Hour);
    assert!(back.fetch.full);
    assert_exact(&back, ctl.now() - 3_600, &ctl, &c, "1 h again").await;
}

/// (requests, buckets) the simulator served since the last reset, over every usage endpoint.
fn served(ctl: &SimControl) -> (u64, u64) {
    ctl.stats()
        .endpoints
        .values()
        .fold((0, 0), |(r, b), e| (r + e.requests, b + e.buckets_served))
}

/// A calendar window over the history store: a restart shows the stored figures of the
/// period before any request, then reads fewer buckets than a cold start and ends exact.
#[tokio::test]
async fn a_restart_on_a_calendar_choice_restores_it_and_reads_less() {
    use usage_tracker::store::{SharedStore, Store, StoreOptions};
    // Thursday 28 January 2027, 15:21:40 UTC: days of the week and the month are final.
    let now = at(2027, 1, 28, 15, 21, 40);
    for choice in Calendar::ALL {
        let label = format!("{choice:?}");
        let sim = sim().await;
        let ctl = sim.control();
        let c = client(&sim);
        ctl.set_now(now);
        let dir = tempfile::tempdir().unwrap();
        let store = |at: i64| {
            let path = dir.path().join("history.sqlite");
            SharedStore::new(Store::open(&path, StoreOptions::default(), at).unwrap())
        };
        let mut first =
            Tracker::new(client(&sim), calendar_config(choice)).with_history(store(ctl.now()));
        first.refresh(ctl.now() * 1000).await.unwrap();
        drop(first);

        ctl.advance(7 * 60);
        ctl.reset_stats();
        let mut again =
            Tracker::new(client(&sim), calendar_config(choice)).with_history(store(ctl.now()));
        let restored = again
            .restore(ctl.now() * 1000)
            .await
            .unwrap_or_else(|| panic!("{label}: the store holds the period"));
        assert_eq!(served(&ctl), (0, 0), "{label}: restored without a request");
        assert_eq!(restored.window.calendar, Some(choice), "{label}");
        assert_eq!(restored.window.start_time, period(choice, now).start);
        assert!(restored.summary.totals.total_tokens > 0, "{label}");
        let s = again.refresh(ctl.now() * 1000).await.unwrap();
        let restart = served(&ctl);
        assert_exact(
            &s,
            period(choice, now).start,
            &ctl,
            &c,
            &format!("{label} restart"),
        )
        .await;

        ctl.reset_stats();
        let mut cold = Tracker::new(client(&sim), calendar_config(choice));
        let cs = cold.refresh(ctl.now() * 1000).await.unwrap();
        let cold_cost = served(&ctl);
        eprintln!(
            "{label}: cold start {} requests {} buckets; restart {} requests {} buckets",
            cold_cost.0, cold_cost.1, restart.0, restart.1
        );
        assert!(
            restart.0 <= cold_cost.0 && restart.1 < cold_cost.1,
            "{label}: restart {restart:?} vs cold {cold_cost:?}"
        );
        assert_eq!(s.summary, cs.summary, "{label}");
    }
}
