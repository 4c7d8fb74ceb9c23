use super::*;
use crate::pricing::Tier;
use crate::usage::{BucketWidth, UsageRow};

const T: Thresholds = Thresholds {
    tokens_per_min: 10_000.0,
    requests_per_min: 120.0,
};

/// `(start_minute, [(model, tokens, requests)])`
type Spec<'a> = (i64, &'a [(&'a str, u64, u64)]);

/// A 1-minute series.
fn series(buckets: &[Spec]) -> UsageSeries {
    let mut s = UsageSeries::new(BucketWidth::Minute);
    let bs: Vec<Bucket> = buckets
        .iter()
        .map(|(m, rows)| Bucket {
            start_time: m * 60,
            end_time: m * 60 + 60,
            rows: rows
                .iter()
                .map(|(model, tokens, req)| UsageRow {
                    model: s.intern(model),
                    tier: Tier::Standard,
                    input_tokens: *tokens,
                    cached_input_tokens: 0,
                    output_tokens: 0,
                    requests: *req,
                    split: Default::default(),
                })
                .collect(),
        })
        .collect();
    s.replace_from(i64::MIN, bs);
    s
}

#[test]
fn growth_is_bucket_by_bucket_and_ignores_buckets_that_slid_out() {
    let prev = series(&[(0, &[("a", 1000, 5)]), (1, &[("a", 200, 1)])]);
    // Minute 0 slid out; minute 1 grew by 300; minute 2 is new with 400.
    let next = series(&[(1, &[("a", 500, 2)]), (2, &[("a", 100, 1), ("b", 300, 3)])]);
    let g = growth(&prev, &next);
    assert_eq!((g.tokens, g.requests), (700, 5));
    assert_eq!(g.by_model["a"], (400, 2));
    assert_eq!(g.by_model["b"], (300, 3));
}

#[test]
fn buckets_before_the_previous_window_are_not_growth() {
    let prev = series(&[(5, &[("a", 10, 1)])]);
    let next = series(&[(3, &[("a", 9_999, 9)]), (5, &[("a", 20, 1)])]);
    assert_eq!(growth(&prev, &next).tokens, 10);
}

#[test]
fn a_shrinking_bucket_is_not_negative_growth() {
    let prev = series(&[(1, &[("a", 500, 5)]), (2, &[("a", 100, 1)])]);
    let next = series(&[(1, &[("a", 400, 5)]), (2, &[("a", 150, 1)])]);
    assert_eq!(growth(&prev, &next).tokens, 50);
}

#[test]
fn spike_starts_stays_and_ends_with_one_event_per_start() {
    let mut d = SpikeDetector::new(T);
    let s0 = series(&[(0, &[("gpt-4o", 1_000, 10)])]);
    assert_eq!(d.observe(0, &s0), SpikeUpdate::default());

    // 30 s later: +2,000 tokens = 4,000/min: below.
    let s1 = series(&[(0, &[("gpt-4o", 3_000, 20)])]);
    let u = d.observe(30_000, &s1);
    assert_eq!(u.rates, Some((4_000.0, 20.0)));
    assert!(u.active.is_empty() && u.started.is_empty());

    // 30 s later: +6,000 tokens and +70 requests = 12,000 tok/min and 140 req/min: both start.
    let s2 = series(&[
        (0, &[("gpt-4o", 3_000, 20)]),
        (1, &[("gpt-4o", 5_000, 60), ("o3", 1_000, 10)]),
    ]);
    let u = d.observe(60_000, &s2);
    assert_eq!(u.rates, Some((12_000.0, 140.0)));
    let kinds: Vec<_> = u.started.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AlertKind::TokenRate, AlertKind::RequestRate]);
    assert_eq!(u.started[0].top_model.as_deref(), Some("gpt-4o"));
    assert_eq!(u.started[0].threshold, 10_000.0);

    // Still above (exactly at the threshold counts): active, no new event.
    let s3 = series(&[
        (0, &[("gpt-4o", 3_000, 20)]),
        (1, &[("gpt-4o", 10_000, 120), ("o3", 1_000, 10)]),
    ]);
    let u = d.observe(90_000, &s3);
    assert_eq!(u.rates, Some((10_000.0, 120.0)));
    assert_eq!(u.active.len(), 2);
    assert!(u.started.is_empty());

    // Falls below: ends.
    let u = d.observe(120_000, &s3);
    assert!(u.active.is_empty() && u.started.is_empty());

    // Rises again: a new event.
    let s4 = series(&[(1, &[("gpt-4o", 20_000, 120), ("o3", 1_000, 10)])]);
    let u = d.observe(150_000, &s4);
    assert_eq!(u.started.len(), 1);
    assert_eq!(u.started[0].kind, AlertKind::TokenRate);
}

#[test]
fn rates_use_real_minutes_between_refreshes() {
    let mut d = SpikeDetector::new(T);
    d.observe(0, &series(&[(0, &[("a", 0, 0)])]));
    // +15,000 tokens over 2 minutes = 7,500/min: no spike.
    let u = d.observe(120_000, &series(&[(0, &[("a", 15_000, 0)])]));
    assert_eq!(u.rates, Some((7_500.0, 0.0)));
    assert!(u.active.is_empty());
}

#[test]
fn a_repeated_timestamp_keeps_the_state_and_reset_forgets_it() {
    let mut d = SpikeDetector::new(T);
    d.observe(0, &series(&[(0, &[("a", 0, 0)])]));
    let u = d.observe(60_000, &series(&[(0, &[("a", 50_000, 0)])]));
    assert_eq!(u.started.len(), 1);
    let u = d.observe(60_000, &series(&[(0, &[("a", 90_000, 0)])]));
    assert_eq!((u.rates, u.active.len(), u.started.len()), (None, 1, 0));
    d.reset();
    let u = d.observe(70_000, &series(&[(0, &[("a", 90_000, 0)])]));
    assert_eq!(u, SpikeUpdate::default());
}
