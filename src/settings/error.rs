//! Settings errors: each names the value, where it came from, and what is accepted.

use super::Origin;
use crate::pricing::PricingError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("invalid {setting} {value} from {origin}: expected {expected}")]
    Invalid {
        setting: &'static str,
        /// Already quoted, or `(hidden)` for the admin key.
        value: String,
        origin: Origin,
        expected: String,
    },
    #[error("cannot read the .env file {path}: {reason}; fix or remove that line")]
    DotEnv { path: PathBuf, reason: String },
    #[error(
        "invalid settings file {path}: {reason}\n  fix the file, or point --settings / USAGE_TRACKER_SETTINGS at another one"
    )]
    File { path: PathBuf, reason: String },
    /// A menu choice that could not be written back: plain words, no flags (the menu is not
    /// the command line).
    #[error("Cannot save to the settings file {path}: {reason}", path = .path.display())]
    Save { path: PathBuf, reason: String },
    #[error("{0}")]
    Pricing(#[from] PricingError),
}
