//! Unit prices read off the bill: for each settled UTC day, each line item's amount ÷ quantity,
//! keyed by the usage it bills ([`super::matching`]), in the price table's units. Pure; the bill
//! tracker calls it when days settle, and `pricing::learned` lays the result over the table.
//!
//! - Token lines (`gpt-4o-2024-08-06, cached input`, `batch | …`, `ultrafast | …`) price a token
//!   field of the model at the tier the name gives (`standard` without one), per 1M tokens.
//!   A `long context` line is priced with its kind: the surcharge raises the field's unit price,
//!   which the price checks then show.
//! - Images by size (`dall-e-3, images, 1024x1024`) price one image of that size, whatever mix of
//!   qualities was billed: the usage reports no quality, so the billed average is the price.
//! - Speech per 1M characters, transcription per minute (quantities in seconds, minutes or hours),
//!   web and file search per 1K calls, embeddings per 1M tokens.
//! - Lines billed in tokens for usage another endpoint counts (a `gpt-image-1 image, output` line
//!   bills the images the images endpoint counts; a token-billed speech or transcription model
//!   likewise) price that usage's unit: the day's amount for the model ÷ the day's usage of it.
//!
//! Only USD amounts with a quantity in a unit that fits the kind teach a price; anything else
//! (another currency, a null or unknown unit, storage) is left out, never guessed.

use super::line_item::read_line_item;
use super::matching::{Placement, UsageLine, endpoint_of, match_item};
use super::{BilledDay, LineItem, LineKind, is_settled};
use crate::pricing::learned::{Learned, LearnedPrice, PriceField, PriceKey};
use crate::usage::Endpoint;
use std::collections::BTreeMap;

/// The usage of one UTC day, per endpoint and model, that the bill's items are matched to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DayUsage {
    /// The day's UTC midnight.
    pub day: i64,
    /// (endpoint, model, quantity in the endpoint's unit; completions: input + output tokens).
    pub rows: Vec<(Endpoint, String, u64)>,
}

/// The token field a line item of `kind` prices.
fn token_field(kind: LineKind) -> Option<PriceField> {
    use LineKind as K;
    Some(match kind {
        K::Input => PriceField::Input,
        K::CachedInput => PriceField::CachedInput,
        K::CacheWrite => PriceField::CacheWrite,
        K::Output => PriceField::Output,
        K::AudioInput => PriceField::AudioInput,
        K::CachedAudioInput => PriceField::CachedAudioInput,
        K::AudioOutput => PriceField::AudioOutput,
        K::ImageInput => PriceField::ImageInput,
        K::CachedImageInput => PriceField::CachedImageInput,
        K::ImageOutput => PriceField::ImageOutput,
        _ => return None,
    })
}

/// The item's quantity in the unit of the price of `field`, per which many units its price is
/// quoted (1M tokens, 1 image, 1M characters, 1 minute, 1K calls); `None` when the unit does not
/// fit.
fn measured(item: &LineItem, field: PriceField) -> Option<(f64, f64)> {
    let q = item.quantity.filter(|q| q.is_finite() && *q > 0.0)?;
    let unit = item.quantity_unit.as_deref().map(str::to_ascii_lowercase);
    let unit = unit.as_deref();
    Some(match field {
        PriceField::Image => match unit {
            None | Some("images" | "image") => (q, 1.0),
            _ => return None,
        },
        PriceField::Speech => match unit {
            None | Some("characters") => (q, 1e6),
            _ => return None,
        },
        PriceField::Transcription => match unit {
            Some("duration_seconds" | "seconds") => (q / 60.0, 1.0),
            Some("duration_minutes" | "minutes") => (q, 1.0),
            Some("duration_hours" | "hours") => (q * 60.0, 1.0),
            _ => return None,
        },
        PriceField::WebSearch | PriceField::FileSearch => match unit {
            None | Some("calls" | "requests") => (q, 1e3),
            _ => return None,
        },
        // Tokens (embeddings included).
        _ => match unit {
            None | Some("tokens") => (q, 1e6),
            Some("1000_tokens") => (q * 1e3, 1e6),
            _ => return None,
        },
    })
}

/// The price field of the usage of `endpoint` a token-billed line prices.
fn meter_field(endpoint: Endpoint) -> Option<PriceField> {
    match endpoint {
        Endpoint::Images => Some(PriceField::Image),
        Endpoint::AudioSpeeches => Some(PriceField::Speech),
        Endpoint::AudioTranscriptions => Some(PriceField::Transcription),
        _ => None,
    }
}

/// A usage quantity in the unit of `field` and the per-how-many of its price.
fn usage_measure(field: PriceField, quantity: u64) -> (f64, f64) {
    let q = quantity as f64;
    match field {
        PriceField::Speech => (q, 1e6),
        PriceField::Transcription => (q / 60.0, 1.0),
        _ => (q, 1.0),
    }
}

/// (amount in USD, quantity in the price's unit, per) summed over a day.
#[derive(Default)]
struct Sum {
    usd: f64,
    quantity: f64,
    per: f64,
}

/// The unit prices of one day's items.
fn day_prices(day: &BilledDay, usage: &DayUsage) -> BTreeMap<PriceKey, Sum> {
    let lines: Vec<UsageLine<'_>> = usage
        .rows
        .iter()
        .map(|(endpoint, model, quantity)| UsageLine {
            endpoint: *endpoint,
            model,
            quantity: *quantity,
        })
        .collect();
    let mut out: BTreeMap<PriceKey, Sum> = BTreeMap::new();
    // Token-billed usage of another endpoint: its amounts by usage row, its quantity once.
    let mut by_row: BTreeMap<usize, f64> = BTreeMap::new();
    for item in &day.items {
        if !item.amount.currency.eq_ignore_ascii_case("usd") || item.amount.value < 0.0 {
            continue;
        }
        let Placement::Rows(rows) = match_item(item, &lines) else {
            continue;
        };
        let read = read_line_item(Some(&item.name));
        let tier = read.tier.unwrap_or_else(|| "standard".to_owned());
        for (i, usd) in rows {
            let row = lines[i];
            if Some(row.endpoint) != endpoint_of(item.kind) {
                if meter_field(row.endpoint).is_some() {
                    *by_row.entry(i).or_default() += usd;
                }
                continue;
            }
            let field = match item.kind {
                LineKind::Embeddings => PriceField::Embeddings,
                LineKind::Images => PriceField::Image,
                LineKind::Speech => PriceField::Speech,
                LineKind::Transcription => PriceField::Transcription,
                LineKind::WebSearch => PriceField::WebSearch,
                LineKind::FileSearch => PriceField::FileSearch,
                k => match token_field(k) {
                    Some(f) => f,
                    None => continue,
                },
            };
            let Some((quantity, per)) = measured(item, field) else {
                continue;
            };
            // A share of the item: the same share of its quantity.
            let share = if item.amount.value > 0.0 {
                usd / item.amount.value
            } else {
                1.0
            };
            let detail = match field {
                PriceField::Image => read.detail.clone().unwrap_or_default(),
                _ => String::new(),
            };
            // Only tokens and embeddings are sold at tiers; the other meters at one price.
            let tier = if field.is_tokens() || field == PriceField::Embeddings {
                tier.clone()
            } else {
                "standard".to_owned()
            };
            let key = PriceKey {
                model: row.model.to_owned(),
                tier,
                field,
                detail,
            };
            let s = out.entry(key).or_default();
            s.usd += usd;
            s.quantity += quantity * share;
            s.per = per;
        }
    }
    for (i, usd) in by_row {
        let row = lines[i];
        let Some(field) = meter_field(row.endpoint) else {
            continue;
        };
        let (quantity, per) = usage_measure(field, row.quantity);
        let key = PriceKey {
            model: row.model.to_owned(),
            tier: "standard".to_owned(),
            field,
            detail: String::new(),
        };
        let s = out.entry(key).or_default();
        s.usd += usd;
        s.quantity += quantity;
        s.per = per;
    }
    out
}

/// The unit prices of the settled days of `days` (at `now`) whose usage is in `usage`: for each
/// key, the newest day's.
pub fn learn(days: &[BilledDay], usage: &[DayUsage], now: i64) -> Learned {
    let mut learned = Learned::default();
    let mut settled: Vec<&BilledDay> = days
        .iter()
        .filter(|d| is_settled(d.start_time, now))
        .collect();
    settled.sort_by_key(|d| d.start_time);
    for day in settled {
        let Some(u) = usage.iter().find(|u| u.day == day.start_time) else {
            continue;
        };
        for (key, s) in day_prices(day, u) {
            if s.quantity > 0.0 && s.usd.is_finite() {
                learned.prices.insert(
                    key,
                    LearnedPrice {
                        per_unit: s.usd / s.quantity * s.per,
                        day: day.start_time,
                    },
                );
            }
        }
    }
    learned
}
