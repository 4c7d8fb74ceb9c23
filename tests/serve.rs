//! `usage-tracker serve` end to end: the real binary against the simulated Admin API (real
//! HTTP on 127.0.0.1, its clock frozen at the test's start so its tables do not move), scraped
//! over HTTP:
//! - the tokens counters per model equal the simulator's own daily tables summed from the
//!   first of the UTC month (read from its JSON with serde_json, not through the client);
//! - late usage raises the counter by exactly what was added, once;
//! - SIGTERM exits 0, and a restart over the same data dir exports the same counters (not
//!   lower, not doubled);
//! - a token: 401 without it, 200 with it; a non-loopback --listen without one: exit 2, one
//!   line; neither the token nor the admin key in any output.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use usage_tracker::bill::utc_month_start;
use usage_tracker_simulator::{DEMO_KEY_ID, SimClock, SimConfig, SimServer};

const BIN: &str = env!("CARGO_BIN_EXE_usage-tracker");
const TOKEN: &str = "tok-0123456789abcdef-SECRET";
/// First in `extra`: serve the whole organization (no `--api-key-id`).
const ORG: &str = "<organization>";

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A simulator whose clock stands still at the real now, on a runtime of its own.
fn simulator() -> (tokio::runtime::Runtime, SimServer) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut config = SimConfig::test();
    config.clock = SimClock::Manual { start: now() };
    let sim = rt.block_on(SimServer::start(config, None)).unwrap();
    (rt, sim)
}

fn command(home: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(home);
    c
}

/// `serve` on a free loopback port; returns it, its address and its stderr lines.
fn serve(
    home: &std::path::Path,
    sim: &SimServer,
    extra: &[&str],
    token: Option<&str>,
) -> (Proc, String, mpsc::Receiver<String>) {
    serve_on(home, sim, "127.0.0.1:0", extra, token)
}

/// [`serve`] on `listen`.
fn serve_on(
    home: &std::path::Path,
    sim: &SimServer,
    listen: &str,
    extra: &[&str],
    token: Option<&str>,
) -> (Proc, String, mpsc::Receiver<String>) {
    let mut c = command(home);
    c.args(["serve", "--listen", listen])
        .args(["--base-url", &sim.base_url()])
        .args(["--admin-key", &sim.control().admin_key()])
        .args(["--interval", "1"])
        .args(if extra.first() == Some(&ORG) {
            &[][..]
        } else {
            &["--api-key-id", DEMO_KEY_ID][..]
        })
        .args(["--data-dir", home.join("data").to_str().unwrap()])
        .args(extra.iter().filter(|a| **a != ORG))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(t) = token {
        c.env("USAGE_TRACKER_METRICS_TOKEN", t);
    }
    let mut child = c.spawn().expect("start serve");
    let err = child.stderr.take().unwrap();
    // Killed however the test ends, even if it fails before serve says where it listens.
    let child = Proc(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Warnings (the admin key goes to a local URL) come first.
    let mut before = Vec::new();
    let addr = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("serve says where it listens; it said {before:?}"));
        if let Some(addr) = line
            .strip_prefix("usage-tracker: serving http://")
            .and_then(|s| s.strip_suffix("/metrics"))
        {
            break addr.to_owned();
        }
        before.push(line);
    };
    (child, addr, rx)
}

/// `GET path` over plain HTTP/1.1: (status, body).
fn get(addr: &str, path: &str, token: Option<&str>) -> (u16, String) {
    get_with(addr, path, token, "")
}

/// [`get`] with more header lines (each ending in CRLF).
fn get_with(addr: &str, path: &str, token: Option<&str>, more: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to serve");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default()
        + more;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

type Sample = (String, BTreeMap<String, String>, f64);

fn parse(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = value.parse().unwrap();
        let (name, labels) = match series.split_once('{') {
            None => (series.to_owned(), BTreeMap::new()),
            Some((n, rest)) => {
                let rest = rest.strip_suffix('}').unwrap();
                let labels = rest
                    .split("\",")
                    .map(|kv| {
                        let (k, v) = kv.split_once("=\"").unwrap();
                        (k.to_owned(), v.trim_end_matches('"').to_owned())
                    })
                    .collect();
                (n.to_owned(), labels)
            }
        };
        out.push((name, labels, value));
    }
    out
}

fn value(samples: &[Sample], name: &str) -> Option<f64> {
    samples.iter().find(|s| s.0 == name).map(|s| s.2)
}

/// tokens_total summed per model.
fn tokens_per_model(samples: &[Sample]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (name, labels, v) in samples {
        if name == "usage_tracker_tokens_total" {
            assert_eq!(labels["api_key_id"], DEMO_KEY_ID, "{labels:?}");
            *out.entry(labels["model"].clone()).or_default() += *v as u64;
        }
    }
    out
}

/// Input + output tokens per model of the tracked key from the first of the month to the
/// simulator's now: its own daily page, asked over HTTP and read with serde_json (not the
/// client), late usage included.
fn simulator_month(sim: &SimServer) -> BTreeMap<String, u64> {
    month_by_model(sim, |r| {
        r["input_tokens"].as_u64().unwrap() + r["output_tokens"].as_u64().unwrap()
    })
}

/// `f` of each result of the simulator's completions page of the month, summed per model.
fn month_by_model(sim: &SimServer, f: impl Fn(&serde_json::Value) -> u64) -> BTreeMap<String, u64> {
    month_of(sim, Some(DEMO_KEY_ID), f)
}

/// [`month_by_model`] for one key, or the whole organization.
fn month_of(
    sim: &SimServer,
    key: Option<&str>,
    f: impl Fn(&serde_json::Value) -> u64,
) -> BTreeMap<String, u64> {
    let ctl = sim.control();
    let sim_now = ctl.now();
    let path = format!(
        "/v1/organization/usage/completions?start_time={}&end_time={sim_now}&bucket_width=1d&limit=31{}&group_by=model",
        utc_month_start(sim_now),
        key.map(|k| format!("&api_key_ids={k}")).unwrap_or_default()
    );
    let addr = sim
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    let (status, body) = get(&addr, &path, Some(&ctl.admin_key()));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["has_more"], false, "one page holds the month");
    let mut out = BTreeMap::new();
    for b in v["data"].as_array().unwrap() {
        for r in b["results"].as_array().unwrap() {
            let n = f(r);
            if n > 0 {
                *out.entry(r["model"].as_str().unwrap().to_owned())
                    .or_default() += n;
            }
        }
    }
    out
}

/// Scrapes until `ok` holds of the samples (the engine's first rounds take a few seconds).
fn scrape_until(
    addr: &str,
    token: Option<&str>,
    what: &str,
    ok: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = get(addr, "/metrics", token);
        assert_eq!(status, 200, "{body}");
        let samples = parse(&body);
        if ok(&samples) {
            return samples;
        }
        assert!(
            Instant::now() < deadline,
            "{what} within 60 s; last scrape:\n{body}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn terminate(mut p: Proc) -> std::process::ExitStatus {
    let pid = p.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = p.0.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn counters_equal_the_simulator_count_late_usage_once_and_survive_a_restart() {
    let (_rt, sim) = simulator();
    let ctl = sim.control();
    let home = tempfile::tempdir().unwrap();
    // Hourly buckets: the live refresh re-reads the current hour, where the late usage lands.
    let extra = ["--bucket-width", "1h", "--lookback-hours", "2"];
    let (p, addr, _err) = serve(home.path(), &sim, &extra, None);
    assert_eq!(get(&addr, "/healthz", None), (200, "ok\n".to_owned()));
    let truth = simulator_month(&sim);
    assert!(
        truth.len() >= 3,
        "the simulator's key uses several models: {truth:?}"
    );
    let samples = scrape_until(
        &addr,
        None,
        "the counters equal the simulator's month",
        |s| value(s, "usage_tracker_up") == Some(1.0) && tokens_per_model(s) == truth,
    );
    assert_eq!(
        value(&samples, "usage_tracker_last_success_timestamp_seconds")
            .map(|t| (t - now() as f64).abs() < 120.0),
        Some(true)
    );
    let estimated: f64 = samples
        .iter()
        .filter(|s| s.0 == "usage_tracker_estimated_cost_usd_total")
        .map(|s| s.2)
        .sum();
    let mtd = value(&samples, "usage_tracker_month_to_date_estimated_usd").unwrap();
    assert!(
        estimated > 0.0 && (estimated - mtd).abs() < 1e-6,
        "{estimated} vs {mtd}"
    );
    assert!(value(&samples, "usage_tracker_api_requests_total").is_some());
    let mut requests = BTreeMap::new();
    for (name, labels, v) in &samples {
        if name == "usage_tracker_requests_total" && labels["endpoint"] == "completions" {
            *requests.entry(labels["model"].clone()).or_default() += *v as u64;
        }
    }
    let truth_requests = month_by_model(&sim, |r| r["num_model_requests"].as_u64().unwrap());
    assert_eq!(requests, truth_requests, "completions requests per model");
    assert!(
        samples
            .iter()
            .any(|s| s.0 == "usage_tracker_units_total" && s.2 > 0.0),
        "the other endpoints in their units"
    );

    // Late usage in the current hour, 2 minutes ago: counted once, exactly.
    let model = "gpt-4o-mini-2024-07-18";
    assert!(truth.contains_key(model), "{truth:?}");
    ctl.add_late_usage("completions", model, ctl.now() - 120, 12_345, 3);
    let mut expected = truth.clone();
    *expected.get_mut(model).unwrap() += 12_345;
    assert_eq!(simulator_month(&sim), expected, "the simulator counts it");
    let before = scrape_until(&addr, None, "the late usage is counted", |s| {
        tokens_per_model(s) == expected
    });
    // Several refreshes later it is still counted once.
    std::thread::sleep(Duration::from_secs(3));
    let (_, body) = get(&addr, "/metrics", None);
    assert_eq!(tokens_per_model(&parse(&body)), expected, "counted once");

    // SIGTERM: exit 0. A restart over the same store: the same counters at once.
    let status = terminate(p);
    assert_eq!(status.code(), Some(0), "{status:?}");
    let (p, addr, _err) = serve(home.path(), &sim, &extra, None);
    let (_, body) = get(&addr, "/metrics", None);
    let first = parse(&body);
    assert_eq!(
        tokens_per_model(&first),
        expected,
        "the first scrape after a restart"
    );
    scrape_until(&addr, None, "a refresh after the restart", |s| {
        value(s, "usage_tracker_up") == Some(1.0)
    });
    std::thread::sleep(Duration::from_secs(2));
    let (_, body) = get(&addr, "/metrics", None);
    let after = parse(&body);
    assert_eq!(
        tokens_per_model(&after),
        tokens_per_model(&before),
        "not lower, not doubled"
    );
    assert_eq!(terminate(p).code(), Some(0));
}

#[test]
fn a_token_guards_metrics_and_is_never_shown() {
    let (_rt, sim) = simulator();
    let home = tempfile::tempdir().unwrap();
    let (p, addr, err) = serve(home.path(), &sim, &[], Some(TOKEN));
    let (status, body) = get(&addr, "/metrics", None);
    assert_eq!(status, 401, "{body}");
    assert_eq!(get(&addr, "/metrics", Some("wrong")).0, 401);
    let samples = scrape_until(&addr, Some(TOKEN), "a refresh", |s| {
        value(s, "usage_tracker_up") == Some(1.0)
    });
    assert!(!samples.is_empty());
    let (_, body) = get(&addr, "/metrics", Some(TOKEN));
    let key = sim.control().admin_key();
    assert!(!body.contains(TOKEN) && !body.contains(&key));
    assert_eq!(terminate(p).code(), Some(0));
    let stderr: Vec<String> = err.try_iter().collect();
    let stderr = stderr.join("\n");
    assert!(
        !stderr.contains(TOKEN) && !stderr.contains(&key),
        "{stderr}"
    );
    // The token from a .env file in the current directory, as the other settings.
    std::fs::write(
        home.path().join(".env"),
        format!("USAGE_TRACKER_METRICS_TOKEN={TOKEN}\n"),
    )
    .unwrap();
    let (p, addr, _err) = serve(home.path(), &sim, &[], None);
    assert_eq!(get(&addr, "/metrics", None).0, 401);
    assert_eq!(get(&addr, "/metrics", Some(TOKEN)).0, 200);
    assert_eq!(terminate(p).code(), Some(0));
}

#[test]
fn a_non_loopback_listen_without_a_token_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let out = command(home.path())
        .args(["serve", "--demo", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("0.0.0.0:0") && stderr.contains("USAGE_TRACKER_METRICS_TOKEN"),
        "{stderr}"
    );
    let out = command(home.path())
        .args(["serve", "--demo", "--listen", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A free loopback port (bound, then let go).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every byte but the unreserved ones percent-encoded, for a query string.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Fails, naming the fix, when a Prometheus tool is not installed (scripts/deps.sh installs
/// Debian's `prometheus` package, which has both).
fn tool(name: &str) -> Command {
    let found = Command::new(name).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "{name} is required: install Debian's prometheus package (scripts/deps.sh does)"
    );
    Command::new(name)
}

#[test]
fn a_real_prometheus_scrapes_serve_and_promql_answers_the_simulators_tables() {
    let (_rt, sim) = simulator();
    let home = tempfile::tempdir().unwrap();
    // A fixed port: the restart below is the same target for Prometheus.
    let listen = format!("127.0.0.1:{}", free_port());
    let (p, addr, _err) = serve_on(home.path(), &sim, &listen, &[], None);
    let truth = simulator_month(&sim);
    scrape_until(
        &addr,
        None,
        "the counters equal the simulator's month",
        |s| tokens_per_model(s) == truth,
    );

    // promtool's lint of the exposition.
    let (_, body) = get(&addr, "/metrics", None);
    let mut check = tool("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = check.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool check metrics: {said}"
    );

    // OpenMetrics when asked for (Prometheus asks for it first).
    let (status, om) = get_with(
        &addr,
        "/metrics",
        None,
        "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n",
    );
    assert_eq!(status, 200);
    assert!(om.ends_with("# EOF\n"), "{om}");
    assert!(om.contains("# TYPE usage_tracker_tokens counter\n"), "{om}");
    assert!(om.contains("\nusage_tracker_tokens_total{"), "{om}");

    // The shipped rules load, and every usage_tracker_ metric they query is exported.
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/prometheus/alerts.yml");
    let out = tool("promtool")
        .args(["check", "rules", rules])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(rules).unwrap();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.starts_with("usage_tracker_") {
            assert!(
                body.contains(&format!("\n{word}")) || body.contains(&format!(" {word} ")),
                "the rules query {word}, which serve does not export"
            );
        }
    }

    // A real Prometheus scraping serve every second.
    let port = free_port();
    let config = home.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: usage-tracker\n    static_configs:\n      - targets: ['{addr}']\n"
        ),
    )
    .unwrap();
    let prometheus = tool("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            home.path().join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let _prometheus = Proc(prometheus);
    let prom = format!("127.0.0.1:{port}");
    let promql = |query: &str| -> Option<serde_json::Value> {
        let path = format!("/api/v1/query?query={}", encode(query));
        TcpStream::connect(&prom).ok()?;
        let (status, body) = get(&prom, &path, None);
        (status == 200).then(|| serde_json::from_str::<serde_json::Value>(&body).unwrap())
    };
    let per_model = |v: &serde_json::Value| -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for r in v["data"]["result"].as_array().unwrap() {
            let n: f64 = r["value"][1].as_str().unwrap().parse().unwrap();
            out.insert(r["metric"]["model"].as_str().unwrap().to_owned(), n as u64);
        }
        out
    };
    let scalar = |v: &serde_json::Value| -> f64 {
        let r = v["data"]["result"].as_array().unwrap();
        assert_eq!(r.len(), 1, "{v}");
        r[0]["value"][1].as_str().unwrap().parse().unwrap()
    };
    let query = "sum by (model) (usage_tracker_tokens_total{job=\"usage-tracker\"})";
    let wait_for_truth = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(v) = promql(query)
                && per_model(&v) == truth
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "Prometheus answers {query} as the simulator's tables within 60 s ({what})"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    };
    wait_for_truth("first start");
    assert!(truth.len() >= 3, "{truth:?}");

    // A restart on the same port: Prometheus sees no reset and no increase (nothing new was
    // used: the simulator's clock stands still).
    assert_eq!(terminate(p).code(), Some(0));
    std::thread::sleep(Duration::from_secs(2)); // a failed scrape or two while it is down
    let (p, _addr, _err) = serve_on(home.path(), &sim, &listen, &[], None);
    let deadline = Instant::now() + Duration::from_secs(30);
    while promql("up{job=\"usage-tracker\"} == 1")
        .is_none_or(|v| v["data"]["result"].as_array().unwrap().is_empty())
    {
        assert!(Instant::now() < deadline, "Prometheus scrapes serve again");
        std::thread::sleep(Duration::from_millis(300));
    }
    std::thread::sleep(Duration::from_secs(3)); // three scrapes of the restarted serve
    wait_for_truth("after the restart");
    let resets = promql("sum(resets(usage_tracker_tokens_total[5m]))").unwrap();
    assert_eq!(
        scalar(&resets),
        0.0,
        "no counter reset over the restart: {resets}"
    );
    let increase = promql("sum(increase(usage_tracker_tokens_total[5m]))").unwrap();
    assert_eq!(
        scalar(&increase),
        0.0,
        "increase() over the restart is 0: {increase}"
    );
    assert_eq!(terminate(p).code(), Some(0));
}

#[test]
fn sigterm_while_starting_against_a_silent_api_exits_0() {
    // An API that accepts connections and never answers: serve is still connecting.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api = format!("http://{}/v1", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in silent.incoming() {
            held.push(c);
        }
    });
    let home = tempfile::tempdir().unwrap();
    let child = command(home.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--base-url", &api])
        .args(["--admin-key", "sk-admin-demo-0000000000000000"])
        .args(["--timeout", "60"])
        .args(["--data-dir", home.path().join("data").to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let started = Instant::now();
    let status = terminate(Proc(child));
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_whole_organization_is_labelled_by_key_and_project() {
    let (_rt, sim) = simulator();
    let home = tempfile::tempdir().unwrap();
    let (p, addr, _err) = serve(home.path(), &sim, &[ORG], None);
    let truth = month_of(&sim, None, |r| {
        r["input_tokens"].as_u64().unwrap() + r["output_tokens"].as_u64().unwrap()
    });
    let by = |s: &[Sample], label: &str| -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (name, labels, v) in s {
            if name == "usage_tracker_tokens_total" {
                *out.entry(labels[label].clone()).or_default() += *v as u64;
            }
        }
        out
    };
    let samples = scrape_until(&addr, None, "the organization's month", |s| {
        by(s, "model") == truth
    });
    let keys = by(&samples, "api_key_id");
    assert!(
        keys.len() >= 2 && keys.contains_key(DEMO_KEY_ID),
        "{keys:?}"
    );
    let projects = by(&samples, "project_id");
    assert!(
        projects.contains_key(usage_tracker_simulator::DEMO_PROJECT_ID),
        "{projects:?}"
    );
    // The tracked key's share equals the simulator's page for that key.
    let mine: u64 = samples
        .iter()
        .filter(|s| s.0 == "usage_tracker_tokens_total" && s.1["api_key_id"] == DEMO_KEY_ID)
        .map(|s| s.2 as u64)
        .sum();
    assert_eq!(mine, simulator_month(&sim).values().sum::<u64>());
    assert_eq!(terminate(p).code(), Some(0));
}
