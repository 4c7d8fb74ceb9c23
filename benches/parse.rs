//! Parse and aggregate 24 h of 1-minute buckets for 30 models (one page as the API sends it,
//! about 43,000 result rows), beside the floor measured in the same run: serde_json merely
//! skipping the same bytes (`IgnoredAny`). Target: within 2× of the floor.
//!
//! Run: `cargo bench --bench parse` (criterion prints time and throughput for each).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::de::IgnoredAny;
use std::hint::black_box;
use usage_tracker::openai::rows::completions_row;
use usage_tracker::openai::{ParsedPage, parse_completions_page};
use usage_tracker::pricing::{PriceTable, TierChoice};
use usage_tracker::usage::{Bucket, Names, UsageRow, summarize};
use usage_tracker_simulator::{self as simulator, DEMO_KEY_ID, GroupField, SimConfig};

/// What the tracker does with a page: read every row into the domain's rows.
fn parse(body: &[u8]) -> Vec<Bucket> {
    let mut names = Names::default();
    let page: ParsedPage<UsageRow> =
        parse_completions_page(body, |r| completions_row(&mut names, r)).unwrap();
    page.buckets
        .into_iter()
        .map(|b| Bucket {
            start_time: b.start_time,
            end_time: b.end_time,
            rows: b.rows,
        })
        .collect()
}

/// The simulator's tracked key has 8 models of its own; 22 more make 30.
fn page() -> Vec<u8> {
    let mut config = SimConfig::test();
    config.extra_models = 22;
    let now = simulator::TEST_START;
    let start = (now - 86_400).div_euclid(60) * 60;
    let mut q = simulator::UsageQuery::new(start, simulator::BucketWidth::Minute);
    q.end_time = Some(start + 86_400);
    q.limit = Some(1_440);
    q.api_key_ids = vec![DEMO_KEY_ID.to_owned()];
    q.group_by = vec![
        GroupField::Model,
        GroupField::ServiceTier,
        GroupField::Batch,
    ];
    simulator::usage_page_json(&config, &q, now).expect("simulated page")
}

/// `PARSE_BENCH_ONCE=<function> PARSE_BENCH_RUNS=N`: run one function N times and exit, for
/// an instruction count under `valgrind --tool=callgrind` that does not depend on the load
/// (the difference between N and 0 runs, divided by N, is one run).
fn count_only(body: &[u8]) -> bool {
    let Ok(which) = std::env::var("PARSE_BENCH_ONCE") else {
        return false;
    };
    let runs: usize = std::env::var("PARSE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let prices = PriceTable::builtin();
    for _ in 0..runs {
        match which.as_str() {
            "floor_ignored_any" => {
                black_box(serde_json::from_slice::<IgnoredAny>(black_box(body)).unwrap());
            }
            "parse_and_aggregate" => {
                black_box(summarize(&parse(black_box(body)), prices, TierChoice::Auto));
            }
            "parse_only" => {
                black_box(parse(black_box(body)).len());
            }
            other => panic!(
                "PARSE_BENCH_ONCE={other:?}: floor_ignored_any, parse_and_aggregate or parse_only"
            ),
        }
    }
    true
}

fn bench(c: &mut Criterion) {
    let body = page();
    if count_only(&body) {
        return;
    }
    let rows = {
        let parsed = parse(&body);
        let models = summarize(&parsed, PriceTable::builtin(), TierChoice::Auto)
            .models
            .len();
        let rows: usize = parsed.iter().map(|b| b.rows.len()).sum();
        eprintln!(
            "page: {:.1} MB, {} buckets, {rows} rows, {models} models",
            body.len() as f64 / 1e6,
            parsed.len()
        );
        rows
    };
    assert!(rows > 40_000, "{rows} rows");
    let prices = PriceTable::builtin();
    let mut g = c.benchmark_group("24h_1m_30_models");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.sample_size(30);
    g.bench_function("floor_ignored_any", |b| {
        b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(&body)).unwrap())
    });
    g.bench_function("parse_and_aggregate", |b| {
        b.iter(|| summarize(&parse(black_box(&body)), prices, TierChoice::Auto))
    });
    g.bench_function("wire_only", |b| {
        b.iter(|| {
            serde_json::from_slice::<usage_tracker::openai::wire::UsagePage>(black_box(&body))
                .unwrap()
                .data
                .len()
        })
    });
    g.bench_function("parse_only", |b| b.iter(|| parse(black_box(&body)).len()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
