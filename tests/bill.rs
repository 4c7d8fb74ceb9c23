//! The bill over real HTTP against the simulator: what the client reads equals what the
//! simulator billed (from its own price list, computed here through the simulator's own
//! tables), per day, per line item and per key; pagination; filters; the check against the
//! estimate; another currency; faults; and how often the Costs API is asked.

mod common;

use common::{client, config, sim};
use usage_tracker::billing::{
    BillSnapshot, LineKind, NOTIFY_GAP, SECS_PER_DAY, utc_day_start, utc_month_start,
};
use usage_tracker::openai::ErrorKind;
use usage_tracker::simulator::{DEMO_KEY_ID, Fault, SimControl, SimServer};
use usage_tracker::tracker::bill::BillTracker;
use usage_tracker::usage::BucketWidth;

const BATCH_KEY: &str = "key_demoBatch02";
const D: i64 = SECS_PER_DAY;

fn tracker(sim: &SimServer, keys: &[&str]) -> BillTracker {
    BillTracker::new(client(sim), &config(BucketWidth::Hour, 3600, keys))
}

fn costs_requests(ctl: &SimControl) -> u64 {
    ctl.stats().endpoints.get("costs").map_or(0, |e| e.requests)
}

/// Every day the simulator bills `keys` in `[from, now)` equals the client's, in total and per
/// line item, to 1e-9 USD.
fn assert_same_bill(ctl: &SimControl, snap: &BillSnapshot, from: i64, keys: &[&str]) {
    let bill = snap.bill.as_ref().expect("a bill");
    let expected = ctl.billed(from, ctl.now(), keys);
    assert!(!expected.is_empty());
    for day in &expected {
        let got = bill
            .day(day.start_time)
            .unwrap_or_else(|| panic!("day {} missing", day.start_time));
        let want: f64 = day.items.iter().map(|i| i.1).sum();
        assert!(
            (got.usd() - want).abs() < 1e-9,
            "day {}: {} != {want}",
            day.start_time,
            got.usd()
        );
        for (name, value, _) in &day.items {
            let sum: f64 = got
                .items
                .iter()
                .filter(|i| &i.name == name)
                .map(|i| i.amount.value)
                .sum();
            assert!((sum - value).abs() < 1e-9, "{name}: {sum} != {value}");
        }
        assert_eq!(
            got.items
                .iter()
                .map(|i| &i.name)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            day.items.len(),
            "the same line items on {}",
            day.start_time
        );
    }
}

#[tokio::test]
async fn today_yesterday_and_the_month_equal_what_the_simulator_billed() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = ctl.now();
    let mut bill = tracker(&sim, &[DEMO_KEY_ID]);
    let snap = bill.refresh(now * 1000).await;
    assert!(snap.failure.is_none(), "{:?}", snap.failure);
    let from = utc_month_start(now).min(utc_day_start(now) - 7 * D);
    assert_same_bill(&ctl, &snap, from, &[DEMO_KEY_ID]);
    let b = snap.bill.as_ref().unwrap();
    let sim_day = |day: i64| -> f64 {
        ctl.billed(day, day + D, &[DEMO_KEY_ID])[0]
            .items
            .iter()
            .map(|i| i.1)
            .sum()
    };
    let today = utc_day_start(now);
    assert!((b.today(now).unwrap().usd() - sim_day(today)).abs() < 1e-9);
    assert!((b.yesterday(now).unwrap().usd() - sim_day(today - D)).abs() < 1e-9);
    let month: f64 = ctl
        .billed(utc_month_start(now), now, &[DEMO_KEY_ID])
        .iter()
        .flat_map(|d| d.items.iter().map(|i| i.1))
        .sum();
    assert!((b.month_to_date_usd(now) - month).abs() < 1e-9);
    assert!(
        month > 1.0,
        "a month of the demo key's usage costs something: {month}"
    );
    // Line items were read: models, kinds and batch from the simulator's names.
    let today_items = &b.today(now).unwrap().items;
    assert!(
        today_items
            .iter()
            .any(|i| i.kind == LineKind::CachedInput && i.batch == false)
    );
    assert!(
        today_items
            .iter()
            .any(|i| i.batch && i.model.as_deref() == Some("gpt-4o-mini-2024-07-18"))
    );
    assert!(today_items.iter().any(|i| i.kind == LineKind::AudioOutput));
    assert!(today_items.iter().any(|i| i.kind == LineKind::WebSearch));
    assert!(
        today_items
            .iter()
            .any(|i| i.kind == LineKind::Images && i.name == "Image models")
    );
    assert_eq!(
        costs_requests(&ctl),
        1,
        "the month and the checked days in one request"
    );
}

#[tokio::test]
async fn the_simulator_sends_amounts_as_numbers_and_as_strings() {
    let sim = sim().await;
    let now = sim.control().now();
    let url = format!(
        "{}/organization/costs?start_time={}&end_time={now}&bucket_width=1d&group_by=line_item&api_key_ids={DEMO_KEY_ID}",
        sim.base_url(),
        utc_day_start(now)
    );
    let body = reqwest::Client::new()
        .get(url)
        .bearer_auth(usage_tracker::simulator::DEMO_ADMIN_KEY)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let values: Vec<&serde_json::Value> = body["data"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["amount"]["value"])
        .collect();
    assert!(values.iter().any(|v| v.is_number()));
    let text = values
        .iter()
        .find_map(|v| v.as_str())
        .expect("a string amount");
    assert!(
        text.split('.').nth(1).is_some_and(|d| d.len() >= 10),
        "{text}"
    );
}

#[tokio::test]
async fn small_pages_are_followed_and_read_the_same() {
    let sim = sim().await;
    let ctl = sim.control();
    ctl.set_costs(|s| s.max_page = 3);
    let now = ctl.now();
    let mut bill = tracker(&sim, &[DEMO_KEY_ID]);
    let snap = bill.refresh(now * 1000).await;
    let from = utc_month_start(now).min(utc_day_start(now) - 7 * D);
    let days = (now - from).div_euclid(D) as u64 + 1;
    assert_eq!(costs_requests(&ctl), days.div_ceil(3));
    assert_same_bill(&ctl, &snap, from, &[DEMO_KEY_ID]);
}

#[tokio::test]
async fn several_keys_are_grouped_by_key_and_no_key_is_the_whole_organization() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = ctl.now();
    let today = utc_day_start(now);
    let mut both = tracker(&sim, &[DEMO_KEY_ID, BATCH_KEY]);
    let snap = both.refresh(now * 1000).await;
    let q = ctl.last_query_of("costs");
    assert!(q.is_none(), "costs queries are not usage queries");
    let day = snap.bill.as_ref().unwrap().today(now).unwrap();
    let sum_of = |keys: &[&str]| -> f64 {
        ctl.billed(today, now, keys)[0]
            .items
            .iter()
            .map(|i| i.1)
            .sum()
    };
    for key in [DEMO_KEY_ID, BATCH_KEY] {
        let got: f64 = day
            .items
            .iter()
            .filter(|i| i.api_key_id.as_deref() == Some(key))
            .map(|i| i.amount.value)
            .sum();
        assert!((got - sum_of(&[key])).abs() < 1e-9, "{key}: {got}");
    }
    assert!(day.items.iter().all(|i| i.api_key_id.is_some()));
    let mut org = tracker(&sim, &[]);
    let org_snap = org.refresh(now * 1000).await;
    let org_today = org_snap.bill.as_ref().unwrap().today(now).unwrap().usd();
    assert!((org_today - sum_of(&[])).abs() < 1e-9);
    assert!(
        org_today > day.usd() + 1.0,
        "the other team's spend is in the organization's bill"
    );
}

#[tokio::test]
async fn usage_is_billed_only_after_the_lag() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = ctl.now();
    let today = utc_day_start(now);
    let lagged = tracker(&sim, &[DEMO_KEY_ID]).refresh(now * 1000).await;
    ctl.set_costs(|s| s.lag_secs = 0);
    let prompt = tracker(&sim, &[DEMO_KEY_ID]).refresh(now * 1000).await;
    let day = |s: &BillSnapshot| s.bill.as_ref().unwrap().day(today).unwrap().usd();
    let (lagged, prompt) = (day(&lagged), day(&prompt));
    assert!(
        prompt > lagged,
        "the last 15 minutes are billed once the lag is gone: {prompt} vs {lagged}"
    );
}

/// The check: each settled day of the last 7 within 10 % of the simulator's bill; a factor of
/// 1/0.7 on the bill shows a 30 % gap on every such day.
#[tokio::test]
async fn the_check_finds_a_30_percent_gap_and_none_within_10_percent() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = ctl.now();
    let mut bill = tracker(&sim, &[DEMO_KEY_ID]);
    let snap = bill.refresh(now * 1000).await;
    let r = snap.reconciliation.expect("a check");
    assert_eq!(r.days.len(), 7, "7 complete settled days: {r:?}");
    for d in &r.days {
        assert!(d.gap().unwrap() < NOTIFY_GAP, "within 10 %: {d:?}");
        assert!(d.estimate_usd > 0.0);
    }
    ctl.set_costs(|s| s.factor = 1.0 / 0.7);
    let mut off = tracker(&sim, &[DEMO_KEY_ID]);
    let snap = off.refresh(now * 1000).await;
    let r = snap.reconciliation.unwrap();
    assert_eq!(r.days.len(), 7);
    for d in &r.days {
        let gap = d.gap().unwrap();
        assert!(gap > NOTIFY_GAP && (gap - 0.3).abs() < 0.05, "{d:?}");
        assert!(d.estimate_usd < d.billed_usd);
    }
}

#[tokio::test]
async fn another_currency_is_never_added_to_usd() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = ctl.now();
    let today = utc_day_start(now);
    ctl.set_costs(|s| {
        s.currency = "eur".into();
        s.currency_from = today - 2 * D;
    });
    let mut bill = tracker(&sim, &[DEMO_KEY_ID]);
    let snap = bill.refresh(now * 1000).await;
    let b = snap.bill.as_ref().unwrap();
    let month = b.month_to_date(now);
    assert_eq!(
        month
            .iter()
            .map(|m| m.currency.as_str())
            .collect::<Vec<_>>(),
        ["usd", "eur"]
    );
    let sum = |from: i64, to: i64| -> f64 {
        ctl.billed(from, to, &[DEMO_KEY_ID])
            .iter()
            .flat_map(|d| d.items.iter().map(|i| i.1))
            .sum()
    };
    let month_start = utc_month_start(now);
    assert!((month[0].value - sum(month_start, today - 2 * D)).abs() < 1e-9);
    assert!((month[1].value - sum(today - 2 * D, now)).abs() < 1e-9);
    assert!((b.month_to_date_usd(now) - month[0].value).abs() < 1e-12);
    assert_eq!(b.today(now).unwrap().usd(), 0.0);
    let r = snap.reconciliation.unwrap();
    assert!(
        r.days.iter().all(|d| d.start_time < today - 2 * D),
        "a euro day is not checked: {r:?}"
    );
    assert_eq!(r.days.len(), 5);
}

/// Each fault on the costs endpoint: the live estimate keeps refreshing, the bill keeps its
/// last good figures and says what failed; it recovers once the fault is gone.
#[tokio::test]
async fn each_fault_leaves_the_estimate_alone_and_the_bill_stale() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = ctl.now();
    let cfg = config(BucketWidth::Hour, 3600, &[DEMO_KEY_ID]);
    let mut live = usage_tracker::tracker::Tracker::new(client(&sim), cfg.clone());
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
