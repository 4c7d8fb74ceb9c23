//! The Admin API over real HTTP on 127.0.0.1: pages, auth, parameter errors, lists.

use super::super::*;
use super::http_client::{USAGE, get, send, server, usage_path};

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
