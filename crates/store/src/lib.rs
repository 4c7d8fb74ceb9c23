//! The history store: one SQLite file holding what the Admin API returned, keyed by the
//! organization ([`OrganizationId`], `organization`) and by what was asked (tracked key set,
//! endpoint, bucket width), with when each piece was fetched, so a
//! launch can show the last figures at once and a refresh can ask only for what is missing or
//! may still change. Also the billed days with their line items. Read by `export` and
//! `report`; the trackers will read and write it (through [`Store::record_usage_page`],
//! [`Store::load_usage`], [`Store::missing`] and their bill counterparts).
//!
//! Synchronous (rusqlite) and cheap: a call is a few indexed statements on a file of a few MB;
//! callers on tokio run it on a blocking thread. WAL mode and a busy timeout let the app,
//! `watch` and `once` use one file at once. A store that cannot be used is never fatal:
//! [`open_or_recover`] gives "running without history" and one message instead.

mod bill;
mod error;
mod open;
mod organization;
mod prices;
mod read;
mod retention;
pub mod schema;
/// Fills a store from the simulator as the engine would (tests and benchmarks only).
#[cfg(feature = "seed")]
pub mod seed;
mod shared;
mod usage;

pub use bill::{StoredDay, line_kind_name};
pub use error::StoreError;
pub use open::{Opened, corrupt_name, open_or_recover};
pub use organization::{Identified, OrganizationId};
pub use read::PeriodData;
pub use retention::Retention;
pub use shared::SharedStore;
pub use usage::{StoredBucket, StoredRow};

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file's name in the data directory.
pub use usage_tracker_core::settings::HISTORY_FILE_NAME as FILE_NAME;

/// How the store is opened and kept.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreOptions {
    /// How long a statement waits for another process's lock before giving up.
    pub busy_timeout: Duration,
    pub retention: Retention,
    /// A usage bucket is final once fetched this long after it ended (usage lands up to an
    /// hour late: README "What is counted").
    pub late_usage_secs: i64,
    /// A billed day is final once fetched this long after it ended: when it is settled
    /// ([`usage_tracker_core::bill::SETTLE_SECS`], the one rule for it).
    pub bill_settle_secs: i64,
}

impl StoreOptions {
    /// The defaults, keeping each kind of history as long as `retention` says.
    pub fn keeping(retention: Retention) -> StoreOptions {
        StoreOptions {
            retention,
            ..StoreOptions::default()
        }
    }
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
            retention: Retention::default(),
            late_usage_secs: usage_tracker_core::plan::usage::LATE_USAGE_SECS,
            bill_settle_secs: usage_tracker_core::bill::SETTLE_SECS,
        }
    }
}

/// The tracked keys a piece of history belongs to: the sorted key ids joined by `,`, or
/// `organization` when no key is tracked. The same keys in any order are the same set.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySet(String);

impl KeySet {
    pub const ORGANIZATION: &'static str = "organization";

    pub fn of(ids: &[String]) -> KeySet {
        let mut ids: Vec<&str> = ids
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            KeySet(Self::ORGANIZATION.to_owned())
        } else {
            KeySet(ids.join(","))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An open history file.
pub struct Store {
    conn: rusqlite::Connection,
    path: PathBuf,
    options: StoreOptions,
    /// When retention last ran (unix seconds): at most once an hour on write.
    last_prune: i64,
    /// Whose history every call reads and writes (`organization`).
    organization: OrganizationId,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating it and its folder when missing) and migrates the file at `path`, then
    /// applies retention as of `now`. No recovery: see [`open_or_recover`].
    pub fn open(path: &Path, options: StoreOptions, now: i64) -> Result<Store, StoreError> {
        open::open(path, options, now)
    }

    /// Opens a file that must exist already (for the commands that only read history).
    pub fn open_existing(
        path: &Path,
        options: StoreOptions,
        now: i64,
    ) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Off(format!(
                "no history at {}: the app, watch and once keep it as they run (or --data-dir / USAGE_TRACKER_DATA_DIR points elsewhere)",
                path.display()
            )));
        }
        Self::open(path, options, now)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, self.options.busy_timeout, e)
    }
}

/// Where the history file is, per the settings: `None` when history is off.
pub fn file_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

#[cfg(test)]
mod tests;
