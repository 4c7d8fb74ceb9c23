//! The figures of the HTML report, from the history's lines: cost per day (estimate and bill),
//! tokens per hour, cost by model and by kind of usage, and the estimate check of the last 7
//! complete days. Pure; `ui::html` draws them.

use super::{DayTotal, Line, checks, day_totals};
use crate::bill::{DayCheck, MonthSpend, SECS_PER_DAY, utc_day_start, utc_month_start};
use crate::usage::{BucketWidth, Unit};
use std::collections::BTreeMap;

/// Everything the report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportData {
    pub generated_at: i64,
    pub key_set: String,
    pub tier: String,
    /// One per UTC day of the report, oldest first, today last.
    pub days: Vec<DayTotal>,
    /// (hour start, tokens) for the last 48 hours, the current hour last.
    pub hours: Vec<(i64, u64)>,
    /// (model, estimated USD) over the report's days, largest first.
    pub by_model: Vec<(String, f64)>,
    /// (kind of usage, estimated USD) over the report's days, largest first.
    pub by_kind: Vec<(String, f64)>,
    /// Usage lines with no price, left out of the estimates.
    pub unpriced: usize,
    pub checks: Vec<DayCheck>,
    /// This UTC month so far by the one rule ([`MonthSpend`]), from the stored days.
    pub month: MonthSpend,
}

/// The first day a report of `days` days ending at `now`'s day covers, and the first day its
/// lines must be loaded from (the 7 days of the check and the month so far may reach further
/// back).
pub fn span(now: i64, days: u32) -> (i64, i64) {
    let today = utc_day_start(now);
    let first = today - (i64::from(days.max(1)) - 1) * SECS_PER_DAY;
    let load = first
        .min(today - 7 * SECS_PER_DAY)
        .min(utc_month_start(now));
    (first, load)
}

fn largest_first(m: BTreeMap<String, f64>) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// `daily`: lines per day from [`span`]'s load start to now; `hourly`: lines per hour of at
/// least the last 48 hours.
pub fn report_data(
    daily: &[Line],
    hourly: &[Line],
    now: i64,
    days: u32,
    key_set: &str,
    tier: &str,
) -> ReportData {
    let (first, load_from) = span(now, days);
    let end = utc_day_start(now) + SECS_PER_DAY;
    let all_days = day_totals(daily, load_from, end);
    let checks = checks(&all_days, now);
    // A stored day's bill has line items when it billed anything (an empty day bills $0).
    let month = MonthSpend::of_days(now, |d| {
        all_days
            .iter()
            .find(|t| t.start_time == d)
            .map_or((None, None), |t| {
                (t.billed_usd.map(|b| (b, b > 0.0)), Some(t.estimate_usd))
            })
    });
    let days: Vec<DayTotal> = all_days
        .into_iter()
        .filter(|d| d.start_time >= first)
        .collect();

    let this_hour = BucketWidth::Hour.floor(now);
    let mut hours: BTreeMap<i64, u64> =
        (0..48).map(|i| (this_hour - (47 - i) * 3_600, 0)).collect();
    for l in hourly.iter().filter(|l| l.unit == Some(Unit::Tokens)) {
        if let Some(t) = hours.get_mut(&BucketWidth::Hour.floor(l.start_time)) {
            *t = t.saturating_add(l.quantity);
        }
    }

    let mut by_model: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, f64> = BTreeMap::new();
    let mut unpriced = 0;
    for l in daily
        .iter()
        .filter(|l| l.start_time >= first && l.start_time < end)
    {
        let Some(endpoint) = l.endpoint else { continue };
        match l.estimate_usd {
            Some(usd) => {
                *by_model.entry(l.model.clone()).or_default() += usd;
                *by_kind.entry(endpoint.label().to_owned()).or_default() += usd;
            }
            None if l.quantity > 0 => unpriced += 1,
            None => {}
        }
    }
    ReportData {
        generated_at: now,
        key_set: key_set.to_owned(),
        tier: tier.to_owned(),
        days,
        hours: hours.into_iter().collect(),
        by_model: largest_first(by_model),
        by_kind: largest_first(by_kind),
        unpriced,
        checks,
        month,
    }
}
