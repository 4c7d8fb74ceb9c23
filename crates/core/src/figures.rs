//! History as figures: stored buckets and billed days become lines per period (UTC hour or
//! day), endpoint and model, with quantities, the estimate (priced with [`crate::pricing`] at
//! the chosen tier) and the bill; and the per-day totals and estimate checks the report draws.
//! Pure: the store loads, this sums and prices, `export` and `report` print.

pub mod glance;
pub mod pace;
pub mod report;

pub use crate::usage::meter_cost;
pub use report::{ReportData, report_data};

use crate::bill::matching::{Placement, UsageLine, match_item};
use crate::bill::{BilledDay, DayCheck, Money, SECS_PER_DAY, utc_day_start};
use crate::pricing::{PriceTable, Tier, TierChoice};
use crate::usage::{
    Bucket, BucketWidth, Endpoint, Meter, Unit, UsageRow, summarize, summarize_other,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// One period's usage and bill of one endpoint and model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// The period's start (unix seconds, UTC).
    pub start_time: i64,
    /// `None` for billed items of no usage endpoint (storage, code interpreter, ...).
    pub endpoint: Option<Endpoint>,
    /// The model; for file search the vector store; for a billed item without a model its name.
    pub model: String,
    /// What `quantity` counts; `None` for a bill-only line of no usage endpoint.
    pub unit: Option<Unit>,
    /// Completions: input + output tokens; the others: in their unit.
    pub quantity: u64,
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub output_tokens: u64,
    pub requests: u64,
    /// `None` when some of it has no price, or no usage is stored for it.
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub estimate_usd: Option<f64>,
    /// `None` when no bill is stored for the day (and always per hour: the bill is per day).
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub billed_usd: Option<f64>,
    /// Billed amounts in other currencies (never added to USD).
    pub billed_other: Vec<Money>,
}

pub use crate::bill::matching::endpoint_of;

type LineKey = (i64, Option<Endpoint>, String);

fn blank(start_time: i64, endpoint: Option<Endpoint>, model: &str) -> Line {
    Line {
        start_time,
        endpoint,
        model: model.to_owned(),
        unit: endpoint.map(Endpoint::unit),
        quantity: 0,
        input_tokens: 0,
        cached_input_tokens: 0,
        output_tokens: 0,
        requests: 0,
        estimate_usd: None,
        billed_usd: None,
        billed_other: Vec::new(),
    }
}

fn by_period<R>(buckets: &[Bucket<R>], period: BucketWidth) -> BTreeMap<i64, Vec<&Bucket<R>>> {
    let mut out: BTreeMap<i64, Vec<&Bucket<R>>> = BTreeMap::new();
    for b in buckets {
        out.entry(period.floor(b.start_time)).or_default().push(b);
    }
    out
}

/// The lines of `[periods of the buckets]` at `period` (hour or day): completions per model,
/// every other endpoint per model (its details, an image's size, summed after pricing each),
/// and with daily periods the bill of each day beside its usage. Ordered by period, endpoint
/// (bill-only lines of no endpoint first), model.
pub fn lines(
    completions: &[Bucket<UsageRow>],
    others: &[Bucket<Meter>],
    bill: &[BilledDay],
    period: BucketWidth,
    prices: &PriceTable,
    tier: TierChoice,
) -> Vec<Line> {
    let mut out: BTreeMap<LineKey, Line> = BTreeMap::new();
    for (start, buckets) in by_period(completions, period) {
        let s = summarize(buckets, prices, tier);
        for m in s.models {
            let e = Some(Endpoint::Completions);
            let l = out
                .entry((start, e, m.model.clone()))
                .or_insert_with(|| blank(start, e, &m.model));
            l.quantity = m.total_tokens;
            l.input_tokens = m.input_tokens;
            l.cached_input_tokens = m.cached_input_tokens;
            l.output_tokens = m.output_tokens;
            l.requests = m.requests;
            l.estimate_usd = m.cost_usd;
        }
    }
    // Endpoints without a tier of their own are priced at the chosen one (auto: standard), as
    // the live figures are.
    let meter_tier = tier.tier_for(Tier::Standard);
    for (start, buckets) in by_period(others, period) {
        let o = summarize_other(buckets, |e, model, detail, q| {
            meter_cost(prices, meter_tier, e, model, detail, q)
        });
        for kind in o.kinds {
            for m in kind.models {
                let e = Some(kind.endpoint);
                let l = out.entry((start, e, m.model.clone())).or_insert_with(|| {
                    let mut l = blank(start, e, &m.model);
                    l.estimate_usd = Some(0.0);
                    l
                });
                l.quantity += m.quantity;
                if kind.unit == Unit::Tokens {
                    l.input_tokens += m.quantity;
                }
                l.requests += m.requests;
                l.estimate_usd = l.estimate_usd.zip(m.cost_usd).map(|(a, b)| a + b);
            }
        }
    }
    if period == BucketWidth::Day {
        add_bill(&mut out, bill);
    }
    out.into_values().collect()
}

/// How [`lines_by_owner`] splits the lines: per key (its project beside it) or per project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerSplit {
    Key,
    Project,
}

/// One [`Line`] of one owner: `api_key_id` `None` is usage made without an API key (or, with
/// one key tracked, usage that was not asked by key); `project_id` `None` is usage of no
/// project (or not asked by project). Per project, `api_key_id` is always `None`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OwnerLine {
    pub api_key_id: Option<String>,
    pub project_id: Option<String>,
    #[serde(flatten)]
    pub line: Line,
}

/// The [`lines`] of each owner (`export --by key|project`): the usage rows and the bill's items
/// of each key (with its project) or each project, each owner's lines as [`lines`] makes
/// them, so that the owners' lines of a period, endpoint and model add up to its line.
/// Ordered by period, then owner (usage without a key, or of no project, first), then as
/// [`lines`] orders them.
pub fn lines_by_owner(
    completions: &[Bucket<UsageRow>],
    others: &[Bucket<Meter>],
    bill: &[BilledDay],
    period: BucketWidth,
    prices: &PriceTable,
    tier: TierChoice,
    split: OwnerSplit,
) -> Vec<OwnerLine> {
    type Who = (Option<String>, Option<String>);
    let who = |key: Option<&str>, project: Option<&str>| -> Who {
        match split {
            OwnerSplit::Key => (key.map(str::to_owned), project.map(str::to_owned)),
            OwnerSplit::Project => (None, project.map(str::to_owned)),
        }
    };
    let of = |o: &crate::usage::Owner| who(o.api_key_id.as_deref(), o.project_id.as_deref());
    let mut owners: std::collections::BTreeSet<Who> = std::collections::BTreeSet::new();
    owners.extend(
        completions
            .iter()
            .flat_map(|b| &b.rows)
            .map(|r| of(&r.owner)),
    );
    owners.extend(others.iter().flat_map(|b| &b.rows).map(|r| of(&r.owner)));
    owners.extend(
        bill.iter()
            .flat_map(|d| &d.items)
            .map(|i| who(i.api_key_id.as_deref(), i.project_id.as_deref())),
    );
    fn pick<R: Clone>(buckets: &[Bucket<R>], keep: impl Fn(&R) -> bool) -> Vec<Bucket<R>> {
        buckets
            .iter()
            .map(|b| Bucket {
                start_time: b.start_time,
                end_time: b.end_time,
                rows: b.rows.iter().filter(|r| keep(r)).cloned().collect(),
            })
            .collect()
    }
    let mut out = Vec::new();
    for owner in owners {
        let c = pick(completions, |r: &UsageRow| of(&r.owner) == owner);
        let o = pick(others, |r: &Meter| of(&r.owner) == owner);
        let b: Vec<BilledDay> = bill
            .iter()
            .map(|d| BilledDay {
                start_time: d.start_time,
                items: d
                    .items
                    .iter()
                    .filter(|i| who(i.api_key_id.as_deref(), i.project_id.as_deref()) == owner)
                    .cloned()
                    .collect(),
            })
            .collect();
        out.extend(
            lines(&c, &o, &b, period, prices, tier)
                .into_iter()
                .map(|line| OwnerLine {
                    api_key_id: owner.0.clone(),
                    project_id: owner.1.clone(),
                    line,
                }),
        );
    }
    // Stable: within a period the owners keep their order.
    out.sort_by_key(|l| l.line.start_time);
    out
}

/// Each billed day's items on the usage lines they bill ([`crate::bill::matching`]): the
/// image tokens on the images line, a fine-tune's bill on its usage, a web search bill shared
/// by each model's web search line; an item with no usage to bill on a line of its own.
fn add_bill(out: &mut BTreeMap<LineKey, Line>, bill: &[BilledDay]) {
    for day in bill {
        let start = utc_day_start(day.start_time);
        let of_day = (start, None, String::new())..(start + SECS_PER_DAY, None, String::new());
        // A billed day: its usage lines were billed nothing unless an item says otherwise.
        let mut usage: Vec<(LineKey, u64)> = Vec::new();
        for (key, l) in out.range_mut(of_day) {
            l.billed_usd = Some(0.0);
            if l.endpoint.is_some() {
                usage.push((key.clone(), l.quantity));
            }
        }
        let rows: Vec<UsageLine> = usage
            .iter()
            .filter_map(|((_, e, model), quantity)| {
                Some(UsageLine {
                    endpoint: (*e)?,
                    model,
                    quantity: *quantity,
                })
            })
            .collect();
        for item in &day.items {
            let currency = &item.amount.currency;
            match match_item(item, &rows) {
                Placement::Rows(parts) => {
                    for (i, part) in parts {
                        if let Some(l) = out.get_mut(&usage[i].0) {
                            add_amount(l, part, currency);
                        }
                    }
                }
                Placement::Own { endpoint, name } => {
                    let l = out
                        .entry((start, endpoint, name.to_owned()))
                        .or_insert_with(|| blank(start, endpoint, name));
                    add_amount(l, item.amount.value, currency);
                }
            }
        }
    }
}

/// `value` in `currency` billed on `l`: USD to `billed_usd`, any other to `billed_other`.
fn add_amount(l: &mut Line, value: f64, currency: &str) {
    if currency.eq_ignore_ascii_case("usd") {
        l.billed_usd = Some(l.billed_usd.unwrap_or(0.0) + value);
    } else {
        l.billed_usd.get_or_insert(0.0);
        let code = currency.to_ascii_lowercase();
        match l.billed_other.iter_mut().find(|m| m.currency == code) {
            Some(m) => m.value += value,
            None => l.billed_other.push(Money {
                value,
                currency: code,
            }),
        }
    }
}

/// One day's whole estimate and bill.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayTotal {
    pub start_time: i64,
    /// The sum over priced lines.
    pub estimate_usd: f64,
    /// Lines left out of the estimate because they have no price.
    pub unpriced: usize,
    /// `None` when no bill is stored for the day.
    pub billed_usd: Option<f64>,
}

/// Per UTC day of `[from, to)`, every day present (zero when nothing is stored), from daily
/// lines.
pub fn day_totals(lines: &[Line], from: i64, to: i64) -> Vec<DayTotal> {
    let mut days: BTreeMap<i64, DayTotal> = BTreeMap::new();
    let mut d = utc_day_start(from);
    while d < to {
        days.insert(
            d,
            DayTotal {
                start_time: d,
                estimate_usd: 0.0,
                unpriced: 0,
                billed_usd: None,
            },
        );
        d += SECS_PER_DAY;
    }
    for l in lines {
        let Some(t) = days.get_mut(&utc_day_start(l.start_time)) else {
            continue;
        };
        match l.estimate_usd {
            Some(c) => t.estimate_usd += c,
            None if l.unit.is_some() && l.quantity > 0 => t.unpriced += 1,
            None => {}
        }
        if let Some(b) = l.billed_usd {
            t.billed_usd = Some(t.billed_usd.unwrap_or(0.0) + b);
        }
    }
    days.into_values().collect()
}

/// The check of the estimate against the bill for each complete day of the 7 before `now`'s
/// day that has a bill, ascending.
pub fn checks(days: &[DayTotal], now: i64) -> Vec<DayCheck> {
    let today = utc_day_start(now);
    days.iter()
        .filter(|d| d.start_time < today && d.start_time >= today - 7 * SECS_PER_DAY)
        .filter_map(|d| {
            let billed = d.billed_usd?;
            Some(DayCheck {
                start_time: d.start_time,
                estimate_usd: d.estimate_usd,
                billed_usd: billed,
                ratio: (billed > 0.0).then(|| d.estimate_usd / billed),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
