//! Prices: the built-in table (dated data in `builtin.toml`), `--pricing` override files in the
//! same format ([`file`]), one lookup by model name, and the cost of every kind of usage the
//! Admin API reports for a key, as a [`Quote`] (USD + exact / free / assumed).
//!
//! One function per kind of usage, each `None` when unpriced (shown as "—", never $0):
//! [`PriceTable::completions`] (tokens by modality, [`CompletionTokens`]),
//! [`PriceTable::embeddings`], [`PriceTable::moderations`] (free), [`PriceTable::images`],
//! [`PriceTable::speech`], [`PriceTable::transcription`], [`PriceTable::web_search`],
//! [`PriceTable::file_search`]. Callers price a summary row (one model, one tier), not each
//! bucket row; no lookup allocates.
//!
//! Pure: no I/O except [`PriceTable::load_overrides`], which reads one file. Lookup is the exact
//! name, then the name without its `-YYYY-MM-DD` snapshot suffix, and nothing looser: a wrong
//! price is worse than an honest "unpriced". A name with an entry of its own is priced from that
//! entry only (a dated snapshot priced differently never borrows its base model's tiers).

mod file;
mod quote;
mod tier;
mod tokens;
mod units;

pub use file::{Place, PricingError};
pub use quote::{Assumption, Assumptions, Basis, Quote};
pub use tier::{ServiceTier, Tier, TierChoice};
pub use tokens::{CompletionTokens, CompletionsRow, Price, Rates};
pub use units::{IMAGE_GENERATION, ImagePrices, UnitPrice};

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Prices by kind of usage and model name. See the module docs for the lookup rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PriceTable {
    /// When the built-in numbers were compiled (`YYYY-MM-DD`).
    pub compiled: String,
    /// Completions token prices, indexed by [`Tier::index`].
    completions: HashMap<String, [Option<Price>; 4]>,
    /// Embeddings, USD per 1M input tokens, indexed by [`Tier::index`].
    embeddings: HashMap<String, [Option<f64>; 4]>,
    images: HashMap<String, ImagePrices>,
    /// USD per 1M characters.
    speech: HashMap<String, UnitPrice>,
    /// USD per minute of audio.
    transcription: HashMap<String, UnitPrice>,
    /// USD per 1,000 calls.
    web_search: HashMap<String, UnitPrice>,
    /// USD per 1,000 calls, whatever the model.
    file_search: Option<UnitPrice>,
}

const BUILTIN: &str = include_str!("builtin.toml");

/// The entry for `model`: its exact name, then its name without a date suffix.
fn find<'a, V>(map: &'a HashMap<String, V>, model: &str) -> Option<&'a V> {
    map.get(model)
        .or_else(|| map.get(strip_date_suffix(model)?))
}

impl PriceTable {
    /// The built-in table, parsed once.
    pub fn builtin() -> &'static PriceTable {
        static TABLE: OnceLock<PriceTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            file::parse(BUILTIN, "built-in price table").expect("built-in price table is valid")
        })
    }

    /// The built-in table with the prices of `path` layered on top (an entry replaces the
    /// built-in one for the same kind, tier and model, or adds a model).
    pub fn with_overrides_from(path: &Path) -> Result<PriceTable, PricingError> {
        let overrides = Self::load_overrides(path)?;
        let mut table = Self::builtin().clone();
        table.extend(overrides);
        Ok(table)
    }

    /// Reads and validates one override file.
    pub fn load_overrides(path: &Path) -> Result<PriceTable, PricingError> {
        let text = std::fs::read_to_string(path).map_err(|e| PricingError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        file::parse(&text, &path.display().to_string())
    }

    /// Layers `other` on top: completions per (model, tier), everything else per model.
    pub fn extend(&mut self, other: PriceTable) {
        for (model, tiers) in other.completions {
            let mine = self.completions.entry(model).or_default();
            for (slot, p) in mine.iter_mut().zip(tiers) {
                if p.is_some() {
                    *slot = p;
                }
            }
        }
        self.embeddings.extend(other.embeddings);
        self.images.extend(other.images);
        self.speech.extend(other.speech);
        self.transcription.extend(other.transcription);
        self.web_search.extend(other.web_search);
        if other.file_search.is_some() {
            self.file_search = other.file_search;
        }
    }

    /// Sets the completions price of `model` at `tier`; `false` (and nothing set) for a
    /// [`Tier::Other`], which the table has no column for.
    pub fn insert(&mut self, tier: Tier, model: &str, price: Price) -> bool {
        let Some(i) = tier.index() else {
            return false;
        };
        self.completions.entry(model.to_owned()).or_default()[i] = Some(price);
        true
    }

    /// The number of (model, tier) completions prices.
    pub fn len(&self) -> usize {
        self.completions.values().flatten().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The completions token prices of `model` at `tier`: the exact name, then the name without
    /// a `-YYYY-MM-DD` suffix (`gpt-4o-2024-08-06` → `gpt-4o`). `None` at a [`Tier::Other`]:
    /// the table prices only its four tiers.
    pub fn lookup(&self, model: &str, tier: Tier) -> Option<&Price> {
        find(&self.completions, model)?[tier.index()?].as_ref()
    }

    /// Completions tokens of `model` billed at `tier`; see [`Price::quote`] for the terms.
    pub fn completions(&self, model: &str, tier: Tier, tokens: &CompletionTokens) -> Option<Quote> {
        self.lookup(model, tier)?.quote(tokens)
    }

    /// Embeddings input tokens of `model` at `tier`. The embeddings usage endpoint reports no
    /// tier, so callers pass the one the user chose (`auto`: standard).
    pub fn embeddings(&self, model: &str, tier: Tier, input_tokens: u64) -> Option<Quote> {
        let per_1m = find(&self.embeddings, model)?[tier.index()?]?;
        Some(Quote::exact(input_tokens as f64 * per_1m / 1_000_000.0))
    }

    /// Moderations are free of charge for every model ("All OpenAI moderation models and
    /// endpoints are free of charge", genai-prices; litellm lists 0): always a free $0.
    pub fn moderations(&self, _model: &str, _input_tokens: u64) -> Quote {
        Quote::free()
    }

    /// `images` images of `model` at `size`, made by `source` (`image.generation`,
    /// `image.edit`, `image.variation`; `None` when the row is not grouped by it). Without a
    /// size, or at a size the table does not list, the images are unpriced. Always an assumed
    /// quote for a model with quality levels (the endpoint reports no quality), and for any
    /// source but `image.generation`.
    pub fn images(
        &self,
        model: &str,
        size: Option<&str>,
        source: Option<&str>,
        images: u64,
    ) -> Option<Quote> {
        find(&self.images, model)?.quote(size?, source, images)
    }

    /// Text-to-speech of `characters` characters.
    pub fn speech(&self, model: &str, characters: u64) -> Option<Quote> {
        Some(find(&self.speech, model)?.quote(characters, 1_000_000.0, Assumptions::NONE))
    }

    /// Transcription of `seconds` seconds of audio, priced per minute.
    pub fn transcription(&self, model: &str, seconds: u64) -> Option<Quote> {
        Some(find(&self.transcription, model)?.quote(seconds, 60.0, Assumptions::NONE))
    }

    /// `calls` web search calls (the row's `num_requests`) made by `model`. The row's
    /// `context_level` does not change the price: the per-context prices ended mid-2025 and
    /// the pricing page since bills a flat fee per call (search content tokens are billed as
    /// the model's input tokens, so they are already in its completions usage).
    pub fn web_search(&self, model: &str, calls: u64) -> Option<Quote> {
        Some(find(&self.web_search, model)?.quote(calls, 1_000.0, Assumptions::NONE))
    }

    /// `calls` file search calls (the row's `num_requests`); the price does not depend on the
    /// model (the endpoint reports none).
    pub fn file_search(&self, calls: u64) -> Option<Quote> {
        Some(self.file_search?.quote(calls, 1_000.0, Assumptions::NONE))
    }

    fn has(&self, model: &str) -> bool {
        self.completions.contains_key(model)
            || self.embeddings.contains_key(model)
            || self.images.contains_key(model)
            || self.speech.contains_key(model)
            || self.transcription.contains_key(model)
            || self.web_search.contains_key(model)
    }

    /// Makes `alias` another exact name for every entry `target` has; `false` if it has none.
    fn alias(&mut self, alias: &str, target: &str) -> bool {
        fn copy<V: Clone>(map: &mut HashMap<String, V>, alias: &str, target: &str) -> bool {
            let Some(v) = map.get(target).cloned() else {
                return false;
            };
            map.insert(alias.to_owned(), v);
            true
        }
        // Not short-circuiting: a name can have entries of several kinds.
        let found = [
            copy(&mut self.completions, alias, target),
            copy(&mut self.embeddings, alias, target),
            copy(&mut self.images, alias, target),
            copy(&mut self.speech, alias, target),
            copy(&mut self.transcription, alias, target),
            copy(&mut self.web_search, alias, target),
        ];
        found.contains(&true)
    }
}

/// `name-YYYY-MM-DD` → `name`; `None` when there is no such suffix.
pub fn strip_date_suffix(model: &str) -> Option<&str> {
    let (base, date) = model.split_at_checked(model.len().checked_sub(11)?)?;
    let b = date.as_bytes();
    let shaped = b[0] == b'-'
        && b[5] == b'-'
        && b[8] == b'-'
        && [1, 2, 3, 4, 6, 7, 9, 10]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    (shaped && !base.is_empty()).then_some(base)
}

#[cfg(test)]
mod tests;
