//! The bill in the JSON of `once --format json` and `watch --format json`: a `billed` object
//! (the days fetched with their line items, today, yesterday, month to date, per currency) and a
//! `reconciliation` object (the check of the estimate per complete UTC day). Both are `null`
//! while there is nothing to show; both are built from `Option<&BillSnapshot>`, so a front end
//! that holds a bill wires it in one line. Amounts are objects keyed by currency code
//! (`{"usd": 3.69, "eur": 2.5}`): a currency is never summed with another.

use super::ErrorReport;
use crate::bill::present;
use crate::bill::{
    Bill, BillSnapshot, BilledDay, DayCheck, LineItem, Money, Reconciliation, SECS_PER_DAY,
    utc_day_start, utc_month_start,
};
use crate::ui::format;
use serde::Serialize;
use std::collections::BTreeMap;

/// Per currency code (lower case).
pub type Amount = BTreeMap<String, f64>;

fn amount(totals: &[Money]) -> Amount {
    totals
        .iter()
        .map(|m| (m.currency.clone(), m.value))
        .collect()
}

#[derive(Debug, Serialize)]
pub struct DayReport<'a> {
    /// Unix time of the day's UTC midnight.
    pub start: i64,
    /// The UTC date, `2026-12-01`.
    pub date: String,
    #[serde(serialize_with = "super::money::per_currency")]
    pub amount: Amount,
    /// Only in the detailed output (`once`, `watch --detail`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_items: Option<&'a [LineItem]>,
}

impl<'a> DayReport<'a> {
    fn new(d: &'a BilledDay) -> DayReport<'a> {
        DayReport {
            start: d.start_time,
            date: format::utc_date(d.start_time),
            amount: amount(&d.totals()),
            line_items: Some(&d.items),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MonthReport {
    /// Unix time of the month's first UTC midnight.
    pub start: i64,
    pub date: String,
    #[serde(serialize_with = "super::money::per_currency")]
    pub amount: Amount,
}

#[derive(Debug, Serialize)]
pub struct BilledReport<'a> {
    /// The main currency: `usd` when any amount is in USD (or there is none), else the first.
    pub currency: String,
    /// Every currency the bill uses, USD first.
    pub currencies: Vec<String>,
    /// Unix seconds of the last good costs answer; `null` when none came yet.
    pub fetched_at: Option<i64>,
    /// The last costs request failed: the figures are the last good ones.
    pub stale: bool,
    /// Why the last costs request failed; `null` when it succeeded.
    pub error: Option<ErrorReport>,
    /// Today (UTC day so far) and yesterday, `null` when not fetched.
    pub today: Option<DayReport<'a>>,
    pub yesterday: Option<DayReport<'a>>,
    /// This UTC month so far; `null` before the first answer.
    pub month_to_date: Option<MonthReport>,
    /// Every day fetched, ascending (this month, and the last 7 complete days for the check);
    /// only in the detailed output (`once`, `watch --detail`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<DayReport<'a>>>,
}

impl<'a> BilledReport<'a> {
    /// `None` before the first costs answer and the first failure.
    pub fn new(snap: Option<&'a BillSnapshot>, now: i64) -> Option<BilledReport<'a>> {
        let snap = snap?;
        let bill: Option<&Bill> = snap.bill.as_ref();
        if bill.is_none() && snap.failure.is_none() {
            return None;
        }
        let currencies: Vec<String> = bill.map_or_else(Vec::new, |b| {
            present::totals(b.days.iter().flat_map(|d| d.items.iter()))
                .into_iter()
                .map(|m| m.currency)
                .collect()
        });
        Some(BilledReport {
            currency: currencies
                .first()
                .cloned()
                .unwrap_or_else(|| "usd".to_owned()),
            currencies,
            fetched_at: bill.map(|b| b.fetched_at_ms / 1000),
            stale: bill.is_some() && snap.failure.is_some(),
            error: snap.failure.as_ref().map(|f| ErrorReport::from(&f.error)),
            today: bill.and_then(|b| b.today(now)).map(DayReport::new),
            yesterday: bill.and_then(|b| b.yesterday(now)).map(DayReport::new),
            month_to_date: bill.map(|b| MonthReport {
                start: utc_month_start(now),
                date: format::utc_date(utc_month_start(now)),
                amount: amount(&b.month_to_date(now)),
            }),
            days: Some(bill.map_or_else(Vec::new, |b| b.days.iter().map(DayReport::new).collect())),
        })
    }

    /// Today, yesterday and the month to date without line items, and no `days` (`watch`
    /// lines without `--detail`).
    pub fn lean(mut self) -> BilledReport<'a> {
        self.days = None;
        for d in [&mut self.today, &mut self.yesterday].into_iter().flatten() {
            d.line_items = None;
        }
        self
    }
}

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub start: i64,
    pub date: String,
    /// The estimate of that day (every usage endpoint, priced), USD.
    #[serde(serialize_with = "super::money::amount")]
    pub estimate_usd: f64,
    /// What the bill says for that day, USD.
    #[serde(serialize_with = "super::money::amount")]
    pub billed_usd: f64,
    /// estimate / billed; `null` when nothing was billed.
    #[serde(serialize_with = "super::money::opt_ratio")]
    pub ratio: Option<f64>,
    /// Yesterday (UTC) rather than an older day.
    pub yesterday: bool,
}

#[derive(Debug, Serialize)]
pub struct ReconciliationReport {
    /// Each complete UTC day of the last 7 with both an estimate and a bill, ascending.
    pub days: Vec<CheckReport>,
    /// A gap above this fraction (0.10) is notified by the app, once per day.
    pub notify_gap: f64,
    /// The usage of the checked days could not be read: `days` are the last good check's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
}

impl ReconciliationReport {
    /// `None` until the check has run or its read has failed.
    pub fn new(snap: Option<&BillSnapshot>, now: i64) -> Option<ReconciliationReport> {
        let snap = snap?;
        let error = snap
            .estimate_failure
            .as_ref()
            .map(|f| ErrorReport::from(&f.error));
        let empty = Reconciliation::default();
        let r = match (&snap.reconciliation, &error) {
            (Some(r), _) => r,
            (None, Some(_)) => &empty,
            (None, None) => return None,
        };
        let check = |c: &DayCheck| CheckReport {
            start: c.start_time,
            date: format::utc_date(c.start_time),
            estimate_usd: c.estimate_usd,
            billed_usd: c.billed_usd,
            ratio: c.ratio,
            yesterday: c.start_time == utc_day_start(now) - SECS_PER_DAY,
        };
        Some(ReconciliationReport {
            days: r.days.iter().map(check).collect(),
            notify_gap: crate::bill::NOTIFY_GAP,
            error,
        })
    }

    /// Only the latest day checked (`watch` lines without `--detail`).
    pub fn lean(mut self) -> ReconciliationReport {
        let n = self.days.len();
        self.days.drain(..n.saturating_sub(1));
        self
    }
}
