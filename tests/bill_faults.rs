//! The bill's failures and schedule over real HTTP against the simulator: each fault leaves the
//! live estimate refreshing and the bill stale with its last good figures; the Costs API is
//! asked at most every 10 minutes (plus once per user refresh) over an injected clock; a key
//! change reads the month again.

mod common;

use common::bill::{BATCH_KEY, D, assert_same_bill, costs_requests, tracker};
use common::{client, config, sim};
use usage_tracker::bill::{utc_day_start, utc_month_start};
use usage_tracker::openai::ErrorKind;
use usage_tracker::usage::BucketWidth;
use usage_tracker_simulator::{DEMO_KEY_ID, Fault};

/// Each fault on the costs endpoint: the live estimate keeps refreshing, the bill keeps its
/// last good figures and says what failed; it recovers once the fault is gone.
#[tokio::test]
async fn each_fault_leaves_the_estimate_alone_and_the_bill_stale() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = ctl.now();
    let cfg = config(BucketWidth::Hour, 3600, &[DEMO_KEY_ID]);
    let mut live = usage_tracker::engine::tracker::Tracker::new(client(&sim), cfg.clone());
    let first_live = live.refresh(now * 1000).await.unwrap();
    let mut bill = tracker(&sim, &[DEMO_KEY_ID]);
    assert!(bill.refresh(now * 1000).await.failure.is_none());
    let faults = [
        (Fault::Unauthorized, ErrorKind::InvalidKey),
        (Fault::Forbidden, ErrorKind::MissingPermission),
        (
            Fault::RateLimited {
                retry_after_secs: None,
            },
            ErrorKind::RateLimited,
        ),
        (Fault::ServerError(503), ErrorKind::ServerError),
        (Fault::NotJson, ErrorKind::BadResponse),
        (Fault::TruncatedJson, ErrorKind::BadResponse),
        (Fault::RepeatingCursor, ErrorKind::BadResponse),
    ];
    for (fault, kind) in faults {
        let good = bill.snapshot(now).bill;
        ctl.inject_costs(fault.clone(), u32::MAX);
        let snap = bill.refresh(now * 1000).await;
        let failure = snap
            .failure
            .as_ref()
            .unwrap_or_else(|| panic!("{fault:?} failed nothing"));
        assert_eq!(failure.error.kind(), kind, "{fault:?}");
        assert!(snap.is_stale());
        assert!(
            snap.bill == good,
            "{fault:?}: the last good figures are kept"
        );
        let again = live
            .refresh(now * 1000)
            .await
            .expect("the live estimate keeps refreshing");
        assert_eq!(
            again.total_cost_usd(),
            first_live.total_cost_usd(),
            "{fault:?}"
        );
        ctl.clear_faults();
        let back = bill.refresh(now * 1000).await;
        assert!(back.failure.is_none(), "{fault:?}: recovers");
    }
    // Offline: the server is gone; the figures stay, marked stale.
    let kept = bill.snapshot(now).bill;
    sim.shutdown().await;
    let snap = bill.refresh(now * 1000).await;
    assert_eq!(
        snap.failure.as_ref().unwrap().error.kind(),
        ErrorKind::Offline
    );
    assert!(snap.bill == kept, "offline: the last good figures are kept");
    assert!(
        snap.reconciliation.is_some_and(|r| !r.days.is_empty()),
        "the check is kept too"
    );
}

/// Steady state over simulated time (the clock injected: the simulator's and the tracker's):
/// from 23:00 to 02:00 UTC in 15 s steps, a costs request at most every 10 minutes plus one per
/// user refresh, and the day estimates read at start, after midnight and after 01:00 only.
#[tokio::test]
async fn steady_state_asks_the_costs_api_at_most_every_ten_minutes() {
    let sim = sim().await;
    let ctl = sim.control();
    let start = utc_day_start(ctl.now()) + 23 * 3600;
    ctl.set_now(start);
    let mut bill = tracker(&sim, &[DEMO_KEY_ID]);
    let mut times = Vec::new();
    let mut forced = 0;
    for step in 0..=(3 * 240) {
        let now = start + 15 * step;
        ctl.set_now(now);
        // The user asks once at 00:31:15.
        let asked = step == 6 * 15 + 5 && bill.may_force(now);
        if asked || bill.due(now) {
            let snap = bill.refresh(now * 1000).await;
            assert!(snap.failure.is_none());
            times.push((now, asked));
            forced += u64::from(asked);
        }
    }
    // Apart from the user's, requests are at least 10 minutes apart, and keep coming.
    for pair in times.windows(2) {
        let (a, b) = ((pair[0].0), (pair[1].0, pair[1].1));
        assert!(b.1 || b.0 - a >= 600, "{} s apart", b.0 - a);
    }
    assert_eq!(forced, 1);
    assert!(
        (19..=20).contains(&times.len()),
        "{} requests in 3 hours",
        times.len()
    );
    assert_eq!(costs_requests(&ctl), times.len() as u64);
    assert_eq!(bill.costs_requests, costs_requests(&ctl));
    // 8 usage endpoints, read three times: at 23:00, after midnight, after 01:00.
    assert_eq!(bill.estimate_requests, 8 * 3);
    // The last bill, read at 01:5x, has yesterday re-read beside today: as billed then.
    let last = times.last().unwrap().0;
    ctl.set_now(last);
    let snap = bill.snapshot(last);
    assert_same_bill(&ctl, &snap, utc_day_start(ctl.now()) - D, &[DEMO_KEY_ID]);
}

/// A key change reads the month again for the new keys, and drops the old key's figures.
#[tokio::test]
async fn a_key_change_reads_the_month_again() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = ctl.now();
    let mut bill = tracker(&sim, &[DEMO_KEY_ID]);
    bill.refresh(now * 1000).await;
    assert!(!bill.due(now + 60));
    bill.set_api_key_ids(vec![BATCH_KEY.into()]);
    assert!(
        bill.snapshot(now).bill.is_none(),
        "another key's figures are not shown"
    );
    assert!(bill.due(now + 60));
    let snap = bill.refresh((now + 60) * 1000).await;
    let from = utc_month_start(now).min(utc_day_start(now) - 7 * D);
    assert_same_bill(&ctl, &snap, from, &[BATCH_KEY]);
}

/// A failed read of the checked days' usage (a usage endpoint failing during the day-estimate
/// read) is said (`estimate_failure`) and the last good check is kept; the next costs request
/// reads them again, and the newly complete day is checked.
#[tokio::test]
async fn a_failed_day_estimate_read_is_said_and_keeps_the_last_good_check() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = utc_day_start(ctl.now()) + 12 * 3600;
    ctl.set_now(now);
    let mut bill = tracker(&sim, &[DEMO_KEY_ID]);
    let first = bill.refresh(now * 1000).await;
    assert!(first.failure.is_none() && first.estimate_failure.is_none());
    let good = first.reconciliation.clone().expect("a check");
    assert_eq!(good.last().unwrap().start_time, utc_day_start(now) - D);
    // The next noon: the day of `now` is complete and settled, its usage due to be read.
    let later = now + D;
    ctl.set_now(later);
    // The costs request passes; every usage request after it fails.
    ctl.inject_costs(Fault::Slow(std::time::Duration::ZERO), 1);
    ctl.inject(Fault::ServerError(503), u32::MAX);
    let snap = bill.refresh(later * 1000).await;
    assert!(snap.failure.is_none(), "the bill itself was read");
    let failed = snap
        .estimate_failure
        .as_ref()
        .expect("the failed read is said");
    assert_eq!(failed.error.kind(), ErrorKind::ServerError);
    assert_eq!(
        snap.reconciliation.as_ref(),
        Some(&good),
        "the last good check"
    );
    assert_eq!(bill.snapshot(later).reconciliation.as_ref(), Some(&good));
    ctl.clear_faults();
    let t = later + 600;
    ctl.set_now(t);
    let back = bill.refresh(t * 1000).await;
    assert!(back.estimate_failure.is_none(), "recovered");
    let check = back.reconciliation.expect("a check");
    assert_eq!(check.last().unwrap().start_time, utc_day_start(now));
}

/// `bill_once` (for `once`) keeps to one deadline for the whole fetch, the client's
/// (`--timeout`): nine requests each under it but together over it end at it, as a timeout.
#[tokio::test]
async fn bill_once_keeps_to_one_deadline_for_the_whole_fetch() {
    use std::time::{Duration, Instant};
    let sim = sim().await;
    let ctl = sim.control();
    let options = usage_tracker::openai::ClientOptions {
        deadline: Duration::from_millis(1500),
        ..common::fast_options()
    };
    let client = usage_tracker::openai::AdminClient::new(
        &sim.base_url(),
        &secrecy::SecretString::from(usage_tracker_simulator::DEMO_ADMIN_KEY),
        options,
    )
    .unwrap();
    ctl.inject(Fault::Slow(Duration::from_millis(600)), u32::MAX);
    let cfg = config(BucketWidth::Hour, 3600, &[DEMO_KEY_ID]);
    let started = Instant::now();
    let snap = usage_tracker::engine::bill::bill_once(&client, &cfg, ctl.now() * 1000).await;
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    let failure = snap.failure.expect("the deadline passed");
    assert_eq!(failure.error.kind(), ErrorKind::Timeout);
}
