//! The real binary when things go wrong (issue 9): servers that never answer or ask to wait,
//! key ids of no project, one message style for every bad input, settings a command does not
//! use, `admin-key` refusing bad input, and a secret store that never answers.

mod common;

use common::binary::{cmd, errors, run, run_within, silent_server, sim};
use std::time::Duration;
use usage_tracker_simulator::{DEMO_ADMIN_KEY, Fault, SimConfig, SimServer};

/// Issue 9 item 4: a server that never answers ends at the deadline with a `timeout` kind
/// that says how long it waited, after a progress line.
#[test]
fn a_server_that_never_answers_times_out_at_the_deadline() {
    let port = silent_server();
    let home = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/v1");
    for sub in ["once", "keys"] {
        let (code, _, stderr, took) = run_within(
            cmd(&home)
                .args([sub, "--base-url", &url, "--timeout", "5"])
                .env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY),
            Duration::from_secs(30),
        );
        assert_eq!(code, Some(1), "{sub}: {stderr}");
        assert!(took < Duration::from_secs(9), "{sub} took {took:?}");
        let stderr = errors(&stderr);
        assert!(
            stderr.contains("usage-tracker: warning: still waiting for")
                && stderr.contains("(3 s so far; at most 5 s in all, see --timeout)"),
            "{sub}: {stderr}"
        );
        assert!(
            stderr.contains("usage-tracker: error [timeout]: no answer from")
                && stderr.contains("within 5 s"),
            "{sub}: {stderr}"
        );
    }
}

/// Issue 9 item 4: each retry `once` waits for is a line on stderr.
#[test]
fn once_says_when_it_waits_for_a_retry() {
    let (rt, _) = sim();
    let sim = rt
        .block_on(SimServer::start(SimConfig::test(), None))
        .unwrap();
    sim.control().inject(
        Fault::RateLimited {
            retry_after_secs: Some(1),
        },
        1,
    );
    let home = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(cmd(&home)
        .args(["once", "--base-url", &sim.base_url()])
        .env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("usage-tracker: warning: rate limited; retrying in 1.0 s (attempt 2 of 4)"),
        "{stderr}"
    );
}

/// Issue 17: retries that run out end `once` before `--timeout`, so the progress lines say
/// "at most" the deadline, never that it gives up then; each is a `warning:`.
#[test]
fn retries_that_run_out_end_before_the_deadline_the_progress_line_names() {
    let (rt, _) = sim();
    let sim = rt
        .block_on(SimServer::start(SimConfig::test(), None))
        .unwrap();
    sim.control().inject(Fault::ServerError(500), u32::MAX);
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr, took) = run_within(
        cmd(&home)
            .args(["once", "--base-url", &sim.base_url(), "--timeout", "20"])
            .env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY),
        Duration::from_secs(40),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_secs(15), "took {took:?}: {stderr}");
    let stderr = errors(&stderr);
    assert!(!stderr.contains("giving up after"), "{stderr}");
    for line in stderr.lines() {
        assert!(
            line.starts_with("usage-tracker: warning: ")
                || line.starts_with("usage-tracker: error "),
            "{line:?} in {stderr}"
        );
    }
    assert!(
        stderr.contains("usage-tracker: warning: server error; retrying in"),
        "{stderr}"
    );
    assert!(stderr.contains("error [server_error]"), "{stderr}");
}

/// Issue 9 item 6: an id that is in no project says so instead of showing zeros.
#[test]
fn a_key_id_of_no_project_is_named() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["once", "--demo", "--api-key-id", "key_mistyped9"][..],
        &[
            "watch",
            "--demo",
            "--format",
            "json",
            "--api-key-id",
            "key_mistyped9",
        ],
    ] {
        let (code, stdout, stderr, _) = run_within(cmd(&home).args(args), Duration::from_secs(20));
        assert_eq!(code, Some(2), "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(
                "key_mistyped9 is not a key of this organization; see `usage-tracker keys`"
            ),
            "{args:?}: {stderr}"
        );
    }
}

/// Issue 9 items 2, 3, 7, 8 and 9: bad or ignored input gets the app's message.
#[test]
fn messages_name_the_problem_once_in_the_apps_style() {
    let (_, sim) = sim();
    let home = tempfile::tempdir().unwrap();
    let dead = "http://127.0.0.1:9/v1";
    let no_v1 = sim.base_url().trim_end_matches("/v1").to_owned();
    // (arguments, environment, exit code, what stderr must say, what it must not)
    type Case<'a> = (
        &'a [&'a str],
        &'a [(&'a str, &'a str)],
        i32,
        &'a [&'a str],
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        (
            &["once", "--bogus"],
            &[],
            2,
            &["usage-tracker: error: unexpected argument '--bogus'"],
            &["\nUsage:"],
        ),
        (
            &["watch", "--demo", "--interval", "-5"],
            &[],
            2,
            &["invalid refresh interval \"-5\" from flag --interval"],
            &["unexpected argument"],
        ),
        (
            &["once", "--base-url", "http://example.com/v1"],
            &[],
            2,
            &["\"http://example.com/v1\"", "clear text"],
            &[],
        ),
        (
            &["once", "--base-url", dead],
            &[("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY)],
            1,
            &[
                "usage-tracker: error [offline]: cannot reach",
                "connection refused",
            ],
            &["offline: ", "tcp connect error", "error sending request"],
        ),
        (
            &["once", "--base-url", &no_v1],
            &[("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY)],
            1,
            &["does not end in /v1: try"],
            &[],
        ),
        (
            &[
                "once",
                "--demo",
                "--lookback-hours",
                "8784",
                "--bucket-width",
                "1m",
            ],
            &[],
            2,
            &["527041 buckets", "more than 20000", "--bucket-width 1h"],
            &[],
        ),
        (
            &["once", "--demo"],
            &[("USAGE_TRACKER_PRICING", "/nonexistent/prices.toml")],
            2,
            &["/nonexistent/prices.toml", "USAGE_TRACKER_PRICING"],
            &[],
        ),
        (
            &["once", "--demo", "--settings", "/nonexistent/settings.toml"],
            &[],
            2,
            &["\"/nonexistent/settings.toml\"", "--settings", "exists"],
            &[],
        ),
        (
            &["once", "--demo"],
            &[("USAGE_TRACKER_LOG", "loud")],
            2,
            &["\"loud\"", "USAGE_TRACKER_LOG", "debug"],
            &[],
        ),
    ];
    for (args, env, code, needles, absent) in cases {
        let mut c = cmd(&home);
        c.args(*args);
        for (k, v) in *env {
            c.env(k, v);
        }
        let (out, _, stderr) = run(&mut c);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {stderr}");
        // Progress lines (retries) may come first; the error is one line.
        let stderr: String = errors(&stderr)
            .lines()
            .filter(|l| !l.contains("; retrying in ") && !l.contains(": still waiting for "))
            .collect();
        assert!(
            stderr.starts_with("usage-tracker: error"),
            "{args:?}: {stderr}"
        );
        assert_eq!(
            stderr.matches("usage-tracker:").count(),
            1,
            "{args:?}: one line: {stderr}"
        );
        for n in *needles {
            assert!(stderr.contains(n), "{args:?}: {stderr:?} lacks {n:?}");
        }
        for n in *absent {
            assert!(!stderr.contains(n), "{args:?}: {stderr:?} has {n:?}");
        }
    }
}

/// Issue 9 item 7: the HTTP library's chain shows with USAGE_TRACKER_LOG=debug only.
#[test]
fn the_http_error_chain_shows_only_at_debug() {
    let home = tempfile::tempdir().unwrap();
    let (_, _, stderr) = run(cmd(&home)
        .args(["once", "--base-url", "http://127.0.0.1:9/v1"])
        .env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY)
        .env("USAGE_TRACKER_LOG", "debug"));
    assert!(stderr.contains("error sending request"), "{stderr}");
}

/// Issue 9 item 8: settings a command does not use are not read for it; a `--base-url`
/// that `--demo` overrides is said to be ignored.
#[test]
fn unused_settings_neither_block_nor_vanish_silently() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/usage-tracker");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("settings.toml"), "tier = \"gold\"\n").unwrap();
    let (out, _, stderr) = run(cmd(&home).args(["keys", "--demo"]));
    assert!(out.status.success(), "keys must not read `tier`: {stderr}");
    let (out, _, stderr) = run(cmd(&home).args(["once", "--demo"]));
    assert_eq!(out.status.code(), Some(2), "once reads `tier`: {stderr}");
    assert!(stderr.contains("\"gold\""), "{stderr}");
    std::fs::remove_file(config.join("settings.toml")).unwrap();
    let (out, _, stderr) =
        run(cmd(&home).args(["keys", "--demo", "--base-url", "https://proxy.example/v1"]));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: --base-url is ignored with --demo"),
        "{stderr}"
    );
}

/// Issue 9 item 12: `admin-key set` refuses bad input with exit 2 before touching the store.
#[test]
fn admin_key_set_refuses_bad_input_with_exit_2() {
    use std::io::Write;
    let home = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(cmd(&home).args(["admin-key", "set", "--admin-key", "sk-admin-x"]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("does not take --admin-key") && !stderr.contains("sk-admin-x"),
        "{stderr}"
    );
    for (input, reason) in [
        ("sk-proj-abcdefghijklmnop\n", "project key"),
        ("sk-admin with a space\n", "spaces"),
    ] {
        let mut child = cmd(&home)
            .args(["admin-key", "set"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input}: {stderr}");
        assert!(stderr.contains(reason), "{stderr}");
        assert!(!stderr.contains("abcdefgh"), "{stderr}");
    }
}

/// Issue 9 item 12: `status` says when the environment overrides the stored key; item 11: a
/// secret store that never answers (a bus that accepts and stays silent) ends at the
/// deadline saying what is likely missing.
#[test]
fn admin_key_status_names_the_override_and_a_silent_store_ends_at_its_deadline() {
    let home = tempfile::tempdir().unwrap();
    let socket = home.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let (code, stdout, stderr, took) = run_within(
        cmd(&home)
            .args(["admin-key", "status"])
            .env("OPENAI_ADMIN_KEY", "sk-admin-TOPSECRET-5f0c9a7e1b")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", socket.display()),
            ),
        Duration::from_secs(40),
    );
    assert!(took < Duration::from_secs(9), "took {took:?}: {stderr}");
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("environment variable OPENAI_ADMIN_KEY is used before any stored one"),
        "{stdout}"
    );
    assert!(
        stderr.contains("no answer within 5 s") && stderr.contains("locked"),
        "{stderr}"
    );
    assert!(!stdout.contains("TOPSECRET") && !stderr.contains("TOPSECRET"));
}

/// Issue 9 item 11: with no D-Bus session at all the message says so, at once.
#[test]
fn an_absent_secret_store_is_named() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr, took) = run_within(
        cmd(&home).args(["admin-key", "status"]),
        Duration::from_secs(20),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_secs(6), "took {took:?}");
    assert!(
        stderr.contains("no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)"),
        "{stderr}"
    );
}
