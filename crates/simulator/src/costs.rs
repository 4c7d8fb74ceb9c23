//! What the simulator bills, per UTC day and line item (its HTTP side is `costs_page`).
//!
//! The bill is the scenario's own usage priced with the simulator's own prices
//! ([`super::bill_prices`]) as OpenAI bills it, with what the usage endpoints do not report
//! (each image's quality, gpt-image-1's tokens): billed only once it is older than a lag, times
//! a factor (to make the bill differ from any estimate further) and in a chosen currency from a
//! chosen day on. A past day's billed usage never changes, so it is summed once and kept.

use super::bill_prices::{
    Billed, STORAGE, STORAGE_FREE_GB, STORAGE_USD_PER_GB_DAY, image_lines, line_model, meter_price,
    names, tier_prefix, token_prices,
};
use super::control::SimControl;
use super::costs_page::Query;
use super::other::{Amount, ImagesAsked, minute_amount};
use super::scenario::{Counts, LateUsage, ManualBurst, Scenario};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

pub(super) const DAY: i64 = 86_400;

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
    /// UTC days (their start) billed nothing at all: their buckets come with no results, as a
    /// day without spend does.
    pub empty_days: Vec<i64>,
}

impl Default for CostsSettings {
    fn default() -> Self {
        CostsSettings {
            lag_secs: 900,
            factor: 1.0,
            currency: "usd".into(),
            currency_from: 0,
            max_page: 180,
            empty_days: Vec::new(),
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
pub(super) struct Usage {
    streams: Vec<Counts>,
    meters: Vec<Amount>,
    /// Per meter stream: its images as asked for (empty but for image streams).
    images: Vec<ImagesAsked>,
    /// Every minute of a whole UTC day is billed: the day's storage line is due too.
    whole_day: bool,
}

/// Sums the usage of the minutes `[from, to)` (minute numbers), bursts included.
fn usage_of(scn: &Scenario, from: i64, to: i64, manual: &[ManualBurst]) -> Usage {
    let mut u = Usage {
        streams: vec![Counts::default(); scn.streams.len()],
        meters: vec![Amount::default(); scn.meters.len()],
        images: vec![ImagesAsked::default(); scn.meters.len()],
        whole_day: false,
    };
    for minute in from..to {
        let wave = super::scenario::daily_wave(minute);
        // Bursts as the usage endpoints serve them: per endpoint.
        let burst = scn.burst_factor("completions", minute, manual);
        for (s, sum) in scn.streams.iter().zip(&mut u.streams) {
            sum.add(&scn.minute_counts(s, minute, wave, burst));
        }
        for ((m, sum), asked) in scn.meters.iter().zip(&mut u.meters).zip(&mut u.images) {
            let burst = scn.burst_factor(m.endpoint, minute, manual);
            let a = minute_amount(scn.seed, m, minute, burst);
            sum.requests += a.requests;
            sum.quantity += a.quantity;
            if m.endpoint == "images" {
                asked.ask(scn.seed, m, minute, a, 0);
            }
        }
    }
    u
}

/// The usage billed in `[start, end)` at `now`: minutes over for at least the lag, late usage
/// included.
pub(super) fn billed_usage(
    ctl: &SimControl,
    start: i64,
    end: i64,
    now: i64,
    lag: i64,
) -> Arc<Usage> {
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
            let u = Arc::new(Usage {
                whole_day: true,
                ..usage_of(scn, from, to, &ctl.bursts())
            });
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
        images: base.images.clone(),
        whole_day: base.whole_day,
    };
    for (n, l) in late.into_iter().enumerate() {
        if l.endpoint == "completions" {
            let i = scn
                .streams
                .iter()
                .position(|s| s.tracked && s.model == l.model && !s.batch && s.tier == "default");
            if let Some(i) = i {
                u.streams[i].in_text += l.quantity;
                u.streams[i].requests += l.requests;
            }
        } else if let Some(i) = scn
            .meters
            .iter()
            .position(|m| m.tracked && m.endpoint == l.endpoint && m.model == l.model)
        {
            u.meters[i].quantity += l.quantity;
            u.meters[i].requests += l.requests;
            if l.endpoint == "images" {
                let a = Amount {
                    requests: l.requests,
                    quantity: l.quantity,
                };
                // Numbered apart from the minute's own images, so their qualities are others.
                let first = (n as u64 + 1) << 32;
                u.images[i].ask(scn.seed, &scn.meters[i], l.minute, a, first);
            }
        }
    }
    Arc::new(u)
}

/// (line item, project, key) as grouped; `None` where not grouped.
pub(super) type GroupKey = (Option<String>, Option<String>, Option<String>);

/// One billed line: amount (USD before the factor), quantity and its unit.
#[derive(Default)]
pub(super) struct Line {
    pub usd: f64,
    pub quantity: f64,
    pub unit: Option<&'static str>,
    /// Sent as a null `quantity` (storage: no single unit applies).
    pub quantity_null: bool,
}

pub(super) fn lines_of(scn: &Scenario, u: &Usage, q: &Query) -> BTreeMap<GroupKey, Line> {
    let within = |list: &[String], v: &str| list.is_empty() || list.iter().any(|x| x == v);
    let mut out: BTreeMap<GroupKey, Line> = BTreeMap::new();
    let mut add = |b: Billed, project: &str, key: Option<&str>| {
        if b.usd <= 0.0 {
            return;
        }
        let k = (
            q.by_line_item.then_some(b.name),
            q.by_project.then(|| project.to_owned()),
            q.by_key.then(|| key.map(str::to_owned)).flatten(),
        );
        let line = out.entry(k).or_default();
        line.usd += b.usd;
        line.quantity += b.quantity.unwrap_or(0.0);
        line.unit = if q.by_line_item { b.unit } else { None };
        line.quantity_null = b.quantity.is_none();
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
            let billed = Billed {
                name: names::tokens(&head, modality, kind),
                usd: tokens as f64 * price / 1e6,
                quantity: Some(tokens as f64),
                unit: Some("tokens"),
            };
            add(billed, &s.project, Some(&s.key));
        }
    }
    for ((m, a), asked) in scn.meters.iter().zip(&u.meters).zip(&u.images) {
        if !within(&q.api_key_ids, m.key) || !within(&q.project_ids, m.project) {
            continue;
        }
        if m.endpoint == "images" {
            for billed in image_lines(m.model, m.dims[0].unwrap_or_default(), asked) {
                add(billed, m.project, Some(m.key));
            }
        } else if let Some((price, name, unit)) = meter_price(m.endpoint, m.model) {
            let billed = Billed {
                name,
                usd: a.quantity as f64 * price,
                quantity: Some(a.quantity as f64),
                unit,
            };
            add(billed, m.project, Some(m.key));
        }
    }
    // Storage is no key's: only in bills not filtered by key (see `bill_prices::STORAGE`).
    if q.api_key_ids.is_empty() && u.whole_day {
        for (project, gb) in STORAGE {
            let project = &scn.own_id(project);
            if within(&q.project_ids, project) {
                let billed = Billed {
                    name: names::STORAGE.into(),
                    usd: (gb - STORAGE_FREE_GB).max(0.0) * STORAGE_USD_PER_GB_DAY,
                    quantity: None,
                    unit: None,
                };
                add(billed, project, None);
            }
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

    pub(super) fn take_costs_fault(&self) -> Option<super::Fault> {
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
                .filter(|_| !settings.empty_days.contains(&start))
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

pub(super) fn currency_of(s: &CostsSettings, day_start: i64) -> String {
    if day_start >= s.currency_from {
        s.currency.clone()
    } else {
        "usd".into()
    }
}
