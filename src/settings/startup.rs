//! The settings a run was started with that a start at login would not have: those given as
//! flags, in the environment, or in a `.env` file that is only read from the directory the app
//! was started in. The login item starts the bare app, so the menu offers to write these into
//! the settings file (values as resolved, paths made absolute). Computed once, at resolution.

use super::defs::{self, Key};
use super::{Environment, Layers, Origin, Settings};

pub use usage_tracker_core::settings::StartupValue;

/// Whether `origin` is gone when the app starts at login: a flag or a variable of this shell
/// always is; a `.env` file is when it is not one the app also reads from there (beside the
/// executable or the app bundle, or in the config directory).
fn lost_at_login(origin: &Origin, env: &Environment) -> bool {
    match origin {
        Origin::Flag(_) | Origin::Env(_) => true,
        Origin::DotEnv { path, .. } => {
            let at_login = Environment {
                cwd: None,
                ..env.clone()
            };
            !at_login.dotenv_candidates().contains(path)
        }
        _ => false,
    }
}

/// A number as TOML writes it, whole numbers without `.0`.
fn number(v: f64) -> toml_edit::Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        (v as i64).into()
    } else {
        v.into()
    }
}

/// The value `settings` holds for `key`, as the settings file would write it.
fn file_value(settings: &Settings, key: Key) -> Option<toml_edit::Value> {
    Some(match key {
        Key::ApiKeyIds => settings
            .api_key_ids
            .iter()
            .collect::<toml_edit::Array>()
            .into(),
        Key::ProjectIds => settings
            .project_ids
            .iter()
            .collect::<toml_edit::Array>()
            .into(),
        Key::LookbackHours => match settings.calendar {
            Some(c) => c.as_str().into(),
            None => number(settings.lookback_hours),
        },
        Key::BucketWidth => settings.bucket_width.as_str().into(),
        Key::Interval => (settings.interval.as_secs() as i64).into(),
        Key::Tier => settings.tier.as_str().into(),
        Key::SpikeTokenRate => number(settings.thresholds.tokens_per_min),
        Key::SpikeRequestRate => number(settings.thresholds.requests_per_min),
        // Relative to where the app was started; in the file it would be relative to the file.
        Key::Pricing => {
            let p = settings.pricing_file.as_ref()?;
            std::path::absolute(p)
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned()
                .into()
        }
        Key::Prices => settings.price_mode.as_str().into(),
        Key::DailyBudget => number(settings.daily_budget?),
        Key::MonthlyBudget => number(settings.monthly_budget?),
        Key::BaseUrl => settings.base_url.clone().into(),
        Key::Timeout => (settings.timeout.as_secs() as i64).into(),
        Key::Title => settings.title.as_str().into(),
        Key::AdminKey | Key::Settings | Key::Log => return None,
        Key::DataDir => match &settings.history {
            super::HistoryDir::At(p, _) => std::path::absolute(p)
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned()
                .into(),
            super::HistoryDir::Off(_) => "off".into(),
            super::HistoryDir::NoDataDir => return None,
        },
        Key::HistoryKeep => settings.history_keep.spec().into(),
    })
}

/// The settings of this run that a start at login would lose; none in `--demo` (its values are
/// the simulator's), without a settings file to write them to, or when that file was itself
/// named for this run only (`--settings`): a start at login reads the default one.
pub(super) fn startup_only(
    layers: &Layers,
    env: &Environment,
    settings: &Settings,
) -> Vec<StartupValue> {
    let named_for_this_run = layers
        .raw(Key::Settings)
        .is_some_and(|(_, origin)| lost_at_login(&origin, env));
    if settings.demo || settings.settings_path.is_none() || named_for_this_run {
        return Vec::new();
    }
    defs::DEFS
        .iter()
        .filter_map(|d| {
            let key = d.file?;
            let (_, origin) = layers.raw(d.key)?;
            if !lost_at_login(&origin, env) {
                return None;
            }
            let value = file_value(settings, d.key)?;
            Some(StartupValue { key, origin, value })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::file::save_values;
    use super::super::{Scope, resolve};
    use super::*;
    use crate::cli::Options;
    use std::collections::HashMap;
    use std::path::Path;

    fn env(dir: &Path) -> Environment {
        for d in ["cwd", "config", "bin"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        Environment {
            vars: HashMap::new(),
            cwd: Some(dir.join("cwd")),
            exe: Some(dir.join("bin/usage-tracker")),
            config_dir: Some(dir.join("config")),
            data_dir: Some(dir.join("data")),
        }
    }

    fn keys(s: &Settings) -> Vec<&'static str> {
        s.startup_only.iter().map(|v| v.key).collect()
    }

    /// A budget flag, a base URL and a key in the environment, a pricing file relative to the
    /// directory started in, a tier in the settings file and a lookback in a `.env` beside
    /// the executable: only the first three would be lost at login.
    #[test]
    fn flags_and_the_shell_environment_hold_only_for_this_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = env(dir.path());
        e.vars.insert(
            "USAGE_TRACKER_BASE_URL".into(),
            "http://127.0.0.1:8080/v1".into(),
        );
        e.vars
            .insert("OPENAI_ADMIN_KEY".into(), "sk-admin-secret-123".into());
        std::fs::write(
            dir.path().join("config/settings.toml"),
            "tier = \"batch\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("bin/.env"),
            "USAGE_TRACKER_LOOKBACK_HOURS=24\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("cwd/prices.toml"), "").unwrap();
        let mut o = Options::default();
        o.set(Key::DailyBudget, "5");
        let pricing = dir.path().join("cwd/prices.toml");
        o.set(Key::Pricing, pricing.to_string_lossy());
        let s = resolve(&o, &e, Scope::App).unwrap();
        assert_eq!(keys(&s), ["pricing", "daily_budget", "base_url"]);
        assert_eq!(s.startup_only[1].origin, Origin::Flag("--daily-budget"));
        assert_eq!(
            s.startup_only[2].origin,
            Origin::Env("USAGE_TRACKER_BASE_URL")
        );
        let shown = format!("{:?}", s.startup_only);
        assert!(!shown.contains("sk-admin"), "{shown}");
    }

    #[test]
    fn a_dotenv_only_in_the_start_directory_is_lost_at_login() {
        let dir = tempfile::tempdir().unwrap();
        let e = env(dir.path());
        std::fs::write(dir.path().join("cwd/.env"), "USAGE_TRACKER_INTERVAL=30\n").unwrap();
        let s = resolve(&Options::default(), &e, Scope::App).unwrap();
        assert_eq!(keys(&s), ["interval"]);
        assert_eq!(s.startup_only[0].value.as_integer(), Some(30));
    }

    #[test]
    fn the_demo_no_settings_file_or_one_named_for_this_run_offer_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Options::default();
        o.set(Key::DailyBudget, "5");
        o.demo = true;
        let s = resolve(&o, &env(dir.path()), Scope::App).unwrap();
        assert!(s.startup_only.is_empty(), "{:?}", s.startup_only);
        o.demo = false;
        let e = Environment {
            config_dir: None,
            ..env(dir.path())
        };
        let s = resolve(&o, &e, Scope::App).unwrap();
        assert!(s.startup_only.is_empty(), "{:?}", s.startup_only);
        // A settings file named for this run is not the one a start at login reads.
        let named = dir.path().join("cwd/other.toml");
        std::fs::write(&named, "").unwrap();
        o.set(Key::Settings, named.to_string_lossy());
        let s = resolve(&o, &env(dir.path()), Scope::App).unwrap();
        assert_eq!(s.settings_path, Some(named));
        assert!(s.startup_only.is_empty(), "{:?}", s.startup_only);
    }

    /// Saved into a file with comments and other keys, the values read back through the
    /// settings loader as the same settings, the comments and other keys as they were.
    #[test]
    fn saved_values_keep_the_file_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = env(dir.path());
        // The title has no flag: from the environment.
        e.vars.insert("USAGE_TRACKER_TITLE".into(), "cost".into());
        let file = dir.path().join("config/settings.toml");
        let original =
            "# my settings\ntier = \"batch\" # cheaper\n\n# how far back\nlookback_hours = 6\n";
        std::fs::write(&file, original).unwrap();
        let prices = dir.path().join("cwd/prices.toml");
        std::fs::write(&prices, "").unwrap();
        let mut o = Options::default();
        o.set(Key::DailyBudget, "2.5")
            .set(Key::MonthlyBudget, "120")
            .set(Key::LookbackHours, "24")
            .set(Key::ApiKeyIds, "key_a")
            .set(Key::ApiKeyIds, "key_b")
            .set(Key::Interval, "900")
            .set(Key::Pricing, prices.to_string_lossy());
        let first = resolve(&o, &e, Scope::App).unwrap();
        save_values(
            &file,
            first.startup_only.iter().map(|v| (v.key, v.value.clone())),
        )
        .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        for kept in [
            "# my settings\n",
            "tier = \"batch\" # cheaper\n",
            "# how far back\n",
        ] {
            assert!(text.contains(kept), "{kept:?} in {text}");
        }
        assert!(text.contains("lookback_hours = 24\n"), "{text}");
        assert!(
            text.contains("interval = 600\n"),
            "the capped value: {text}"
        );
        e.vars.clear();
        let again = resolve(&Options::default(), &e, Scope::App).unwrap();
        assert_eq!(again.daily_budget, Some(2.5));
        assert_eq!(again.monthly_budget, Some(120.0));
        assert_eq!(again.lookback_hours, 24.0);
        assert_eq!(again.api_key_ids, ["key_a", "key_b"]);
        assert_eq!(again.interval, first.interval);
        assert_eq!(again.pricing_file, Some(prices));
        assert_eq!(again.title, crate::settings::TitleFormat::Cost);
        assert_eq!(again.tier.as_str(), "batch");
        // Now all in the file: nothing left to offer.
        assert!(again.startup_only.is_empty(), "{:?}", again.startup_only);
    }
}
