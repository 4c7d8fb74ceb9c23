//! `usage-tracker watch`: keep refreshing and show it — full screen when stdout is a terminal,
//! one JSON or text line per refresh otherwise (see `ui::terminal`).
//!
//! The engine runs on this command's current-thread runtime ([`Engine::start`]) and the front
//! end's task reads its events. With `--daily-budget` the full-screen view also gets today's
//! cost from it.

use super::{CliError, Connection};
use crate::cli::Format;
use crate::engine::{Clock, Engine, Options};
use crate::settings::Settings;
use crate::ui::terminal::{self, LineFormat, WatchState};
use std::io::IsTerminal;
use std::process::ExitCode;

/// `detail`: `--detail`, every field in the JSON lines (README "JSON output").
pub async fn run(settings: Settings, format: Format, detail: bool) -> Result<ExitCode, CliError> {
    let interval = settings.interval;
    let daily_budget = settings.daily_budget;
    // Holds the simulator of `--demo` alive until the front end returns.
    let conn = Connection::open(settings).await?;
    conn.tell_history_notice();
    // A mistyped id would show zeros forever: say so before the view starts.
    super::within_deadline(
        conn.settings.timeout,
        conn.client.base_url(),
        super::check_tracked(&conn.client, &conn.settings),
    )
    .await?;
    // The tracked keys' names, as `once` shows them: a nicety, so a failure (no permission to
    // list projects) or a slow answer (more than 5 s) leaves the ids alone rather than holding
    // the view back.
    let names = tokio::time::timeout(
        conn.settings.timeout.min(std::time::Duration::from_secs(5)),
        super::keys::names_of(&conn.client, &conn.settings.api_key_ids),
    )
    .await
    .ok()
    .and_then(Result::ok)
    .unwrap_or_default();
    let tier = conn.settings.tier;
    let lines = match format {
        Format::Json => Some(LineFormat::Json { detail }),
        Format::Table if std::io::stdout().is_terminal() => None,
        Format::Table => Some(LineFormat::Text),
    };
    // Pace and sparklines ride on every view; today's cost only on the full screen's budget row.
    let options = Options {
        bill: true,
        glance: true,
        budget: daily_budget.is_some() && lines.is_none(),
    };
    let (engine, events) = Engine::start(&conn, Clock::system(), options);
    let result = match lines {
        None => {
            let state = WatchState::new(tier, interval).with_names(names);
            terminal::run_full_screen(engine, events, daily_budget, state).await
        }
        Some(format) => {
            let out = std::io::stdout().lock();
            let result = terminal::run_lines(events, format, &names, out).await;
            drop(engine);
            result
        }
    };
    drop(conn);
    result
        .map(|()| ExitCode::SUCCESS)
        .map_err(|e| CliError::Other(format!("watch: terminal error: {e}")))
}
