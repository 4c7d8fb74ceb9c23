//! The JSON shapes of `once --format json` and `watch --format json` lines: a stable interface
//! for scripts, built from a snapshot (more fields may be added, none renamed). The bill's
//! objects are in [`billed`].

use crate::alerts::Alert;
use crate::bill::BillSnapshot;
use crate::figures::glance::Glance;
use crate::openai::{ApiError, ErrorKind};
use crate::snapshot::{BucketPoint, Snapshot};
use crate::ui::headline::Headline;
use crate::ui::view::KeyChoice;
use crate::usage::{Endpoint, KindSummary, MeterSummary, ModelSummary, Totals, Unit, Window};
use serde::Serialize;

mod billed;
pub mod money;
pub use billed::{BilledReport, ReconciliationReport};

#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub window: &'a Window,
    pub api_key_ids: &'a [String],
    /// The tracked keys with their names (`name` `null` when not known, or not looked up).
    pub api_keys: Vec<KeyName<'a>>,
    pub tier: &'a str,
    pub models: &'a [ModelSummary],
    pub totals: &'a Totals,
    pub fetched_at: i64,
    pub prices_compiled: &'a str,
    /// Every other kind of usage (images, speech, searches, ...), per endpoint.
    pub other_usage: Vec<KindReport<'a>>,
    /// Each assumption an estimated price rests on (codes), completions and other usage.
    pub assumptions: Vec<&'a str>,
    /// The whole estimate: completions plus every other kind of usage.
    #[serde(serialize_with = "money::amount")]
    pub total_cost_usd: f64,
    /// Rows of any kind left out of `total_cost_usd` for want of a price.
    pub unpriced: usize,
    /// Those rows, named: `{"endpoint": "completions", "model": "gpt-4o", "tiers": ["flex"]}`
    /// (`tiers`: the tiers without a price for it; empty when it has none at any tier).
    pub unpriced_rows: Vec<crate::ui::unpriced::UnpricedRow<'a>>,
    /// What the figure cannot include (billed per project, not per key).
    pub not_included: &'static str,
    /// The calendar Lookback the window follows, `null` for a rolling number of hours.
    pub calendar: Option<CalendarReport>,
    /// Where the bill's unit price differs from the table's by more than 5 %; only in the
    /// detailed output (`once`, `watch --detail`): the same each refresh of a day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_checks: Option<&'a [crate::pricing::PriceCheck]>,
    /// Which of the two the estimate used there: `"bill"` or `"table"` (`--prices`).
    pub prices: &'static str,
}

/// A calendar window: `{"choice": "week", "label": "This week (UTC, from Mon 30 Nov)",
/// "start": 1796256000, "end": 1796302360, "start_utc": "2026-11-30T00:00:00Z", ...}`.
#[derive(Debug, Serialize, PartialEq)]
pub struct CalendarReport {
    /// `today`, `week` or `month`: the `lookback_hours` value that chooses it.
    pub choice: &'static str,
    pub label: String,
    /// Unix seconds: the window is `[start, end)`.
    pub start: i64,
    pub end: i64,
    pub start_utc: String,
    pub end_utc: String,
}

/// A tracked key: `{"id": "key_abc", "name": "Primary"}`.
#[derive(Debug, Serialize, PartialEq)]
pub struct KeyName<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
}

/// One kind of other usage: [`KindSummary`] with its per-model rows (`models`) only in the
/// detailed output (`once`, `watch --detail`).
#[derive(Debug, Serialize)]
pub struct KindReport<'a> {
    pub endpoint: Endpoint,
    pub label: &'a str,
    pub unit: Unit,
    pub quantity: u64,
    pub requests: u64,
    #[serde(serialize_with = "money::opt_amount")]
    pub cost_usd: Option<f64>,
    pub free: bool,
    pub assumed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<&'a [MeterSummary]>,
}

impl<'a> KindReport<'a> {
    fn of(k: &'a KindSummary) -> KindReport<'a> {
        KindReport {
            endpoint: k.endpoint,
            label: k.label,
            unit: k.unit,
            quantity: k.quantity,
            requests: k.requests,
            cost_usd: k.cost_usd,
            free: k.free,
            assumed: k.assumed,
            models: Some(&k.models),
        }
    }
}

impl CalendarReport {
    pub fn of(w: &Window) -> Option<CalendarReport> {
        let c = w.calendar?;
        let rfc = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0).map_or_else(
                || t.to_string(),
                |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            )
        };
        Some(CalendarReport {
            choice: c.as_str(),
            label: crate::plan::periods::period(c, w.end_time).label,
            start: w.start_time,
            end: w.end_time,
            start_utc: rfc(w.start_time),
            end_utc: rfc(w.end_time),
        })
    }
}

impl<'a> Report<'a> {
    pub fn new(s: &'a Snapshot) -> Report<'a> {
        Report {
            window: &s.window,
            api_key_ids: &s.api_key_ids,
            api_keys: s
                .api_key_ids
                .iter()
                .map(|id| KeyName { id, name: None })
                .collect(),
            tier: s.tier.as_str(),
            models: &s.summary.models,
            totals: &s.summary.totals,
            fetched_at: s.fetched_at_ms / 1000,
            prices_compiled: &s.prices_compiled,
            other_usage: s.other.kinds.iter().map(KindReport::of).collect(),
            assumptions: assumptions(s),
            total_cost_usd: s.total_cost_usd(),
            unpriced: s.unpriced(),
            unpriced_rows: crate::ui::unpriced::rows(s),
            not_included: crate::snapshot::NOT_INCLUDED,
            calendar: CalendarReport::of(&s.window),
            price_checks: Some(&s.price_checks),
            prices: s.price_mode.as_str(),
        }
    }
}

impl<'a> Report<'a> {
    /// Names the tracked keys that `known` has.
    pub fn named(mut self, known: &'a [KeyChoice]) -> Report<'a> {
        for k in &mut self.api_keys {
            k.name = known
                .iter()
                .find(|c| c.id == k.id)
                .and_then(|c| c.name.as_deref());
        }
        self
    }

    /// Without the per-model rows of the other kinds of usage and the price checks (`watch`
    /// lines without `--detail`).
    pub fn lean(mut self) -> Report<'a> {
        for k in &mut self.other_usage {
            k.models = None;
        }
        self.price_checks = None;
        self
    }
}

/// Each assumption code once, in order.
fn assumptions(s: &Snapshot) -> Vec<&str> {
    let mut all: Vec<&str> = s.summary.totals.assumptions.to_vec();
    for a in &s.other.assumptions {
        all.extend(a.split(", "));
    }
    all.sort_unstable();
    all.dedup();
    all
}

/// `once --format json`: the report, and the bill beside it (`null` until it is fetched).
#[derive(Debug, Serialize)]
pub struct OnceReport<'a> {
    #[serde(flatten)]
    pub report: Report<'a>,
    pub billed: Option<BilledReport<'a>>,
    pub reconciliation: Option<ReconciliationReport>,
    /// Where today and this month are heading (`null` when the glance could not be made).
    pub pace: Option<PaceReport>,
    /// The figures every front end leads with ([`Headline`]), with their words.
    pub headline: Headline,
}

/// `pace`: "on pace for" today and this month in USD, at the rate so far (UTC day and month);
/// each `null` in its first 30 minutes or while a period it needs is not known.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PaceReport {
    #[serde(serialize_with = "money::opt_amount")]
    pub today_usd: Option<f64>,
    #[serde(serialize_with = "money::opt_amount")]
    pub month_usd: Option<f64>,
}

impl PaceReport {
    pub fn of(g: &crate::figures::glance::Glance) -> PaceReport {
        PaceReport {
            today_usd: g.pace_today,
            month_usd: g.pace_month,
        }
    }
}

impl<'a> OnceReport<'a> {
    /// `bill`: the last [`BillSnapshot`], if any; `now` in unix seconds.
    pub fn new(s: &'a Snapshot, bill: Option<&'a BillSnapshot>, now: i64) -> OnceReport<'a> {
        OnceReport {
            report: Report::new(s),
            billed: BilledReport::new(bill, now),
            reconciliation: ReconciliationReport::new(bill, now),
            pace: None,
            headline: Headline::new(s, bill.and_then(|b| b.bill.as_ref()), None, now),
        }
    }

    /// With the glance's pace, and its today and month in the headline.
    pub fn with_glance(
        mut self,
        s: &Snapshot,
        bill: Option<&BillSnapshot>,
        glance: Option<&Glance>,
        now: i64,
    ) -> Self {
        self.pace = glance.map(PaceReport::of);
        self.headline = Headline::new(s, bill.and_then(|b| b.bill.as_ref()), glance, now);
        self
    }
}

#[derive(Debug, Serialize)]
pub struct ErrorReport {
    pub kind: ErrorKind,
    pub message: String,
}

impl From<&ApiError> for ErrorReport {
    fn from(e: &ApiError) -> Self {
        ErrorReport {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

/// One line of `watch --format json`: the last good report (if any), the active alerts, the
/// error of the last refresh (`null` when it succeeded) and the last bill with its check
/// (`null` until the first costs answer). Lean unless `--detail` ([`WatchLine::lean`]).
#[derive(Debug, Serialize)]
pub struct WatchLine<'a> {
    #[serde(flatten)]
    pub report: Option<Report<'a>>,
    /// The per-bucket tokens; only with `--detail` (one per bucket of the window: 360 for six
    /// hours of 1-minute buckets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buckets: Option<&'a [BucketPoint]>,
    pub alerts: &'a [Alert],
    pub error: Option<ErrorReport>,
    pub stale: bool,
    pub billed: Option<BilledReport<'a>>,
    pub reconciliation: Option<ReconciliationReport>,
    /// As `once`'s; `null` until the first glance (it rides on the refresh after it).
    pub pace: Option<PaceReport>,
    /// As `once`'s, of the last good report; `null` before the first.
    pub headline: Option<Headline>,
}

impl WatchLine<'_> {
    /// The line without what only `--detail` asks for: the buckets, the other usage's
    /// per-model rows, the bill's line items and `days`, and checked days before the latest.
    /// A line is then a few kilobytes whatever the window and the bill (README "JSON output").
    pub fn lean(mut self) -> Self {
        self.buckets = None;
        if let Some(h) = &mut self.headline {
            h.lines.clear();
        }
        self.report = self.report.map(Report::lean);
        self.billed = self.billed.map(BilledReport::lean);
        self.reconciliation = self.reconciliation.map(ReconciliationReport::lean);
        self
    }
}
