//! `GET /organization/costs` as the simulator bills it: UTC-day buckets of line items named in
//! the real style, the filters (`api_key_ids`, `project_ids`) and `group_by` values
//! (`line_item`, `project_id`, `api_key_id`; anything else a 400) of the real API, cursors,
//! amounts partly as JSON strings with many decimals.
//!
//! The bill is the scenario's own usage priced with the simulator's own prices
//! ([`super::bill_prices`]), billed only once it is older than a lag, times a factor (to make
//! the bill differ from any estimate) and in a chosen currency from a chosen day on. A past
//! day's billed usage never changes, so it is summed once and kept.

use super::bill_prices::{line_model, meter_price, tier_prefix, token_prices};
use super::control::SimControl;
use super::other::{Amount, minute_amount};
use super::page::{decode_cursor, encode_cursor};
use super::query::ApiErrorResponse;
use super::scenario::{Counts, LateUsage, ManualBurst, Scenario};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

const DAY: i64 = 86_400;

/// How the simulator bills, steered through [`SimControl`] and `/_sim/costs`.
#[derive(Clone, Debug, PartialEq)]
pub struct CostsSettings {
    /// Usage is billed this long after its minute ends.
    pub lag_secs: i64,
    /// Every amount × this (1.0: the price list exactly).
    pub factor: f64,
    /// The currency of days starting at or after `currency_from`; USD before.
    pub currency: String,
    pub currency_from: i64,
    /// Buckets per page at most, whatever `limit` asks (the real API may page sooner).
    pub max_page: u32,
}

impl Default for CostsSettings {
    fn default() -> Self {
        CostsSettings {
            lag_secs: 900,
            factor: 1.0,
            currency: "usd".into(),
            currency_from: 0,
            max_page: 180,
        }
    }
}

/// The settings and the sums of whole billed days.
#[derive(Default)]
pub(crate) struct CostsState {
    pub settings: Mutex<CostsSettings>,
    /// Faults for the costs endpoint only, served before the shared queue's.
    faults: Mutex<std::collections::VecDeque<(super::Fault, u32)>>,
    days: Mutex<HashMap<i64, Arc<Usage>>>,
}

/// Usage per completions stream and per meter stream over some minutes.
struct Usage {
    streams: Vec<Counts>,
    meters: Vec<Amount>,
}

/// A costs query as the real API reads it.
#[derive(Debug, Default)]
struct Query {
    start_time: i64,
    end_time: Option<i64>,
    limit: u32,
    page: Option<String>,
    api_key_ids: Vec<String>,
    project_ids: Vec<String>,
    by_line_item: bool,
    by_project: bool,
    by_key: bool,
}

fn parse_query(raw: &str) -> Result<Query, ApiErrorResponse> {
    let int = |k: &str, v: &str| {
        v.parse::<i64>().map_err(|_| {
            ApiErrorResponse::invalid(
                k,
                format!("Invalid value for '{k}': '{v}'. Expected an integer."),
            )
        })
    };
    let mut q = Query {
        limit: 7,
        ..Query::default()
    };
    let mut start = None;
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        let key = match k.split_once('[') {
            Some((name, rest)) if rest.ends_with(']') => name,
            _ => &k,
        };
        match key {
            "start_time" => start = Some(int(key, &v)?),
            "end_time" => q.end_time = Some(int(key, &v)?),
            "bucket_width" if v != "1d" => {
                return Err(ApiErrorResponse::invalid(
                    key,
                    format!("Invalid value for 'bucket_width': '{v}'. Supported values are: '1d'."),
                ));
            }
            "limit" => {
                let n = int(key, &v)?;
                if !(1..=180).contains(&n) {
                    return Err(ApiErrorResponse::invalid(
                        key,
                        format!("Invalid value for 'limit': {n}. It must be between 1 and 180."),
                    ));
                }
                q.limit = n as u32;
            }
            "page" => q.page = Some(v.into_owned()),
            "api_key_ids" => q.api_key_ids.push(v.into_owned()),
            "project_ids" => q.project_ids.push(v.into_owned()),
            "group_by" => match &*v {
                "line_item" => q.by_line_item = true,
                "project_id" => q.by_project = true,
                "api_key_id" => q.by_key = true,
                _ => {
                    return Err(ApiErrorResponse::invalid(
                        key,
                        format!(
                            "Invalid value for 'group_by': '{v}'. Supported values are: 'project_id', 'line_item' and 'api_key_id'."
                        ),
                    ));
                }
            },
            _ => {}
        }
    }
    q.start_time = start.ok_or_else(|| {
        ApiErrorResponse::invalid(
            "start_time",
            "Missing required parameter: 'start_time'.".into(),
        )
    })?;
    Ok(q)
}

/// Sums the usage of the minutes `[from, to)` (minute numbers), bursts included.
fn usage_of(scn: &Scenario, from: i64, to: i64, manual: &[ManualBurst]) -> Usage {
    let mut u = Usage {
        streams: vec![Counts::default(); scn.streams.len()],
        meters: vec![Amount::default(); scn.meters.len()],
    };
    for minute in from..to {
        let wave = super::scenario::daily_wave(minute);
        let burst = scn.burst_factor(minute, manual);
        for (s, sum) in scn.streams.iter().zip(&mut u.streams) {
            sum.add(&scn.minute_counts(s, minute, wave, burst));
        }
        for (m, sum) in scn.meters.iter().zip(&mut u.meters) {
            let a = minute_amount(scn.seed, m, minute, burst);
            sum.requests += a.requests;
            sum.quantity += a.quantity;
        }
    }
    u
}

/// The usage billed in `[start, end)` at `now`: minutes over for at least the lag, late usage
/// included.
fn billed_usage(ctl: &SimControl, start: i64, end: i64, now: i64, lag: i64) -> Arc<Usage> {
    let scn = &ctl.shared.scenario;
    let cutoff = (now - lag).div_euclid(60); // minutes before this are billed
    let (from, to) = (-(-start).div_euclid(60), (end / 60).min(cutoff));
    let whole = start.rem_euclid(DAY) == 0 && end == start + DAY && to == end / 60;
    let base = if whole {
        let cached = ctl
            .shared
            .costs
            .days
            .lock()
            .ok()
            .and_then(|d| d.get(&start).cloned());
        cached.unwrap_or_else(|| {
            let u = Arc::new(usage_of(scn, from, to, &ctl.bursts()));
            if let Ok(mut d) = ctl.shared.costs.days.lock() {
                d.insert(start, u.clone());
            }
            u
        })
    } else {
        Arc::new(usage_of(scn, from, to.max(from), &ctl.bursts()))
    };
    let late: Vec<LateUsage> = ctl
        .late()
        .into_iter()
        .filter(|l| (from..to).contains(&l.minute))
        .collect();
    if late.is_empty() {
        return base;
    }
    let mut u = Usage {
        streams: base.streams.clone(),
        meters: base.meters.clone(),
    };
    for l in late {
        if l.endpoint == "completions" {
            let i = scn.streams.iter().position(|s| {
                s.key == super::DEMO_KEY_ID && s.model == l.model && !s.batch && s.tier == "default"
            });
            if let Some(i) = i {
                u.streams[i].in_text += l.quantity;
                u.streams[i].requests += l.requests;
            }
        } else if let Some(i) = scn.meters.iter().position(|m| {
            m.key == super::DEMO_KEY_ID && m.endpoint == l.endpoint && m.model == l.model
        }) {
            u.meters[i].quantity += l.quantity;
            u.meters[i].requests += l.requests;
        }
    }
    Arc::new(u)
}

/// (line item, project, key) as grouped; `None` where not grouped.
type GroupKey = (Option<String>, Option<String>, Option<String>);

/// One billed line: amount (USD before the factor), quantity and its unit.
#[derive(Default)]
struct Line {
    usd: f64,
    quantity: f64,
    unit: Option<&'static str>,
}

fn lines_of(scn: &Scenario, u: &Usage, q: &Query) -> BTreeMap<GroupKey, Line> {
    let within = |list: &[String], v: &str| list.is_empty() || list.iter().any(|x| x == v);
    let mut out: BTreeMap<GroupKey, Line> = BTreeMap::new();
    let mut add = |name: String, project: &str, key: &str, usd: f64, qty: f64, unit| {
        if usd <= 0.0 {
            return;
        }
        let k = (
            q.by_line_item.then_some(name),
            q.by_project.then(|| project.to_owned()),
            q.by_key.then(|| key.to_owned()),
        );
        let line = out.entry(k).or_default();
        line.usd += usd;
        line.quantity += qty;
        line.unit = if q.by_line_item { unit } else { None };
    };
    for (s, c) in scn.streams.iter().zip(&u.streams) {
        if !within(&q.api_key_ids, &s.key) || !within(&q.project_ids, &s.project) {
            continue;
        }
        let Some(p) = token_prices(&s.model, s.batch, s.tier) else {
            continue;
        };
        let head = format!("{}{}", tier_prefix(s.batch, s.tier), line_model(&s.model));
        let parts = [
            ("", "input", c.in_text, p.input),
            ("", "cached input", c.cached_text, p.cached),
            ("", "cache writes", c.cache_write, p.cache_write),
            ("", "output", c.out_text, p.output),
            (" audio", "input", c.in_audio, p.audio.0),
            (" audio", "cached input", c.cached_audio, p.audio.1),
            (" audio", "output", c.out_audio, p.audio.2),
            // Image tokens at the text rates, as their own line items.
            (" image", "input", c.in_image, p.input),
            (" image", "cached input", c.cached_image, p.cached),
        ];
        for (modality, kind, tokens, price) in parts {
            let usd = tokens as f64 * price / 1e6;
            add(
                format!("{head}{modality}, {kind}"),
                &s.project,
                &s.key,
                usd,
                tokens as f64,
                Some("tokens"),
            );
        }
    }
    for (m, a) in scn.meters.iter().zip(&u.meters) {
        if !within(&q.api_key_ids, m.key) || !within(&q.project_ids, m.project) {
            continue;
        }
        if let Some((price, name, unit)) = meter_price(m.endpoint, m.model, m.dims) {
            let usd = a.quantity as f64 * price;
            add(name, m.project, m.key, usd, a.quantity as f64, unit);
        }
    }
    out
}

/// A billed day as the simulator computed it, before it is written as JSON: for tests.
#[derive(Clone, Debug, PartialEq)]
pub struct SimBilledDay {
    pub start_time: i64,
    /// (line item, amount, currency), by line item.
    pub items: Vec<(String, f64, String)>,
}

impl SimControl {
    pub fn costs_settings(&self) -> CostsSettings {
        self.shared
            .costs
            .settings
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Changes how the simulator bills from the next costs request on.
    pub fn set_costs(&self, f: impl FnOnce(&mut CostsSettings)) {
        if let Ok(mut s) = self.shared.costs.settings.lock() {
            f(&mut s);
        }
    }

    /// The next `times` costs requests (only those) get `fault` (`u32::MAX`: until
    /// [`SimControl::clear_faults`]), before any fault of the shared queue.
    pub fn inject_costs(&self, fault: super::Fault, times: u32) {
        if times > 0
            && let Ok(mut f) = self.shared.costs.faults.lock()
        {
            f.push_back((fault, times));
        }
    }

    pub(crate) fn clear_costs_faults(&self) {
        if let Ok(mut f) = self.shared.costs.faults.lock() {
            f.clear();
        }
    }

    fn take_costs_fault(&self) -> Option<super::Fault> {
        let mut faults = self.shared.costs.faults.lock().ok()?;
        let (fault, left) = faults.front_mut()?;
        let fault = fault.clone();
        if *left != u32::MAX {
            *left -= 1;
            if *left == 0 {
                faults.pop_front();
            }
        }
        Some(fault)
    }

    /// What the simulator bills `keys` (empty: everyone) for the UTC days `[from, to)` now,
    /// grouped by line item: the figures a client should read.
    pub fn billed(&self, from: i64, to: i64, keys: &[&str]) -> Vec<SimBilledDay> {
        let q = Query {
            start_time: from,
            end_time: Some(to),
            api_key_ids: keys.iter().map(|k| (*k).to_owned()).collect(),
            by_line_item: true,
            ..Query::default()
        };
        let now = self.now();
        let settings = self.costs_settings();
        let mut out = Vec::new();
        let mut start = from;
        while start < to.min(now) {
            let end = (start.div_euclid(DAY) + 1) * DAY;
            let u = billed_usage(self, start, end, now, settings.lag_secs);
            let currency = currency_of(&settings, start);
            let items = lines_of(&self.shared.scenario, &u, &q)
                .into_iter()
                .map(|((name, _, _), l)| {
                    (
                        name.unwrap_or_default(),
                        l.usd * settings.factor,
                        currency.clone(),
                    )
                })
                .collect();
            out.push(SimBilledDay {
                start_time: start,
                items,
            });
            start = end;
        }
        out
    }
}

fn currency_of(s: &CostsSettings, day_start: i64) -> String {
    if day_start >= s.currency_from {
        s.currency.clone()
    } else {
        "usd".into()
    }
}

/// The JSON of one costs page, or the API's error.
pub(crate) fn costs_page(
    ctl: &SimControl,
    raw_query: &str,
    repeat_cursor: bool,
) -> Result<Vec<u8>, ApiErrorResponse> {
    let q = parse_query(raw_query)?;
    let now = ctl.now();
    let seed = ctl.shared.scenario.seed;
    // An end in the future reads as now (the real API has been seen to refuse it).
    let end = q.end_time.unwrap_or(now).min(now.max(q.start_time + 1));
    if end <= q.start_time {
        return Err(ApiErrorResponse::invalid(
            "end_time",
            format!(
                "Invalid value for 'end_time': {end}. It must be greater than start_time ({}).",
                q.start_time
            ),
        ));
    }
    let from = match &q.page {
        None => q.start_time,
        Some(cursor) => match decode_cursor(seed, cursor) {
            Some(t) if t > q.start_time && t.rem_euclid(DAY) == 0 => t,
            _ => {
                return Err(ApiErrorResponse::invalid(
                    "page",
                    format!(
                        "Invalid value for 'page': '{cursor}'. Use the next_page of a previous response to the same query."
                    ),
                ));
            }
        },
    };
    let settings = ctl.costs_settings();
    let mut data = Vec::new();
    let mut start = from;
    let mut n = 0usize;
    let limit = q.limit.min(settings.max_page.max(1)) as usize;
    while start < end && data.len() < limit {
        let bucket_end = (start.div_euclid(DAY) + 1) * DAY;
        let u = billed_usage(ctl, start, bucket_end, now, settings.lag_secs);
        let currency = currency_of(&settings, start);
        let results: Vec<Value> = lines_of(&ctl.shared.scenario, &u, &q)
            .into_iter()
            .map(|((name, project, key), l)| {
                let usd = l.usd * settings.factor;
                n += 1;
                let quantity = name.as_ref().map(|_| l.quantity);
                // Every other amount as a string with many decimals, as real answers have it.
                let value = if n % 2 == 0 {
                    json!(format!("{usd:.16}"))
                } else {
                    json!(usd)
                };
                json!({
                    "object": "organization.costs.result",
                    "amount": {"value": value, "currency": currency},
                    "line_item": name,
                    "project_id": project,
                    "api_key_id": key,
                    "quantity": quantity,
                    "quantity_unit": l.unit,
                })
            })
            .collect();
        data.push(json!({
            "object": "bucket",
            "start_time": start,
            "end_time": bucket_end,
            "results": results,
        }));
        start = bucket_end;
    }
    let mut has_more = start < end;
    let mut next = has_more.then(|| encode_cursor(seed, start));
    if repeat_cursor {
        has_more = true;
        next = Some(q.page.clone().unwrap_or_else(|| encode_cursor(seed, start)));
    }
    let page = json!({"object": "page", "data": data, "has_more": has_more, "next_page": next});
    Ok(serde_json::to_vec(&page).expect("plain data serializes"))
}

/// The HTTP handler: the same gate (auth, faults, latency) as the usage endpoints.
pub(crate) async fn handler(
    axum::extract::State(ctl): axum::extract::State<SimControl>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use super::Fault;
    use super::server::{error, finish, gate_with};
    ctl.count_request(Some("costs"), None);
    let fault = ctl.take_costs_fault().or_else(|| ctl.take_fault());
    let fault = match gate_with(&ctl, &headers, "api.usage.read", fault).await {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let repeat = fault == Some(Fault::RepeatingCursor);
    match costs_page(&ctl, uri.query().unwrap_or(""), repeat) {
        Ok(body) => finish(fault, body),
        Err(e) => error(&e),
    }
}
