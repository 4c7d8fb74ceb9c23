//! The open store: how it is opened and kept ([`StoreOptions`]), the key sets its rows are
//! keyed by ([`KeySet`]), and the [`Store`] every other module of this crate adds its methods to.

use crate::error::StoreError;
use std::path::{Path, PathBuf};
use std::time::Duration;
use usage_tracker_core::settings::Retention;

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

/// What a piece of history was asked for: the tracked ids (keys `key_...` and projects
/// `proj_...`, `openai::scope`) sorted and joined by `,`, or `organization` when nothing is
/// tracked. The same ids in any order are the same set; a project's history never mixes with
/// the organization's or a key's, as each is its own set.
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
    pub(crate) conn: rusqlite::Connection,
    pub(crate) path: PathBuf,
    pub(crate) options: StoreOptions,
    /// When retention last ran (unix seconds): at most once an hour on write.
    pub(crate) last_prune: i64,
    /// Whose history every call reads and writes (`organization`).
    pub(crate) organization: OrganizationId,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
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

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, self.options.busy_timeout, e)
    }
}

/// An organization as one history file numbers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganizationId(pub i64);

impl OrganizationId {
    /// The organization of a file where none was identified (tests and seeding).
    pub const UNIDENTIFIED: OrganizationId = OrganizationId(0);
}

impl std::fmt::Display for OrganizationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "org{}", self.0)
    }
}

/// Where the history file is, per the settings: `None` when history is off.
pub fn file_in(dir: &Path) -> PathBuf {
    dir.join(usage_tracker_core::settings::HISTORY_FILE_NAME)
}
