//! The simulator over real HTTP on 127.0.0.1: auth, errors, faults, lists, control plane.

use super::http_client::{Reply, send};
use super::*;
use std::time::{Duration, Instant};

const USAGE: &str = "/v1/organization/usage/completions";

async fn server(config: SimConfig) -> (SimServer, SimControl) {
    let srv = SimServer::start(config, None)
        .await
        .expect("bind 127.0.0.1");
    let ctl = srv.control();
    (srv, ctl)
}

async fn get(srv: &SimServer, path: &str) -> Reply {
    send(&srv.base_url(), "GET", path, Some(DEMO_ADMIN_KEY)).await
}

async fn post(srv: &SimServer, path: &str) -> Reply {
    send(&srv.base_url(), "POST", path, None).await
}

fn usage_path(ctl: &SimControl) -> String {
    let start = ctl.now() - 3 * 3600;
    format!("{USAGE}?start_time={start}&bucket_width=1h&api_key_ids={DEMO_KEY_ID}&group_by=model")
}

#[tokio::test]
async fn serves_exactly_the_pure_page_and_records_the_query() {
    let (srv, ctl) = server(SimConfig::test()).await;
    assert!(srv.base_url().starts_with("http://127.0.0.1:") && srv.base_url().ends_with("/v1"));
    let start = ctl.now() - 7200;
    let path = format!(
        "{USAGE}?start_time={start}&bucket_width=1m&limit=90&api_key_ids={DEMO_KEY_ID}&api_key_ids%5B%5D=key_x&group_by=model&group_by=service_tier"
    );
    let reply = get(&srv, &path).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let q = ctl.last_usage_query().expect("recorded");
    assert_eq!(q.api_key_ids, [DEMO_KEY_ID, "key_x"]);
    assert_eq!(q.group_by, [GroupField::Model, GroupField::ServiceTier]);
    assert_eq!(
        (q.start_time, q.bucket_width, q.limit),
        (start, BucketWidth::Minute, Some(90))
    );
    assert_eq!(
        reply.body,
        usage_page_json(&SimConfig::test(), &q, ctl.now()).unwrap()
    );

    let v = reply.json();
    assert_eq!(v["object"], "page");
    assert_eq!(v["data"].as_array().unwrap().len(), 90);
    assert_eq!(v["has_more"], true);
    let stats = ctl.stats();
    assert_eq!(
        (stats.requests, stats.usage_requests, stats.buckets_served),
        (1, 1, 90)
    );
    let rows: u64 = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["results"].as_array().unwrap().len() as u64)
        .sum();
    assert_eq!(stats.rows_served, rows);

    // The cursor leads on to the remaining buckets.
    let next = v["next_page"].as_str().unwrap();
    let v2 = get(&srv, &format!("{path}&page={next}")).await.json();
    let first2 = v2["data"][0]["start_time"].as_i64().unwrap();
    assert_eq!(first2, v["data"][89]["start_time"].as_i64().unwrap() + 60);
    assert_eq!(v2["has_more"], false);
    assert!(v2["next_page"].is_null());
    srv.shutdown().await;
}

#[tokio::test]
async fn auth_failures_are_401_or_403_and_never_echo_the_key() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let path = usage_path(&ctl);
    let none = send(&srv.base_url(), "GET", &path, None).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["error"]["type"], "invalid_request_error");

    let wrong = "sk-admin-wrongwrongwrong1234";
    let r = send(&srv.base_url(), "GET", &path, Some(wrong)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "invalid_api_key");
    assert!(!r.text().contains("wrong") && !r.text().contains("1234"));

    let project_key = "sk-proj-abcdefghijklmnop";
    let r = send(&srv.base_url(), "GET", &path, Some(project_key)).await;
    assert_eq!(r.status, 403);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        msg.contains("insufficient permissions") && msg.contains("api.usage.read"),
        "{msg}"
    );
    assert!(!r.text().contains("abcdefgh"));

    let r = send(
        &srv.base_url(),
        "GET",
        "/v1/organization/projects",
        Some("sk-legacy-key"),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(ctl.stats().requests, 4);
    srv.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_get_400_with_an_openai_error_body() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let now = ctl.now();
    for (query, param) in [
        ("bucket_width=1d".to_owned(), "start_time"),
        (
            format!("start_time={now}&bucket_width=1m&limit=1441"),
            "limit",
        ),
        (
            format!("start_time={now}&bucket_width=1d&limit=32"),
            "limit",
        ),
        (
            format!("start_time={now}&bucket_width=1h&limit=169"),
            "limit",
        ),
        (format!("start_time={now}&bucket_width=5m"), "bucket_width"),
        (format!("start_time={now}&group_by=colour"), "group_by"),
        (format!("start_time={}&page=page_forged", now - 60), "page"),
        (
            format!("start_time={now}&end_time={}", now - 10),
            "end_time",
        ),
    ] {
        let r = get(&srv, &format!("{USAGE}?{query}")).await;
        assert_eq!(r.status, 400, "{query}");
        let e = r.json()["error"].clone();
        assert_eq!(e["type"], "invalid_request_error", "{query}");
        assert_eq!(e["param"], param, "{query}");
        assert!(e["code"].is_null() && e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let r = get(&srv, "/v1/organization/usage/nonsense").await;
    assert_eq!(r.status, 404);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid URL")
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn status_faults_are_consumed_then_the_server_recovers() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let path = usage_path(&ctl);
    ctl.inject(
        Fault::RateLimited {
            retry_after_secs: Some(7),
        },
        2,
    );
    ctl.inject(
        Fault::RateLimited {
            retry_after_secs: None,
        },
        1,
    );
    ctl.inject(Fault::ServerError(503), 1);
    ctl.inject(Fault::ServerError(500), 1);
    ctl.inject(Fault::Unauthorized, 1);
    ctl.inject(Fault::Forbidden, 1);
    for _ in 0..2 {
        let r = get(&srv, &path).await;
        assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
        assert_eq!(r.json()["error"]["code"], "rate_limit_exceeded");
    }
    let r = get(&srv, &path).await;
    assert_eq!((r.status, r.header("retry-after")), (429, None));
    for status in [503, 500] {
        let r = get(&srv, &path).await;
        assert_eq!(r.status, status);
        assert_eq!(r.json()["error"]["type"], "server_error");
    }
    assert_eq!(get(&srv, &path).await.status, 401);
    assert_eq!(get(&srv, &path).await.status, 403);
    assert_eq!(get(&srv, &path).await.status, 200);
    let stats = ctl.stats();
    assert_eq!(
        (stats.requests, stats.usage_requests, stats.buckets_served),
        (8, 8, 4)
    );

    ctl.inject(Fault::ServerError(502), u32::MAX);
    for _ in 0..5 {
        assert_eq!(get(&srv, "/v1/organization/projects").await.status, 502);
    }
    ctl.clear_faults();
    assert_eq!(get(&srv, "/v1/organization/projects").await.status, 200);
    ctl.reset_stats();
    assert_eq!(ctl.stats(), SimStats::default());
    srv.shutdown().await;
}

#[tokio::test]
async fn body_faults_slow_truncated_not_json_and_repeating_cursor() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let path = usage_path(&ctl);
    let good = get(&srv, &path).await.body;

    ctl.inject(Fault::Slow(Duration::from_millis(300)), 1);
    let t = Instant::now();
    let r = get(&srv, &path).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!((r.status, &r.body), (200, &good));

    ctl.inject(Fault::TruncatedJson, 1);
    let r = get(&srv, &path).await;
    assert_eq!(r.status, 200);
    assert!(good.starts_with(&r.body) && r.body.len() < good.len());
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    ctl.inject(Fault::NotJson, 1);
    let r = get(&srv, &path).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    // Without a page: the cursor leads back to the first page; with one: the same cursor again.
    ctl.inject(Fault::RepeatingCursor, 3);
    let first = get(&srv, &path).await.json();
    assert_eq!(first["has_more"], true);
    let cursor = first["next_page"].as_str().unwrap().to_owned();
    let again = get(&srv, &format!("{path}&page={cursor}")).await.json();
    assert_eq!(again["next_page"].as_str(), Some(cursor.as_str()));
    assert_eq!(again["data"], first["data"]);
    let third = get(&srv, &format!("{path}&page={cursor}")).await.json();
    assert_eq!(third["next_page"].as_str(), Some(cursor.as_str()));
    assert_eq!(get(&srv, &path).await.body, good, "recovered after 3");
    srv.shutdown().await;
}

#[tokio::test]
async fn projects_and_keys_paginate_with_after() {
    let cfg = SimConfig {
        extra_projects: 5,
        ..SimConfig::test()
    };
    let (srv, _ctl) = server(cfg).await;
    let mut ids = Vec::new();
    let mut after = String::new();
    loop {
        let v = get(&srv, &format!("/v1/organization/projects?limit=2{after}"))
            .await
            .json();
        assert_eq!(v["object"], "list");
        let data = v["data"].as_array().unwrap();
        assert!(data.len() <= 2);
        assert_eq!(v["first_id"], data[0]["id"]);
        assert_eq!(v["last_id"], data[data.len() - 1]["id"]);
        ids.extend(data.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        if v["has_more"] == false {
            break;
        }
        after = format!("&after={}", v["last_id"].as_str().unwrap());
    }
    assert_eq!(ids.len(), 7, "{ids:?}");
    assert_eq!(&ids[..2], [DEMO_PROJECT_ID, "proj_otherTeam03"]);
    let all = get(
        &srv,
        "/v1/organization/projects?include_archived=true&limit=100",
    )
    .await
    .json();
    let archived: Vec<_> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "archived")
        .collect();
    assert_eq!(archived.len(), 1);
    assert!(archived[0]["archived_at"].is_i64());
    assert_eq!(
        get(&srv, "/v1/organization/projects?limit=101")
            .await
            .status,
        400
    );

    let keys = get(
        &srv,
        &format!("/v1/organization/projects/{DEMO_PROJECT_ID}/api_keys?owner_project_access=any"),
    )
    .await
    .json();
    let data = keys["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(
        (data[0]["id"].as_str(), data[0]["name"].as_str()),
        (Some(DEMO_KEY_ID), Some("Production backend"))
    );
    assert_eq!(data[0]["object"], "organization.project.api_key");
    assert!(
        data[0]["redacted_value"]
            .as_str()
            .unwrap()
            .starts_with("sk-proj-...")
    );
    assert_eq!(data[1]["owner"]["type"], "service_account");
    assert!(data[0]["last_used_at"].is_i64() && data[0]["created_at"].is_i64());
    let page1 = get(
        &srv,
        &format!("/v1/organization/projects/{DEMO_PROJECT_ID}/api_keys?limit=1"),
    )
    .await
    .json();
    assert_eq!(
        (page1["has_more"].as_bool(), page1["last_id"].as_str()),
        (Some(true), Some(DEMO_KEY_ID))
    );

    let missing = get(&srv, "/v1/organization/projects/proj_nope/api_keys").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["type"], "invalid_request_error");
    srv.shutdown().await;
}

/// Tokens and requests of the tracked key in the 1-minute bucket starting at `minute`.
async fn minute_usage(srv: &SimServer, minute: i64) -> (u64, u64) {
    let path = format!(
        "{USAGE}?start_time={minute}&end_time={}&bucket_width=1m&api_key_ids={DEMO_KEY_ID}",
        minute + 60
    );
    let v = get(srv, &path).await.json();
    let rows = v["data"][0]["results"].as_array().unwrap().clone();
    let n = |f: &str| rows.iter().map(|r| r[f].as_u64().unwrap()).sum::<u64>();
    (
        n("input_tokens") + n("output_tokens"),
        n("num_model_requests"),
    )
}

#[tokio::test]
async fn the_current_minute_grows_as_the_clock_moves() {
    let (srv, ctl) = server(SimConfig::test()).await;
    ctl.set_now(TEST_START - TEST_START % 60 + 5);
    let minute = ctl.now() - 5;
    let (t0, _) = minute_usage(&srv, minute).await;
    ctl.advance(30);
    let (t1, _) = minute_usage(&srv, minute).await;
    ctl.advance(30);
    let (t2, r2) = minute_usage(&srv, minute).await;
    assert!(t0 < t1 && t1 < t2, "{t0} {t1} {t2}");
    ctl.advance(3600);
    assert_eq!(
        minute_usage(&srv, minute).await,
        (t2, r2),
        "a finished minute never changes"
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn a_burst_pushes_the_tracked_key_over_the_spike_thresholds() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let minute = ctl.now() - ctl.now() % 60;
    ctl.set_now(minute + 60); // the previous minute is complete
    let (calm_t, calm_r) = minute_usage(&srv, minute).await;
    assert!(calm_t < 10_000 && calm_r < 120);
    ctl.start_burst(2, 20.0);
    ctl.advance(60);
    let (t, r) = minute_usage(&srv, minute + 60).await;
    assert!(t > 10_000 && r > 120, "{t} tokens, {r} requests");

    // The burst leader grows most.
    let by_model = |m: i64| {
        format!(
            "{USAGE}?start_time={m}&end_time={}&bucket_width=1m&api_key_ids={DEMO_KEY_ID}&group_by=model",
            m + 60
        )
    };
    let before = get(&srv, &by_model(minute)).await.json();
    let during = get(&srv, &by_model(minute + 60)).await.json();
    let tokens = |v: &serde_json::Value, model: &str| {
        v["data"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["model"] == model)
            .map(|r| r["input_tokens"].as_u64().unwrap() + r["output_tokens"].as_u64().unwrap())
            .sum::<u64>() as i64
    };
    let growth = |model: &str| tokens(&during, model) - tokens(&before, model);
    let leader = growth("gpt-4o-2024-08-06");
    for model in [
        "gpt-4o-mini-2024-07-18",
        "gpt-5-mini-2025-08-07",
        "o4-mini-2025-04-16",
    ] {
        assert!(leader > growth(model), "{model}");
    }
    srv.shutdown().await;
}

#[tokio::test]
async fn the_control_plane_works_over_http() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let path = usage_path(&ctl);
    assert_eq!(
        post(&srv, "/_sim/fault?kind=429&times=2&retry_after=3")
            .await
            .status,
        200
    );
    let r = get(&srv, &path).await;
    assert_eq!((r.status, r.header("retry-after")), (429, Some("3")));
    assert_eq!(post(&srv, "/_sim/clear").await.status, 200);
    assert_eq!(get(&srv, &path).await.status, 200);
    for (kind, status) in [("401", 401), ("403", 403), ("500", 500), ("503", 503)] {
        post(&srv, &format!("/_sim/fault?kind={kind}")).await;
        assert_eq!(get(&srv, &path).await.status, status, "{kind}");
    }
    post(&srv, "/_sim/fault?kind=slow&delay_ms=200").await;
    let t = Instant::now();
    assert_eq!(get(&srv, &path).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(200));
    post(&srv, "/_sim/fault?kind=not-json&times=forever").await;
    assert!(
        get(&srv, &path)
            .await
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        get(&srv, &path)
            .await
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    post(&srv, "/_sim/clear").await;
    post(&srv, "/_sim/fault?kind=truncated").await;
    assert!(get(&srv, &path).await.body.last() != Some(&b'}'));
    post(&srv, "/_sim/fault?kind=repeat-cursor").await;
    assert_eq!(get(&srv, &path).await.json()["has_more"], true);
    assert_eq!(post(&srv, "/_sim/fault?kind=teapot").await.status, 400);

    let before = ctl.now();
    let r = post(&srv, "/_sim/advance?secs=120").await;
    assert_eq!(r.json()["now"].as_i64(), Some(before + 120));
    assert_eq!(
        post(&srv, "/_sim/burst?minutes=3&factor=15").await.status,
        200
    );
    let minute = ctl.now() - ctl.now() % 60;
    ctl.advance(60);
    assert!(minute_usage(&srv, minute).await.0 > 10_000);

    let stats = send(&srv.base_url(), "GET", "/_sim/stats", None)
        .await
        .json();
    assert_eq!(stats["requests"].as_u64(), Some(ctl.stats().requests));
    assert!(stats["usage_requests"].as_u64().unwrap() >= 12);
    assert_eq!(post(&srv, "/_sim/reset-stats").await.status, 200);
    assert_eq!(ctl.stats(), SimStats::default());
    srv.shutdown().await;
}

#[tokio::test]
async fn a_given_port_is_used_and_the_real_clock_moves() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let cfg = SimConfig {
        latency: Duration::ZERO,
        ..SimConfig::demo()
    };
    let (srv, ctl) = server_on(cfg, port).await;
    assert_eq!(srv.base_url(), format!("http://127.0.0.1:{port}/v1"));
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((ctl.now() - wall).abs() <= 2);
    ctl.advance(3600);
    assert!((ctl.now() - wall - 3600).abs() <= 2);
    assert_eq!(get(&srv, &usage_path(&ctl)).await.status, 200);
    srv.shutdown().await;
}

async fn server_on(config: SimConfig, port: u16) -> (SimServer, SimControl) {
    let srv = SimServer::start(config, Some(port))
        .await
        .expect("bind the given port");
    let ctl = srv.control();
    (srv, ctl)
}
