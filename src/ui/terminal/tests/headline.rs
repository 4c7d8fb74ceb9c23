//! The headline on `watch`'s first screen: the window's whole estimate with its completions part
//! named, today, the month so far and the pace, in view on a small terminal (80×24, 60×20)
//! whatever the table, and the same words as `once` and the JSON.

use super::super::lines::json_line_with;
use super::super::state::WatchState;
use super::{screen, snapshot, state_with};
use crate::bill::MonthSpend;
use crate::bill::test_data::{self as data, NOW, NOW_MS};
use crate::engine::events::Event;
use crate::figures::glance::Glance;
use crate::ui::headline::Headline;
use std::sync::Arc;

/// The demo's shape: other usage (images, search, speech) is 90 % of the estimate.
fn demo_like() -> WatchState {
    let mut snap = snapshot(6, Vec::new());
    snap.other.cost_usd = 9.0 * snap.summary.totals.cost_usd;
    let mut s = state_with(snap);
    let bill = data::sample();
    let month = MonthSpend::by_day(bill.bill.as_ref(), NOW, |_| Some(2.5));
    s.apply(
        Event::Glance(Arc::new(Glance {
            now: NOW,
            hours_from: NOW - 23 * 3_600,
            hourly: vec![],
            days_from: NOW - 29 * 86_400,
            daily: vec![],
            today_usd: Some(2.5),
            pace_today: Some(10.0),
            pace_month: Some(77.5),
            month,
        })),
        NOW_MS,
    );
    s.apply(Event::Billed(Arc::new(bill)), NOW_MS);
    s
}

#[test]
fn the_headline_is_in_view_at_80x24_and_60x20() {
    let s = demo_like();
    let snap = s.snapshot.clone().unwrap();
    let bill = s.bill.as_deref().and_then(|b| b.bill.as_ref());
    let h = Headline::new(&snap, bill, s.glance.as_deref(), NOW);
    // $3.90 of completions (six models) and nine times that of other usage.
    assert_eq!(h.window_amount(), "$39.00");
    for (w, hgt) in [(80, 24), (60, 20)] {
        let lines = screen(&s, w, hgt, NOW_MS);
        let text = lines.join("\n");
        // The top of the screen, the way a person reads it: the words run over wrapped lines.
        let top = lines[1..7].join(" ");
        for needle in [
            "Estimate $39.00, last 6 h:",
            "completions $3.90 (3.9M tokens)",
            "+ other usage $35.10",
            "Today (UTC) $2.50",
            "month so far $6.19 (billed $4.09 + not yet billed $2.10)",
            "On pace for $10.00 today · $77.50 this month",
        ] {
            assert!(
                top.contains(needle),
                "{needle:?} not at the top of {w}×{hgt}:\n{text}"
            );
        }
        // The table's last row says it is completions, not a total, and is on screen.
        assert!(lines.iter().any(|l| l.contains("│Completions")), "{text}");
        assert!(!text.contains("TOTAL"), "{text}");
        println!("watch at {w}×{hgt}:\n{text}\n");
    }
}

#[test]
fn the_json_line_carries_the_headline_the_screen_shows() {
    let s = demo_like();
    let line = json_line_with(
        s.snapshot.as_deref(),
        None,
        s.bill.as_deref(),
        s.glance.as_deref(),
        NOW_MS,
    );
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let h = &v["headline"];
    assert!(
        (h["window_usd"].as_f64().unwrap() - 39.0).abs() < 1e-9,
        "{h}"
    );
    assert_eq!(h["month_billed_usd"], 4.09);
    assert_eq!(h["pace_month_usd"], 77.5);
    let screen = screen(&s, 200, 50, NOW_MS).join("\n");
    for l in h["lines"].as_array().unwrap() {
        assert!(
            screen.contains(l.as_str().unwrap()),
            "{l} not on:\n{screen}"
        );
    }
}
