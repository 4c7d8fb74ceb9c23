//! Pricing the other kinds of usage through the pricing API: one quote per (endpoint, model,
//! detail) total, turned into the summary's [`MeterCost`]; and the whole of a usage's pricing
//! ([`price_usage`]), shared by the live snapshot and the bill's day estimates.

use crate::pricing::{Basis, PriceTable, Quote, Tier, TierChoice};
use crate::usage::{Bucket, Endpoint, Meter, MeterCost, summarize, summarize_other};

/// The price of one (endpoint, model, detail) total through the pricing API. An image's detail
/// is its `size source`.
pub(super) fn meter_cost(
    prices: &PriceTable,
    tier: Tier,
    endpoint: Endpoint,
    model: &str,
    detail: Option<&str>,
    quantity: u64,
) -> MeterCost {
    let quote: Option<Quote> = match endpoint {
        Endpoint::Completions => None,
        Endpoint::Embeddings => prices.embeddings(model, tier, quantity),
        Endpoint::Moderations => Some(prices.moderations(model, quantity)),
        Endpoint::Images => {
            let mut parts = detail.unwrap_or_default().split(' ');
            let size = parts.next().filter(|s| !s.is_empty());
            prices.images(model, size, parts.next(), quantity)
        }
        Endpoint::AudioSpeeches => prices.speech(model, quantity),
        Endpoint::AudioTranscriptions => prices.transcription(model, quantity),
        Endpoint::WebSearchCalls => prices.web_search(model, quantity),
        Endpoint::FileSearchCalls => prices.file_search(quantity),
    };
    match quote {
        None => MeterCost::Unpriced,
        Some(q) => match q.basis {
            Basis::Free => MeterCost::Free,
            Basis::Exact => MeterCost::Priced {
                usd: q.usd,
                assumption: None,
            },
            Basis::Assumed(set) => MeterCost::Priced {
                usd: q.usd,
                assumption: Some(set.iter().map(|a| a.code()).collect::<Vec<_>>().join(", ")),
            },
        },
    }
}

/// Usage priced as the live total is: completions per model at the chosen tier (auto: each
/// row's own), every other kind at the chosen tier (auto: standard). The live snapshot and the
/// bill's day estimates both price through here, so the check compares like with like.
pub(crate) fn price_usage<'a>(
    prices: &PriceTable,
    choice: TierChoice,
    completions: impl IntoIterator<Item = &'a Bucket>,
    others: impl IntoIterator<Item = &'a Bucket<Meter>>,
) -> (crate::usage::Summary, crate::usage::OtherUsage) {
    let summary = summarize(completions, prices, choice);
    let tier = choice.tier_for(Tier::Standard);
    let other = summarize_other(others, |e, model, detail, quantity| {
        meter_cost(prices, tier, e, model, detail, quantity)
    });
    (summary, other)
}
