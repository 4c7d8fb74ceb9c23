//! `usage-tracker watch`: keep refreshing and show it — full screen when stdout is a terminal,
//! one JSON or text line per refresh otherwise (see `ui::terminal`).
//!
//! Wiring only: the poller runs as a task on this command's current-thread runtime and its
//! callback forwards every event into a channel that the front end's task reads.

use super::{CliError, Connection};
use crate::cli::Format;
use crate::poller;
use crate::settings::Settings;
use crate::tracker::Tracker;
use crate::ui::terminal::{self, LineFormat, WatchState};
use std::io::IsTerminal;
use std::process::ExitCode;
use tokio::sync::mpsc;

pub async fn run(settings: Settings, format: Format) -> Result<ExitCode, CliError> {
    let interval = settings.interval;
    // Holds the simulator of `--demo` alive until the front end returns.
    let conn = Connection::open(settings).await?;
    // A mistyped id would show zeros forever: say so before the view starts.
    super::within_deadline(
        conn.settings.timeout,
        conn.client.base_url(),
        super::check_key_ids(&conn.client, &conn.settings.api_key_ids),
    )
    .await?;
    let config = conn.tracker_config();
    let tier = config.tier;
    let (tx, events) = mpsc::unbounded_channel();
    let poller = poller::spawn(
        Tracker::new(conn.client.clone(), config),
        interval,
        move |event| {
            // The receiver is gone only once the front end has returned.
            let _ = tx.send(event);
        },
    );
    let lines = match format {
        Format::Json => Some(LineFormat::Json),
        Format::Table if std::io::stdout().is_terminal() => None,
        Format::Table => Some(LineFormat::Text),
    };
    let result = match lines {
        None => terminal::run_full_screen(poller, events, WatchState::new(tier, interval)).await,
        Some(format) => {
            let result = terminal::run_lines(events, format, std::io::stdout().lock()).await;
            drop(poller);
            result
        }
    };
    drop(conn);
    result
        .map(|()| ExitCode::SUCCESS)
        .map_err(|e| CliError::Other(format!("watch: terminal error: {e}")))
}
