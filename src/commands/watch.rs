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

pub async fn run(settings: Settings, format: Format) -> Result<ExitCode, CliError> {
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
    let tier = conn.settings.tier;
    let lines = match format {
        Format::Json => Some(LineFormat::Json),
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
            let state = WatchState::new(tier, interval);
            terminal::run_full_screen(engine, events, daily_budget, state).await
        }
        Some(format) => {
            let result = terminal::run_lines(events, format, std::io::stdout().lock()).await;
            drop(engine);
            result
        }
    };
    drop(conn);
    result
        .map(|()| ExitCode::SUCCESS)
        .map_err(|e| CliError::Other(format!("watch: terminal error: {e}")))
}
