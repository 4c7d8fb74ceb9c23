//! Issue 18, items 2 and 3 over real HTTP: a tracked project (`--project-id`) and the figures
//! by key and by project, checked against the simulator's own tables: for every usage endpoint
//! a key's rows (asked grouped by key and project, as the app asks) equal what the simulator
//! serves for that key alone (asked filtered, another path through it); `once --format json`'s
//! `by_key` and `by_project` equal the same and add up to the total; a project's view holds
//! its keys only; an id of no project is bad input.
//!
//! The simulator's clock stands still at the real time the test starts, so `once` (which reads
//! the system clock) and the direct queries see the same day.

mod common;

use common::binary::{cmd, run};
use common::{direct_total, fast_options};
use std::collections::BTreeMap;
use usage_tracker::openai::AdminClient;
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::{
    DEMO_ADMIN_KEY, DEMO_KEY_ID, DEMO_PROJECT_ID, SimClock, SimConfig, SimControl, SimServer,
};

const BATCH_KEY: &str = "key_demoBatch02";
const OTHER_KEY: &str = "key_otherTeam03";
const OTHER_PROJECT: &str = "proj_otherTeam03";
const SETTINGS: &str = "tier = \"standard\"\n";

struct Sim {
    rt: tokio::runtime::Runtime,
    sim: SimServer,
    ctl: SimControl,
    client: AdminClient,
}

fn frozen_sim() -> Sim {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut config = SimConfig::test();
    config.clock = SimClock::Manual { start: now };
    config.extra_projects = 2;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(SimServer::start(config, None)).unwrap();
    let ctl = sim.control();
    let client = AdminClient::new(
        &sim.base_url(),
        &secrecy::SecretString::from(DEMO_ADMIN_KEY.to_owned()),
        fast_options(),
    )
    .unwrap();
    Sim {
        rt,
        sim,
        ctl,
        client,
    }
}

impl Sim {
    fn midnight(&self) -> i64 {
        self.ctl.now() - self.ctl.now().rem_euclid(86_400)
    }

    /// What the simulator serves for `ids` (keys or projects) alone, today: (quantity, requests).
    fn truth(&self, e: Endpoint, ids: &[&str]) -> (u64, u64) {
        self.rt.block_on(direct_total(
            &self.client,
            e,
            self.midnight(),
            BucketWidth::Hour,
            ids,
        ))
    }

    /// `once` with `args`, today, in a fresh home: (exit code, stdout, stderr).
    fn once(&self, args: &[&str]) -> (i32, String, String) {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config/usage-tracker");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(config.join("settings.toml"), SETTINGS).unwrap();
        let (out, stdout, stderr) = run(cmd(&home)
            .env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY)
            .arg("once")
            .args(["--lookback-hours", "today"])
            .args(args)
            .arg("--base-url")
            .arg(self.sim.base_url())
            .arg("--data-dir")
            .arg(home.path().join("data")));
        (out.status.code().unwrap_or(-1), stdout, stderr)
    }

    fn once_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let (code, stdout, stderr) = self.once(&all);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }
}

/// For every usage endpoint: the whole organization asked grouped by key and project (as the
/// app asks it) gives each key and each project exactly what the simulator serves when asked
/// for that key or project alone, and the owners add up to the whole.
#[test]
fn every_endpoint_by_key_and_project_equals_the_simulators_tables() {
    let s = frozen_sim();
    let start = s.midnight();
    for e in Endpoint::ALL {
        let q = usage_tracker::openai::UsageQuery::new(e, start, BucketWidth::Hour, &[]);
        assert!(q.by_owner, "the organization is asked by key and project");
        let mut by_key: BTreeMap<Option<String>, (u64, u64)> = BTreeMap::new();
        let mut by_project: BTreeMap<Option<String>, (u64, u64)> = BTreeMap::new();
        let mut add = |key: Option<&str>, project: Option<&str>, q: u64, r: u64| {
            for (map, id) in [(&mut by_key, key), (&mut by_project, project)] {
                let v = map.entry(id.map(str::to_owned)).or_default();
                v.0 += q;
                v.1 += r;
            }
        };
        if e == Endpoint::Completions {
            let f = s.rt.block_on(common::completions(&s.client, &q)).unwrap();
            for r in f.buckets.iter().flat_map(|b| &b.rows) {
                add(
                    r.owner.api_key_id.as_deref(),
                    r.owner.project_id.as_deref(),
                    r.total_tokens(),
                    r.requests,
                );
            }
        } else {
            let f = s.rt.block_on(common::other(&s.client, &q)).unwrap();
            for m in f.buckets.iter().flat_map(|b| &b.rows) {
                add(
                    m.owner.api_key_id.as_deref(),
                    m.owner.project_id.as_deref(),
                    m.quantity,
                    m.requests,
                );
            }
        }
        let whole = s.truth(e, &[]);
        let sum = |m: &BTreeMap<Option<String>, (u64, u64)>| {
            m.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1))
        };
        assert_eq!(sum(&by_key), whole, "{e}: the keys add up to the whole");
        assert_eq!(
            sum(&by_project),
            whole,
            "{e}: the projects add up to the whole"
        );
        for key in [DEMO_KEY_ID, BATCH_KEY, OTHER_KEY] {
            let got = by_key
                .get(&Some(key.to_owned()))
                .copied()
                .unwrap_or_default();
            assert_eq!(got, s.truth(e, &[key]), "{e}: {key}");
        }
        for project in [DEMO_PROJECT_ID, OTHER_PROJECT] {
            let got = by_project
                .get(&Some(project.to_owned()))
                .copied()
                .unwrap_or_default();
            assert_eq!(got, s.truth(e, &[project]), "{e}: {project}");
        }
        assert!(
            by_key.keys().all(Option::is_some),
            "{e}: every simulated row has a key: {by_key:?}"
        );
    }
    // Something to compare: the completions of the organization are not nothing.
    assert!(s.truth(Endpoint::Completions, &[]).0 > 0);
}

fn u(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// `once --format json` for the whole organization: `by_key` and `by_project` carry every key
/// and project with usage, each equal to the simulator's figure for it alone, named, sorted by
/// cost, adding up to the totals; `billed_usd` is the month's bill of each as the simulator
/// bills it; the filler keys (never used) are dormant.
#[test]
fn once_json_by_key_and_by_project_equal_the_tables_and_add_up() {
    let s = frozen_sim();
    let v = s.once_json(&[]);
    let totals = &v["totals"];
    let by_key = v["by_key"].as_array().unwrap();
    let by_project = v["by_project"].as_array().unwrap();
    let ids: Vec<&str> = by_key
        .iter()
        .map(|k| k["api_key_id"].as_str().unwrap())
        .collect();
    for key in [DEMO_KEY_ID, BATCH_KEY, OTHER_KEY] {
        assert!(ids.contains(&key), "{key} in {ids:?}");
        let row = by_key.iter().find(|k| k["api_key_id"] == key).unwrap();
        let (tokens, requests) = s.truth(Endpoint::Completions, &[key]);
        assert_eq!(u(&row["total_tokens"]), tokens, "{key}");
        assert_eq!(u(&row["requests"]), requests, "{key}");
        assert!(
            row["name"].as_str().is_some_and(|n| !n.starts_with("key_")),
            "{row}"
        );
        assert!(row["project_name"].is_string(), "{row}");
    }
    let primary = by_key
        .iter()
        .find(|k| k["api_key_id"] == DEMO_KEY_ID)
        .unwrap();
    assert_eq!(primary["name"], "Production backend");
    assert_eq!(primary["project_id"], DEMO_PROJECT_ID);
    assert_eq!(primary["project_name"], "Demo app");
    let sum = |rows: &[serde_json::Value], field: &str| -> u64 {
        rows.iter().map(|r| u(&r[field])).sum()
    };
    assert_eq!(sum(by_key, "total_tokens"), u(&totals["total_tokens"]));
    assert_eq!(sum(by_key, "requests"), u(&totals["requests"]));
    assert_eq!(sum(by_project, "total_tokens"), u(&totals["total_tokens"]));
    assert_eq!(sum(by_project, "requests"), u(&totals["requests"]));
    let cost: f64 = by_key.iter().map(|k| f(&k["cost_usd"])).sum();
    let whole = f(&v["total_cost_usd"]);
    // Every amount is rounded to 0.001 (the JSON's money rule): the parts may be off their
    // whole by half of that each.
    let within = |n: usize| 0.0005 * (n + 1) as f64 + 1e-9;
    assert!(
        whole > 0.0 && (cost - whole).abs() <= within(by_key.len()),
        "{cost} vs {whole}"
    );
    let pcost: f64 = by_project.iter().map(|p| f(&p["cost_usd"])).sum();
    assert!(
        (pcost - whole).abs() <= within(by_project.len()),
        "{pcost} vs {whole}"
    );
    assert!(
        by_key
            .windows(2)
            .all(|w| f(&w[0]["cost_usd"]) >= f(&w[1]["cost_usd"])),
        "sorted by cost"
    );
    for project in [DEMO_PROJECT_ID, OTHER_PROJECT] {
        let row = by_project
            .iter()
            .find(|p| p["project_id"] == project)
            .unwrap();
        let (tokens, requests) = s.truth(Endpoint::Completions, &[project]);
        assert_eq!(u(&row["total_tokens"]), tokens, "{project}");
        assert_eq!(u(&row["requests"]), requests, "{project}");
    }
    // The month's bill of each key, as the simulator bills that key alone.
    let now = s.ctl.now();
    let month = usage_tracker::bill::utc_month_start(now);
    for key in [DEMO_KEY_ID, BATCH_KEY, OTHER_KEY] {
        let billed: f64 = s
            .ctl
            .billed(month, now, &[key])
            .iter()
            .flat_map(|d| &d.items)
            .filter(|i| i.2 == "usd")
            .map(|i| i.1)
            .sum();
        let row = by_key.iter().find(|k| k["api_key_id"] == key).unwrap();
        let got = f(&row["billed_usd"]);
        assert!(
            (got - billed).abs() <= 0.0005 + 1e-9, // rounded to 0.001
            "{key}: billed {got}, the simulator bills {billed}"
        );
    }
    // The filler projects' keys have never been used.
    let dormant: Vec<&str> = v["dormant_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["api_key_id"].as_str().unwrap())
        .collect();
    assert_eq!(dormant, ["key_filler0001", "key_filler0002"]);
}

/// A tracked project: only its keys, its figures equal the simulator's for the project, the
/// table by key names them and says which keys sit unused; an id of no project is exit 2.
#[test]
fn a_tracked_project_holds_its_keys_only_and_an_unknown_one_is_bad_input() {
    let s = frozen_sim();
    let v = s.once_json(&["--project-id", DEMO_PROJECT_ID]);
    assert_eq!(v["project_ids"], serde_json::json!([DEMO_PROJECT_ID]));
    assert_eq!(v["api_key_ids"], serde_json::json!([]));
    // Asked filtered by the project, grouped by key and project.
    let q = s.ctl.last_usage_query().unwrap();
    assert_eq!(q.project_ids, [DEMO_PROJECT_ID]);
    assert!(q.api_key_ids.is_empty());
    assert!(
        q.group_by.iter().any(|g| g.as_str() == "api_key_id"),
        "{q:?}"
    );
    assert!(
        q.group_by.iter().any(|g| g.as_str() == "project_id"),
        "{q:?}"
    );
    let (tokens, requests) = s.truth(Endpoint::Completions, &[DEMO_PROJECT_ID]);
    assert_eq!(u(&v["totals"]["total_tokens"]), tokens);
    assert_eq!(u(&v["totals"]["requests"]), requests);
    let (org_tokens, _) = s.truth(Endpoint::Completions, &[]);
    assert!(tokens < org_tokens, "the project is not the organization");
    let mut ids: Vec<&str> = v["by_key"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["api_key_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, [BATCH_KEY, DEMO_KEY_ID]);
    let projects: Vec<&serde_json::Value> = v["by_project"].as_array().unwrap().iter().collect();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["project_id"], DEMO_PROJECT_ID);
    assert_eq!(projects[0]["name"], "Demo app");

    let (code, stdout, stderr) = s.once(&["--project-id", DEMO_PROJECT_ID, "--by", "key"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Production backend (key_demoPrimary01)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Nightly batch jobs (key_demoBatch02)"),
        "{stdout}"
    );
    assert!(!stdout.contains(OTHER_KEY), "{stdout}");
    assert!(
        stdout.contains("Keys: all keys of proj_demoApp01"),
        "{stdout}"
    );

    let (code, _, stderr) = s.once(&["--project-id", "proj_noSuchProject9"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("proj_noSuchProject9 is not a project of this organization"),
        "{stderr}"
    );
    let (code, _, stderr) = s.once(&["--project-id", "key_demoPrimary01"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("proj_"), "{stderr}");
}

/// `--by` names what it accepts; the whole organization's table by project and the dormant
/// keys' line.
#[test]
fn by_project_table_and_a_bad_by_value() {
    let s = frozen_sim();
    let (code, _, stderr) = s.once(&["--by", "team"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for accepted in ["model", "key", "project"] {
        assert!(stderr.contains(accepted), "{stderr}");
    }
    let (code, stdout, stderr) = s.once(&["--by", "project"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Demo app (proj_demoApp01)"), "{stdout}");
    assert!(stdout.contains("Other team (proj_otherTeam03)"), "{stdout}");
    assert!(stdout.contains("2 keys unused for 30 days"), "{stdout}");
}

/// `export --by key|project` reads the history `once` kept for the whole organization: per
/// key (and per project) the completions of today's hours equal what the simulator serves for
/// that key (project) alone, and a bad `--by` names what it accepts.
#[test]
fn export_by_key_and_by_project_equal_the_tables() {
    let s = frozen_sim();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/usage-tracker");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("settings.toml"), SETTINGS).unwrap();
    let data = home.path().join("data");
    let (out, _, stderr) = run(cmd(&home)
        .env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY)
        .args(["once", "--lookback-hours", "today", "--base-url"])
        .arg(s.sim.base_url())
        .arg("--data-dir")
        .arg(&data));
    assert!(out.status.success(), "{stderr}");
    let day = chrono::DateTime::from_timestamp(s.midnight(), 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    let export = |by: &str| {
        let (out, stdout, stderr) = run(cmd(&home)
            .args([
                "export", "--hourly", "--from", &day, "--to", &day, "--by", by,
            ])
            .arg("--data-dir")
            .arg(&data));
        (out.status.code().unwrap_or(-1), stdout, stderr)
    };
    // (key or project) -> completions tokens of today's hours.
    let read = |csv: &str, column: &str| -> BTreeMap<String, u64> {
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(
            &header[..4],
            ["period", "start_time", "api_key_id", "project_id"]
        );
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let mut out = BTreeMap::new();
        for l in lines {
            let r: Vec<&str> = l.split(',').collect();
            assert_eq!(r.len(), header.len(), "{l}");
            if r[col("endpoint")] == "completions" {
                *out.entry(r[col(column)].to_owned()).or_default() +=
                    r[col("quantity")].parse::<u64>().unwrap();
            }
        }
        out
    };
    let (code, stdout, stderr) = export("key");
    assert_eq!(code, 0, "{stderr}");
    let keys = read(&stdout, "api_key_id");
    for key in [DEMO_KEY_ID, BATCH_KEY, OTHER_KEY] {
        let want = s.truth(Endpoint::Completions, &[key]).0;
        assert!(want > 0, "{key}");
        assert_eq!(keys.get(key).copied().unwrap_or_default(), want, "{key}");
    }
    assert_eq!(
        keys.values().sum::<u64>(),
        s.truth(Endpoint::Completions, &[]).0,
        "the keys add up to the whole: {keys:?}"
    );
    let (code, stdout, stderr) = export("project");
    assert_eq!(code, 0, "{stderr}");
    let projects = read(&stdout, "project_id");
    for project in [DEMO_PROJECT_ID, OTHER_PROJECT] {
        assert_eq!(
            projects.get(project).copied().unwrap_or_default(),
            s.truth(Endpoint::Completions, &[project]).0,
            "{project}"
        );
    }
    let (code, stdout, stderr) = export("team");
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    for accepted in ["model", "key", "project"] {
        assert!(stderr.contains(accepted), "{stderr}");
    }
}
