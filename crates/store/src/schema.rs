//! The schema and its migrations. `PRAGMA user_version` is the schema version: 0 is an empty
//! (or pre-store) file, each migration takes the file one version up, inside one transaction
//! with the version bump, so a crash leaves the old version whole. A new version is one more
//! function at the end of [`MIGRATIONS`]; a migration is never edited once released.
//!
//! Rows are typed columns, not JSON per bucket: integers are stored as SQLite varints (one to
//! eight bytes, no key names repeated per row) and what repeats (the organization's key set, endpoint and
//! width of a bucket; a row's model) is a small id into `series` and `name`, so the file stays
//! small; a person can still read or sum the history with the `sqlite3` shell.

use rusqlite::Transaction;

type Migration = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// In order: `MIGRATIONS[i]` takes version `i` to `i + 1`.
pub const MIGRATIONS: &[Migration] = &[v1, v2, v3, v4];

/// The version this build writes and reads.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Version 1: usage buckets with their rows, billed days with their line items.
fn v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- what was asked: one row per tracked key set, endpoint and width
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            -- sorted key ids joined by ',', or 'organization'
            key_set TEXT NOT NULL,
            -- the usage endpoint's path segment ('completions', 'images', ...)
            endpoint TEXT NOT NULL,
            -- bucket width in seconds (60, 3600, 86400)
            width INTEGER NOT NULL,
            UNIQUE (key_set, endpoint, width)
        );
        -- model names and details, each written once
        CREATE TABLE name (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL UNIQUE
        );
        CREATE TABLE usage_bucket (
            id INTEGER PRIMARY KEY,
            series_id INTEGER NOT NULL REFERENCES series (id),
            start_time INTEGER NOT NULL,
            end_time INTEGER NOT NULL,
            -- unix seconds of the answer this bucket came from
            fetched_at INTEGER NOT NULL,
            UNIQUE (series_id, start_time)
        );
        CREATE TABLE usage_row (
            bucket_id INTEGER NOT NULL REFERENCES usage_bucket (id) ON DELETE CASCADE,
            -- the model; for file search the vector store
            model_id INTEGER NOT NULL REFERENCES name (id),
            -- an image's size and source, a web search's context level
            detail_id INTEGER REFERENCES name (id),
            -- completions: the billed tier
            tier TEXT,
            -- completions: input tokens; others: the endpoint's unit
            quantity INTEGER NOT NULL,
            cached_input INTEGER NOT NULL DEFAULT 0,
            output INTEGER NOT NULL DEFAULT 0,
            requests INTEGER NOT NULL,
            cache_write INTEGER NOT NULL DEFAULT 0,
            audio_input INTEGER NOT NULL DEFAULT 0,
            audio_cached_input INTEGER NOT NULL DEFAULT 0,
            audio_output INTEGER NOT NULL DEFAULT 0,
            image_input INTEGER NOT NULL DEFAULT 0,
            image_cached_input INTEGER NOT NULL DEFAULT 0,
            image_output INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX usage_row_bucket ON usage_row (bucket_id);
        CREATE TABLE bill_day (
            id INTEGER PRIMARY KEY,
            key_set TEXT NOT NULL,
            -- the UTC midnight starting the day
            start_time INTEGER NOT NULL,
            fetched_at INTEGER NOT NULL,
            UNIQUE (key_set, start_time)
        );
        CREATE INDEX bill_day_age ON bill_day (start_time);
        CREATE TABLE bill_item (
            day_id INTEGER NOT NULL REFERENCES bill_day (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            model TEXT,
            kind TEXT NOT NULL,
            batch INTEGER NOT NULL,
            amount REAL NOT NULL,
            currency TEXT NOT NULL,
            quantity REAL,
            quantity_unit TEXT,
            api_key_id TEXT
        );
        CREATE INDEX bill_item_day ON bill_item (day_id);
        ",
    )
}

/// Version 2: unit prices learned from the bill, the newest for each model, tier, field and
/// detail of a key set (`pricing::learned`).
fn v2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        CREATE TABLE learned_price (
            key_set TEXT NOT NULL,
            -- the model as the usage endpoints name it
            model TEXT NOT NULL,
            -- 'standard', 'batch', 'ultrafast', ...
            tier TEXT NOT NULL,
            -- what it prices: 'input', 'cached_input', 'image', 'web_search_call', ...
            field TEXT NOT NULL,
            -- an image's size, or ''
            detail TEXT NOT NULL,
            -- USD per the field's unit (1M tokens, image, 1M characters, minute, 1K calls)
            per_unit REAL NOT NULL,
            -- the settled UTC day (its midnight) it was billed on
            day INTEGER NOT NULL,
            PRIMARY KEY (key_set, model, tier, field, detail)
        );
        ",
    )
}

/// Version 3: the history is the organization's (`organization`). Every key set column now holds
/// `org<N>:<key set>`, `N` the organization's id in this file; a version-2 row was written for a
/// key set only, possibly by two organizations into one set (the defect this version fixes),
/// so it is kept as `v2:<key set>`: unattributed, never read, and pruned by retention as it
/// ages (README "History").
fn v3(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        UPDATE series SET key_set = 'v2:' || key_set;
        UPDATE bill_day SET key_set = 'v2:' || key_set;
        UPDATE learned_price SET key_set = 'v2:' || key_set;
        -- an organization as this file knows it; id 0 is the one of tests and seeding that
        -- never identified one
        CREATE TABLE organization (
            id INTEGER PRIMARY KEY,
            -- unix seconds of its first identification
            first_seen INTEGER NOT NULL
        );
        -- what identifies it: its project ids (unique across OpenAI, never deleted)
        CREATE TABLE organization_project (
            project_id TEXT PRIMARY KEY,
            organization_id INTEGER NOT NULL REFERENCES organization (id)
        );
        -- the admin keys seen, as a salted SHA-256 of the key (never the key): a launch knows
        -- its organization before any request
        CREATE TABLE admin_key (
            fingerprint TEXT PRIMARY KEY,
            organization_id INTEGER NOT NULL REFERENCES organization (id),
            last_seen INTEGER NOT NULL
        );
        CREATE TABLE meta (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        -- the salt of the fingerprints, random per file
        INSERT INTO meta (name, value) VALUES ('key_salt', lower(hex(randomblob(16))));
        ",
    )
}

/// Version 4: a usage row's key and project (`usage::Owner`), kept when the usage endpoints
/// were asked by them: whenever more than one key can be in the figure (the whole organization,
/// a project, several keys), and from this version on they always are. A version-3 series or
/// billed day of such a scope was asked without them, so its rows would read as usage without
/// a key: it is kept as `v3:<key set>` (unattributed, never read, pruned by retention as it
/// ages) and fetched again once. A single key's history is asked the same way as before and
/// is kept.
fn v4(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        ALTER TABLE usage_row ADD COLUMN api_key_id INTEGER REFERENCES name (id);
        ALTER TABLE usage_row ADD COLUMN project_id INTEGER REFERENCES name (id);
        ALTER TABLE bill_item ADD COLUMN project_id TEXT;
        UPDATE series SET key_set = 'v3:' || key_set
          WHERE key_set NOT LIKE 'v2:%' AND (key_set LIKE '%:organization' OR key_set LIKE '%,%');
        UPDATE bill_day SET key_set = 'v3:' || key_set
          WHERE key_set NOT LIKE 'v2:%' AND (key_set LIKE '%:organization' OR key_set LIKE '%,%');
        ",
    )
}

/// Runs every migration after `from`, each with its version bump, in one transaction each.
pub fn migrate(conn: &mut rusqlite::Connection, from: i64) -> rusqlite::Result<()> {
    for (i, step) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated between our read and our lock.
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > i as i64 {
            tx.commit()?;
            continue;
        }
        step(&tx)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
