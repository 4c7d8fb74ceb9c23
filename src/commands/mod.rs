//! The commands: resolve settings, connect (to the real API or the simulator), run a front end,
//! and turn every failure into one clear line and an exit code (2: bad input, 1: failure).

mod admin_key;
#[cfg(feature = "app")]
mod app;
mod keys;
mod login_item;
mod once;
mod watch;

use crate::cli::{Cli, Command};
use crate::openai::{AdminClient, ApiError, ClientOptions};
use crate::settings::{self, AdminKey, Environment, Origin, Settings, SettingsError};
use crate::simulator::{self, SimConfig, SimServer};
use crate::tracker::TrackerConfig;
use clap::Parser;
use secrecy::SecretString;
use std::process::ExitCode;

/// A failure of a command, as the user reads it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Settings(#[from] SettingsError),
    #[error("error [{kind}]: {source}", kind = .source.kind().as_str())]
    Api {
        #[from]
        source: ApiError,
    },
    #[error(
        "no admin key: set OPENAI_ADMIN_KEY, put it in a .env file, or store it with `usage-tracker admin-key set` (try --demo to see the app without one){}",
        .store_error.as_ref().map(|e| format!("; the OS secret store could not be read: {e}")).unwrap_or_default()
    )]
    NoAdminKey { store_error: Option<String> },
    #[error("{0}")]
    Other(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Settings(_) | CliError::NoAdminKey { .. } => ExitCode::from(2),
            _ => ExitCode::FAILURE,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("usage-tracker: {e}");
            e.exit_code()
        }
    }
}

fn init_logging() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("USAGE_TRACKER_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    // Colour codes only for a person at a terminal; a log file or pipe gets plain text.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(cli: Cli) -> Result<ExitCode, CliError> {
    if let Some(Command::Simulate { port, bursts }) = cli.command {
        let mut config = SimConfig::demo();
        if !bursts {
            config.bursts = simulator::BurstSchedule::None;
        }
        return runtime()?
            .block_on(simulator::run_standalone(config, port))
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| CliError::Other(format!("simulator: {e}")));
    }
    match cli.command {
        Some(Command::AdminKey { action }) => return admin_key::run(action),
        Some(Command::LoginItem { action }) => return login_item::run(action),
        _ => {}
    }
    let settings = settings::resolve(&cli.options, &Environment::from_process())?;
    for w in &settings.warnings {
        eprintln!("usage-tracker: warning: {w}");
    }
    match cli.command {
        Some(Command::Once { format }) => runtime()?.block_on(once::run(settings, format)),
        Some(Command::Keys { format }) => runtime()?.block_on(keys::run(settings, format)),
        Some(Command::Watch { format }) => runtime()?.block_on(watch::run(settings, format)),
        #[cfg(feature = "app")]
        None => app::run(settings),
        #[cfg(not(feature = "app"))]
        None => Err(CliError::Other(NO_APP.into())),
        Some(Command::Simulate { .. } | Command::AdminKey { .. } | Command::LoginItem { .. }) => {
            unreachable!("handled above")
        }
    }
}

/// What a build without the `app` feature says when asked for the menu-bar app.
#[cfg(not(feature = "app"))]
pub const NO_APP: &str = "this build has no menu-bar app (built with --no-default-features): use `usage-tracker once`, `watch` or `keys`, or install the default build for the menu bar";

/// One thread is plenty: the work is waiting on the network.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the async runtime: {e}")))
}

/// A client for the API the settings name, or for a freshly started simulator with `--demo`
/// (whose server must be kept alive as long as the client is used).
pub struct Connection {
    pub client: AdminClient,
    pub settings: Settings,
    pub simulator: Option<SimServer>,
}

impl Connection {
    pub async fn open(mut settings: Settings) -> Result<Connection, CliError> {
        let simulator = if settings.demo {
            let sim = SimServer::start(SimConfig::demo(), None)
                .await
                .map_err(|e| CliError::Other(format!("cannot start the simulated API: {e}")))?;
            settings.base_url = sim.base_url();
            settings.admin_key = Some(AdminKey {
                secret: SecretString::from(simulator::DEMO_ADMIN_KEY),
                origin: Origin::Demo,
            });
            if settings.api_key_ids.is_empty() {
                settings.api_key_ids = vec![simulator::DEMO_KEY_ID.to_owned()];
            }
            Some(sim)
        } else {
            None
        };
        if settings.admin_key.is_none() {
            settings.admin_key = admin_key_from_store()
                .map_err(|store_error| CliError::NoAdminKey { store_error })?;
        }
        let key = settings
            .admin_key
            .as_ref()
            .ok_or(CliError::NoAdminKey { store_error: None })?;
        let client = AdminClient::new(&settings.base_url, &key.secret, ClientOptions::default())?;
        Ok(Connection {
            client,
            settings,
            simulator,
        })
    }

    pub fn tracker_config(&self) -> TrackerConfig {
        let s = &self.settings;
        TrackerConfig {
            lookback_secs: s.lookback_secs(),
            width: s.bucket_width,
            api_key_ids: s.api_key_ids.clone(),
            tier: s.tier,
            prices: s.prices.clone(),
            thresholds: s.thresholds,
        }
    }
}

/// The admin key in the OS secret store, below flag, environment and `.env`. `Err` carries
/// why an unreachable store could not be read, for the "no admin key" message.
fn admin_key_from_store() -> Result<Option<AdminKey>, Option<String>> {
    use crate::platform::secret::{self, SecretStore};
    match secret::system().get() {
        Ok(k) => Ok(k.map(|k| AdminKey {
            secret: SecretString::from(k),
            origin: Origin::SecretStore,
        })),
        Err(e) => Err(Some(e.to_string())),
    }
}
