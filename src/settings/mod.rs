//! Resolved settings: flag > environment > `.env` > settings file > default, every value
//! validated by one rule whatever its source, every bad value one message naming the value,
//! its origin and what is accepted. The admin key may also come from the OS secret store,
//! below environment and `.env`; that lookup is the caller's (it lives in `platform`).
//!
//! Runs once at start-up (and when the tray saves a choice); does file I/O but no network.

mod env;
mod error;
pub mod file;
mod origin;

pub use env::Environment;
pub use error::SettingsError;
pub use origin::{DotEnv, Origin};

use crate::alerts::Thresholds;
use crate::cli::Options;
use crate::pricing::{PriceTable, TierChoice};
use crate::usage::BucketWidth;
use file::{SettingsFile, value_text};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_LOOKBACK_HOURS: f64 = 6.0;
pub const DEFAULT_INTERVAL_SECS: u64 = 15;
pub const MAX_INTERVAL_SECS: u64 = 600;
pub const MAX_LOOKBACK_HOURS: f64 = 24.0 * 366.0;
pub const DEFAULT_SPIKE_TOKEN_RATE: f64 = 10_000.0;
pub const DEFAULT_SPIKE_REQUEST_RATE: f64 = 120.0;

/// What the menu-bar title shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleFormat {
    #[default]
    TokensAndCost,
    Cost,
    Tokens,
}

impl TitleFormat {
    pub const ALL: [TitleFormat; 3] = [
        TitleFormat::TokensAndCost,
        TitleFormat::Cost,
        TitleFormat::Tokens,
    ];
    pub const ACCEPTED: &'static str = "tokens_and_cost, cost, tokens";

    pub fn as_str(self) -> &'static str {
        match self {
            TitleFormat::TokensAndCost => "tokens_and_cost",
            TitleFormat::Cost => "cost",
            TitleFormat::Tokens => "tokens",
        }
    }
}

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
    pub lookback_hours: f64,
    pub bucket_width: BucketWidth,
    pub interval: Duration,
    pub tier: TierChoice,
    pub thresholds: Thresholds,
    pub prices: Arc<PriceTable>,
    pub pricing_file: Option<PathBuf>,
    pub base_url: String,
    pub daily_budget: Option<f64>,
    pub title: TitleFormat,
    /// Where menu choices are saved.
    pub settings_path: Option<PathBuf>,
    pub dotenv_files: Vec<PathBuf>,
    /// Things worth telling the user that are not errors (an interval that was capped).
    pub warnings: Vec<String>,
    pub demo: bool,
}

impl Settings {
    pub fn lookback_secs(&self) -> i64 {
        (self.lookback_hours * 3600.0).round() as i64
    }
}

/// The layers one setting is looked up in, highest first.
struct Layers<'a> {
    env: &'a Environment,
    dotenv: DotEnv,
    file: SettingsFile,
    file_path: Option<PathBuf>,
}

impl Layers<'_> {
    fn env_or_dotenv(&self, var: &'static str) -> Option<(String, Origin)> {
        if let Some(v) = self.env.vars.get(var).filter(|v| !v.is_empty()) {
            return Some((v.clone(), Origin::Env(var)));
        }
        self.dotenv
            .get(var)
            .filter(|(v, _)| !v.is_empty())
            .map(|(v, path)| {
                let origin = Origin::DotEnv {
                    path: path.to_owned(),
                    var,
                };
                (v.to_owned(), origin)
            })
    }

    /// The value of one setting through the layers flag > env > .env > settings file,
    /// trimmed and checked by `parse`; `None` when no layer sets it.
    fn value<T>(
        &self,
        spec: Spec,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<(T, Origin)>, SettingsError> {
        let found = match spec.flag {
            (flag, Some(v)) => Some((v.clone(), Origin::Flag(flag))),
            _ => self.env_or_dotenv(spec.var).or_else(|| {
                let path = self.file_path.clone()?;
                let key = spec.key;
                spec.file
                    .map(|v| (value_text(v), Origin::SettingsFile { path, key }))
            }),
        };
        let Some((text, origin)) = found else {
            return Ok(None);
        };
        match parse(text.trim()) {
            Some(v) => Ok(Some((v, origin))),
            None => Err(invalid(spec.setting, &text, origin, spec.expected)),
        }
    }
}

/// Where one setting may be found, and how to name it in a message.
struct Spec<'a> {
    flag: (&'static str, Option<&'a String>),
    var: &'static str,
    key: &'static str,
    file: Option<&'a toml::Value>,
    setting: &'static str,
    expected: &'static str,
}

fn invalid(setting: &'static str, value: &str, origin: Origin, expected: &str) -> SettingsError {
    SettingsError::Invalid {
        setting,
        value: format!("{value:?}"),
        origin,
        expected: expected.to_owned(),
    }
}

/// Parses a positive finite number.
fn positive(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// `key_` followed by letters, digits, `_` or `-`.
pub fn is_key_id(s: &str) -> bool {
    s.strip_prefix("key_").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// Resolves every setting. Reads `.env` files, the settings file and a pricing file.
pub fn resolve(opts: &Options, env: &Environment) -> Result<Settings, SettingsError> {
    let dotenv = DotEnv::load(&env.dotenv_candidates())?;
    let mut layers = Layers {
        env,
        dotenv,
        file: SettingsFile::default(),
        file_path: None,
    };
    let settings_path = match &opts.settings {
        Some(p) => Some(p.clone()),
        None => layers
            .env_or_dotenv("USAGE_TRACKER_SETTINGS")
            .map(|(v, _)| PathBuf::from(v))
            .or_else(|| env.config_dir.as_ref().map(|d| d.join("settings.toml"))),
    };
    if let Some(path) = &settings_path {
        layers.file = SettingsFile::load(path)?;
        layers.file_path = Some(path.clone());
    }
    let f = &layers.file;
    let mut warnings = Vec::new();

    let admin_key = match &opts.admin_key {
        Some(k) => Some((k.clone(), Origin::Flag("--admin-key"))),
        None => layers.env_or_dotenv("OPENAI_ADMIN_KEY"),
    }
    .map(|(k, origin)| {
        let k = k.trim().to_owned();
        if k.is_empty() || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(SettingsError::Invalid {
                setting: "admin key",
                value: "(hidden)".into(),
                origin,
                expected: "an Admin key (sk-admin-...) with no spaces or line breaks".into(),
            });
        }
        Ok(AdminKey {
            secret: SecretString::from(k),
            origin,
        })
    })
    .transpose()?;

    let api_key_ids = resolve_key_ids(opts, &layers)?;

    let lookback_hours = layers
        .value(
            Spec {
                flag: ("--lookback-hours", opts.lookback_hours.as_ref()),
                var: "USAGE_TRACKER_LOOKBACK_HOURS",
                key: "lookback_hours",
                file: f.lookback_hours.as_ref(),
                setting: "lookback hours",
                expected: "a number of hours greater than 0 and at most 8784 (366 days)",
            },
            |t| positive(t).filter(|h| *h <= MAX_LOOKBACK_HOURS),
        )?
        .map_or(DEFAULT_LOOKBACK_HOURS, |(v, _)| v);

    let bucket_width = layers
        .value(
            Spec {
                flag: ("--bucket-width", opts.bucket_width.as_ref()),
                var: "USAGE_TRACKER_BUCKET_WIDTH",
                key: "bucket_width",
                file: f.bucket_width.as_ref(),
                setting: "bucket width",
                expected: BucketWidth::ACCEPTED,
            },
            |t| t.parse().ok(),
        )?
        .map_or_else(BucketWidth::default, |(v, _)| v);

    let interval_secs = match layers.value(
        Spec {
            flag: ("--interval", opts.interval.as_ref()),
            var: "USAGE_TRACKER_INTERVAL",
            key: "interval",
            file: f.interval.as_ref(),
            setting: "refresh interval",
            expected: "a whole number of seconds, 1 or more (at most 600 is used)",
        },
        |t| t.parse::<u64>().ok().filter(|s| *s >= 1),
    )? {
        None => DEFAULT_INTERVAL_SECS,
        Some((secs, origin)) => {
            if secs > MAX_INTERVAL_SECS {
                warnings.push(format!(
                    "refresh interval {secs} s from {origin} is above the maximum: using {MAX_INTERVAL_SECS} s"
                ));
            }
            secs.min(MAX_INTERVAL_SECS)
        }
    };

    let tier = layers
        .value(
            Spec {
                flag: ("--tier", opts.tier.as_ref()),
                var: "USAGE_TRACKER_TIER",
                key: "tier",
                file: f.tier.as_ref(),
                setting: "pricing tier",
                expected: TierChoice::ACCEPTED,
            },
            |t| t.parse().ok(),
        )?
        .map_or_else(TierChoice::default, |(v, _)| v);

    let thresholds = Thresholds {
        tokens_per_min: layers
            .value(
                Spec {
                    flag: ("--spike-token-rate", opts.spike_token_rate.as_ref()),
                    var: "USAGE_TRACKER_SPIKE_TOKEN_RATE",
                    key: "spike_token_rate",
                    file: f.spike_token_rate.as_ref(),
                    setting: "spike token rate (tokens/min)",
                    expected: "a number greater than 0",
                },
                positive,
            )?
            .map_or(DEFAULT_SPIKE_TOKEN_RATE, |(v, _)| v),
        requests_per_min: layers
            .value(
                Spec {
                    flag: ("--spike-request-rate", opts.spike_request_rate.as_ref()),
                    var: "USAGE_TRACKER_SPIKE_REQUEST_RATE",
                    key: "spike_request_rate",
                    file: f.spike_request_rate.as_ref(),
                    setting: "spike request rate (requests/min)",
                    expected: "a number greater than 0",
                },
                positive,
            )?
            .map_or(DEFAULT_SPIKE_REQUEST_RATE, |(v, _)| v),
    };

    let daily_budget = layers
        .value(
            Spec {
                flag: ("--daily-budget", opts.daily_budget.as_ref()),
                var: "USAGE_TRACKER_DAILY_BUDGET",
                key: "daily_budget",
                file: f.daily_budget.as_ref(),
                setting: "daily budget",
                expected: "a number of USD greater than 0",
            },
            positive,
        )?
        .map(|(v, _)| v);

    let base_url = layers
        .value(
            Spec {
                flag: ("--base-url", opts.base_url.as_ref()),
                var: "OPENAI_BASE_URL",
                key: "base_url",
                file: f.base_url.as_ref(),
                setting: "API base URL",
                expected: "an http:// or https:// URL such as https://api.openai.com/v1",
            },
            |t| {
                let u = url::Url::parse(t).ok()?;
                let ok = matches!(u.scheme(), "http" | "https") && u.host().is_some();
                ok.then(|| t.trim_end_matches('/').to_owned())
            },
        )?
        .map_or_else(|| DEFAULT_BASE_URL.to_owned(), |(v, _)| v);

    let title = layers
        .value(
            Spec {
                flag: ("--title", None),
                var: "USAGE_TRACKER_TITLE",
                key: "title",
                file: f.title.as_ref(),
                setting: "menu-bar title",
                expected: TitleFormat::ACCEPTED,
            },
            |t| TitleFormat::ALL.into_iter().find(|f| f.as_str() == t),
        )?
        .map_or_else(TitleFormat::default, |(v, _)| v);

    let pricing_file = match &opts.pricing {
        Some(p) => Some(p.clone()),
        None => layers
            .env_or_dotenv("USAGE_TRACKER_PRICING")
            .map(|(v, _)| PathBuf::from(v))
            .or_else(|| {
                let p = f.pricing.as_ref()?;
                let dir = layers.file_path.as_deref().and_then(Path::parent);
                Some(dir.map_or_else(|| p.clone(), |d| d.join(p)))
            }),
    };
    let prices = match &pricing_file {
        None => Arc::new(PriceTable::builtin().clone()),
        Some(p) => Arc::new(PriceTable::with_overrides_from(p)?),
    };

    Ok(Settings {
        admin_key,
        api_key_ids,
        lookback_hours,
        bucket_width,
        interval: Duration::from_secs(interval_secs),
        tier,
        thresholds,
        prices,
        pricing_file,
        base_url,
        daily_budget,
        title,
        settings_path,
        dotenv_files: layers.dotenv.files.clone(),
        warnings,
        demo: opts.demo,
    })
}

fn resolve_key_ids(opts: &Options, layers: &Layers) -> Result<Vec<String>, SettingsError> {
    let (ids, origin): (Vec<String>, Origin) = if !opts.api_key_ids.is_empty() {
        (opts.api_key_ids.clone(), Origin::Flag("--api-key-id"))
    } else if let Some((text, origin)) = layers.env_or_dotenv("OPENAI_API_KEY_ID") {
        let ids = text
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        (ids, origin)
    } else if let (Some(ids), Some(path)) = (&layers.file.api_key_ids, &layers.file_path) {
        let origin = Origin::SettingsFile {
            path: path.clone(),
            key: "api_key_ids",
        };
        (ids.clone(), origin)
    } else {
        return Ok(Vec::new());
    };
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let id = id.trim().to_owned();
        if !is_key_id(&id) {
            let mut err = invalid(
                "API key id",
                &id,
                origin,
                "an id shaped key_... (letters, digits, _ or -), as `usage-tracker keys` lists them; not the secret key itself",
            );
            if id.starts_with("sk-") {
                // Somebody pasted a secret key: do not print it back.
                if let SettingsError::Invalid { value, .. } = &mut err {
                    *value = "(a secret key, hidden)".into();
                }
            }
            return Err(err);
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
