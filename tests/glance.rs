//! The glance's fetching over real HTTP against the simulator (manual clock): an hour of
//! 15-second refreshes asks few requests (the figure is printed), the glance then equals
//! what a fresh read of the simulator gives, and a restart over the history file asks only
//! what may still change.

mod common;

use common::{client, config, sim};
use std::collections::BTreeMap;
use usage_tracker::bill::utc_day_start;
use usage_tracker::engine::glance::GlanceTracker;
use usage_tracker::figures::glance::{DAYS, HOURS};
use usage_tracker::pricing::{PriceTable, TierChoice};
use usage_tracker::store::{SharedStore, Store, StoreOptions};
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::{DEMO_KEY_ID, SimServer};

fn tracker(sim: &SimServer, history: Option<SharedStore>) -> GlanceTracker {
    let cfg = config(BucketWidth::Hour, 24 * 3_600, &[DEMO_KEY_ID]);
    GlanceTracker::new(client(sim), &cfg, history, sim.control().now()).unwrap()
}

/// An hour of refreshes every 15 s, each kicking the glance: (rounds, requests).
async fn an_hour(sim: &SimServer, g: &mut GlanceTracker) -> (u32, u64) {
    let ctl = sim.control();
    let (mut rounds, mut requests) = (0, 0);
    for _ in 0..240 {
        let now = ctl.now();
        if g.due(now) {
            requests += g.refresh(now).await.unwrap();
            rounds += 1;
        }
        ctl.advance(15);
    }
    (rounds, requests)
}

/// USD per hour start of `[from, to)`, read afresh from the simulator and priced through the
/// history's lines (not the glance's code).
async fn fresh_hours(sim: &SimServer, from: i64) -> BTreeMap<i64, f64> {
    let c = client(sim);
    let keys = [DEMO_KEY_ID];
    let q = common::query(Endpoint::Completions, from, BucketWidth::Hour, &keys);
    let completions: Vec<_> = common::completions(&c, &q)
        .await
        .unwrap()
        .buckets
        .into_iter()
        .map(|b| usage_tracker::usage::Bucket {
            start_time: b.start_time,
            end_time: b.end_time,
            rows: b.rows,
        })
        .collect();
    let mut others = Vec::new();
    for e in Endpoint::OTHERS {
        let q = common::query(e, from, BucketWidth::Hour, &keys);
        others.extend(
            common::other(&c, &q)
                .await
                .unwrap()
                .buckets
                .into_iter()
                .map(|b| usage_tracker::usage::Bucket {
                    start_time: b.start_time,
                    end_time: b.end_time,
                    rows: b.rows,
                }),
        );
    }
    let lines = usage_tracker::figures::lines(
        &completions,
        &others,
        &[],
        BucketWidth::Hour,
        PriceTable::builtin(),
        TierChoice::Auto,
    );
    let mut out = BTreeMap::new();
    for l in lines {
        *out.entry(l.start_time).or_insert(0.0) += l.estimate_usd.unwrap_or(0.0);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_of_refreshes_asks_little_and_the_glance_equals_a_fresh_read() {
    let sim = sim().await;
    let ctl = sim.control();
    let mut g = tracker(&sim, None);
    let (rounds, requests) = an_hour(&sim, &mut g).await;
    let sim_usage = ctl.stats().requests;
    eprintln!(
        "glance: {rounds} rounds, {requests} requests in a simulated hour of 15 s refreshes (simulator saw {sim_usage})"
    );
    assert_eq!(rounds, 12, "one round per 5 minutes");
    assert_eq!(requests, sim_usage, "the tracker counts every request");
    // The first round: each endpoint's 48 hours and 30 days (16); then at most each
    // endpoint's changing tail per round, idle ones every 15 minutes.
    assert!(requests <= 16 + 11 * 8, "{requests} requests");
    assert!(
        requests >= 16 + 11,
        "completions' tail is re-read every round: {requests}"
    );

    // A last round at the hour's end, then the glance against a fresh read.
    let now = ctl.now();
    g.refresh(now).await.unwrap();
    let t = std::time::Instant::now();
    let glance = g.glance(now, None).await.unwrap();
    eprintln!("glance: made from the store in {:?}", t.elapsed());
    let fresh = fresh_hours(&sim, glance.hours_from).await;
    assert_eq!(glance.hourly.len(), HOURS);
    for (i, v) in glance.hourly.iter().enumerate() {
        let start = glance.hour_start(i);
        let want = fresh.get(&start).copied().unwrap_or(0.0);
        let got = v.unwrap_or_else(|| panic!("hour {i} unknown"));
        assert!((got - want).abs() < 1e-6, "hour {i}: {got} != {want}");
    }
    assert!(
        glance.hourly.iter().flatten().any(|v| *v > 0.0),
        "the demo key spends"
    );
    let today: f64 = fresh.range(utc_day_start(now)..).map(|(_, v)| v).sum();
    assert!((glance.today_usd.unwrap() - today).abs() < 1e-6);
    assert_eq!(glance.daily.len(), DAYS);
    assert!(
        glance.daily.iter().all(Option::is_some),
        "{:?}",
        glance.daily
    );
    assert!(glance.pace_today.is_some() && glance.pace_month.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_over_the_history_file_asks_only_what_may_still_change() {
    let sim = sim().await;
    let ctl = sim.control();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite");
    let open = || SharedStore::new(Store::open(&path, StoreOptions::default(), ctl.now()).unwrap());
    let mut first = tracker(&sim, Some(open()));
    let cold = first.refresh(ctl.now()).await.unwrap();
    let before = first.glance(ctl.now(), None).await.unwrap();
    drop(first);
    ctl.advance(600);
    let mut second = tracker(&sim, Some(open()));
    let warm = second.refresh(ctl.now()).await.unwrap();
    eprintln!("glance: cold start {cold} requests, restart 10 min later {warm}");
    assert_eq!(cold, 16);
    // Each endpoint's last hour or two; the days are final.
    assert!(warm <= 8, "{warm} requests after a restart");
    let after = second.glance(ctl.now(), None).await.unwrap();
    // The days before today did not change; the same hours are the same.
    assert_eq!(before.daily[..DAYS - 1], after.daily[..DAYS - 1]);
    // Without the history file, the same figures from memory.
    let mut memory = tracker(&sim, None);
    memory.refresh(ctl.now()).await.unwrap();
    let m = memory.glance(ctl.now(), None).await.unwrap();
    assert_eq!(m, after);
}

/// `once --format json` over `--demo`: `pace` beside the bill, today's `null` only in the UTC
/// day's first 30 minutes; the demo's history file keeps what the glance fetched.
#[test]
fn once_json_carries_the_pace() {
    use common::binary::{cmd, run};
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let (out, stdout, stderr) = run(cmd(&home)
        .args(["once", "--demo", "--format", "json", "--data-dir"])
        .arg(&data));
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let pace = &v["pace"];
    assert!(pace.is_object(), "{pace}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let into_day = now % 86_400;
    if into_day >= 31 * 60 {
        let today = pace["today_usd"].as_f64().expect("a pace today");
        assert!(today > 0.0, "{pace}");
        let month = pace["month_usd"].as_f64().expect("a pace this month");
        assert!(month > 0.0, "{pace}");
    } else if (60..29 * 60).contains(&into_day) {
        assert_eq!(pace["today_usd"], serde_json::Value::Null, "{pace}");
    }
    assert!(data.join("history-demo.sqlite").is_file());
}

/// The task as the app and `watch` run it: each successful refresh kicks it, one round per
/// 5 minutes at most (the real clock); a glance after a round, a new bill or other keys (which
/// start a round), otherwise at most once a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_rounds_at_most_every_five_minutes_and_remakes_the_glance_when_it_changes() {
    use std::sync::Arc;
    use usage_tracker::engine::events::Event;
    use usage_tracker::engine::now_ms;
    use usage_tracker::engine::tracker::Tracker;
    use usage_tracker_simulator::{SimClock, SimConfig};
    let mut sc = SimConfig::test();
    sc.clock = SimClock::Real;
    let sim = SimServer::start(sc, None).await.unwrap();
    let ctl = sim.control();
    let cfg = config(BucketWidth::Hour, 24 * 3_600, &[DEMO_KEY_ID]);
    let (keys_tx, keys_rx) =
        tokio::sync::watch::channel((TierChoice::Auto, cfg.api_key_ids.clone()));
    let (tx, mut glances) = tokio::sync::mpsc::unbounded_channel();
    let (feed, task) =
        usage_tracker::engine::glance::spawn(client(&sim), &cfg, None, keys_rx, move |g| {
            tx.send(g).is_ok()
        })
        .unwrap();
    let updated = Event::Updated(Arc::new(
        Tracker::new(client(&sim), cfg.clone()).snapshot_at(now_ms()),
    ));
    let next = async |glances: &mut tokio::sync::mpsc::UnboundedReceiver<_>| {
        tokio::time::timeout(std::time::Duration::from_secs(20), glances.recv())
            .await
            .expect("a glance after the kick")
            .unwrap()
    };
    feed.observe(&updated);
    let first = next(&mut glances).await;
    assert!(first.pace_month.is_some() || first.now % 86_400 < 1_800);
    // Two more kicks within the minute: no round, and no glance (only the time moved).
    for _ in 0..2 {
        feed.observe(&updated);
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        glances.try_recv().is_err(),
        "no new glance within the minute"
    );
    assert_eq!(ctl.stats().requests, 16, "one round for three kicks");
    // A costs answer: the month's pace is made again with it, without a round.
    feed.observe(&Event::Billed(Arc::new(Default::default())));
    feed.observe(&updated);
    let _ = next(&mut glances).await;
    assert_eq!(ctl.stats().requests, 16);
    // The whole organization instead of the demo key: a round for it at the next kick.
    keys_tx.send_replace((TierChoice::Auto, Vec::new()));
    feed.observe(&updated);
    let _ = next(&mut glances).await;
    assert_eq!(ctl.stats().requests, 32, "the new keys' round");
    task.abort();
}

/// Beside the live tracker recording its pages into the same history (24 h of hourly buckets,
/// as by default): the glance leaves out what the live refresh just recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beside_a_recording_tracker_the_glance_asks_less() {
    use usage_tracker::engine::tracker::Tracker;
    let sim = sim().await;
    let ctl = sim.control();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite");
    let store = SharedStore::new(Store::open(&path, StoreOptions::default(), ctl.now()).unwrap());
    let cfg = config(BucketWidth::Hour, 24 * 3_600, &[DEMO_KEY_ID]);
    let mut live = Tracker::new(client(&sim), cfg).with_history(store.clone());
    let mut g = tracker(&sim, Some(store));
    let (mut rounds, mut glance_requests) = (0, 0);
    for _ in 0..240 {
        let now = ctl.now();
        live.refresh(now * 1000).await.unwrap();
        if g.due(now) {
            glance_requests += g.refresh(now).await.unwrap();
            rounds += 1;
        }
        ctl.advance(15);
    }
    let all = ctl.stats().requests;
    eprintln!(
        "glance beside a recording live tracker: {rounds} rounds, {glance_requests} glance requests of {all} in a simulated hour"
    );
    assert_eq!(rounds, 12);
    // The first round's 48 hours and 30 days; after it the live refresh's fresh pages serve
    // the hours (measured: 16 in all).
    assert!(glance_requests <= 16 + 8, "{glance_requests}");
}
