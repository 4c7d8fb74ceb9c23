//! Resolved settings: flag > environment > `.env` > settings file > default, every value
//! validated by one rule whatever its source, every bad value one message naming the value,
//! its origin and what is accepted. The admin key may also come from the OS secret store,
//! below environment and `.env`; that lookup is the caller's (it lives in `platform`).
//!
//! Runs once at start-up (and when the tray saves a choice); does file I/O but no network.

pub use crate::defs;
mod env;
mod error;
pub mod file;
mod history;
mod origin;
pub use usage_tracker_core::redact;
mod startup;
mod values;

pub use defs::{Key, Scope};
pub use env::Environment;
pub use error::SettingsError;
pub use history::HistoryDir;
pub use origin::{DotEnv, Origin};
pub use startup::StartupValue;
pub use values::is_key_id;
use values::{base_url, positive, resolve_key_ids, resolve_project_ids};

use crate::alerts::Thresholds;
use crate::cli::Options;
use crate::plan::periods::Calendar;
use crate::pricing::{PriceMode, PriceTable, TierChoice};
use crate::usage::BucketWidth;
use file::{SettingsFile, value_text};
use secrecy::SecretString;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const MAX_INTERVAL_SECS: u64 = 600;
pub const MAX_LOOKBACK_HOURS: f64 = 24.0 * 366.0;
/// The most buckets one window may hold: beyond it a refresh is hundreds of requests.
pub const MAX_BUCKETS: u64 = 20_000;

pub use usage_tracker_core::settings::{AdminKey, Settings, TitleFormat, validate_key};

/// The `lookback_hours` setting's value: hours, or a UTC calendar period.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Lookback {
    Hours(f64),
    Calendar(Calendar),
}

/// The hours a calendar choice leaves in [`Settings::lookback_hours`] (the declared default).
const DEFAULT_LOOKBACK_HOURS: f64 = 6.0;

fn lookback_value(text: &str) -> Option<Lookback> {
    Calendar::parse(text).map(Lookback::Calendar).or_else(|| {
        positive(text)
            .filter(|h| *h <= MAX_LOOKBACK_HOURS)
            .map(Lookback::Hours)
    })
}

/// The layers one setting is looked up in, highest first, for one command.
pub(crate) struct Layers<'a> {
    opts: &'a Options,
    env: &'a Environment,
    dotenv: DotEnv,
    file: SettingsFile,
    scope: Scope,
}

impl Layers<'_> {
    pub(crate) fn env_or_dotenv(&self, var: &'static str) -> Option<(String, Origin)> {
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

    /// The raw text of one setting through flag > env > .env > settings file, `None` when no
    /// layer sets it or the command does not use it (then it is not validated either).
    fn raw(&self, key: Key) -> Option<(String, Origin)> {
        let d = defs::def(key);
        if !d.used_by(self.scope) {
            return None;
        }
        if let (Some(flag), Some(v)) = (d.flag, self.opts.get(key)) {
            return Some((v.clone(), Origin::Flag(flag)));
        }
        d.env.and_then(|var| self.env_or_dotenv(var)).or_else(|| {
            let file_key = d.file?;
            let (value, path) = self.file.get(file_key)?;
            Some((
                value_text(value),
                Origin::SettingsFile {
                    path: path.to_owned(),
                    key: file_key,
                },
            ))
        })
    }

    /// One setting, trimmed and checked by `parse`; its declared default (checked by the same
    /// rule) when nothing sets it; `None` when it has no default.
    fn value<T>(
        &self,
        key: Key,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<(T, Origin)>, SettingsError> {
        let d = defs::def(key);
        let Some((text, origin)) = self.raw(key) else {
            return Ok(d.default.map(|text| {
                let v = parse(text).expect("every declared default is valid (tested)");
                (v, Origin::Default)
            }));
        };
        match parse(text.trim()) {
            Some(v) => Ok(Some((v, origin))),
            None => Err(invalid(d.name, &text, origin, d.expected)),
        }
    }

    /// Like [`value`](Self::value) for a setting with a default.
    fn required<T>(
        &self,
        key: Key,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<(T, Origin), SettingsError> {
        Ok(self
            .value(key, parse)?
            .expect("called only for settings with a default"))
    }
}

pub(crate) fn invalid(
    setting: &'static str,
    value: &str,
    origin: Origin,
    expected: &str,
) -> SettingsError {
    SettingsError::Invalid {
        setting,
        // A key pasted into the wrong setting is not printed back.
        value: format!("{:?}", redact::scrub(value)),
        origin,
        expected: expected.to_owned(),
    }
}

/// The settings file: named by `--settings` or `USAGE_TRACKER_SETTINGS` (then it must exist),
/// else `settings.toml` in the config directory (read when it exists).
fn settings_file(
    layers: &Layers,
    env: &Environment,
) -> Result<(Option<PathBuf>, SettingsFile), SettingsError> {
    let named = layers.raw(Key::Settings);
    let path = match &named {
        Some((p, _)) => Some(PathBuf::from(p)),
        None if defs::def(Key::Settings).used_by(layers.scope) => {
            env.config_dir.as_ref().map(|d| d.join("settings.toml"))
        }
        None => None,
    };
    let Some(path) = path else {
        return Ok((None, SettingsFile::default()));
    };
    if let Some((text, origin)) = &named
        && !path.exists()
    {
        return Err(SettingsError::Invalid {
            setting: "settings file",
            value: format!("{text:?}"),
            origin: origin.clone(),
            expected: "a file that exists: create it (it may be empty) or fix the path".into(),
        });
    }
    let file = SettingsFile::load(&path)?;
    Ok((Some(path), file))
}

/// A warning for each flag given that `scope` does not use (`once --interval`).
pub fn ignored_flags(opts: &Options, scope: Scope) -> Vec<String> {
    let mut out: Vec<String> = opts
        .keys()
        .filter_map(|key| {
            defs::def(key)
                .flag
                .filter(|_| !defs::def(key).used_by(scope))
        })
        .map(|flag| format!("{flag} does not apply to {}: ignored", scope.name()))
        .collect();
    // `export` and `report` read the demo's own history with `--demo`.
    let reads_demo_history = matches!(scope, Scope::Export | Scope::Report);
    if opts.demo && !defs::def(Key::BaseUrl).used_by(scope) && !reads_demo_history {
        out.push(format!(
            "--demo does not apply to {}: ignored",
            scope.name()
        ));
    }
    out
}

/// Resolves the settings `scope` uses (the others keep their defaults and are not
/// validated). Reads `.env` files, the settings file and a pricing file.
pub fn resolve(opts: &Options, env: &Environment, scope: Scope) -> Result<Settings, SettingsError> {
    let dotenv = DotEnv::load(&env.dotenv_candidates())?;
    let mut layers = Layers {
        opts,
        env,
        dotenv,
        file: SettingsFile::default(),
        scope,
    };
    let (settings_path, file) = settings_file(&layers, env)?;
    layers.file = file;
    let mut warnings = ignored_flags(opts, scope);

    let admin_key = layers
        .raw(Key::AdminKey)
        .map(|(k, origin)| {
            let k = k.trim().to_owned();
            if k.is_empty() || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(SettingsError::Invalid {
                    setting: "admin key",
                    value: redact::redact(&k),
                    origin,
                    expected: defs::def(Key::AdminKey).expected.into(),
                });
            }
            Ok(AdminKey {
                secret: SecretString::from(k),
                origin,
            })
        })
        .transpose()?;

    let api_key_ids = resolve_key_ids(&layers)?;
    let project_ids = resolve_project_ids(&layers)?;

    let (lookback, lookback_origin) = layers.required(Key::LookbackHours, lookback_value)?;
    let (lookback_hours, calendar) = match lookback {
        Lookback::Hours(h) => (h, None),
        Lookback::Calendar(c) => (DEFAULT_LOOKBACK_HOURS, Some(c)),
    };
    let (bucket_width, width_origin) =
        layers.required(Key::BucketWidth, |t| t.parse::<BucketWidth>().ok())?;
    // A calendar window is read at the width its period needs (one page per endpoint): a width
    // chosen too is not used, and said so rather than silently replaced (issue 17). A warning,
    // not bad input: the width may be the settings file's, meant for the usual rolling window.
    if let Some(c) = calendar
        && width_origin != Origin::Default
        && defs::def(Key::BucketWidth).used_by(scope)
        && crate::plan::calendar::width(c) != bucket_width
    {
        warnings.push(format!(
            "bucket width {bucket_width} from {width_origin} is not used with lookback {} from {lookback_origin}, which reads {} buckets; for {bucket_width} buckets give the lookback in hours (such as 24)",
            c.as_str(),
            crate::plan::calendar::width(c)
        ));
    }
    let buckets = (lookback_hours * 3600.0 / bucket_width.secs() as f64).ceil() as u64 + 1;
    // A calendar window picks its own width (one page per endpoint): no count to check.
    if defs::def(Key::BucketWidth).used_by(scope) && calendar.is_none() && buckets > MAX_BUCKETS {
        return Err(SettingsError::TooManyBuckets {
            hours: lookback_hours,
            lookback_origin: Box::new(lookback_origin),
            width: bucket_width,
            width_origin: Box::new(width_origin),
            buckets,
        });
    }

    let (interval_secs, interval_origin) =
        layers.required(Key::Interval, |t| t.parse::<u64>().ok().filter(|s| *s >= 1))?;
    if interval_secs > MAX_INTERVAL_SECS {
        warnings.push(format!(
            "refresh interval {interval_secs} s from {interval_origin} is above the maximum: using {MAX_INTERVAL_SECS} s"
        ));
    }
    let interval_secs = interval_secs.min(MAX_INTERVAL_SECS);

    let (tier, _) = layers.required(Key::Tier, |t| t.parse::<TierChoice>().ok())?;
    let (price_mode, _) = layers.required(Key::Prices, |t| t.parse::<PriceMode>().ok())?;
    let thresholds = Thresholds {
        tokens_per_min: layers.required(Key::SpikeTokenRate, positive)?.0,
        requests_per_min: layers.required(Key::SpikeRequestRate, positive)?.0,
    };
    let daily_budget = layers.value(Key::DailyBudget, positive)?.map(|(v, _)| v);
    let monthly_budget = layers.value(Key::MonthlyBudget, positive)?.map(|(v, _)| v);
    let (base_url, base_origin) = layers.required(Key::BaseUrl, base_url)?;
    let (timeout_secs, _) = layers.required(Key::Timeout, |t| {
        t.parse::<u64>().ok().filter(|s| (1..=600).contains(s))
    })?;
    let (title, _) = layers.required(Key::Title, |t| {
        TitleFormat::ALL.into_iter().find(|f| f.as_str() == t)
    })?;

    if opts.demo {
        if let Origin::Flag(flag) = &base_origin {
            warnings.push(format!(
                "{flag} is ignored with --demo, which uses the simulated API on 127.0.0.1"
            ));
        }
    } else if base_origin != Origin::Default && defs::def(Key::BaseUrl).used_by(scope) {
        warnings.push(format!(
            "the admin key goes to {base_url} (from {base_origin}), not {}",
            defs::def(Key::BaseUrl).default_doc
        ));
    }

    let pricing = layers.raw(Key::Pricing).map(|(text, origin)| {
        let p = PathBuf::from(text.trim());
        let p = match (&origin, &settings_path) {
            (Origin::SettingsFile { .. }, Some(file)) => {
                file.parent().map_or_else(|| p.clone(), |dir| dir.join(&p))
            }
            _ => p,
        };
        (p, origin)
    });
    let prices = match &pricing {
        None => Arc::new(PriceTable::builtin().clone()),
        Some((p, origin)) => Arc::new(PriceTable::with_overrides_from(p).map_err(|error| {
            SettingsError::Pricing {
                error: Box::new(error),
                origin: origin.clone(),
            }
        })?),
    };

    let history = history::resolve(&layers, env.data_dir.as_ref(), settings_path.as_ref())?;
    let (history_keep, _) = layers.required(Key::HistoryKeep, crate::store::Retention::parse)?;
    let mut settings = Settings {
        admin_key,
        api_key_ids,
        project_ids,
        lookback_hours,
        calendar,
        bucket_width,
        interval: Duration::from_secs(interval_secs),
        tier,
        thresholds,
        prices,
        pricing_file: pricing.map(|(p, _)| p),
        price_mode,
        base_url,
        daily_budget,
        monthly_budget,
        title,
        timeout: Duration::from_secs(timeout_secs),
        settings_path,
        dotenv_files: layers.dotenv.files.clone(),
        warnings,
        demo: opts.demo,
        startup_only: Vec::new(),
        history,
        history_keep,
    };
    settings.startup_only = startup::startup_only(&layers, env, &settings);
    Ok(settings)
}

/// Where the history store is for `scope` (resolved apart from [`Settings`], which the
/// commands that keep no history do not need): flag > env > `.env` > settings file > the
/// platform data directory.
pub fn history_dir(
    opts: &Options,
    env: &Environment,
    scope: Scope,
) -> Result<HistoryDir, SettingsError> {
    let mut layers = Layers {
        opts,
        env,
        dotenv: DotEnv::load(&env.dotenv_candidates())?,
        file: SettingsFile::default(),
        scope,
    };
    let (settings_path, file) = settings_file(&layers, env)?;
    layers.file = file;
    history::resolve(&layers, env.data_dir.as_ref(), settings_path.as_ref())
}

/// Where an admin key in the environment or a `.env` file comes from: it wins over the one
/// in the secret store.
pub fn admin_key_override(env: &Environment) -> Result<Option<Origin>, SettingsError> {
    let layers = Layers {
        opts: &Options::default(),
        env,
        dotenv: DotEnv::load(&env.dotenv_candidates())?,
        file: SettingsFile::default(),
        scope: Scope::Once,
    };
    Ok(layers.raw(Key::AdminKey).map(|(_, origin)| origin))
}

#[cfg(test)]
mod tests;
