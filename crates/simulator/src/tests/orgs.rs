//! Several organizations behind one simulator: the admin key chooses whose projects, keys,
//! usage and counters answer, and the `openai-organization` header names it.

use super::super::*;
use super::http_client::{USAGE, send};

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_admin_key_gets_its_own_organization() {
    let second = SimConfig::other_organization("second", 2);
    let srv = SimServer::start_organizations(vec![SimConfig::test(), second.clone()], None)
        .await
        .unwrap();
    let [a, b] = <[SimControl; 2]>::try_from(srv.controls()).ok().unwrap();
    let base = srv.base_url();
    let projects = "/v1/organization/projects?include_archived=true";
    let ra = send(&base, "GET", projects, Some(DEMO_ADMIN_KEY)).await;
    let rb = send(&base, "GET", projects, Some(&second.admin_key)).await;
    assert_eq!(ra.header("openai-organization"), Some(DEMO_ORGANIZATION));
    assert_eq!(rb.header("openai-organization"), Some("org-second"));
    let (pa, pb) = (ids(&ra.json()), ids(&rb.json()));
    assert!(pa.contains(&DEMO_PROJECT_ID.to_owned()), "{pa:?}");
    assert!(pb.contains(&format!("{DEMO_PROJECT_ID}_second")), "{pb:?}");
    assert_eq!(pa.len(), pb.len());
    assert!(pa.iter().all(|p| !pb.contains(p)), "{pa:?} {pb:?}");
    // Keys too.
    let keys = format!("/v1/organization/projects/{DEMO_PROJECT_ID}_second/api_keys");
    let kb = send(&base, "GET", &keys, Some(&second.admin_key))
        .await
        .json();
    assert!(ids(&kb).contains(&format!("{DEMO_KEY_ID}_second")), "{kb}");
    // Usage from each one's own tables, counted by each one's own counters.
    let start = a.now() - 3_600;
    let path = format!("{USAGE}?start_time={start}&bucket_width=1h&group_by=project_id");
    let ua = send(&base, "GET", &path, Some(DEMO_ADMIN_KEY)).await;
    let ub = send(&base, "GET", &path, Some(&second.admin_key)).await;
    assert_eq!((ua.status, ub.status), (200, 200));
    let q = a.last_usage_query().unwrap();
    assert_eq!(
        ua.body,
        usage_page_json(&SimConfig::test(), &q, a.now()).unwrap()
    );
    assert_eq!(ub.body, usage_page_json(&second, &q, b.now()).unwrap());
    assert_ne!(ua.body, ub.body);
    assert!(ub.text().contains(&format!("{DEMO_PROJECT_ID}_second")));
    assert!(!ub.text().contains(&format!("\"{DEMO_PROJECT_ID}\"")));
    assert_eq!((a.stats().requests, b.stats().requests), (2, 3));
    // An unknown key is refused, with no organization named.
    let bad = send(&base, "GET", projects, Some("sk-admin-nobody")).await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.header("openai-organization"), None);
    // A rotated key: the new one answers for the same organization, the old one is refused.
    b.rotate_admin_key("sk-admin-second-rotated");
    let old = send(&base, "GET", projects, Some(&second.admin_key)).await;
    assert_eq!(old.status, 401);
    let new = send(&base, "GET", projects, Some("sk-admin-second-rotated")).await;
    assert_eq!(new.header("openai-organization"), Some("org-second"));
    assert_eq!(ids(&new.json()), pb);
    srv.shutdown().await;
}
