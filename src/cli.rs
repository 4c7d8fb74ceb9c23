//! Flags as typed. Validation only, no I/O: values stay strings here so that `settings` can
//! validate a flag, an environment variable, a `.env` line or a settings-file entry with one
//! rule and one message naming where the bad value came from.
//!
//! The commands and their own arguments are clap derive; the setting flags are added from
//! their one declaration in [`settings::defs`](crate::settings::defs), each command listing in
//! its help only the settings it uses.

use crate::defs::{self, DEFS, Key, Scope};
use clap::{
    Arg, ArgAction, ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum,
};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;

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
come from the OS secret store (see `usage-tracker admin-key`). Each command's --help lists the \
options it uses.",
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The setting flags as typed; declared in `settings::defs`, not here.
    #[arg(skip)]
    pub options: Options,
}

/// The setting flags as typed (strings: `settings` validates every source with one rule).
/// Debug never shows the admin key.
#[derive(Clone, Default, PartialEq)]
pub struct Options {
    values: BTreeMap<Key, Vec<String>>,
    pub demo: bool,
}

impl Options {
    /// The value of a flag (the last one when repeated).
    pub fn get(&self, key: Key) -> Option<&String> {
        self.values.get(&key).and_then(|v| v.last())
    }

    /// Every value of a repeatable flag.
    pub fn all(&self, key: Key) -> &[String] {
        self.values.get(&key).map_or(&[], Vec::as_slice)
    }

    /// Sets a flag as if typed (a repeatable one gets one more value).
    pub fn set(&mut self, key: Key, value: impl Into<String>) -> &mut Self {
        let values = self.values.entry(key).or_default();
        if !defs::def(key).repeatable {
            values.clear();
        }
        values.push(value.into());
        self
    }

    /// The settings given as flags.
    pub fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.values.keys().copied()
    }

    fn read(m: &ArgMatches) -> Options {
        let mut out = Options {
            demo: m.try_get_one::<bool>("demo").ok().flatten() == Some(&true),
            ..Options::default()
        };
        for d in DEFS {
            let Some(id) = d.long() else { continue };
            if let Ok(Some(values)) = m.try_get_many::<String>(id) {
                out.values.insert(d.key, values.cloned().collect());
            }
        }
        out
    }

    /// `self` with `over`'s flags on top (a subcommand's flags over the top-level ones).
    fn merged(mut self, over: Options) -> Options {
        self.values.extend(over.values);
        self.demo |= over.demo;
        self
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.values {
            if *k == Key::AdminKey {
                m.entry(k, &"[redacted]");
            } else {
                m.entry(k, v);
            }
        }
        m.entry(&"demo", &self.demo).finish()
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch once and print the per-model table (or JSON)
    Once {
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// What the table's rows are: models, keys or projects (JSON always carries by_key and
        /// by_project)
        #[arg(long, value_enum, default_value_t = By::Model)]
        by: By,
    },
    /// Keep refreshing: a full-screen live table in a terminal, JSON or text lines otherwise
    Watch {
        /// Output format: table (full-screen when stdout is a terminal, else one text line per
        /// refresh) or json (one JSON object per refresh)
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// With --format json: every field in each line (the per-bucket tokens, the other usage
        /// per model, the bill's days and line items, every checked day), as `once` has them
        #[arg(long)]
        detail: bool,
    },
    /// The price of every model the tracked keys used in the last 30 days: what the estimate
    /// uses, where it came from (the table, your --pricing file, the bill and its day) and the
    /// table's price beside it
    Prices {
        /// Output format: a table that fits the terminal, or JSON
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
    /// Service on Linux)
    AdminKey {
        #[arg(value_enum)]
        action: AdminKeyAction,
    },
    /// Start the menu-bar app at login, stop doing so, or show whether it does
    LoginItem {
        #[arg(value_enum)]
        action: LoginItemAction,
    },
    /// Run the simulated Admin API alone on 127.0.0.1 (for tests and demos) and print its
    /// base URL. It accepts only the admin key sk-admin-demo-0000000000000000
    Simulate {
        /// Port on 127.0.0.1 [default: a free one]
        #[arg(long)]
        port: Option<u16>,
        /// Start the periodic demo bursts (every 12 min)
        #[arg(long)]
        bursts: bool,
    },
    /// Write the stored history per UTC day (or hour) as CSV or JSON: per endpoint and model,
    /// quantities, the estimate and the bill. Reads only the history store, never the API
    Export {
        /// First UTC day, YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        /// Last UTC day, YYYY-MM-DD (included)
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// One line per UTC hour instead of per day (the bill, which is per day, stays empty)
        #[arg(long)]
        hourly: bool,
        /// Split the lines per key or per project (adds api_key_id and project_id columns);
        /// model: one line per model, as before
        #[arg(long, value_enum, default_value_t = By::Model)]
        by: By,
    },
    /// Write an HTML report of the stored history (cost per day, tokens per hour, cost by
    /// model and kind, the estimate against the bill) and open it in the browser. Reads only
    /// the history store, never the API
    Report {
        /// Days of cost per day, ending today (UTC), from 1 to 400
        #[arg(
            long,
            value_name = "N",
            default_value = "30",
            allow_negative_numbers = true
        )]
        days: String,
        /// Write the report here instead of opening it (report.html beside the history)
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// Export the organization's usage, estimated cost and the bill as Prometheus metrics on
    /// GET /metrics (and GET /healthz), refreshed by the same engine as `watch`. A --listen
    /// address that is not loopback needs a bearer token in USAGE_TRACKER_METRICS_TOKEN
    Serve {
        /// Address and port to listen on (not loopback: USAGE_TRACKER_METRICS_TOKEN required)
        #[arg(long, value_name = "ADDR:PORT", default_value = crate::serve::DEFAULT_LISTEN)]
        listen: String,
    },
    /// Print the help of usage-tracker or of one of its commands
    Help {
        /// The command to explain
        command: Option<String>,
    },
}

impl Command {
    /// Which settings the command reads; `None` for those that read none.
    pub fn scope(&self) -> Option<Scope> {
        match self {
            Command::Once { .. } => Some(Scope::Once),
            // The settings of `watch`: the same engine, scope and store.
            Command::Watch { .. } | Command::Serve { .. } => Some(Scope::Watch),
            Command::Keys { .. } => Some(Scope::Keys),
            Command::Prices { .. } => Some(Scope::Prices),
            Command::AdminKey { .. } => Some(Scope::AdminKey),
            Command::LoginItem { .. } => Some(Scope::LoginItem),
            Command::Export { .. } => Some(Scope::Export),
            Command::Report { .. } => Some(Scope::Report),
            Command::Simulate { .. } | Command::Help { .. } => None,
        }
    }
}

/// The subcommands that take setting flags, by name.
const SCOPED: [(&str, Scope); 9] = [
    ("once", Scope::Once),
    ("prices", Scope::Prices),
    ("watch", Scope::Watch),
    ("serve", Scope::Watch),
    ("keys", Scope::Keys),
    ("admin-key", Scope::AdminKey),
    ("login-item", Scope::LoginItem),
    ("export", Scope::Export),
    ("report", Scope::Report),
];

/// The setting flags of one command, from the declarations: those it uses are listed in its
/// help, the others are accepted but hidden (and ignored with a warning).
fn with_settings(mut cmd: clap::Command, scope: Scope) -> clap::Command {
    for d in DEFS {
        let Some(long) = d.long() else { continue };
        let mut arg = Arg::new(long)
            .long(long)
            .value_name(d.value_name)
            .help(d.help_text())
            .hide(!d.used_by(scope))
            .action(if d.repeatable {
                ArgAction::Append
            } else {
                ArgAction::Set
            });
        if !d.repeatable {
            // `--interval -5` is a bad value with the app's message, not an unknown flag.
            arg = arg.allow_negative_numbers(true);
        }
        cmd = cmd.arg(arg);
    }
    let connects = defs::def(Key::BaseUrl).used_by(scope);
    cmd.arg(
        Arg::new("demo")
            .long("demo")
            .action(ArgAction::SetTrue)
            .hide(!connects)
            .help(
                "Run against the built-in simulated Admin API on 127.0.0.1 (no credentials needed)",
            ),
    )
}

/// The whole command line: the derived structure plus the declared setting flags.
pub fn command() -> clap::Command {
    let mut cmd = with_settings(Cli::command(), Scope::App);
    for (name, scope) in SCOPED {
        cmd = cmd.mut_subcommand(name, |c| with_settings(c, scope));
    }
    cmd
}

impl Cli {
    /// Parses a command line (the program name first).
    pub fn read_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = command().try_get_matches_from(args)?;
        let mut cli = <Cli as FromArgMatches>::from_arg_matches(&matches)?;
        let mut options = Options::read(&matches);
        if let Some((_, sub)) = matches.subcommand() {
            options = options.merged(Options::read(sub));
        }
        cli.options = options;
        Ok(cli)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdminKeyAction {
    /// Store the key read from a hidden prompt or stdin (never from the command line)
    Set,
    /// Say whether a key is stored (redacted) and whether the environment overrides it
    Status,
    /// Remove the stored key
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoginItemAction {
    /// Start the menu-bar app when you log in
    Enable,
    /// Stop starting it at login
    Disable,
    /// Say whether it starts at login
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// `once --by`: the rows of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    Model,
    Key,
    Project,
}

impl From<By> for crate::ui::owners::By {
    fn from(b: By) -> Self {
        match b {
            By::Model => crate::ui::owners::By::Model,
            By::Key => crate::ui::owners::By::Key,
            By::Project => crate::ui::owners::By::Project,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::read_from(std::iter::once("usage-tracker").chain(args.iter().copied())).unwrap()
    }

    fn folded_help(path: &[&str]) -> String {
        let mut cmd = command();
        let mut c = &mut cmd;
        for name in path {
            c = c.find_subcommand_mut(name).unwrap();
        }
        let help = c.render_long_help().to_string();
        // Wrapping may break a line anywhere: compare with the whitespace folded.
        help.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn flags_before_or_after_the_command_and_repeatable() {
        let cli = parse(&[
            "--demo",
            "once",
            "--api-key-id",
            "key_a",
            "--api-key-id",
            "key_b",
            "--format",
            "json",
            "--tier",
            "batch",
        ]);
        assert_eq!(cli.options.all(Key::ApiKeyIds), ["key_a", "key_b"]);
        assert_eq!(
            cli.options.get(Key::Tier).map(String::as_str),
            Some("batch")
        );
        assert!(cli.options.demo);
        assert!(matches!(
            cli.command,
            Some(Command::Once {
                format: Format::Json,
                by: By::Model
            })
        ));
        // The command's own flag wins over the top-level one.
        let cli = parse(&["--tier", "flex", "watch", "--tier", "batch"]);
        assert_eq!(
            cli.options.get(Key::Tier).map(String::as_str),
            Some("batch")
        );
    }

    #[test]
    fn negative_numbers_are_values_for_the_app_to_judge() {
        let cli = parse(&["once", "--interval", "-5"]);
        assert_eq!(
            cli.options.get(Key::Interval).map(String::as_str),
            Some("-5")
        );
    }

    #[test]
    fn options_debug_hides_the_admin_key() {
        let cli = parse(&["once", "--admin-key", "sk-admin-SECRETSECRET"]);
        let debug = format!("{cli:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
    }

    #[test]
    fn help_names_every_default_and_warns_about_the_key_flag() {
        let help = folded_help(&[]);
        // The top level lists the app's options; the others show in their commands' help.
        for d in DEFS.iter().filter(|d| d.flag.is_some()) {
            let needle = format!("[default: {}]", d.default_doc);
            let scope = SCOPED
                .iter()
                .find(|(_, s)| d.used_by(*s) && !d.used_by(Scope::App));
            let (shown, where_) = match scope {
                Some((name, _)) => (folded_help(&[name]), *name),
                None => (help.clone(), "usage-tracker"),
            };
            assert!(shown.contains(&needle), "{where_} --help lacks {needle:?}");
        }
        assert!(help.contains("visible to other processes"));
    }

    /// Each command's help lists the options it uses and no other.
    #[test]
    fn each_command_lists_only_the_options_it_uses() {
        for (name, scope) in SCOPED {
            let help = folded_help(&[name]);
            for d in DEFS {
                let Some(flag) = d.flag else { continue };
                let listed = help.contains(&format!("{flag} <{}>", d.value_name));
                assert_eq!(
                    listed,
                    d.used_by(scope),
                    "{name} --help and {flag}:\n{help}"
                );
            }
        }
        let once = folded_help(&["once"]);
        assert!(
            once.contains("--timeout") && !once.contains("--interval"),
            "{once}"
        );
        let keys = folded_help(&["keys"]);
        assert!(
            !keys.contains("--tier") && keys.contains("--base-url"),
            "{keys}"
        );
    }

    #[test]
    fn command_list_shows_simulate_and_actions_are_described() {
        let root = folded_help(&[]);
        assert!(root.contains("simulate"), "{root}");
        assert!(folded_help(&["simulate"]).contains("sk-admin-demo-"));
        let admin = folded_help(&["admin-key"]);
        for n in ["set:", "status:", "delete:", "hidden prompt", "overrides"] {
            assert!(admin.contains(n), "admin-key help lacks {n}: {admin}");
        }
        let login = folded_help(&["login-item"]);
        for n in ["enable:", "disable:", "status:"] {
            assert!(login.contains(n), "login-item help lacks {n}: {login}");
        }
        let err = Cli::read_from(["usage-tracker", "help", "--help"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
