//! The price of one (endpoint, model, detail) total of a kind of usage other than completions,
//! through the pricing API, as the summary's [`MeterCost`]: one rule for the live tracker, the
//! bill's day estimates and the history, so their figures agree.

use crate::pricing::{Basis, PriceTable, Quote, Tier};
use crate::usage::{Endpoint, MeterCost};

/// An image's detail is its `size source`.
pub fn meter_cost(
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
                source: q.source,
            },
            Basis::Assumed(set) => MeterCost::Priced {
                usd: q.usd,
                assumption: Some(set.iter().map(|a| a.code()).collect::<Vec<_>>().join(", ")),
                source: q.source,
            },
        },
    }
}
