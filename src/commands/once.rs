//! `usage-tracker once`: fetch once and print the table or JSON, within `--timeout`, saying on
//! stderr when it waits (retries, a slow server) and when a key id is not the organization's.
//! The table fits the terminal and names the tracked keys (one more look-up, stopped as soon as
//! every key is found).

use super::{CliError, Connection, keys};
use crate::cli::Format;
use crate::poller::now_ms;
use crate::settings::Settings;
use crate::ui::json::OnceReport;
use crate::ui::table::TableView;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(settings: Settings, format: Format) -> Result<ExitCode, CliError> {
    let timeout = settings.timeout;
    let conn = Connection::open_reporting(settings, Some(super::print_retries())).await?;
    conn.tell_history_notice();
    let mut tracker = conn.tracker();
    let snap = super::within_deadline(timeout, conn.client.base_url(), async {
        let snap = tracker.refresh(now_ms()).await?;
        // No usage at all may be a mistyped id: worth the few requests that tell.
        if snap.summary.totals.requests == 0 && snap.summary.totals.total_tokens == 0 {
            super::check_key_ids(&conn.client, &conn.settings.api_key_ids).await?;
        }
        Ok(snap)
    })
    .await?;
    // The bill before the figures: its settled days price what the table cannot (a new
    // model, a tier) and replace its assumptions, and its checks are printed with them.
    let now = now_ms();
    let bill = crate::tracker::bill::bill_once_with(
        &conn.client,
        &conn.tracker_config(),
        conn.history.clone(),
        now,
    )
    .await;
    let mut snap = snap;
    tracker.reprice(&mut snap);
    let text = match format {
        Format::Table => {
            // The names are a nicety: without them (say, no permission to list projects) the
            // table still prints, with the ids and a line saying why the names are missing.
            let (known, missing) = match keys::names_of(&conn.client, &snap.api_key_ids).await {
                Ok(k) => (k, None),
                Err(e) => (Vec::new(), Some(e.kind())),
            };
            let mut view = TableView::from_snapshot(&snap, &known);
            if let Some(kind) = missing {
                view.notes
                    .push(format!("(Key names unavailable: {}.)", kind.label()));
            }
            let mut text = view.to_text(crate::ui::terminal::stdout_width());
            text.push('\n');
            let other = crate::ui::other_table::OtherTable::from_snapshot(&snap);
            text.push_str(&other.to_text(crate::ui::terminal::stdout_width()));
            text
        }
        Format::Json => {
            let mut report = OnceReport::new(&snap, Some(&bill), now / 1000);
            let glance = glance_once(&conn, bill.bill.as_ref(), now / 1000).await;
            report.pace = glance.as_ref().map(crate::ui::json::PaceReport::of);
            let mut s = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::Other(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    Ok(ExitCode::SUCCESS)
}

/// The glance for `once`'s JSON `pace`: one round (what the history lacks; everything without
/// one) within the client's deadline, then the glance from what is stored. `None` (logged)
/// when the round failed or timed out.
async fn glance_once(
    conn: &Connection,
    bill: Option<&crate::bill::Bill>,
    now: i64,
) -> Option<crate::figures::glance::Glance> {
    use crate::tracker::glance::GlanceTracker;
    let config = conn.tracker_config();
    let mut g = GlanceTracker::new(conn.client.clone(), &config, conn.history.clone(), now)
        .map_err(|e| tracing::warn!("no pace: {e}"))
        .ok()?;
    match tokio::time::timeout(conn.client.deadline_after(), g.refresh(now)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!("no pace: {e}");
            return None;
        }
        Err(_) => {
            tracing::warn!("no pace: the usage of the last 30 days did not come in time");
            return None;
        }
    }
    g.glance(now, bill).await
}
