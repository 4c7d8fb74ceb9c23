//! Totals and estimated cost of every kind of usage but completions: per endpoint, per model
//! (and detail, such as an image size), with the price of each row asked of a pricer.
//!
//! A row without a price leaves its kind's cost `None` ("—"), never $0, and is counted; free
//! usage (moderations) is a price of $0 marked free. A price resting on an assumption (the
//! images endpoint has no quality, web search has two tool versions) carries it, and the
//! assumption is listed once in [`OtherUsage::assumptions`].

use super::{Bucket, Endpoint, Meter, Unit};
use crate::pricing::Source;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a pricer says about one (endpoint, model, detail) total.
#[derive(Clone, Debug, PartialEq)]
pub enum MeterCost {
    /// No price for it: shown as "—".
    Unpriced,
    /// Free usage: $0, shown as free.
    Free,
    Priced {
        usd: f64,
        /// Set when the price rests on an assumption the data cannot check.
        assumption: Option<String>,
        /// Where the price came from (the table, the user's file, the bill).
        source: Source,
    },
}

/// One model (and detail) of one kind of usage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeterSummary {
    /// The model; for file search the vector store id.
    pub model: String,
    pub detail: Option<String>,
    pub quantity: u64,
    pub requests: u64,
    /// `None` when unpriced.
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub cost_usd: Option<f64>,
    pub free: bool,
    /// The assumption behind `cost_usd`, if it rests on one.
    pub assumption: Option<String>,
    /// Where its price came from; `None` when unpriced.
    pub price_source: Option<Source>,
}

/// One kind of usage (one endpoint) over the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindSummary {
    pub endpoint: Endpoint,
    pub label: &'static str,
    pub unit: Unit,
    pub quantity: u64,
    pub requests: u64,
    /// The sum over priced rows; `None` when any row is unpriced.
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub cost_usd: Option<f64>,
    /// Every row is free.
    pub free: bool,
    /// Some row's price rests on an assumption.
    pub assumed: bool,
    /// Largest quantity first (then by name).
    pub models: Vec<MeterSummary>,
}

/// Every kind of usage but completions.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OtherUsage {
    /// In [`Endpoint::OTHERS`] order; kinds without usage in the window are left out.
    pub kinds: Vec<KindSummary>,
    pub requests: u64,
    /// The sum over priced rows of every kind.
    #[serde(serialize_with = "crate::ui::json::money::amount")]
    pub cost_usd: f64,
    /// Rows (model and detail of a kind) left out of `cost_usd` because they have no price.
    pub unpriced_rows: usize,
    /// Each assumption a price rests on, once.
    pub assumptions: Vec<String>,
}

#[derive(Default)]
struct Acc {
    quantity: u64,
    requests: u64,
}

/// Sums `buckets` per (endpoint, model, detail) and prices each sum with `price`.
pub fn summarize_other<'a>(
    buckets: impl IntoIterator<Item = &'a Bucket<Meter>>,
    price: impl Fn(Endpoint, &str, Option<&str>, u64) -> MeterCost,
) -> OtherUsage {
    let mut by_row: BTreeMap<(Endpoint, &str, Option<&str>), Acc> = BTreeMap::new();
    for b in buckets {
        for m in &b.rows {
            let acc = by_row
                .entry((m.endpoint, &m.model, m.detail.as_deref()))
                .or_default();
            acc.quantity += m.quantity;
            acc.requests += m.requests;
        }
    }
    let mut out = OtherUsage::default();
    let mut kinds: BTreeMap<Endpoint, KindSummary> = BTreeMap::new();
    for ((endpoint, model, detail), acc) in by_row {
        let cost = price(endpoint, model, detail, acc.quantity);
        let (cost_usd, free, assumption, price_source) = match cost {
            MeterCost::Unpriced => (None, false, None, None),
            MeterCost::Free => (Some(0.0), true, None, Some(Source::Table)),
            MeterCost::Priced {
                usd,
                assumption,
                source,
            } => (Some(usd), false, assumption, Some(source)),
        };
        let kind = kinds.entry(endpoint).or_insert_with(|| KindSummary {
            endpoint,
            label: endpoint.label(),
            unit: endpoint.unit(),
            quantity: 0,
            requests: 0,
            cost_usd: Some(0.0),
            free: true,
            assumed: false,
            models: Vec::new(),
        });
        kind.quantity += acc.quantity;
        kind.requests += acc.requests;
        kind.cost_usd = kind.cost_usd.zip(cost_usd).map(|(a, b)| a + b);
        kind.free &= free;
        kind.assumed |= assumption.is_some();
        match cost_usd {
            Some(c) => out.cost_usd += c,
            None => out.unpriced_rows += 1,
        }
        if let Some(a) = &assumption
            && !out.assumptions.contains(a)
        {
            out.assumptions.push(a.clone());
        }
        out.requests += acc.requests;
        kind.models.push(MeterSummary {
            model: model.to_owned(),
            detail: detail.map(str::to_owned),
            quantity: acc.quantity,
            requests: acc.requests,
            cost_usd,
            free,
            assumption,
            price_source,
        });
    }
    for k in kinds.values_mut() {
        k.models.sort_by(|a, b| {
            b.quantity
                .cmp(&a.quantity)
                .then_with(|| (&a.model, &a.detail).cmp(&(&b.model, &b.detail)))
        });
    }
    out.kinds = kinds.into_values().collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter(endpoint: Endpoint, model: &str, detail: Option<&str>, q: u64, r: u64) -> Meter {
        Meter {
            owner: Default::default(),
            endpoint,
            model: model.into(),
            detail: detail.map(Into::into),
            quantity: q,
            requests: r,
        }
    }

    fn buckets() -> Vec<Bucket<Meter>> {
        vec![
            Bucket {
                start_time: 0,
                end_time: 60,
                rows: vec![
                    meter(Endpoint::Images, "dall-e-3", Some("1024x1024"), 3, 3),
                    meter(Endpoint::Images, "dall-e-2", Some("256x256"), 10, 2),
                    meter(
                        Endpoint::Moderations,
                        "omni-moderation-latest",
                        None,
                        500,
                        4,
                    ),
                ],
            },
            Bucket {
                start_time: 60,
                end_time: 120,
                rows: vec![
                    meter(Endpoint::Images, "dall-e-3", Some("1024x1024"), 2, 2),
                    meter(Endpoint::AudioSpeeches, "tts-9", None, 1000, 1),
                ],
            },
        ]
    }

    /// A pricer for the test: dall-e-3 at 0.04 assumed standard, moderations free, the rest
    /// unpriced.
    fn price(e: Endpoint, model: &str, _: Option<&str>, q: u64) -> MeterCost {
        match (e, model) {
            (Endpoint::Images, "dall-e-3") => MeterCost::Priced {
                usd: q as f64 * 0.04,
                assumption: Some("standard quality".into()),
                source: Source::Table,
            },
            (Endpoint::Moderations, _) => MeterCost::Free,
            _ => MeterCost::Unpriced,
        }
    }

    #[test]
    fn rows_are_summed_per_model_and_detail_and_priced_once() {
        let o = summarize_other(&buckets(), price);
        let kinds: Vec<_> = o.kinds.iter().map(|k| k.endpoint).collect();
        assert_eq!(
            kinds,
            [
                Endpoint::Moderations,
                Endpoint::Images,
                Endpoint::AudioSpeeches
            ]
        );
        let images = &o.kinds[1];
        assert_eq!((images.quantity, images.requests), (15, 7));
        // dall-e-2 has no price: the kind's cost is unknown, not the dall-e-3 part alone.
        assert_eq!(images.cost_usd, None);
        assert!(images.assumed && !images.free);
        assert_eq!(images.models[0].model, "dall-e-2");
        let d3 = &images.models[1];
        assert_eq!((d3.quantity, d3.requests), (5, 5));
        assert!((d3.cost_usd.unwrap() - 0.2).abs() < 1e-12);
        let moderations = &o.kinds[0];
        assert_eq!(moderations.cost_usd, Some(0.0));
        assert!(moderations.free);
        assert!((o.cost_usd - 0.2).abs() < 1e-12);
        assert_eq!(o.unpriced_rows, 2);
        assert_eq!(o.requests, 12);
        assert_eq!(o.assumptions, ["standard quality"]);
    }

    #[test]
    fn nothing_in_gives_nothing_out() {
        assert_eq!(summarize_other(&[], price), OtherUsage::default());
    }
}
