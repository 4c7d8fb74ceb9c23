mod calendar;

use super::*;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::fs;

struct Fixture {
    dir: tempfile::TempDir,
    env: Environment,
}

impl Fixture {
    /// A cwd and a config dir of their own, no variables.
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().join("cwd");
        let config = dir.path().join("config");
        fs::create_dir_all(&cwd).unwrap();
        fs::create_dir_all(&config).unwrap();
        let env = Environment {
            vars: HashMap::new(),
            cwd: Some(cwd),
            exe: Some(dir.path().join("bin/usage-tracker")),
            config_dir: Some(config),
            data_dir: Some(dir.path().join("data")),
        };
        Fixture { dir, env }
    }

    fn var(mut self, k: &str, v: &str) -> Self {
        self.env.vars.insert(k.into(), v.into());
        self
    }

    fn file(self, rel: &str, text: &str) -> Self {
        let p = self.dir.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
        self
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn resolve(&self, opts: &Options) -> Result<Settings, SettingsError> {
        resolve(opts, &self.env, Scope::App)
    }
}

fn opts() -> Options {
    Options::default()
}

#[test]
fn defaults_when_nothing_is_set() {
    let s = Fixture::new().resolve(&opts()).unwrap();
    assert!(s.admin_key.is_none());
    assert!(s.api_key_ids.is_empty());
    assert_eq!(s.lookback_hours, 6.0);
    assert_eq!(s.bucket_width, BucketWidth::Hour);
    assert_eq!(s.interval, Duration::from_secs(15));
    assert_eq!(s.tier, TierChoice::Auto);
    assert_eq!(s.thresholds.tokens_per_min, 10_000.0);
    assert_eq!(s.thresholds.requests_per_min, 120.0);
    assert_eq!(s.base_url, "https://api.openai.com/v1");
    assert_eq!(s.daily_budget, None);
    assert_eq!(s.title, TitleFormat::TokensAndCost);
    assert!(s.warnings.is_empty());
}

#[test]
fn precedence_is_flag_env_dotenv_file_default() {
    let f = Fixture::new()
        .file("config/settings.toml", "bucket_width = \"1d\"\nlookback_hours = 48\ninterval = 30\ntier = \"flex\"\n")
        .file("cwd/.env", "USAGE_TRACKER_BUCKET_WIDTH=1m\nUSAGE_TRACKER_LOOKBACK_HOURS=12\nUSAGE_TRACKER_INTERVAL=20\n")
        .var("USAGE_TRACKER_BUCKET_WIDTH", "1h")
        .var("USAGE_TRACKER_LOOKBACK_HOURS", "3");
    let mut o = opts();
    o.set(Key::BucketWidth, "1m");
    let s = f.resolve(&o).unwrap();
    assert_eq!(s.bucket_width, BucketWidth::Minute, "flag beats env");
    assert_eq!(s.lookback_hours, 3.0, "env beats .env");
    assert_eq!(
        s.interval,
        Duration::from_secs(20),
        ".env beats settings file"
    );
    assert_eq!(
        s.tier,
        TierChoice::Fixed(crate::pricing::Tier::Flex),
        "file beats default"
    );
}

#[test]
fn dotenv_order_is_cwd_then_beside_the_executable_then_config_dir() {
    let f = Fixture::new()
        .file("config/.env", "USAGE_TRACKER_TIER=priority\nUSAGE_TRACKER_INTERVAL=40\nUSAGE_TRACKER_LOOKBACK_HOURS=2\n")
        .file("bin/.env", "USAGE_TRACKER_TIER=batch\nUSAGE_TRACKER_INTERVAL=30\n")
        .file("cwd/.env", "USAGE_TRACKER_TIER=standard\n");
    let s = f.resolve(&opts()).unwrap();
    assert_eq!(s.tier.as_str(), "standard");
    assert_eq!(s.interval.as_secs(), 30);
    assert_eq!(s.lookback_hours, 2.0);
    assert_eq!(s.dotenv_files.len(), 3);
}

#[test]
fn dotenv_beside_an_app_bundle_is_read() {
    let mut f = Fixture::new().file("Apps/.env", "USAGE_TRACKER_INTERVAL=45\n");
    f.env.exe = Some(f.path("Apps/UsageTracker.app/Contents/MacOS/usage-tracker"));
    assert_eq!(f.resolve(&opts()).unwrap().interval.as_secs(), 45);
}

#[test]
fn admin_key_sources_and_its_secrecy() {
    let f = Fixture::new()
        .file("cwd/.env", "OPENAI_ADMIN_KEY=sk-admin-from-dotenv\n")
        .file("config/settings.toml", "");
    let s = f.resolve(&opts()).unwrap();
    let key = s.admin_key.as_ref().unwrap();
    assert_eq!(key.secret.expose_secret(), "sk-admin-from-dotenv");
    assert!(matches!(key.origin, Origin::DotEnv { .. }));
    let debug = format!("{s:?}");
    assert!(
        !debug.contains("from-dotenv"),
        "Debug leaks the key: {debug}"
    );

    let f = f.var("OPENAI_ADMIN_KEY", "sk-admin-from-env");
    let s = f.resolve(&opts()).unwrap();
    assert_eq!(
        s.admin_key.unwrap().secret.expose_secret(),
        "sk-admin-from-env"
    );

    let mut o = opts();
    o.set(Key::AdminKey, "sk-admin-from-flag");
    let s = f.resolve(&o).unwrap();
    assert_eq!(
        s.admin_key.as_ref().unwrap().origin,
        Origin::Flag("--admin-key")
    );

    o.set(Key::AdminKey, "sk-admin with space");
    let msg = f.resolve(&o).unwrap_err().to_string();
    assert!(
        msg.contains("sk-…pace") && !msg.contains("with space"),
        "{msg}"
    );
}

#[test]
fn key_ids_from_each_source_are_validated_and_deduplicated() {
    let mut o = opts();
    o.set(Key::ApiKeyIds, "key_a")
        .set(Key::ApiKeyIds, "key_b")
        .set(Key::ApiKeyIds, "key_a");
    let f = Fixture::new().var("OPENAI_API_KEY_ID", "key_env1,key_env2");
    assert_eq!(f.resolve(&o).unwrap().api_key_ids, ["key_a", "key_b"]);
    assert_eq!(
        f.resolve(&opts()).unwrap().api_key_ids,
        ["key_env1", "key_env2"]
    );
    let f = Fixture::new().file("config/settings.toml", "api_key_ids = [\"key_file\"]\n");
    assert_eq!(f.resolve(&opts()).unwrap().api_key_ids, ["key_file"]);
}

#[test]
fn project_ids_from_each_source_are_validated_deduplicated_and_tracked_after_the_keys() {
    let mut o = opts();
    o.set(Key::ProjectIds, "proj_a")
        .set(Key::ProjectIds, "proj_b")
        .set(Key::ProjectIds, "proj_a")
        .set(Key::ApiKeyIds, "key_k");
    let f = Fixture::new().var("USAGE_TRACKER_PROJECT_ID", "proj_env1, proj_env2");
    let s = f.resolve(&o).unwrap();
    assert_eq!(s.project_ids, ["proj_a", "proj_b"]);
    assert_eq!(s.tracked_ids(), ["key_k", "proj_a", "proj_b"]);
    assert_eq!(
        f.resolve(&opts()).unwrap().project_ids,
        ["proj_env1", "proj_env2"]
    );
    let f = Fixture::new().file("config/settings.toml", "project_ids = [\"proj_file\"]\n");
    assert_eq!(f.resolve(&opts()).unwrap().project_ids, ["proj_file"]);
    let f = Fixture::new().file("config/settings.toml", "project_ids = \"proj_file\"\n");
    let msg = f.resolve(&opts()).unwrap_err().to_string();
    assert!(
        msg.contains("project_ids") && msg.contains("[\"proj_abc123\"]"),
        "{msg}"
    );
}

#[test]
fn interval_above_600_is_capped_with_a_warning() {
    let mut o = opts();
    o.set(Key::Interval, "900");
    let s = Fixture::new().resolve(&o).unwrap();
    assert_eq!(s.interval.as_secs(), 600);
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("900") && s.warnings[0].contains("--interval"));
}

/// Issue 17: a calendar lookback reads its own width; a width chosen too is said to be unused
/// (naming both values, where they came from, and what gives that width), not silently
/// replaced. The calendar's own width, or none given, says nothing.
#[test]
fn a_bucket_width_a_calendar_lookback_does_not_use_is_said() {
    let mut o = opts();
    o.set(Key::BucketWidth, "1m");
    o.set(Key::LookbackHours, "month");
    let s = Fixture::new().resolve(&o).unwrap();
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    let w = &s.warnings[0];
    for needle in [
        "bucket width 1m from flag --bucket-width",
        "lookback month from flag --lookback-hours",
        "1d buckets",
        "give the lookback in hours",
    ] {
        assert!(w.contains(needle), "{needle:?} in {w}");
    }
    let s = Fixture::new()
        .var("USAGE_TRACKER_BUCKET_WIDTH", "1m")
        .resolve(&{
            let mut o = opts();
            o.set(Key::LookbackHours, "today");
            o
        })
        .unwrap();
    assert!(
        s.warnings[0].contains("USAGE_TRACKER_BUCKET_WIDTH"),
        "{:?}",
        s.warnings
    );
    for (width, lookback) in [(None, "month"), (Some("1d"), "month"), (Some("1h"), "week")] {
        let mut o = opts();
        if let Some(w) = width {
            o.set(Key::BucketWidth, w);
        }
        o.set(Key::LookbackHours, lookback);
        let s = Fixture::new().resolve(&o).unwrap();
        assert!(
            s.warnings.is_empty(),
            "{width:?} {lookback}: {:?}",
            s.warnings
        );
    }
}

/// Every bad value: one message naming the value, where it came from and what is accepted.
#[test]
fn every_bad_value_gets_a_message_naming_value_origin_and_fix() {
    let cases: &[(Key, &str, &str, &str)] = &[
        (Key::BucketWidth, "5m", "--bucket-width", "1m, 1h, 1d"),
        (
            Key::Tier,
            "cheap",
            "--tier",
            "auto, standard, batch, flex, priority",
        ),
        (Key::Prices, "cheapest", "--prices", "bill, table"),
        (
            Key::LookbackHours,
            "0",
            "--lookback-hours",
            "greater than 0",
        ),
        (
            Key::LookbackHours,
            "-3",
            "--lookback-hours",
            "greater than 0",
        ),
        (
            Key::LookbackHours,
            "six",
            "--lookback-hours",
            "greater than 0",
        ),
        (
            Key::LookbackHours,
            "100000",
            "--lookback-hours",
            "at most 8784",
        ),
        (Key::Interval, "0", "--interval", "whole number of seconds"),
        (
            Key::Interval,
            "1.5",
            "--interval",
            "whole number of seconds",
        ),
        (
            Key::SpikeTokenRate,
            "-1",
            "--spike-token-rate",
            "greater than 0",
        ),
        (
            Key::SpikeRequestRate,
            "inf",
            "--spike-request-rate",
            "greater than 0",
        ),
        (
            Key::DailyBudget,
            "0",
            "--daily-budget",
            "USD greater than 0",
        ),
        (
            Key::MonthlyBudget,
            "-5",
            "--monthly-budget",
            "USD greater than 0",
        ),
        (
            Key::MonthlyBudget,
            "lots",
            "--monthly-budget",
            "USD greater than 0",
        ),
        (Key::BaseUrl, "api.openai.com", "--base-url", "https:// URL"),
        (Key::BaseUrl, "ftp://x/v1", "--base-url", "https:// URL"),
        (Key::ApiKeyIds, "proj_123", "--api-key-id", "key_..."),
        (Key::ApiKeyIds, "key_", "--api-key-id", "key_..."),
        (Key::ApiKeyIds, "key_a;rm", "--api-key-id", "key_..."),
        (Key::ProjectIds, "key_abc", "--project-id", "proj_..."),
        (Key::ProjectIds, "proj_", "--project-id", "proj_..."),
    ];
    for (key, value, origin, accepted) in cases {
        let mut o = opts();
        o.set(*key, *value);
        let err = Fixture::new().resolve(&o).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("{value:?}")) && msg.contains(origin) && msg.contains(accepted),
            "{value}: {msg}"
        );
    }
}

#[test]
fn bad_values_from_env_dotenv_and_file_name_their_origin() {
    let f = Fixture::new().var("USAGE_TRACKER_BUCKET_WIDTH", "2h");
    let msg = f.resolve(&opts()).unwrap_err().to_string();
    assert!(
        msg.contains("environment variable USAGE_TRACKER_BUCKET_WIDTH") && msg.contains("\"2h\""),
        "{msg}"
    );

    let f = Fixture::new().file("cwd/.env", "USAGE_TRACKER_TIER=gold\n");
    let msg = f.resolve(&opts()).unwrap_err().to_string();
    assert!(
        msg.contains("USAGE_TRACKER_TIER in") && msg.contains(".env") && msg.contains("\"gold\""),
        "{msg}"
    );

    let f = Fixture::new().file("config/settings.toml", "lookback_hours = true\n");
    let msg = f.resolve(&opts()).unwrap_err().to_string();
    assert!(
        msg.contains("`lookback_hours` in settings file") && msg.contains("\"true\""),
        "{msg}"
    );
}

#[test]
fn a_pasted_secret_key_as_key_id_is_not_echoed() {
    let mut o = opts();
    o.set(Key::ApiKeyIds, "sk-proj-verysecret");
    let msg = Fixture::new().resolve(&o).unwrap_err().to_string();
    assert!(
        !msg.contains("verysecret") && msg.contains("sk-proj-…") && msg.contains("a secret key"),
        "{msg}"
    );
}

#[test]
fn malformed_files_are_errors_naming_the_file() {
    let f = Fixture::new().file("config/settings.toml", "lookback_hours = \n");
    let msg = f.resolve(&opts()).unwrap_err().to_string();
    assert!(
        msg.contains("settings.toml") && msg.contains("invalid settings file"),
        "{msg}"
    );

    let f = Fixture::new().file("config/settings.toml", "lookbak_hours = 3\n");
    let msg = f.resolve(&opts()).unwrap_err().to_string();
    assert!(
        msg.contains("lookbak_hours"),
        "unknown field must be named: {msg}"
    );

    let f = Fixture::new().file(
        "cwd/.env",
        "GOOD=1\nOPENAI_ADMIN_KEY sk-admin-secret-value\n",
    );
    let msg = f.resolve(&opts()).unwrap_err().to_string();
    assert!(msg.contains(".env") && msg.contains("line 2"), "{msg}");
    assert!(
        !msg.contains("secret-value"),
        "the line's text must not be shown: {msg}"
    );

    let mut o = opts();
    o.set(
        Key::Pricing,
        f.path("missing-prices.toml").to_str().unwrap(),
    );
    let msg = Fixture::new().resolve(&o).unwrap_err().to_string();
    assert!(msg.contains("missing-prices.toml"), "{msg}");
}

#[test]
fn pricing_file_from_settings_is_relative_to_it() {
    let f = Fixture::new()
        .file("config/settings.toml", "pricing = \"prices.toml\"\n")
        .file(
            "config/prices.toml",
            "[standard.\"my-model\"]\ninput = 1\noutput = 2\n",
        );
    let s = f.resolve(&opts()).unwrap();
    assert!(
        s.prices
            .lookup("my-model", crate::pricing::Tier::Standard)
            .is_some()
    );
    assert_eq!(s.pricing_file, Some(f.path("config/prices.toml")));
}

#[test]
fn settings_file_flag_and_save_value_round_trip() {
    let f = Fixture::new().file("elsewhere.toml", "# my comment\ninterval = 60\n");
    let mut o = opts();
    o.set(Key::Settings, f.path("elsewhere.toml").to_str().unwrap());
    assert_eq!(f.resolve(&o).unwrap().interval.as_secs(), 60);
    file::save_value(&f.path("elsewhere.toml"), "tier", "batch").unwrap();
    file::save_value(&f.path("elsewhere.toml"), "lookback_hours", 24i64).unwrap();
    let text = fs::read_to_string(f.path("elsewhere.toml")).unwrap();
    assert!(text.contains("# my comment"), "{text}");
    let s = f.resolve(&o).unwrap();
    assert_eq!((s.tier.as_str(), s.lookback_hours), ("batch", 24.0));
    // Creates the file and its folder when missing.
    let fresh = f.path("new/dir/settings.toml");
    file::save_value(&fresh, "title", "cost").unwrap();
    o.set(Key::Settings, fresh.to_str().unwrap());
    assert_eq!(f.resolve(&o).unwrap().title, TitleFormat::Cost);
}

#[test]
fn the_monthly_budget_comes_from_any_layer_and_a_bad_one_names_its_origin() {
    let s = Fixture::new()
        .file("config/settings.toml", "monthly_budget = 250\n")
        .resolve(&opts())
        .unwrap();
    assert_eq!(s.monthly_budget, Some(250.0));
    assert_eq!(s.daily_budget, None, "one budget does not set the other");
    let s = Fixture::new()
        .var("USAGE_TRACKER_MONTHLY_BUDGET", "99.5")
        .resolve(&opts())
        .unwrap();
    assert_eq!(s.monthly_budget, Some(99.5));
    assert_eq!(
        Fixture::new().resolve(&opts()).unwrap().monthly_budget,
        None
    );

    let msg = Fixture::new()
        .var("USAGE_TRACKER_MONTHLY_BUDGET", "0")
        .resolve(&opts())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("monthly budget")
            && msg.contains("\"0\"")
            && msg.contains("environment variable USAGE_TRACKER_MONTHLY_BUDGET")
            && msg.contains("USD greater than 0"),
        "{msg}"
    );
    let msg = Fixture::new()
        .file("config/settings.toml", "monthly_budget = \"a lot\"\n")
        .resolve(&opts())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`monthly_budget` in settings file") && msg.contains("\"a lot\""),
        "{msg}"
    );
}

/// A failed save reads as a sentence for a notification: the file and the reason, none of the
/// flag syntax a command line's error would carry.
#[test]
fn a_save_failure_reads_as_a_sentence() {
    let e = SettingsError::Save {
        path: std::path::PathBuf::from("/home/me/.config/usage-tracker/settings.toml"),
        reason: "it is not valid TOML at line 3 (invalid key)".into(),
    };
    let text = e.to_string();
    assert!(
        text.starts_with("Cannot save to the settings file /home/me/"),
        "{text}"
    );
    assert!(text.contains("line 3"), "{text}");
    for flag in ["--settings", "USAGE_TRACKER_SETTINGS", "^", "|\n"] {
        assert!(!text.contains(flag), "{flag:?} in {text}");
    }
}
