//! The store's one error type: what went wrong, the file, and what the user can do. The admin
//! key never reaches the store, so no message here can hold it.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The folder cannot be made or the file cannot be opened (permissions, a file where the
    /// folder should be, a read-only disk).
    #[error(
        "cannot open the history store {path}: {reason}; fix its folder's permissions or move it with --data-dir / USAGE_TRACKER_DATA_DIR (data_dir = \"off\" turns history off)",
        path = .path.display()
    )]
    Unopenable { path: PathBuf, reason: String },
    /// Another process held the file's lock longer than the busy timeout.
    #[error(
        "the history store {path} stayed locked by another process for more than {secs:.1} s",
        path = .path.display(),
        secs = .waited.as_secs_f64()
    )]
    Locked { path: PathBuf, waited: Duration },
    /// Not a database, or a damaged one. The app, `watch` and `once` move it aside when they
    /// open it ([`super::open_or_recover`], with its own message); the reading commands leave it.
    #[error(
        "the history store {path} is damaged ({reason}); the app, watch or once moves it aside (kept as {path}.corrupt-<time>) and starts a new one when it next starts",
        path = .path.display()
    )]
    Corrupt { path: PathBuf, reason: String },
    /// Written by a newer build: left as it is (a newer build can still read it).
    #[error(
        "the history store {path} has schema version {found}, newer than this build reads ({supported}): it is left as it is; update UsageTracker, or move the history elsewhere with --data-dir",
        path = .path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The history is turned off (`data_dir = "off"`), or there is no folder to keep it in.
    #[error("{0}")]
    Off(String),
    #[error("history store {path}: {reason}", path = .path.display())]
    Sqlite { path: PathBuf, reason: String },
}

impl StoreError {
    /// The error of a SQLite call on `path`, classified by SQLite's own code.
    pub(crate) fn from_sqlite(path: &std::path::Path, busy: Duration, e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let path = path.to_owned();
        let code = match &e {
            rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
            _ => None,
        };
        match code {
            Some(C::DatabaseBusy | C::DatabaseLocked) => StoreError::Locked { path, waited: busy },
            Some(C::NotADatabase | C::DatabaseCorrupt) => StoreError::Corrupt {
                path,
                reason: e.to_string(),
            },
            Some(C::CannotOpen | C::PermissionDenied | C::ReadOnly) => StoreError::Unopenable {
                path,
                reason: e.to_string(),
            },
            _ => StoreError::Sqlite {
                path,
                reason: e.to_string(),
            },
        }
    }
}
