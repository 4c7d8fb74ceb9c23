//! The bill in `watch` (the full screen's billed and check lines, the text lines) and in the
//! JSON of `watch --format json` and `once --format json`, from hand-made bills.

use super::super::lines::{json_line, text_line};
use super::super::state::WatchState;
use super::{find, screen, snapshot, state_with};
use crate::bill::test_data::{self as data, NOW, NOW_MS};
use crate::bill::{BillSnapshot, LineKind};
use crate::engine::events::Event;
use crate::ui::json::OnceReport;
use serde_json::Value;
use std::sync::Arc;

fn billed(s: &mut WatchState, b: BillSnapshot) {
    s.apply(Event::Billed(Arc::new(b)), NOW_MS);
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

#[test]
fn the_full_screen_shows_the_billed_line_and_the_check_then_keeps_them_current() {
    let mut s = state_with(snapshot(2, Vec::new()));
    let before = screen(&s, 160, 40, NOW_MS);
    assert!(
        !before.iter().any(|l| l.contains("Billed")),
        "no bill, no line"
    );
    billed(&mut s, data::sample());
    let lines = screen(&s, 160, 40, NOW_MS);
    find(
        &lines,
        "Billed (UTC): today $0.40 · yesterday $3.69 · month to date $4.09",
    );
    find(&lines, "Estimate within 2 % of the bill yesterday");

    let mut next = data::with_check(data::DEC_1, 2.58, 3.69);
    next.bill.as_mut().unwrap().days[2].items[0].amount.value = 0.75;
    next.failure = Some(data::offline());
    billed(&mut s, next);
    let lines = screen(&s, 160, 40, NOW_MS);
    let line = find(&lines, "Billed (UTC): today $0.75");
    assert!(
        line.contains("month to date $4.44 · STALE (bill as of ")
            && line.contains("cannot reach the API"),
        "{line}"
    );
    find(&lines, "Estimate 30 % below the bill yesterday");
}

#[test]
fn text_lines_carry_the_bill_once_one_came() {
    let snap = snapshot(2, Vec::new());
    let plain = text_line(Some(&snap), None, None, NOW_MS);
    assert!(!plain.contains("Billed"), "{plain}");
    let b = data::sample();
    let t = text_line(Some(&snap), None, Some(&b), NOW_MS);
    assert!(
        t.starts_with(&plain[..plain.find("$2.66").unwrap()])
            && t.contains("month so far ≥ $4.09")
            && t.ends_with(
                "  Billed (UTC): today $0.40 · yesterday $3.69 · month to date $4.09 · Estimate within 2 % of the bill yesterday"
            ),
        "{t}"
    );
}

#[test]
fn json_has_the_billed_and_reconciliation_objects_null_until_a_bill() {
    let snap = snapshot(2, Vec::new());
    let v: Value = serde_json::from_str(&json_line(Some(&snap), None, None, NOW_MS)).unwrap();
    assert_eq!(v["billed"], Value::Null);
    assert_eq!(v["reconciliation"], Value::Null);
    assert!(
        v.get("models").is_some() && v.get("buckets").is_some(),
        "additive: {v}"
    );

    let b = data::sample();
    let v: Value = serde_json::from_str(&json_line(Some(&snap), None, Some(&b), NOW_MS)).unwrap();
    let billed = &v["billed"];
    assert_eq!(billed["currency"], "usd");
    assert_eq!(billed["currencies"], serde_json::json!(["usd"]));
    assert_eq!(billed["fetched_at"], NOW);
    assert_eq!(billed["stale"], false);
    assert_eq!(billed["error"], Value::Null);
    assert_eq!(billed["today"]["date"], "2026-12-02");
    assert_eq!(billed["today"]["start"], data::TODAY);
    close(&billed["today"]["amount"]["usd"], 0.40);
    close(&billed["yesterday"]["amount"]["usd"], 3.69);
    let items = billed["yesterday"]["line_items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["name"], "gpt-4o-2024-08-06, output");
    assert_eq!(items[0]["model"], "gpt-4o-2024-08-06");
    assert_eq!(items[0]["kind"], "output");
    assert_eq!(items[3]["model"], Value::Null);
    close(&billed["month_to_date"]["amount"]["usd"], 4.09);
    assert_eq!(billed["month_to_date"]["date"], "2026-12-01");
    assert_eq!(billed["days"].as_array().unwrap().len(), 3);
    let r = &v["reconciliation"];
    close(&r["notify_gap"], 0.10);
    let last = &r["days"][1];
    assert_eq!(last["date"], "2026-12-01");
    assert_eq!(last["yesterday"], true);
    close(&last["estimate_usd"], 3.62);
    close(&last["billed_usd"], 3.69);
    // Ratios are written to 0.001 (README "JSON output").
    close(&last["ratio"], 0.981);
    assert_eq!(r["days"][0]["yesterday"], false);
    assert!(r.get("error").is_none(), "additive, only when set: {r}");
}

#[test]
fn json_reconciliation_names_a_failed_read_of_the_days_usage() {
    let snap = snapshot(2, Vec::new());
    let mut b = data::sample();
    b.estimate_failure = Some(data::offline());
    let v: Value = serde_json::from_str(&json_line(Some(&snap), None, Some(&b), NOW_MS)).unwrap();
    let r = &v["reconciliation"];
    assert_eq!(r["error"]["kind"], "offline", "{r}");
    assert_eq!(
        r["days"].as_array().unwrap().len(),
        2,
        "the last good check"
    );
    b.reconciliation = None;
    let v: Value = serde_json::from_str(&json_line(Some(&snap), None, Some(&b), NOW_MS)).unwrap();
    assert_eq!(v["reconciliation"]["error"]["kind"], "offline");
    assert_eq!(v["reconciliation"]["days"], serde_json::json!([]));
}

#[test]
fn json_marks_a_failed_bill_stale_and_keeps_other_currencies_apart() {
    let snap = snapshot(1, Vec::new());
    let mut b = data::sample();
    b.failure = Some(data::offline());
    b.bill.as_mut().unwrap().days[2].items.push(data::item(
        "gpt-4o-2024-08-06, output",
        Some("gpt-4o-2024-08-06"),
        LineKind::Output,
        2.5,
        "eur",
    ));
    let v: Value = serde_json::from_str(&json_line(Some(&snap), None, Some(&b), NOW_MS)).unwrap();
    let billed = &v["billed"];
    assert_eq!(billed["stale"], true);
    assert_eq!(billed["error"]["kind"], "offline");
    assert_eq!(billed["currencies"], serde_json::json!(["usd", "eur"]));
    close(&billed["today"]["amount"]["usd"], 0.40);
    close(&billed["today"]["amount"]["eur"], 2.5);
    close(&billed["month_to_date"]["amount"]["usd"], 4.09);
    // Never fetched, failing: the error, no figures, not "stale" (nothing to be stale).
    let never = BillSnapshot {
        failure: Some(data::offline()),
        ..Default::default()
    };
    let v: Value =
        serde_json::from_str(&json_line(Some(&snap), None, Some(&never), NOW_MS)).unwrap();
    assert_eq!(v["billed"]["error"]["kind"], "offline");
    assert_eq!(v["billed"]["fetched_at"], Value::Null);
    assert_eq!(v["billed"]["month_to_date"], Value::Null);
    assert_eq!(v["billed"]["stale"], false);
    assert_eq!(v["reconciliation"], Value::Null);
}

#[test]
fn once_json_adds_billed_and_reconciliation_beside_the_report() {
    let snap = snapshot(2, Vec::new());
    let plain = serde_json::to_value(crate::ui::json::Report::new(&snap)).unwrap();
    let v = serde_json::to_value(OnceReport::new(&snap, None, NOW)).unwrap();
    for (k, val) in plain.as_object().unwrap() {
        assert_eq!(&v[k], val, "{k} unchanged");
    }
    assert_eq!(v["billed"], Value::Null);
    assert_eq!(v["reconciliation"], Value::Null);
    let b = data::sample();
    let v = serde_json::to_value(OnceReport::new(&snap, Some(&b), NOW)).unwrap();
    close(&v["billed"]["yesterday"]["amount"]["usd"], 3.69);
    assert_eq!(v["reconciliation"]["days"].as_array().unwrap().len(), 2);
}

/// `watch` lines without `--detail`: the same object less what grows with the window and the
/// bill (buckets, line items, days, other usage per model, price checks, older checked days);
/// every other field as in the detailed line.
#[test]
fn lean_lines_leave_out_only_the_detail() {
    use super::super::lines::{Seen, json_line_of};
    let snap = snapshot(2, Vec::new());
    let b = data::sample();
    let names = [crate::ui::view::KeyChoice {
        id: snap.api_key_ids[0].clone(),
        name: Some("Production backend".into()),
        project: "Demo".into(),
        ..Default::default()
    }];
    let seen = Seen {
        last: Some(&snap),
        bill: Some(&b),
        names: &names,
        ..Default::default()
    };
    let full: Value = serde_json::from_str(&json_line_of(seen, true, NOW_MS)).unwrap();
    let lean: Value = serde_json::from_str(&json_line_of(seen, false, NOW_MS)).unwrap();
    assert!(full["billed"]["today"]["line_items"].is_array());
    assert!(full["billed"]["days"].is_array());
    assert!(full["buckets"].is_array() && full["price_checks"].is_array());
    assert_eq!(full["reconciliation"]["days"].as_array().unwrap().len(), 2);
    for gone in ["buckets", "price_checks"] {
        assert!(lean.get(gone).is_none(), "{gone} in {lean}");
    }
    assert!(lean["billed"].get("days").is_none());
    assert!(lean["billed"]["today"].get("line_items").is_none());
    assert!(lean["billed"]["yesterday"].get("line_items").is_none());
    assert_eq!(
        lean["billed"]["today"]["amount"],
        full["billed"]["today"]["amount"]
    );
    assert_eq!(
        lean["billed"]["month_to_date"],
        full["billed"]["month_to_date"]
    );
    let checked = lean["reconciliation"]["days"].as_array().unwrap();
    assert_eq!(checked.len(), 1);
    assert_eq!(checked[0], full["reconciliation"]["days"][1]);
    for (k, val) in full.as_object().unwrap() {
        if ![
            "buckets",
            "price_checks",
            "billed",
            "reconciliation",
            "other_usage",
            "headline",
        ]
        .contains(&k.as_str())
        {
            assert_eq!(&lean[k], val, "{k} as in the detailed line");
        }
    }
    // The headline less its three-line form (`text` says the same in one).
    assert!(full["headline"]["lines"].is_array());
    let mut headline = full["headline"].clone();
    headline.as_object_mut().unwrap().remove("lines");
    assert_eq!(lean["headline"], headline);
    assert_eq!(
        lean["api_keys"],
        serde_json::json!([{"id": snap.api_key_ids[0], "name": "Production backend"}])
    );
    assert!(
        lean.to_string().len() * 2 < full.to_string().len(),
        "{} vs {}",
        lean.to_string().len(),
        full.to_string().len()
    );
}
