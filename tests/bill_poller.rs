//! The bill inside the real poller (`spawn_with_bill`), over real HTTP against the simulator:
//! over a simulated hour (a fast clock on the bill's side) menu opens never ask the Costs API,
//! "Refresh now" asks it once, and the schedule keeps to one request per 10 minutes; a hung
//! Costs API never holds a live refresh or a command.

mod common;

use common::bill::costs_requests;
use common::{client, config};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use usage_tracker::engine::Clock;
use usage_tracker::engine::events::{Command, Event};
use usage_tracker::engine::live::{spawn_with_bill, spawn_with_bill_clock};
use usage_tracker::engine::tracker::Tracker;
use usage_tracker::pricing::{Tier, TierChoice};
use usage_tracker::usage::BucketWidth;
use usage_tracker_simulator::{DEMO_KEY_ID, Fault, SimClock, SimConfig, SimServer};

/// Simulated seconds per real second on the bill's side: an hour in 10 s.
const SPEED: u32 = 360;

async fn real_clock_sim() -> SimServer {
    let config = SimConfig {
        clock: SimClock::Real,
        ..SimConfig::test()
    };
    SimServer::start(config, None).await.unwrap()
}

/// What the callback saw: each bill's answer time (the bill's clock) and the live updates.
#[derive(Default)]
struct Seen {
    billed_at_ms: Vec<i64>,
    updated: usize,
    repriced: usize,
}

fn recorder(seen: &Arc<Mutex<Seen>>) -> impl FnMut(Event) + Send + 'static {
    let seen = seen.clone();
    move |e| {
        let mut s = seen.lock().unwrap();
        match e {
            Event::Billed(b) => {
                assert!(b.failure.is_none(), "{:?}", b.failure);
                s.billed_at_ms.push(b.bill.as_ref().unwrap().fetched_at_ms);
            }
            Event::Updated(_) => s.updated += 1,
            Event::Repriced(_) => s.repriced += 1,
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_an_hour_menu_opens_never_ask_the_bill_and_refresh_now_asks_it_once() {
    let sim = real_clock_sim().await;
    let ctl = sim.control();
    // The bill's clock ends the hour at the simulator's now: never an end_time in the future.
    let start_ms = (ctl.now() - 3600) * 1000;
    let clock = Clock::fast(start_ms, SPEED);
    let origin = tokio::time::Instant::now();
    let at_minute = |m: u64| origin + Duration::from_millis(m * 60_000 / u64::from(SPEED));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let tracker = Tracker::new(
        client(&sim),
        config(BucketWidth::Hour, 3600, &[DEMO_KEY_ID]),
    );
    // A 60 s live interval on the bill's time scale.
    let live = Duration::from_secs(60) / SPEED;
    let poller = spawn_with_bill_clock(tracker, live, clock.clone(), recorder(&seen));
    let mut forced_at = None;
    for m in [5, 15, 25, 35, 42, 45, 55] {
        tokio::time::sleep_until(at_minute(m)).await;
        if m == 42 {
            forced_at = Some(clock.now_ms());
            assert!(poller.send(Command::RefreshNow));
        } else {
            // The menu opened on data older than asked: a live refresh, never the bill.
            assert!(poller.send(Command::RefreshIfOlderThan(Duration::ZERO)));
        }
    }
    tokio::time::sleep_until(at_minute(60)).await;
    drop(poller);
    let forced_at = forced_at.unwrap();
    let seen = seen.lock().unwrap();
    let times = &seen.billed_at_ms;
    // First fetch, then 10, 20, 30, 40 min, the user's at 42, then 52.
    assert!(
        (6..=8).contains(&times.len()),
        "{} costs fetches in a simulated hour: {times:?}",
        times.len()
    );
    assert_eq!(costs_requests(&ctl), times.len() as u64, "one request each");
    let mut forced = 0;
    for pair in times.windows(2) {
        // The schedule counts whole seconds: 599.x s between two answers is 10 minutes.
        let gap_ms = pair[1] - pair[0];
        if pair[0] < forced_at && pair[1] >= forced_at && gap_ms < 599_000 {
            forced += 1;
        } else {
            assert!(
                gap_ms >= 599_000,
                "{gap_ms} ms apart, not after the user's refresh: {times:?}"
            );
        }
    }
    assert_eq!(forced, 1, "the user's refresh asks once: {times:?}");
    // The live side ran at its own pace meanwhile (60 rounds at most; fewer on a loaded machine,
    // where a round of eight endpoints takes longer than 166 ms).
    assert!(seen.updated >= 10, "{} live updates", seen.updated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_costs_api_holds_neither_live_refreshes_nor_commands() {
    let sim = real_clock_sim().await;
    let ctl = sim.control();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let tracker = Tracker::new(
        client(&sim),
        config(BucketWidth::Hour, 3600, &[DEMO_KEY_ID]),
    );
    let poller = spawn_with_bill(tracker, Duration::from_millis(200), recorder(&seen));
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap().billed_at_ms.is_empty() {
        assert!(tokio::time::Instant::now() < until, "no first bill");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ctl.inject_costs(Fault::Slow(Duration::from_secs(4)), 1);
    let before = seen.lock().unwrap().updated;
    assert!(poller.send(Command::RefreshNow));
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A command during the hang is answered at once.
    assert!(poller.send(Command::SetTier(TierChoice::Fixed(Tier::Flex))));
    tokio::time::sleep(Duration::from_millis(1700)).await;
    {
        let s = seen.lock().unwrap();
        assert_eq!(s.billed_at_ms.len(), 1, "the costs request still hangs");
        assert!(
            s.updated - before >= 5,
            "{} live updates in 2 s at 200 ms beside a hung costs request",
            s.updated - before
        );
        assert!(s.repriced >= 1, "the tier change was answered");
    }
    let until = tokio::time::Instant::now() + Duration::from_secs(8);
    while seen.lock().unwrap().billed_at_ms.len() < 2 {
        assert!(
            tokio::time::Instant::now() < until,
            "the slow bill never came"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(costs_requests(&ctl), 2);
}
