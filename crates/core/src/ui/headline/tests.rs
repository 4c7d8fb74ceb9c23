use super::*;
use crate::bill::{BilledDay, LineItem, LineKind, Money, SECS_PER_DAY};
use crate::snapshot::FetchStats;
use crate::usage::{BucketWidth, OtherUsage, Summary, Totals};

/// 2026-12-03T12:00:00Z; the month began 2026-12-01.
const DEC_1: i64 = 1_796_083_200;
const NOW: i64 = DEC_1 + 2 * SECS_PER_DAY + 12 * 3_600;

fn snap(completions: f64, other: f64, unpriced: usize) -> Snapshot {
    Snapshot {
        window: Window::ending_at(NOW, 6 * 3_600, BucketWidth::Hour),
        api_key_ids: vec![],
        project_ids: vec![],
        owners: vec![],
        tier: Default::default(),
        fetched_at_ms: NOW * 1000,
        summary: Summary {
            models: vec![],
            totals: Totals {
                cost_usd: completions,
                total_tokens: 5_300_000,
                unpriced_models: unpriced,
                ..Totals::default()
            },
        },
        other: OtherUsage {
            kinds: vec![],
            requests: 0,
            cost_usd: other,
            unpriced_rows: 0,
            assumptions: vec![],
        },
        buckets: vec![],
        alerts: vec![],
        new_alerts: vec![],
        fetch: FetchStats::default(),
        prices_compiled: String::new(),
        price_checks: Vec::new(),
        price_mode: crate::pricing::PriceMode::Bill,
    }
}

fn day(start: i64, usd: f64) -> BilledDay {
    BilledDay {
        start_time: start,
        items: vec![LineItem {
            name: "gpt-4o, input".into(),
            model: Some("gpt-4o".into()),
            kind: LineKind::Input,
            batch: false,
            amount: Money {
                value: usd,
                currency: "usd".into(),
            },
            quantity: None,
            quantity_unit: None,
            project_id: None,
            api_key_id: None,
        }],
    }
}

/// Dec 1 and 2 billed ($1,000 and $3,209), today $0 billed so far.
fn bill() -> Bill {
    Bill {
        days: vec![day(DEC_1, 1_000.0), day(DEC_1 + SECS_PER_DAY, 3_209.0)],
        fetched_at_ms: NOW * 1000,
    }
}

/// A glance at `now` whose month is counted against `bill` with today's estimate $101.55.
fn glance(now: i64, bill: Option<&Bill>) -> Glance {
    let today = utc_day_start(now);
    let month = MonthSpend::by_day(bill, now, |d| (d == today).then_some(101.55));
    Glance {
        now,
        hours_from: now - 23 * 3_600,
        hourly: vec![],
        days_from: today - 29 * SECS_PER_DAY,
        daily: vec![],
        today_usd: Some(101.55),
        pace_today: Some(203.1),
        pace_month: Some(9_800.0),
        month,
    }
}

#[test]
fn the_whole_estimate_leads_and_completions_say_they_are_a_part() {
    let b = bill();
    let g = glance(NOW, Some(&b));
    let h = Headline::new(&snap(26.41, 225.70, 0), Some(&b), Some(&g), NOW);
    assert!((h.window_usd - 252.11).abs() < 1e-9);
    assert_eq!(h.window, "last 6 h");
    assert_eq!(h.today_usd, Some(101.55));
    // The bill's landed days, and today's estimate beyond what it billed of today (nothing).
    assert_eq!(h.month_billed_usd, Some(4_209.0));
    assert_eq!(h.month_unbilled_usd, Some(101.55));
    assert!((h.month_usd.unwrap() - 4_310.55).abs() < 1e-9);
    assert!(h.month_complete);
    assert_eq!(
        h.lines,
        [
            "Estimate $252.11, last 6 h: completions $26.41 (5.3M tokens) + other usage $225.70",
            "Today (UTC) $101.55 · month so far $4,310.55 (billed $4,209.00 + not yet billed \
$101.55)",
            "On pace for $203.10 today · $9,800.00 this month",
        ]
    );
    assert_eq!(
        h.text,
        "Estimate $252.11 last 6 h (completions $26.41) · today (UTC) $101.55 · month so far \
$4,310.55 · on pace for $203.10 today · $9,800.00 this month"
    );
    assert_eq!(h.window_amount(), "$252.11");
}

#[test]
fn unpriced_usage_marks_the_estimate_and_says_how_much_is_left_out() {
    let h = Headline::new(&snap(1.0, 2.5, 2), None, None, NOW);
    assert_eq!(h.window_amount(), "$3.50+");
    assert_eq!(
        h.lines[0],
        "Estimate $3.50+, last 6 h: completions $1.00 (5.3M tokens) + other usage $2.50; \
2 unpriced rows not included"
    );
    let none = Headline::new(&snap(0.0, 0.0, 1), None, None, NOW);
    assert_eq!(none.window_amount(), "—");
}

#[test]
fn without_a_glance_the_month_is_the_bills_alone_and_a_lower_bound() {
    let b = bill();
    let h = Headline::new(&snap(1.0, 0.0, 0), Some(&b), None, NOW);
    assert_eq!(h.today_usd, None);
    assert_eq!(h.month_usd, Some(4_209.0));
    assert!(!h.month_complete);
    assert_eq!(
        h.lines[1],
        "Today (UTC) not known yet · month so far ≥ $4,209.00 (billed $4,209.00 + not yet \
billed $0.00)"
    );
    // No pace without today: no line for it.
    assert_eq!(h.lines.len(), 2);
    assert_eq!(h.pace_line(), "Pace: not known yet");
    assert_eq!(
        h.text,
        "Estimate $1.00 last 6 h (completions $1.00) · month so far ≥ $4,209.00"
    );
    // Neither: the month is not known.
    let h = Headline::new(&snap(1.0, 0.0, 0), None, None, NOW);
    assert_eq!(h.month_usd, None);
    assert_eq!(
        h.lines[1],
        "Today (UTC) not known yet · month so far not known yet"
    );
}

#[test]
fn a_glance_of_yesterday_says_nothing_of_today() {
    let b = bill();
    let g = glance(NOW - SECS_PER_DAY, Some(&b));
    let h = Headline::new(&snap(1.0, 0.0, 0), Some(&b), Some(&g), NOW);
    assert_eq!((h.today_usd, h.pace_today_usd), (None, None));
    // Same month: its month and pace still hold.
    assert_eq!(h.pace_month_usd, Some(9_800.0));
    // Across a month's end, the old month is not this one: the bill's alone.
    let g = glance(DEC_1 - 3_600, None);
    let h = Headline::new(&snap(1.0, 0.0, 0), Some(&b), Some(&g), DEC_1 + 3_600);
    assert_eq!(h.pace_month_usd, None);
    assert_eq!(h.month_usd, Some(1_000.0));
    assert_eq!(h.pace_line(), "Pace: not known yet");
    let early = Headline::new(&snap(1.0, 0.0, 0), None, None, DEC_1 + 600);
    assert_eq!(early.pace_line(), "Pace: from 00:30 UTC");
}

#[test]
fn windows_in_words() {
    let w = |secs| Window::ending_at(NOW, secs, BucketWidth::Hour);
    assert_eq!(window_words(&w(3_600)), "last 1 h");
    assert_eq!(window_words(&w(24 * 3_600)), "last 24 h");
    assert_eq!(window_words(&w(7 * 86_400)), "last 7 d");
    assert_eq!(window_words(&w(1_800)), "last 30 min");
}
