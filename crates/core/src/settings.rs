//! The resolved settings as a value: what every command and the app run with, once flags, the
//! environment, `.env` files, the settings file and the secret store have been read. Reading
//! them (the layers, validation, the files) is the binary's (`src/settings`); the value is
//! here so the app's decisions ([`crate::app`]) can be tested with plain settings.

mod retention;

pub use crate::ui::view::TitleFormat;
pub use retention::Retention;

use crate::alerts::Thresholds;
use crate::plan::periods::Calendar;
use crate::pricing::{PriceMode, PriceTable, TierChoice};
use crate::usage::BucketWidth;
use secrecy::SecretString;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The admin key and where it came from. Debug shows neither the key nor any part of it.
#[derive(Clone, Debug)]
pub struct AdminKey {
    pub secret: SecretString,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// `None` when no flag, environment variable or `.env` holds one: look in the secret store.
    pub admin_key: Option<AdminKey>,
    /// Empty: the whole organization.
    pub api_key_ids: Vec<String>,
    /// Empty: every project; else only these projects' usage and costs (`--project-id`).
    pub project_ids: Vec<String>,
    /// The hours of a rolling window; with [`Settings::calendar`] the default, unused.
    pub lookback_hours: f64,
    /// `lookback_hours = "today"`, `"week"`, `"month"`: the window follows the UTC calendar
    /// (and its own width, not `bucket_width`).
    pub calendar: Option<Calendar>,
    pub bucket_width: BucketWidth,
    pub interval: Duration,
    pub tier: TierChoice,
    pub thresholds: Thresholds,
    pub prices: Arc<PriceTable>,
    pub pricing_file: Option<PathBuf>,
    /// Which price the estimate uses where the bill and the table differ (`--prices`).
    pub price_mode: PriceMode,
    pub base_url: String,
    pub daily_budget: Option<f64>,
    /// USD per UTC month: the bill plus today's estimate not yet billed.
    pub monthly_budget: Option<f64>,
    pub title: TitleFormat,
    /// How long one command (or one refresh) may take, retries included.
    pub timeout: Duration,
    /// Where menu choices are saved.
    pub settings_path: Option<PathBuf>,
    pub dotenv_files: Vec<PathBuf>,
    /// Things worth telling the user that are not errors (an interval that was capped).
    pub warnings: Vec<String>,
    pub demo: bool,
    /// What this run was started with that a start at login would not have (flags, the
    /// environment): what the menu offers to save for login.
    pub startup_only: Vec<StartupValue>,
    /// Where the history store is kept (the app, `watch` and `once` record into it and start
    /// from it; `export` and `report` read it).
    pub history: HistoryDir,
    /// How long the history keeps each kind of data (`--history-keep`).
    pub history_keep: Retention,
}

impl Settings {
    /// What the engine tracks, as one list (`openai::scope`): the keys, then the projects.
    pub fn tracked_ids(&self) -> Vec<String> {
        crate::openai::scope::tracked(&self.api_key_ids, &self.project_ids)
    }

    pub fn lookback_secs(&self) -> i64 {
        (self.lookback_hours * 3600.0).round() as i64
    }
}

/// The check of a key typed at `admin-key set` or in the menu's dialog; `Err` says why.
pub fn validate_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("that is not an admin key: it is empty or has spaces or line breaks".into());
    }
    if key.starts_with("sk-proj-") {
        return Err("that is a project key (sk-proj-...), which cannot read usage: create an Admin key (sk-admin-...) at https://platform.openai.com/settings/organization/admin-keys".into());
    }
    Ok(())
}

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    DotEnv { path: PathBuf, var: &'static str },
    SettingsFile { path: PathBuf, key: &'static str },
    SecretStore,
    Demo,
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Env(var) => write!(f, "environment variable {var}"),
            Origin::DotEnv { path, var } => write!(f, "{var} in {}", path.display()),
            Origin::SettingsFile { path, key } => {
                write!(f, "`{key}` in settings file {}", path.display())
            }
            Origin::SecretStore => f.write_str("the OS secret store"),
            Origin::Demo => f.write_str("--demo"),
            Origin::Default => f.write_str("the default"),
        }
    }
}

/// The history store's file in its folder.
pub const HISTORY_FILE_NAME: &str = "history.sqlite";
/// The history file of `--demo`, beside the real one so simulated figures never mix with real.
pub const DEMO_HISTORY_FILE_NAME: &str = "history-demo.sqlite";

/// Where history is kept, and why.
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryDir {
    /// The folder holding `history.sqlite`, and where that came from.
    At(PathBuf, Origin),
    /// Turned off with `off`, from here.
    Off(Origin),
    /// No setting and no home directory to find the data directory in.
    NoDataDir,
}

impl HistoryDir {
    /// The folder, or why there is none (for a message).
    pub fn folder(&self) -> Result<&std::path::Path, String> {
        match self {
            HistoryDir::At(p, _) => Ok(p),
            HistoryDir::Off(origin) => Err(format!(
                "history is off (data directory \"off\" from {origin}): set --data-dir / USAGE_TRACKER_DATA_DIR / data_dir to a folder to keep it"
            )),
            HistoryDir::NoDataDir => Err(
                "there is no data directory to keep history in (no home directory): set --data-dir or USAGE_TRACKER_DATA_DIR".into(),
            ),
        }
    }
}

/// One setting that holds only for this run: its file key, where it came from, and the value to
/// write. Never the admin key (it has no file key: it belongs in the secret store).
#[derive(Clone, Debug)]
pub struct StartupValue {
    pub key: &'static str,
    pub origin: Origin,
    pub value: toml_edit::Value,
}
