//! The glance's arithmetic on hand-computed figures: "gpt-4o" input is $2.50 per million tokens
//! at standard (batch $1.25), so 400,000 input tokens are $1.00.

use super::*;
use crate::bill::{BilledDay, LineItem, LineKind, Money};
use crate::pricing::Tier;
use crate::usage::{Endpoint, TokenSplit};

/// 2026-12-02T00:00:00Z (December: 31 days; the 1st is yesterday).
const D: i64 = 1_796_169_600;
const H: i64 = 3_600;
const DAY: i64 = SECS_PER_DAY;

/// A bucket of `width` at `start` costing `usd` at standard (`None`: a bucket without rows).
fn spend(start: i64, width: i64, usd: f64) -> Bucket<UsageRow> {
    let tokens = (usd * 400_000.0).round() as u64;
    Bucket {
        start_time: start,
        end_time: start + width,
        rows: (tokens > 0)
            .then(|| UsageRow {
                owner: Default::default(),
                model: "gpt-4o".into(),
                tier: Tier::Standard,
                input_tokens: tokens,
                cached_input_tokens: 0,
                output_tokens: 0,
                requests: 1,
                split: TokenSplit::default(),
            })
            .into_iter()
            .collect(),
    }
}

/// Hourly buckets of the 48 hours before `D + 7 h`: $0.50 each, $3 at 02:00 today, nothing at
/// 06:00 today (the hour holding "now" in most tests).
fn hours() -> Vec<Bucket<UsageRow>> {
    (-41..7)
        .map(|i| {
            let start = D + i * H;
            let usd = match i {
                2 => 3.0,
                6 => 0.0,
                _ => 0.5,
            };
            spend(start, H, usd)
        })
        .collect()
}

/// Daily buckets of the 30 days before today: $8 each.
fn days() -> Vec<Bucket<UsageRow>> {
    (1..=30).map(|i| spend(D - i * DAY, DAY, 8.0)).collect()
}

fn billed(start: i64, usd: f64) -> BilledDay {
    BilledDay {
        start_time: start,
        items: (usd > 0.0)
            .then(|| LineItem {
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
                api_key_id: None,
                project_id: None,
            })
            .into_iter()
            .collect(),
    }
}

fn bill(days: Vec<BilledDay>) -> Bill {
    Bill {
        days,
        fetched_at_ms: 0,
    }
}

fn glance(h: &[Bucket<UsageRow>], d: &[Bucket<UsageRow>], b: Option<&Bill>, now: i64) -> Glance {
    glance_at(h, d, b, TierChoice::Auto, now)
}

fn glance_at(
    h: &[Bucket<UsageRow>],
    d: &[Bucket<UsageRow>],
    b: Option<&Bill>,
    tier: TierChoice,
    now: i64,
) -> Glance {
    let buckets = Buckets {
        hourly_completions: h,
        hourly_others: &[],
        daily_completions: d,
        daily_others: &[],
    };
    Glance::new(buckets, b, PriceTable::builtin(), tier, now)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[test]
fn hours_days_today_and_both_paces_at_six() {
    let now = D + 6 * H;
    let g = glance(&hours(), &days(), None, now);
    // The 24 hours end with 06:00 today: they start at 07:00 yesterday.
    assert_eq!(g.hours_from, D - 17 * H);
    assert_eq!(g.hourly.len(), HOURS);
    assert!(close(g.hourly[0], 0.5));
    assert!(close(g.hourly[17 + 2], 3.0), "02:00 today");
    assert_eq!(g.hourly[23], Some(0.0), "06:00, nothing yet");
    // Today: 00, 01, 03, 04, 05 at $0.50 and 02 at $3 = $5.50; a quarter of the day: $22.
    assert!(close(g.today_usd, 5.5), "{:?}", g.today_usd);
    assert!(close(g.pace_today, 22.0), "{:?}", g.pace_today);
    // 30 days: 3 Nov .. 2 Dec; the 29 before today are $8, today is its hours.
    assert_eq!(g.days_from, D - 29 * DAY);
    assert_eq!(g.daily.len(), DAYS);
    assert!(close(g.daily[0], 8.0) && close(g.daily[28], 8.0));
    assert!(close(g.daily[29], 5.5));
    // No bill: 1 Dec's estimate $8 + today $5.50 over 1.25 of 31 days: $334.80.
    assert!(
        close(g.pace_month, 13.5 * 31.0 / 1.25),
        "{:?}",
        g.pace_month
    );
    assert!(close(g.pace_month, 334.8));
}

#[test]
fn the_month_counts_the_bills_whole_days_and_the_estimate_of_the_rest() {
    let now = D + 6 * H;
    // Yesterday billed $10 (not the estimate's $8) + today's $5.50: $15.50 / 1.25 × 31.
    let b = bill(vec![billed(D - DAY, 10.0), billed(D, 1.0)]);
    let g = glance(&hours(), &days(), Some(&b), now);
    assert!(close(g.pace_month, 384.4), "{:?}", g.pace_month);
    // Today's partial bill is never added to today's estimate.
    assert!(close(g.pace_today, 22.0));
    // An empty yesterday may not have landed: its estimate counts instead.
    let b = bill(vec![billed(D - DAY, 0.0)]);
    let g = glance(&hours(), &days(), Some(&b), now);
    assert!(close(g.pace_month, 334.8), "{:?}", g.pace_month);
}

#[test]
fn an_empty_bill_day_before_yesterday_is_billed_nothing() {
    // 2026-12-03T12:00Z: the 1st billed empty (settled: nothing), the 2nd billed $4, today
    // from its hours.
    let d3 = D + DAY;
    let h: Vec<_> = (0..13).map(|i| spend(d3 + i * H, H, 0.25)).collect();
    let b = bill(vec![billed(D - DAY, 0.0), billed(D, 4.0)]);
    let g = glance(&h, &days(), Some(&b), d3 + 12 * H);
    // Today 00..12: 13 hours × $0.25 = $3.25 (12:00 is in, started at "now").
    assert!(close(g.today_usd, 3.25));
    assert!(close(g.pace_today, 6.5));
    // $0 + $4 + $3.25 over 2.5 of 31 days.
    assert!(close(g.pace_month, 7.25 * 31.0 / 2.5), "{:?}", g.pace_month);
    assert!(close(g.pace_month, 89.9));
}

#[test]
fn the_first_half_hour_gives_no_pace() {
    // 00:20 on the 2nd: no pace today, the month (a day and 20 minutes in) has one.
    let g = glance(&hours(), &days(), None, D + 20 * 60);
    assert!(close(g.today_usd, 0.5));
    assert_eq!(g.pace_today, None);
    assert!(close(
        g.pace_month,
        8.5 * 31.0 * DAY as f64 / (DAY + 20 * 60) as f64
    ));
    // 00:30 exactly: a 48th of the day.
    let g = glance(&hours(), &days(), None, D + 30 * 60);
    assert!(close(g.pace_today, 24.0), "{:?}", g.pace_today);
    // 00:20 on the 1st: neither.
    let first = D - DAY;
    let h = [spend(first, H, 1.0)];
    let g = glance(&h, &[], None, first + 20 * 60);
    assert!(close(g.today_usd, 1.0));
    assert_eq!((g.pace_today, g.pace_month), (None, None));
}

#[test]
fn an_unknown_hour_since_midnight_leaves_today_and_the_paces_unknown() {
    let mut h = hours();
    h.retain(|b| b.start_time != D + 3 * H);
    let g = glance(&h, &days(), None, D + 6 * H);
    assert_eq!(g.hourly[17 + 3], None, "drawn as not known, not as zero");
    assert_eq!(g.today_usd, None);
    assert_eq!(g.daily[29], None);
    assert_eq!((g.pace_today, g.pace_month), (None, None));
    // An unknown day of the month before today: no month pace, today's still stands.
    let mut d = days();
    d.retain(|b| b.start_time != D - DAY);
    let g = glance(&hours(), &d, None, D + 6 * H);
    assert_eq!(g.daily[28], None);
    assert!(close(g.pace_today, 22.0));
    assert_eq!(g.pace_month, None);
    // ... unless the bill has it.
    let b = bill(vec![billed(D - DAY, 2.0)]);
    let g = glance(&hours(), &d, Some(&b), D + 6 * H);
    assert!(close(g.pace_month, 7.5 * 31.0 / 1.25));
}

#[test]
fn the_31st_needs_the_1st_outside_the_30_days() {
    // 2026-12-31T12:00Z: the 30 days are 2 .. 31 Dec; the month began on the 1st.
    let d31 = D + 29 * DAY;
    let now = d31 + 12 * H;
    assert_eq!(daily_from(now), D - DAY);
    let d: Vec<_> = (1..=30).map(|i| spend(d31 - i * DAY, DAY, 1.0)).collect();
    // 00:00 .. 11:00 at $0.10; 12:00 (holding "now") nothing yet.
    let h: Vec<_> = (0..13)
        .map(|i| spend(d31 + i * H, H, if i < 12 { 0.1 } else { 0.0 }))
        .collect();
    let g = glance(&h, &d, None, now);
    assert_eq!(g.days_from, D);
    assert!(close(g.daily[29], 1.2));
    // 30 × $1 + $1.20 over 30.5 of 31 days.
    assert!(
        close(g.pace_month, 31.2 * 31.0 / 30.5),
        "{:?}",
        g.pace_month
    );
    assert!(close(g.pace_month, 31.711_475));
}

#[test]
fn other_kinds_count_and_the_tier_reprices() {
    let now = D + 6 * H;
    let g = glance_at(&hours(), &days(), None, TierChoice::Fixed(Tier::Batch), now);
    // Batch is half of standard for gpt-4o input.
    assert!(close(g.today_usd, 2.75));
    assert!(close(g.pace_today, 11.0));
    // Web searches beside the tokens: priced through meter_cost.
    let searches = [Bucket {
        start_time: D + H,
        end_time: D + 2 * H,
        rows: vec![Meter {
            owner: Default::default(),
            endpoint: Endpoint::WebSearchCalls,
            model: "gpt-4o".into(),
            detail: None,
            quantity: 100,
            requests: 100,
        }],
    }];
    let h = hours();
    let with = Glance::new(
        Buckets {
            hourly_completions: &h,
            hourly_others: &searches,
            daily_completions: &[],
            daily_others: &[],
        },
        None,
        PriceTable::builtin(),
        TierChoice::Auto,
        now,
    );
    let per_search = match crate::usage::meter_cost(
        PriceTable::builtin(),
        Tier::Standard,
        Endpoint::WebSearchCalls,
        "gpt-4o",
        None,
        100,
    ) {
        crate::usage::MeterCost::Priced { usd, .. } => usd,
        other => panic!("web searches have a price: {other:?}"),
    };
    assert!(per_search > 0.0);
    assert!(close(with.hourly[17 + 1], 0.5 + per_search));
    assert!(close(with.today_usd, 5.5 + per_search));
}
