//! Over real HTTP: injected faults, the clock, bursts and the `/_sim` control plane.

use super::super::*;
use super::http_client::{USAGE, get, minute_usage, post, send, server, server_on, usage_path};
use std::time::{Duration, Instant};

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

    let served = ctl.stats().buckets_served;
    ctl.inject(Fault::NotJson, 1);
    let r = get(&srv, &path).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    assert_eq!(
        ctl.stats().buckets_served,
        served,
        "a page not delivered is not counted"
    );

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

/// Requests of the tracked key's images in the 1-minute bucket starting at `minute`.
async fn image_requests(srv: &SimServer, minute: i64) -> u64 {
    let path = format!(
        "/v1/organization/usage/images?start_time={minute}&end_time={}&bucket_width=1m&api_key_ids={DEMO_KEY_ID}",
        minute + 60
    );
    let v = get(srv, &path).await.json();
    let rows = v["data"][0]["results"].as_array().unwrap().clone();
    rows.iter()
        .map(|r| r["num_model_requests"].as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn a_burst_on_one_endpoint_leaves_the_others_calm() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let minute = ctl.now() - ctl.now() % 60;
    ctl.set_now(minute + 60);
    let (calm_t, calm_r) = minute_usage(&srv, minute).await;
    assert!(image_requests(&srv, minute).await < 10);
    let r = post(&srv, "/_sim/burst?endpoint=images&minutes=2&factor=400").await;
    assert_eq!(r.status, 200);
    let bad = post(&srv, "/_sim/burst?endpoint=imagez").await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("'imagez'"), "{}", bad.text());
    ctl.advance(60);
    assert!(image_requests(&srv, minute + 60).await > 120);
    // Completions of the burst minute are exactly those of a simulator without the burst.
    let (plain, plain_ctl) = server(SimConfig::test()).await;
    plain_ctl.set_now(ctl.now());
    let burst_minute = minute_usage(&srv, minute + 60).await;
    assert_eq!(burst_minute, minute_usage(&plain, minute + 60).await);
    assert!(calm_t < 10_000 && calm_r < 120);
    srv.shutdown().await;
    plain.shutdown().await;
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
