//! The real binary: `once` and `keys` on the simulated API, exit codes and messages for bad
//! input, `--help`, and the admin key never showing in any output or log nor going where it
//! should not.

mod common;

use common::binary::{cmd, errors, run, sim};
use usage_tracker_simulator::{DEMO_ADMIN_KEY, DEMO_KEY_ID};

/// The count fields of a model row and of the totals.
const COUNTS: [&str; 5] = [
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "total_tokens",
    "requests",
];

#[test]
fn once_demo_json_has_the_documented_shape_and_consistent_totals() {
    let home = tempfile::tempdir().unwrap();
    let (out, stdout, stderr) = run(cmd(&home).args(["once", "--demo", "--format", "json"]));
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["api_key_ids"], serde_json::json!([DEMO_KEY_ID]));
    assert_eq!(v["tier"], "auto");
    assert_eq!(v["window"]["bucket_width"], "1h");
    let (start, end) = (
        v["window"]["start_time"].as_i64().unwrap(),
        v["window"]["end_time"].as_i64().unwrap(),
    );
    assert!(end - start >= 6 * 3600 && end - start < 7 * 3600);
    let models = v["models"].as_array().unwrap();
    assert!(models.len() >= 5);
    let field = |m: &serde_json::Value, k: &str| m[k].as_u64().unwrap();
    let mut sums = [0u64; 5];
    let mut unpriced = 0;
    let mut cost = 0.0;
    let mut last_total = u64::MAX;
    for m in models {
        for (i, k) in COUNTS.iter().enumerate() {
            sums[i] += field(m, k);
        }
        assert_eq!(
            field(m, "total_tokens"),
            field(m, "input_tokens") + field(m, "output_tokens")
        );
        assert!(field(m, "cached_input_tokens") <= field(m, "input_tokens"));
        assert!(
            field(m, "total_tokens") <= last_total,
            "not sorted by total"
        );
        last_total = field(m, "total_tokens");
        match m["cost_usd"].as_f64() {
            Some(c) => {
                cost += c;
                let source = m["price_source"].as_str().unwrap();
                assert!(["table", "bill"].contains(&source), "{m}");
            }
            None => {
                assert!(m["cost_usd"].is_null() && m["price_source"].is_null());
                unpriced += 1;
            }
        }
    }
    // The bill priced what the table cannot: the simulator's fine-tune, its unknown model and
    // the `ultrafast` tier.
    let source = |prefix: &str| {
        models
            .iter()
            .find(|m| m["model"].as_str().unwrap().starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} in {models:?}"))["price_source"]
            .clone()
    };
    for prefix in ["ft:", "gpt-6.9-preview", "gpt-5-mini"] {
        assert_eq!(source(prefix), "bill", "{prefix}");
    }
    assert_eq!(source("gpt-4o-2024-08-06"), "table");
    let t = &v["totals"];
    for (i, k) in COUNTS.iter().enumerate() {
        assert_eq!(field(t, k), sums[i], "{k}");
    }
    assert_eq!(t["unpriced_models"].as_u64().unwrap(), unpriced);
    assert_eq!(unpriced, 0, "the bill prices what the table cannot");
    // Each amount is written to 0.001 (README "JSON output"): within 0.0005 a part.
    let slack = (models.len() + 1) as f64 * 0.0005 + 1e-9;
    assert!((t["cost_usd"].as_f64().unwrap() - cost).abs() <= slack);
    let names: Vec<_> = models
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"gpt-4o-2024-08-06"), "{names:?}");
}

#[test]
fn once_table_names_window_keys_and_tier() {
    let home = tempfile::tempdir().unwrap();
    let (out, stdout, stderr) = run(cmd(&home).args([
        "once",
        "--demo",
        "--tier",
        "batch",
        "--bucket-width",
        "1m",
        "--lookback-hours",
        "1",
    ]));
    assert!(out.status.success(), "{stderr}");
    for needle in [
        "Model",
        "Est. cost",
        "Completions",
        "Window:",
        "UTC",
        DEMO_KEY_ID,
        "Tier: batch",
        "gpt-4o-2024-08-06",
        "—",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
}

#[test]
fn whole_organization_is_said_when_no_key_is_given() {
    let (_, sim) = sim();
    let home = tempfile::tempdir().unwrap();
    let (out, stdout, stderr) = run(cmd(&home)
        .args(["once", "--base-url", &sim.base_url()])
        .env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("whole organization"), "{stdout}");
}

#[test]
fn keys_lists_projects_and_key_ids() {
    let home = tempfile::tempdir().unwrap();
    let (out, stdout, stderr) = run(cmd(&home).args(["keys", "--demo"]));
    assert!(out.status.success(), "{stderr}");
    for needle in [
        DEMO_KEY_ID,
        "key_demoBatch02",
        "key_otherTeam03",
        "Demo app",
        "Other team",
        "Key id",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
}

#[test]
fn bad_input_exits_2_with_one_message_naming_value_origin_and_fix() {
    let home = tempfile::tempdir().unwrap();
    // (arguments, environment, what the message must name)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        (
            &["once", "--demo", "--bucket-width", "5m"],
            &[],
            &["\"5m\"", "--bucket-width", "1m, 1h, 1d"],
        ),
        (
            &["once", "--demo", "--lookback-hours", "0"],
            &[],
            &["\"0\"", "--lookback-hours", "greater than 0"],
        ),
        (
            &["once", "--demo"],
            &[("USAGE_TRACKER_TIER", "gold")],
            &["\"gold\"", "USAGE_TRACKER_TIER", "auto, standard"],
        ),
        (
            &["once", "--demo", "--api-key-id", "proj_1"],
            &[],
            &["\"proj_1\"", "key_..."],
        ),
        (
            &["once"],
            &[],
            &["no admin key", "OPENAI_ADMIN_KEY", "admin-key set"],
        ),
        // The app's own setting: checked before it looks for a display.
        (
            &["--demo", "--monthly-budget", "0"],
            &[],
            &[
                "monthly budget",
                "\"0\"",
                "--monthly-budget",
                "USD greater than 0",
            ],
        ),
        (
            &["--demo"],
            &[("USAGE_TRACKER_MONTHLY_BUDGET", "abc")],
            &[
                "\"abc\"",
                "USAGE_TRACKER_MONTHLY_BUDGET",
                "USD greater than 0",
            ],
        ),
        (
            &[
                "once",
                "--demo",
                "--pricing",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/fixtures/pricing/invalid/missing-output.toml"
                ),
            ],
            &[],
            &[
                "missing-output.toml",
                "[standard.\"gpt-4o\"]",
                "lacks output",
            ],
        ),
        (
            &["once", "--demo"],
            &[(
                "USAGE_TRACKER_PRICING",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/fixtures/pricing/invalid/unknown-quality.toml"
                ),
            )],
            &[
                "unknown-quality.toml",
                "[images.\"dall-e-3\"] assumed_quality",
                "\"ultra\"",
            ],
        ),
    ];
    for (args, env, needles) in cases {
        let mut c = cmd(&home);
        c.args(*args);
        for (k, v) in *env {
            c.env(k, v);
        }
        let (out, stdout, stderr) = run(&mut c);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "one message: {stderr}"
        );
        for n in *needles {
            assert!(stderr.contains(n), "{args:?}: {stderr:?} lacks {n:?}");
        }
        assert!(!stderr.contains("panicked"));
    }
}

/// A flag the command does not use is a warning, not silence and not a failure.
#[test]
fn a_flag_the_command_does_not_use_is_ignored_with_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(cmd(&home).args(["once", "--demo", "--interval", "900"]));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: --interval does not apply to once: ignored"),
        "{stderr}"
    );
}

#[test]
fn api_failures_exit_1_with_one_line_naming_the_kind() {
    let (_, sim) = sim();
    let home = tempfile::tempdir().unwrap();
    let (out, stdout, stderr) = run(cmd(&home)
        .args(["once", "--base-url", &sim.base_url()])
        .env("OPENAI_ADMIN_KEY", "sk-proj-not-an-admin-key"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.is_empty());
    let stderr = errors(&stderr);
    assert!(
        stderr.starts_with("usage-tracker: error [missing_permission]: the API answered 403")
            && stderr.contains("sk-proj-..."),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

/// With the key in a flag, the environment or a `.env`, rejected or not, with every log level:
/// no output shows it.
#[test]
fn the_admin_key_never_appears_in_output_or_logs() {
    let (_, sim) = sim();
    let secret = "sk-admin-TOPSECRET-5f0c9a7e1b";
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".env"),
        format!("OPENAI_ADMIN_KEY={secret}\n"),
    )
    .unwrap();
    let base = sim.base_url();
    let dead = "http://127.0.0.1:9/v1".to_string();
    let runs: Vec<Vec<String>> = vec![
        vec![
            "once".into(),
            "--base-url".into(),
            base.clone(),
            "--admin-key".into(),
            secret.into(),
        ],
        vec!["once".into(), "--base-url".into(), base.clone()],
        vec!["keys".into(), "--base-url".into(), base.clone()],
        vec![
            "once".into(),
            "--base-url".into(),
            dead,
            "--format".into(),
            "json".into(),
        ],
        vec![
            "once".into(),
            "--base-url".into(),
            base,
            "--bucket-width".into(),
            "7m".into(),
        ],
    ];
    // Settings files holding the key: as a field (unknown, and rejected) and on a line the
    // TOML parser cannot read (its own message would quote the line).
    let as_field = home.path().join("as-field.toml");
    std::fs::write(
        &as_field,
        format!("lookback_hours = 2\nadmin_key = \"{secret}\"\n"),
    )
    .unwrap();
    let broken = home.path().join("broken.toml");
    std::fs::write(&broken, format!("admin_key = \"{secret}\n")).unwrap();
    let unknown = home.path().join("unknown.toml");
    std::fs::write(&unknown, format!("{secret} = 1\n")).unwrap();
    let mut runs = runs;
    for file in [&as_field, &broken, &unknown] {
        for sub in ["once", "keys"] {
            runs.push(vec![
                sub.into(),
                "--settings".into(),
                file.display().to_string(),
            ]);
        }
    }
    runs.push(vec![
        "admin-key".into(),
        "status".into(),
        "--admin-key".into(),
        secret.into(),
    ]);
    // A key typed where another value goes: clap's message and the app's quote the value.
    runs.push(vec!["once".into(), "--format".into(), secret.into()]);
    runs.push(vec!["once".into(), "--tier".into(), secret.into()]);
    runs.push(vec!["once".into(), "--api-key-id".into(), secret.into()]);
    let (out, _, stderr) =
        run(cmd(&home).args(["once", "--settings", &as_field.display().to_string()]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("line 2")
            && stderr.contains("secret store")
            && stderr.contains("OPENAI_ADMIN_KEY"),
        "{stderr}"
    );
    for args in runs {
        for log in ["trace", "debug", "warn"] {
            let (out, stdout, stderr) = run(cmd(&home).args(&args).env("USAGE_TRACKER_LOG", log));
            assert!(
                !out.status.success(),
                "{args:?} should fail: the key is wrong"
            );
            assert!(
                !stdout.contains("TOPSECRET") && !stderr.contains("TOPSECRET"),
                "{args:?} {log}: {stdout}{stderr}"
            );
        }
    }
}

/// A server that answers 401 quoting the Authorization header it received (as a careless
/// proxy might): the message shown must not carry the key.
#[test]
fn a_key_echoed_by_the_server_is_redacted() {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut auth = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                if let Some(v) = line.strip_prefix("authorization: ") {
                    auth = v.trim().to_owned();
                }
                line.clear();
            }
            let body =
                format!("{{\"error\":{{\"message\":\"Incorrect API key provided: {auth}\"}}}}");
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let home = tempfile::tempdir().unwrap();
    let secret = "sk-admin-ECHOED-3c1d2e9f7a";
    let (out, _, stderr) = run(cmd(&home)
        .args(["once", "--base-url", &format!("http://127.0.0.1:{port}/v1")])
        .env("OPENAI_ADMIN_KEY", secret));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("Incorrect API key provided: Bearer sk-admin-…9f7a"),
        "{stderr}"
    );
    assert!(!stderr.contains("ECHOED"), "{stderr}");
}

#[test]
fn help_lists_the_options_each_command_uses() {
    let home = tempfile::tempdir().unwrap();
    let common = [
        "--lookback-hours",
        "[default: 6]",
        "--bucket-width",
        "--tier",
        "--pricing",
        "--base-url",
        "--admin-key",
        "--api-key-id",
        "--timeout",
        "--demo",
    ];
    let cases: &[(&[&str], &[&str], &[&str])] = &[
        (
            &["--help"],
            &["--interval", "--spike-token-rate", "--daily-budget"],
            &[],
        ),
        (
            &["once", "--help"],
            &[],
            &["--interval", "--spike-token-rate", "--daily-budget"],
        ),
        (
            &["watch", "--help"],
            &["--interval", "--spike-request-rate", "--daily-budget"],
            &[],
        ),
    ];
    for (args, more, absent) in cases {
        let (out, stdout, _) = run(cmd(&home).args(*args));
        assert!(out.status.success());
        let folded = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        for n in common.iter().chain(*more) {
            assert!(folded.contains(n), "{args:?} help lacks {n}");
        }
        for n in *absent {
            assert!(
                !folded.contains(n),
                "{args:?} help lists {n}, which it does not use"
            );
        }
    }
    let (_, keys, _) = run(cmd(&home).args(["keys", "--help"]));
    assert!(
        keys.contains("--base-url") && !keys.contains("--tier"),
        "{keys}"
    );
    let (_, root, _) = run(cmd(&home).args(["--help"]));
    assert!(root.contains("simulate"), "{root}");
    for args in [
        &["help", "--help"][..],
        &["help", "once"],
        &["simulate", "--help"],
    ] {
        let (out, stdout, stderr) = run(cmd(&home).args(args));
        assert!(
            out.status.success() && !stdout.is_empty(),
            "{args:?}: {stderr}"
        );
    }
}

/// Issue 9 item 2: a `.env` of another program naming OPENAI_BASE_URL does not redirect the
/// key; the app's own setting does, and says so.
#[test]
fn openai_base_url_of_another_program_does_not_redirect_the_key() {
    let (_, sim) = sim();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".env"),
        format!(
            "OPENAI_BASE_URL=http://127.0.0.1:{port}/v1\nUSAGE_TRACKER_BASE_URL={}\n",
            sim.base_url()
        ),
    )
    .unwrap();
    let (out, _, stderr) = run(cmd(&home)
        .args(["once"])
        .env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY));
    assert!(out.status.success(), "{stderr}");
    assert!(
        listener.accept().is_err(),
        "the key was sent to OPENAI_BASE_URL"
    );
    let note = format!(
        "usage-tracker: warning: the admin key goes to {} (from USAGE_TRACKER_BASE_URL in",
        sim.base_url()
    );
    assert_eq!(stderr.matches(&note).count(), 1, "{stderr}");
}

/// A price file in the format with every unit loads through the binary and prices the demo.
/// The bill prices what the table cannot (the fine-tune) and, by default, where it differs from
/// the file by more than 5 % (the file's gpt-4o at twice its price): listed in `price_checks`.
/// `--prices table` keeps the file's prices there.
#[test]
fn a_price_file_with_every_unit_prices_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let once = |extra: &[&str]| {
        let mut c = cmd(&home);
        c.args(["once", "--demo", "--format", "json", "--tier", "standard"])
            .args(extra);
        let (out, stdout, stderr) = run(&mut c);
        assert!(out.status.success(), "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
    };
    let model = |v: &serde_json::Value, name: &str| {
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["model"] == name)
            .unwrap_or_else(|| panic!("{name} in {v}"))
            .clone()
    };
    let built_in = once(&[]);
    let fine_tune = built_in["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .find(|m| m.starts_with("ft:"))
        .expect("the demo has a fine-tune")
        .to_owned();
    // No table prices it: the bill does.
    let ft = model(&built_in, &fine_tune);
    assert!(ft["cost_usd"].as_f64().unwrap() > 0.0, "{ft}");
    assert_eq!(ft["price_source"], "bill", "{ft}");
    let every_unit = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pricing/valid/every-unit.toml"
    );
    let text = std::fs::read_to_string(every_unit).unwrap()
        + "\n[standard.\"gpt-4o\"]\ninput = 5.0\ncached_input = 2.5\noutput = 20.0\n"
        + &format!(
            "\n[standard.\"{fine_tune}\"]\ninput = 1\ncached_input = 0.5\ncache_write = 1\noutput = 1\n"
        );
    let file = home.path().join("prices.toml");
    std::fs::write(&file, text).unwrap();
    // (input − cached) × input + cached × cached + output × output per 1M, from one run's counts
    // (two runs may see different usage), at the standard tier every row is priced at.
    let at = |v: &serde_json::Value, (i, c, o): (f64, f64, f64)| {
        let m = model(v, "gpt-4o-2024-08-06");
        let n = |k: &str| m[k].as_u64().unwrap() as f64;
        let expected = ((n("input_tokens") - n("cached_input_tokens")) * i
            + n("cached_input_tokens") * c
            + n("output_tokens") * o)
            / 1e6;
        let got = m["cost_usd"].as_f64().unwrap();
        // JSON writes money to a tenth of a cent (README "JSON output").
        assert!(
            expected > 0.0 && (got - expected).abs() <= 0.0005 + 1e-9,
            "{got} {expected}"
        );
        m
    };
    let listed = once(&["--pricing", file.to_str().unwrap(), "--prices", "table"]);
    assert_eq!(listed["prices"], "table");
    assert_eq!(at(&listed, (5.0, 2.5, 20.0))["price_source"], "file");
    assert_eq!(model(&listed, &fine_tune)["price_source"], "file");
    let input_check = listed["price_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["model"] == "gpt-4o-2024-08-06" && c["kind"] == "input")
        .unwrap_or_else(|| panic!("{}", listed["price_checks"]))
        .clone();
    assert_eq!(input_check["table_per_unit"], 5.0);
    assert!((input_check["bill_per_unit"].as_f64().unwrap() - 2.5).abs() < 1e-9);
    assert!((input_check["differs_pct"].as_f64().unwrap() + 50.0).abs() < 1e-6);
    assert_eq!(input_check["unit"], "1M tokens");
    // The default: the bill's prices where they differ, the same checks listed.
    let billed = once(&["--pricing", file.to_str().unwrap()]);
    assert_eq!(billed["prices"], "bill");
    assert_eq!(at(&billed, (2.5, 1.25, 10.0))["price_source"], "bill");
    assert_eq!(billed["price_checks"], listed["price_checks"]);
}
