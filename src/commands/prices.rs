//! `usage-tracker prices`: the price the estimate uses for every model (and kind, tier, image
//! size) the tracked keys used in the last 30 days, where it came from (the built-in table, the
//! user's `--pricing` file, or the bill, with the day it was billed on), and the table's price
//! beside it. Reads the last 30 days (what the history store lacks) and the bill, which teaches
//! and keeps prices as `once` does.

use super::{CliError, Connection};
use crate::cli::Format;
use crate::engine::now_ms;
use crate::pricing::{FieldPrice, PriceField, PriceTable, Prices, Source, Tier, TierChoice};
use crate::settings::Settings;
use crate::ui::format;
use crate::ui::table::{Align, Column, col, wrap};
use crate::usage::{Bucket, Endpoint, Meter, UsageRow};
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

/// One price the estimate uses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceRow {
    pub model: String,
    pub endpoint: Endpoint,
    /// The tier the usage was billed at (`standard` for other endpoints).
    pub tier: String,
    /// What is priced: `input`, `cached_input`, `output`, `image`, `web_search_call`, ...
    pub kind: &'static str,
    /// An image's size; `null` otherwise.
    pub detail: Option<String>,
    /// USD per `unit`; `null` when unpriced.
    pub per_unit: Option<f64>,
    pub unit: &'static str,
    /// `table`, `file` (your `--pricing`), `bill`; `null` when unpriced.
    pub source: Option<Source>,
    /// The UTC day of the bill the price was learned from (`YYYY-MM-DD`), when it was.
    pub learned_on: Option<String>,
    /// The price rests on an assumption (image quality, tool version, ...).
    pub assumed: bool,
    /// The built-in table's price (with your `--pricing` file), `null` when it has none.
    pub table_per_unit: Option<f64>,
}

/// `prices --format json`.
#[derive(Debug, Serialize)]
struct PricesReport<'a> {
    api_key_ids: &'a [String],
    /// Which price the estimate uses where the bill and the table differ (`--prices`).
    prices: &'static str,
    prices_compiled: &'a str,
    models: &'a [PriceRow],
    price_checks: &'a [crate::pricing::PriceCheck],
}

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
    let now_ms = now_ms();
    let now = now_ms / 1000;
    let config = conn.tracker_config();
    let mut glance = crate::engine::glance::GlanceTracker::new(
        conn.client.clone(),
        &config,
        conn.history.clone(),
        now,
    )
    .map_err(|e| CliError::Other(format!("cannot read the last 30 days: {e}")))?;
    super::within_deadline(timeout, conn.client.base_url(), async {
        glance.refresh(now).await?;
        Ok(())
    })
    .await?;
    // The bill teaches (and the store keeps) what its settled days price.
    let bill =
        crate::engine::bill::bill_once_with(&conn.client, &config, conn.history.clone(), now_ms)
            .await;
    if let Some(f) = &bill.failure {
        eprintln!(
            "usage-tracker: warning: the bill could not be read ({}): prices learned before are shown",
            f.error.kind().label()
        );
    }
    let (completions, others) = glance
        .last_30_days(now)
        .await
        .ok_or_else(|| CliError::Other("cannot read the last 30 days from the store".into()))?;
    let prices = conn.prices.current();
    let rows = price_rows(
        &completions,
        &others,
        &prices,
        conn.prices.base(),
        conn.settings.tier,
    );
    let text = match format {
        Format::Json => {
            let report = PricesReport {
                api_key_ids: &conn.settings.api_key_ids,
                prices: prices.mode.as_str(),
                prices_compiled: &prices.table.compiled,
                models: &rows,
                price_checks: &prices.checks,
            };
            let mut s = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::Other(e.to_string()))?;
            s.push('\n');
            s
        }
        Format::Table => to_text(&rows, &prices, crate::ui::terminal::stdout_width()),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    Ok(ExitCode::SUCCESS)
}

/// The token fields a completions row used.
fn fields_used(r: &UsageRow) -> Vec<PriceField> {
    r.tokens()
        .by_field()
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(_, f)| f)
        .collect()
}

/// The price field of a meter of `endpoint`.
fn meter_field(endpoint: Endpoint) -> Option<PriceField> {
    Some(match endpoint {
        Endpoint::Embeddings => PriceField::Embeddings,
        Endpoint::Images => PriceField::Image,
        Endpoint::AudioSpeeches => PriceField::Speech,
        Endpoint::AudioTranscriptions => PriceField::Transcription,
        Endpoint::WebSearchCalls => PriceField::WebSearch,
        Endpoint::FileSearchCalls => PriceField::FileSearch,
        Endpoint::Completions | Endpoint::Moderations => return None,
    })
}

/// Every (model, tier, kind, size) used, with the price the estimate uses and the table's.
pub fn price_rows(
    completions: &[Bucket<UsageRow>],
    others: &[Bucket<Meter>],
    prices: &Prices,
    base: &PriceTable,
    choice: TierChoice,
) -> Vec<PriceRow> {
    let mut used: BTreeSet<(String, Endpoint, Tier, PriceField, String)> = BTreeSet::new();
    for r in completions.iter().flat_map(|b| &b.rows) {
        let tier = choice.tier_for(r.tier);
        for f in fields_used(r) {
            used.insert((
                r.model.to_string(),
                Endpoint::Completions,
                tier,
                f,
                String::new(),
            ));
        }
    }
    let meter_tier = choice.tier_for(Tier::Standard);
    for m in others.iter().flat_map(|b| &b.rows) {
        let Some(field) = meter_field(m.endpoint) else {
            continue;
        };
        // An image's detail is "size source": the price is by size.
        let size = match m.endpoint {
            Endpoint::Images => m
                .detail
                .as_deref()
                .and_then(|d| d.split(' ').next())
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        };
        let model = match m.endpoint {
            // File search is priced per call whatever the store.
            Endpoint::FileSearchCalls => String::new(),
            _ => m.model.to_string(),
        };
        used.insert((model, m.endpoint, meter_tier, field, size));
    }
    used.into_iter()
        .map(|(model, endpoint, tier, field, detail)| {
            let now: Option<FieldPrice> = prices.table.field_price(&model, tier, field, &detail);
            let table = base.field_price(&model, tier, field, &detail);
            PriceRow {
                model: if model.is_empty() {
                    "(every vector store)".to_owned()
                } else {
                    model
                },
                endpoint,
                tier: tier.as_str().to_owned(),
                kind: field.code(),
                detail: (!detail.is_empty()).then_some(detail),
                per_unit: now.map(|p| p.per_unit),
                unit: field.unit(),
                source: now.map(|p| p.source),
                learned_on: now
                    .and_then(|p| p.source.bill_day())
                    .map(crate::pricing::learned::day_name),
                assumed: now.is_some_and(|p| p.assumed),
                table_per_unit: table.map(|p| p.per_unit),
            }
        })
        .collect()
}

/// A unit price with the digits it needs.
fn per_unit(v: Option<f64>) -> String {
    match v {
        None => format::UNPRICED.to_owned(),
        Some(v) => format::unit_price(v),
    }
}

const COLUMNS: [Column; 7] = [
    col("Model", Align::Left, 0, Some(12)),
    col("Tier", Align::Left, 3, None),
    col("Kind", Align::Left, 0, None),
    col("Price", Align::Right, 0, None),
    col("Per", Align::Left, 2, None),
    col("Source", Align::Left, 1, None),
    col("Table", Align::Right, 1, None),
];

fn to_text(rows: &[PriceRow], prices: &Prices, width: Option<usize>) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let kind = match &r.detail {
                Some(d) => format!("{} {d}", r.kind),
                None => r.kind.to_owned(),
            };
            let source = match (r.source, &r.learned_on) {
                (None, _) => format::UNPRICED.to_owned(),
                (Some(s), Some(day)) => format!("{} {day}", s.label()),
                (Some(s), None) if r.assumed => format!("{} (assumed)", s.label()),
                (Some(s), None) => s.label().to_owned(),
            };
            vec![
                r.model.clone(),
                r.tier.clone(),
                kind,
                per_unit(r.per_unit),
                r.unit.to_owned(),
                source,
                per_unit(r.table_per_unit),
            ]
        })
        .collect();
    let mut out = crate::ui::table::to_text(
        &COLUMNS,
        &cells,
        &[],
        "(no usage in the last 30 days)",
        width,
    );
    out.push('\n');
    let mut notes = vec![format!(
        "Prices compiled {}; where the bill differs from the table by more than 5 % the estimate uses the {} (--prices).",
        prices.table.compiled,
        prices.mode.as_str()
    )];
    notes.extend(
        prices
            .checks
            .iter()
            .map(crate::ui::view::prices::check_text),
    );
    for n in notes {
        for l in width.map_or_else(|| vec![n.clone()], |w| wrap(&n, w)) {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}
