//! Opening a file that cannot be used as it is: unopenable, truncated, garbage, newer schema,
//! locked; and two writers on one file at once.

use super::super::*;
use std::path::{Path, PathBuf};
use std::time::Duration;
use usage_tracker_core::usage::{Bucket, BucketWidth, Endpoint, Meter};

/// 2026-12-02T00:00:00Z
const NOW: i64 = 1_796_169_600;

fn opts(busy_ms: u64) -> StoreOptions {
    StoreOptions {
        busy_timeout: Duration::from_millis(busy_ms),
        ..StoreOptions::default()
    }
}

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    (dir, path)
}

fn minutes(from: i64, n: i64, tag: u64) -> Vec<Bucket<Meter>> {
    (0..n)
        .map(|i| Bucket {
            start_time: from + i * 60,
            end_time: from + i * 60 + 60,
            rows: vec![Meter {
                owner: Default::default(),
                endpoint: Endpoint::Embeddings,
                model: format!("text-embedding-3-small-{tag}").into(),
                detail: None,
                quantity: 1_000 + i as u64,
                requests: 1,
            }],
        })
        .collect()
}

/// A store with some hundred pages of data, closed.
fn filled(path: &Path) {
    let mut s = Store::open(path, opts(1000), NOW).unwrap();
    let keys = KeySet::of(&[]);
    s.record_usage_page(
        &keys,
        Endpoint::Embeddings,
        BucketWidth::Minute,
        &minutes(NOW - 40 * 3600, 2400, 0),
        NOW,
    )
    .unwrap();
}

fn asides(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_folder_that_cannot_be_made_is_unopenable_and_history_is_off() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: fails for root too.
    std::fs::write(dir.path().join("data"), b"x").unwrap();
    let path = dir.path().join("data").join(FILE_NAME);
    let err = Store::open(&path, opts(100), NOW).unwrap_err();
    assert!(matches!(err, StoreError::Unopenable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("--data-dir"),
        "{msg}"
    );
    let opened = open_or_recover(&path, opts(100), NOW);
    assert!(opened.store.is_none());
    assert!(opened.notice.unwrap().ends_with("running without history"));
    assert_eq!(std::fs::read(dir.path().join("data")).unwrap(), b"x");
}

#[test]
fn a_garbage_file_is_moved_aside_and_a_new_store_started() {
    let (dir, path) = temp();
    let garbage = b"this is not a database, just some bytes that happen to be here".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    assert!(matches!(
        Store::open(&path, opts(100), NOW),
        Err(StoreError::Corrupt { .. })
    ));
    let opened = open_or_recover(&path, opts(100), NOW);
    let store = opened.store.expect("a new store");
    assert_eq!(store.schema_version().unwrap(), schema::CURRENT);
    let notice = opened.notice.unwrap();
    let aside = asides(dir.path());
    assert_eq!(aside, [corrupt_name(&path, NOW)]);
    assert_eq!(
        aside[0].file_name().unwrap(),
        "history.sqlite.corrupt-20261202T000000Z"
    );
    assert!(
        notice.contains("moved to") && notice.contains("corrupt-20261202T000000Z"),
        "{notice}"
    );
    // Never deleted: the bytes are all there.
    assert_eq!(std::fs::read(&aside[0]).unwrap(), garbage);
}

#[test]
fn a_second_damaged_file_in_the_same_second_never_replaces_the_first_moved_aside() {
    let (dir, path) = temp();
    let first = b"first damaged file, not a database at all".repeat(100);
    std::fs::write(&path, &first).unwrap();
    let opened = open_or_recover(&path, opts(100), NOW);
    drop(opened.store.expect("a new store"));
    // The new file damaged too, found in the same second (two processes recovering at once).
    let second = b"second damaged file, not a database either".repeat(100);
    std::fs::write(&path, &second).unwrap();
    let _ = std::fs::remove_file(path.with_file_name("history.sqlite-wal"));
    let opened = open_or_recover(&path, opts(100), NOW);
    assert!(opened.store.is_some());
    let notice = opened.notice.unwrap();
    let aside = asides(dir.path())
        .into_iter()
        .filter(|p| {
            !p.to_string_lossy().ends_with("-shm") && !p.to_string_lossy().ends_with("-wal")
        })
        .collect::<Vec<_>>();
    assert_eq!(aside.len(), 2, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), first);
    assert_eq!(std::fs::read(&aside[1]).unwrap(), second);
    assert!(
        notice.contains(&aside[1].display().to_string()),
        "the notice names where the second went: {notice}"
    );
}

#[test]
fn a_truncated_file_is_found_damaged_and_moved_aside() {
    let (dir, path) = temp();
    filled(&path);
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len > 64 * 1024, "{len}");
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let err = Store::open(&path, opts(100), NOW).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    // What `report` and `export` say (they read only, moving nothing): the file and the fix.
    let msg = Store::open_existing(&path, opts(100), NOW)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("moves it aside"),
        "{msg}"
    );
    assert!(asides(dir.path()).is_empty());
    let opened = open_or_recover(&path, opts(100), NOW);
    let store = opened.store.expect("a new store");
    let left = store
        .load_usage::<Meter>(
            &KeySet::of(&[]),
            Endpoint::Embeddings,
            BucketWidth::Minute,
            0,
            NOW,
        )
        .unwrap();
    assert!(left.is_empty());
    let aside = asides(dir.path());
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::metadata(&aside[0]).unwrap().len(), len / 2);
}

#[test]
fn a_newer_schema_is_left_alone_and_named() {
    let (dir, path) = temp();
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE future (x); INSERT INTO future VALUES (42); PRAGMA user_version = 7;",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, opts(100), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 7,
                supported: 4,
                ..
            }
        ),
        "{err:?}"
    );
    let opened = open_or_recover(&path, opts(100), NOW);
    assert!(opened.store.is_none());
    let notice = opened.notice.unwrap();
    assert!(
        notice.contains("schema version 7") && notice.contains("(4)"),
        "{notice}"
    );
    assert!(notice.contains("running without history"), "{notice}");
    assert!(asides(dir.path()).is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_store_locked_past_the_busy_timeout_is_a_typed_error_not_a_hang() {
    let (_d, path) = temp();
    drop(Store::open(&path, opts(100), NOW).unwrap());
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; DELETE FROM bill_day;")
        .unwrap();
    let started = std::time::Instant::now();
    let err = Store::open(&path, opts(300), NOW).unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert!(
        err.to_string()
            .contains("locked by another process for more than 0.3 s"),
        "{err}"
    );
    let opened = open_or_recover(&path, opts(300), NOW);
    assert!(opened.store.is_none() && opened.notice.unwrap().contains("locked"));
    holder.execute_batch("COMMIT").unwrap();
    assert!(Store::open(&path, opts(300), NOW).is_ok());
}

#[test]
fn two_writers_on_one_new_file_at_once_both_succeed() {
    let (_d, path) = temp();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let writers: Vec<_> = (0..2u64)
        .map(|tag| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                // Both open (and migrate) the new file at the same moment.
                let mut s = Store::open(&path, StoreOptions::default(), NOW).unwrap();
                let keys = KeySet::of(&[format!("key_{tag}")]);
                for page in 0..60 {
                    let b = minutes(NOW - 24 * 3600 + page * 600, 10, tag);
                    s.record_usage_page(&keys, Endpoint::Embeddings, BucketWidth::Minute, &b, NOW)
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer failed");
    }
    let s = Store::open(&path, opts(1000), NOW).unwrap();
    for tag in 0..2u64 {
        let keys = KeySet::of(&[format!("key_{tag}")]);
        let back = s
            .load_usage::<Meter>(&keys, Endpoint::Embeddings, BucketWidth::Minute, 0, NOW)
            .unwrap();
        assert_eq!(back.len(), 600, "key_{tag}");
        assert!(
            back.iter()
                .all(|b| b.bucket.rows[0].model.ends_with(&format!("-{tag}")))
        );
    }
}
