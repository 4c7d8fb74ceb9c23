//! Prices of the usage that is not counted in tokens: images (per image, by size and quality),
//! speech (per 1M characters), transcription (per minute of audio), web search and file search
//! (per 1,000 calls). The lookups live on [`super::PriceTable`]; these are the entries.

use super::quote::{Assumption, Assumptions, Quote, Source};
use std::collections::BTreeMap;

/// A price per unit (per 1M characters, per minute, per 1,000 calls: the table says which).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitPrice {
    pub usd: f64,
    /// Set when the number is itself an assumption (e.g. an estimate for a token-billed model).
    pub assumption: Option<Assumption>,
    /// The settled day the bill priced it on, when it was learned from the bill.
    pub bill_day: Option<i64>,
}

impl UnitPrice {
    /// `quantity / per` units at this price (`per`: 1,000,000 characters, 60 seconds, 1,000 calls).
    pub(super) fn quote(&self, quantity: u64, per: f64, more: Assumptions) -> Quote {
        let set = self.assumption.map_or(more, |a| more.with(a));
        Quote::at(quantity as f64 / per * self.usd, set)
    }
}

/// Per-image prices of one model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImagePrices {
    /// USD per image by size, at `assumed_quality` when the model has quality levels.
    pub sizes: BTreeMap<String, f64>,
    /// Every quality level's sizes (empty for a model without levels, like dall-e-2).
    pub qualities: BTreeMap<String, BTreeMap<String, f64>>,
    /// The level `sizes` is priced at: the usage data reports no quality.
    pub assumed_quality: Option<String>,
    pub assumption: Option<Assumption>,
    /// Sizes whose price in `sizes` the bill taught (every quality as billed), with the day.
    pub bill_sizes: BTreeMap<String, i64>,
    /// A price per image of any size from the bill (an image model billed by tokens, whose
    /// line items name no size), with the day; used for sizes the bill has no price of its own.
    pub any_size_bill: Option<(f64, i64)>,
}

/// The `source` of an image usage row that the per-image prices are for.
pub const IMAGE_GENERATION: &str = "image.generation";

impl ImagePrices {
    /// `images` images of `size` made by `source` (`None` when the row is not grouped by it).
    /// A size the table does not list is unpriced, unless the bill priced the model's images.
    /// A price from the bill is what was billed for every quality and source: exact.
    pub(super) fn quote(
        &self,
        size: Option<&str>,
        source: Option<&str>,
        images: u64,
    ) -> Option<Quote> {
        let billed = size
            .and_then(|s| Some((*self.sizes.get(s)?, *self.bill_sizes.get(s)?)))
            .or(self.any_size_bill);
        if let Some((each, day)) = billed {
            return Some(Quote::exact(images as f64 * each).from(Source::Bill { day }));
        }
        let each = *self.sizes.get(size?)?;
        let mut set = self.assumption.map_or(Assumptions::NONE, Assumptions::of);
        if self.assumed_quality.is_some() {
            set = set.with(Assumption::ImageQuality);
        }
        if source != Some(IMAGE_GENERATION) {
            set = set.with(Assumption::ImageSource);
        }
        Some(Quote::at(images as f64 * each, set))
    }
}
