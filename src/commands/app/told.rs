//! What the bill's notifications already told, kept across launches in `told.json` beside the
//! settings file: without it each launch would tell again the days told (and the monthly
//! budget crossed) in the last run. The core holds it (pure); the shell reads the file once at
//! start and writes it when the core says so. A file that cannot be read or written is logged
//! and ignored: at worst a notification is repeated, never a failed start. Never in `--demo`.

use std::path::Path;
pub use usage_tracker_core::app::told::Told;

/// What `path` holds; nothing when it is missing, and nothing (logged) when it is unreadable.
pub fn load(path: &Path) -> Told {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Told::default(),
        Err(e) => {
            tracing::warn!("ignoring {}: {e}", path.display());
            return Told::default();
        }
    };
    serde_json::from_str(&text).unwrap_or_else(|e| {
        tracing::warn!("ignoring {}: not the app's state ({e})", path.display());
        Told::default()
    })
}

/// Writes `told` to `path` whole (a temporary file renamed over it).
pub fn save(path: &Path, told: &Told) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec(told)?)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use usage_tracker_core::app::told::path_beside;

    #[test]
    fn a_saved_state_reads_back_and_a_bad_file_reads_as_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_beside(&dir.path().join("settings.toml"));
        assert_eq!(load(&path), Told::default(), "missing");
        let told = Told {
            days: [
                (vec!["key_a".to_owned()], 1_796_083_200),
                (vec![], 1_796_169_600),
            ]
            .into(),
            month: Some(24_323),
        };
        save(&path, &told).unwrap();
        assert_eq!(load(&path), told);
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(load(&path), Told::default());
    }
}
