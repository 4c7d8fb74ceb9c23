//! `watch` without the full screen (stdout is not a terminal, or `--format json`): one line per
//! refresh, flushed, until Ctrl-C/SIGTERM. The interface for scripts and logs. A costs answer
//! prints no line of its own: the bill rides on the next refresh's line.
//!
//! The loop is one task on the command's tokio runtime and wakes only for engine events and
//! signals (no tick). The line builders are pure.

use super::shutdown::Shutdown;
use super::text;
use crate::bill::BillSnapshot;
use crate::engine::events::{EngineEvent, Event, Failure};
use crate::engine::now_ms;
use crate::figures::glance::Glance;
use crate::snapshot::Snapshot;
use crate::ui::format;
use crate::ui::headline::Headline;
use crate::ui::json::{BilledReport, ReconciliationReport};
use crate::ui::json::{ErrorReport, PaceReport, Report, WatchLine};
use crate::ui::view::KeyChoice;
use std::io::{self, Write};
use std::sync::Arc;
use tokio::sync::mpsc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineFormat {
    /// `crate::ui::json::WatchLine` as one JSON object; lean unless `detail` (`--detail`).
    Json { detail: bool },
    /// A one-line summary and any alert.
    Text,
}

/// Prints a line for every successful or failed refresh until asked to stop, naming the keys
/// `names` has. A closed pipe (`| head`) ends it quietly.
pub async fn run(
    mut events: mpsc::UnboundedReceiver<EngineEvent>,
    format: LineFormat,
    names: &[KeyChoice],
    mut out: impl Write,
) -> io::Result<()> {
    let mut shutdown = Shutdown::new()?;
    let mut last: Option<Arc<Snapshot>> = None;
    let mut bill: Option<Arc<BillSnapshot>> = None;
    let mut glance: Option<Arc<Glance>> = None;
    loop {
        let event = tokio::select! {
            ev = events.recv() => match ev {
                Some(EngineEvent::Event(ev)) => ev,
                // Today's cost is the full screen's budget row; no line shows it.
                Some(EngineEvent::Today(_)) => continue,
                None => return Ok(()),
            },
            () = shutdown.requested() => return Ok(()),
        };
        let failure = match event {
            Event::Updated(snap) => {
                last = Some(snap);
                None
            }
            Event::Failed(f) => Some(f),
            Event::Billed(b) => {
                bill = Some(b);
                continue;
            }
            // Like the bill, the glance rides on the next refresh's line.
            Event::Glance(g) => {
                glance = Some(g);
                continue;
            }
            // One line per refresh: stored figures are not one.
            Event::Refreshing | Event::Repriced(_) | Event::Restored(_) => continue,
        };
        let now = now_ms();
        let line = line(
            format,
            Seen {
                last: last.as_deref(),
                failure: failure.as_ref(),
                bill: bill.as_deref(),
                glance: glance.as_deref(),
                names,
            },
            now,
        );
        match writeln!(out, "{line}").and_then(|()| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
}

/// What a line is made of: the last good snapshot (if any), the failure of this refresh
/// (`None` when it succeeded), the last bill and glance, and the names of the tracked keys.
#[derive(Clone, Copy, Default)]
pub struct Seen<'a> {
    pub last: Option<&'a Snapshot>,
    pub failure: Option<&'a Failure>,
    pub bill: Option<&'a BillSnapshot>,
    pub glance: Option<&'a Glance>,
    pub names: &'a [KeyChoice],
}

/// The line for a refresh, at `now_ms`.
pub fn line(format: LineFormat, seen: Seen, now_ms: i64) -> String {
    let Seen {
        last,
        failure,
        bill,
        glance,
        names,
    } = seen;
    match format {
        LineFormat::Json { detail } => json_line_of(seen, detail, now_ms),
        LineFormat::Text => {
            let mut out = text_line_named(last, failure, bill, glance, names, now_ms);
            // What the bill taught, when it did: `  Prices: 1 model billed differently ...`.
            if let Some(checks) = last.and_then(crate::ui::view::prices::checks_line) {
                out.push_str("  ");
                out.push_str(&checks);
            }
            out
        }
    }
}

/// The detailed JSON line (`--detail`) without a glance (`pace` null) nor key names.
pub fn json_line(
    last: Option<&Snapshot>,
    failure: Option<&Failure>,
    bill: Option<&BillSnapshot>,
    now_ms: i64,
) -> String {
    json_line_with(last, failure, bill, None, now_ms)
}

/// The detailed JSON line (`--detail`) without key names.
pub fn json_line_with(
    last: Option<&Snapshot>,
    failure: Option<&Failure>,
    bill: Option<&BillSnapshot>,
    glance: Option<&Glance>,
    now_ms: i64,
) -> String {
    let seen = Seen {
        last,
        failure,
        bill,
        glance,
        names: &[],
    };
    json_line_of(seen, true, now_ms)
}

/// The JSON line: every field with `detail`, else the lean line ([`WatchLine::lean`]).
pub fn json_line_of(seen: Seen, detail: bool, now_ms: i64) -> String {
    let Seen {
        last,
        failure,
        bill,
        glance,
        names,
    } = seen;
    let report = WatchLine {
        report: last.map(|s| Report::new(s).named(names)),
        buckets: last.map(|s| &s.buckets[..]),
        alerts: last.map_or(&[], |s| &s.alerts),
        error: failure.map(|f| ErrorReport::from(&f.error)),
        stale: failure.is_some() && last.is_some(),
        billed: BilledReport::new(bill, now_ms / 1000),
        reconciliation: ReconciliationReport::new(bill, now_ms / 1000),
        pace: glance.map(PaceReport::of),
        headline: last
            .map(|s| Headline::new(s, bill.and_then(|b| b.bill.as_ref()), glance, now_ms / 1000)),
    };
    let report = if detail { report } else { report.lean() };
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// [`text_line_named`] without a glance or names.
pub fn text_line(
    last: Option<&Snapshot>,
    failure: Option<&Failure>,
    bill: Option<&BillSnapshot>,
    now_ms: i64,
) -> String {
    text_line_named(last, failure, bill, None, &[], now_ms)
}

/// `2026-11-26 10:37:05  Estimate $252.11 last 6 h (completions $26.41) · today (UTC) … ·
/// month so far … · on pace for …  (6 models, Primary (key_demoPrimary01))  ALERT Token
/// spike: …` (the headline's one line, the keys named as `names` has them), then, once a bill
/// came, `  Billed (UTC): today $0.40 · … · Estimate within 2 % of …`.
pub fn text_line_named(
    last: Option<&Snapshot>,
    failure: Option<&Failure>,
    bill: Option<&BillSnapshot>,
    glance: Option<&Glance>,
    names: &[KeyChoice],
    now_ms: i64,
) -> String {
    let headline =
        |s: &Snapshot| Headline::new(s, bill.and_then(|b| b.bill.as_ref()), glance, now_ms / 1000);
    let mut out = usage_text(last, failure, headline, names);
    if bill.is_some() && !out.is_empty() {
        let now = now_ms / 1000;
        out.push_str(&format!(
            "  {} · {}",
            text::billed(bill, now),
            text::check(bill, now)
        ));
    }
    out
}

fn usage_text(
    last: Option<&Snapshot>,
    failure: Option<&Failure>,
    headline: impl Fn(&Snapshot) -> Headline,
    names: &[KeyChoice],
) -> String {
    if let Some(f) = failure {
        let mut out = format!(
            "{}  ERROR {}",
            format::local_datetime_ms(f.at_ms),
            text::failure(f, f.at_ms)
        );
        if let Some(s) = last {
            out.push_str(&format!(
                "  (stale: last good {}  {})",
                format::local_hms_ms(s.fetched_at_ms),
                headline(s).text
            ));
        }
        return out;
    }
    let Some(s) = last else {
        return String::new();
    };
    // The headline names the window, a calendar one with its start (`today since 00:00 UTC`).
    let mut out = format!(
        "{}  {}  ({}, {})",
        format::local_datetime_ms(s.fetched_at_ms),
        headline(s).text,
        format::count(s.summary.models.len(), "model"),
        match (s.api_key_ids.is_empty(), s.project_ids.is_empty()) {
            (_, true) => crate::ui::table::named_keys(&s.api_key_ids, names),
            (true, false) => format::scope(&s.api_key_ids, &s.project_ids),
            (false, false) => format!(
                "{} within {}",
                crate::ui::table::named_keys(&s.api_key_ids, names),
                s.project_ids.join(", ")
            ),
        }
    );
    if let Some(u) = crate::ui::unpriced::summary(s, Some(5)) {
        out.push_str("  Unpriced: ");
        out.push_str(&u);
    }
    for a in &s.alerts {
        out.push_str("  ALERT ");
        out.push_str(&format::alert(a));
    }
    out
}
