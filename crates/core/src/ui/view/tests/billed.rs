//! The menu's Billed section, the check line, the monthly budget line and the month-to-date
//! title, from hand-made bills.

use super::super::*;
use super::{infos, state, submenu, two_models};
use crate::bill::test_data::{self as data, DEC_1, NOW, NOW_MS, TODAY};
use crate::bill::{BilledDay, LineKind};
use crate::figures::glance::Glance;

/// The rows of the section as they read in order: the status, today, yesterday and the month
/// to date (the first three inside the status row's submenu, in the order the section had
/// before they moved there), then the rows after it up to the next separator.
fn section(v: &TrayView) -> Vec<Node> {
    let start = v
        .menu
        .iter()
        .position(|n| {
            matches!(n, Node::Submenu { text: t, .. } if t.contains("Bill not fetched") || t.contains("Bill as of") || t.starts_with("Billed"))
        })
        .unwrap_or_else(|| panic!("no Billed section in {:#?}", v.menu));
    let len = v.menu[start..]
        .iter()
        .position(|n| *n == Node::Separator)
        .unwrap_or(v.menu.len() - start);
    let Node::Submenu { text, children } = &v.menu[start] else {
        unreachable!()
    };
    let mut rows = vec![Node::Info(text.clone())];
    rows.extend(children[1..3].iter().cloned());
    rows.push(children[0].clone());
    rows.extend(v.menu[start + 1..start + len].iter().cloned());
    rows
}

fn labels(rows: &[Node]) -> Vec<&str> {
    rows.iter()
        .map(|n| match n {
            Node::Info(t) | Node::Submenu { text: t, .. } => t.as_str(),
            _ => "",
        })
        .collect()
}

fn with_bill(b: crate::bill::BillSnapshot) -> TrayState {
    let mut s = state();
    s.snapshot = Some(live());
    s.bill = Some(Arc::new(b));
    s
}

/// The live estimate, fetched at the bill's [`NOW_MS`].
fn live() -> Arc<crate::snapshot::Snapshot> {
    let mut snap = (*two_models()).clone();
    snap.fetched_at_ms = NOW_MS;
    Arc::new(snap)
}

#[test]
fn the_section_shows_today_yesterday_and_the_month_with_line_items_by_model() {
    let s = with_bill(data::sample());
    let v = tray_view(&s, NOW_MS);
    let rows = &section(&v)[..];
    let l = labels(rows);
    assert_eq!(
        l[0],
        format!("Billed (UTC days) · as of {}", format::local_hm(NOW))
    );
    assert_eq!(l[1], "Today  $0.40");
    assert_eq!(l[2], "Yesterday  $3.69");
    assert_eq!(
        l[3], "Month to date  $4.09",
        "November's $9.00 is not in it"
    );
    assert_eq!(l[4], "Estimate within 2 % of the bill yesterday");
    assert_eq!(rows.len(), 5, "no budget row without a monthly budget");
    let yesterday = infos(submenu(rows, "Yesterday  $3.69"));
    assert_eq!(
        yesterday,
        [
            "1 Dec (UTC)",
            "gpt-4o-2024-08-06: input $1.20, cached $0.14, output $2.10",
            "Other: web search $0.25",
        ]
    );
    let month = infos(submenu(rows, "Month to date  $4.09"));
    assert_eq!(month[0], "1 Dec – 2 Dec (UTC)");
    assert_eq!(
        month[1],
        "gpt-4o-2024-08-06: input $1.60, cached $0.14, output $2.10"
    );
}

#[test]
fn before_the_first_fetch_the_section_says_so_with_the_same_shape() {
    let mut s = state();
    s.snapshot = Some(live());
    let before = tray_view(&s, NOW_MS);
    let rows = &section(&before)[..];
    let l = labels(rows);
    assert_eq!(l[0], "Bill not fetched yet");
    assert_eq!(l[1..4], ["Today  —", "Yesterday  —", "Month to date  —"]);
    assert_eq!(l[4], "Estimate check: no complete day with a bill yet");
    assert_eq!(infos(submenu(rows, "Today  —"))[1], "Not fetched");
    // No key: no section at all.
    s.has_key = false;
    let v = tray_view(&s, NOW_MS);
    assert!(!labels(&v.menu).iter().any(|t| t.contains("Bill")));
}

#[test]
fn other_currencies_are_shown_apart_never_added_to_usd() {
    let mut b = data::sample();
    let bill = b.bill.as_mut().unwrap();
    bill.days[2].items.push(data::item(
        "gpt-4o-2024-08-06, output",
        Some("gpt-4o-2024-08-06"),
        LineKind::Output,
        2.5,
        "eur",
    ));
    let mut s = with_bill(b);
    s.monthly_budget = Some(100.0);
    let v = tray_view(&s, NOW_MS);
    let rows = &section(&v)[..];
    let l = labels(rows);
    assert_eq!(l[1], "Today  $0.40, 2.50 EUR");
    assert_eq!(l[3], "Month to date  $4.09, 2.50 EUR");
    assert_eq!(
        infos(submenu(rows, "Today  $0.40, 2.50 EUR"))[1],
        "gpt-4o-2024-08-06: input $0.40, output 2.50 EUR"
    );
    assert_eq!(
        l[5],
        "Month so far: ≥ $4.09 of $100.00 budget (billed $4.09 + not yet billed $0.00) · 2.50 EUR not counted"
    );
    // The notification says it as the row does.
    let spend =
        crate::alerts::MonthSpend::of(s.bill.as_ref().unwrap().bill.as_ref().unwrap(), NOW, None);
    let a = crate::alerts::BudgetAlert {
        spent: 4.09,
        budget: 4.0,
    };
    let n = monthly_budget_notice(&a, &spend, "the project");
    assert!(
        n.body
            .ends_with("; 2.50 EUR billed in other currencies not counted"),
        "{n:?}"
    );
}

#[test]
fn a_failed_costs_request_keeps_the_figures_marked_stale_with_what_failed() {
    let mut b = data::sample();
    b.failure = Some(data::offline());
    let v = tray_view(&with_bill(b), NOW_MS);
    let rows = section(&v);
    let l = labels(&rows);
    assert_eq!(
        l[0],
        format!(
            "⚠ Bill as of {} · cannot reach the API",
            format::local_hm(NOW)
        )
    );
    assert_eq!(l[2], "Yesterday  $3.69", "the last good figures stay");
    let never = crate::bill::BillSnapshot {
        failure: Some(data::offline()),
        ..Default::default()
    };
    let v = tray_view(&with_bill(never), NOW_MS);
    assert_eq!(
        labels(&section(&v))[0],
        "⚠ Bill not fetched: cannot reach the API"
    );
}

#[test]
fn rows_are_current_after_a_second_bill_and_keep_their_shape() {
    let mut s = with_bill(data::sample());
    let first = tray_view(&s, NOW_MS);
    let mut b = data::with_check(DEC_1, 2.58, 3.69);
    let bill = b.bill.as_mut().unwrap();
    bill.days[2].items[0].amount.value = 0.75;
    bill.days[1].items[1].amount.value = 1.31;
    bill.fetched_at_ms = NOW_MS + 600_000;
    s.bill = Some(Arc::new(b));
    let second = tray_view(&s, NOW_MS + 600_000);
    assert!(
        same_shape(&first.menu, &second.menu),
        "updated in place, not rebuilt"
    );
    let rows = &section(&second)[..];
    let l = labels(rows);
    assert_eq!(
        l[0],
        format!("Billed (UTC days) · as of {}", format::local_hm(NOW + 600))
    );
    assert_eq!(l[1], "Today  $0.75");
    assert_eq!(l[2], "Yesterday  $3.80");
    assert_eq!(l[3], "Month to date  $4.55");
    assert_eq!(l[4], "Estimate 30 % below the bill yesterday");
    assert_eq!(
        infos(submenu(rows, "Yesterday  $3.80"))[1],
        "gpt-4o-2024-08-06: input $1.31, cached $0.14, output $2.10"
    );
}

#[test]
fn the_check_line_names_the_gap_its_side_and_the_day() {
    let now = NOW;
    let c = |e: f64, b: f64, day: i64| check_line(Some(&data::with_check(day, e, b)), now);
    assert_eq!(
        c(0.98, 1.0, DEC_1),
        "Estimate within 2 % of the bill yesterday"
    );
    assert_eq!(
        c(1.0, 1.0, DEC_1),
        "Estimate within 1 % of the bill yesterday"
    );
    assert_eq!(
        c(0.7, 1.0, DEC_1 - 86_400),
        "Estimate 30 % below the bill on 30 Nov"
    );
    assert_eq!(
        c(1.25, 1.0, DEC_1),
        "Estimate 25 % above the bill yesterday"
    );
    assert_eq!(
        c(1.2, 0.0, DEC_1),
        "Estimate $1.20, nothing billed yesterday"
    );
    // A few cents apart: the ratio is shown, marked as too small to tell.
    assert_eq!(
        c(0.001, 0.002, DEC_1),
        "Estimate 50 % below the bill yesterday, under $0.05 apart"
    );
    // Exactly 10 % off is within (11 / 10 − 1 is a hair over 0.1 in floats).
    assert_eq!(
        c(11.0, 10.0, DEC_1),
        "Estimate within 10 % of the bill yesterday"
    );
    assert_eq!(
        c(9.0, 10.0, DEC_1),
        "Estimate within 10 % of the bill yesterday"
    );
}

#[test]
fn the_monthly_budget_row_counts_the_bill_and_todays_unbilled_estimate() {
    let mut s = with_bill(data::sample());
    s.monthly_budget = Some(5.0);
    s.glance = Some(std::sync::Arc::new(Glance::only_today(NOW, 1.15)));
    let v = tray_view(&s, NOW_MS);
    assert_eq!(
        labels(&section(&v))[5],
        "Month so far: $4.84 of $5.00 budget (billed $4.09 + not yet billed $0.75)"
    );
    // Yesterday's estimate is not today's: today's is missing, the month a lower bound.
    s.glance = Some(std::sync::Arc::new(Glance::only_today(NOW - 86_400, 9.0)));
    let v = tray_view(&s, NOW_MS);
    assert_eq!(
        labels(&section(&v))[5],
        "Month so far: ≥ $4.09 of $5.00 budget (billed $4.09 + not yet billed $0.00)"
    );
    s.bill = None;
    let v = tray_view(&s, NOW_MS);
    assert_eq!(
        labels(&section(&v))[5],
        "Month budget $5.00: bill not fetched yet"
    );
}

#[test]
fn month_to_date_in_the_title_shows_the_bill_not_the_estimate() {
    let mut s = with_bill(data::sample());
    assert_eq!(title(&s, NOW_MS), "1.2M · $3.45");
    s.choices.title = TitleFormat::MonthToDate;
    assert_eq!(title(&s, NOW_MS), "MTD $4.09");
    let mut stale = data::sample();
    stale.failure = Some(data::offline());
    s.bill = Some(Arc::new(stale));
    assert_eq!(title(&s, NOW_MS), "⚠ MTD $4.09");
    s.bill = None;
    assert_eq!(title(&s, NOW_MS), "MTD …");
    let v = tray_view(&s, NOW_MS);
    assert_eq!(
        super::checked(submenu(&v.menu, "Show in menu bar")),
        ["Month to date (the bill)"],
        "one choice checked"
    );
}

#[test]
fn a_day_fetched_without_spend_says_nothing_was_billed() {
    let mut b = data::sample();
    b.bill.as_mut().unwrap().days[2] = BilledDay {
        start_time: TODAY,
        items: vec![],
    };
    let v = tray_view(&with_bill(b), NOW_MS);
    let rows = &section(&v)[..];
    assert_eq!(infos(submenu(rows, "Today  $0.00"))[1], "Nothing billed");
}

#[test]
fn the_check_notice_names_the_gap_the_causes_and_the_pricing_hint() {
    let c = data::check(DEC_1, 7.0, 10.0);
    let n = check_notice(&c, &[], "Primary (key_a)", 2);
    assert_eq!(n.summary, "Estimate 30 % below the bill on 1 Dec");
    for needle in [
        "Primary (key_a): estimated $7.00, billed $10.00 (2026-12-01 UTC)",
        "models without a price",
        "prices out of date",
        "cannot be tied to a key",
        "2 rows of the live estimate have no price now",
        "--pricing",
    ] {
        assert!(n.body.contains(needle), "{needle:?} not in {n:?}");
    }
}

#[test]
fn a_failed_read_of_the_days_usage_says_so_keeping_the_last_good_check_marked() {
    let mut snap = data::with_check(DEC_1, 0.98, 1.0);
    snap.estimate_failure = Some(data::offline());
    assert_eq!(
        check_line(Some(&snap), NOW),
        "⚠ Estimate check: usage of the checked days not read (cannot reach the API) · last good check: Estimate within 2 % of the bill yesterday"
    );
    snap.reconciliation = None;
    let s = with_bill(snap);
    let v = tray_view(&s, NOW_MS);
    assert!(
        labels(&section(&v)).contains(
            &"⚠ Estimate check: usage of the checked days not read (cannot reach the API)"
        ),
        "{:#?}",
        section(&v)
    );
}
