//! Helpers of the bill tests: a bill tracker over the simulator, the costs requests it
//! counted, and the comparison of a bill with what the simulator billed.

use super::{client, config};
use usage_tracker::bill::{BillSnapshot, SECS_PER_DAY};
use usage_tracker::engine::bill::BillTracker;
use usage_tracker::usage::BucketWidth;
use usage_tracker_simulator::{SimControl, SimServer};

pub const BATCH_KEY: &str = "key_demoBatch02";
pub const D: i64 = SECS_PER_DAY;

pub fn tracker(sim: &SimServer, keys: &[&str]) -> BillTracker {
    BillTracker::new(client(sim), &config(BucketWidth::Hour, 3600, keys))
}

pub fn costs_requests(ctl: &SimControl) -> u64 {
    ctl.stats().endpoints.get("costs").map_or(0, |e| e.requests)
}

/// Every day the simulator bills `keys` in `[from, now)` equals the client's, in total and per
/// line item, to 1e-9 USD.
pub fn assert_same_bill(ctl: &SimControl, snap: &BillSnapshot, from: i64, keys: &[&str]) {
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
