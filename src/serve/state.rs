//! What `serve` exports: the latest state heard from the engine's events, and the counters
//! derived from the history store.
//!
//! **The counters are sums of the store, never additions per poll.** After each refresh the
//! exporter re-reads what the store holds from a fixed origin (the first of the current UTC
//! month) to now, at the widest stored width per day (the glance keeps the month's days, the
//! last 48 hours by the hour, the live window by the minute; see `Store::load_periods`), and
//! exports those sums. A late or revised bucket re-fetched into the store raises the sum by
//! exactly what it added; a restart over the same store exports the same sums (nothing counted
//! twice); the counters restart from zero when a new month starts, which Prometheus reads as a
//! counter reset.

use super::text::{Exposition, Kind};
use crate::bill::BillSnapshot;
use crate::figures;
use crate::pricing::{PriceTable, Tier, TierChoice};
use crate::snapshot::Snapshot;
use crate::store::PeriodData;
use crate::usage::{Bucket, BucketWidth, Meter, Owner, UsageRow, split_buckets};
use std::collections::BTreeMap;

/// (api_key_id, project_id, model, service_tier, batch, type, modality)
pub type TokenKey = (
    String,
    String,
    String,
    String,
    bool,
    &'static str,
    &'static str,
);
/// (endpoint, api_key_id, project_id, model)
pub type ModelKey = (String, String, String, String);
/// (endpoint, unit, api_key_id, project_id, model)
pub type UnitKey = (String, String, String, String, String);

/// The `api_key_id` of rows without an owner: the one key tracked when the scope is one key
/// (the engine then asks not by key: its rows are that key's), else empty.
pub fn fallback_key(api_key_ids: &[String]) -> String {
    if crate::openai::scope::many_keys(api_key_ids) {
        return String::new();
    }
    let (keys, _) = crate::openai::scope::split(api_key_ids);
    keys.into_iter().next().unwrap_or_default()
}

/// The `api_key_id` and `project_id` labels of a stored row: its owner when the engine asked
/// by key and project (more than one key in scope), else `key` (the one tracked key, or empty)
/// and no project.
fn owner_labels(o: &Owner, key: &str) -> (String, String) {
    (
        o.api_key_id.as_deref().unwrap_or(key).to_owned(),
        o.project_id.as_deref().unwrap_or_default().to_owned(),
    )
}

/// The sums of the store from `origin`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreFigures {
    pub origin: i64,
    pub tokens: BTreeMap<TokenKey, u64>,
    /// USD at the current prices.
    pub cost: BTreeMap<ModelKey, f64>,
    pub requests: BTreeMap<ModelKey, u64>,
    /// Every endpoint but completions (whose tokens are `tokens`), in its unit.
    pub units: BTreeMap<UnitKey, u64>,
}

impl StoreFigures {
    /// The sums of `data` (what the store holds from `origin`), priced with `prices` at `tier`;
    /// `key`: the `api_key_id` of rows without an owner (see [`owner_labels`]).
    pub fn of(
        origin: i64,
        data: &PeriodData,
        prices: &PriceTable,
        tier: TierChoice,
        key: &str,
    ) -> Self {
        let mut tokens: BTreeMap<TokenKey, u64> = BTreeMap::new();
        // The buckets split by owner, to price each owner's usage apart.
        type Parts = (Vec<Bucket<UsageRow>>, Vec<Bucket<Meter>>);
        let mut parts: BTreeMap<(String, String), Parts> = BTreeMap::new();
        for (o, b) in split_buckets(&data.completions, |r: &UsageRow| {
            owner_labels(&r.owner, key)
        }) {
            parts.entry(o).or_default().0 = b;
        }
        for (o, b) in split_buckets(&data.others, |r: &Meter| owner_labels(&r.owner, key)) {
            parts.entry(o).or_default().1 = b;
        }
        for b in &data.completions {
            for r in &b.rows {
                let (key_id, project_id) = owner_labels(&r.owner, key);
                let t = r.tokens();
                let (service_tier, batch) = match r.tier {
                    Tier::Standard => ("default", false),
                    Tier::Batch => ("default", true),
                    other => (other.as_str(), false),
                };
                let parts = [
                    ("input_uncached", "text", t.text_input),
                    ("input_cached", "text", t.text_cached),
                    ("output", "text", t.text_output),
                    ("input_uncached", "audio", t.audio_input),
                    ("input_cached", "audio", t.audio_cached),
                    ("output", "audio", t.audio_output),
                    ("input_uncached", "image", t.image_input),
                    ("input_cached", "image", t.image_cached),
                    ("output", "image", t.image_output),
                    // The API does not split cache writes by modality.
                    ("input_cache_write", "text", t.cache_write),
                ];
                for (kind, modality, n) in parts {
                    if n == 0 {
                        continue;
                    }
                    let labels = (
                        key_id.clone(),
                        project_id.clone(),
                        r.model.to_string(),
                        service_tier.to_owned(),
                        batch,
                        kind,
                        modality,
                    );
                    let v = tokens.entry(labels).or_default();
                    *v = v.saturating_add(n);
                }
            }
        }
        let mut cost: BTreeMap<ModelKey, f64> = BTreeMap::new();
        let mut requests: BTreeMap<ModelKey, u64> = BTreeMap::new();
        let mut units: BTreeMap<UnitKey, u64> = BTreeMap::new();
        for ((key_id, project_id), (completions, others)) in &parts {
            let lines = figures::lines(completions, others, &[], BucketWidth::Day, prices, tier);
            for l in lines {
                let Some(e) = l.endpoint else { continue };
                let k = (
                    e.as_str().to_owned(),
                    key_id.clone(),
                    project_id.clone(),
                    l.model,
                );
                if let Some(usd) = l.estimate_usd {
                    *cost.entry(k.clone()).or_default() += usd;
                }
                if let Some(unit) = l.unit
                    && e != crate::usage::Endpoint::Completions
                    && l.quantity > 0
                {
                    let u = (
                        k.0.clone(),
                        unit.as_str().to_owned(),
                        k.1.clone(),
                        k.2.clone(),
                        k.3.clone(),
                    );
                    let v = units.entry(u).or_default();
                    *v = v.saturating_add(l.quantity);
                }
                if l.requests > 0 {
                    let v = requests.entry(k).or_default();
                    *v = v.saturating_add(l.requests);
                }
            }
        }
        StoreFigures {
            origin,
            tokens,
            cost,
            requests,
            units,
        }
    }

    pub fn estimated_usd(&self) -> f64 {
        self.cost.values().sum()
    }
}

/// Everything one scrape shows.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// The scope label: `organization`, or the tracked key ids joined by commas.
    pub scope: String,
    pub up: bool,
    pub last_success: Option<i64>,
    /// endpoint → the end of the newest window read.
    pub data_as_of: BTreeMap<String, i64>,
    /// (endpoint, outcome) → requests.
    pub api_requests: BTreeMap<(String, String), u64>,
    pub billed_month_usd: Option<f64>,
    pub store: Option<StoreFigures>,
}

impl Metrics {
    pub fn new(api_key_ids: &[String]) -> Metrics {
        Metrics {
            scope: if api_key_ids.is_empty() {
                "organization".into()
            } else {
                api_key_ids.join(",")
            },
            ..Metrics::default()
        }
    }

    /// A successful refresh.
    pub fn updated(&mut self, s: &Snapshot) {
        self.up = true;
        self.last_success = Some(s.fetched_at_ms.div_euclid(1000));
        for (e, requests, _) in &s.fetch.endpoints {
            self.data_as_of
                .insert(e.as_str().to_owned(), s.window.end_time);
            *self
                .api_requests
                .entry((e.as_str().to_owned(), "ok".to_owned()))
                .or_default() += requests;
        }
    }

    /// A failed refresh: `kind` is the error's kind (`rate_limited`, `auth`, ...).
    pub fn failed(&mut self, kind: &str) {
        self.up = false;
        *self
            .api_requests
            .entry(("refresh".to_owned(), kind.to_owned()))
            .or_default() += 1;
    }

    /// The bill: what the Costs API billed since `month_start`.
    pub fn billed(&mut self, b: &BillSnapshot, month_start: i64) {
        if let Some(bill) = &b.bill {
            self.billed_month_usd = Some(
                bill.days
                    .iter()
                    .filter(|d| d.start_time >= month_start)
                    .map(|d| d.usd())
                    .sum(),
            );
        }
    }

    /// The text of a scrape, in OpenMetrics when `openmetrics`.
    pub fn render(&self, openmetrics: bool) -> String {
        let mut e = if openmetrics {
            Exposition::openmetrics()
        } else {
            Exposition::default()
        };
        e.family(
            "usage_tracker_up",
            Kind::Gauge,
            "1 when the last refresh of the Admin API succeeded.",
        )
        .sample("usage_tracker_up", &[], f64::from(u8::from(self.up)));
        if let Some(t) = self.last_success {
            e.family(
                "usage_tracker_last_success_timestamp_seconds",
                Kind::Gauge,
                "When the last successful refresh was fetched (unix seconds).",
            )
            .sample(
                "usage_tracker_last_success_timestamp_seconds",
                &[],
                t as f64,
            );
        }
        if !self.data_as_of.is_empty() {
            let name = "usage_tracker_data_as_of_timestamp_seconds";
            e.family(
                name,
                Kind::Gauge,
                "The end of the newest usage window read, per endpoint (unix seconds).",
            );
            for (ep, t) in &self.data_as_of {
                e.sample(name, &[("endpoint", ep)], *t as f64);
            }
        }
        let name = "usage_tracker_api_requests_total";
        e.family(
            name,
            Kind::Counter,
            "Admin API requests of this process: per usage endpoint for successful refreshes (retries included), endpoint \"refresh\" per failed refresh with the error kind as outcome.",
        );
        for ((ep, outcome), n) in &self.api_requests {
            e.sample(name, &[("endpoint", ep), ("outcome", outcome)], *n as f64);
        }
        if let Some(usd) = self.billed_month_usd {
            let name = "usage_tracker_month_to_date_billed_usd";
            e.family(
                name,
                Kind::Gauge,
                "What the Costs API billed this UTC month so far (USD).",
            )
            .sample(name, &[("scope", &self.scope)], usd);
        }
        if let Some(s) = &self.store {
            let name = "usage_tracker_month_to_date_estimated_usd";
            e.family(
                name,
                Kind::Gauge,
                "The estimate of this UTC month's usage so far at the current prices (USD).",
            )
            .sample(name, &[("scope", &self.scope)], s.estimated_usd());
            let name = "usage_tracker_tokens_total";
            e.family(
                name,
                Kind::Counter,
                "Completions tokens the history store holds since the first of the UTC month.",
            );
            for ((key_id, project_id, model, tier, batch, kind, modality), n) in &s.tokens {
                e.sample(
                    name,
                    &[
                        ("api_key_id", key_id),
                        ("project_id", project_id),
                        ("model", model),
                        ("service_tier", tier),
                        ("batch", if *batch { "true" } else { "false" }),
                        ("type", kind),
                        ("modality", modality),
                    ],
                    *n as f64,
                );
            }
            let name = "usage_tracker_requests_total";
            e.family(
                name,
                Kind::Counter,
                "Requests of every usage endpoint the history store holds since the first of the UTC month.",
            );
            for ((ep, key_id, project_id, model), n) in &s.requests {
                e.sample(
                    name,
                    &[
                        ("endpoint", ep),
                        ("api_key_id", key_id),
                        ("project_id", project_id),
                        ("model", model),
                    ],
                    *n as f64,
                );
            }
            let name = "usage_tracker_units_total";
            e.family(
                name,
                Kind::Counter,
                "Usage of the endpoints other than completions in their own units (images, characters, seconds, calls, ...) the history store holds since the first of the UTC month.",
            );
            for ((ep, unit, key_id, project_id, model), n) in &s.units {
                e.sample(
                    name,
                    &[
                        ("endpoint", ep),
                        ("unit", unit),
                        ("api_key_id", key_id),
                        ("project_id", project_id),
                        ("model", model),
                    ],
                    *n as f64,
                );
            }
            let name = "usage_tracker_estimated_cost_usd_total";
            e.family(
                name,
                Kind::Counter,
                "The estimated cost (USD) of the usage the history store holds since the first of the UTC month, at the current prices.",
            );
            for ((ep, key_id, project_id, model), usd) in &s.cost {
                e.sample(
                    name,
                    &[
                        ("endpoint", ep),
                        ("api_key_id", key_id),
                        ("project_id", project_id),
                        ("model", model),
                    ],
                    *usd,
                );
            }
        }
        e.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn row(model: &str, tier: Tier, input: u64, cached: u64, output: u64) -> UsageRow {
        UsageRow {
            model: model.into(),
            tier,
            input_tokens: input,
            cached_input_tokens: cached,
            output_tokens: output,
            requests: 1,
            split: Default::default(),
            owner: Default::default(),
        }
    }

    #[test]
    fn tokens_are_summed_per_labels_and_rendered() {
        let data = PeriodData {
            completions: vec![
                Bucket {
                    start_time: 0,
                    end_time: 86_400,
                    rows: vec![
                        row("gpt-4o", Tier::Standard, 100, 30, 50),
                        row("gpt-4o", Tier::Batch, 10, 0, 5),
                    ],
                },
                Bucket {
                    start_time: 86_400,
                    end_time: 172_800,
                    rows: vec![row("gpt-4o", Tier::Standard, 1, 0, 2)],
                },
            ],
            ..PeriodData::default()
        };
        let table = PriceTable::default();
        let f = StoreFigures::of(0, &data, &table, TierChoice::default(), "key_a");
        let k = |b, kind| {
            (
                "key_a".to_owned(),
                String::new(),
                "gpt-4o".to_owned(),
                "default".to_owned(),
                b,
                kind,
                "text",
            )
        };
        assert_eq!(f.tokens[&k(false, "input_uncached")], 71);
        assert_eq!(f.tokens[&k(false, "input_cached")], 30);
        assert_eq!(f.tokens[&k(false, "output")], 52);
        assert_eq!(f.tokens[&k(true, "output")], 5);
        assert!(!f.tokens.contains_key(&k(true, "input_cached")));
        let mut m = Metrics::new(&["key_a".to_owned()]);
        m.store = Some(f);
        let text = m.render(false);
        assert!(
            text.contains(
                "usage_tracker_tokens_total{api_key_id=\"key_a\",project_id=\"\",model=\"gpt-4o\",service_tier=\"default\",batch=\"false\",type=\"output\",modality=\"text\"} 52\n"
            ),
            "{text}"
        );
        assert!(text.contains("usage_tracker_up 0\n"), "{text}");
    }

    #[test]
    fn rows_asked_by_owner_are_labelled_by_it() {
        let mut mine = row("gpt-4o", Tier::Standard, 10, 0, 5);
        mine.owner = Owner::new(Some(Arc::from("key_b")), Some(Arc::from("proj_p")));
        let data = PeriodData {
            completions: vec![Bucket {
                start_time: 0,
                end_time: 86_400,
                rows: vec![mine, row("gpt-4o", Tier::Standard, 1, 0, 2)],
            }],
            ..PeriodData::default()
        };
        let f = StoreFigures::of(0, &data, &PriceTable::default(), TierChoice::default(), "");
        let out = |key: &str, project: &str| {
            f.tokens[&(
                key.to_owned(),
                project.to_owned(),
                "gpt-4o".to_owned(),
                "default".to_owned(),
                false,
                "output",
                "text",
            )]
        };
        assert_eq!(out("key_b", "proj_p"), 5);
        assert_eq!(out("", ""), 2);
        let reqs: Vec<_> = f
            .requests
            .keys()
            .map(|k| (k.1.as_str(), k.2.as_str()))
            .collect();
        assert_eq!(reqs, [("", ""), ("key_b", "proj_p")]);
    }

    #[test]
    fn a_failure_is_down_and_counted_by_kind() {
        let mut m = Metrics::new(&[]);
        m.up = true;
        m.failed("rate_limited");
        m.failed("rate_limited");
        let text = m.render(false);
        assert!(text.contains("usage_tracker_up 0\n"));
        assert!(text.contains(
            "usage_tracker_api_requests_total{endpoint=\"refresh\",outcome=\"rate_limited\"} 2\n"
        ));
        assert_eq!(m.scope, "organization");
        assert_eq!(fallback_key(&[]), "");
        assert_eq!(fallback_key(&["key_a".to_owned()]), "key_a");
        assert_eq!(fallback_key(&["proj_p".to_owned()]), "");
        assert_eq!(fallback_key(&["key_a".to_owned(), "key_b".to_owned()]), "");
    }
}
