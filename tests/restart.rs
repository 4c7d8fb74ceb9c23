//! A restart on the same history over real HTTP against the simulator: the stored figures come
//! at once (before any request), the first refresh asks only what the store lacks or may still
//! change (strictly fewer requests and buckets than a cold start), and its figures equal a
//! cold start's at the same moment and the simulator's own answer, late usage included.

mod common;

use common::*;
use usage_tracker::engine::tracker::Tracker;
use usage_tracker::snapshot::Snapshot;
use usage_tracker::store::{KeySet, SharedStore, Store, StoreOptions};
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::{DEMO_KEY_ID, SimControl, SimServer};

fn store(dir: &std::path::Path, now: i64) -> SharedStore {
    let path = dir.join("history.sqlite");
    SharedStore::new(Store::open(&path, StoreOptions::default(), now).unwrap())
}

/// (requests, buckets) the simulator served since the last reset, over every usage endpoint.
fn served(ctl: &SimControl) -> (u64, u64) {
    let s = ctl.stats();
    s.endpoints
        .values()
        .fold((0, 0), |(r, b), e| (r + e.requests, b + e.buckets_served))
}

/// Every endpoint's figures equal the simulator's answer to one direct query of the window.
async fn assert_truth(sim: &SimServer, s: &Snapshot, label: &str) {
    let ctl = sim.control();
    let c = client(sim);
    assert_eq!(s.window.end_time, ctl.now(), "{label}");
    for e in Endpoint::ALL {
        let direct = direct_total(
            &c,
            e,
            s.window.start_time,
            BucketWidth::Minute,
            &[DEMO_KEY_ID],
        )
        .await;
        assert_eq!(held(s, e), direct, "{label}: {e}");
    }
}

/// A cold start, then a restart some minutes later on the same store, with late usage landing
/// meanwhile in a bucket stored before the restart: at every width the restart shows the
/// stored figures before any request, then asks strictly fewer requests and buckets than a
/// cold start at the same moment, and ends with the same figures, equal to the simulator's.
#[tokio::test]
async fn a_restart_asks_only_what_is_missing_and_ends_with_a_cold_starts_figures() {
    for (width, lookback) in [
        (BucketWidth::Hour, 6 * 3_600),
        // A minute window asks one page per endpoint either way: fewer buckets only (the last
        // hour is never final, so a shorter window would ask the same).
        (BucketWidth::Minute, 3 * 3_600),
        (BucketWidth::Day, 86_400),
    ] {
        let label = format!("{width} {lookback}s");
        let sim = sim().await;
        let ctl = sim.control();
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(width, lookback, &[DEMO_KEY_ID]);

        // The first launch: a cold start, recording into the store.
        let mut first =
            Tracker::new(client(&sim), cfg.clone()).with_history(store(dir.path(), ctl.now()));
        assert!(
            first.restore(ctl.now() * 1000).await.is_none(),
            "{label}: nothing stored yet"
        );
        let stored_at = ctl.now();
        let s = first.refresh(ctl.now() * 1000).await.unwrap();
        assert_truth(&sim, &s, &format!("{label} cold")).await;
        drop(first);

        // Some minutes later, late usage lands 20 minutes back: in a bucket already stored.
        ctl.advance(7 * 60 + 13);
        ctl.add_late_usage(
            "completions",
            "gpt-4o-2024-08-06",
            ctl.now() - 20 * 60,
            777,
            3,
        );
        ctl.add_late_usage("images", "dall-e-3", ctl.now() - 25 * 60, 5, 2);

        // The restart: the stored figures at once, before any request.
        ctl.reset_stats();
        let mut again =
            Tracker::new(client(&sim), cfg.clone()).with_history(store(dir.path(), ctl.now()));
        let restored = again
            .restore(ctl.now() * 1000)
            .await
            .unwrap_or_else(|| panic!("{label}: the store holds the window"));
        assert_eq!(served(&ctl), (0, 0), "{label}: restored without a request");
        assert!(
            (stored_at * 1000..=stored_at * 1000 + 5_000).contains(&restored.fetched_at_ms),
            "{label}: dated when it was fetched: {} vs {stored_at}",
            restored.fetched_at_ms
        );
        assert!(restored.summary.totals.total_tokens > 0, "{label}");
        let s = again.refresh(ctl.now() * 1000).await.unwrap();
        let restart = served(&ctl);
        assert_eq!(
            (s.fetch.requests, s.fetch.buckets as u64),
            restart,
            "{label}: the tracker counts what the simulator served"
        );
        assert_truth(&sim, &s, &format!("{label} restart")).await;

        // A cold start at the same moment, for the count and the figures.
        ctl.reset_stats();
        let mut cold = Tracker::new(client(&sim), cfg.clone());
        let c = cold.refresh(ctl.now() * 1000).await.unwrap();
        let cold_cost = served(&ctl);
        eprintln!(
            "{label}: cold start {} requests {} buckets; restart {} requests {} buckets",
            cold_cost.0, cold_cost.1, restart.0, restart.1
        );
        let fewer_requests = if width == BucketWidth::Minute {
            restart.0 <= cold_cost.0
        } else {
            restart.0 < cold_cost.0
        };
        assert!(
            fewer_requests && restart.1 < cold_cost.1,
            "{label}: restart {restart:?} vs cold {cold_cost:?}"
        );
        for e in Endpoint::ALL {
            assert_eq!(held(&s, e), held(&c, e), "{label}: {e}");
        }
        assert_eq!(s.summary, c.summary, "{label}");

        // The restarted tracker goes on as usual: the next refresh is the steady state's.
        ctl.reset_stats();
        ctl.advance(15);
        let s = again.refresh(ctl.now() * 1000).await.unwrap();
        assert!(!s.fetch.full, "{label}");
        assert_truth(&sim, &s, &format!("{label} after")).await;
    }
}

/// What is final is never fetched twice: a restart an hour and a half later asks nothing of
/// the buckets that were stored final, and every page fetched is in the store.
#[tokio::test]
async fn buckets_stored_final_are_not_asked_again() {
    let sim = sim().await;
    let ctl = sim.control();
    let dir = tempfile::tempdir().unwrap();
    let width = BucketWidth::Hour;
    let lookback = 6 * 3_600;
    let cfg = config(width, lookback, &[DEMO_KEY_ID]);
    let mut t = Tracker::new(client(&sim), cfg.clone()).with_history(store(dir.path(), ctl.now()));
    t.refresh(ctl.now() * 1000).await.unwrap();
    // Ninety minutes of refreshes every five minutes.
    for _ in 0..18 {
        ctl.advance(300);
        t.refresh(ctl.now() * 1000).await.unwrap();
    }
    drop(t);
    ctl.advance(120);
    let now = ctl.now();
    let probe = Store::open(
        &dir.path().join("history.sqlite"),
        StoreOptions::default(),
        now,
    )
    .unwrap();
    let keys = KeySet::of(&[DEMO_KEY_ID.to_owned()]);
    let body = usage_tracker::plan::usage::body_start(now - lookback, width);
    let missing = probe
        .missing(&keys, Endpoint::Completions, width, body, now)
        .unwrap();
    // Only the buckets that ended less than an hour before their last fetch.
    let first_missing = missing.first().unwrap().0;
    assert!(
        first_missing >= width.floor(now - 3 * 3_600),
        "{missing:?} at {now}"
    );
    ctl.reset_stats();
    let mut again = Tracker::new(client(&sim), cfg).with_history(store(dir.path(), now));
    let s = again.refresh(now * 1000).await.unwrap();
    let q = ctl.last_query_of("completions").unwrap();
    assert!(
        q.start_time >= first_missing,
        "asked from {} though the store is final until {first_missing}",
        q.start_time
    );
    assert_truth(&sim, &s, "after ninety minutes").await;
}

/// The bill too: a restart asks the Costs API only from the first day the store lacks or
/// that may still change. A settled day stored blank stays blank (it was not asked again);
/// the days that may still change equal the simulator's.
#[tokio::test]
async fn a_restarted_bill_asks_only_the_days_that_may_still_change() {
    use usage_tracker::bill::{BilledDay, SECS_PER_DAY, utc_day_start};
    use usage_tracker::engine::bill::BillTracker;
    let sim = sim().await;
    let ctl = sim.control();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(BucketWidth::Hour, 3_600, &[DEMO_KEY_ID]);
    let mut cold = BillTracker::new(client(&sim), &cfg).with_history(store(dir.path(), ctl.now()));
    let first = cold.refresh(ctl.now() * 1000).await;
    assert!(first.failure.is_none(), "{:?}", first.failure);
    drop(cold);
    let today = utc_day_start(ctl.now());
    let settled = today - 3 * SECS_PER_DAY;
    let billed = first.bill.as_ref().unwrap().day(settled).unwrap().usd();
    assert!(billed > 0.0);
    // A settled day as the store holds it (here: blanked), dated after the cold start: later
    // than its answer, which is dated when it came (a second or more after `now` when the
    // simulator is slow to bill a month).
    ctl.advance(9 * 60);
    let mut probe = Store::open(
        &dir.path().join("history.sqlite"),
        StoreOptions::default(),
        ctl.now(),
    )
    .unwrap();
    let keys = KeySet::of(&[DEMO_KEY_ID.to_owned()]);
    let blank = BilledDay {
        start_time: settled,
        items: Vec::new(),
    };
    probe.record_bill(&keys, &[blank], ctl.now()).unwrap();
    drop(probe);
    let mut again = BillTracker::new(client(&sim), &cfg).with_history(store(dir.path(), ctl.now()));
    let snap = again.refresh(ctl.now() * 1000).await;
    assert!(snap.failure.is_none(), "{:?}", snap.failure);
    assert_eq!(again.costs_requests, 1);
    let bill = snap.bill.as_ref().unwrap();
    assert_eq!(
        bill.day(settled).map(|d| d.usd()),
        Some(0.0),
        "a settled stored day is not asked again"
    );
    common::bill::assert_same_bill(&ctl, &snap, today - SECS_PER_DAY, &[DEMO_KEY_ID]);
}

/// The poller sends the stored figures first, before any request, then refreshes.
#[tokio::test]
async fn the_poller_sends_the_stored_figures_before_any_request() {
    use std::sync::{Arc, Mutex};
    use usage_tracker::engine::events::Event;
    use usage_tracker::engine::live;
    // The poller reads the system clock: so does this simulator.
    let mut sim_config = usage_tracker_simulator::SimConfig::test();
    sim_config.clock = usage_tracker_simulator::SimClock::Real;
    let sim = SimServer::start(sim_config, None).await.unwrap();
    let ctl = sim.control();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(BucketWidth::Hour, 6 * 3_600, &[DEMO_KEY_ID]);
    let mut first =
        Tracker::new(client(&sim), cfg.clone()).with_history(store(dir.path(), ctl.now()));
    first.refresh(ctl.now() * 1000).await.unwrap();
    drop(first);
    ctl.reset_stats();
    // (event, requests the simulator had served when it came)
    let seen: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let (s, c) = (seen.clone(), ctl.clone());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let tracker = Tracker::new(client(&sim), cfg).with_history(store(dir.path(), ctl.now()));
    let handle = live::spawn(tracker, std::time::Duration::from_secs(3_600), move |e| {
        let name = match &e {
            Event::Restored(_) => "restored",
            Event::Refreshing => "refreshing",
            Event::Updated(_) => "updated",
            _ => "other",
        };
        s.lock()
            .unwrap()
            .push((name.to_owned(), c.stats().requests));
        let _ = tx.send(e);
    });
    let restored = loop {
        match rx.recv().await.unwrap() {
            Event::Restored(snap) => break snap,
            Event::Updated(_) => panic!("updated before restored"),
            _ => {}
        }
    };
    assert!(restored.summary.totals.total_tokens > 0);
    while !matches!(rx.recv().await.unwrap(), Event::Updated(_)) {}
    drop(handle);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], ("restored".to_owned(), 0), "{seen:?}");
    assert_eq!(seen[1].0, "refreshing", "{seen:?}");
}
