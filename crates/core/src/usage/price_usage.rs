//! The whole of a usage's pricing ([`price_usage`]), shared by the live snapshot and the bill's
//! day estimates; each other-usage total is priced by `usage::meter_cost`, as the history's are.

use crate::pricing::{PriceTable, Tier, TierChoice};
use crate::usage::{Bucket, Meter, meter_cost, summarize, summarize_other};

/// Usage priced as the live total is: completions per model at the chosen tier (auto: each
/// row's own), every other kind at the chosen tier (auto: standard). The live snapshot and the
/// bill's day estimates both price through here, so the check compares like with like.
pub fn price_usage<'a>(
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
