//! `usage-tracker watch` end to end, as the real binary against the simulated Admin API
//! (`usage-tracker simulate`, real clock, real HTTP on 127.0.0.1):
//! - the JSON-lines mode through a spike: no alert while usage is steady, one alert start when
//!   a burst begins; an injected failure gives an error line marked stale, then recovery;
//! - the text-lines mode when stdout is a pipe;
//! - the full-screen view inside tmux (a real terminal): the table and notes on screen, `t`
//!   cycles the tier, a resize redraws, `q` and Ctrl+C exit 0 with the alternate screen left.
//!   tmux is required: without it the test fails and says so (CI installs it).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_usage-tracker");
const ADMIN_KEY: &str = "sk-admin-demo-0000000000000000";
const KEY_ID: &str = "key_demoPrimary01";
/// Above the tracked key's steady usage (≈ 3,000 tokens/min, ≈ 6,000 at worst) even with a
/// refresh that sees two seconds of growth in one, and far below a × 30 burst.
const THRESHOLD: f64 = 20_000.0;

/// A child process killed when the test ends, however it ends.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A command isolated from the user's settings, .env files and environment.
fn command(home: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(home)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env_remove("OPENAI_ADMIN_KEY")
        .env_remove("OPENAI_API_KEY_ID")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("USAGE_TRACKER_SETTINGS");
    c
}

/// Starts `usage-tracker simulate` (no periodic bursts) and returns it with its base URL.
fn simulator(home: &std::path::Path) -> (Proc, String) {
    let mut child = command(home)
        .arg("simulate")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the simulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("the simulator prints its base URL");
    assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
    (Proc(child), line.trim().to_owned())
}

/// `POST /_sim/<path>` on the simulator's control plane.
fn control(base_url: &str, path_and_query: &str) {
    let addr = base_url
        .trim_start_matches("http://")
        .trim_end_matches("/v1");
    let mut s = TcpStream::connect(addr).expect("connect to the simulator");
    write!(
        s,
        "POST /_sim/{path_and_query} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// `watch` against the simulator with stdout piped; its lines arrive on the channel.
fn watch(home: &std::path::Path, base_url: &str, extra: &[&str]) -> (Proc, mpsc::Receiver<String>) {
    let mut child = command(home)
        .args(["watch", "--base-url", base_url, "--admin-key", ADMIN_KEY])
        .args([
            "--api-key-id",
            KEY_ID,
            "--interval",
            "1",
            "--bucket-width",
            "1m",
        ])
        .args([
            "--lookback-hours",
            "1",
            "--spike-token-rate",
            &THRESHOLD.to_string(),
        ])
        .args(["--spike-request-rate", "100000"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start watch");
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (Proc(child), rx)
}

fn next_line(rx: &mpsc::Receiver<String>) -> String {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("watch prints a line per refresh (interval 1 s)")
}

fn json(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

fn token_alert(v: &Value) -> Option<&Value> {
    v["alerts"]
        .as_array()
        .unwrap_or_else(|| panic!("no alerts array: {v}"))
        .iter()
        .find(|a| a["kind"] == "token_rate")
}

/// SIGTERM, then the exit status (0 expected: an interrupted watch is a normal end).
fn terminate(mut p: Proc) -> std::process::ExitStatus {
    let pid = p.0.id().to_string();
    let ok = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(ok.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = p.0.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "watch did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn json_lines_alert_once_when_a_burst_starts_and_never_while_steady() {
    let home = tempfile::tempdir().unwrap();
    let (_sim, base_url) = simulator(home.path());
    let (watch, rx) = watch(home.path(), &base_url, &["--format", "json"]);

    let steady: Vec<Value> = (0..4).map(|_| json(&next_line(&rx))).collect();
    for v in &steady {
        for field in [
            "window",
            "api_key_ids",
            "api_keys",
            "tier",
            "models",
            "totals",
        ] {
            assert!(v.get(field).is_some(), "no {field}: {v}");
        }
        // Lean lines: the buckets only with --detail (README "JSON output").
        assert!(v.get("buckets").is_none(), "{v}");
        assert_eq!(v["api_key_ids"], serde_json::json!([KEY_ID]));
        assert_eq!(v["api_keys"][0]["name"], "Production backend", "{v}");
        assert_eq!(v["error"], Value::Null, "{v}");
        assert_eq!(v["stale"], false);
        assert_eq!(
            v["alerts"],
            serde_json::json!([]),
            "alert while steady: {v}"
        );
    }
    assert!(steady[3]["totals"]["total_tokens"].as_u64().unwrap() > 0);

    control(&base_url, "burst?minutes=2&factor=30");
    // Lines already on their way may predate the burst; within a few refreshes it shows.
    let after: Vec<Value> = (0..5).map(|_| json(&next_line(&rx))).collect();
    let alert = token_alert(after.last().unwrap())
        .unwrap_or_else(|| panic!("no token alert during the burst: {:?}", after.last()));
    assert_eq!(alert["threshold"].as_f64(), Some(THRESHOLD));
    assert!(
        alert["per_minute"].as_f64().unwrap() >= THRESHOLD,
        "{alert}"
    );

    let mut starts = 0;
    let mut active = false;
    for v in steady.iter().chain(&after) {
        let now = token_alert(v).is_some();
        if now && !active {
            starts += 1;
        }
        active = now;
    }
    assert_eq!(starts, 1, "alert starts over {:#?}", after);
    assert!(terminate(watch).success());
}

#[test]
fn json_lines_report_a_failure_as_stale_then_recover() {
    let home = tempfile::tempdir().unwrap();
    let (_sim, base_url) = simulator(home.path());
    let (watch, rx) = watch(home.path(), &base_url, &["--format", "json"]);
    let mut first = json(&next_line(&rx));
    assert_eq!(first["error"], Value::Null);
    // The bill's first fetch (costs and the checked days' usage) and the glance's first round
    // done: the one fault below is for a live refresh, not taken by either.
    for _ in 0..20 {
        if first["billed"] != Value::Null && first["pace"] != Value::Null {
            break;
        }
        first = json(&next_line(&rx));
    }
    assert_eq!(first["billed"]["stale"], false, "{}", first["billed"]);
    assert!(first["pace"].is_object(), "{}", first["pace"]);

    // Not transient, so the client does not retry it away: one failed refresh.
    control(&base_url, "fault?kind=401&times=1");
    let mut lines = Vec::new();
    let failed = loop {
        let v = json(&next_line(&rx));
        lines.push(v.clone());
        assert!(lines.len() < 5, "no error line: {lines:#?}");
        if v["error"] != Value::Null {
            break v;
        }
    };
    assert_eq!(failed["error"]["kind"], "invalid_key");
    let message = failed["error"]["message"].as_str().unwrap();
    assert!(message.contains("401"), "{message}");
    assert_eq!(failed["stale"], true);
    // The last good report is still there, marked stale.
    let last_good = if lines.len() >= 2 {
        &lines[lines.len() - 2]
    } else {
        &first
    };
    assert_eq!(failed["totals"], last_good["totals"]);
    let recovered = json(&next_line(&rx));
    assert_eq!(recovered["error"], Value::Null, "{recovered}");
    assert_eq!(recovered["stale"], false);
    assert!(terminate(watch).success());
}

#[test]
fn text_lines_when_stdout_is_not_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let (_sim, base_url) = simulator(home.path());
    let (watch, rx) = watch(home.path(), &base_url, &[]);
    for _ in 0..2 {
        let line = next_line(&rx);
        // The headline's one line: the whole estimate, its completions part named.
        assert!(
            line.contains("  Estimate $") && line.contains(" (completions $"),
            "{line}"
        );
        // The bill follows once it came: `  Billed (UTC): today … · Estimate …`.
        // What is unpriced follows the keys until the bill prices it: `  Unpriced: 3 …`.
        let usage = line.split("  Billed (UTC): ").next().unwrap_or_default();
        let usage = usage.split("  Unpriced: ").next().unwrap_or_default();
        assert!(
            usage.ends_with(&format!(" models, Production backend ({KEY_ID}))")),
            "{line}"
        );
        assert!(!line.contains("ALERT"), "{line}");
    }
    assert!(terminate(watch).success());
}

/// A private tmux server (its own socket), killed when the test ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16, shell_command: &str) -> Tmux {
        let found = Command::new("tmux").arg("-V").output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "tmux is required for the full-screen end-to-end test: install it (apt-get install tmux)"
        );
        // One server per test: tests of this file run in parallel in one process.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let t = Tmux {
            socket: format!("usage-tracker-watch-{}-{n}", std::process::id()),
        };
        let (w, h) = (width.to_string(), height.to_string());
        t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &w,
            "-y",
            &h,
            shell_command,
        ]);
        t
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p"])
    }

    fn alternate_on(&self) -> bool {
        self.run(&["display-message", "-p", "#{alternate_on}"])
            .trim()
            == "1"
    }

    /// Waits until the screen satisfies `ok`; returns it.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[test]
fn full_screen_view_in_a_real_terminal_and_q_restores_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().display();
    // Tall enough for every footer line under the headline (small screens have their own
    // test: `the_headline_is_on_the_first_screen_of_a_small_terminal`).
    let tmux = Tmux::start(
        100,
        40,
        &format!(
            "cd '{dir}' && env -u OPENAI_ADMIN_KEY HOME='{dir}' XDG_CONFIG_HOME='{dir}' \
             '{BIN}' watch --demo; echo EXITED $?; read go; \
             '{BIN}' watch --demo; echo AGAIN $?; sleep 60"
        ),
    );
    let s = tmux.wait_for("the table", |s| {
        s.contains("Completions") && s.contains("gpt-4o")
    });
    assert!(tmux.alternate_on(), "watch should use the alternate screen");
    for needle in [
        "UsageTracker · watch",
        "Model",
        "Est. cost",
        "gpt-4o-mini-2024-07-18",
        "Window: ",
        "UTC",
        "Local: ",
        &format!("Keys: Production backend ({KEY_ID})"),
        "Tier: auto",
        "Last refresh ",
        "next in ",
        "Cached tokens are part of input.",
        "Tokens per 1h bucket",
        "q quit",
    ] {
        assert!(s.contains(needle), "{needle:?} not on screen:\n{s}");
    }

    tmux.run(&["send-keys", "t"]);
    tmux.wait_for("the next tier", |s| s.contains("Tier: standard"));
    // Flex has no price for most of the demo's models: said, not shown as a lower cost.
    tmux.run(&["send-keys", "t"]);
    tmux.wait_for("batch", |s| s.contains("Tier: batch"));
    tmux.run(&["send-keys", "t"]);
    tmux.wait_for("flex and what it leaves unpriced", |s| {
        s.contains("Tier: flex") && s.contains("unpriced at flex (")
    });

    tmux.run(&["send-keys", "q"]);
    let s = tmux.wait_for("the exit", |s| s.contains("EXITED"));
    assert!(s.contains("EXITED 0"), "{s}");
    assert!(!s.contains("Completions"), "the view should be gone:\n{s}");
    assert!(!tmux.alternate_on(), "the alternate screen should be left");

    // Second run (the shell waits for Enter, so the first exit stays on screen until then):
    // a resize redraws for the new size; Ctrl+C (a key in raw mode) quits too.
    tmux.run(&["send-keys", "Enter"]);
    tmux.wait_for("the second run", |s| {
        s.contains("Completions") && s.contains("Tier: auto")
    });
    tmux.run(&["resize-window", "-x", "44", "-y", "20"]);
    let narrow = tmux.wait_for("a redraw at 44 columns", |s| {
        s.lines()
            .any(|l| l.starts_with("│Model") && l.ends_with("Total  Est. cost│"))
    });
    assert!(narrow.contains("│Completions"), "{narrow}");
    tmux.run(&["send-keys", "C-c"]);
    let s = tmux.wait_for("the exit", |s| s.contains("AGAIN"));
    assert!(s.contains("AGAIN 0"), "{s}");
    assert!(!tmux.alternate_on(), "the alternate screen should be left");
}

#[test]
fn full_screen_view_shows_today_against_the_budget_a_time_axis_and_the_keys_on_question_mark() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().display();
    let tmux = Tmux::start(
        100,
        30,
        &format!(
            "cd '{dir}' && env -u OPENAI_ADMIN_KEY HOME='{dir}' XDG_CONFIG_HOME='{dir}' \
             '{BIN}' watch --demo --daily-budget 0.05; sleep 60"
        ),
    );
    // The demo's day so far costs dollars: far over a 5-cent budget.
    let s = tmux.wait_for("today's cost", |s| s.contains("of $0.05 daily budget"));
    assert!(s.contains("OVER BUDGET"), "{s}");
    // The chart fills the screen: no run of blank lines between the table and the notes.
    let blank = s.lines().filter(|l| l.trim().is_empty()).count();
    assert!(blank <= 1, "{blank} blank lines at 100x30:\n{s}");
    let axis = s
        .lines()
        .find(|l| {
            let t = l.trim();
            t.len() >= 5 && t.as_bytes()[2] == b':' && t[..2].bytes().all(|b| b.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("no time axis:\n{s}"));
    assert!(axis.trim().len() > 20, "{axis:?}");
    tmux.run(&["send-keys", "?"]);
    let s = tmux.wait_for("the key help", |s| s.contains("Keys (? closes)"));
    assert!(s.contains("next pricing tier"), "{s}");
    tmux.run(&["send-keys", "?"]);
    tmux.wait_for("the help closed", |s| !s.contains("Keys (? closes)"));
}

/// The other usage (issue 10) in a terminal tall enough for it: a line of every other kind and
/// the whole estimate under the completions table.
#[test]
fn a_tall_terminal_shows_the_other_usage_and_the_whole_estimate() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().display();
    let tmux = Tmux::start(
        110,
        50,
        &format!(
            "cd '{dir}' && env -u OPENAI_ADMIN_KEY HOME='{dir}' XDG_CONFIG_HOME='{dir}' \
             '{BIN}' watch --demo; sleep 60"
        ),
    );
    let s = tmux.wait_for("the other usage", |s| s.contains("Estimate $"));
    for needle in [
        "Other usage: ",
        "Images ",
        "Speech ",
        "free",
        "Not included: storage",
    ] {
        assert!(s.contains(needle), "{needle:?} not on screen:\n{s}");
    }
    tmux.run(&["send-keys", "q"]);
}

/// The headline on `watch --demo`'s first screen in a real terminal, at 80×24 and 60×20: the
/// whole estimate with its completions part, today, the month so far and the pace, above the
/// table (issue 17). The words are `once`'s (see `tests/headline.rs`).
#[test]
fn the_headline_is_on_the_first_screen_of_a_small_terminal() {
    for (w, h) in [(80u16, 24u16), (60, 20)] {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().display();
        let tmux = Tmux::start(
            w,
            h,
            &format!(
                "cd '{dir}' && env -u OPENAI_ADMIN_KEY HOME='{dir}' XDG_CONFIG_HOME='{dir}' \
                 '{BIN}' watch --demo; sleep 60"
            ),
        );
        // The glance (today, month, pace) comes after the first refresh.
        let s = tmux.wait_for("the headline with the pace", |s| {
            s.contains("On pace for $") && s.contains("│Completions")
        });
        let lines: Vec<&str> = s.lines().collect();
        let table = lines
            .iter()
            .position(|l| l.contains("Usage by model"))
            .unwrap();
        let top = lines[..table].join(" ");
        for needle in [
            "Estimate $",
            ", last 6 h: completions $",
            "+ other usage $",
            "Today (UTC) $",
            "month so far $",
            "(billed $",
            "On pace for $",
        ] {
            assert!(
                top.contains(needle),
                "{needle:?} not above the table at {w}×{h}:\n{s}"
            );
        }
        assert!(!s.contains("TOTAL"), "{s}");
        println!("watch --demo at {w}×{h}:\n{s}");
        tmux.run(&["send-keys", "q"]);
    }
}
