//! The usage of a window by key and project ([`Owner`]): each owner's rows priced exactly as the
//! whole is ([`price_usage`]), so the owners' figures add up to the total (tokens and requests
//! exactly, cost to the float's rounding). Read by `once --by key|project`, the JSON's `by_key`
//! and `by_project`, and kept in the snapshot for a menu section.

use super::price_usage::price_usage;
use super::{Bucket, Meter, Owner, UsageRow};
use crate::pricing::{PriceTable, TierChoice};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One owner's usage in the window.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OwnerFigure {
    #[serde(skip)]
    pub owner: Owner,
    /// Completions tokens (the same count as the total's `total_tokens`).
    pub total_tokens: u64,
    /// Completions requests (the same count as the total's `requests`).
    pub requests: u64,
    /// Estimated cost of every kind of usage: completions and the other endpoints.
    pub cost_usd: f64,
    /// The models by estimated cost, highest first: (model, tokens, cost).
    #[serde(skip)]
    pub models: Vec<(Arc<str>, u64, Option<f64>)>,
    /// The other kinds of usage (images, embeddings, ...) as the total's: (label, cost).
    #[serde(skip)]
    pub kinds: Vec<(&'static str, Option<f64>)>,
}

/// The rows of `buckets` split by `key`: each part's buckets in order, one per source bucket
/// holding any of its rows (same start and end). `by_owner` and the exporter's per-label
/// counters both price owners' parts apart with it.
pub fn split_buckets<'a, R: Clone + 'a, K: Ord>(
    buckets: impl IntoIterator<Item = &'a Bucket<R>>,
    key: impl Fn(&R) -> K,
) -> BTreeMap<K, Vec<Bucket<R>>> {
    let mut out: BTreeMap<K, Vec<Bucket<R>>> = BTreeMap::new();
    for b in buckets {
        for r in &b.rows {
            let part = out.entry(key(r)).or_default();
            match part.last_mut() {
                Some(last) if last.start_time == b.start_time => last.rows.push(r.clone()),
                _ => part.push(Bucket {
                    start_time: b.start_time,
                    end_time: b.end_time,
                    rows: vec![r.clone()],
                }),
            }
        }
    }
    out
}

/// The usage of `completions` and `others` per owner, highest estimated cost first (ties by
/// owner, so the order is stable).
pub fn by_owner<'a>(
    prices: &PriceTable,
    choice: TierChoice,
    completions: impl IntoIterator<Item = &'a Bucket<UsageRow>>,
    others: impl IntoIterator<Item = &'a Bucket<Meter>>,
) -> Vec<OwnerFigure> {
    type Parts = (Vec<Bucket<UsageRow>>, Vec<Bucket<Meter>>);
    let mut parts: BTreeMap<Owner, Parts> = BTreeMap::new();
    for (o, b) in split_buckets(completions, |r: &UsageRow| r.owner.clone()) {
        parts.entry(o).or_default().0 = b;
    }
    for (o, b) in split_buckets(others, |r: &Meter| r.owner.clone()) {
        parts.entry(o).or_default().1 = b;
    }
    let mut out: Vec<OwnerFigure> = parts
        .into_iter()
        .map(|(owner, (c, o))| {
            let (summary, other) = price_usage(prices, choice, &c, &o);
            let mut models: Vec<(Arc<str>, u64, Option<f64>)> = summary
                .models
                .iter()
                .map(|m| (Arc::from(m.model.as_str()), m.total_tokens, m.cost_usd))
                .collect();
            models.sort_by(|a, b| {
                b.2.unwrap_or(0.0)
                    .total_cmp(&a.2.unwrap_or(0.0))
                    .then(b.1.cmp(&a.1))
            });
            OwnerFigure {
                owner,
                total_tokens: summary.totals.total_tokens,
                requests: summary.totals.requests,
                cost_usd: summary.totals.cost_usd + other.cost_usd,
                models,
                kinds: other.kinds.iter().map(|k| (k.label, k.cost_usd)).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.cost_usd
            .total_cmp(&a.cost_usd)
            .then(b.total_tokens.cmp(&a.total_tokens))
            .then(a.owner.cmp(&b.owner))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{PriceTable, Tier};
    use crate::usage::{Endpoint, Names, TokenSplit};

    fn row(names: &mut Names, key: Option<&str>, model: &str, input: u64) -> UsageRow {
        UsageRow {
            model: names.intern(model),
            tier: Tier::Standard,
            input_tokens: input,
            cached_input_tokens: 0,
            output_tokens: input / 2,
            requests: 1,
            split: TokenSplit::default(),
            owner: Owner::new(key.map(|k| names.intern(k)), Some(names.intern("proj_p"))),
        }
    }

    #[test]
    fn owners_add_up_to_the_whole_and_usage_without_a_key_is_kept() {
        let mut n = Names::default();
        let table = PriceTable::builtin();
        let b = |rows| Bucket {
            start_time: 0,
            end_time: 3600,
            rows,
        };
        let completions = vec![
            b(vec![
                row(&mut n, Some("key_a"), "gpt-4o", 1_000_000),
                row(&mut n, Some("key_b"), "gpt-4o-mini", 3_000_000),
                row(&mut n, None, "gpt-4o", 10_000),
            ]),
            b(vec![row(&mut n, Some("key_a"), "gpt-4o-mini", 500)]),
        ];
        let others = vec![Bucket {
            start_time: 0,
            end_time: 3600,
            rows: vec![Meter {
                endpoint: Endpoint::Images,
                model: n.intern("dall-e-3"),
                detail: Some(n.intern("1024x1024 image.generation")),
                quantity: 3,
                requests: 3,
                owner: Owner::new(Some(n.intern("key_b")), Some(n.intern("proj_p"))),
            }],
        }];
        let figures = by_owner(table, TierChoice::Auto, &completions, &others);
        let (summary, other) = price_usage(table, TierChoice::Auto, &completions, &others);
        assert_eq!(figures.len(), 3);
        let keys: Vec<Option<&str>> = figures
            .iter()
            .map(|f| f.owner.api_key_id.as_deref())
            .collect();
        assert!(
            keys.contains(&None),
            "usage without a key is a row: {keys:?}"
        );
        let tokens: u64 = figures.iter().map(|f| f.total_tokens).sum();
        let requests: u64 = figures.iter().map(|f| f.requests).sum();
        let cost: f64 = figures.iter().map(|f| f.cost_usd).sum();
        assert_eq!(tokens, summary.totals.total_tokens);
        assert_eq!(requests, summary.totals.requests);
        let whole = summary.totals.cost_usd + other.cost_usd;
        assert!(
            whole > 0.0 && (cost - whole).abs() < 1e-9,
            "{cost} vs {whole}"
        );
        assert!(
            figures.windows(2).all(|w| w[0].cost_usd >= w[1].cost_usd),
            "sorted by cost"
        );
        let a = figures
            .iter()
            .find(|f| f.owner.api_key_id.as_deref() == Some("key_a"))
            .unwrap();
        assert_eq!(a.total_tokens, 1_500_000 + 750);
        assert_eq!(a.models.len(), 2);
        let b = figures
            .iter()
            .find(|f| f.owner.api_key_id.as_deref() == Some("key_b"))
            .unwrap();
        assert_eq!(b.kinds.len(), 1);
        assert_eq!(b.kinds[0].0, "Images");
        assert!(a.kinds.is_empty());
    }
}
