//! What the bill's notifications already told ([`Told`]), kept across launches in
//! `told.json` beside the settings file: without it each launch would tell again the days told
//! (and the monthly budget crossed) in the last run. The core holds it; the shell reads the
//! file once at start and writes it when the core says so ([`super::Effect::SaveTold`]).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The days whose check was told and the month the monthly budget last fired in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Told {
    /// (tracked key ids, sorted; UTC midnight) of each day told.
    pub days: BTreeSet<(Vec<String>, i64)>,
    /// The UTC month (`alerts::utc_month`) the monthly budget last fired in.
    pub month: Option<i64>,
}

/// The file beside `settings` (the settings file's path).
pub fn path_beside(settings: &Path) -> PathBuf {
    settings.with_file_name("told.json")
}
