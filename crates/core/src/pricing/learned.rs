//! Prices learned from the bill, and the price list the estimate uses: the table (built-in and
//! the user's file) with the bill's unit prices laid over it where the table is silent, where it
//! assumes, and (by the user's [`PriceMode`]) where the two differ. Pure.
//!
//! The bill's line items give, per settled UTC day, an amount and a quantity for each model and
//! kind of usage (`bill::prices` reads them into a [`Learned`]). Over the table:
//! - a field the table has no price for (a new model, a tier, batch cached input, cache writes)
//!   is priced from the bill;
//! - a price that rests on an [`Assumption`] (image quality, web search tool version, a
//!   token-billed estimate, disagreeing sources) is replaced by the billed one;
//! - where the table prices a field exactly and the bill differs by more than
//!   [`CHECK_THRESHOLD`], the difference is a [`PriceCheck`] (a price change, a regional uplift,
//!   a long-context surcharge, a discount) and the [`PriceMode`] decides: `bill` (the default:
//!   the estimate exists to predict the bill) or `table`.
//!
//! A price from the bill marks its quotes ([`Source::Bill`]) with the day it was billed on.
//!
//! [`Assumption`]: super::Assumption

use super::{PriceTable, Tier, find};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A bill's unit price differs from the table's by more than this (5 %) to be listed.
pub const CHECK_THRESHOLD: f64 = 0.05;

/// What one learned unit price prices, in the unit [`PriceField::unit`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceField {
    Input,
    CachedInput,
    CacheWrite,
    Output,
    AudioInput,
    CachedAudioInput,
    AudioOutput,
    ImageInput,
    CachedImageInput,
    ImageOutput,
    /// Embeddings input tokens.
    Embeddings,
    /// One image (of the key's `detail` size, or of any size when the bill gives none).
    Image,
    Speech,
    Transcription,
    WebSearch,
    FileSearch,
}

impl PriceField {
    pub const ALL: [PriceField; 16] = [
        PriceField::Input,
        PriceField::CachedInput,
        PriceField::CacheWrite,
        PriceField::Output,
        PriceField::AudioInput,
        PriceField::CachedAudioInput,
        PriceField::AudioOutput,
        PriceField::ImageInput,
        PriceField::CachedImageInput,
        PriceField::ImageOutput,
        PriceField::Embeddings,
        PriceField::Image,
        PriceField::Speech,
        PriceField::Transcription,
        PriceField::WebSearch,
        PriceField::FileSearch,
    ];

    /// The name the JSON and the store use (`cached_input`, `image`, ...).
    pub fn code(self) -> &'static str {
        match self {
            PriceField::Input => "input",
            PriceField::CachedInput => "cached_input",
            PriceField::CacheWrite => "cache_write",
            PriceField::Output => "output",
            PriceField::AudioInput => "audio_input",
            PriceField::CachedAudioInput => "audio_cached_input",
            PriceField::AudioOutput => "audio_output",
            PriceField::ImageInput => "image_input",
            PriceField::CachedImageInput => "image_cached_input",
            PriceField::ImageOutput => "image_output",
            PriceField::Embeddings => "embeddings_input",
            PriceField::Image => "image",
            PriceField::Speech => "speech",
            PriceField::Transcription => "transcription",
            PriceField::WebSearch => "web_search_call",
            PriceField::FileSearch => "file_search_call",
        }
    }

    /// What a price of this field is per: `1M tokens`, `image`, `1M characters`, `minute`,
    /// `1K calls` (the table's units).
    pub fn unit(self) -> &'static str {
        match self {
            PriceField::Image => "image",
            PriceField::Speech => "1M characters",
            PriceField::Transcription => "minute",
            PriceField::WebSearch | PriceField::FileSearch => "1K calls",
            _ => "1M tokens",
        }
    }

    /// A completions token field: its bit in [`super::Price::from_bill`].
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// A completions token field (not a unit of another endpoint).
    pub fn is_tokens(self) -> bool {
        (self as u16) <= PriceField::ImageOutput as u16
    }
}

impl fmt::Display for PriceField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for PriceField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PriceField::ALL
            .into_iter()
            .find(|f| f.code() == s)
            .ok_or_else(|| format!("unknown price field {s:?}"))
    }
}

/// What a learned price is the price of: a model (as the usage endpoints name it, or `""` for
/// a price of every model: web and file search calls), a tier by name (`standard`, `batch`,
/// `ultrafast`, ...), a field and a detail (an image size, or `""`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PriceKey {
    pub model: String,
    pub tier: String,
    pub field: PriceField,
    pub detail: String,
}

/// One unit price read off the bill.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LearnedPrice {
    /// USD per [`PriceField::unit`].
    pub per_unit: f64,
    /// The settled UTC day (its midnight) it was billed on.
    pub day: i64,
}

/// Unit prices read off settled days of the bill: the newest day's for each key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Learned {
    pub prices: BTreeMap<PriceKey, LearnedPrice>,
}

impl Learned {
    /// Takes each price of `newer` that is billed on a day at least as new as the one held.
    pub fn update(&mut self, newer: Learned) {
        for (k, v) in newer.prices {
            match self.prices.get(&k) {
                Some(held) if held.day > v.day => {}
                _ => {
                    self.prices.insert(k, v);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// These prices with each of `other`'s in place of the one held, whatever its day (the
    /// prices of one given day, for that day's estimate).
    pub fn overridden_by(&self, other: Learned) -> Learned {
        let mut out = self.clone();
        out.prices.extend(other.prices);
        out
    }
}

/// Which price the estimate uses where the table and the bill differ by more than
/// [`CHECK_THRESHOLD`] (`--prices`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceMode {
    /// The table's price: the estimate at list prices, the difference only listed.
    Table,
    /// The bill's price: the estimate predicts the bill.
    #[default]
    Bill,
}

impl PriceMode {
    pub const ACCEPTED: &'static str = "bill, table";

    pub fn as_str(self) -> &'static str {
        match self {
            PriceMode::Table => "table",
            PriceMode::Bill => "bill",
        }
    }
}

impl fmt::Display for PriceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PriceMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(PriceMode::Table),
            "bill" => Ok(PriceMode::Bill),
            _ => Err(format!(
                "unknown price choice {s:?}; accepted: {}",
                Self::ACCEPTED
            )),
        }
    }
}

/// A field the bill prices more than [`CHECK_THRESHOLD`] away from the table's exact price.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceCheck {
    pub model: String,
    /// The field (`input`, `output`, `image`, ...), with its tier when not standard
    /// (`batch input`).
    pub kind: String,
    pub table_per_unit: f64,
    pub bill_per_unit: f64,
    pub unit: &'static str,
    /// (bill − table) / table, in percent (to 0.1 in JSON).
    #[serde(serialize_with = "crate::ui::json::money::percent")]
    pub differs_pct: f64,
    /// The settled UTC day (its midnight) the bill's price is from; `"2026-12-06"` in JSON.
    #[serde(serialize_with = "utc_date")]
    pub day: i64,
}

/// A day's UTC midnight as `YYYY-MM-DD`.
pub fn day_name(day: i64) -> String {
    chrono::DateTime::from_timestamp(day, 0)
        .map_or_else(|| day.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

fn utc_date<S: serde::Serializer>(day: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&day_name(*day))
}

/// The models `checks` name, each once, in order.
pub fn checked_models(checks: &[PriceCheck]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for c in checks {
        if !out.contains(&c.model.as_str()) {
            out.push(&c.model);
        }
    }
    out
}

/// The table the estimate prices with, and what the bill told about it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prices {
    pub table: PriceTable,
    /// Sorted by model, then kind.
    pub checks: Vec<PriceCheck>,
    /// The prices learned so far (what `prices` lists beside the table).
    pub learned: Learned,
    pub mode: PriceMode,
}

impl Prices {
    /// The table alone (nothing learned yet).
    pub fn table_only(table: PriceTable, mode: PriceMode) -> Prices {
        Prices {
            table,
            checks: Vec::new(),
            learned: Learned::default(),
            mode,
        }
    }

    /// The models the checks name, each once, in order.
    pub fn checked_models(&self) -> Vec<&str> {
        checked_models(&self.checks)
    }
}

/// What to do with one learned value against the table's `held` value of the same field.
enum Verdict {
    Take,
    Keep,
    /// Differs by more than the threshold: listed, taken in [`PriceMode::Bill`].
    Differs(f64),
}

/// Whether `bill` is more than [`CHECK_THRESHOLD`] away from `t`.
fn off(t: f64, bill: f64) -> bool {
    if t == 0.0 {
        bill != 0.0
    } else {
        ((bill - t) / t).abs() > CHECK_THRESHOLD
    }
}

/// `own`: the table's own price of the field; `fallback`: what it prices the field at without
/// one (cached at input, image tokens at text); `assumed`: either is an assumption.
fn judge(own: Option<f64>, fallback: Option<f64>, assumed: bool, bill: f64) -> Verdict {
    match (own, fallback) {
        _ if assumed => Verdict::Take,
        (None, None) => Verdict::Take,
        // The table's rule for a missing field, confirmed by the bill: nothing to learn.
        (None, Some(f)) if !off(f, bill) => Verdict::Keep,
        // A missing field its fallback prices wrongly (batch cached input at the batch input
        // price): the bill fills it, no table price to list against.
        (None, Some(_)) => Verdict::Take,
        (Some(t), _) if off(t, bill) => Verdict::Differs(if t == 0.0 {
            f64::INFINITY
        } else {
            (bill - t) / t * 100.0
        }),
        (Some(_), _) => Verdict::Keep,
    }
}

/// The slot of a token field in a completions price.
fn token_slot(p: &mut super::Price, f: PriceField) -> &mut Option<f64> {
    match f {
        PriceField::Input => &mut p.text.input,
        PriceField::CachedInput => &mut p.text.cached_input,
        PriceField::Output => &mut p.text.output,
        PriceField::CacheWrite => &mut p.cache_write,
        PriceField::AudioInput => &mut p.audio.input,
        PriceField::CachedAudioInput => &mut p.audio.cached_input,
        PriceField::AudioOutput => &mut p.audio.output,
        PriceField::ImageInput => &mut p.image.input,
        PriceField::CachedImageInput => &mut p.image.cached_input,
        _ => &mut p.image.output,
    }
}

/// `base` with `learned` laid over it as the module docs say, and the checks.
pub fn apply(base: &PriceTable, learned: &Learned, mode: PriceMode) -> Prices {
    let mut table = base.clone();
    let mut checks = Vec::new();
    for (key, lp) in &learned.prices {
        let mut judged = |held: Option<f64>, fallback: Option<f64>, assumed: bool| match judge(
            held,
            fallback,
            assumed,
            lp.per_unit,
        ) {
            Verdict::Take => true,
            Verdict::Keep => false,
            Verdict::Differs(pct) => {
                let kind = match key.tier.as_str() {
                    "standard" => key.field.code().replace('_', " "),
                    t => format!("{t} {}", key.field.code().replace('_', " ")),
                };
                let kind = if key.detail.is_empty() {
                    kind
                } else {
                    format!("{kind} {}", key.detail)
                };
                checks.push(PriceCheck {
                    model: key.model.clone(),
                    kind,
                    table_per_unit: held.unwrap_or_default(),
                    bill_per_unit: lp.per_unit,
                    unit: key.field.unit(),
                    differs_pct: pct,
                    day: lp.day,
                });
                mode == PriceMode::Bill
            }
        };
        match key.field {
            f if f.is_tokens() => {
                let Some(i) = Tier::named(&key.tier).index() else {
                    // A tier the table has no column for (`ultrafast`): the bill alone prices it.
                    let tiers = table.other_tiers.entry(key.model.clone()).or_default();
                    let i = match tiers.iter().position(|(t, _)| *t == key.tier) {
                        Some(i) => i,
                        None => {
                            tiers.push((key.tier.clone(), learned_only()));
                            tiers.len() - 1
                        }
                    };
                    set_token(&mut tiers[i].1, f, lp, true);
                    continue;
                };
                // An entry of its own for the name: every tier the name is priced at (it never
                // borrows its base model's tiers once it has an entry).
                let tiers = find(&base.completions, &key.model)
                    .copied()
                    .unwrap_or_default();
                let entry = table.completions.entry(key.model.clone()).or_insert(tiers);
                // Judged against the table as it was, never against what an earlier field of
                // the same entry just took from the bill (the order of the fields must not
                // matter).
                let mut reference = tiers[i].unwrap_or_else(learned_only);
                let own = *token_slot(&mut reference, f);
                let fallback = reference.field(f).map(|(v, _)| v);
                // One price for every modality is the table's own price of audio and image
                // tokens, not a fallback: compared, listed and chosen by the mode like any.
                let modality = !matches!(
                    f,
                    PriceField::Input
                        | PriceField::CachedInput
                        | PriceField::Output
                        | PriceField::CacheWrite
                );
                let (held, fallback) =
                    if own.is_none() && modality && reference.one_price_all_modalities {
                        (fallback, None)
                    } else {
                        (own, fallback)
                    };
                let assumed = reference.assumption.is_some()
                    || (f == PriceField::CacheWrite && held.is_none());
                if judged(held, fallback, assumed) {
                    let price = entry[i].get_or_insert_with(learned_only);
                    set_token(price, f, lp, reference.assumption.is_some());
                }
            }
            PriceField::Embeddings => {
                let Some(i) = Tier::named(&key.tier).index() else {
                    continue;
                };
                let tiers = find(&base.embeddings, &key.model)
                    .copied()
                    .unwrap_or_default();
                let entry = table.embeddings.entry(key.model.clone()).or_insert(tiers);
                if judged(entry[i], None, false) {
                    entry[i] = Some(lp.per_unit);
                    table.embeddings_bill.entry(key.model.clone()).or_default()[i] = Some(lp.day);
                }
            }
            PriceField::Image => {
                let held = find(&base.images, &key.model).cloned().unwrap_or_default();
                let entry = table.images.entry(key.model.clone()).or_insert(held);
                let size = key.detail.clone();
                let own = entry.sizes.get(&size).copied();
                let assumed = entry.assumed_quality.is_some() || entry.assumption.is_some();
                // A price per image of any size (a token-billed image model) prices every size
                // the bill has no size of its own for.
                if size.is_empty() {
                    entry.any_size_bill = Some((lp.per_unit, lp.day));
                // Within 5 % the bill's price is taken too: it is what every quality and
                // source of that size was billed (no assumption left to mark).
                } else if judged(
                    own,
                    None,
                    assumed || own.is_some_and(|t| !off(t, lp.per_unit)),
                ) {
                    entry.sizes.insert(size.clone(), lp.per_unit);
                    entry.bill_sizes.insert(size, lp.day);
                }
            }
            PriceField::Speech | PriceField::Transcription | PriceField::WebSearch => {
                let map = match key.field {
                    PriceField::Speech => &mut table.speech,
                    PriceField::Transcription => &mut table.transcription,
                    _ => &mut table.web_search,
                };
                let held = find(map, &key.model).copied();
                let take = judged(
                    held.map(|h| h.usd),
                    None,
                    held.is_some_and(|h| h.assumption.is_some()),
                );
                if take {
                    map.insert(
                        key.model.clone(),
                        super::UnitPrice {
                            usd: lp.per_unit,
                            assumption: None,
                            bill_day: Some(lp.day),
                        },
                    );
                }
            }
            PriceField::FileSearch => {
                let held = table.file_search;
                if judged(held.map(|h| h.usd), None, false) {
                    table.file_search = Some(super::UnitPrice {
                        usd: lp.per_unit,
                        assumption: None,
                        bill_day: Some(lp.day),
                    });
                }
            }
            _ => {}
        }
    }
    checks.sort_by(|a, b| (&a.model, &a.kind).cmp(&(&b.model, &b.kind)));
    Prices {
        table,
        checks,
        learned: learned.clone(),
        mode,
    }
}

/// A completions entry the table does not have: only what the bill priced, no modality
/// priced at another's rate.
fn learned_only() -> super::Price {
    super::Price {
        one_price_all_modalities: false,
        ..super::Price::default()
    }
}

/// Sets token field `f` of `price` from the bill; `clears` drops the entry's assumption once
/// the bill prices its text input and output.
fn set_token(price: &mut super::Price, f: PriceField, lp: &LearnedPrice, clears: bool) {
    *token_slot(price, f) = Some(lp.per_unit);
    let (mask, day) = price.from_bill.unwrap_or((0, lp.day));
    let mask = mask | f.bit();
    price.from_bill = Some((mask, day.max(lp.day)));
    let text = PriceField::Input.bit() | PriceField::Output.bit();
    if clears && mask & text == text {
        price.assumption = None;
    }
}

/// The prices every tracker of one process prices with: the table (built-in and the user's
/// file) and what the bill has taught so far, swapped whole when the bill teaches something
/// new. Cloning shares it: the live tracker, the bill's day estimates, the pace rounds and the
/// budgets all read the same [`Prices`].
#[derive(Clone)]
pub struct PriceBook(std::sync::Arc<Book>);

struct Book {
    base: std::sync::Arc<PriceTable>,
    mode: PriceMode,
    current: std::sync::RwLock<std::sync::Arc<Prices>>,
}

impl fmt::Debug for PriceBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let now = self.current();
        f.debug_struct("PriceBook")
            .field("compiled", &self.0.base.compiled)
            .field("mode", &self.0.mode)
            .field("learned", &now.learned.prices.len())
            .field("checks", &now.checks.len())
            .finish()
    }
}

impl PriceBook {
    pub fn new(base: std::sync::Arc<PriceTable>, mode: PriceMode) -> PriceBook {
        let current = Prices::table_only((*base).clone(), mode);
        PriceBook(std::sync::Arc::new(Book {
            base,
            mode,
            current: std::sync::RwLock::new(std::sync::Arc::new(current)),
        }))
    }

    /// The built-in table alone, at the default mode (tests, and front ends without a bill).
    pub fn builtin() -> PriceBook {
        PriceBook::new(
            std::sync::Arc::new(PriceTable::builtin().clone()),
            PriceMode::default(),
        )
    }

    /// What to price with now.
    pub fn current(&self) -> std::sync::Arc<Prices> {
        // A poisoned lock held a whole `Arc` before the panic: still a valid price list.
        self.0
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The table without anything learned.
    pub fn base(&self) -> &PriceTable {
        &self.0.base
    }

    pub fn mode(&self) -> PriceMode {
        self.0.mode
    }

    /// Takes in prices read off the bill (newer days win); `true` when that changed anything,
    /// and then the prices every tracker reads are laid anew.
    pub fn learn(&self, newer: Learned) -> bool {
        let now = self.current();
        let mut learned = now.learned.clone();
        learned.update(newer);
        if learned == now.learned {
            return false;
        }
        let prices = apply(&self.0.base, &learned, self.0.mode);
        *self.0.current.write().unwrap_or_else(|p| p.into_inner()) = std::sync::Arc::new(prices);
        true
    }
}

#[cfg(test)]
mod tests;
