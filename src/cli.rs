//! Flags as typed (clap derive). Validation only, no I/O: values stay strings here so that
//! `settings` can validate a flag, an environment variable, a `.env` line or a settings-file
//! entry with one rule and one message naming where the bad value came from.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "usage-tracker",
    version,
    about = "Live tokens and estimated cost of one OpenAI project API key",
    long_about = "Live tokens and estimated cost of one OpenAI project API key, read from the \
OpenAI Organization Usage API with an Admin key.\n\nWith no subcommand it runs the menu-bar app. \
Every option can also come from the environment, a .env file or the settings file; flags win.",
    after_help = "Settings precedence: flag > environment > .env (current directory, beside the \
executable or app bundle, config directory) > settings file > default. The admin key may also \
come from the OS secret store (see `usage-tracker admin-key`)."
)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct Options {
    /// Admin key (sk-admin-...). A flag is visible to other processes (ps): prefer
    /// OPENAI_ADMIN_KEY, a .env file or `usage-tracker admin-key set`
    #[arg(long, global = true, value_name = "KEY")]
    pub admin_key: Option<String>,

    /// Project API key id to track (key_...); repeat to sum several. Env OPENAI_API_KEY_ID
    /// (comma-separated). [default: the whole organization]
    #[arg(long = "api-key-id", global = true, value_name = "KEY_ID")]
    pub api_key_ids: Vec<String>,

    /// Hours of usage to show, ending now. Env USAGE_TRACKER_LOOKBACK_HOURS [default: 6]
    #[arg(long, global = true, value_name = "HOURS")]
    pub lookback_hours: Option<String>,

    /// Bucket width: 1m, 1h or 1d. Env USAGE_TRACKER_BUCKET_WIDTH [default: 1h]
    #[arg(long, global = true, value_name = "WIDTH")]
    pub bucket_width: Option<String>,

    /// Seconds between refreshes, at most 600. Env USAGE_TRACKER_INTERVAL [default: 15]
    #[arg(long, global = true, value_name = "SECONDS")]
    pub interval: Option<String>,

    /// Pricing tier: auto (each row at the tier the API reports), standard, batch, flex or
    /// priority (every row at that tier). Env USAGE_TRACKER_TIER [default: auto]
    #[arg(long, global = true, value_name = "TIER")]
    pub tier: Option<String>,

    /// Spike alert threshold in tokens per minute. Env USAGE_TRACKER_SPIKE_TOKEN_RATE
    /// [default: 10000]
    #[arg(long, global = true, value_name = "TOKENS")]
    pub spike_token_rate: Option<String>,

    /// Spike alert threshold in requests per minute. Env USAGE_TRACKER_SPIKE_REQUEST_RATE
    /// [default: 120]
    #[arg(long, global = true, value_name = "REQUESTS")]
    pub spike_request_rate: Option<String>,

    /// TOML price file overriding or extending the built-in table. Env USAGE_TRACKER_PRICING
    /// [default: none]
    #[arg(long, global = true, value_name = "FILE")]
    pub pricing: Option<PathBuf>,

    /// API root. Env OPENAI_BASE_URL [default: https://api.openai.com/v1]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Notify once a day when the estimated cost since local midnight crosses this many USD.
    /// Env USAGE_TRACKER_DAILY_BUDGET [default: none]
    #[arg(long, global = true, value_name = "USD")]
    pub daily_budget: Option<String>,

    /// Settings file. Env USAGE_TRACKER_SETTINGS [default: the platform config directory's
    /// usage-tracker/settings.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub settings: Option<PathBuf>,

    /// Run against the built-in simulated Admin API on 127.0.0.1 (no credentials needed)
    #[arg(long, global = true)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch once and print the per-model table (or JSON)
    Once {
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Keep refreshing: a full-screen live table in a terminal, JSON or text lines otherwise
    Watch {
        /// Output format: table (full-screen when stdout is a terminal, else one text line per
        /// refresh) or json (one JSON object per refresh)
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List every project with its API keys and their key_... ids
    Keys {
        /// Output format: a table that fits the terminal, or JSON
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Store, show or delete the admin key in the OS secret store (macOS Keychain, Secret
    /// Service on Linux). `set` reads the key from a hidden prompt or stdin
    AdminKey {
        #[arg(value_enum)]
        action: AdminKeyAction,
    },
    /// Start the menu-bar app at login, stop doing so, or show whether it does
    LoginItem {
        #[arg(value_enum)]
        action: LoginItemAction,
    },
    /// Run the simulated Admin API alone (for tests and demos); prints its base URL
    #[command(hide = true)]
    Simulate {
        /// Port on 127.0.0.1 [default: a free one]
        #[arg(long)]
        port: Option<u16>,
        /// Start the periodic demo bursts (every 12 min)
        #[arg(long)]
        bursts: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdminKeyAction {
    Set,
    Status,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoginItemAction {
    Enable,
    Disable,
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn options_are_global_and_repeatable() {
        let cli = Cli::try_parse_from([
            "usage-tracker",
            "once",
            "--api-key-id",
            "key_a",
            "--api-key-id",
            "key_b",
            "--format",
            "json",
            "--tier",
            "batch",
        ])
        .unwrap();
        assert_eq!(cli.options.api_key_ids, ["key_a", "key_b"]);
        assert_eq!(cli.options.tier.as_deref(), Some("batch"));
        assert!(matches!(
            cli.command,
            Some(Command::Once {
                format: Format::Json
            })
        ));
    }

    #[test]
    fn help_names_every_default_and_warns_about_the_key_flag() {
        let help = Cli::command().render_long_help().to_string();
        // Wrapping may break a line anywhere: compare with the whitespace folded.
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "[default: 6]",
            "[default: 1h]",
            "[default: 15]",
            "[default: auto]",
            "[default: 10000]",
            "[default: 120]",
            "[default: https://api.openai.com/v1]",
            "visible to other processes",
        ] {
            assert!(help.contains(needle), "help lacks {needle:?}");
        }
    }
}
