//! Prices learned from the bill, over real HTTP against the simulator, which bills from its own
//! tables at OpenAI's prices (images at the quality asked, web search at the GA tool's price, a
//! model no price list has, an `ultrafast` tier, one model at a regional uplift). Before the bill
//! teaches, each settled day's estimate is off by what the table cannot know; once it has, every
//! settled day is within 2 % of its bill, the checks name exactly the model billed differently,
//! `--prices table` keeps the list price there, and a restart keeps what was learned.

mod common;

use common::{client, config, other, query, sim};
use usage_tracker::bill::{BilledDay, SECS_PER_DAY as D, is_settled, utc_day_start};
use usage_tracker::engine::bill::BillTracker;
use usage_tracker::figures::{self, Line};
use usage_tracker::pricing::{PriceBook, PriceMode, PriceTable, TierChoice};
use usage_tracker::store::{KeySet, Store, StoreOptions};
use usage_tracker::usage::{Bucket, BucketWidth, Endpoint, Meter, UsageRow};
use usage_tracker_simulator::DEMO_KEY_ID;

const KEYS: [&str; 1] = [DEMO_KEY_ID];
/// The settled days checked: the last 7 complete UTC days.
const DAYS: i64 = 7;

/// The daily usage of the checked days, as the usage endpoints report it.
async fn daily_usage(
    sim: &usage_tracker_simulator::SimServer,
    today: i64,
) -> (Vec<Bucket<UsageRow>>, Vec<Bucket<Meter>>) {
    let c = client(sim);
    let q = |e| {
        let mut q = query(e, today - DAYS * D, BucketWidth::Day, &KEYS);
        q.end_time = Some(today);
        q.limit = DAYS as u32;
        q
    };
    let completions = common::completions(&c, &q(Endpoint::Completions))
        .await
        .unwrap()
        .buckets
        .into_iter()
        .map(bucket)
        .collect();
    let mut others = Vec::new();
    for e in Endpoint::OTHERS {
        let f = other(&c, &q(e)).await.unwrap();
        others.extend(f.buckets.into_iter().map(bucket));
    }
    (completions, others)
}

fn bucket<R>(b: usage_tracker::openai::TimeBucket<R>) -> Bucket<R> {
    Bucket {
        start_time: b.start_time,
        end_time: b.end_time,
        rows: b.rows,
    }
}

/// Per settled day: (day, estimate of the priced lines, unpriced lines, billed).
fn per_day(lines: &[Line], days: &[i64]) -> Vec<(i64, f64, usize, f64)> {
    days.iter()
        .map(|&day| {
            let on = lines.iter().filter(|l| l.start_time == day);
            let estimate = on.clone().filter_map(|l| l.estimate_usd).sum();
            let unpriced = on
                .clone()
                .filter(|l| l.estimate_usd.is_none() && l.endpoint.is_some())
                .count();
            let billed = on.filter_map(|l| l.billed_usd).sum();
            (day, estimate, unpriced, billed)
        })
        .collect()
}

struct Learned {
    now: i64,
    check: Option<usage_tracker::bill::Reconciliation>,
    days: Vec<i64>,
    bill: Vec<BilledDay>,
    completions: Vec<Bucket<UsageRow>>,
    others: Vec<Bucket<Meter>>,
}

/// One bill refresh of the demo key with `book`, and the checked days' usage.
async fn learn(sim: &usage_tracker_simulator::SimServer, book: &PriceBook) -> Learned {
    let now = sim.control().now();
    let mut cfg = config(BucketWidth::Hour, 3600, &KEYS);
    cfg.prices = book.clone();
    let mut bill = BillTracker::new(client(sim), &cfg);
    let snap = bill.refresh(now * 1000).await;
    assert!(snap.failure.is_none(), "{:?}", snap.failure);
    let today = utc_day_start(now);
    let days: Vec<i64> = (1..=DAYS)
        .map(|n| today - n * D)
        .filter(|d| is_settled(*d, now))
        .rev()
        .collect();
    assert!(days.len() >= 6, "settled days to check: {days:?}");
    let check = snap.reconciliation.clone();
    let bill = snap.bill.unwrap().days;
    let (completions, others) = daily_usage(sim, today).await;
    Learned {
        now,
        check,
        days,
        bill,
        completions,
        others,
    }
}

fn lines(l: &Learned, table: &PriceTable) -> Vec<Line> {
    figures::lines(
        &l.completions,
        &l.others,
        &l.bill,
        BucketWidth::Day,
        table,
        TierChoice::Auto,
    )
}

#[tokio::test]
async fn each_settled_day_meets_its_bill_within_2_percent_once_the_bill_prices_each_kind() {
    let sim = sim().await;
    let book = PriceBook::new(
        std::sync::Arc::new(PriceTable::builtin().clone()),
        PriceMode::Bill,
    );
    let l = learn(&sim, &book).await;

    // Before: the table alone.
    let before = lines(&l, PriceTable::builtin());
    println!("before the bill teaches (table only):");
    for (day, est, unpriced, billed) in per_day(&before, &l.days) {
        println!(
            "  {day}: estimate ${est:.2} ({unpriced} unpriced lines), bill ${billed:.2}, gap {:+.1} %",
            (est / billed - 1.0) * 100.0
        );
        // The unknown model and the ultrafast tier have no price in the table.
        assert!(unpriced >= 1, "{day}");
    }
    // Where the table prices a line exactly (no assumption, no price the bill contradicts),
    // it is as accurate as it claims: the line's estimate is its bill.
    let prices = book.current();
    let checked = prices.checked_models();
    let exact_before: Vec<&Line> = before
        .iter()
        .filter(|l| l.endpoint == Some(Endpoint::Completions))
        .filter(|l| !checked.contains(&l.model.as_str()))
        .filter(|l| l.estimate_usd.is_some() && l.billed_usd.is_some_and(|b| b > 0.01))
        .collect();
    assert!(exact_before.len() >= 5, "{exact_before:#?}");
    for line in &exact_before {
        let (e, b) = (line.estimate_usd.unwrap(), line.billed_usd.unwrap());
        assert!(
            (e / b - 1.0).abs() < 0.02,
            "{} on {}: table {e} vs bill {b}",
            line.model,
            line.start_time
        );
    }

    // After: the bill has priced each kind. The check prices each settled day as it was
    // billed (the day's own unit prices over what was learned): within 2 % of its bill.
    let checks = &l.check.as_ref().expect("a check").days;
    println!("after, the check (--prices bill):");
    for c in checks {
        let gap = c.estimate_usd / c.billed_usd - 1.0;
        println!(
            "  {}: estimate ${:.2}, bill ${:.2}, gap {:+.2} %",
            c.start_time,
            c.estimate_usd,
            c.billed_usd,
            gap * 100.0
        );
        assert!(gap.abs() <= 0.02, "{c:?}");
    }
    assert_eq!(
        checks.iter().map(|c| c.start_time).collect::<Vec<_>>(),
        l.days,
        "every settled day checked"
    );
    // At the newest day's prices, the days before differ by their own mix (image qualities):
    // every line is priced, and the gap is that mix's.
    let after = lines(&l, &prices.table);
    println!("after, every day at the newest settled day's prices:");
    for (day, est, unpriced, billed) in per_day(&after, &l.days) {
        let gap = est / billed - 1.0;
        println!(
            "  {day}: estimate ${est:.2}, bill ${billed:.2}, gap {:+.2} %",
            gap * 100.0
        );
        assert_eq!(unpriced, 0, "every line priced on {day}");
        assert!(gap.abs() <= 0.05, "{day}: estimate {est} vs bill {billed}");
    }
    let newest = *l.days.last().unwrap();
    let (_, est, _, billed) = per_day(&after, &[newest])[0];
    assert!(
        (est / billed - 1.0).abs() <= 0.02,
        "the newest day: {est} vs {billed}"
    );
    // The only price the bill contradicts is the one the simulator bills with an uplift.
    assert_eq!(checked, ["gpt-4.1-2025-04-14"], "{:#?}", prices.checks);
    for c in &prices.checks {
        assert!((c.differs_pct - 10.0).abs() < 0.5, "{c:?}");
        assert!(l.days.contains(&c.day), "{c:?}");
    }
    let _ = l.now;
}

#[tokio::test]
async fn prices_table_keeps_the_list_price_where_the_bill_differs_and_still_learns_the_rest() {
    let sim = sim().await;
    let bill_book = PriceBook::new(
        std::sync::Arc::new(PriceTable::builtin().clone()),
        PriceMode::Bill,
    );
    let table_book = PriceBook::new(
        std::sync::Arc::new(PriceTable::builtin().clone()),
        PriceMode::Table,
    );
    let l = learn(&sim, &bill_book).await;
    let _ = learn(&sim, &table_book).await;
    let (by_bill, by_table) = (bill_book.current(), table_book.current());
    assert_eq!(by_bill.checks, by_table.checks, "listed either way");
    let (a, b) = (lines(&l, &by_bill.table), lines(&l, &by_table.table));
    assert_eq!(a.len(), b.len());
    let mut uplifted = 0;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((x.start_time, &x.model), (y.start_time, &y.model));
        if x.endpoint.is_none() || x.quantity == 0 {
            continue; // billed, with no usage read (or of no endpoint): nothing estimated
        }
        let (Some(ex), Some(ey)) = (x.estimate_usd, y.estimate_usd) else {
            panic!("unpriced: {x:?} / {y:?}");
        };
        uplifted += usize::from(x.model == "gpt-4.1-2025-04-14");
        if x.model == "gpt-4.1-2025-04-14" {
            // The uplift: the bill's price is 1.1 × the list price.
            assert!(ex > 0.0 && (ex / ey - 1.1).abs() < 0.005, "{ex} vs {ey}");
        } else {
            assert!((ex - ey).abs() < 1e-9, "{}: {ex} vs {ey}", x.model);
        }
    }
    assert!(uplifted >= 6, "gpt-4.1 is used every day: {uplifted}");
}

#[tokio::test]
async fn learned_prices_survive_a_restart_in_the_store() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite");
    let now = sim.control().now();
    let store = Store::open(&path, StoreOptions::default(), now).unwrap();
    let shared = usage_tracker::store::SharedStore::new(store);
    let book = PriceBook::builtin();
    let mut cfg = config(BucketWidth::Hour, 3600, &KEYS);
    cfg.prices = book.clone();
    let mut bill = BillTracker::new(client(&sim), &cfg).with_history(shared);
    bill.refresh(now * 1000).await;
    let learned = book.current().learned.clone();
    assert!(!learned.is_empty());
    drop(bill);

    // A new process: the store alone gives the same prices, before any request.
    let store = Store::open(&path, StoreOptions::default(), now).unwrap();
    let stored = store
        .load_prices(&KeySet::of(&[DEMO_KEY_ID.to_owned()]))
        .unwrap();
    assert_eq!(stored, learned);
    let again = PriceBook::builtin();
    assert!(again.learn(stored));
    assert_eq!(again.current().table, book.current().table);
    assert_eq!(again.current().checks, book.current().checks);
}
