//! Settings errors: each names the value, where it came from, and what is accepted.

use super::Origin;
use crate::pricing::PricingError;
use crate::usage::BucketWidth;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("invalid {setting} {value} from {origin}: expected {expected}")]
    Invalid {
        setting: &'static str,
        /// Already quoted, or redacted for a secret.
        value: String,
        origin: Origin,
        expected: String,
    },
    #[error("cannot read the .env file {path}: {reason}; fix or remove that line")]
    DotEnv { path: PathBuf, reason: String },
    #[error(
        "invalid settings file {path}: {reason}; fix the file, or point --settings / USAGE_TRACKER_SETTINGS at another one"
    )]
    File { path: PathBuf, reason: String },
    /// A menu choice that could not be written back: plain words, no flags (the menu is not
    /// the command line).
    #[error("Cannot save to the settings file {path}: {reason}", path = .path.display())]
    Save { path: PathBuf, reason: String },
    #[error(
        "a window of {hours} hours ({lookback_origin}) in {width} buckets ({width_origin}) is {buckets} buckets, more than {max}: use --bucket-width {wider} or a shorter lookback",
        max = super::MAX_BUCKETS,
        wider = wider(*.width)
    )]
    TooManyBuckets {
        hours: f64,
        lookback_origin: Box<Origin>,
        width: BucketWidth,
        width_origin: Box<Origin>,
        buckets: u64,
    },
    #[error("{error} (the pricing file named by {origin})")]
    Pricing {
        error: Box<PricingError>,
        origin: Origin,
    },
}

fn wider(width: BucketWidth) -> &'static str {
    match width {
        BucketWidth::Minute => "1h",
        _ => "1d",
    }
}
