//! Quirks of real costs answers, sent by the simulator over real HTTP: a coarse line item with
//! a null quantity and unit ("Vector storage", billed per project, so in the whole
//! organization's bill and never in a key's), and a day without spend (an empty bucket).

mod common;

use common::bill::{D, assert_same_bill, tracker};
use common::sim;
use usage_tracker::bill::{LineKind, utc_day_start};
use usage_tracker_simulator::DEMO_KEY_ID;

#[tokio::test]
async fn storage_without_quantity_is_other_and_in_the_day_total_and_an_empty_day_is_kept() {
    let sim = sim().await;
    let ctl = sim.control();
    let now = utc_day_start(ctl.now()) + 12 * 3600;
    ctl.set_now(now);
    let (yesterday, empty) = (utc_day_start(now) - D, utc_day_start(now) - 2 * D);
    ctl.set_costs(|s| s.empty_days = vec![empty]);
    // The whole organization: storage is a project's, billed with no key.
    let mut org = tracker(&sim, &[]);
    let snap = org.refresh(now * 1000).await;
    assert!(snap.failure.is_none(), "{:?}", snap.failure);
    assert_same_bill(&ctl, &snap, utc_day_start(now) - 7 * D, &[]);
    let bill = snap.bill.as_ref().unwrap();
    let day = bill.day(yesterday).expect("yesterday");
    let storage: Vec<_> = day
        .items
        .iter()
        .filter(|i| i.name == "Vector storage")
        .collect();
    assert_eq!(storage.len(), 1, "one storage line a day");
    let s = storage[0];
    assert_eq!(s.kind, LineKind::Other);
    assert_eq!((s.quantity, s.quantity_unit.as_deref()), (None, None));
    let billed = ctl.billed(yesterday, yesterday + D, &[]);
    let want = billed[0]
        .items
        .iter()
        .find(|i| i.0 == "Vector storage")
        .map(|i| i.1)
        .expect("the simulator billed storage");
    assert!(want > 0.0 && (s.amount.value - want).abs() < 1e-9);
    let rest: f64 = day
        .items
        .iter()
        .filter(|i| i.name != "Vector storage")
        .map(|i| i.amount.value)
        .sum();
    assert!(
        (day.usd() - rest - want).abs() < 1e-9,
        "the storage line is in the day total"
    );
    // The day without spend is there, with no items.
    let e = bill.day(empty).expect("the empty day is present");
    assert!(e.items.is_empty() && e.usd() == 0.0, "{e:?}");
    // A key's bill never carries the project's storage.
    let mut key = tracker(&sim, &[DEMO_KEY_ID]);
    let k = key.refresh(now * 1000).await;
    let kb = k.bill.unwrap();
    assert!(
        kb.days
            .iter()
            .flat_map(|d| &d.items)
            .all(|i| i.name != "Vector storage")
    );
    assert!(kb.day(empty).unwrap().items.is_empty());
}
