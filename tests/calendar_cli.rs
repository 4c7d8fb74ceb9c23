//! The calendar Lookback choices through the real binary: `once` (table and JSON) and
//! `watch --format json` name the choice and the window's start and end; a bad value is exit 2
//! naming it, where it came from and what is accepted.

mod common;

use common::binary::{cmd, run, run_within};
use std::time::Duration;
use usage_tracker::plan::periods::{Calendar, period};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn once_json_names_the_choice_and_the_window_of_each_period() {
    for c in Calendar::ALL {
        let home = tempfile::tempdir().unwrap();
        let before = now();
        let (out, stdout, stderr) = run(cmd(&home).args([
            "once",
            "--demo",
            "--format",
            "json",
            "--lookback-hours",
            c.as_str(),
        ]));
        assert!(out.status.success(), "{c:?}: {stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let cal = &v["calendar"];
        assert_eq!(cal["choice"], c.as_str(), "{cal}");
        let end = cal["end"].as_i64().unwrap();
        assert!(end >= before && end <= now(), "{cal}");
        let start = period(c, end).start;
        assert_eq!(cal["start"], start, "{cal}");
        assert_eq!(cal["label"], period(c, end).label.as_str(), "{cal}");
        assert!(
            cal["start_utc"].as_str().unwrap().ends_with("T00:00:00Z"),
            "{cal}"
        );
        assert_eq!(v["window"]["start_time"], start);
        assert_eq!(v["window"]["end_time"], end);
        let width = if c == Calendar::ThisMonth { "1d" } else { "1h" };
        assert_eq!(v["window"]["bucket_width"], width, "{}", v["window"]);
        assert!(v["totals"]["total_tokens"].as_u64().is_some());
    }
    // A rolling lookback: the field is there, null.
    let home = tempfile::tempdir().unwrap();
    let (out, stdout, _) = run(cmd(&home).args(["once", "--demo", "--format", "json"]));
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["calendar"], serde_json::Value::Null);
}

#[test]
fn once_table_names_the_period() {
    let home = tempfile::tempdir().unwrap();
    let (out, stdout, stderr) = run(cmd(&home)
        .env("USAGE_TRACKER_LOOKBACK_HOURS", "week")
        .args(["once", "--demo"]));
    assert!(out.status.success(), "{stderr}");
    let label = period(Calendar::ThisWeek, now()).label;
    assert!(
        stdout.contains(&format!("Window: {label}, ")),
        "{label} in {stdout}"
    );
    assert!(stdout.contains("00:00 UTC → "), "{stdout}");
}

#[test]
fn watch_json_lines_name_the_period() {
    let home = tempfile::tempdir().unwrap();
    let (_, stdout, stderr, _) = run_within(
        cmd(&home).args([
            "watch",
            "--demo",
            "--format",
            "json",
            "--lookback-hours",
            "today",
        ]),
        Duration::from_secs(8),
    );
    let first = stdout
        .lines()
        .find(|l| l.contains("\"total_cost_usd\""))
        .unwrap_or_else(|| panic!("a report line in {stdout:?} ({stderr})"));
    let v: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(v["calendar"]["choice"], "today", "{first}");
    let end = v["calendar"]["end"].as_i64().unwrap();
    assert_eq!(v["calendar"]["start"], end - end % 86_400);
}

#[test]
fn a_bad_lookback_is_exit_2_naming_it_its_origin_and_the_accepted_values() {
    let home = tempfile::tempdir().unwrap();
    let (out, _, stderr) =
        run(cmd(&home).args(["once", "--demo", "--lookback-hours", "fortnight"]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for part in ["\"fortnight\"", "--lookback-hours", "today, week or month"] {
        assert!(stderr.contains(part), "{part} in {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}
