//! The history as `once` and `watch` use it, run as real processes against the simulator:
//! both at once on one data folder succeed and the store holds their pages; a store that
//! cannot be used (a file where the folder should be, a damaged or truncated file, a newer
//! schema, a lock held too long) never stops the figures: one line on stderr names the file
//! and what to do, a damaged file is moved aside (never deleted), the settings untouched.

mod common;

use common::binary::{cmd, run, sim};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use usage_tracker::store::{KeySet, Store, StoreOptions};
use usage_tracker::usage::{BucketWidth, Endpoint, UsageRow};
use usage_tracker_simulator::{DEMO_ADMIN_KEY, DEMO_KEY_ID};

const SETTINGS: &str = "tier = \"standard\"\n";

/// `once`/`watch` against the shared simulator, keeping history in `data`.
fn command(home: &tempfile::TempDir, sub: &str, data: &Path) -> Command {
    let mut c = cmd(home);
    let config = home.path().join("config/usage-tracker");
    std::fs::create_dir_all(&config).unwrap();
    let settings = config.join("settings.toml");
    if !settings.exists() {
        std::fs::write(&settings, SETTINGS).unwrap();
    }
    c.env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY)
        .args([sub, "--format", "json", "--api-key-id", DEMO_KEY_ID])
        .arg("--base-url")
        .arg(sim().1.base_url())
        .arg("--data-dir")
        .arg(data);
    c
}

/// Runs `once` and checks it printed figures; returns stderr's history lines.
fn once_prints_figures(home: &tempfile::TempDir, data: &Path) -> Vec<String> {
    // Read as it runs: the JSON is larger than a pipe holds.
    let (status, out, err) = run(&mut command(home, "once", data));
    assert!(status.status.success(), "{err}");
    let json: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(
        json["totals"]["total_tokens"].as_u64().unwrap() > 0,
        "{out}"
    );
    let settings = home.path().join("config/usage-tracker/settings.toml");
    assert_eq!(
        std::fs::read_to_string(settings).unwrap(),
        SETTINGS,
        "settings untouched"
    );
    err.lines()
        .filter(|l| l.contains("history"))
        .map(str::to_owned)
        .collect()
}

fn stored_completions(data: &Path) -> usize {
    let now = usage_tracker::engine::now_ms() / 1000;
    let s = Store::open(&data.join("history.sqlite"), StoreOptions::default(), now).unwrap();
    let keys = KeySet::of(&[DEMO_KEY_ID.to_owned()]);
    s.load_usage::<UsageRow>(
        &keys,
        Endpoint::Completions,
        BucketWidth::Hour,
        now - 86_400,
        now + 3_600,
    )
    .unwrap()
    .len()
}

#[test]
fn once_and_watch_at_the_same_time_on_one_folder_both_succeed_and_both_record() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut watch = command(&home, "watch", &data)
        .args(["--interval", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let onces: Vec<_> = (0..3)
        .map(|_| {
            command(&home, "once", &data)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    for _ in 0..3 {
        let line = lines
            .next()
            .expect("watch prints a line per refresh")
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(json.get("error").is_none_or(|e| e.is_null()), "{line}");
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut watch.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains("history"), "watch: {err}");
    for o in onces {
        let out = o.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("history"), "once: {stderr}");
    }
    // A 6 h window at 1 h: the window's hours are stored.
    assert!(stored_completions(&data) >= 6);
}

#[test]
fn a_file_where_the_folder_should_be_runs_without_history_and_says_so_once() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("plain-file");
    std::fs::write(&file, "not a folder").unwrap();
    let data = file.join("data");
    let told = once_prints_figures(&home, &data);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("history.sqlite")
            && told[0].contains("--data-dir")
            && told[0].contains("running without history"),
        "{told:?}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}

#[test]
fn a_damaged_or_truncated_file_is_moved_aside_and_a_new_one_started() {
    let home = tempfile::tempdir().unwrap();
    // Garbage where the store should be.
    let data = home.path().join("garbage");
    std::fs::create_dir_all(&data).unwrap();
    let garbage = b"this is not a database, just some bytes ".repeat(200);
    std::fs::write(data.join("history.sqlite"), &garbage).unwrap();
    let told = once_prints_figures(&home, &data);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("damaged") && told[0].contains("moved to"),
        "{told:?}"
    );
    let aside: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        std::fs::read(&aside[0]).unwrap(),
        garbage,
        "moved, not deleted"
    );
    assert!(stored_completions(&data) >= 6, "a new store records");
    assert!(
        once_prints_figures(&home, &data).is_empty(),
        "the new store is fine"
    );

    // A real store cut short.
    let data = home.path().join("truncated");
    assert!(once_prints_figures(&home, &data).is_empty());
    let path = data.join("history.sqlite");
    let len = std::fs::metadata(&path).unwrap().len();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..(len / 2) as usize]).unwrap();
    let told = once_prints_figures(&home, &data);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("damaged") && told[0].contains("history.sqlite"),
        "{told:?}"
    );
    assert!(stored_completions(&data) >= 6);
}

#[test]
fn a_newer_schema_is_left_as_it_is() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let path = data.join("history.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 999;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let told = once_prints_figures(&home, &data);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("schema version 999") && told[0].contains("update UsageTracker"),
        "{told:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before, "left as it is");
}

#[test]
fn a_store_locked_too_long_runs_without_history_this_time() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    assert!(once_prints_figures(&home, &data).is_empty());
    let holder = rusqlite::Connection::open(data.join("history.sqlite")).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let told = once_prints_figures(&home, &data);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("locked") && told[0].contains("history.sqlite"),
        "{told:?}"
    );
    holder.execute_batch("COMMIT;").unwrap();
    drop(holder);
    assert!(
        once_prints_figures(&home, &data).is_empty(),
        "used again once free"
    );
}

#[test]
fn watch_says_once_that_it_runs_without_history_and_shows_figures() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("history.sqlite"), b"garbage".repeat(100)).unwrap();
    let mut watch = command(&home, "watch", &data)
        .args(["--interval", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    for _ in 0..2 {
        let line = lines.next().unwrap().unwrap();
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(
            json["totals"]["total_tokens"].as_u64().unwrap() > 0,
            "{line}"
        );
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut watch.stderr.take().unwrap(), &mut err).unwrap();
    let told: Vec<_> = err.lines().filter(|l| l.contains("history")).collect();
    assert_eq!(told.len(), 1, "{err}");
    assert!(told[0].contains("moved to"), "{err}");
}
