//! The admin key in the OS secret store: the login Keychain on macOS, the Secret Service
//! (gnome-keyring, KWallet) on Linux, both through `keyring`. One item, service
//! [`BUNDLE_ID`](super::BUNDLE_ID), account [`ACCOUNT`]. Read on launch; written only by
//! `admin-key set` (or the menu), and only when the value differs.
//!
//! Calls block on IPC (D-Bus or the Security framework): keep them off the UI thread. A
//! locked keyring or a bus nobody answers on can block them for good, so [`system`] runs each
//! call on a thread of its own and gives up after [`DEADLINE`], saying what is likely missing.

use std::sync::Arc;
use std::time::Duration;

/// How long one secret-store call may take before the command goes on without it.
pub const DEADLINE: Duration = Duration::from_secs(5);

pub const ACCOUNT: &str = "admin-key";

pub use usage_tracker_core::app::ports::{
    SecretError, SecretStore, fakes::FakeSecretStore, store_if_changed,
};

/// The store of this OS, each call bounded by [`DEADLINE`].
pub fn system() -> Deadline<KeyringStore> {
    Deadline::new(KeyringStore, DEADLINE)
}

/// A store whose calls give up after a deadline (the call goes on, unwaited, on its thread).
pub struct Deadline<S> {
    inner: Arc<S>,
    limit: Duration,
}

impl<S: SecretStore + 'static> Deadline<S> {
    pub fn new(inner: S, limit: Duration) -> Self {
        Deadline {
            inner: Arc::new(inner),
            limit,
        }
    }

    fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&S) -> Result<T, SecretError> + Send + 'static,
    ) -> Result<T, SecretError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let inner = self.inner.clone();
        let spawned = std::thread::Builder::new()
            .name("secret-store".into())
            .spawn(move || {
                let _ = tx.send(f(&inner));
            });
        if let Err(e) = spawned {
            return Err(SecretError {
                store: self.inner.name(),
                reason: format!("cannot start a thread for it: {e}"),
            });
        }
        rx.recv_timeout(self.limit).unwrap_or_else(|_| {
            Err(SecretError {
                store: self.inner.name(),
                reason: format!(
                    "no answer within {} s: {}",
                    self.limit.as_secs_f64(),
                    no_answer_hint()
                ),
            })
        })
    }
}

impl<S: SecretStore + 'static> SecretStore for Deadline<S> {
    fn get(&self) -> Result<Option<String>, SecretError> {
        self.call(|s| s.get())
    }

    fn set(&self, value: &str) -> Result<(), SecretError> {
        let value = value.to_owned();
        self.call(move |s| s.set(&value))
    }

    fn delete(&self) -> Result<bool, SecretError> {
        self.call(|s| s.delete())
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }
}

/// The library's reason, and what is missing when that is plain (no D-Bus session).
#[cfg(target_os = "macos")]
fn unavailable_reason(reason: String) -> String {
    reason
}

#[cfg(not(target_os = "macos"))]
fn unavailable_reason(reason: String) -> String {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        format!("{reason}: {}", no_answer_hint())
    } else {
        reason
    }
}

/// What usually keeps the store from answering.
#[cfg(target_os = "macos")]
fn no_answer_hint() -> String {
    "the Keychain may be locked or waiting for you to allow access".into()
}

#[cfg(not(target_os = "macos"))]
fn no_answer_hint() -> String {
    match std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
        None => "there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service to ask; use OPENAI_ADMIN_KEY or a .env file instead".into(),
        Some(_) => "the keyring may be locked (unlock it, e.g. by logging in to the desktop) or no Secret Service (gnome-keyring, KWallet) is running; or use OPENAI_ADMIN_KEY or a .env file".into(),
    }
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
                format!("it cannot be reached ({why}): {}", no_answer_hint())
            }
            e => unavailable_reason(e.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A store that never answers (a locked keyring waiting for a prompt).
    struct Hung;

    impl SecretStore for Hung {
        fn get(&self) -> Result<Option<String>, SecretError> {
            std::thread::sleep(Duration::from_secs(30));
            Ok(None)
        }
        fn set(&self, _: &str) -> Result<(), SecretError> {
            self.get().map(|_| ())
        }
        fn delete(&self) -> Result<bool, SecretError> {
            self.get().map(|_| false)
        }
        fn name(&self) -> &'static str {
            "the hung store"
        }
    }

    #[test]
    fn a_store_that_never_answers_fails_at_the_deadline_saying_why() {
        let store = Deadline::new(Hung, Duration::from_millis(200));
        let start = std::time::Instant::now();
        let err = store.get().unwrap_err().to_string();
        assert!(start.elapsed() < Duration::from_secs(2));
        assert!(
            err.contains("the hung store") && err.contains("no answer within 0.2 s"),
            "{err}"
        );
        assert!(store.set("x").is_err() && store.delete().is_err());
        let quick = Deadline::new(FakeSecretStore::default(), Duration::from_secs(5));
        assert!(store_if_changed(&quick, "sk-admin-a").unwrap());
        assert_eq!(quick.get().unwrap().as_deref(), Some("sk-admin-a"));
    }
}
