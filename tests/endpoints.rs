//! Every usage endpoint over real HTTP against the simulator: the key filter, group-by (each
//! endpoint asks only what it accepts), pagination, and each fault with the recovery after it.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::time::Duration;
use usage_tracker::openai::{ApiError, ClientOptions, ErrorKind, RetryPolicy};
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::{DEMO_KEY_ID, Fault};

const OTHER_KEY: &str = "key_otherTeam03";

#[tokio::test]
async fn each_endpoint_is_filtered_by_key_and_grouped_by_its_own_fields() {
    let sim = sim().await;
    let ctl = sim.control();
    let c = client(&sim);
    let start = ctl.now() - 6 * 3600;
    for e in Endpoint::OTHERS {
        let q = query(e, start, BucketWidth::Hour, &[DEMO_KEY_ID]);
        let mine = other(&c, &q).await.unwrap();
        let asked = ctl.last_query_of(e.as_str()).unwrap();
        assert_eq!(asked.api_key_ids, [DEMO_KEY_ID], "{e}");
        let groups: Vec<&str> = asked.group_by.iter().map(|g| g.as_str()).collect();
        let expected: &[&str] = match e {
            Endpoint::Images => &["model", "size", "source"],
            Endpoint::WebSearchCalls => &["model", "context_level"],
            Endpoint::FileSearchCalls => &["vector_store_id"],
            _ => &["model"],
        };
        assert_eq!(groups, expected, "{e}");
        let rows: Vec<_> = mine.buckets.iter().flat_map(|b| &b.rows).collect();
        assert!(!rows.is_empty(), "{e}: the demo key uses every endpoint");
        let empty: Vec<_> = rows
            .iter()
            .filter(|m| m.endpoint != e || m.quantity + m.requests == 0)
            .collect();
        assert!(empty.is_empty(), "{e}: {empty:?}");
        let org = other(&c, &query(e, start, BucketWidth::Hour, &[]))
            .await
            .unwrap();
        let sum = |f: &usage_tracker::openai::Fetched<usage_tracker::usage::Meter>| -> u64 {
            f.buckets
                .iter()
                .flat_map(|b| &b.rows)
                .map(|m| m.quantity)
                .sum()
        };
        assert!(sum(&org) >= sum(&mine), "{e}");
        if matches!(
            e,
            Endpoint::Embeddings
                | Endpoint::Images
                | Endpoint::AudioSpeeches
                | Endpoint::FileSearchCalls
        ) {
            assert!(
                sum(&org) > sum(&mine),
                "{e}: other keys use it too, the filter must matter"
            );
            let theirs = other(&c, &query(e, start, BucketWidth::Hour, &[OTHER_KEY]))
                .await
                .unwrap();
            assert!(sum(&theirs) > 0, "{e}");
        }
    }
    // Images are grouped by model, size and source: several models and sizes.
    let q = query(Endpoint::Images, start, BucketWidth::Hour, &[DEMO_KEY_ID]);
    let images = other(&c, &q).await.unwrap();
    let models: BTreeSet<_> = images
        .buckets
        .iter()
        .flat_map(|b| &b.rows)
        .map(|m| &*m.model)
        .collect();
    let details: BTreeSet<_> = images
        .buckets
        .iter()
        .flat_map(|b| &b.rows)
        .filter_map(|m| m.detail.as_deref())
        .collect();
    assert!(
        models.len() >= 3 && details.len() >= 3,
        "{models:?} {details:?}"
    );
    assert!(
        details.contains("1024x1024 image.generation"),
        "{details:?}"
    );
}

#[tokio::test]
async fn asking_an_endpoint_for_a_field_it_does_not_group_by_is_a_400() {
    let sim = sim().await;
    let base = sim.base_url();
    let now = sim.control().now();
    usage_tracker::openai::install_tls_provider();
    let http = reqwest::Client::new();
    let ask = |path: &str, group: &str| {
        let url = format!(
            "{base}/organization/usage/{path}?start_time={}&group_by={group}",
            now - 3600
        );
        http.get(url)
            .bearer_auth(usage_tracker_simulator::DEMO_ADMIN_KEY)
            .send()
    };
    assert_eq!(
        ask("file_search_calls", "model").await.unwrap().status(),
        400
    );
    assert_eq!(ask("embeddings", "size").await.unwrap().status(), 400);
    assert_eq!(ask("images", "size").await.unwrap().status(), 200);
    assert_eq!(
        ask("file_search_calls", "vector_store_id")
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn each_endpoint_follows_every_page() {
    let sim = sim().await;
    let c = client(&sim);
    let start = BucketWidth::Minute.floor(sim.control().now() - 30 * 3600);
    for e in Endpoint::OTHERS {
        let mut q = query(e, start, BucketWidth::Minute, &[DEMO_KEY_ID]);
        q.limit = 500;
        let f = other(&c, &q).await.unwrap();
        let starts: Vec<i64> = f.buckets.iter().map(|b| b.start_time).collect();
        assert_eq!(starts.len(), 30 * 60 + 1, "{e}");
        assert!(
            starts.windows(2).all(|w| w[1] == w[0] + 60),
            "{e}: gaps or repeats"
        );
        assert_eq!(f.requests, 4, "{e}: 1,801 buckets at 500 a page");
    }
}

/// Each fault on each endpoint: the error kind a person is told, then recovery.
#[tokio::test]
async fn each_fault_on_each_endpoint_is_reported_and_recovered_from() {
    let sim = sim().await;
    let ctl = sim.control();
    let start = ctl.now() - 6 * 3600;
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            max_attempts: 2,
            ..fast_options().retry
        },
        ..fast_options()
    };
    let c = usage_tracker::openai::AdminClient::new(
        &sim.base_url(),
        &secrecy::SecretString::from(usage_tracker_simulator::DEMO_ADMIN_KEY),
        options,
    )
    .unwrap();
    let faults = [
        (Fault::Unauthorized, ErrorKind::InvalidKey),
        (Fault::Forbidden, ErrorKind::MissingPermission),
        (
            Fault::RateLimited {
                retry_after_secs: None,
            },
            ErrorKind::RateLimited,
        ),
        (Fault::ServerError(503), ErrorKind::ServerError),
        (Fault::Slow(Duration::from_secs(1)), ErrorKind::Timeout),
        (Fault::TruncatedJson, ErrorKind::BadResponse),
        (Fault::NotJson, ErrorKind::BadResponse),
    ];
    for e in Endpoint::OTHERS {
        let q = query(e, start, BucketWidth::Hour, &[DEMO_KEY_ID]);
        for (fault, kind) in &faults {
            ctl.inject(fault.clone(), u32::MAX);
            let err = other(&c, &q).await.unwrap_err();
            assert_eq!(err.kind(), *kind, "{e} {fault:?}: {err}");
            ctl.clear_faults();
            assert_eq!(
                other(&c, &q).await.unwrap().buckets.len(),
                7,
                "{e}: no recovery after {fault:?}"
            );
        }
        ctl.inject(Fault::RepeatingCursor, u32::MAX);
        let err = other(&c, &q).await.unwrap_err();
        assert!(
            matches!(err, ApiError::RepeatingCursor { .. }),
            "{e}: {err:?}"
        );
        ctl.clear_faults();
    }
}

/// A fault on one endpoint fails the refresh with that endpoint's error; the next refresh
/// recovers and the totals are whole again.
#[tokio::test]
async fn a_failing_endpoint_fails_the_refresh_and_the_next_one_recovers() {
    let sim = sim().await;
    let ctl = sim.control();
    let mut t = usage_tracker::engine::tracker::Tracker::new(
        client(&sim),
        config(BucketWidth::Hour, 6 * 3600, &[DEMO_KEY_ID]),
    );
    let before = t.refresh(ctl.now() * 1000).await.unwrap();
    // Completions answer, then images fails for good.
    ctl.advance(15);
    ctl.inject(Fault::Slow(Duration::ZERO), 1);
    ctl.inject(Fault::Unauthorized, u32::MAX);
    let err = t.refresh(ctl.now() * 1000).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
    ctl.clear_faults();
    let after = t.refresh(ctl.now() * 1000).await.unwrap();
    assert_eq!(after.other.kinds.len(), before.other.kinds.len());
    assert!(after.other.requests >= before.other.requests);
}

/// The client asks for gzip and the simulator compresses, as the real API does.
#[tokio::test]
async fn answers_come_compressed() {
    let sim = sim().await;
    let c = client(&sim);
    let q = query(
        Endpoint::Completions,
        sim.control().now() - 3600,
        BucketWidth::Minute,
        &[DEMO_KEY_ID],
    );
    completions(&c, &q).await.unwrap();
    let stats = sim.control().stats();
    assert_eq!(
        stats.gzip_accepted, stats.requests,
        "every request accepts gzip"
    );
    usage_tracker::openai::install_tls_provider();
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let url = format!(
        "{}/organization/usage/completions?start_time={}",
        sim.base_url(),
        q.start_time
    );
    let r = raw
        .get(url)
        .bearer_auth(usage_tracker_simulator::DEMO_ADMIN_KEY)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
}
