//! The admin key in the OS secret store: the login Keychain on macOS, the Secret Service
//! (gnome-keyring, KWallet) on Linux, both through `keyring`. One item, service
//! [`BUNDLE_ID`](super::BUNDLE_ID), account [`ACCOUNT`]. Read on launch; written only by
//! `admin-key set` (or the menu), and only when the value differs.
//!
//! Calls block on IPC (D-Bus or the Security framework): keep them off the UI thread.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ACCOUNT: &str = "admin-key";

#[derive(Debug, thiserror::Error)]
#[error("{store}: {reason}")]
pub struct SecretError {
    pub store: &'static str,
    pub reason: String,
}

/// One secret, owned by the app.
pub trait SecretStore: Send + Sync {
    /// The stored value, `None` when there is none.
    fn get(&self) -> Result<Option<String>, SecretError>;
    /// Creates or replaces the value (in place: the store keeps one item).
    fn set(&self, value: &str) -> Result<(), SecretError>;
    /// Removes the value; `false` when there was none.
    fn delete(&self) -> Result<bool, SecretError>;
    /// What the store is called, for messages.
    fn name(&self) -> &'static str;
}

/// Writes `value` unless the store already holds it; says whether it wrote.
pub fn store_if_changed(store: &dyn SecretStore, value: &str) -> Result<bool, SecretError> {
    if store.get()?.as_deref() == Some(value) {
        return Ok(false);
    }
    store.set(value)?;
    Ok(true)
}

/// The store of this OS.
pub fn system() -> KeyringStore {
    KeyringStore
}

/// `keyring` picks the backend of the OS; only the name differs.
pub struct KeyringStore;

#[cfg(target_os = "macos")]
const STORE_NAME: &str = "the macOS Keychain";
#[cfg(not(target_os = "macos"))]
const STORE_NAME: &str = "the Secret Service";

impl KeyringStore {
    fn entry(&self) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(super::BUNDLE_ID, ACCOUNT).map_err(|e| self.error(e))
    }

    fn error(&self, e: keyring::Error) -> SecretError {
        let reason = match e {
            // keyring's own words ("No default store has been set") do not say why or what to
            // do; on a server or in CI there is simply no Secret Service to reach.
            keyring::Error::NoDefaultStore => {
                let why = match keyring::Entry::store_status() {
                    Err(e) => e.to_string(),
                    Ok(()) => "no store was set up".to_owned(),
                };
                format!(
                    "it cannot be reached ({why}); without a desktop session (a server, CI, a \
container) keep the admin key in OPENAI_ADMIN_KEY or a .env file instead"
                )
            }
            e => e.to_string(),
        };
        SecretError {
            store: STORE_NAME,
            reason,
        }
    }
}

impl SecretStore for KeyringStore {
    fn get(&self) -> Result<Option<String>, SecretError> {
        match self.entry()?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    fn set(&self, value: &str) -> Result<(), SecretError> {
        self.entry()?.set_password(value).map_err(|e| self.error(e))
    }

    fn delete(&self) -> Result<bool, SecretError> {
        match self.entry()?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(self.error(e)),
        }
    }

    fn name(&self) -> &'static str {
        STORE_NAME
    }
}

/// In memory, counting writes.
#[derive(Default)]
pub struct FakeSecretStore {
    value: Mutex<Option<String>>,
    writes: AtomicUsize,
}

impl FakeSecretStore {
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

impl SecretStore for FakeSecretStore {
    fn get(&self) -> Result<Option<String>, SecretError> {
        Ok(self.value.lock().unwrap().clone())
    }

    fn set(&self, value: &str) -> Result<(), SecretError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        *self.value.lock().unwrap() = Some(value.to_owned());
        Ok(())
    }

    fn delete(&self) -> Result<bool, SecretError> {
        Ok(self.value.lock().unwrap().take().is_some())
    }

    fn name(&self) -> &'static str {
        "the test store"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_when_the_value_changes() {
        let store = FakeSecretStore::default();
        assert!(store_if_changed(&store, "sk-admin-a").unwrap());
        assert!(!store_if_changed(&store, "sk-admin-a").unwrap());
        assert_eq!(store.writes(), 1);
        assert!(store_if_changed(&store, "sk-admin-b").unwrap());
        assert_eq!(store.get().unwrap().as_deref(), Some("sk-admin-b"));
        assert!(store.delete().unwrap());
        assert!(!store.delete().unwrap());
        assert_eq!(store.get().unwrap(), None);
    }
}
