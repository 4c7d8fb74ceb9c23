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
//! Every quote says where its prices came from ([`Source`]): the built-in table, the user's file,
//! or the bill ([`learned`], which lays the bill's unit prices over the table).
//!
//! Pure: no I/O except [`PriceTable::load_overrides`], which reads one file. Lookup is the exact
//! name, then the name without its `-YYYY-MM-DD` snapshot suffix, and nothing looser: a wrong
//! price is worse than an honest "unpriced". A name with an entry of its own is priced from that
//! entry only (a dated snapshot priced differently never borrows its base model's tiers).

mod file;
pub mod learned;
mod quote;
mod tier;
mod tokens;
mod units;

pub use file::{Place, PricingError};
pub use learned::PriceField;
pub use learned::{Learned, PriceBook, PriceCheck, PriceMode, Prices};
pub use quote::{Assumption, Assumptions, Basis, Quote, Source};
pub use tier::{ServiceTier, Tier, TierChoice};
pub use tokens::{CompletionTokens, CompletionsRow, Price, Rates};
pub use units::{IMAGE_GENERATION, ImagePrices, UnitPrice};

use std::collections::{BTreeSet, HashMap};
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
    /// Completions prices at tiers the table has no column for (`ultrafast`), by (model, tier
    /// name): only ever learned from the bill.
    other_tiers: HashMap<String, Vec<(String, Price)>>,
    /// The day the bill priced an embeddings entry's tier, by model (see [`learned`]).
    embeddings_bill: HashMap<String, [Option<i64>; 4]>,
    /// The models the user's `--pricing` file prices (their quotes say so).
    file_models: BTreeSet<String>,
}

const BUILTIN: &str = include_str!("pricing/builtin.toml");

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
        table.file_models = overrides.models();
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

    /// Completions tokens of `model` billed at `tier`; see [`Price::quote`] for the terms. A
    /// tier the table has no column for is priced only where the bill taught its price.
    pub fn completions(&self, model: &str, tier: Tier, tokens: &CompletionTokens) -> Option<Quote> {
        let price = match tier {
            Tier::Other(name) => find_other(&self.other_tiers, model, name.as_str())?,
            _ => self.lookup(model, tier)?,
        };
        Some(self.sourced(model, price.quote(tokens)?))
    }

    /// Where `model`'s prices come from when no bill priced them: the user's file or the table.
    fn own_source(&self, model: &str) -> Source {
        let base = strip_date_suffix(model);
        if self.file_models.contains(model) || base.is_some_and(|b| self.file_models.contains(b)) {
            Source::File
        } else {
            Source::Table
        }
    }

    /// `quote` marked with its model's own source unless the bill already marked it.
    fn sourced(&self, model: &str, quote: Quote) -> Quote {
        match quote.source {
            Source::Bill { .. } => quote,
            _ => quote.from(self.own_source(model)),
        }
    }

    /// A unit price's quote, marked with where it came from.
    fn unit_quote(&self, model: &str, p: &UnitPrice, quantity: u64, per: f64) -> Quote {
        let q = p.quote(quantity, per, Assumptions::NONE);
        match p.bill_day {
            Some(day) => q.from(Source::Bill { day }),
            None => self.sourced(model, q),
        }
    }

    /// The unit price one field of `model` is priced at (per [`PriceField::unit`]), where it
    /// came from, and whether it is an assumption: what `prices` lists. Token fields follow the
    /// quote's fallbacks (cached at input, audio and image at text for a one-price model).
    /// `detail` is an image's size.
    pub fn field_price(
        &self,
        model: &str,
        tier: Tier,
        field: learned::PriceField,
        detail: &str,
    ) -> Option<FieldPrice> {
        use learned::PriceField as F;
        let unit = |p: &UnitPrice| FieldPrice {
            per_unit: p.usd,
            source: p
                .bill_day
                .map_or_else(|| self.own_source(model), |day| Source::Bill { day }),
            assumed: p.assumption.is_some(),
        };
        Some(match field {
            F::Embeddings => {
                let i = tier.index()?;
                let per_unit = find(&self.embeddings, model)?[i]?;
                let day = find(&self.embeddings_bill, model).and_then(|d| d[i]);
                FieldPrice {
                    per_unit,
                    source: day.map_or_else(|| self.own_source(model), |day| Source::Bill { day }),
                    assumed: false,
                }
            }
            F::Image => {
                let p = find(&self.images, model)?;
                let billed = p
                    .bill_sizes
                    .get(detail)
                    .and_then(|day| Some((*p.sizes.get(detail)?, *day)))
                    .or(p.any_size_bill);
                match billed {
                    Some((per_unit, day)) => FieldPrice {
                        per_unit,
                        source: Source::Bill { day },
                        assumed: false,
                    },
                    None => FieldPrice {
                        per_unit: *p.sizes.get(detail)?,
                        source: self.own_source(model),
                        assumed: p.assumed_quality.is_some() || p.assumption.is_some(),
                    },
                }
            }
            F::Speech => unit(find(&self.speech, model)?),
            F::Transcription => unit(find(&self.transcription, model)?),
            F::WebSearch => unit(find(&self.web_search, model)?),
            F::FileSearch => unit(self.file_search.as_ref()?),
            f => {
                let price = match tier {
                    Tier::Other(name) => find_other(&self.other_tiers, model, name.as_str())?,
                    _ => self.lookup(model, tier)?,
                };
                let (per_unit, from) = price.field(f)?;
                let (mask, day) = price.from_bill.unwrap_or((0, 0));
                FieldPrice {
                    per_unit,
                    source: if mask & from.bit() != 0 {
                        Source::Bill { day }
                    } else {
                        self.own_source(model)
                    },
                    assumed: price.assumption.is_some()
                        || (f == F::CacheWrite && price.cache_write.is_none()),
                }
            }
        })
    }

    /// Every model name the table prices, of any kind.
    fn models(&self) -> BTreeSet<String> {
        self.completions
            .keys()
            .chain(self.embeddings.keys())
            .chain(self.images.keys())
            .chain(self.speech.keys())
            .chain(self.transcription.keys())
            .chain(self.web_search.keys())
            .cloned()
            .collect()
    }

    /// Embeddings input tokens of `model` at `tier`. The embeddings usage endpoint reports no
    /// tier, so callers pass the one the user chose (`auto`: standard).
    pub fn embeddings(&self, model: &str, tier: Tier, input_tokens: u64) -> Option<Quote> {
        let i = tier.index()?;
        let per_1m = find(&self.embeddings, model)?[i]?;
        let q = Quote::exact(input_tokens as f64 * per_1m / 1_000_000.0);
        let billed = find(&self.embeddings_bill, model).and_then(|days| days[i]);
        Some(match billed {
            Some(day) => q.from(Source::Bill { day }),
            None => self.sourced(model, q),
        })
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
        let q = find(&self.images, model)?.quote(size, source, images)?;
        Some(self.sourced(model, q))
    }

    /// Text-to-speech of `characters` characters.
    pub fn speech(&self, model: &str, characters: u64) -> Option<Quote> {
        let p = find(&self.speech, model)?;
        Some(self.unit_quote(model, p, characters, 1_000_000.0))
    }

    /// Transcription of `seconds` seconds of audio, priced per minute.
    pub fn transcription(&self, model: &str, seconds: u64) -> Option<Quote> {
        let p = find(&self.transcription, model)?;
        Some(self.unit_quote(model, p, seconds, 60.0))
    }

    /// `calls` web search calls (the row's `num_requests`) made by `model`. The row's
    /// `context_level` does not change the price: the per-context prices ended mid-2025 and
    /// the pricing page since bills a flat fee per call (search content tokens are billed as
    /// the model's input tokens, so they are already in its completions usage).
    pub fn web_search(&self, model: &str, calls: u64) -> Option<Quote> {
        let p = find(&self.web_search, model)?;
        Some(self.unit_quote(model, p, calls, 1_000.0))
    }

    /// `calls` file search calls (the row's `num_requests`); the price does not depend on the
    /// model (the endpoint reports none).
    pub fn file_search(&self, calls: u64) -> Option<Quote> {
        let p = self.file_search?;
        Some(self.unit_quote("", &p, calls, 1_000.0))
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

/// The price of `model` at the tier named `tier` that the table has no column for: the exact
/// name, then the name without a date suffix.
fn find_other<'a>(
    map: &'a HashMap<String, Vec<(String, Price)>>,
    model: &str,
    tier: &str,
) -> Option<&'a Price> {
    let at =
        |prices: &'a Vec<(String, Price)>| prices.iter().find(|(t, _)| t == tier).map(|p| &p.1);
    map.get(model)
        .and_then(at)
        .or_else(|| map.get(strip_date_suffix(model)?).and_then(at))
}

/// One field's unit price, as [`PriceTable::field_price`] finds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldPrice {
    /// USD per the field's unit.
    pub per_unit: f64,
    pub source: Source,
    /// The number is an assumption (image quality, tool version, ...).
    pub assumed: bool,
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
