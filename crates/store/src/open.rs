//! Opening the file: pragmas, the integrity check, migrations, and what happens when the file
//! cannot be used. A damaged file is moved aside (`history.sqlite.corrupt-<UTC time>`, never
//! deleted) and a new one started; a file of a newer schema is left alone and the app runs
//! without history; a locked or unopenable one means running without history this time.

use super::schema::{self, CURRENT};
use crate::error::StoreError;
use crate::handle::{Store, StoreOptions};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// The page cache per connection, KiB (SQLite's default is 2,000).
const CACHE_KIB: i64 = 256;

impl Store {
    /// Opens (creating it and its folder when missing) and migrates the file at `path`, then
    /// applies retention as of `now`. No recovery: see [`open_or_recover`].
    pub fn open(path: &Path, options: StoreOptions, now: i64) -> Result<Store, StoreError> {
        open(path, options, now)
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
}

pub(super) fn open(path: &Path, options: StoreOptions, now: i64) -> Result<Store, StoreError> {
    // SQLite answers SQLITE_BUSY at once, without its busy wait, where waiting could deadlock
    // (two connections setting up a new file: the switch to WAL, a read lock to upgrade), so
    // opening is tried again until the busy timeout has passed.
    let deadline = std::time::Instant::now() + options.busy_timeout;
    loop {
        match open_once(path, options.clone(), now) {
            Err(StoreError::Locked { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

fn open_once(path: &Path, options: StoreOptions, now: i64) -> Result<Store, StoreError> {
    let busy = options.busy_timeout;
    let err = |e| StoreError::from_sqlite(path, busy, e);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Unopenable {
            path: path.to_owned(),
            reason: format!("cannot create the folder {}: {e}", dir.display()),
        })?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(err)?;
    conn.busy_timeout(busy).map_err(err)?;
    // The first read of the file: garbage fails here as "not a database".
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err)?;
    if version > CURRENT {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported: CURRENT,
        });
    }
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::debug!(mode, "the history store is not in WAL mode");
    }
    // NORMAL is durable enough in WAL mode (a power cut may lose the last commit, never the
    // file) and does not sync on every write.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(err)?;
    // SQLite's default page cache grows to 2 MiB per connection, and the integrity check below
    // reads every page: in a menu-bar app that stays resident for days. The store's queries
    // touch a few pages each (the operating system caches the file anyway).
    conn.pragma_update(None, "cache_size", -CACHE_KIB)
        .map_err(err)?;
    if version > 0 {
        check_integrity(&conn, path).map_err(|e| match e {
            Ok(reason) => StoreError::Corrupt {
                path: path.to_owned(),
                reason,
            },
            Err(e) => err(e),
        })?;
    }
    schema::migrate(&mut conn, version).map_err(err)?;
    // What the check and the migrations read is not needed again.
    conn.pragma_update(None, "shrink_memory", 0).map_err(err)?;
    let mut store = Store {
        conn,
        path: path.to_owned(),
        options,
        last_prune: i64::MIN,
        organization: crate::handle::OrganizationId::UNIDENTIFIED,
    };
    if let Some(org) = store.last_identified()? {
        store.organization = org;
    }
    store.prune(now)?;
    Ok(store)
}

/// `Err(Ok(reason))` when SQLite's quick check finds damage (a truncated file among it).
fn check_integrity(conn: &Connection, _path: &Path) -> Result<(), Result<String, rusqlite::Error>> {
    let mut stmt = conn.prepare("PRAGMA quick_check").map_err(Err)?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(Err)?
        .collect::<Result<_, _>>()
        .map_err(Err)?;
    match lines.as_slice() {
        [ok] if ok == "ok" => Ok(()),
        _ => Err(Ok(format!("integrity check: {}", lines.join("; ")))),
    }
}

/// What opening the history gave: a store, or none and why; `notice` is the one message to
/// show the user (menu and log), `None` when all went well.
#[derive(Debug)]
pub struct Opened {
    pub store: Option<Store>,
    pub notice: Option<String>,
}

/// `history.sqlite` → `history.sqlite.corrupt-20261202T004500Z`.
pub fn corrupt_name(path: &Path, now: i64) -> PathBuf {
    let stamp = chrono::DateTime::from_timestamp(now, 0)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|| now.to_string());
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".corrupt-{stamp}"));
    path.with_file_name(name)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

/// [`corrupt_name`], or `…-2`, `…-3` when a file of that name (or its WAL) is there already:
/// a second damaged file in the same second never replaces the first one moved aside.
fn free_aside(path: &Path, now: i64) -> PathBuf {
    let first = corrupt_name(path, now);
    let taken = |p: &Path| p.exists() || with_suffix(p, "-wal").exists();
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| with_suffix(&first, &format!("-{n}")))
        .find(|p| !taken(p))
        .expect("some free name")
}

/// Moves the file (and its WAL and shared-memory files) aside; returns the new name.
fn move_aside(path: &Path, now: i64) -> std::io::Result<PathBuf> {
    let to = free_aside(path, now);
    std::fs::rename(path, &to)?;
    for suffix in ["-wal", "-shm"] {
        let from = with_suffix(path, suffix);
        if from.exists() {
            std::fs::rename(&from, with_suffix(&to, suffix))?;
        }
    }
    Ok(to)
}

/// Opens the history at `path` whatever state it is in: a damaged file is moved aside and a
/// new one started; anything else that stops it gives no store and one message, which the
/// caller shows (the app logs it and shows it in the menu; `once` and `watch` print it on
/// stderr). Settings and the secret store are never touched.
pub fn open_or_recover(path: &Path, options: StoreOptions, now: i64) -> Opened {
    match open(path, options.clone(), now) {
        Ok(store) => Opened {
            store: Some(store),
            notice: None,
        },
        Err(StoreError::Corrupt { reason, .. }) => {
            // Another process (the app and `watch` starting together) may have moved the
            // damaged file aside and started a new one since: use that, move nothing.
            match open(path, options.clone(), now) {
                Ok(store) => {
                    return Opened {
                        store: Some(store),
                        notice: None,
                    };
                }
                Err(StoreError::Corrupt { .. }) => {}
                Err(e) => return not_usable(e),
            }
            recover(path, &reason, options, now)
        }
        Err(e) => not_usable(e),
    }
}

/// No store this time, and why.
fn not_usable(e: StoreError) -> Opened {
    match e {
        e @ StoreError::Locked { .. } => Opened {
            store: None,
            notice: Some(format!(
                "{e}: running without history this time (it is used again at the next start; quit the other process holding it if this repeats)"
            )),
        },
        e => Opened {
            store: None,
            notice: Some(format!("{e}: running without history")),
        },
    }
}

/// Moves a damaged file aside and starts a new one.
fn recover(path: &Path, reason: &str, options: StoreOptions, now: i64) -> Opened {
    match move_aside(path, now) {
        Ok(aside) => {
            let notice = format!(
                "The history store {} was damaged ({reason}): it was moved to {} and a new one started",
                path.display(),
                aside.display()
            );
            match open(path, options, now) {
                Ok(store) => Opened {
                    store: Some(store),
                    notice: Some(notice),
                },
                Err(e) => Opened {
                    store: None,
                    notice: Some(format!(
                        "{notice}, which failed too: {e}; running without history"
                    )),
                },
            }
        }
        Err(e) => Opened {
            store: None,
            notice: Some(format!(
                "The history store {} is damaged ({reason}) and cannot be moved aside ({e}): running without history",
                path.display()
            )),
        },
    }
}
