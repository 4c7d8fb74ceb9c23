//! One instance at a time: the running app listens on a Unix socket in a per-user directory.
//! A second launch finds the socket answering and stops; a socket left by a crash answers no
//! one, so it is replaced. No locking crate, no PID files that outlive a crash.

use std::io::ErrorKind;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// Held by the running instance; removes its socket on drop.
pub struct InstanceGuard {
    path: PathBuf,
    _listener: UnixListener,
}

impl Drop for InstanceGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error("UsageTracker is already running (it answers on {0}); quit it from its menu first")]
    AlreadyRunning(String),
    #[error("cannot check for another instance at {path}: {reason}")]
    Io { path: String, reason: String },
}

/// The socket path: `$XDG_RUNTIME_DIR` on Linux, the per-user cache directory otherwise.
pub fn default_path() -> PathBuf {
    let dirs = directories::BaseDirs::new();
    let dir = dirs
        .as_ref()
        .and_then(|d| d.runtime_dir().map(Path::to_path_buf))
        .or_else(|| dirs.as_ref().map(|d| d.cache_dir().join(super::BUNDLE_ID)))
        .unwrap_or_else(std::env::temp_dir);
    dir.join("usage-tracker.sock")
}

/// Becomes the one instance, or says which one is running.
pub fn acquire(path: &Path) -> Result<InstanceGuard, InstanceError> {
    let io = |e: std::io::Error| InstanceError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    for _ in 0..2 {
        match UnixListener::bind(path) {
            Ok(listener) => {
                return Ok(InstanceGuard {
                    path: path.to_owned(),
                    _listener: listener,
                });
            }
            Err(e) if e.kind() == ErrorKind::AddrInUse => {
                if UnixStream::connect(path).is_ok() {
                    return Err(InstanceError::AlreadyRunning(path.display().to_string()));
                }
                // Left by an instance that crashed.
                std::fs::remove_file(path).map_err(io)?;
            }
            Err(e) => return Err(io(e)),
        }
    }
    Err(InstanceError::AlreadyRunning(path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_instance_is_refused_until_the_first_quits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run/u.sock");
        let first = acquire(&path).unwrap();
        assert!(matches!(
            acquire(&path),
            Err(InstanceError::AlreadyRunning(_))
        ));
        drop(first);
        assert!(!path.exists());
        let _again = acquire(&path).unwrap();
    }

    #[test]
    fn a_stale_socket_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.sock");
        let stale = UnixListener::bind(&path).unwrap();
        drop(stale); // the file stays, nobody listens
        assert!(path.exists());
        let _guard = acquire(&path).unwrap();
    }
}
