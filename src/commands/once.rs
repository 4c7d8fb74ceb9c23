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
use crate::ui::owners::{self, By, Directory, OwnersReport};
use crate::ui::table::TableView;
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(settings: Settings, format: Format, by: By) -> Result<ExitCode, CliError> {
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
            super::check_tracked(&conn.client, &conn.settings).await?;
        }
        Ok(snap)
    })
    .await?;
    // The bill before the figures: its settled days price what the table cannot (a new
    // model, a tier) and replace its assumptions, and its checks are printed with them.
    let now = now_ms();
    let mut snap = snap;
    let bill = engine.bill(&mut snap, now).await;
    // The organization's projects and keys name the rows by key and by project and tell the
    // dormant keys; without them (no permission to list) the rows keep their ids.
    let listed = keys::directory(&conn.client).await;
    if let Err(e) = &listed {
        tracing::debug!("cannot name the keys and projects: {e}");
    }
    let dir = listed.as_ref().ok();
    let owners = OwnersReport::new(&snap, dir, bill.bill.as_ref(), now / 1000);
    // The names are a nicety: without them (say, no permission to list projects) the table
    // still prints, with the ids and a line saying why the names are missing, and the JSON's
    // `api_keys` have `"name": null`.
    let known = dir.map(named_keys).unwrap_or_default();
    // Today, the month so far and the pace (the headline's), in either format.
    let glance = engine.glance(bill.bill.as_ref(), now / 1000).await;
    let text = match format {
        Format::Table if by != By::Model => owners_text(&snap, &owners, dir, by),
        Format::Table => {
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
            if let Err(e) = &listed {
                view.notes
                    .push(format!("(Key names unavailable: {}.)", e.kind().label()));
            }
            view.notes.extend(
                owners
                    .dormant_keys
                    .as_deref()
                    .and_then(owners::dormant_line),
            );
            text.push_str(&view.to_text(width));
            text.push('\n');
            let other = crate::ui::other_table::OtherTable::from_snapshot(&snap);
            text.push_str(&other.to_text(width));
            text
        }
        Format::Json => {
            let mut report = OnceReport::new(&snap, Some(&bill), now / 1000).with_glance(
                &snap,
                Some(&bill),
                glance.as_ref(),
                now / 1000,
            );
            report.report = report.report.named(&known);
            let report = WithOwners {
                report,
                project_ids: &snap.project_ids,
                owners: &owners,
            };
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

/// `once --format json`: the report with `by_key`, `by_project` and `dormant_keys` beside it.
#[derive(Serialize)]
struct WithOwners<'a> {
    #[serde(flatten)]
    report: OnceReport<'a>,
    /// The tracked projects (`--project-id`); empty: every project.
    project_ids: &'a [String],
    #[serde(flatten)]
    owners: &'a OwnersReport,
}

/// The table of `once --by key|project`, the window's notes and the dormant keys under it.
fn owners_text(
    snap: &crate::snapshot::Snapshot,
    owners: &OwnersReport,
    dir: Option<&Directory>,
    by: By,
) -> String {
    let width = crate::ui::terminal::stdout_width();
    let mut text = owners::table(owners, by, width);
    text.push('\n');
    let known = dir.map(named_keys).unwrap_or_default();
    let view = TableView::from_snapshot(snap, &known);
    let mut notes = view.notes;
    if dir.is_none() {
        notes.push(
            "(Key and project names unavailable: the admin key cannot list them.)".to_owned(),
        );
    }
    notes.push(format!(
        "Est. cost includes every kind of usage (other usage: {}).",
        crate::ui::format::usd(snap.other.cost_usd)
    ));
    if let Some(line) = owners
        .dormant_keys
        .as_deref()
        .and_then(owners::dormant_line)
    {
        notes.push(line);
    }
    for n in notes {
        for l in width.map_or_else(|| vec![n.clone()], |w| crate::ui::table::wrap(&n, w)) {
            text.push_str(&l);
            text.push('\n');
        }
    }
    text
}

/// Every listed key with its name and project's name.
fn named_keys(d: &Directory) -> Vec<crate::ui::view::KeyChoice> {
    d.projects
        .iter()
        .flat_map(|(p, keys)| {
            keys.iter().map(move |k| crate::ui::view::KeyChoice {
                id: k.id.clone(),
                name: k.name.clone(),
                project: p.name.clone().unwrap_or_else(|| p.id.clone()),
                project_id: p.id.clone(),
                last_used_at: k.last_used_at,
            })
        })
        .collect()
}
