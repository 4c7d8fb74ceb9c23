//! The Admin API client and the tracker against the simulated API, over real HTTP on 127.0.0.1:
//! pagination, filtering by key, every fault and the recovery after it, the incremental
//! refresh (equal to a full refetch) and what a steady-state refresh costs.

mod common;

use common::{completions, fast_options, sim};
use secrecy::SecretString;
use std::time::{Duration, Instant};
use usage_tracker::alerts::Thresholds;
use usage_tracker::engine::tracker::{Tracker, TrackerConfig};
use usage_tracker::openai::TimeBucket;
use usage_tracker::openai::{
    AdminClient, ApiError, ClientOptions, ErrorKind, RetryPolicy, UsageQuery,
};
use usage_tracker::pricing::TierChoice;
use usage_tracker::usage::{BucketWidth, Endpoint, UsageRow};
use usage_tracker_simulator::{DEMO_ADMIN_KEY, DEMO_KEY_ID, Fault, SimConfig, SimServer};

fn starts(buckets: &[TimeBucket<UsageRow>]) -> Vec<i64> {
    buckets.iter().map(|b| b.start_time).collect()
}

const OTHER_KEYS: [&str; 2] = ["key_demoBatch02", "key_otherTeam03"];

fn client(sim: &SimServer) -> AdminClient {
    client_with(sim, fast_options())
}

fn client_with(sim: &SimServer, options: ClientOptions) -> AdminClient {
    AdminClient::new(
        &sim.base_url(),
        &SecretString::from(DEMO_ADMIN_KEY),
        options,
    )
    .unwrap()
}

fn config(width: BucketWidth, hours: i64, keys: &[&str]) -> TrackerConfig {
    TrackerConfig {
        lookback_secs: hours * 3600,
        width,
        api_key_ids: keys.iter().map(|k| k.to_string()).collect(),
        tier: TierChoice::Auto,
        prices: usage_tracker::pricing::PriceBook::builtin(),
        calendar: None,
        thresholds: Thresholds {
            tokens_per_min: 10_000.0,
            requests_per_min: 120.0,
        },
    }
}

fn query(sim: &SimServer, width: BucketWidth, hours: i64, keys: &[&str], limit: u32) -> UsageQuery {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let start = width.floor(sim.control().now() - hours * 3600);
    UsageQuery {
        limit,
        ..UsageQuery::new(Endpoint::Completions, start, width, &keys)
    }
}

#[tokio::test]
async fn pagination_follows_every_page_and_each_bucket_arrives_once() {
    let sim = sim().await;
    let c = client(&sim);
    // 30 h of 1-minute buckets is more than one page can hold even at the maximum (1,440).
    let q = query(&sim, BucketWidth::Minute, 30, &[DEMO_KEY_ID], 500);
    let fetched = completions(&c, &q).await.unwrap();
    let starts = starts(&fetched.buckets);
    assert_eq!(starts.len(), 30 * 60 + 1);
    assert!(
        starts.windows(2).all(|w| w[1] == w[0] + 60),
        "gaps or repeats"
    );
    assert_eq!(starts[0], q.start_time);
    assert_eq!(fetched.requests, 4, "1,801 buckets at 500 a page");
    assert_eq!(sim.control().stats().usage_requests, 4);

    // A limit above the API's maximum is capped, not refused.
    let q = query(&sim, BucketWidth::Hour, 24 * 8, &[], 10_000);
    let fetched = completions(&c, &q).await.unwrap();
    assert_eq!(fetched.buckets.len(), 24 * 8 + 1);
    assert_eq!(fetched.requests, 2);
    assert_eq!(sim.control().last_usage_query().unwrap().limit, Some(168));
}

#[tokio::test]
async fn filtering_by_key_excludes_the_other_keys() {
    let sim = sim().await;
    let c = client(&sim);
    let mut t = Tracker::new(c.clone(), config(BucketWidth::Hour, 6, &[]));
    let now_ms = sim.control().now() * 1000;
    let org = t.refresh(now_ms).await.unwrap().summary.totals;
    let mut per_key_sum = 0;
    for key in [DEMO_KEY_ID].into_iter().chain(OTHER_KEYS) {
        let mut t = Tracker::new(c.clone(), config(BucketWidth::Hour, 6, &[key]));
        let totals = t.refresh(now_ms).await.unwrap().summary.totals;
        assert!(totals.total_tokens > 0, "{key} has no usage");
        assert!(
            totals.total_tokens < org.total_tokens,
            "{key} is not filtered"
        );
        per_key_sum += totals.total_tokens;
    }
    assert_eq!(per_key_sum, org.total_tokens);
    let q = sim.control().last_usage_query().unwrap();
    assert_eq!(q.api_key_ids, ["key_otherTeam03"]);

    // Several keys are summed.
    let mut both = Tracker::new(
        c,
        config(BucketWidth::Hour, 6, &[DEMO_KEY_ID, OTHER_KEYS[0]]),
    );
    let one = |k| Tracker::new(client(&sim), config(BucketWidth::Hour, 6, &[k]));
    let a = one(DEMO_KEY_ID)
        .refresh(now_ms)
        .await
        .unwrap()
        .summary
        .totals;
    let b = one(OTHER_KEYS[0])
        .refresh(now_ms)
        .await
        .unwrap()
        .summary
        .totals;
    let sum = both.refresh(now_ms).await.unwrap().summary.totals;
    assert_eq!(sum.total_tokens, a.total_tokens + b.total_tokens);
    assert_eq!(sum.requests, a.requests + b.requests);
}

/// Runs one usage fetch with `fault` injected `times` times; returns the result, the HTTP
/// requests made and the time taken, then checks that the next fetch recovers.
async fn with_fault(
    fault: Fault,
    times: u32,
    options: ClientOptions,
) -> (Result<usize, ApiError>, u64, Duration) {
    let sim = sim().await;
    let c = client_with(&sim, options);
    let q = query(&sim, BucketWidth::Hour, 6, &[DEMO_KEY_ID], 168);
    sim.control().inject(fault, times);
    let started = Instant::now();
    let result = completions(&c, &q).await.map(|f| f.buckets.len());
    let took = started.elapsed();
    let requests = c.requests_made();
    sim.control().clear_faults();
    let again = completions(&c, &q).await;
    assert_eq!(
        again.unwrap().buckets.len(),
        7,
        "no recovery after the fault"
    );
    (result, requests, took)
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_not_retried() {
    let (r, requests, _) = with_fault(Fault::Unauthorized, u32::MAX, fast_options()).await;
    let e = r.unwrap_err();
    assert_eq!((e.kind(), requests), (ErrorKind::InvalidKey, 1));
    assert!(e.to_string().contains("401"), "{e}");

    let (r, requests, _) = with_fault(Fault::Forbidden, u32::MAX, fast_options()).await;
    let e = r.unwrap_err();
    assert_eq!((e.kind(), requests), (ErrorKind::MissingPermission, 1));
    assert!(e.to_string().contains("sk-proj-"), "{e}");
}

#[tokio::test]
async fn wrong_or_project_key_is_rejected_by_the_server() {
    let sim = sim().await;
    let q = query(&sim, BucketWidth::Hour, 1, &[], 24);
    for (key, kind) in [
        ("sk-admin-wrong", ErrorKind::InvalidKey),
        ("sk-proj-abc123", ErrorKind::MissingPermission),
    ] {
        let c =
            AdminClient::new(&sim.base_url(), &SecretString::from(key), fast_options()).unwrap();
        let e = completions(&c, &q).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{key}: {e}");
        assert!(!e.to_string().contains(key), "the key is echoed: {e}");
    }
}

#[tokio::test]
async fn rate_limit_honours_retry_after_then_recovers() {
    let (r, requests, took) = with_fault(
        Fault::RateLimited {
            retry_after_secs: Some(1),
        },
        1,
        fast_options(),
    )
    .await;
    assert_eq!(r.unwrap(), 7);
    assert_eq!(requests, 2);
    assert!(
        took >= Duration::from_secs(1),
        "Retry-After not honoured: {took:?}"
    );

    // Without Retry-After: the client's own backoff.
    let (r, requests, _) = with_fault(
        Fault::RateLimited {
            retry_after_secs: None,
        },
        2,
        fast_options(),
    )
    .await;
    assert_eq!((r.unwrap(), requests), (7, 3));

    // Still limited after every attempt: the error says so and when to retry.
    let (r, requests, _) = with_fault(
        Fault::RateLimited {
            retry_after_secs: Some(2),
        },
        u32::MAX,
        ClientOptions {
            retry: RetryPolicy {
                max_attempts: 2,
                ..fast_options().retry
            },
            ..fast_options()
        },
    )
    .await;
    let e = r.unwrap_err();
    assert_eq!((e.kind(), requests), (ErrorKind::RateLimited, 2));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
    assert!(e.to_string().contains("retry after 2s"), "{e}");

    // A Retry-After longer than the client will wait is returned at once, for the poller.
    let (r, requests, took) = with_fault(
        Fault::RateLimited {
            retry_after_secs: Some(120),
        },
        u32::MAX,
        fast_options(),
    )
    .await;
    assert_eq!(r.unwrap_err().retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(requests, 1);
    assert!(took < Duration::from_secs(5));
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    for status in [500, 503] {
        let (r, requests, _) = with_fault(Fault::ServerError(status), 2, fast_options()).await;
        assert_eq!((r.unwrap(), requests), (7, 3), "{status}");
        let (r, requests, _) =
            with_fault(Fault::ServerError(status), u32::MAX, fast_options()).await;
        let e = r.unwrap_err();
        assert_eq!((e.kind(), requests), (ErrorKind::ServerError, 4));
        assert!(e.to_string().contains(&status.to_string()));
    }
}

#[tokio::test]
async fn slow_answers_time_out_with_the_timeout_kind() {
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            max_attempts: 2,
            ..fast_options().retry
        },
        ..fast_options()
    };
    let (r, requests, _) = with_fault(
        Fault::Slow(Duration::from_secs(2)),
        u32::MAX,
        options.clone(),
    )
    .await;
    let e = r.unwrap_err();
    assert_eq!((e.kind(), requests), (ErrorKind::Timeout, 2));
    assert!(e.to_string().contains("no answer"), "{e}");
    // Slow but within the timeout: fine.
    let (r, _, _) = with_fault(Fault::Slow(Duration::from_millis(50)), 1, options).await;
    assert_eq!(r.unwrap(), 7);
}

#[tokio::test]
async fn unreachable_server_is_offline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let c = AdminClient::new(
        &format!("http://127.0.0.1:{port}/v1"),
        &SecretString::from(DEMO_ADMIN_KEY),
        ClientOptions {
            retry: RetryPolicy {
                max_attempts: 2,
                ..fast_options().retry
            },
            ..fast_options()
        },
    )
    .unwrap();
    let q = UsageQuery {
        limit: 1,
        ..UsageQuery::new(Endpoint::Completions, 0, BucketWidth::Day, &[])
    };
    let e = completions(&c, &q).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Offline);
    assert_eq!(c.requests_made(), 2);
}

#[tokio::test]
async fn truncated_and_non_json_bodies_are_bad_responses() {
    let (r, requests, _) = with_fault(Fault::TruncatedJson, 1, fast_options()).await;
    let e = r.unwrap_err();
    assert_eq!((e.kind(), requests), (ErrorKind::BadResponse, 1));
    assert!(
        e.to_string().contains("{\\\"object\\\""),
        "first bytes shown: {e}"
    );
    let (r, _, _) = with_fault(Fault::NotJson, 1, fast_options()).await;
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadResponse);
    assert!(e.to_string().contains('<'), "{e}");
}

#[tokio::test]
async fn a_repeating_cursor_is_an_error_not_a_loop() {
    let (r, requests, _) = with_fault(Fault::RepeatingCursor, u32::MAX, fast_options()).await;
    assert!(matches!(r, Err(ApiError::RepeatingCursor { .. })), "{r:?}");
    assert!(requests <= 3, "{requests} requests");
}

#[tokio::test]
async fn projects_and_keys_are_listed_across_pages() {
    let mut config = SimConfig::test();
    config.extra_projects = 150;
    let sim = SimServer::start(config, None).await.unwrap();
    let c = client(&sim);
    let projects = c.projects().await.unwrap();
    assert_eq!(projects.len(), 153);
    let mut ids: Vec<_> = projects.iter().map(|p| p.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 153);
    assert_eq!(sim.control().stats().requests, 2, "100 a page");
    let demo = projects.iter().find(|p| p.id == "proj_demoApp01").unwrap();
    let keys = c.project_api_keys(&demo.id).await.unwrap();
    let key_ids: Vec<_> = keys.iter().map(|k| k.id.as_str()).collect();
    assert!(
        key_ids.contains(&DEMO_KEY_ID) && key_ids.contains(&"key_demoBatch02"),
        "{key_ids:?}"
    );
    assert!(keys.iter().all(|k| {
        k.redacted_value
            .as_deref()
            .is_some_and(|v| v.contains("..."))
    }));
}

/// Refreshing incrementally through time gives exactly what a fresh full fetch gives.
#[tokio::test]
async fn incremental_refresh_equals_a_full_refetch() {
    for width in [BucketWidth::Minute, BucketWidth::Hour] {
        let sim = sim().await;
        let ctl = sim.control();
        let mut live = Tracker::new(client(&sim), config(width, 6, &[DEMO_KEY_ID]));
        live.refresh(ctl.now() * 1000).await.unwrap();
        // Steps within a minute, across minutes and hours, and a long gap.
        for step in [15, 15, 15, 20, 61, 300, 3_599, 45, 7_200, 15] {
            ctl.advance(step);
            let now_ms = ctl.now() * 1000;
            let incremental = live.refresh(now_ms).await.unwrap();
            let mut fresh = Tracker::new(client(&sim), config(width, 6, &[DEMO_KEY_ID]));
            let full = fresh.refresh(now_ms).await.unwrap();
            assert!(full.fetch.full && !incremental.fetch.full);
            assert_eq!(live.series(), fresh.series(), "{width} after +{step}s");
            assert_eq!(incremental.summary, full.summary, "{width} after +{step}s");
            assert_eq!(incremental.buckets, full.buckets);
            assert_eq!(incremental.window, full.window);
        }
    }
}

/// Ten refreshes 15 s apart after the first: what each endpoint is asked and serves. The
/// demo key uses every endpoint (each is asked once per refresh, a few buckets); the batch key
/// only completions and embeddings (the five others are not asked again within 5 minutes).
#[tokio::test]
async fn steady_state_requests_per_endpoint_over_ten_refreshes() {
    for (key, active) in [(DEMO_KEY_ID, Endpoint::ALL.len()), (OTHER_KEYS[0], 2)] {
        let sim = sim().await;
        let ctl = sim.control();
        let mut t = Tracker::new(client(&sim), config(BucketWidth::Minute, 6, &[key]));
        let first = t.refresh(ctl.now() * 1000).await.unwrap();
        assert_eq!(
            first.fetch.endpoints.len(),
            8,
            "every endpoint is read once"
        );
        assert!(
            first.fetch.endpoints.iter().all(|e| e.1 == 1),
            "{:?}",
            first.fetch
        );
        let first_buckets = ctl.stats().buckets_served;
        ctl.reset_stats();
        for _ in 0..10 {
            ctl.advance(15);
            let snap = t.refresh(ctl.now() * 1000).await.unwrap();
            assert_eq!(
                snap.fetch.endpoints.len(),
                active,
                "{key}: {:?}",
                snap.fetch
            );
        }
        let stats = ctl.stats();
        let total: u64 = stats.endpoints.values().map(|e| e.requests).sum();
        eprintln!(
            "{key}: 10 steady refreshes, {total} requests in all (first refresh: {first_buckets} completions buckets)"
        );
        for (endpoint, e) in &stats.endpoints {
            eprintln!(
                "  {endpoint:<22} {:>3} requests {:>4} buckets {:>4} rows",
                e.requests, e.buckets_served, e.rows_served
            );
            assert_eq!(e.requests, 10, "{key} {endpoint}");
            assert!(e.buckets_served <= 10 * 7, "{key} {endpoint}: {e:?}");
        }
        assert_eq!(stats.endpoints.len(), active);
        assert_eq!(stats.usage_requests, 10);
        assert!(stats.buckets_served * 5 < first_buckets);

        // An idle endpoint is asked again once 5 minutes have passed.
        ctl.reset_stats();
        ctl.advance(300);
        let snap = t.refresh(ctl.now() * 1000).await.unwrap();
        assert_eq!(snap.fetch.endpoints.len(), 8, "{key}");
        assert_eq!(
            ctl.stats()
                .endpoints
                .values()
                .map(|e| e.requests)
                .sum::<u64>(),
            8
        );
    }
}

#[test]
fn debug_output_of_the_client_hides_the_key() {
    let key = SecretString::from("sk-admin-VERYSECRET-123456");
    let c = AdminClient::new("http://127.0.0.1:9/v1", &key, ClientOptions::default()).unwrap();
    let debug = format!("{c:?} {key:?}");
    assert!(!debug.contains("VERYSECRET"), "{debug}");
}
