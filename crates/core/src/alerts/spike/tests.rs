use super::*;
use crate::pricing::Tier;
use crate::usage::{Bucket, BucketWidth, Meter, UsageRow, UsageSeries};

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
                    owner: Default::default(),
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

/// The completions reading of `series` at `at_ms`.
fn at(at_ms: i64, s: &UsageSeries) -> Vec<Reading> {
    vec![Reading {
        endpoint: Endpoint::Completions,
        at_ms,
        usage: Digest::of(s),
    }]
}

fn g(prev: &UsageSeries, next: &UsageSeries) -> Growth {
    growth(&Digest::of(prev), &Digest::of(next))
}

#[test]
fn growth_is_bucket_by_bucket_and_ignores_buckets_that_slid_out() {
    let prev = series(&[(0, &[("a", 1000, 5)]), (1, &[("a", 200, 1)])]);
    // Minute 0 slid out; minute 1 grew by 300; minute 2 is new with 400.
    let next = series(&[(1, &[("a", 500, 2)]), (2, &[("a", 100, 1), ("b", 300, 3)])]);
    let g = g(&prev, &next);
    assert_eq!((g.tokens, g.requests), (700, 5));
    assert_eq!(g.by_model["a"], (400, 2));
    assert_eq!(g.by_model["b"], (300, 3));
}

#[test]
fn buckets_before_the_previous_window_are_not_growth() {
    let prev = series(&[(5, &[("a", 10, 1)])]);
    let next = series(&[(3, &[("a", 9_999, 9)]), (5, &[("a", 20, 1)])]);
    assert_eq!(g(&prev, &next).tokens, 10);
}

#[test]
fn a_shrinking_bucket_is_not_negative_growth() {
    let prev = series(&[(1, &[("a", 500, 5)]), (2, &[("a", 100, 1)])]);
    let next = series(&[(1, &[("a", 400, 5)]), (2, &[("a", 150, 1)])]);
    assert_eq!(g(&prev, &next).tokens, 50);
}

#[test]
fn spike_starts_stays_and_ends_with_one_event_per_start() {
    let mut d = SpikeDetector::new(T);
    let s0 = series(&[(0, &[("gpt-4o", 1_000, 10)])]);
    assert_eq!(d.observe(at(0, &s0)), SpikeUpdate::default());

    // 30 s later: +2,000 tokens = 4,000/min: below.
    let s1 = series(&[(0, &[("gpt-4o", 3_000, 20)])]);
    let u = d.observe(at(30_000, &s1));
    assert_eq!(u.rates, Some((4_000.0, 20.0)));
    assert!(u.active.is_empty() && u.started.is_empty());

    // 30 s later: +6,000 tokens and +70 requests = 12,000 tok/min and 140 req/min: both start.
    let s2 = series(&[
        (0, &[("gpt-4o", 3_000, 20)]),
        (1, &[("gpt-4o", 5_000, 60), ("o3", 1_000, 10)]),
    ]);
    let u = d.observe(at(60_000, &s2));
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
    let u = d.observe(at(90_000, &s3));
    assert_eq!(u.rates, Some((10_000.0, 120.0)));
    assert_eq!(u.active.len(), 2);
    assert!(u.started.is_empty());

    // Falls below: ends.
    let u = d.observe(at(120_000, &s3));
    assert!(u.active.is_empty() && u.started.is_empty());

    // Rises again: a new event.
    let s4 = series(&[(1, &[("gpt-4o", 20_000, 120), ("o3", 1_000, 10)])]);
    let u = d.observe(at(150_000, &s4));
    assert_eq!(u.started.len(), 1);
    assert_eq!(u.started[0].kind, AlertKind::TokenRate);
}

#[test]
fn rates_use_real_minutes_between_refreshes() {
    let mut d = SpikeDetector::new(T);
    d.observe(at(0, &series(&[(0, &[("a", 0, 0)])])));
    // +15,000 tokens over 2 minutes = 7,500/min: no spike.
    let u = d.observe(at(120_000, &series(&[(0, &[("a", 15_000, 0)])])));
    assert_eq!(u.rates, Some((7_500.0, 0.0)));
    assert!(u.active.is_empty());
}

#[test]
fn a_repeated_timestamp_keeps_the_state_and_reset_forgets_it() {
    let mut d = SpikeDetector::new(T);
    d.observe(at(0, &series(&[(0, &[("a", 0, 0)])])));
    let u = d.observe(at(60_000, &series(&[(0, &[("a", 50_000, 0)])])));
    assert_eq!(u.started.len(), 1);
    let u = d.observe(at(60_000, &series(&[(0, &[("a", 90_000, 0)])])));
    assert_eq!((u.rates, u.active.len(), u.started.len()), (None, 1, 0));
    d.reset();
    let u = d.observe(at(70_000, &series(&[(0, &[("a", 90_000, 0)])])));
    assert_eq!(u, SpikeUpdate::default());
}

/// A 1-minute series of `endpoint`: `(start_minute, [(model, quantity, requests)])`.
fn meters(endpoint: Endpoint, buckets: &[Spec]) -> UsageSeries<Meter> {
    let mut s = UsageSeries::new(BucketWidth::Minute);
    let bs: Vec<Bucket<Meter>> = buckets
        .iter()
        .map(|(m, rows)| Bucket {
            start_time: m * 60,
            end_time: m * 60 + 60,
            rows: rows
                .iter()
                .map(|(model, quantity, requests)| Meter {
                    owner: Default::default(),
                    endpoint,
                    model: s.intern(model),
                    detail: None,
                    quantity: *quantity,
                    requests: *requests,
                })
                .collect(),
        })
        .collect();
    s.replace_from(i64::MIN, bs);
    s
}

fn reading(endpoint: Endpoint, at_ms: i64, s: &UsageSeries<Meter>) -> Reading {
    Reading {
        endpoint,
        at_ms,
        usage: Digest::of(s),
    }
}

/// Completions at a steady 12 requests a minute, read every 15 s from minute 0.
fn steady_completions(at_ms: i64) -> UsageSeries {
    series(&[(0, &[("gpt-4o", 100, (at_ms / 5_000) as u64)])])
}

#[test]
fn an_idle_endpoint_read_after_five_minutes_is_five_minutes_of_usage_not_a_spike() {
    let mut d = SpikeDetector::new(T);
    let images = Endpoint::Images;
    let mut first = at(0, &steady_completions(0));
    first.push(reading(images, 0, &meters(images, &[])));
    assert_eq!(d.observe(first).rates, None);
    for i in 1..20 {
        let ms = i * 15_000;
        let u = d.observe(at(ms, &steady_completions(ms)));
        assert_eq!(u.rates, Some((0.0, 12.0)), "{ms} ms");
    }
    // Five minutes on, images are read again: 300 requests over those five minutes (60/min).
    // Divided by the 15 s since the last refresh they would be 1,200/min, a false spike.
    let ms = 300_000;
    let spread: Vec<Spec> = (0..5).map(|m| (m, &[("dall-e-3", 60, 60)][..])).collect();
    let mut late = at(ms, &steady_completions(ms));
    late.push(reading(images, ms, &meters(images, &spread)));
    let u = d.observe(late);
    assert_eq!(u.rates, Some((0.0, 72.0)));
    assert!(u.active.is_empty() && u.started.is_empty(), "{u:?}");
}

#[test]
fn a_burst_of_image_requests_alone_is_a_request_spike() {
    let mut d = SpikeDetector::new(T);
    let (images, embeddings) = (Endpoint::Images, Endpoint::Embeddings);
    let calm = meters(images, &[(0, &[("dall-e-3", 2, 2)])]);
    let quiet_embeddings = meters(embeddings, &[(0, &[("text-embedding-3-small", 500, 1)])]);
    let c = steady_completions(0);
    let mut first = at(0, &c);
    first.push(reading(images, 0, &calm));
    first.push(reading(embeddings, 0, &quiet_embeddings));
    d.observe(first);
    // 15 s later: completions unchanged, +50 image requests (200/min), and a million
    // embedding tokens, which are not completions tokens.
    let burst = meters(
        images,
        &[(0, &[("dall-e-3", 40, 40), ("gpt-image-1", 12, 12)])],
    );
    let busy_embeddings = meters(
        embeddings,
        &[(0, &[("text-embedding-3-small", 1_000_500, 1)])],
    );
    let mut next = at(15_000, &c);
    next.push(reading(images, 15_000, &burst));
    next.push(reading(embeddings, 15_000, &busy_embeddings));
    let u = d.observe(next);
    assert_eq!(u.rates, Some((0.0, 200.0)));
    assert_eq!(u.started.len(), 1, "{u:?}");
    let a = &u.started[0];
    assert_eq!(a.kind, AlertKind::RequestRate);
    assert_eq!(a.per_minute, 200.0);
    assert_eq!(a.top_model.as_deref(), Some("dall-e-3"));
}

#[test]
fn an_endpoint_not_read_keeps_its_reading_and_its_own_clock() {
    let mut d = SpikeDetector::new(T);
    let images = Endpoint::Images;
    d.observe([reading(
        images,
        0,
        &meters(images, &[(0, &[("dall-e-3", 0, 0)])]),
    )]);
    // Two refreshes that do not read images (failed or skipped), then one that does: +240
    // requests over the 120 s since images were last read is 120/min, exactly the threshold.
    d.observe(at(60_000, &steady_completions(60_000)));
    let grown = meters(images, &[(0, &[("dall-e-3", 240, 240)])]);
    let u = d.observe([reading(images, 120_000, &grown)]);
    assert_eq!(u.rates, Some((0.0, 120.0)));
    assert_eq!(u.active[0].kind, AlertKind::RequestRate);
}
