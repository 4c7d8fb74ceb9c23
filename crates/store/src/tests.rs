//! The store on real files in a temporary folder: schema and migrations, round trips, the
//! missing-range query, retention, concurrent writers and every failure case.

mod open;
mod organization;

use super::*;
use std::path::PathBuf;
use usage_tracker_core::bill::{BilledDay, LineItem, LineKind, Money};
use usage_tracker_core::pricing::Tier;
use usage_tracker_core::usage::{Bucket, BucketWidth, Endpoint, Meter, TokenSplit, UsageRow};

const H: i64 = 3_600;
/// 2026-12-02T00:00:00Z
const DAY0: i64 = 1_796_169_600;

fn row(model: &str, tier: Tier, input: u64, output: u64) -> UsageRow {
    UsageRow {
        owner: Default::default(),
        model: model.into(),
        tier,
        input_tokens: input,
        cached_input_tokens: input / 4,
        output_tokens: output,
        requests: 3,
        split: TokenSplit {
            cache_write: 7,
            audio_input: 2,
            image_output: 1,
            ..TokenSplit::default()
        },
    }
}

fn hour(start: i64, rows: Vec<UsageRow>) -> Bucket<UsageRow> {
    Bucket {
        start_time: start,
        end_time: start + H,
        rows,
    }
}

fn opts() -> StoreOptions {
    StoreOptions {
        busy_timeout: std::time::Duration::from_millis(300),
        ..StoreOptions::default()
    }
}

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join(FILE_NAME);
    (dir, path)
}

fn keys() -> KeySet {
    KeySet::of(&["key_b".into(), "key_a".into()])
}

#[test]
fn key_sets_are_sorted_ids_or_the_organization() {
    assert_eq!(keys().as_str(), "key_a,key_b");
    assert_eq!(
        KeySet::of(&["key_a".into(), "key_b".into(), "key_a".into()]),
        keys()
    );
    assert_eq!(KeySet::of(&[]).as_str(), "organization");
}

#[test]
fn an_empty_file_migrates_to_the_current_version_in_wal_mode() {
    let (_d, path) = temp();
    // A zero-byte file, as a crash right after creating it would leave.
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"").unwrap();
    let store = Store::open(&path, opts(), DAY0).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::CURRENT);
    assert_eq!(schema::CURRENT, 4);
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    drop(store);
    // Opening again runs no migration twice (a second CREATE TABLE would fail).
    let again = Store::open(&path, opts(), DAY0).unwrap();
    assert_eq!(again.schema_version().unwrap(), 4);
}

/// Issue 16: a row at a service tier the price table does not know is stored by its name and
/// read back as the same tier (the `tier` column is free text; no migration needed), so a
/// restart never turns an unpriced `ultrafast` row into standard.
#[test]
fn a_row_at_another_service_tier_round_trips_by_its_name() {
    let (_d, path) = temp();
    let ultrafast = Tier::of_row(Some(false), Some("ultrafast"));
    let written = vec![hour(
        DAY0,
        vec![
            row("gpt-5-mini", ultrafast, 1_000_000, 0),
            row("gpt-5-mini", Tier::Standard, 10, 1),
        ],
    )];
    let mut store = Store::open(&path, opts(), DAY0 + 10 * H).unwrap();
    store
        .record_usage_page(
            &keys(),
            Endpoint::Completions,
            BucketWidth::Hour,
            &written,
            DAY0 + 10 * H,
        )
        .unwrap();
    let stored: Vec<String> = store
        .conn
        .prepare("SELECT tier FROM usage_row ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored, ["ultrafast", "standard"]);
    drop(store);
    let store = Store::open(&path, opts(), DAY0 + 10 * H).unwrap();
    let back = store
        .load_usage::<UsageRow>(
            &keys(),
            Endpoint::Completions,
            BucketWidth::Hour,
            DAY0,
            DAY0 + H,
        )
        .unwrap();
    assert_eq!(back.len(), 1);
    assert!(back[0].is_final);
    assert_eq!(back[0].bucket, written[0]);
    assert_eq!(back[0].bucket.rows[0].tier.as_str(), "ultrafast");
    assert_eq!(back[0].bucket.rows[0].tier.index(), None);
}

#[test]
fn completions_and_meters_round_trip_with_their_fetch_time() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0 + 10 * H).unwrap();
    let written = vec![
        hour(
            DAY0,
            vec![
                row("gpt-4o-2024-08-06", Tier::Standard, 1_000, 200),
                row("gpt-4o-mini", Tier::Batch, u64::MAX, 5),
            ],
        ),
        hour(DAY0 + H, vec![]),
        hour(DAY0 + 2 * H, vec![row("o3", Tier::Priority, 9, 9)]),
    ];
    let n = store
        .record_usage_page(
            &keys(),
            Endpoint::Completions,
            BucketWidth::Hour,
            &written,
            DAY0 + 10 * H,
        )
        .unwrap();
    assert_eq!(n, 3);
    let back = store
        .load_usage::<UsageRow>(
            &keys(),
            Endpoint::Completions,
            BucketWidth::Hour,
            DAY0,
            DAY0 + 3 * H,
        )
        .unwrap();
    let buckets: Vec<_> = back.iter().map(|b| b.bucket.clone()).collect();
    let mut expected = written.clone();
    // SQLite integers are signed: the nonsense count is kept at i64::MAX.
    expected[0].rows[1].input_tokens = i64::MAX as u64;
    expected[0].rows[1].cached_input_tokens = u64::MAX / 4;
    assert_eq!(buckets, expected);
    assert!(
        back.iter()
            .all(|b| b.fetched_at == DAY0 + 10 * H && b.is_final)
    );

    let images = vec![Bucket {
        start_time: DAY0,
        end_time: DAY0 + H,
        rows: vec![Meter {
            owner: Default::default(),
            endpoint: Endpoint::Images,
            model: "dall-e-3".into(),
            detail: Some("1024x1024 image.generation".into()),
            quantity: 4,
            requests: 2,
        }],
    }];
    store
        .record_usage_page(
            &keys(),
            Endpoint::Images,
            BucketWidth::Hour,
            &images,
            DAY0 + H + 60,
        )
        .unwrap();
    let back = store
        .load_usage::<Meter>(&keys(), Endpoint::Images, BucketWidth::Hour, DAY0, DAY0 + H)
        .unwrap();
    assert_eq!(back[0].bucket, images[0]);
    // Fetched a minute after it ended: late usage may still land in it.
    assert!(!back[0].is_final);
    // Another key set, endpoint or width sees none of it.
    let org = KeySet::of(&[]);
    assert!(
        store
            .load_usage::<Meter>(&org, Endpoint::Images, BucketWidth::Hour, DAY0, DAY0 + H)
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .load_usage::<Meter>(
                &keys(),
                Endpoint::Images,
                BucketWidth::Minute,
                DAY0,
                DAY0 + H
            )
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_later_fetch_replaces_a_bucket_and_an_older_one_does_not() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0).unwrap();
    let e = Endpoint::Completions;
    let w = BucketWidth::Hour;
    let first = [hour(DAY0, vec![row("a", Tier::Standard, 1, 1)])];
    let later = [hour(
        DAY0,
        vec![row("a", Tier::Standard, 5, 5), row("b", Tier::Flex, 1, 0)],
    )];
    store
        .record_usage_page(&keys(), e, w, &first, DAY0 + 600)
        .unwrap();
    store
        .record_usage_page(&keys(), e, w, &later, DAY0 + 2 * H)
        .unwrap();
    // An answer that came earlier (another process, slower) does not win.
    store
        .record_usage_page(&keys(), e, w, &first, DAY0 + H)
        .unwrap();
    let back = store
        .load_usage::<UsageRow>(&keys(), e, w, DAY0, DAY0 + H)
        .unwrap();
    assert_eq!(back[0].bucket, later[0]);
    assert_eq!(back[0].fetched_at, DAY0 + 2 * H);
}

#[test]
fn a_bucket_clipped_to_the_start_asked_is_not_stored() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0).unwrap();
    let clipped = Bucket {
        start_time: DAY0 + 600,
        end_time: DAY0 + H,
        rows: vec![row("a", Tier::Standard, 1, 1)],
    };
    let n = store
        .record_usage_page(
            &keys(),
            Endpoint::Completions,
            BucketWidth::Hour,
            &[clipped],
            DAY0 + 3 * H,
        )
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn missing_names_what_is_absent_or_may_still_change() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0).unwrap();
    let (e, w) = (Endpoint::Completions, BucketWidth::Hour);
    let now = DAY0 + 6 * H + 1_800;
    // Hours 0, 1 and 3 stored at `now`; hour 5 ended 30 min before `now`: not final.
    let stored: Vec<_> = [0, 1, 3, 5]
        .iter()
        .map(|h| hour(DAY0 + h * H, vec![]))
        .collect();
    store
        .record_usage_page(&keys(), e, w, &stored, now)
        .unwrap();
    let gaps = store.missing(&keys(), e, w, DAY0 + 600, now).unwrap();
    assert_eq!(
        gaps,
        [(DAY0 + 2 * H, DAY0 + 3 * H), (DAY0 + 4 * H, now)],
        "hour 2 absent; 4 absent, 5 not final, 6 absent (and clipped to `to`)"
    );
    // Hour 5 re-read two hours after it ended: final now.
    store
        .record_usage_page(&keys(), e, w, &[hour(DAY0 + 5 * H, vec![])], DAY0 + 8 * H)
        .unwrap();
    assert_eq!(
        store.missing(&keys(), e, w, DAY0, DAY0 + 6 * H).unwrap(),
        [(DAY0 + 2 * H, DAY0 + 3 * H), (DAY0 + 4 * H, DAY0 + 5 * H)]
    );
    assert!(
        store
            .missing(&keys(), e, w, DAY0, DAY0 + 2 * H)
            .unwrap()
            .is_empty()
    );
}

fn item(model: &str, usd: f64, currency: &str) -> LineItem {
    LineItem {
        name: format!("{model}, input"),
        model: Some(model.into()),
        kind: LineKind::CachedImageInput,
        batch: true,
        amount: Money {
            value: usd,
            currency: currency.into(),
        },
        quantity: Some(1.5),
        quantity_unit: Some("tokens".into()),
        api_key_id: Some("key_a".into()),
        project_id: Some("proj_p".into()),
    }
}

#[test]
fn bills_round_trip_and_settle_a_day_after_the_day() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0).unwrap();
    let days = vec![
        BilledDay {
            start_time: DAY0 - SECS,
            items: vec![item("gpt-4o", 1.25, "usd"), item("gpt-4o", 2.0, "eur")],
        },
        BilledDay {
            start_time: DAY0,
            items: vec![],
        },
    ];
    let now = DAY0 + 2 * H;
    assert_eq!(store.record_bill(&keys(), &days, now).unwrap(), 2);
    let back = store.load_bill(&keys(), DAY0 - SECS, DAY0 + SECS).unwrap();
    assert_eq!(back.iter().map(|d| d.day.clone()).collect::<Vec<_>>(), days);
    // Yesterday ended 2 h ago: it may still change, and so does today.
    assert!(back.iter().all(|d| !d.is_final));
    assert_eq!(
        store
            .missing_bill(&keys(), DAY0 - SECS, DAY0 + SECS)
            .unwrap(),
        [(DAY0 - SECS, DAY0 + SECS)]
    );
    store
        .record_bill(&keys(), &days[..1], DAY0 + SECS + 60)
        .unwrap();
    assert_eq!(
        store
            .missing_bill(&keys(), DAY0 - SECS, DAY0 + SECS)
            .unwrap(),
        [(DAY0, DAY0 + SECS)]
    );
    for k in super::bill::KINDS {
        assert_eq!(super::bill::line_kind(line_kind_name(k)), k);
    }
}

const SECS: i64 = usage_tracker_core::bill::SECS_PER_DAY;

#[test]
fn retention_drops_old_buckets_per_width_and_keeps_recent_ones() {
    let (_d, path) = temp();
    let now = DAY0 + 400 * SECS;
    let mut store = Store::open(&path, opts(), now).unwrap();
    let e = Endpoint::Moderations;
    let meter = |start: i64, w: BucketWidth| Bucket::<Meter> {
        start_time: start,
        end_time: start + w.secs(),
        rows: vec![Meter {
            owner: Default::default(),
            endpoint: e,
            model: "omni-moderation-latest".into(),
            detail: None,
            quantity: 1,
            requests: 1,
        }],
    };
    let ages = [
        (BucketWidth::Minute, 48 * H),
        (BucketWidth::Hour, 90 * SECS),
        (BucketWidth::Day, 400 * SECS),
    ];
    for (w, keep) in ages {
        let old = w.floor(now - keep) - w.secs();
        let recent = w.floor(now - keep) + w.secs();
        store
            .record_usage_page(&keys(), e, w, &[meter(old, w), meter(recent, w)], now)
            .unwrap();
    }
    store
        .record_bill(
            &keys(),
            &[
                BilledDay {
                    start_time: now - 401 * SECS - (now % SECS),
                    items: vec![item("a", 1.0, "usd")],
                },
                BilledDay {
                    start_time: now - 399 * SECS - (now % SECS),
                    items: vec![],
                },
            ],
            now,
        )
        .unwrap();
    let dropped = store.prune(now).unwrap();
    assert_eq!(dropped, 4);
    for (w, _) in ages {
        let left = store.load_usage::<Meter>(&keys(), e, w, 0, now).unwrap();
        assert_eq!(left.len(), 1, "{w}");
        assert_eq!(left[0].bucket.rows.len(), 1);
    }
    assert_eq!(store.load_bill(&keys(), 0, now).unwrap().len(), 1);
    // The old rows went with their buckets.
    let rows: i64 = store
        .conn
        .query_row("SELECT count(*) FROM usage_row", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 3);
    let items: i64 = store
        .conn
        .query_row("SELECT count(*) FROM bill_item", [], |r| r.get(0))
        .unwrap();
    assert_eq!(items, 0);
}

#[test]
fn a_day_counts_the_minutes_of_an_hour_no_hour_bucket_covers() {
    // As the tracker stores a window: minute buckets for its partial first hour (the head),
    // hour buckets after it. A day read back has all of it; an hour stored both ways counts
    // once (its hour bucket).
    let (_d, path) = temp();
    let now = DAY0 + 30 * H;
    let mut store = Store::open(&path, opts(), now).unwrap();
    let (e, k) = (Endpoint::Completions, keys());
    let minute = |start: i64| Bucket {
        start_time: start,
        end_time: start + 60,
        rows: vec![row("gpt-4o", Tier::Standard, 10, 1)],
    };
    // Hour 5: minutes 30..59 only (the head); hours 6..9 whole.
    let head: Vec<_> = (30..60).map(|m| minute(DAY0 + 5 * H + m * 60)).collect();
    let body: Vec<_> = (6..10)
        .map(|h| hour(DAY0 + h * H, vec![row("gpt-4o", Tier::Standard, 1_000, 1)]))
        .collect();
    store
        .record_usage_page(&k, e, BucketWidth::Minute, &head, now)
        .unwrap();
    store
        .record_usage_page(&k, e, BucketWidth::Hour, &body, now)
        .unwrap();
    // Hour 7 also as minutes (a 1-hour lookback that ran then): covered by its hour bucket.
    let twice: Vec<_> = (0..60).map(|m| minute(DAY0 + 7 * H + m * 60)).collect();
    store
        .record_usage_page(&k, e, BucketWidth::Minute, &twice, now)
        .unwrap();
    let input = |period| -> u64 {
        store
            .load_periods(&k, period, DAY0, DAY0 + SECS)
            .unwrap()
            .completions
            .iter()
            .flat_map(|b| &b.rows)
            .map(|r| r.input_tokens)
            .sum()
    };
    assert_eq!(input(BucketWidth::Hour), 30 * 10 + 4 * 1_000);
    assert_eq!(input(BucketWidth::Day), 30 * 10 + 4 * 1_000);
}
