//! Per-model totals and estimated cost of a set of buckets.
//!
//! Rows are summed per (model, billed tier) and priced once per pair. A model any of whose
//! usage has no price gets `cost_usd: None` (shown as "—"), never a partial or zero cost; the
//! totals add the priced models and count the unpriced ones. A row at a service tier the table
//! has no prices for (`ultrafast`, ...) is such usage, and its model names the tier in
//! `unpriced_tiers`, so no view has to guess why a model shows "—".

use super::{Bucket, TokenSplit};
use crate::pricing::{
    Basis, CompletionTokens, CompletionsRow, PriceTable, Source, Tier, TierChoice,
};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelSummary {
    pub model: String,
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
    pub requests: u64,
    /// `None` when some of this model's usage has no price.
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub cost_usd: Option<f64>,
    /// Where the prices of `cost_usd` came from: `bill` when any part was priced from the
    /// bill, else `file` (the user's `--pricing`) or `table`; `None` when unpriced.
    pub price_source: Option<Source>,
    /// The tiers this model's usage was priced at, in [`Tier`] order.
    pub tiers: Vec<Tier>,
    /// The tiers among `tiers` that left this model unpriced: a tier the table never prices
    /// ([`Tier::Other`]), or one of the four at which the table has no price for a model it
    /// prices at another. Empty when priced, and for a model the table does not know at all
    /// (then the model, not a tier, is what has no price).
    pub unpriced_tiers: Vec<Tier>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
    pub requests: u64,
    /// The sum over priced models.
    #[serde(serialize_with = "crate::ui::json::money::amount")]
    pub cost_usd: f64,
    /// Models left out of `cost_usd` because they have no price.
    pub unpriced_models: usize,
    /// The codes of the assumptions some model's cost rests on (`cache-write-at-input-price`,
    /// ...), each once; empty when every priced cost is exact.
    pub assumptions: Vec<&'static str>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Sorted by total tokens, largest first (then by name).
    pub models: Vec<ModelSummary>,
    pub totals: Totals,
}

#[derive(Default, Clone, Copy)]
struct Acc {
    input: u64,
    cached: u64,
    output: u64,
    requests: u64,
    split: TokenSplit,
}

impl Acc {
    fn add(&mut self, o: &Acc) {
        // Saturating: the numbers come from a server and must not wrap or panic.
        self.input = self.input.saturating_add(o.input);
        self.cached = self.cached.saturating_add(o.cached);
        self.output = self.output.saturating_add(o.output);
        self.requests = self.requests.saturating_add(o.requests);
        self.split.add(&o.split);
    }
}

/// One model's sums over its tiers, as [`ModelSummary`] reports them.
#[derive(Default)]
struct PerModel {
    acc: Acc,
    cost: Option<f64>,
    tiers: Vec<Tier>,
    unpriced_tiers: Vec<Tier>,
    source: Source,
}

/// The priceable parts of an accumulated row (pricing's split of the API's counts).
fn tokens(acc: &Acc) -> CompletionTokens {
    let s = &acc.split;
    CompletionTokens::from_row(&CompletionsRow {
        input_tokens: acc.input,
        input_cached_tokens: acc.cached,
        input_cache_write_tokens: s.cache_write,
        output_tokens: acc.output,
        input_audio_tokens: s.audio_input,
        input_cached_audio_tokens: s.audio_cached_input,
        output_audio_tokens: s.audio_output,
        input_image_tokens: s.image_input,
        input_cached_image_tokens: s.image_cached_input,
        output_image_tokens: s.image_output,
    })
}

/// Whether the tier, not the model, is what `prices` lacks: `tier` is one the table never
/// prices, or the table prices `model` at some tier but not at `tier`.
fn tier_lacks_price(prices: &PriceTable, model: &str, tier: Tier) -> bool {
    prices.lookup(model, tier).is_none()
        && (tier.index().is_none() || Tier::ALL.iter().any(|t| prices.lookup(model, *t).is_some()))
}

pub fn summarize<'a>(
    buckets: impl IntoIterator<Item = &'a Bucket>,
    prices: &PriceTable,
    choice: TierChoice,
) -> Summary {
    // Keyed by the interned name's address: one integer hash per row instead of a string's.
    let mut by_pair: foldhash::HashMap<(*const u8, Tier), (&str, Acc)> =
        foldhash::HashMap::default();
    for bucket in buckets {
        for r in &bucket.rows {
            let tier = choice.tier_for(r.tier);
            let key = (r.model.as_ptr(), tier);
            by_pair
                .entry(key)
                .or_insert((&r.model, Acc::default()))
                .1
                .add(&Acc {
                    input: r.input_tokens,
                    cached: r.cached_input_tokens,
                    output: r.output_tokens,
                    requests: r.requests,
                    split: r.split,
                });
        }
    }

    // Ordered, so costs are added in the same order every time (floating point).
    let mut by_name: BTreeMap<(&str, Tier), Acc> = BTreeMap::new();
    for ((_, tier), (model, acc)) in by_pair {
        // Equal names behind different allocations (rows not interned together) merge here.
        by_name.entry((model, tier)).or_default().add(&acc);
    }
    let mut by_model: BTreeMap<&str, PerModel> = BTreeMap::new();
    let mut assumptions: Vec<&'static str> = Vec::new();
    for ((model, tier), acc) in by_name {
        let entry = by_model.entry(model).or_insert_with(|| PerModel {
            cost: Some(0.0),
            ..PerModel::default()
        });
        entry.acc.add(&acc);
        let quote = prices.completions(model, tier, &tokens(&acc));
        if let Some(Basis::Assumed(set)) = quote.map(|q| q.basis) {
            for a in set.iter() {
                if !assumptions.contains(&a.code()) {
                    assumptions.push(a.code());
                }
            }
        }
        entry.cost = entry.cost.zip(quote.map(|q| q.usd)).map(|(a, b)| a + b);
        entry.tiers.push(tier);
        if let Some(q) = quote {
            entry.source = entry.source.merge(q.source);
        }
        if quote.is_none() && tier_lacks_price(prices, model, tier) {
            entry.unpriced_tiers.push(tier);
        }
    }

    let mut models: Vec<ModelSummary> = by_model
        .into_iter()
        .map(|(model, m)| ModelSummary {
            model: model.to_owned(),
            input_tokens: m.acc.input,
            cached_input_tokens: m.acc.cached,
            output_tokens: m.acc.output,
            total_tokens: m.acc.input.saturating_add(m.acc.output),
            requests: m.acc.requests,
            cost_usd: m.cost,
            price_source: m.cost.map(|_| m.source),
            tiers: m.tiers,
            unpriced_tiers: m.unpriced_tiers,
        })
        .collect();
    models.sort_by(|a, b| {
        b.total_tokens
            .cmp(&a.total_tokens)
            .then_with(|| a.model.cmp(&b.model))
    });
    let mut totals = Totals::default();
    for m in &models {
        totals.input_tokens = totals.input_tokens.saturating_add(m.input_tokens);
        totals.cached_input_tokens = totals
            .cached_input_tokens
            .saturating_add(m.cached_input_tokens);
        totals.output_tokens = totals.output_tokens.saturating_add(m.output_tokens);
        totals.requests = totals.requests.saturating_add(m.requests);
        match m.cost_usd {
            Some(c) => totals.cost_usd += c,
            None => totals.unpriced_models += 1,
        }
    }
    totals.total_tokens = totals.input_tokens.saturating_add(totals.output_tokens);
    assumptions.sort_unstable();
    totals.assumptions = assumptions;
    Summary { models, totals }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::UsageRow;

    fn row(model: &str, tier: Tier, input: u64, cached: u64, output: u64, req: u64) -> UsageRow {
        UsageRow {
            owner: Default::default(),
            model: model.into(),
            tier,
            input_tokens: input,
            cached_input_tokens: cached,
            output_tokens: output,
            requests: req,
            split: TokenSplit::default(),
        }
    }

    /// Server numbers near u64::MAX saturate instead of wrapping or panicking.
    #[test]
    fn sums_of_huge_server_numbers_saturate() {
        let huge = row(
            "gpt-4o",
            Tier::Standard,
            u64::MAX - 1,
            0,
            u64::MAX - 1,
            u64::MAX,
        );
        let b = Bucket {
            start_time: 0,
            end_time: 60,
            rows: vec![huge.clone(), huge],
        };
        assert_eq!(b.total_tokens(), u64::MAX);
        assert_eq!(b.requests(), u64::MAX);
        let s = summarize([&b, &b], PriceTable::builtin(), TierChoice::Auto);
        assert_eq!(s.totals.total_tokens, u64::MAX);
        assert_eq!(s.totals.requests, u64::MAX);
        assert_eq!(s.models[0].input_tokens, u64::MAX);
    }

    fn buckets() -> Vec<Bucket> {
        vec![
            Bucket {
                start_time: 0,
                end_time: 3600,
                rows: vec![
                    row(
                        "gpt-4o-2024-08-06",
                        Tier::Standard,
                        1_000_000,
                        400_000,
                        500_000,
                        10,
                    ),
                    row(
                        "gpt-4o-mini-2024-07-18",
                        Tier::Batch,
                        2_000_000,
                        0,
                        1_000_000,
                        4,
                    ),
                    row("ft:gpt-4o-mini:acme::x1", Tier::Standard, 50, 0, 50, 1),
                ],
            },
            Bucket {
                start_time: 3600,
                end_time: 7200,
                rows: vec![
                    row("gpt-4o-2024-08-06", Tier::Priority, 100_000, 0, 100_000, 2),
                    row(
                        "gpt-4o-mini-2024-07-18",
                        Tier::Standard,
                        1_000_000,
                        500_000,
                        0,
                        3,
                    ),
                ],
            },
        ]
    }

    fn model<'a>(s: &'a Summary, name: &str) -> &'a ModelSummary {
        s.models.iter().find(|m| m.model == name).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn auto_prices_each_row_at_its_reported_tier() {
        let s = summarize(&buckets(), PriceTable::builtin(), TierChoice::Auto);
        let g = model(&s, "gpt-4o-2024-08-06");
        // standard: 600k×2.5 + 400k×1.25 + 500k×10 = 1.5 + 0.5 + 5.0 = 7.0
        // priority: 100k×4.25 + 100k×17 = 0.425 + 1.7 = 2.125
        assert!(close(g.cost_usd.unwrap(), 9.125), "{:?}", g.cost_usd);
        assert_eq!(g.tiers, [Tier::Standard, Tier::Priority]);
        assert_eq!(
            (g.input_tokens, g.cached_input_tokens),
            (1_100_000, 400_000)
        );
        assert_eq!(
            (g.output_tokens, g.total_tokens, g.requests),
            (600_000, 1_700_000, 12)
        );
        let m = model(&s, "gpt-4o-mini-2024-07-18");
        // batch: 2M×0.075 + 1M×0.3 = 0.15 + 0.3 = 0.45
        // standard: 500k×0.15 + 500k×0.075 = 0.075 + 0.0375 = 0.1125
        assert!(close(m.cost_usd.unwrap(), 0.5625), "{:?}", m.cost_usd);
        let ft = model(&s, "ft:gpt-4o-mini:acme::x1");
        assert_eq!(ft.cost_usd, None);
        assert_eq!(s.totals.unpriced_models, 1);
        assert!(close(s.totals.cost_usd, 9.6875));
        assert_eq!(s.totals.input_tokens, 4_100_050);
        assert_eq!(s.totals.cached_input_tokens, 900_000);
        assert_eq!(s.totals.output_tokens, 1_600_050);
        assert_eq!(s.totals.total_tokens, 5_700_100);
        assert_eq!(s.totals.requests, 20);
        let order: Vec<_> = s.models.iter().map(|m| m.model.as_str()).collect();
        assert_eq!(
            order,
            [
                "gpt-4o-mini-2024-07-18",
                "gpt-4o-2024-08-06",
                "ft:gpt-4o-mini:acme::x1"
            ]
        );
    }

    #[test]
    fn a_named_tier_prices_every_row_at_it() {
        let s = summarize(
            &buckets(),
            PriceTable::builtin(),
            TierChoice::Fixed(Tier::Standard),
        );
        let g = model(&s, "gpt-4o-2024-08-06");
        // 700k×2.5 + 400k×1.25 + 600k×10 = 1.75 + 0.5 + 6 = 8.25
        assert!(close(g.cost_usd.unwrap(), 8.25));
        assert_eq!(g.tiers, [Tier::Standard]);
        // batch has no cached price for gpt-4o: cached input at the batch input price.
        let b = summarize(
            &buckets(),
            PriceTable::builtin(),
            TierChoice::Fixed(Tier::Batch),
        );
        // 1.1M×1.25 + 600k×5 = 1.375 + 3 = 4.375
        assert!(close(
            model(&b, "gpt-4o-2024-08-06").cost_usd.unwrap(),
            4.375
        ));
    }

    #[test]
    fn a_tier_without_price_leaves_the_model_unpriced() {
        // gpt-4o has no flex price in the built-in table.
        let s = summarize(
            &buckets(),
            PriceTable::builtin(),
            TierChoice::Fixed(Tier::Flex),
        );
        let g = model(&s, "gpt-4o-2024-08-06");
        assert_eq!(g.cost_usd, None);
        // The table prices gpt-4o, just not at flex: the tier is named.
        assert_eq!(g.unpriced_tiers, [Tier::Flex]);
        // A model the table does not know at all: the model, not a tier, lacks the price.
        assert_eq!(model(&s, "ft:gpt-4o-mini:acme::x1").unpriced_tiers, []);
        assert_eq!(s.totals.unpriced_models, 3);
        assert_eq!(s.totals.cost_usd, 0.0);
    }

    /// Issue 16: 1M tokens at `ultrafast` (billed about 3× standard) were priced at standard
    /// and called exact. Now the model is unpriced and says which tier left it so.
    #[test]
    fn a_tier_the_table_does_not_know_is_unpriced_and_named() {
        let ultrafast = Tier::of_row(Some(false), Some("ultrafast"));
        let mut fast = row("gpt-5-mini", ultrafast, 500_000, 0, 500_000, 7);
        fast.model = "gpt-5-mini".into();
        let b = Bucket {
            start_time: 0,
            end_time: 3600,
            rows: vec![fast, row("gpt-5-mini", Tier::Standard, 1_000, 0, 0, 1)],
        };
        let prices = PriceTable::builtin();
        assert!(prices.lookup("gpt-5-mini", Tier::Standard).is_some());
        let s = summarize([&b], prices, TierChoice::Auto);
        let m = model(&s, "gpt-5-mini");
        assert_eq!(m.cost_usd, None);
        assert_eq!(m.tiers, [Tier::Standard, ultrafast]);
        assert_eq!(m.unpriced_tiers, [ultrafast]);
        assert_eq!(m.total_tokens, 1_001_000);
        assert_eq!((s.totals.unpriced_models, s.totals.cost_usd), (1, 0.0));
        let json = serde_json::to_value(m).unwrap();
        assert_eq!(json["tiers"], serde_json::json!(["standard", "ultrafast"]));
        assert_eq!(json["unpriced_tiers"], serde_json::json!(["ultrafast"]));
        assert_eq!(json["cost_usd"], serde_json::Value::Null);

        // A tier the user chose prices every row at it, the ultrafast ones included.
        let std = summarize([&b], prices, TierChoice::Fixed(Tier::Standard));
        let m = model(&std, "gpt-5-mini");
        let p = prices.lookup("gpt-5-mini", Tier::Standard).unwrap();
        let want =
            501_000.0 * p.text.input.unwrap() / 1e6 + 500_000.0 * p.text.output.unwrap() / 1e6;
        assert!(
            close(m.cost_usd.unwrap(), want),
            "{:?} vs {want}",
            m.cost_usd
        );
        assert_eq!(
            (m.tiers.as_slice(), m.unpriced_tiers.as_slice()),
            (&[Tier::Standard][..], &[][..])
        );
    }

    #[test]
    fn empty_input_gives_empty_summary() {
        let s = summarize(&[], PriceTable::builtin(), TierChoice::Auto);
        assert!(s.models.is_empty());
        assert_eq!(s.totals, Totals::default());
    }
}
