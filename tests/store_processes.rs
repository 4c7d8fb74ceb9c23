//! Two processes writing one history file at once (as the app and `watch` will): each is this
//! test binary run again for its ignored `writer` test, writing many small pages; neither may
//! fail with "database is locked" within the busy timeout, and every page of both is there.

use std::process::Command;
use usage_tracker::store::{KeySet, Store, StoreOptions};
use usage_tracker::usage::{Bucket, BucketWidth, Endpoint, Meter};

const NOW: i64 = 1_796_169_600;
const PAGES: i64 = 150;
const PER_PAGE: i64 = 8;

fn page(tag: &str, page: i64) -> Vec<Bucket<Meter>> {
    (0..PER_PAGE)
        .map(|i| {
            let start = NOW - 40 * 3_600 + (page * PER_PAGE + i) * 60;
            Bucket {
                start_time: start,
                end_time: start + 60,
                rows: vec![Meter {
                    owner: Default::default(),
                    endpoint: Endpoint::Moderations,
                    model: format!("omni-moderation-{tag}").into(),
                    detail: None,
                    quantity: 10,
                    requests: 1,
                }],
            }
        })
        .collect()
}

/// The child: writes `PAGES` pages for its key. Run only by the parent test.
#[test]
#[ignore = "run by two_processes_write_one_file_at_once"]
fn writer() {
    let path = std::env::var("STORE_WRITER_FILE").expect("run by the parent test");
    let tag = std::env::var("STORE_WRITER_TAG").unwrap();
    let mut store = Store::open(path.as_ref(), StoreOptions::default(), NOW).unwrap();
    let keys = KeySet::of(&[format!("key_{tag}")]);
    for p in 0..PAGES {
        store
            .record_usage_page(
                &keys,
                Endpoint::Moderations,
                BucketWidth::Minute,
                &page(&tag, p),
                NOW,
            )
            .unwrap_or_else(|e| panic!("writer {tag}, page {p}: {e}"));
    }
}

#[test]
fn two_processes_write_one_file_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.sqlite");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|tag| {
            Command::new(&exe)
                .args(["--ignored", "--exact", "writer", "--nocapture"])
                .env("STORE_WRITER_FILE", &file)
                .env("STORE_WRITER_TAG", tag)
                .output_async()
        })
        .collect();
    for (tag, child) in ["a", "b"].iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "writer {tag} failed:\n{text}");
        assert!(
            text.contains("1 passed"),
            "writer {tag} did not run:\n{text}"
        );
    }
    let store = Store::open(&file, StoreOptions::default(), NOW).unwrap();
    for tag in ["a", "b"] {
        let keys = KeySet::of(&[format!("key_{tag}")]);
        let back = store
            .load_usage::<Meter>(&keys, Endpoint::Moderations, BucketWidth::Minute, 0, NOW)
            .unwrap();
        assert_eq!(back.len() as i64, PAGES * PER_PAGE, "key_{tag}");
        assert!(back.iter().all(|b| b.bucket.rows[0].model.ends_with(tag)));
    }
}

trait Spawn {
    fn output_async(&mut self) -> std::process::Child;
}

impl Spawn for Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
}
