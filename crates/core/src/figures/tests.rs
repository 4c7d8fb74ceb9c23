//! The history's lines, per-day totals and checks on plain values.

use super::*;
use crate::bill::{LineItem, LineKind};
use crate::usage::TokenSplit;

/// 2026-12-02T00:00:00Z
const D: i64 = 1_796_169_600;
const H: i64 = 3_600;

fn completions(start: i64, w: i64, model: &str, input: u64, output: u64) -> Bucket<UsageRow> {
    Bucket {
        start_time: start,
        end_time: start + w,
        rows: vec![UsageRow {
            owner: Default::default(),
            model: model.into(),
            tier: Tier::Standard,
            input_tokens: input,
            cached_input_tokens: 0,
            output_tokens: output,
            requests: 2,
            split: TokenSplit::default(),
        }],
    }
}

fn images(start: i64, detail: &str, n: u64) -> Bucket<Meter> {
    Bucket {
        start_time: start,
        end_time: start + H,
        rows: vec![Meter {
            owner: Default::default(),
            endpoint: Endpoint::Images,
            model: "dall-e-3".into(),
            detail: Some(detail.into()),
            quantity: n,
            requests: n,
        }],
    }
}

fn billed(start: i64, items: &[(&str, Option<&str>, LineKind, f64, &str)]) -> BilledDay {
    BilledDay {
        start_time: start,
        items: items
            .iter()
            .map(|(name, model, kind, v, cur)| LineItem {
                name: (*name).into(),
                model: model.map(Into::into),
                kind: *kind,
                batch: false,
                amount: Money {
                    value: *v,
                    currency: (*cur).into(),
                },
                quantity: None,
                quantity_unit: None,
                api_key_id: None,
                project_id: None,
            })
            .collect(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn hours_sum_into_days_with_the_bill_beside_them() {
    let c = [
        completions(D, H, "gpt-4o-2024-08-06", 1_000_000, 0),
        completions(D + H, H, "gpt-4o-2024-08-06", 0, 100_000),
        completions(D + SECS_PER_DAY, H, "gpt-4o-2024-08-06", 1, 1),
    ];
    let o = [
        images(D, "1024x1024 image.generation", 2),
        images(D + H, "1024x1792 image.generation", 1),
    ];
    let bill = [billed(
        D,
        &[
            (
                "gpt-4o-2024-08-06, input",
                Some("gpt-4o-2024-08-06"),
                LineKind::Input,
                2.0,
                "usd",
            ),
            (
                "gpt-4o-2024-08-06, output",
                Some("gpt-4o-2024-08-06"),
                LineKind::Output,
                1.0,
                "usd",
            ),
            (
                "gpt-4o-2024-08-06, input",
                Some("gpt-4o-2024-08-06"),
                LineKind::Input,
                3.0,
                "EUR",
            ),
            ("vector store storage", None, LineKind::Other, 0.5, "usd"),
        ],
    )];
    let l = lines(
        &c,
        &o,
        &bill,
        BucketWidth::Day,
        PriceTable::builtin(),
        TierChoice::Auto,
    );
    let day0: Vec<&Line> = l.iter().filter(|l| l.start_time == D).collect();
    assert_eq!(day0.len(), 3, "{day0:#?}");
    // Bill-only lines of no endpoint first, then by endpoint.
    assert_eq!(
        (day0[0].endpoint, day0[0].model.as_str()),
        (None, "vector store storage")
    );
    assert_eq!(day0[0].billed_usd, Some(0.5));
    assert_eq!(day0[0].estimate_usd, None);
    let g = day0[1];
    assert_eq!(g.endpoint, Some(Endpoint::Completions));
    assert_eq!(
        (g.input_tokens, g.output_tokens, g.quantity, g.requests),
        (1_000_000, 100_000, 1_100_000, 4)
    );
    // 1M × $2.50 + 100k × $10 per million.
    assert!(close(g.estimate_usd.unwrap(), 3.5), "{:?}", g.estimate_usd);
    assert_eq!(g.billed_usd, Some(3.0));
    assert_eq!(
        g.billed_other,
        [Money {
            value: 3.0,
            currency: "eur".into()
        }]
    );
    let i = day0[2];
    assert_eq!(
        (i.endpoint, i.unit, i.quantity),
        (Some(Endpoint::Images), Some(Unit::Images), 3)
    );
    // Billed day, no item for images: billed nothing.
    assert_eq!(i.billed_usd, Some(0.0));
    // Each size priced apart, then summed.
    let one = |d| match meter_cost(
        PriceTable::builtin(),
        Tier::Standard,
        Endpoint::Images,
        "dall-e-3",
        Some(d),
        1,
    ) {
        crate::usage::MeterCost::Priced { usd, .. } => usd,
        other => panic!("{other:?}"),
    };
    let expected = 2.0 * one("1024x1024 image.generation") + one("1024x1792 image.generation");
    assert!(close(i.estimate_usd.unwrap(), expected));
    // The next day has no bill stored: unknown, not zero.
    let day1: Vec<&Line> = l
        .iter()
        .filter(|l| l.start_time == D + SECS_PER_DAY)
        .collect();
    assert_eq!(day1.len(), 1);
    assert_eq!(day1[0].billed_usd, None);
}

fn meter(start: i64, endpoint: Endpoint, model: &str, n: u64) -> Bucket<Meter> {
    Bucket {
        start_time: start,
        end_time: start + H,
        rows: vec![Meter {
            owner: Default::default(),
            endpoint,
            model: model.into(),
            detail: None,
            quantity: n,
            requests: n,
        }],
    }
}

/// A billed day of items read from their names, as the bill tracker reads them.
fn read_bill(start: i64, items: &[(&str, f64, &str)]) -> BilledDay {
    BilledDay {
        start_time: start,
        items: items
            .iter()
            .map(|&(name, v, cur)| {
                crate::bill::line_item(Some(name), v, cur, None, None, None, None)
            })
            .collect(),
    }
}

#[test]
fn each_bill_sits_on_the_usage_line_it_bills() {
    let ft = "ft:gpt-4o-mini-2024-07-18:acme::x1";
    let c = [
        completions(D, H, "gpt-4o-2024-08-06", 1_000, 100),
        completions(D, H, ft, 300, 30),
        completions(D + H, H, "gpt-5-mini-2025-08-07", 50, 5),
    ];
    let o = [
        meter(D, Endpoint::Images, "gpt-image-1", 2),
        meter(D, Endpoint::WebSearchCalls, "gpt-4o-2024-08-06", 3),
        meter(D + H, Endpoint::WebSearchCalls, "gpt-5-mini-2025-08-07", 1),
    ];
    let bill = [read_bill(
        D,
        &[
            ("gpt-4o-2024-08-06, input", 1.0, "usd"),
            ("ft-gpt-4o-mini-2024-07-18, output", 0.6, "usd"),
            ("gpt-image-1 image, output", 0.5, "usd"),
            ("gpt-image-1 text, input", 0.01, "usd"),
            ("web search tool calls", 0.04, "usd"),
            ("web search tool calls", 0.08, "eur"),
            ("Vector storage", 0.2, "usd"),
        ],
    )];
    let l = lines(
        &c,
        &o,
        &bill,
        BucketWidth::Day,
        PriceTable::builtin(),
        TierChoice::Auto,
    );
    let got: Vec<(Option<Endpoint>, &str, u64)> = l
        .iter()
        .map(|l| (l.endpoint, l.model.as_str(), l.quantity))
        .collect();
    // One line per usage (and one for storage, which has none): no completions line for the
    // image tokens, no second fine-tune line, no line of web search calls without a model.
    assert_eq!(
        got,
        [
            (None, "Vector storage", 0),
            (Some(Endpoint::Completions), ft, 330),
            (Some(Endpoint::Completions), "gpt-4o-2024-08-06", 1_100),
            (Some(Endpoint::Completions), "gpt-5-mini-2025-08-07", 55),
            (Some(Endpoint::Images), "gpt-image-1", 2),
            (Some(Endpoint::WebSearchCalls), "gpt-4o-2024-08-06", 3),
            (Some(Endpoint::WebSearchCalls), "gpt-5-mini-2025-08-07", 1),
        ]
    );
    let billed: Vec<f64> = l.iter().map(|l| l.billed_usd.unwrap()).collect();
    // Web search: $0.04 for 4 calls, 3 of them gpt-4o's; gpt-5-mini's completions billed 0.
    let want = [0.2, 0.6, 1.0, 0.0, 0.51, 0.03, 0.01];
    for (i, (b, w)) in billed.iter().zip(want).enumerate() {
        assert!(close(*b, w), "{:?}: {b} != {w}", got[i]);
    }
    // The web search parts sum to the item, and the euros are shared the same way.
    assert_eq!(billed[5] + billed[6], 0.04);
    let eur = |i: usize| match l[i].billed_other.as_slice() {
        [m] if m.currency == "eur" => m.value,
        other => panic!("{other:?}"),
    };
    assert!(close(eur(5), 0.06) && close(eur(6), 0.02));
    assert_eq!(eur(5) + eur(6), 0.08);
    assert!(l[..5].iter().all(|l| l.billed_other.is_empty()));
    // The day's bill is all there, once.
    let total = day_totals(&l, D, D + SECS_PER_DAY)[0].billed_usd.unwrap();
    assert!(close(total, 2.35), "{total}");
}

#[test]
fn per_hour_there_is_no_bill() {
    let c = [
        completions(D, 60, "gpt-4o-2024-08-06", 10, 10),
        completions(D + 60, 60, "gpt-4o-2024-08-06", 5, 5),
    ];
    let bill = [billed(
        D,
        &[("x", Some("gpt-4o-2024-08-06"), LineKind::Input, 2.0, "usd")],
    )];
    let l = lines(
        &c,
        &[],
        &bill,
        BucketWidth::Hour,
        PriceTable::builtin(),
        TierChoice::Auto,
    );
    assert_eq!(l.len(), 1);
    assert_eq!((l[0].quantity, l[0].billed_usd), (30, None));
}

#[test]
fn day_totals_and_the_check_of_the_last_seven_complete_days() {
    let mut l = Vec::new();
    for i in 0..10 {
        let mut line = super::blank(D + i * SECS_PER_DAY, Some(Endpoint::Completions), "m");
        line.quantity = 10;
        line.estimate_usd = Some(1.0 + i as f64);
        line.billed_usd = (i != 3).then_some(2.0);
        l.push(line);
    }
    // An unpriced line is counted, not added.
    let mut unpriced = super::blank(D, Some(Endpoint::Images), "x");
    unpriced.quantity = 1;
    l.push(unpriced);
    let now = D + 9 * SECS_PER_DAY + 5 * H;
    let days = day_totals(&l, D - SECS_PER_DAY, now);
    assert_eq!(days.len(), 11);
    assert_eq!((days[0].estimate_usd, days[0].billed_usd), (0.0, None));
    assert_eq!((days[1].estimate_usd, days[1].unpriced), (1.0, 1));
    let c = checks(&days, now);
    // Days 2..=8 are the 7 before today (day 9); day 3 has no bill.
    let starts: Vec<i64> = c
        .iter()
        .map(|c| (c.start_time - D) / SECS_PER_DAY)
        .collect();
    assert_eq!(starts, [2, 4, 5, 6, 7, 8]);
    assert!(close(c[0].ratio.unwrap(), 3.0 / 2.0));
}

#[test]
fn a_report_spans_its_days_and_48_hours() {
    let now = D + 10 * H + 120;
    let mut hourly = Vec::new();
    for h in 0..60 {
        let mut line = super::blank(D + 10 * H - h * H, Some(Endpoint::Completions), "m");
        line.quantity = 100 + h as u64;
        hourly.push(line);
    }
    let mut other = super::blank(D + 10 * H, Some(Endpoint::Images), "dall-e-3");
    other.quantity = 5;
    hourly.push(other);
    let r = report_data(&[], &hourly, now, 30, "key_a", "auto");
    assert_eq!(r.days.len(), 30);
    assert_eq!(r.days[29].start_time, D);
    assert_eq!(r.hours.len(), 48);
    // Images are not tokens.
    assert_eq!(r.hours[47], (D + 10 * H, 100));
    assert_eq!(r.hours[0], (D + 10 * H - 47 * H, 147));
    assert!(r.checks.is_empty() && r.by_model.is_empty());
}

/// (api_key_id, project_id, quantity, billed_usd) of an owner's line.
type Owned<'a> = (Option<&'a str>, Option<&'a str>, u64, Option<f64>);

/// `export --by key|project`: each owner's lines, usage without a key its own, the bill on
/// the key it billed, and the owners' lines adding up to the whole line.
#[test]
fn lines_split_by_key_and_by_project_add_up_to_the_whole() {
    use crate::usage::Owner;
    let owned = |key: Option<&str>, project: &str, input: u64| {
        let mut b = completions(D + H, H, "gpt-4o", input, input / 2);
        b.rows[0].owner = Owner::new(key.map(Into::into), Some(project.into()));
        b
    };
    let mut hour = owned(Some("key_a"), "proj_p", 1_000_000);
    for (key, project, input) in [(None, "proj_p", 10_000), (Some("key_b"), "proj_q", 200_000)] {
        hour.rows.push(owned(key, project, input).rows.remove(0));
    }
    let usage = [hour];
    let mut bill = billed(
        D,
        &[(
            "gpt-4o-2024-08-06, input",
            Some("gpt-4o"),
            LineKind::Input,
            1.0,
            "usd",
        )],
    );
    bill.items[0].api_key_id = Some("key_a".into());
    bill.items[0].project_id = Some("proj_p".into());
    let bill = [bill];
    let table = PriceTable::builtin();
    let whole = lines(
        &usage,
        &[],
        &bill,
        BucketWidth::Day,
        table,
        TierChoice::Auto,
    );
    assert_eq!(whole.len(), 1);
    let by_key = lines_by_owner(
        &usage,
        &[],
        &bill,
        BucketWidth::Day,
        table,
        TierChoice::Auto,
        OwnerSplit::Key,
    );
    let owners: Vec<Owned> = by_key
        .iter()
        .map(|l| {
            (
                l.api_key_id.as_deref(),
                l.project_id.as_deref(),
                l.line.quantity,
                l.line.billed_usd,
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            (None, Some("proj_p"), 15_000, Some(0.0)),
            (Some("key_a"), Some("proj_p"), 1_500_000, Some(1.0)),
            (Some("key_b"), Some("proj_q"), 300_000, Some(0.0)),
        ]
    );
    let sum: f64 = by_key.iter().map(|l| l.line.estimate_usd.unwrap()).sum();
    assert!(
        sum > 0.0 && close(sum, whole[0].estimate_usd.unwrap()),
        "{sum}"
    );
    let q: u64 = by_key.iter().map(|l| l.line.quantity).sum();
    assert_eq!(q, whole[0].quantity);
    let by_project = lines_by_owner(
        &usage,
        &[],
        &bill,
        BucketWidth::Day,
        table,
        TierChoice::Auto,
        OwnerSplit::Project,
    );
    let projects: Vec<Owned> = by_project
        .iter()
        .map(|l| {
            (
                l.api_key_id.as_deref(),
                l.project_id.as_deref(),
                l.line.quantity,
                l.line.billed_usd,
            )
        })
        .collect();
    assert_eq!(
        projects,
        [
            (None, Some("proj_p"), 1_515_000, Some(1.0)),
            (None, Some("proj_q"), 300_000, Some(0.0)),
        ]
    );
}
