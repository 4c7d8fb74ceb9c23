//! The store shared by the tasks of one process (the live tracker, the bill's task, the menu's
//! report): one connection behind a mutex, each call run on tokio's blocking pool so a slow
//! disk or another process's lock never holds an async task's thread.
//!
//! A store error after opening is never fatal: [`SharedStore::run_or_skip`] logs the first one
//! as a warning (later ones at debug, so a broken disk does not fill the log every refresh)
//! and the caller goes on without history for that call.

use crate::error::StoreError;
use crate::handle::Store;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct SharedStore {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<Store>,
    path: PathBuf,
    warned: AtomicBool,
}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedStore")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl SharedStore {
    pub fn new(store: Store) -> SharedStore {
        SharedStore {
            inner: Arc::new(Inner {
                path: store.path().to_owned(),
                store: Mutex::new(store),
                warned: AtomicBool::new(false),
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on the store on tokio's blocking pool.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        let path = inner.path.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock left the connection as SQLite keeps it: usable.
            let mut store = inner.store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut store)
        })
        .await
        .unwrap_or_else(|e| {
            Err(StoreError::Sqlite {
                path,
                reason: format!("the store's task ended: {e}"),
            })
        })
    }

    /// [`run`](Self::run), `None` on an error: the first is logged as a warning naming `what`
    /// was being done, later ones at debug level.
    pub async fn run_or_skip<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Option<T> {
        match self.run(f).await {
            Ok(v) => Some(v),
            Err(e) => {
                self.warn(what, &e);
                None
            }
        }
    }

    /// Logs a store error once as a warning (later ones at debug level).
    pub fn warn(&self, what: &str, e: &StoreError) {
        if self.inner.warned.swap(true, Ordering::Relaxed) {
            tracing::debug!("history store: {what}: {e}");
        } else {
            tracing::warn!("history store: {what}: {e}; going on without it for now");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreOptions;

    #[tokio::test]
    async fn runs_on_the_blocking_pool_and_shares_one_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite");
        let store = Store::open(&path, StoreOptions::default(), 1_800_000_000).unwrap();
        let shared = SharedStore::new(store);
        let other = shared.clone();
        assert_eq!(other.path(), path);
        let v = other.run(|s| s.schema_version()).await.unwrap();
        assert_eq!(v, crate::schema::CURRENT);
        let none: Option<()> = shared
            .run_or_skip("a test", |s| {
                Err(StoreError::Off(format!("{}", s.path().display())))
            })
            .await;
        assert_eq!(none, None);
        assert!(format!("{shared:?}").contains("history.sqlite"));
    }
}
