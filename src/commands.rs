//! The commands: resolve settings, connect (to the real API or the simulator), run a front end,
//! and turn every failure into one clear line and an exit code (2: bad input, 1: failure).

mod admin_key;
#[cfg(feature = "app")]
mod app;
mod export;
mod keys;
mod login_item;
mod once;
mod prices;
mod report;
mod serve;
mod watch;

use crate::cli::{Cli, Command};
pub use crate::engine::connection::{ConnectError, Connection, DEMO_FILE_NAME, open_history};
use crate::openai::{AdminClient, ApiError, OnRetry, Retrying};
use crate::settings::{self, Environment, Origin, Scope, SettingsError};
use std::process::ExitCode;
use std::time::Duration;

/// A failure of a command, as the user reads it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Boxed: the settings error is large and every command returns this type.
    #[error("{0}")]
    Settings(Box<SettingsError>),
    #[error("[{kind}]: {source}", kind = .source.kind().as_str())]
    Api {
        #[from]
        source: ApiError,
    },
    #[error(
        "no admin key: set OPENAI_ADMIN_KEY, put it in a .env file, or store it with `usage-tracker admin-key set` (try --demo to see the app without one){}",
        .store_error.as_ref().map(|e| format!("; the OS secret store could not be read: {e}")).unwrap_or_default()
    )]
    NoAdminKey { store_error: Option<String> },
    /// Bad input that is not a setting (a key typed at `admin-key set`, a key id the API
    /// does not know): exit 2.
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    Other(String),
}

impl From<ConnectError> for CliError {
    fn from(e: ConnectError) -> Self {
        match e {
            ConnectError::NoAdminKey { store_error } => CliError::NoAdminKey { store_error },
            ConnectError::Api(source) => CliError::Api { source },
            ConnectError::Simulator(why) => CliError::Other(why),
        }
    }
}

impl From<SettingsError> for CliError {
    fn from(e: SettingsError) -> Self {
        CliError::Settings(Box::new(e))
    }
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Settings(_) | CliError::NoAdminKey { .. } | CliError::BadInput(_) => {
                ExitCode::from(2)
            }
            _ => ExitCode::FAILURE,
        }
    }

    /// The one line printed for it: `usage-tracker: error [kind]: ...` for API failures,
    /// `usage-tracker: error: ...` for everything else.
    pub fn line(&self) -> String {
        match self {
            CliError::Api { .. } => format!("usage-tracker: error {self}"),
            _ => format!("usage-tracker: error: {self}"),
        }
    }
}

pub fn main() -> ExitCode {
    #[cfg(feature = "app")]
    crate::platform::menu_bar::prepare_process();
    let cli = match Cli::read_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    if let Err(e) = init_logging() {
        eprintln!("{}", e.line());
        return e.exit_code();
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", e.line());
            e.exit_code()
        }
    }
}

/// Help and version as clap prints them; a usage error in the app's one-line style, exit 2.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // clap quotes what was typed, which may be a key in the wrong place.
    let message = settings::redact::scrub(&clap_message(&e.render().to_string()));
    eprintln!("usage-tracker: error: {message}");
    ExitCode::from(2)
}

/// clap's message on one line: its own `error:` prefix and usage block dropped.
fn clap_message(rendered: &str) -> String {
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:"))
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect();
    parts.join("; ")
}

/// Logging on stderr at `USAGE_TRACKER_LOG` (default warn); a value that is neither a level
/// nor filter directives is bad input, not silently the default.
fn init_logging() -> Result<(), CliError> {
    use std::io::IsTerminal;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;
    let def = settings::defs::def(settings::Key::Log);
    let var = def.env.expect("the log level is an environment variable");
    let text = std::env::var(var).unwrap_or_default();
    let text = text.trim();
    let levels = ["off", "error", "warn", "info", "debug", "trace"];
    let filter = if text.is_empty() {
        def.default.unwrap_or("warn")
    } else {
        text
    };
    // `target=level` directives and a default level: `Targets`, which needs no regex engine
    // (EnvFilter's span and field filters are the only thing it leaves out).
    let targets = (levels.contains(&filter.to_ascii_lowercase().as_str()) || filter.contains('='))
        .then(|| filter.parse::<Targets>().ok())
        .flatten();
    let Some(targets) = targets else {
        return Err(SettingsError::Invalid {
            setting: def.name,
            value: format!("{text:?}"),
            origin: Origin::Env(var),
            expected: def.expected.into(),
        }
        .into());
    };
    // Colour codes only for a person at a terminal; a log file or pipe gets plain text.
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init();
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode, CliError> {
    // `--demo` with any command, or `simulate`, in a build without the simulator: bad input,
    // said before anything starts.
    let wants_simulator = cli.options.demo || matches!(cli.command, Some(Command::Simulate { .. }));
    if wants_simulator && !cfg!(feature = "demo") {
        return Err(CliError::BadInput(crate::engine::demo::NO_DEMO.into()));
    }
    match cli.command {
        Some(Command::Simulate { port, bursts }) => {
            return runtime()?
                .block_on(crate::engine::demo::run_alone(port, bursts))
                .map(|()| ExitCode::SUCCESS)
                .map_err(CliError::Other);
        }
        Some(Command::Help { command }) => return help(command.as_deref()),
        Some(Command::AdminKey { action }) => return admin_key::run(action, &cli.options),
        Some(Command::LoginItem { action }) => {
            for w in settings::ignored_flags(&cli.options, Scope::LoginItem) {
                eprintln!("usage-tracker: warning: {w}");
            }
            return login_item::run(action);
        }
        _ => {}
    }
    let scope = cli
        .command
        .as_ref()
        .and_then(Command::scope)
        .unwrap_or(Scope::App);
    let env = Environment::from_process();
    let mut settings = settings::resolve(&cli.options, &env, scope)?;
    // `export --demo` and `report --demo` read what the demo recorded: its key's history.
    crate::engine::demo::track_demo_key(&mut settings);
    for w in &settings.warnings {
        eprintln!("usage-tracker: warning: {w}");
    }
    match cli.command {
        Some(Command::Export {
            from,
            to,
            format,
            hourly,
            by,
        }) => {
            let dir = settings::history_dir(&cli.options, &env, scope)?;
            let args = export::Args {
                from,
                to,
                format,
                hourly,
                by: by.into(),
            };
            export::run(&settings, &dir, &args)
        }
        Some(Command::Report { days, out }) => {
            let dir = settings::history_dir(&cli.options, &env, scope)?;
            let browser = crate::platform::browser::SystemBrowser;
            report::run(&settings, &dir, &days, out.as_deref(), &browser)
        }
        Some(Command::Once { format, by }) => {
            runtime()?.block_on(once::run(settings, format, by.into()))
        }
        Some(Command::Keys { format }) => runtime()?.block_on(keys::run(settings, format)),
        Some(Command::Prices { format }) => runtime()?.block_on(prices::run(settings, format)),
        Some(Command::Watch { format, detail }) => {
            runtime()?.block_on(watch::run(settings, format, detail))
        }
        Some(Command::Serve { listen }) => runtime()?.block_on(serve::run(settings, &listen)),
        #[cfg(feature = "app")]
        None => app::run(settings),
        #[cfg(not(feature = "app"))]
        None => Err(CliError::Other(NO_APP.into())),
        Some(
            Command::Simulate { .. }
            | Command::AdminKey { .. }
            | Command::LoginItem { .. }
            | Command::Help { .. },
        ) => {
            unreachable!("handled above")
        }
    }
}

/// What a build without the `app` feature says when asked for the menu-bar app.
#[cfg(not(feature = "app"))]
pub const NO_APP: &str = "this build has no menu-bar app (built with --no-default-features): use `usage-tracker once`, `watch` or `keys`, or install the default build for the menu bar";

/// `usage-tracker help [COMMAND]`.
fn help(name: Option<&str>) -> Result<ExitCode, CliError> {
    let mut root = crate::cli::command();
    let cmd = match name {
        None => &mut root,
        Some(name) => root.find_subcommand_mut(name).ok_or_else(|| {
            CliError::BadInput(format!(
                "there is no command {name:?}; the commands are once, watch, serve, keys, prices, export, report, admin-key, login-item, simulate"
            ))
        })?,
    };
    cmd.print_long_help()
        .map_err(|e| CliError::Other(format!("cannot print the help: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// One thread is plenty: the work is waiting on the network.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // The store runs on the blocking pool once a refresh; with tokio's 10 s default an idle
        // thread ended between two refreshes and a new one started for the next (a thread
        // start and end every 15 s). Parked, a kept thread costs nothing.
        .thread_keep_alive(Duration::from_secs(600))
        // The pool runs the store (one connection behind a mutex: one call at a time) and the
        // app's platform calls (a dialog may hold one while it is open). Under load, overlapping
        // calls grew it to 20 threads in a 10-minute run, each kept 600 s with its stack and
        // allocator arena; four leave room for a dialog, a notification and the store.
        .max_blocking_threads(4)
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the async runtime: {e}")))
}

/// After this long without an answer a one-shot command says it is still waiting.
const STILL_WAITING: Duration = Duration::from_secs(3);

/// Runs a one-shot command's work under its deadline (`--timeout`), saying on stderr when it
/// has waited [`STILL_WAITING`] without an answer. The deadline is the most it waits: retries
/// that run out end it sooner, so the line says "at most", not when it will give up.
pub async fn within_deadline<T>(
    timeout: Duration,
    url: &str,
    work: impl Future<Output = Result<T, CliError>>,
) -> Result<T, CliError> {
    let timed_out = || {
        CliError::from(ApiError::Timeout {
            url: url.to_owned(),
            after: timeout,
        })
    };
    let mut work = std::pin::pin!(tokio::time::timeout(timeout, work));
    tokio::select! {
        r = &mut work => return r.unwrap_or_else(|_| Err(timed_out())),
        () = tokio::time::sleep(STILL_WAITING.min(timeout)) => eprintln!(
            "{}",
            still_waiting(url, STILL_WAITING.min(timeout), timeout)
        ),
    }
    work.await.unwrap_or_else(|_| Err(timed_out()))
}

/// `usage-tracker: warning: still waiting for URL (3 s so far; at most 20 s in all, see
/// --timeout)`: a warning, as the README promises every such line is.
fn still_waiting(url: &str, so_far: Duration, timeout: Duration) -> String {
    format!(
        "usage-tracker: warning: still waiting for {url} ({} s so far; at most {} s in all, see --timeout)",
        so_far.as_secs(),
        timeout.as_secs()
    )
}

/// A progress line on stderr for each retry a one-shot command waits a second or more for
/// (the quick ones after a dropped connection are not worth a line).
pub fn print_retries() -> OnRetry {
    std::sync::Arc::new(|r: &Retrying| {
        if let Some(line) = retry_line(r) {
            eprintln!("{line}");
        }
    })
}

/// `usage-tracker: warning: rate limited; retrying in 1.0 s (attempt 2 of 4)`, or `None` for
/// a wait under a second.
fn retry_line(r: &Retrying) -> Option<String> {
    (r.wait >= Duration::from_secs(1)).then(|| {
        format!(
            "usage-tracker: warning: {}; retrying in {:.1} s (attempt {} of {})",
            r.error.kind().label(),
            r.wait.as_secs_f64(),
            r.attempt,
            r.max_attempts
        )
    })
}

/// `Err` naming a tracked project or key id that is not the organization's: the projects
/// first (one request), then the keys.
pub async fn check_tracked(
    client: &AdminClient,
    settings: &settings::Settings,
) -> Result<(), CliError> {
    check_project_ids(client, &settings.project_ids).await?;
    check_key_ids(client, &settings.api_key_ids).await
}

/// `Err` naming the ids among `ids` that are no project of the organization (archived ones
/// count: their usage is still reported). When the admin key may not list projects (or
/// listing fails) nothing is claimed: `Ok`.
pub async fn check_project_ids(client: &AdminClient, ids: &[String]) -> Result<(), CliError> {
    if ids.is_empty() {
        return Ok(());
    }
    let known: Vec<String> = match client.projects().await {
        Ok(list) => list.into_iter().map(|p| p.id).collect(),
        Err(e) => {
            tracing::debug!(error = %e, kind = e.kind().as_str(), "cannot list the projects to check the project ids");
            return Ok(());
        }
    };
    none_unknown(ids, |id| known.iter().any(|k| k == id), "project")
}

/// `Err` naming the ids among `ids` not in `known`, as `what`s of the organization ("key",
/// "project"), with where to see the real ones.
fn none_unknown(ids: &[String], known: impl Fn(&str) -> bool, what: &str) -> Result<(), CliError> {
    let unknown: Vec<&str> = ids
        .iter()
        .filter(|id| !known(id.as_str()))
        .map(String::as_str)
        .collect();
    match unknown.as_slice() {
        [] => Ok(()),
        [one] => Err(CliError::BadInput(format!(
            "{one} is not a {what} of this organization; see `usage-tracker keys`"
        ))),
        many => Err(CliError::BadInput(format!(
            "{} are not {what}s of this organization; see `usage-tracker keys`",
            many.join(", ")
        ))),
    }
}

/// `Err` naming the ids among `ids` that are no API key of the organization. When the admin
/// key may not list keys (or listing fails) nothing is claimed: `Ok`.
pub async fn check_key_ids(client: &AdminClient, ids: &[String]) -> Result<(), CliError> {
    if ids.is_empty() {
        return Ok(());
    }
    let known = match client.organization_key_ids().await {
        Ok(known) => known,
        Err(e) => {
            tracing::debug!(error = %e, kind = e.kind().as_str(), "cannot list the keys to check the key ids");
            return Ok(());
        }
    };
    none_unknown(ids, |id| known.contains(id), "key")
}
