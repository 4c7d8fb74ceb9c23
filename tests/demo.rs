//! `--demo` as a new user meets it, over the real binary and the simulator it starts:
//! `export --demo` and `report --demo` read the history `once --demo` recorded
//! (`history-demo.sqlite`), never the real one.

mod common;

use common::binary::{cmd, run};
use std::path::Path;

/// The binary with its history in `data`.
fn in_data(home: &tempfile::TempDir, data: &Path) -> std::process::Command {
    let mut c = cmd(home);
    c.env("USAGE_TRACKER_DATA_DIR", data);
    c
}

fn utc_day(offset_days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(offset_days))
        .format("%Y-%m-%d")
        .to_string()
}

#[test]
fn export_and_report_with_demo_read_what_once_demo_recorded() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    // Before any demo run there is nothing to read: one line saying how to make it.
    let (out, _, stderr) = run(in_data(&home, &data).args([
        "export",
        "--demo",
        "--from",
        &utc_day(-1),
        "--to",
        &utc_day(0),
    ]));
    assert!(!out.status.success());
    assert!(
        stderr.contains("history-demo.sqlite") && stderr.contains("once --demo"),
        "{stderr}"
    );

    let (out, _, stderr) = run(in_data(&home, &data).args(["once", "--demo"]));
    assert!(out.status.success(), "{stderr}");
    assert!(data.join("history-demo.sqlite").is_file());
    assert!(!data.join("history.sqlite").exists());

    let (out, stdout, stderr) = run(in_data(&home, &data).args([
        "export",
        "--demo",
        "--from",
        &utc_day(-1),
        "--to",
        &utc_day(0),
        "--format",
        "json",
    ]));
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("--demo does not apply"), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let text = v.to_string();
    assert!(text.contains("key_demoPrimary01"), "{text:.400}");
    assert!(text.contains("gpt-4o"), "the demo's usage: {text:.400}");

    // Without --demo the real history is read, and there is none.
    let (out, _, stderr) =
        run(in_data(&home, &data).args(["export", "--from", &utc_day(-1), "--to", &utc_day(0)]));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no history at"), "{stderr}");

    let page = home.path().join("page.html");
    let (out, _, stderr) = run(in_data(&home, &data)
        .args(["report", "--demo", "--days", "2"])
        .arg("--out")
        .arg(&page));
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("holds nothing"), "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("key_demoPrimary01"),
        "the report names the demo's key"
    );
}
