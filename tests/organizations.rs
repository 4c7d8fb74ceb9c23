//! A history per organization, through the real binary over HTTP: two simulated organizations
//! (two admin keys, one simulator) over ONE data folder each see exactly their own figures, run
//! after run; a new admin key of the same organization keeps its history (a restart fetches
//! little); a version-2 store (rows keyed by key set only) is never counted as anyone's.
//!
//! The simulator's clock stands still at the real time the test starts, so its figures do not
//! move between the runs; `once` looks at today (UTC), whose start does not move either.

mod common;

use common::binary::{cmd, run};
use common::{direct_total, fast_options};
use std::path::Path;
use usage_tracker::openai::AdminClient;
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::{DEMO_ADMIN_KEY, SimClock, SimConfig, SimControl, SimServer};

const SETTINGS: &str = "tier = \"standard\"\n";

struct Orgs {
    rt: tokio::runtime::Runtime,
    sim: SimServer,
    a: SimControl,
    b: SimControl,
    b_key: String,
}

/// Organization A (the demo's) and B (`org-second`, its own seed, projects and keys).
fn two_organizations() -> Orgs {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let frozen = |mut c: SimConfig| {
        c.clock = SimClock::Manual { start: now };
        c
    };
    let second = SimConfig::other_organization("second", 2);
    let b_key = second.admin_key.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(SimServer::start_organizations(
            vec![frozen(SimConfig::test()), frozen(second)],
            None,
        ))
        .unwrap();
    let [a, b] = <[SimControl; 2]>::try_from(sim.controls()).ok().unwrap();
    Orgs {
        rt,
        sim,
        a,
        b,
        b_key,
    }
}

/// `once --format json` for the whole organization of `admin_key`, today, keeping history in
/// `data`: (total tokens, requests).
fn once(home: &tempfile::TempDir, orgs: &Orgs, admin_key: &str, data: &Path) -> (u64, u64) {
    let config = home.path().join("config/usage-tracker");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("settings.toml"), SETTINGS).unwrap();
    let (out, stdout, stderr) = run(cmd(home)
        .env("OPENAI_ADMIN_KEY", admin_key)
        .args(["once", "--format", "json", "--lookback-hours", "today"])
        .arg("--base-url")
        .arg(orgs.sim.base_url())
        .arg("--data-dir")
        .arg(data));
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("without history"), "{stderr}");
    assert!(
        !stderr.contains(admin_key),
        "the admin key in stderr: {stderr}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let t = &v["totals"];
    (
        t["total_tokens"].as_u64().unwrap(),
        t["requests"].as_u64().unwrap(),
    )
}

/// What the simulator itself says organization `admin_key` used today, asked directly.
fn truth(orgs: &Orgs, admin_key: &str, ctl: &SimControl) -> (u64, u64) {
    let midnight = ctl.now() - ctl.now().rem_euclid(86_400);
    let client = AdminClient::new(
        &orgs.sim.base_url(),
        &secrecy::SecretString::from(admin_key.to_owned()),
        fast_options(),
    )
    .unwrap();
    orgs.rt.block_on(direct_total(
        &client,
        Endpoint::Completions,
        midnight,
        BucketWidth::Hour,
        &[],
    ))
}

#[test]
fn two_organizations_over_one_data_folder_each_equal_their_own_tables() {
    let orgs = two_organizations();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let truth_a = truth(&orgs, DEMO_ADMIN_KEY, &orgs.a);
    let truth_b = truth(&orgs, &orgs.b_key, &orgs.b);
    assert_ne!(truth_a, truth_b, "the organizations' usage must differ");
    assert!(truth_a.0 > 0 && truth_b.0 > 0);
    orgs.a.reset_stats();
    orgs.b.reset_stats();

    assert_eq!(once(&home, &orgs, DEMO_ADMIN_KEY, &data), truth_a, "A");
    let cold_a = orgs.a.stats().requests;
    assert_eq!(orgs.b.stats().requests, 0, "A's run asked A only");
    assert_eq!(once(&home, &orgs, &orgs.b_key, &data), truth_b, "B after A");
    let cold_b = orgs.b.stats().requests;
    orgs.a.reset_stats();
    assert_eq!(
        once(&home, &orgs, DEMO_ADMIN_KEY, &data),
        truth_a,
        "A again"
    );
    let warm_a = orgs.a.stats().requests;
    eprintln!("requests: A cold {cold_a}, B cold {cold_b} (same folder), A again {warm_a}");
    // A's history was kept beside B's: the second run of A asks less than its first (its
    // key is known: no project list; its final hours are not asked again).
    assert!(
        warm_a < cold_a,
        "A again asked {warm_a}, its first run {cold_a}"
    );
    assert!(
        orgs.a.stats().endpoints.contains_key("completions"),
        "{:?}",
        orgs.a.stats()
    );
}

#[test]
fn a_new_admin_key_of_the_same_organization_keeps_its_history() {
    let orgs = two_organizations();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let truth_b = truth(&orgs, &orgs.b_key, &orgs.b);
    orgs.b.reset_stats();
    assert_eq!(once(&home, &orgs, &orgs.b_key, &data), truth_b);
    let cold = orgs.b.stats().requests;
    orgs.b.reset_stats();
    assert_eq!(once(&home, &orgs, &orgs.b_key, &data), truth_b);
    let restart = orgs.b.stats().requests;

    // The organization's admin key is rotated: the old one is refused from now on.
    let rotated = "sk-admin-second-rotated-000000000";
    orgs.b.rotate_admin_key(rotated);
    orgs.b.reset_stats();
    assert_eq!(
        once(&home, &orgs, rotated, &data),
        truth_b,
        "after rotation"
    );
    let after_rotation = orgs.b.stats().requests;
    // The same run on a fresh folder: what losing the history would cost.
    let fresh = home.path().join("fresh");
    orgs.b.reset_stats();
    assert_eq!(once(&home, &orgs, rotated, &fresh), truth_b);
    let without_history = orgs.b.stats().requests;
    eprintln!(
        "requests: cold {cold}, restart {restart}, restart after rotation {after_rotation}, \
         the new key without history {without_history}"
    );
    // One request more than a restart (the new key's project list), far fewer than a cold
    // start.
    assert_eq!(after_rotation, restart + 1, "after rotation");
    assert!(
        after_rotation < without_history,
        "{after_rotation} vs {without_history}"
    );
    // And A, never seen in this folder, starts its own history.
    assert_eq!(
        once(&home, &orgs, DEMO_ADMIN_KEY, &data),
        truth(&orgs, DEMO_ADMIN_KEY, &orgs.a)
    );
}

/// A store written before the history was the organization's (schema 2): its rows (here: a
/// huge final bucket of today for the whole organization) are kept but never counted, so the
/// figures equal the organization's own.
#[test]
fn a_version_2_store_is_never_counted_as_an_organizations() {
    use usage_tracker::store::schema::MIGRATIONS;
    let orgs = two_organizations();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let file = data.join("history.sqlite");
    let midnight = orgs.b.now() - orgs.b.now().rem_euclid(86_400);
    {
        let mut conn = rusqlite::Connection::open(&file).unwrap();
        for (i, step) in MIGRATIONS[..2].iter().enumerate() {
            let tx = conn.transaction().unwrap();
            step(&tx).unwrap();
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .unwrap();
            tx.commit().unwrap();
        }
        // Fetched far in the future: final, never asked again by a v2 reader.
        conn.execute_batch(&format!(
            "INSERT INTO series (id, key_set, endpoint, width) VALUES (1, 'organization', 'completions', 3600);
             INSERT INTO name (id, text) VALUES (1, 'gpt-4o-2024-08-06');
             INSERT INTO usage_bucket (id, series_id, start_time, end_time, fetched_at)
               VALUES (1, 1, {midnight}, {end}, {later});
             INSERT INTO usage_row (bucket_id, model_id, tier, quantity, output, requests)
               VALUES (1, 1, 'standard', 99000000, 1000000, 7);",
            end = midnight + 3_600,
            later = midnight + 10 * 86_400,
        ))
        .unwrap();
    }
    let truth_b = truth(&orgs, &orgs.b_key, &orgs.b);
    assert_eq!(once(&home, &orgs, &orgs.b_key, &data), truth_b);
    let conn = rusqlite::Connection::open(&file).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 4);
    let old: i64 = conn
        .query_row(
            "SELECT count(*) FROM series WHERE key_set = 'v2:organization'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 1, "the old rows are kept, unattributed");
}
