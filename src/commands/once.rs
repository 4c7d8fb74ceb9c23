//! `usage-tracker once`: fetch once and print the table or JSON, within `--timeout`, saying on
//! stderr when it waits (retries, a slow server) and when a key id is not the organization's.
//! The table fits the terminal and names the tracked keys (one more look-up, stopped as soon as
//! every key is found).

use super::{CliError, Connection, keys};
use crate::cli::Format;
use crate::engine::now_ms;
use crate::engine::once::Once;
use crate::settings::Settings;
use crate::ui::headline::Headline;
use crate::ui::json::OnceReport;
use crate::ui::table::TableView;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(settings: Settings, format: Format) -> Result<ExitCode, CliError> {
    let timeout = settings.timeout;
    // A key new to the history asks for its organization's projects first (README
    // "History"): under the same deadline, saying when it waits.
    let url = settings.base_url.clone();
    let conn = super::within_deadline(timeout, &url, async {
        Ok(Connection::open_reporting(settings, Some(super::print_retries())).await?)
    })
    .await?;
    conn.tell_history_notice();
    let mut engine = Once::new(&conn);
    let snap = super::within_deadline(timeout, conn.client.base_url(), async {
        let snap = engine.live(now_ms()).await?;
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
    let mut snap = snap;
    let bill = engine.bill(&mut snap, now).await;
    // Today, the month so far and the pace (the headline's), in either format.
    let glance = engine.glance(bill.bill.as_ref(), now / 1000).await;
    let text = match format {
        Format::Table => {
            // The names are a nicety: without them (say, no permission to list projects) the
            // table still prints, with the ids and a line saying why the names are missing.
            let (known, missing) = match keys::names_of(&conn.client, &snap.api_key_ids).await {
                Ok(k) => (k, None),
                Err(e) => (Vec::new(), Some(e.kind())),
            };
            let width = crate::ui::terminal::stdout_width();
            // The headline first: what the title and the JSON's `headline` say.
            let headline = Headline::new(&snap, bill.bill.as_ref(), glance.as_ref(), now / 1000);
            let mut text = String::new();
            for l in &headline.lines {
                for w in width.map_or_else(|| vec![l.clone()], |w| crate::ui::table::wrap(l, w)) {
                    text.push_str(&w);
                    text.push('\n');
                }
            }
            text.push('\n');
            let mut view = TableView::from_snapshot(&snap, &known);
            if let Some(kind) = missing {
                view.notes
                    .push(format!("(Key names unavailable: {}.)", kind.label()));
            }
            text.push_str(&view.to_text(width));
            text.push('\n');
            let other = crate::ui::other_table::OtherTable::from_snapshot(&snap);
            text.push_str(&other.to_text(width));
            text
        }
        Format::Json => {
            let report = OnceReport::new(&snap, Some(&bill), now / 1000).with_glance(
                &snap,
                Some(&bill),
                glance.as_ref(),
                now / 1000,
            );
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
