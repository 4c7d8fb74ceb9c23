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

/// A child process killed when the test ends, however it ends.
struct Proc(std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first line of `watch --demo --format json` (plus `extra`) that carries the bill and the
/// pace (the bill rides on the refresh after it came), in a fresh data folder.
fn demo_watch_line(extra: &[&str]) -> String {
    use std::io::BufRead;
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut child = in_data(&home, &data)
        .args(["watch", "--demo", "--format", "json", "--interval", "1"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let _guard = Proc(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = rx
            .recv_timeout(left)
            .expect("watch --demo prints a line with the bill within a minute");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if !v["billed"].is_null() && !v["pace"].is_null() {
            return line;
        }
    }
}

/// Every number under a money key (`*_usd`, `amount`, `value` of an amount) in `v`, with its
/// path.
fn money(v: &serde_json::Value, path: &str, out: &mut Vec<(String, f64)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}.{k}");
                let is_money = k.ends_with("_usd") || k == "amount" || path.ends_with(".amount");
                match x {
                    serde_json::Value::Number(n) if is_money => out.push((p, n.as_f64().unwrap())),
                    serde_json::Value::Object(_) if k == "amount" => {
                        for (c, n) in x.as_object().unwrap() {
                            if let Some(n) = n.as_f64() {
                                out.push((format!("{p}.{c}"), n));
                            }
                        }
                    }
                    _ => money(x, &p, out),
                }
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                money(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The lean `watch` line (issue 17): under 5 KB for the demo with its bill, money to a tenth
/// of a cent, the keys named; `--detail` keeps every field (and is far larger, so the bound
/// is one a regression would break).
#[test]
fn a_demo_watch_json_line_is_under_5_kb_and_detail_has_the_rest() {
    let line = demo_watch_line(&[]);
    assert!(
        line.len() < 5_000,
        "watch --demo --format json line is {} bytes: {line:.600}",
        line.len()
    );
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        v["api_keys"],
        serde_json::json!([{"id": "key_demoPrimary01", "name": "Production backend"}])
    );
    assert!(
        v["billed"]["month_to_date"]["amount"]["usd"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(v["billed"].get("days").is_none() && v.get("buckets").is_none());
    assert!(v["other_usage"][0].get("models").is_none());
    assert_eq!(v["unpriced_rows"], serde_json::json!([]));
    let mut amounts = Vec::new();
    money(&v, "", &mut amounts);
    assert!(amounts.len() >= 20, "{amounts:?}");
    for (path, x) in &amounts {
        assert!(
            ((x * 1000.0).round() - x * 1000.0).abs() < 1e-6,
            "{path} = {x}: not to a tenth of a cent"
        );
    }

    let detail = demo_watch_line(&["--detail"]);
    assert!(detail.len() > 20_000, "{} bytes", detail.len());
    let d: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert!(
        d["billed"]["days"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    assert!(d["billed"]["today"]["line_items"].is_array());
    assert!(d["buckets"].is_array() && d["other_usage"][0]["models"].is_array());
    for k in v.as_object().unwrap().keys() {
        assert!(
            d.get(k).is_some(),
            "{k}: every lean field is in the detailed line"
        );
    }
}
