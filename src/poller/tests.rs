//! The poller's schedule and commands over the simulator (real HTTP).

use super::*;

#[test]
fn delay_is_the_interval_then_doubles_up_to_the_cap() {
    let i = Duration::from_secs(15);
    assert_eq!(next_delay(i, 0, None), i);
    assert_eq!(next_delay(i, 1, None), i);
    assert_eq!(next_delay(i, 2, None), Duration::from_secs(30));
    assert_eq!(next_delay(i, 4, None), Duration::from_secs(120));
    assert_eq!(next_delay(i, 30, None), MAX_BACKOFF);
    // An interval above the cap is never shortened.
    let long = Duration::from_secs(900);
    assert_eq!(next_delay(long, 5, None), long);
}

use crate::simulator::{Fault, SimConfig, SimServer};

type Events = mpsc::UnboundedReceiver<Event>;

/// A poller with an hourly interval over the simulator (one attempt per refresh, so a
/// fault is a failed refresh) and its events.
async fn poller_over(sim: &SimServer) -> (PollerHandle, Events) {
    use crate::openai::{AdminClient, ClientOptions, RetryPolicy};
    let options = ClientOptions {
        retry: RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
        ..ClientOptions::default()
    };
    let key = secrecy::SecretString::from(crate::simulator::DEMO_ADMIN_KEY);
    let client = AdminClient::new(&sim.base_url(), &key, options).unwrap();
    let config = crate::tracker::TrackerConfig {
        lookback_secs: 3600,
        width: crate::usage::BucketWidth::Hour,
        api_key_ids: vec![],
        tier: TierChoice::Auto,
        prices: crate::pricing::PriceBook::builtin(),
        calendar: None,
        thresholds: crate::alerts::Thresholds {
            tokens_per_min: 1e9,
            requests_per_min: 1e9,
        },
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let poller = spawn(
        Tracker::new(client, config),
        Duration::from_secs(3600),
        move |e| {
            let _ = tx.send(e);
        },
    );
    (poller, rx)
}

async fn next(rx: &mut Events) -> Event {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("an event within 5 s")
        .expect("the poller is running")
}

/// Nothing is reported (and nothing asked of the server) for a while.
async fn quiet(rx: &mut Events, sim: &SimServer) {
    let before = sim.control().stats().requests;
    let got = tokio::time::timeout(Duration::from_millis(1500), rx.recv()).await;
    assert!(got.is_err(), "expected no event, got {got:?}");
    assert_eq!(sim.control().stats().requests, before);
}

/// Before any success (offline from the start), "Refresh now" still refreshes at once
/// instead of waiting out the backoff.
#[tokio::test]
async fn refresh_now_works_before_the_first_success() {
    let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
    sim.control().inject(Fault::Unauthorized, u32::MAX);
    let (poller, mut rx) = poller_over(&sim).await;
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    assert!(matches!(next(&mut rx).await, Event::Failed(_)));
    sim.control().clear_faults();
    assert!(poller.send(Command::RefreshNow));
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    assert!(matches!(next(&mut rx).await, Event::Updated(_)));
}

/// A server's `Retry-After` holds every path: opening the menu, a lookback or key change,
/// and "Refresh now".
#[tokio::test]
async fn a_retry_after_holds_every_path() {
    let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
    let fault = Fault::RateLimited {
        retry_after_secs: Some(60),
    };
    sim.control().inject(fault, u32::MAX);
    let (poller, mut rx) = poller_over(&sim).await;
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    assert!(matches!(next(&mut rx).await, Event::Failed(_)));
    for cmd in [
        Command::RefreshIfOlderThan(Duration::ZERO),
        Command::SetLookbackSecs(7200),
        Command::SetCalendar(Some(crate::plan::periods::Calendar::Today)),
        Command::SetApiKeyIds(vec!["key_x".into()]),
        Command::RefreshNow,
    ] {
        assert!(poller.send(cmd));
    }
    quiet(&mut rx, &sim).await;
}

/// After a failure without `Retry-After`, opening the menu and changes wait for the
/// backoff deadline; "Refresh now" does not.
#[tokio::test]
async fn an_error_backoff_holds_all_but_refresh_now() {
    let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
    let (poller, mut rx) = poller_over(&sim).await;
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    assert!(matches!(next(&mut rx).await, Event::Updated(_)));
    sim.control().inject(Fault::ServerError(500), u32::MAX);
    poller.send(Command::RefreshNow);
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    assert!(matches!(next(&mut rx).await, Event::Failed(_)));
    poller.send(Command::RefreshIfOlderThan(Duration::ZERO));
    poller.send(Command::SetLookbackSecs(7200));
    poller.send(Command::SetCalendar(Some(
        crate::plan::periods::Calendar::ThisWeek,
    )));
    poller.send(Command::SetApiKeyIds(vec!["key_x".into()]));
    quiet(&mut rx, &sim).await;
    poller.send(Command::RefreshNow);
    assert_eq!(next(&mut rx).await, Event::Refreshing);
}

/// A calendar choice refreshes at once with the period's window at its width; an hour
/// choice goes back to the rolling window.
#[tokio::test]
async fn a_calendar_choice_refreshes_its_period_and_hours_go_back() {
    use crate::plan::periods::{Calendar, period};
    let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
    let (poller, mut rx) = poller_over(&sim).await;
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    let Event::Updated(hour) = next(&mut rx).await else {
        panic!("expected an update")
    };
    assert_eq!(hour.window.calendar, None);
    poller.send(Command::SetCalendar(Some(Calendar::ThisMonth)));
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    let Event::Updated(month) = next(&mut rx).await else {
        panic!("expected an update")
    };
    let w = month.window;
    assert_eq!(w.calendar, Some(Calendar::ThisMonth));
    assert_eq!(w.bucket_width, crate::usage::BucketWidth::Day);
    assert_eq!(w.start_time, period(Calendar::ThisMonth, w.end_time).start);
    assert!(month.fetch.full, "the period is read whole");
    poller.send(Command::SetLookbackSecs(3600));
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    let Event::Updated(back) = next(&mut rx).await else {
        panic!("expected an update")
    };
    assert_eq!(back.window.calendar, None);
    assert_eq!(back.window.end_time - back.window.start_time, 3600);
}

/// A tier change re-prices the data held without claiming it was fetched again.
#[tokio::test]
async fn repricing_keeps_the_fetch_time() {
    let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
    let (poller, mut rx) = poller_over(&sim).await;
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    let Event::Updated(fetched) = next(&mut rx).await else {
        panic!("expected an update")
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    poller.send(Command::SetTier(TierChoice::Fixed(
        crate::pricing::Tier::Flex,
    )));
    let Event::Repriced(priced) = next(&mut rx).await else {
        panic!("expected a re-priced snapshot")
    };
    assert_eq!(priced.tier, TierChoice::Fixed(crate::pricing::Tier::Flex));
    assert_eq!(priced.fetched_at_ms, fetched.fetched_at_ms);
}

/// Dropping the handle aborts a refresh in flight: its result never arrives.
#[tokio::test]
async fn dropping_the_handle_aborts_a_refresh_in_flight() {
    let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
    sim.control()
        .inject(Fault::Slow(Duration::from_millis(800)), 1);
    let (poller, mut rx) = poller_over(&sim).await;
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    drop(poller);
    let rest = tokio::time::timeout(Duration::from_secs(3), rx.recv()).await;
    assert_eq!(rest.expect("the channel closes"), None);
}

#[test]
fn retry_after_only_lengthens() {
    let i = Duration::from_secs(15);
    assert_eq!(
        next_delay(i, 1, Some(Duration::from_secs(90))),
        Duration::from_secs(90)
    );
    assert_eq!(
        next_delay(i, 3, Some(Duration::from_secs(1))),
        Duration::from_secs(60)
    );
}

/// With the bill: the first round reports the live estimate then the bill; a costs-only fault
/// marks the bill stale while the live estimate keeps updating; "Refresh now" asks the bill
/// again at once, well before its 10 minutes.
#[tokio::test]
async fn the_bill_runs_beside_the_live_estimate_and_refresh_now_asks_it_too() {
    use crate::openai::{AdminClient, ClientOptions, ErrorKind, RetryPolicy};
    let config = SimConfig {
        clock: crate::simulator::SimClock::Real,
        ..SimConfig::test()
    };
    let sim = SimServer::start(config, None).await.unwrap();
    let options = ClientOptions {
        retry: RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
        ..ClientOptions::default()
    };
    let key = secrecy::SecretString::from(crate::simulator::DEMO_ADMIN_KEY);
    let client = AdminClient::new(&sim.base_url(), &key, options).unwrap();
    let config = crate::tracker::TrackerConfig {
        lookback_secs: 3600,
        width: crate::usage::BucketWidth::Hour,
        api_key_ids: vec![crate::simulator::DEMO_KEY_ID.into()],
        tier: TierChoice::Auto,
        prices: crate::pricing::PriceBook::builtin(),
        calendar: None,
        thresholds: crate::alerts::Thresholds {
            tokens_per_min: 1e9,
            requests_per_min: 1e9,
        },
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let poller = spawn_with_bill(
        Tracker::new(client, config),
        Duration::from_secs(3600),
        move |e| {
            let _ = tx.send(e);
        },
    );
    let costs = |sim: &SimServer| {
        sim.control()
            .stats()
            .endpoints
            .get("costs")
            .map_or(0, |e| e.requests)
    };
    assert_eq!(next(&mut rx).await, Event::Refreshing);
    assert!(matches!(next(&mut rx).await, Event::Updated(_)));
    let Event::Billed(first) = next(&mut rx).await else {
        panic!("the bill after the live estimate")
    };
    assert!(first.failure.is_none() && first.bill.is_some());
    assert_eq!(costs(&sim), 1);
    sim.control()
        .inject_costs(Fault::ServerError(502), u32::MAX);
    poller.send(Command::RefreshNow);
    // The bill runs in its own task: its event and the live ones come in either order.
    let (updated, stale) = live_and_bill(&mut rx).await;
    assert!(updated, "the live estimate is untouched");
    assert_eq!(
        stale.failure.as_ref().map(|f| f.error.kind()),
        Some(ErrorKind::ServerError)
    );
    assert!(stale.bill == first.bill, "the last good figures are kept");
    assert_eq!(costs(&sim), 2);
    // Nothing more for a while: no busy loop, no early request.
    let got = tokio::time::timeout(Duration::from_millis(1500), rx.recv()).await;
    assert!(got.is_err(), "expected no event, got {got:?}");
    assert_eq!(costs(&sim), 2);
    // New keys: the month is read again for them, at once (the last attempt was seconds ago).
    sim.control().clear_faults();
    poller.send(Command::SetApiKeyIds(vec!["key_demoBatch02".into()]));
    let (updated, other) = live_and_bill(&mut rx).await;
    assert!(updated);
    assert!(other.failure.is_none());
    assert_eq!(costs(&sim), 3);
    let q = other.bill.as_ref().unwrap();
    let first = first.bill.as_ref().unwrap();
    // The same days (one more should UTC midnight pass meanwhile), another key's figures.
    assert!((first.days.len()..=first.days.len() + 1).contains(&q.days.len()));
    assert_ne!(q.days, first.days);
}

/// The next three events: `Refreshing`, then the live outcome and the bill in either order.
/// Says whether the live refresh succeeded, and returns the bill.
async fn live_and_bill(rx: &mut Events) -> (bool, Arc<crate::bill::BillSnapshot>) {
    let (mut live, mut bill) = (None, None);
    let mut refreshing = false;
    for _ in 0..3 {
        match next(rx).await {
            Event::Refreshing => refreshing = true,
            Event::Updated(_) => live = Some(true),
            Event::Failed(_) => live = Some(false),
            Event::Billed(b) => bill = Some(b),
            e => panic!("unexpected {e:?}"),
        }
    }
    assert!(refreshing);
    (live.expect("a live outcome"), bill.expect("a bill"))
}
