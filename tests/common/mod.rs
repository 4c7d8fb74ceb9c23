//! Helpers shared by the tests over real HTTP: a simulator, a client with short timeouts and
//! retries, a tracker configuration, and readers of each endpoint into the domain's rows.
#![allow(dead_code)]

/// Helpers for the bill tests.
pub mod bill;
/// Helpers for the tests that run the real binary.
pub mod binary;
/// A history store seeded from the simulator.
pub mod history;

use secrecy::SecretString;
use std::time::Duration;
use usage_tracker::alerts::Thresholds;
use usage_tracker::engine::tracker::TrackerConfig;
use usage_tracker::openai::rows::{completions_row, meter};
use usage_tracker::openai::{
    AdminClient, ApiError, ClientOptions, Fetched, RetryPolicy, UsageQuery,
};
use usage_tracker::pricing::TierChoice;
use usage_tracker::usage::{BucketWidth, Endpoint, Meter, Names, UsageRow};
use usage_tracker_simulator::{DEMO_ADMIN_KEY, SimConfig, SimServer};

pub fn fast_options() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(3),
        },
        ..ClientOptions::default()
    }
}

pub async fn sim() -> SimServer {
    SimServer::start(SimConfig::test(), None).await.unwrap()
}

pub fn client(sim: &SimServer) -> AdminClient {
    AdminClient::new(
        &sim.base_url(),
        &SecretString::from(DEMO_ADMIN_KEY),
        fast_options(),
    )
    .unwrap()
}

pub fn config(width: BucketWidth, lookback_secs: i64, keys: &[&str]) -> TrackerConfig {
    TrackerConfig {
        lookback_secs,
        width,
        api_key_ids: keys.iter().map(|k| k.to_string()).collect(),
        tier: TierChoice::Auto,
        prices: usage_tracker::pricing::PriceBook::builtin(),
        calendar: None,
        thresholds: Thresholds {
            tokens_per_min: 1e12,
            requests_per_min: 1e12,
        },
    }
}

pub fn query(endpoint: Endpoint, start: i64, width: BucketWidth, keys: &[&str]) -> UsageQuery {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    UsageQuery::new(endpoint, start, width, &keys)
}

pub async fn completions(c: &AdminClient, q: &UsageQuery) -> Result<Fetched<UsageRow>, ApiError> {
    let mut names = Names::default();
    c.usage_completions(q, |r| completions_row(&mut names, r))
        .await
}

pub async fn other(c: &AdminClient, q: &UsageQuery) -> Result<Fetched<Meter>, ApiError> {
    let mut names = Names::default();
    let e = q.endpoint;
    c.usage_other(q, |r| meter(&mut names, e, r)).await
}

/// (quantity, requests) of every row of `endpoint` in `[start, now)`, as one direct query
/// (the way the API and the old tool count a window).
pub async fn direct_total(
    c: &AdminClient,
    endpoint: Endpoint,
    start: i64,
    width: BucketWidth,
    keys: &[&str],
) -> (u64, u64) {
    let q = query(endpoint, start, width, keys);
    if endpoint == Endpoint::Completions {
        let f = completions(c, &q).await.unwrap();
        f.buckets
            .iter()
            .flat_map(|b| &b.rows)
            .fold((0, 0), |(t, r), row| {
                (t + row.total_tokens(), r + row.requests)
            })
    } else {
        let f = other(c, &q).await.unwrap();
        f.buckets
            .iter()
            .flat_map(|b| &b.rows)
            .fold((0, 0), |(t, r), m| (t + m.quantity, r + m.requests))
    }
}

/// (quantity, requests) of one endpoint in a snapshot.
pub fn held(s: &usage_tracker::snapshot::Snapshot, e: Endpoint) -> (u64, u64) {
    if e == Endpoint::Completions {
        return (s.summary.totals.total_tokens, s.summary.totals.requests);
    }
    s.other
        .kinds
        .iter()
        .find(|k| k.endpoint == e)
        .map_or((0, 0), |k| (k.quantity, k.requests))
}
