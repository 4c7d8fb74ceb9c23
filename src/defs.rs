//! The one declaration of every setting: its flag, environment variable, settings-file key,
//! default, help text and the commands that use it. The flags (`cli`), the resolution
//! (`settings::resolve`), `--help`, the options table of `docs/options.md` and `.env.example` all come from
//! or are checked against [`DEFS`], so a setting cannot be half added.

/// A command, as far as settings are concerned: which settings it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The menu-bar app (no subcommand).
    App,
    Once,
    Watch,
    Keys,
    Prices,
    AdminKey,
    LoginItem,
    Export,
    Report,
}

impl Scope {
    /// How the command is typed, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Scope::App => "the menu-bar app",
            Scope::Once => "once",
            Scope::Watch => "watch",
            Scope::Keys => "keys",
            Scope::Prices => "prices",
            Scope::AdminKey => "admin-key",
            Scope::LoginItem => "login-item",
            Scope::Export => "export",
            Scope::Report => "report",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    AdminKey,
    ApiKeyIds,
    LookbackHours,
    BucketWidth,
    Interval,
    Tier,
    SpikeTokenRate,
    SpikeRequestRate,
    Pricing,
    Prices,
    DailyBudget,
    MonthlyBudget,
    BaseUrl,
    Timeout,
    Title,
    DataDir,
    HistoryKeep,
    Settings,
    Log,
}

/// One setting.
#[derive(Debug)]
pub struct Def {
    pub key: Key,
    /// `--flag`, when there is one.
    pub flag: Option<&'static str>,
    pub value_name: &'static str,
    pub env: Option<&'static str>,
    pub file: Option<&'static str>,
    /// The default as text, parsed by the same rule as any other value; `None`: see
    /// `default_doc`.
    pub default: Option<&'static str>,
    /// What applies when nothing is set, in words (README, `.env.example`).
    pub default_doc: &'static str,
    /// What it is named in a message: "invalid {name} ...".
    pub name: &'static str,
    /// What is accepted, for messages and the README.
    pub expected: &'static str,
    /// One line of help (`--help`, README).
    pub help: &'static str,
    /// A flag that may be repeated.
    pub repeatable: bool,
    pub used_by: &'static [Scope],
}

use Scope::{App, Export, Keys, Once, Prices, Report, Watch};

const FETCHING: &[Scope] = &[App, Once, Watch];
const CONNECTING: &[Scope] = &[App, Once, Watch, Keys, Prices];
/// Fetching, and the commands that price the stored history.
const PRICING: &[Scope] = &[App, Once, Watch, Prices, Export, Report];
/// What the history belongs to: the tracked keys.
const KEYED: &[Scope] = &[App, Once, Watch, Prices, Export, Report];
const HISTORY: &[Scope] = &[App, Once, Watch, Prices, Export, Report];

/// Every setting, in the order of `--help` and the README.
pub const DEFS: &[Def] = &[
    Def {
        key: Key::AdminKey,
        flag: Some("--admin-key"),
        value_name: "KEY",
        env: Some("OPENAI_ADMIN_KEY"),
        file: None,
        default: None,
        default_doc: "the OS secret store",
        name: "admin key",
        expected: "an Admin key (sk-admin-...) with no spaces or line breaks",
        help: "Admin key (sk-admin-...). A flag is visible to other processes (ps): prefer OPENAI_ADMIN_KEY, a .env file or `usage-tracker admin-key set`",
        repeatable: false,
        used_by: CONNECTING,
    },
    Def {
        key: Key::ApiKeyIds,
        flag: Some("--api-key-id"),
        value_name: "KEY_ID",
        env: Some("OPENAI_API_KEY_ID"),
        file: Some("api_key_ids"),
        default: None,
        default_doc: "the whole organization",
        name: "API key id",
        expected: "an id shaped key_... (letters, digits, _ or -), as `usage-tracker keys` lists them; not the secret key itself",
        help: "Project API key id to track (key_...); repeat to sum several (comma-separated in the environment)",
        repeatable: true,
        used_by: KEYED,
    },
    Def {
        key: Key::LookbackHours,
        flag: Some("--lookback-hours"),
        value_name: "HOURS|today|week|month",
        env: Some("USAGE_TRACKER_LOOKBACK_HOURS"),
        file: Some("lookback_hours"),
        default: Some("6"),
        default_doc: "6",
        name: "lookback hours",
        expected: "a number of hours greater than 0 and at most 8784 (366 days), or today, week or month (the UTC day, the week from Monday, the month)",
        help: "Hours of usage to show, ending now; or today, week or month: since UTC midnight, Monday 00:00 UTC or the 1st (hourly, hourly and daily buckets)",
        repeatable: false,
        used_by: FETCHING,
    },
    Def {
        key: Key::BucketWidth,
        flag: Some("--bucket-width"),
        value_name: "WIDTH",
        env: Some("USAGE_TRACKER_BUCKET_WIDTH"),
        file: Some("bucket_width"),
        default: Some("1h"),
        default_doc: "1h",
        name: "bucket width",
        expected: crate::usage::BucketWidth::ACCEPTED,
        help: "Bucket width: 1m, 1h or 1d",
        repeatable: false,
        used_by: FETCHING,
    },
    Def {
        key: Key::Interval,
        flag: Some("--interval"),
        value_name: "SECONDS",
        env: Some("USAGE_TRACKER_INTERVAL"),
        file: Some("interval"),
        default: Some("15"),
        default_doc: "15",
        name: "refresh interval",
        expected: "a whole number of seconds, 1 or more (at most 600 is used)",
        help: "Seconds between refreshes, at most 600 (more is capped with a warning)",
        repeatable: false,
        used_by: &[App, Watch],
    },
    Def {
        key: Key::Tier,
        flag: Some("--tier"),
        value_name: "TIER",
        env: Some("USAGE_TRACKER_TIER"),
        file: Some("tier"),
        default: Some("auto"),
        default_doc: "auto",
        name: "pricing tier",
        expected: crate::pricing::TierChoice::ACCEPTED,
        help: "Pricing tier: auto (each row at the tier the API reports), standard, batch, flex or priority (every row at that tier)",
        repeatable: false,
        used_by: PRICING,
    },
    Def {
        key: Key::SpikeTokenRate,
        flag: Some("--spike-token-rate"),
        value_name: "TOKENS_PER_MIN",
        env: Some("USAGE_TRACKER_SPIKE_TOKEN_RATE"),
        file: Some("spike_token_rate"),
        default: Some("10000"),
        default_doc: "10000",
        name: "spike token rate (tokens/min)",
        expected: "a number greater than 0",
        help: "Spike alert threshold in tokens per minute",
        repeatable: false,
        used_by: &[App, Watch],
    },
    Def {
        key: Key::SpikeRequestRate,
        flag: Some("--spike-request-rate"),
        value_name: "REQUESTS_PER_MIN",
        env: Some("USAGE_TRACKER_SPIKE_REQUEST_RATE"),
        file: Some("spike_request_rate"),
        default: Some("120"),
        default_doc: "120",
        name: "spike request rate (requests/min)",
        expected: "a number greater than 0",
        help: "Spike alert threshold in requests per minute",
        repeatable: false,
        used_by: &[App, Watch],
    },
    Def {
        key: Key::Pricing,
        flag: Some("--pricing"),
        value_name: "FILE",
        env: Some("USAGE_TRACKER_PRICING"),
        file: Some("pricing"),
        default: None,
        default_doc: "the built-in table",
        name: "pricing file",
        expected: "the path of a TOML price file",
        help: "TOML price file overriding or extending the built-in table (in the settings file: relative to it)",
        repeatable: false,
        used_by: PRICING,
    },
    Def {
        key: Key::Prices,
        flag: Some("--prices"),
        value_name: "bill|table",
        env: Some("USAGE_TRACKER_PRICES"),
        file: Some("prices"),
        default: Some("bill"),
        default_doc: "bill",
        name: "price choice",
        expected: crate::pricing::PriceMode::ACCEPTED,
        help: "Where the bill's unit price differs from the table's by more than 5 %: bill (estimate what you are billed) or table (list prices); either way the difference is listed",
        repeatable: false,
        used_by: PRICING,
    },
    Def {
        key: Key::DailyBudget,
        flag: Some("--daily-budget"),
        value_name: "USD",
        env: Some("USAGE_TRACKER_DAILY_BUDGET"),
        file: Some("daily_budget"),
        default: None,
        default_doc: "none",
        name: "daily budget",
        expected: "a number of USD greater than 0",
        help: "Notify once a day when the estimated cost since local midnight crosses this many USD (watch shows today's cost against it)",
        repeatable: false,
        used_by: &[App, Watch],
    },
    Def {
        key: Key::MonthlyBudget,
        flag: Some("--monthly-budget"),
        value_name: "USD",
        env: Some("USAGE_TRACKER_MONTHLY_BUDGET"),
        file: Some("monthly_budget"),
        default: None,
        default_doc: "none",
        name: "monthly budget",
        expected: "a number of USD greater than 0",
        help: "Notify once a month when this UTC month's bill plus today's estimate not yet billed crosses this many USD (the menu shows it)",
        repeatable: false,
        used_by: &[App],
    },
    Def {
        key: Key::BaseUrl,
        flag: Some("--base-url"),
        value_name: "URL",
        env: Some("USAGE_TRACKER_BASE_URL"),
        file: Some("base_url"),
        default: Some("https://api.openai.com/v1"),
        default_doc: "https://api.openai.com/v1",
        name: "API base URL",
        expected: "an https:// URL such as https://api.openai.com/v1 (http:// only for a loopback host such as 127.0.0.1: anywhere else it would send the admin key in clear text)",
        help: "API root the admin key is sent to (OPENAI_BASE_URL, which other programs use, is not read)",
        repeatable: false,
        used_by: CONNECTING,
    },
    Def {
        key: Key::Timeout,
        flag: Some("--timeout"),
        value_name: "SECONDS",
        env: Some("USAGE_TRACKER_TIMEOUT"),
        file: Some("timeout"),
        default: Some("20"),
        default_doc: "20",
        name: "timeout",
        expected: "a whole number of seconds from 1 to 600",
        help: "Give up on a command (a refresh, in watch and the app) after this many seconds, retries included",
        repeatable: false,
        used_by: CONNECTING,
    },
    Def {
        key: Key::Title,
        flag: None,
        value_name: "FORMAT",
        env: Some("USAGE_TRACKER_TITLE"),
        file: Some("title"),
        default: Some("tokens_and_cost"),
        default_doc: "tokens_and_cost",
        name: "menu-bar title",
        expected: usage_tracker_core::ui::view::TitleFormat::ACCEPTED,
        help: "What the menu-bar title shows: tokens_and_cost, cost, tokens (the live estimate) or month_to_date (this UTC month's bill)",
        repeatable: false,
        used_by: &[App],
    },
    Def {
        key: Key::DataDir,
        flag: Some("--data-dir"),
        value_name: "DIR",
        env: Some("USAGE_TRACKER_DATA_DIR"),
        file: Some("data_dir"),
        default: None,
        default_doc: "the data directory",
        name: "data directory",
        expected: "the path of a folder (made when missing), or off to keep no history",
        help: "Folder of the history store history.sqlite (in the settings file: relative to it); off keeps no history",
        repeatable: false,
        used_by: HISTORY,
    },
    Def {
        key: Key::HistoryKeep,
        flag: Some("--history-keep"),
        value_name: "SPANS",
        env: Some("USAGE_TRACKER_HISTORY_KEEP"),
        file: Some("history_keep"),
        default: Some("1m=48h,1h=90d,1d=400d,bills=400d"),
        default_doc: "1m=48h,1h=90d,1d=400d,bills=400d",
        name: "history retention",
        expected: "comma-separated 1m=, 1h=, 1d= and bills= spans in hours or days (48h, 90d), each at least 1h and at most 3660d; one left out keeps its default",
        help: "How long the history keeps 1-minute, hourly and daily buckets and billed days",
        repeatable: false,
        used_by: HISTORY,
    },
    Def {
        key: Key::Settings,
        flag: Some("--settings"),
        value_name: "FILE",
        env: Some("USAGE_TRACKER_SETTINGS"),
        file: None,
        default: None,
        default_doc: "settings.toml in the config directory",
        name: "settings file",
        expected: "the path of an existing TOML file",
        help: "Settings file (one named here must exist)",
        repeatable: false,
        used_by: &[App, Once, Watch, Keys, Prices, Export, Report],
    },
    Def {
        key: Key::Log,
        flag: None,
        value_name: "LEVEL",
        env: Some("USAGE_TRACKER_LOG"),
        file: None,
        default: Some("warn"),
        default_doc: "warn",
        name: "log level",
        expected: "off, error, warn, info, debug or trace (or filter directives such as usage_tracker=debug)",
        help: "Log level on stderr (debug shows the HTTP library's own messages)",
        repeatable: false,
        used_by: &[
            App,
            Once,
            Watch,
            Keys,
            Prices,
            Scope::AdminKey,
            Scope::LoginItem,
            Export,
            Report,
        ],
    },
];

/// The declaration of `key`.
pub fn def(key: Key) -> &'static Def {
    DEFS.iter()
        .find(|d| d.key == key)
        .expect("every Key has a Def (tested)")
}

impl Def {
    pub fn used_by(&self, scope: Scope) -> bool {
        self.used_by.contains(&scope)
    }

    /// The flag's name without the dashes, as clap wants it.
    pub fn long(&self) -> Option<&'static str> {
        self.flag.map(|f| f.trim_start_matches('-'))
    }

    /// The `--help` text: the help, where else the setting can come from, and the default.
    pub fn help_text(&self) -> String {
        let mut s = self.help.to_owned();
        let mut from = Vec::new();
        if let Some(env) = self.env {
            from.push(format!("env {env}"));
        }
        if let Some(file) = self.file {
            from.push(format!("settings file `{file}`"));
        }
        if !from.is_empty() {
            s.push_str(&format!(". Also {}", from.join(", ")));
        }
        s.push_str(&format!(" [default: {}]", self.default_doc));
        s
    }
}

/// The options table of `docs/options.md`, as it must read.
pub fn readme_table() -> String {
    let code = |s: Option<&str>| s.map_or_else(|| "—".to_owned(), |s| format!("`{s}`"));
    let mut out = String::from(
        "| flag | environment | settings file | default | used by | what it sets |\n|---|---|---|---|---|---|\n",
    );
    for d in DEFS {
        let flag = d.flag.map(|f| format!("{f} {}", d.value_name));
        let used: Vec<&str> = d
            .used_by
            .iter()
            .map(|s| match s {
                Scope::App => "app",
                other => other.name(),
            })
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            code(flag.as_deref()),
            code(d.env),
            code(d.file),
            d.default_doc,
            used.join(", "),
            d.help
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_declared_once_and_names_are_unique() {
        use std::collections::HashSet;
        let keys: HashSet<_> = DEFS.iter().map(|d| d.key).collect();
        assert_eq!(keys.len(), DEFS.len());
        for list in [
            DEFS.iter().filter_map(|d| d.flag).collect::<Vec<_>>(),
            DEFS.iter().filter_map(|d| d.env).collect(),
            DEFS.iter().filter_map(|d| d.file).collect(),
        ] {
            let set: HashSet<_> = list.iter().collect();
            assert_eq!(set.len(), list.len(), "duplicate in {list:?}");
        }
    }

    #[test]
    fn the_options_table_in_the_docs_lists_exactly_the_declared_settings() {
        let options = include_str!("../docs/options.md");
        let table = readme_table();
        assert!(
            options.contains(&table),
            "docs/options.md's options table must read (generated from settings::defs::DEFS):\n{table}"
        );
    }

    #[test]
    fn env_example_lists_exactly_the_declared_variables() {
        let text = include_str!("../.env.example");
        let mut listed: Vec<&str> = text
            .lines()
            .map(|l| l.trim_start_matches('#').trim_start())
            .filter_map(|l| l.split_once('=').map(|(k, _)| k))
            .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .collect();
        listed.sort_unstable();
        listed.dedup();
        let mut declared: Vec<&str> = DEFS.iter().filter_map(|d| d.env).collect();
        declared.sort_unstable();
        assert_eq!(listed, declared);
    }
}
