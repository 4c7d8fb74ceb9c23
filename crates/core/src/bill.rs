//! The bill: what the Costs API (`GET /organization/costs`) billed the tracked key(s), per UTC
//! day, with its line items, and the check of the live estimate against it. Pure data and pure
//! functions, no I/O: the bill tracker (network, on tokio) fills a [`Bill`]; the menu, `watch`
//! and the JSON read a [`BillSnapshot`].
//!
//! The bill lags the usage by minutes to hours and arrives in UTC-day buckets, so it is its own
//! slow tracker beside the live one (see `../shared/DESIGN.md`). Amounts keep their currency:
//! a currency other than USD is never summed with USD.

pub mod days;
pub mod line_item;
pub mod matching;
mod month;
pub mod prices;
pub mod reconcile;

pub use days::{days_from_buckets, line_item};
pub use month::MonthSpend;
pub use reconcile::{SETTLE_SECS, is_settled, reconcile};

use crate::openai::ApiError;
use serde::Serialize;

pub mod present;
/// Sample bills for tests (this crate's and, with the `test-data` feature, the binary's).
#[cfg(any(test, feature = "test-data"))]
pub mod test_data;

pub const SECS_PER_DAY: i64 = 86_400;

/// An amount in one currency, as the API gave it (`amount.value` may be a number or a string).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Money {
    #[serde(serialize_with = "crate::ui::json::money::amount")]
    pub value: f64,
    /// Lower-case ISO 4217 code as the API writes it ("usd").
    pub currency: String,
}

/// What a line item bills, read from its free-text `line_item` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Input,
    CachedInput,
    CacheWrite,
    Output,
    AudioInput,
    AudioOutput,
    CachedAudioInput,
    ImageInput,
    ImageOutput,
    CachedImageInput,
    Images,
    Speech,
    Transcription,
    WebSearch,
    FileSearch,
    Embeddings,
    Moderations,
    /// Storage, code-interpreter sessions, fine-tuning and any name the app cannot read: kept,
    /// shown under "other", never dropped.
    Other,
}

/// One line item of one day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineItem {
    /// `line_item` exactly as the API named it ("" when it was null).
    pub name: String,
    /// The model read from the name, when it names one ("gpt-4o-2024-08-06").
    pub model: Option<String>,
    pub kind: LineKind,
    /// Billed at the Batch API's price ("batch | ..." names).
    pub batch: bool,
    pub amount: Money,
    /// `quantity` and `quantity_unit`, when the API gave them (often null).
    pub quantity: Option<f64>,
    pub quantity_unit: Option<String>,
    /// Set when the costs were grouped by key (several keys tracked).
    pub api_key_id: Option<String>,
    /// The project, when asked by project (whenever more than one key can be in the figure).
    pub project_id: Option<String>,
}

/// One UTC day of the bill. Days without spend are present with no items.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BilledDay {
    /// Unix time of the day's UTC midnight.
    pub start_time: i64,
    pub items: Vec<LineItem>,
}

impl BilledDay {
    /// The day's total per currency, USD first, then by code.
    pub fn totals(&self) -> Vec<Money> {
        totals(self.items.iter())
    }

    /// The day's total in USD (items in other currencies are not in it).
    pub fn usd(&self) -> f64 {
        usd(self.items.iter())
    }
}

/// The bill of the tracked key(s): the UTC days the tracker fetched (this month so far, and the
/// last 7 complete days for the check even when they fall in the previous month), ascending by
/// `start_time`, at most one entry per day.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Bill {
    pub days: Vec<BilledDay>,
    /// When the last costs answer came (ms since the epoch).
    pub fetched_at_ms: i64,
}

/// Unix time of the UTC midnight that starts the day holding `t`.
pub fn utc_day_start(t: i64) -> i64 {
    t.div_euclid(SECS_PER_DAY) * SECS_PER_DAY
}

/// Unix time of the UTC midnight that starts the month holding `t`.
pub fn utc_month_start(t: i64) -> i64 {
    use chrono::{Datelike, TimeZone, Utc};
    let Some(at) = Utc.timestamp_opt(t, 0).single() else {
        return utc_day_start(t);
    };
    Utc.with_ymd_and_hms(at.year(), at.month(), 1, 0, 0, 0)
        .single()
        .map_or_else(|| utc_day_start(t), |m| m.timestamp())
}

impl Bill {
    pub fn day(&self, start_time: i64) -> Option<&BilledDay> {
        self.days.iter().find(|d| d.start_time == start_time)
    }

    /// Today so far (UTC), when fetched.
    pub fn today(&self, now: i64) -> Option<&BilledDay> {
        self.day(utc_day_start(now))
    }

    /// Yesterday (UTC), when fetched.
    pub fn yesterday(&self, now: i64) -> Option<&BilledDay> {
        self.day(utc_day_start(now) - SECS_PER_DAY)
    }

    /// The days of this UTC month so far.
    pub fn month_days(&self, now: i64) -> impl Iterator<Item = &BilledDay> {
        let from = utc_month_start(now);
        let to = utc_day_start(now) + SECS_PER_DAY;
        self.days
            .iter()
            .filter(move |d| d.start_time >= from && d.start_time < to)
    }

    /// This UTC month so far, per currency, USD first.
    pub fn month_to_date(&self, now: i64) -> Vec<Money> {
        totals(self.month_days(now).flat_map(|d| d.items.iter()))
    }

    /// This UTC month so far in USD.
    pub fn month_to_date_usd(&self, now: i64) -> f64 {
        usd(self.month_days(now).flat_map(|d| d.items.iter()))
    }
}

fn usd<'a>(items: impl Iterator<Item = &'a LineItem>) -> f64 {
    items
        .filter(|i| i.amount.currency.eq_ignore_ascii_case("usd"))
        .map(|i| i.amount.value)
        .sum()
}

fn totals<'a>(items: impl Iterator<Item = &'a LineItem>) -> Vec<Money> {
    let mut out: Vec<Money> = Vec::new();
    for item in items {
        let code = item.amount.currency.to_ascii_lowercase();
        match out.iter_mut().find(|m| m.currency == code) {
            Some(m) => m.value += item.amount.value,
            None => out.push(Money {
                value: item.amount.value,
                currency: code,
            }),
        }
    }
    out.sort_by(|a, b| (a.currency != "usd", &a.currency).cmp(&(b.currency != "usd", &b.currency)));
    out
}

/// The last costs request that failed: its error and when. The figures beside it are stale.
#[derive(Clone, Debug, PartialEq)]
pub struct BillFailure {
    pub error: ApiError,
    pub at_ms: i64,
}

/// The estimate of one complete UTC day (every usage endpoint, priced) against its bill.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayCheck {
    pub start_time: i64,
    pub estimate_usd: f64,
    pub billed_usd: f64,
    /// estimate / billed; `None` when nothing was billed.
    pub ratio: Option<f64>,
}

impl DayCheck {
    /// How far the estimate is off the bill, as a fraction (0.02 = 2 %).
    pub fn gap(&self) -> Option<f64> {
        self.ratio.map(|r| (r - 1.0).abs())
    }

    /// Whether the estimate is within [`NOTIFY_GAP`] of a bill that is not nothing.
    pub fn is_within(&self) -> bool {
        self.gap().is_some_and(|g| g <= NOTIFY_GAP + GAP_SLACK)
    }

    /// Whether the estimate and the bill are less than [`NOTIFY_MIN_USD`] apart.
    pub fn is_small(&self) -> bool {
        (self.estimate_usd - self.billed_usd).abs() + GAP_SLACK < NOTIFY_MIN_USD
    }

    /// Whether the estimate is off the bill enough to be told: more than [`NOTIFY_GAP`] and at
    /// least [`NOTIFY_MIN_USD`] apart; an estimate of that size with nothing billed is off.
    pub fn is_off(&self) -> bool {
        !self.is_within() && !self.is_small()
    }
}

/// The check of the estimate against the bill, per complete UTC day of the last 7 that has
/// both, ascending.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Reconciliation {
    pub days: Vec<DayCheck>,
}

impl Reconciliation {
    /// The last complete day checked.
    pub fn last(&self) -> Option<&DayCheck> {
        self.days.last()
    }
}

/// A gap larger than this on a complete day is notified (once for that day).
pub const NOTIFY_GAP: f64 = 0.10;

/// A gap smaller than this in USD is never notified, whatever its ratio: on a day of a few
/// cents ($0.001 estimated, $0.002 billed) a ratio says nothing worth a notification.
pub const NOTIFY_MIN_USD: f64 = 0.05;

/// Float slack on [`NOTIFY_GAP`]: 11.0 / 10.0 − 1 is 0.10000000000000009, exactly 10 % off,
/// which is not over it.
const GAP_SLACK: f64 = 1e-9;

/// What the front ends read of the bill: the last good figures (kept when a later request
/// fails), the failure that makes them stale, and the check of the estimate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BillSnapshot {
    pub bill: Option<Bill>,
    pub failure: Option<BillFailure>,
    pub reconciliation: Option<Reconciliation>,
    /// The usage of the checked days could not be read (the day estimates): `reconciliation`
    /// is then the last one made with a good read, not one against days left unestimated.
    pub estimate_failure: Option<BillFailure>,
}

impl BillSnapshot {
    /// The figures are older than the last attempt.
    pub fn is_stale(&self) -> bool {
        self.failure.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(value: f64, currency: &str) -> LineItem {
        LineItem {
            name: "gpt-4o-2024-08-06, input".into(),
            model: Some("gpt-4o-2024-08-06".into()),
            kind: LineKind::Input,
            batch: false,
            amount: Money {
                value,
                currency: currency.into(),
            },
            quantity: None,
            quantity_unit: None,
            api_key_id: None,
            project_id: None,
        }
    }

    #[test]
    fn day_and_month_starts_are_utc() {
        // 2026-12-02T00:45:00Z
        let t = 1_796_172_300;
        assert_eq!(utc_day_start(t), 1_796_169_600);
        // 2026-12-01T00:00:00Z
        assert_eq!(utc_month_start(t), 1_796_083_200);
        assert_eq!(utc_day_start(1_796_169_600), 1_796_169_600);
    }

    #[test]
    fn other_currencies_are_never_added_to_usd() {
        let day = BilledDay {
            start_time: 0,
            items: vec![item(1.25, "usd"), item(2.0, "eur"), item(0.5, "USD")],
        };
        assert_eq!(day.usd(), 1.75);
        let totals = day.totals();
        assert_eq!(totals.len(), 2);
        assert_eq!(
            (totals[0].currency.as_str(), totals[0].value),
            ("usd", 1.75)
        );
        assert_eq!((totals[1].currency.as_str(), totals[1].value), ("eur", 2.0));
    }

    #[test]
    fn month_to_date_counts_only_this_month() {
        let now = 1_796_172_300; // 2026-12-02
        let bill = Bill {
            days: vec![
                BilledDay {
                    start_time: 1_796_083_200 - SECS_PER_DAY, // 2026-11-30
                    items: vec![item(9.0, "usd")],
                },
                BilledDay {
                    start_time: 1_796_083_200, // 2026-12-01
                    items: vec![item(1.0, "usd")],
                },
                BilledDay {
                    start_time: 1_796_169_600, // 2026-12-02
                    items: vec![item(0.25, "usd")],
                },
            ],
            fetched_at_ms: 0,
        };
        assert_eq!(bill.month_to_date_usd(now), 1.25);
        assert_eq!(bill.today(now).map(BilledDay::usd), Some(0.25));
        assert_eq!(bill.yesterday(now).map(BilledDay::usd), Some(1.0));
    }
}
