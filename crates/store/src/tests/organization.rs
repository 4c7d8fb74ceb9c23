//! Whose history: two organizations in one file, a new admin key of the same organization, and
//! a version-2 file (rows keyed by key set only) after the migration.

use super::*;

const KEY_A: &str = "sk-admin-orgA-first-000000000000";
const KEY_A2: &str = "sk-admin-orgA-rotated-0000000000";
const KEY_B: &str = "sk-admin-orgB-000000000000000000";

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn whole() -> KeySet {
    KeySet::of(&[])
}

fn write(store: &mut Store, input: u64) {
    store
        .record_usage_page(
            &whole(),
            Endpoint::Completions,
            BucketWidth::Hour,
            &[hour(DAY0, vec![row("gpt-4o", Tier::Standard, input, 1)])],
            DAY0 + 10 * H,
        )
        .unwrap();
}

fn read(store: &Store) -> Vec<u64> {
    store
        .load_usage::<UsageRow>(
            &whole(),
            Endpoint::Completions,
            BucketWidth::Hour,
            DAY0,
            DAY0 + H,
        )
        .unwrap()
        .iter()
        .flat_map(|b| b.bucket.rows.iter().map(|r| r.input_tokens))
        .collect()
}

#[test]
fn two_organizations_in_one_file_never_read_each_others_rows() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0 + 10 * H).unwrap();
    let a = store
        .identify(KEY_A, &ids(&["proj_a1", "proj_a2"]), DAY0)
        .unwrap();
    assert!(a.new);
    store.use_organization(a.organization).unwrap();
    write(&mut store, 111);
    let b = store.identify(KEY_B, &ids(&["proj_b1"]), DAY0).unwrap();
    assert!(b.new);
    assert_ne!(a.organization, b.organization);
    assert_ne!(b.organization, OrganizationId::UNIDENTIFIED);
    store.use_organization(b.organization).unwrap();
    assert_eq!(read(&store), Vec::<u64>::new(), "B sees none of A's rows");
    assert_eq!(
        store
            .missing(
                &whole(),
                Endpoint::Completions,
                BucketWidth::Hour,
                DAY0,
                DAY0 + H
            )
            .unwrap(),
        [(DAY0, DAY0 + H)],
        "B fetches the bucket A stored"
    );
    write(&mut store, 222);
    assert_eq!(read(&store), [222]);
    store.use_organization(a.organization).unwrap();
    assert_eq!(read(&store), [111]);
    // Another process that asks nothing (export, report) reads the last identified one.
    drop(store);
    let later = Store::open(&path, opts(), DAY0 + 10 * H).unwrap();
    assert_eq!(later.organization(), a.organization);
    assert_eq!(read(&later), [111]);
}

#[test]
fn a_new_admin_key_of_the_same_organization_keeps_its_history() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0 + 10 * H).unwrap();
    let first = store
        .identify(KEY_A, &ids(&["proj_a1", "proj_a2"]), DAY0)
        .unwrap();
    store.use_organization(first.organization).unwrap();
    write(&mut store, 111);
    assert_eq!(store.organization_of_key(KEY_A2).unwrap(), None);
    // The new key lists the old projects (never deleted) and one created since.
    let rotated = store
        .identify(KEY_A2, &ids(&["proj_a3", "proj_a2", "proj_a1"]), DAY0 + H)
        .unwrap();
    assert_eq!(
        rotated,
        Identified {
            organization: first.organization,
            new: false
        }
    );
    assert_eq!(
        store.organization_of_key(KEY_A2).unwrap(),
        Some(first.organization)
    );
    assert_eq!(
        store.organization_of_key(KEY_A).unwrap(),
        Some(first.organization)
    );
    store.use_organization(rotated.organization).unwrap();
    assert_eq!(read(&store), [111]);
    // A key the file has not seen, of no known organization, is a new one.
    assert_eq!(store.organization_of_key(KEY_B).unwrap(), None);
}

#[test]
fn the_admin_key_is_never_in_the_file_only_a_salted_fingerprint() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0).unwrap();
    store.identify(KEY_A, &ids(&["proj_a1"]), DAY0).unwrap();
    let prints: Vec<String> = store
        .conn
        .prepare("SELECT fingerprint FROM admin_key")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(prints.len(), 1);
    assert_eq!(prints[0].len(), 64);
    assert!(!prints[0].contains("orgA"));
    store
        .conn
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(store);
    let bytes = std::fs::read(&path).unwrap();
    let needle = KEY_A.as_bytes();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    // Another file salts differently: the same key has another fingerprint there.
    let (_d2, other) = temp();
    let mut store2 = Store::open(&other, opts(), DAY0).unwrap();
    store2.identify(KEY_A, &ids(&["proj_a1"]), DAY0).unwrap();
    let print2: String = store2
        .conn
        .query_row("SELECT fingerprint FROM admin_key", [], |r| r.get(0))
        .unwrap();
    assert_ne!(print2, prints[0]);
}

#[test]
fn no_project_identifies_nothing() {
    let (_d, path) = temp();
    let mut store = Store::open(&path, opts(), DAY0).unwrap();
    let e = store.identify(KEY_A, &[], DAY0).unwrap_err();
    assert!(e.to_string().contains("no project"), "{e}");
    assert_eq!(store.organization_of_key(KEY_A).unwrap(), None);
}

/// A version-2 file: its rows were keyed by key set only (two organizations may share one), so
/// after the migration they are kept unattributed and never read: the organization that opens
/// it first fetches its own.
#[test]
fn a_version_2_file_keeps_its_rows_unattributed_and_unread() {
    let (_d, path) = temp();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        for (i, step) in schema::MIGRATIONS[..2].iter().enumerate() {
            let tx = conn.transaction().unwrap();
            step(&tx).unwrap();
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .unwrap();
            tx.commit().unwrap();
        }
        conn.execute_batch(&format!(
            "INSERT INTO series (id, key_set, endpoint, width) VALUES (1, 'organization', 'completions', 3600);
             INSERT INTO name (id, text) VALUES (1, 'gpt-4o');
             INSERT INTO usage_bucket (id, series_id, start_time, end_time, fetched_at)
               VALUES (1, 1, {DAY0}, {end}, {fetched});
             INSERT INTO usage_row (bucket_id, model_id, quantity, requests) VALUES (1, 1, 999, 1);
             INSERT INTO bill_day (id, key_set, start_time, fetched_at) VALUES (1, 'organization', {DAY0}, {fetched});
             INSERT INTO learned_price VALUES ('organization', 'gpt-4o', 'standard', 'input', '', 2.5, {DAY0});",
            end = DAY0 + H,
            fetched = DAY0 + 10 * H,
        ))
        .unwrap();
    }
    let mut store = Store::open(&path, opts(), DAY0 + 10 * H).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::CURRENT);
    // Unread before any organization is identified, and after.
    assert_eq!(read(&store), Vec::<u64>::new());
    let a = store.identify(KEY_A, &ids(&["proj_a1"]), DAY0).unwrap();
    store.use_organization(a.organization).unwrap();
    assert_eq!(read(&store), Vec::<u64>::new());
    assert!(
        store
            .load_bill(&whole(), DAY0, DAY0 + 86_400)
            .unwrap()
            .is_empty()
    );
    assert!(store.load_prices(&whole()).unwrap().is_empty());
    assert_eq!(
        store
            .missing(
                &whole(),
                Endpoint::Completions,
                BucketWidth::Hour,
                DAY0,
                DAY0 + H
            )
            .unwrap(),
        [(DAY0, DAY0 + H)]
    );
    // Kept, marked, for a person with the sqlite3 shell (and retention, as they age).
    let kept: Vec<String> = store
        .conn
        .prepare(
            "SELECT key_set FROM series UNION ALL SELECT key_set FROM bill_day
             UNION ALL SELECT key_set FROM learned_price",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kept, ["v2:organization"; 3]);
    write(&mut store, 5);
    assert_eq!(read(&store), [5]);
}

/// A version-3 file: the whole organization's rows (and a key set's of several keys) were asked
/// without the key and project grouping, so after the migration to 4 they are set aside (read
/// as usage without a key they would be wrong); one key's history is asked the same way and
/// is kept. A project's and the organization's history are separate sets.
#[test]
fn a_version_3_file_sets_aside_what_was_asked_without_keys_and_keeps_one_keys_history() {
    let (_d, path) = temp();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        for (i, step) in schema::MIGRATIONS[..3].iter().enumerate() {
            let tx = conn.transaction().unwrap();
            step(&tx).unwrap();
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .unwrap();
            tx.commit().unwrap();
        }
        conn.execute_batch(&format!(
            "INSERT INTO series (id, key_set, endpoint, width) VALUES
               (1, 'org0:organization', 'completions', 3600),
               (2, 'org0:key_a', 'completions', 3600),
               (3, 'org0:key_a,key_b', 'completions', 3600);
             INSERT INTO name (id, text) VALUES (1, 'gpt-4o');
             INSERT INTO usage_bucket (id, series_id, start_time, end_time, fetched_at) VALUES
               (1, 1, {DAY0}, {end}, {fetched}), (2, 2, {DAY0}, {end}, {fetched}),
               (3, 3, {DAY0}, {end}, {fetched});
             INSERT INTO usage_row (bucket_id, model_id, tier, quantity, requests) VALUES
               (1, 1, 'standard', 999, 1), (2, 1, 'standard', 7, 1), (3, 1, 'standard', 8, 1);",
            end = DAY0 + H,
            fetched = DAY0 + 10 * H,
        ))
        .unwrap();
    }
    let mut store = Store::open(&path, opts(), DAY0 + 10 * H).unwrap();
    assert_eq!(store.schema_version().unwrap(), 4);
    let load = |store: &Store, keys: &KeySet| -> Vec<u64> {
        store
            .load_usage::<UsageRow>(
                keys,
                Endpoint::Completions,
                BucketWidth::Hour,
                DAY0,
                DAY0 + H,
            )
            .unwrap()
            .iter()
            .flat_map(|b| b.bucket.rows.iter().map(|r| r.input_tokens))
            .collect()
    };
    assert_eq!(load(&store, &whole()), Vec::<u64>::new());
    assert_eq!(
        load(&store, &KeySet::of(&ids(&["key_b", "key_a"]))),
        Vec::<u64>::new()
    );
    assert_eq!(load(&store, &KeySet::of(&ids(&["key_a"]))), [7]);
    // A row with its owner round-trips; a project is its own set.
    let mut names = usage_tracker_core::usage::Names::default();
    let mut r = row("gpt-4o", Tier::Standard, 42, 1);
    r.owner = usage_tracker_core::usage::Owner::new(
        Some(names.intern("key_z")),
        Some(names.intern("proj_x")),
    );
    let project = KeySet::of(&ids(&["proj_x"]));
    store
        .record_usage_page(
            &project,
            Endpoint::Completions,
            BucketWidth::Hour,
            &[hour(DAY0, vec![r.clone()])],
            DAY0 + 10 * H,
        )
        .unwrap();
    let back = store
        .load_usage::<UsageRow>(
            &project,
            Endpoint::Completions,
            BucketWidth::Hour,
            DAY0,
            DAY0 + H,
        )
        .unwrap();
    assert_eq!(back[0].bucket.rows, [r]);
    assert_eq!(
        load(&store, &whole()),
        Vec::<u64>::new(),
        "the project is not the organization"
    );
}
