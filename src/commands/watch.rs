//! `usage-tracker watch`: keep refreshing and show it — full screen when stdout is a terminal,
//! one JSON or text line per refresh otherwise (see `ui::terminal`).
//!
//! Wiring only: the poller runs as a task on this command's current-thread runtime and its
//! callback forwards every event into a channel that the front end's task reads. With
//! `--daily-budget`, a second task follows each refresh with one of a tracker over the local
//! day (incremental, so a request or so) and sends today's cost to the full-screen view.

use super::{CliError, Connection};
use crate::alerts::local_day;
use crate::cli::Format;
use crate::engine::events::Event;
use crate::engine::live as poller;
use crate::engine::now_ms;
use crate::engine::tracker::{Tracker, TrackerConfig};
use crate::openai::AdminClient;
use crate::pricing::TierChoice;
use crate::settings::Settings;
use crate::ui::terminal::{self, LineFormat, WatchState};
use crate::usage::BucketWidth;
use std::io::IsTerminal;
use std::process::ExitCode;
use tokio::sync::{mpsc, watch};

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
        super::check_key_ids(&conn.client, &conn.settings.api_key_ids),
    )
    .await?;
    let config = conn.tracker_config();
    let tier = config.tier;
    let lines = match format {
        Format::Json => Some(LineFormat::Json),
        Format::Table if std::io::stdout().is_terminal() => None,
        Format::Table => Some(LineFormat::Text),
    };
    let (tx, events) = mpsc::unbounded_channel();
    let (refreshed, refreshes) = watch::channel(tier);
    let mut budget = None;
    if let (Some(b), None) = (daily_budget, lines) {
        let (btx, brx) = mpsc::unbounded_channel();
        tokio::spawn(today_cost(
            conn.client.clone(),
            config.clone(),
            refreshes,
            b,
            btx,
        ));
        budget = Some(brx);
    }
    // Pace and sparklines: the glance task, kicked by each refresh, sends into the same stream.
    let (chosen, chosen_rx) = watch::channel((tier, config.api_key_ids.clone()));
    let gtx = tx.clone();
    let glance = crate::engine::glance::spawn(
        conn.client.clone(),
        &config,
        conn.history.clone(),
        chosen_rx,
        move |g| gtx.send(Event::Glance(g)).is_ok(),
    );
    let poller = poller::spawn_with_bill(conn.tracker_with(config), interval, move |event| {
        match &event {
            Event::Updated(s) | Event::Repriced(s) => {
                let _ = refreshed.send(s.tier);
                chosen.send_if_modified(|c| {
                    let new = (s.tier, s.api_key_ids.clone());
                    let changed = *c != new;
                    *c = new;
                    changed
                });
            }
            Event::Refreshing
            | Event::Failed(_)
            | Event::Billed(_)
            | Event::Restored(_)
            | Event::Glance(_) => {}
        }
        if let Some((feed, _)) = &glance {
            feed.observe(&event);
        }
        // The receiver is gone only once the front end has returned.
        let _ = tx.send(event);
    });
    let result = match lines {
        None => {
            let state = WatchState::new(tier, interval);
            terminal::run_full_screen(poller, events, budget, state).await
        }
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

/// After each refresh (or re-pricing), the estimated cost since local midnight at the tier
/// shown, sent with the budget. Hourly buckets where midnight falls on a UTC hour; minutes
/// otherwise (half-hour time zones). Ends when the view or the poller is gone.
async fn today_cost(
    client: AdminClient,
    base: TrackerConfig,
    mut refreshes: watch::Receiver<TierChoice>,
    budget: f64,
    out: mpsc::UnboundedSender<(f64, f64)>,
) {
    let mut tracker: Option<Tracker> = None;
    while refreshes.changed().await.is_ok() {
        let tier = *refreshes.borrow_and_update();
        let Some((_, midnight)) = local_day(now_ms() / 1000) else {
            continue;
        };
        let width = if midnight % 3600 == 0 {
            BucketWidth::Hour
        } else {
            BucketWidth::Minute
        };
        let t = match tracker.take() {
            Some(t) if t.config().width == width => t,
            _ => Tracker::new(
                client.clone(),
                TrackerConfig {
                    lookback_secs: 26 * 3600,
                    width,
                    calendar: None,
                    ..base.clone()
                },
            ),
        };
        let t = tracker.insert(t);
        t.set_tier(tier);
        match t.refresh(now_ms()).await {
            Ok(_) => {
                let spent = t.cost_since(midnight);
                if out.send((spent, budget)).is_err() {
                    return;
                }
            }
            Err(e) => tracing::debug!("today's cost: refresh failed: {e}"),
        }
    }
}
