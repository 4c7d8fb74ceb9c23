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

/// `v` to 9 significant digits: a price is published with far fewer, and amount ÷ quantity
/// carries the sums' floating-point noise (`2.9999999999999996` is $3.00).
fn significant(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(9 - v.abs().log10().ceil() as i32);
    (v * scale).round() / scale
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
                        per_unit: significant(s.usd / s.quantity * s.per),
                        day: day.start_time,
                    },
                );
            }
        }
    }
    learned
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::days::line_item;

    /// 2026-12-06, settled at NOW; 2026-12-07, not yet.
    const DEC_6: i64 = 1_796_515_200;
    const DEC_7: i64 = DEC_6 + 86_400;
    const NOW: i64 = DEC_7 + 12 * 3600;

    fn item(name: &str, usd: f64, quantity: Option<f64>, unit: Option<&str>) -> LineItem {
        line_item(Some(name), usd, "usd", quantity, unit, None, None)
    }

    fn usage(day: i64) -> DayUsage {
        let row = |e, m: &str, q| (e, m.to_owned(), q);
        DayUsage {
            day,
            rows: vec![
                row(
                    Endpoint::Completions,
                    "gpt-6.9-preview-2026-12-01",
                    3_000_000,
                ),
                row(Endpoint::Completions, "gpt-5-mini-2025-08-07", 5_000_000),
                row(
                    Endpoint::Completions,
                    "ft:gpt-4o-mini-2024-07-18:acme::abc123",
                    2_000_000,
                ),
                row(Endpoint::Images, "dall-e-3", 10),
                row(Endpoint::Images, "gpt-image-1", 4),
                row(Endpoint::WebSearchCalls, "gpt-4o-mini-2024-07-18", 300),
                row(Endpoint::WebSearchCalls, "o4-mini-2025-04-16", 100),
                row(Endpoint::AudioTranscriptions, "whisper-1", 600),
            ],
        }
    }

    fn price(l: &Learned, model: &str, tier: &str, field: PriceField, detail: &str) -> f64 {
        let key = PriceKey {
            model: model.into(),
            tier: tier.into(),
            field,
            detail: detail.into(),
        };
        l.prices
            .get(&key)
            .unwrap_or_else(|| panic!("no price for {key:?} in {l:#?}"))
            .per_unit
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn each_kind_is_priced_in_the_tables_unit_on_the_usage_it_bills() {
        let day = BilledDay {
            start_time: DEC_6,
            items: vec![
                item(
                    "gpt-6.9-preview-2026-12-01, input",
                    6.0,
                    Some(2e6),
                    Some("tokens"),
                ),
                item(
                    "gpt-6.9-preview-2026-12-01, output",
                    18.0,
                    Some(1e6),
                    Some("tokens"),
                ),
                item(
                    "ultrafast | gpt-5-mini-2025-08-07, output",
                    6.0,
                    Some(1e6),
                    Some("tokens"),
                ),
                item(
                    "batch | gpt-5-mini-2025-08-07, cached input",
                    0.0125,
                    Some(1e6),
                    None,
                ),
                item(
                    "ft-gpt-4o-mini-2024-07-18, input",
                    0.3,
                    Some(1e6),
                    Some("tokens"),
                ),
                item(
                    "dall-e-3, images, 1024x1024",
                    0.52,
                    Some(10.0),
                    Some("images"),
                ),
                // Billed in tokens, counted by the images endpoint: per image.
                item(
                    "gpt-image-1 image, output",
                    0.9984,
                    Some(24_960.0),
                    Some("tokens"),
                ),
                item(
                    "gpt-image-1 text, input",
                    0.001,
                    Some(200.0),
                    Some("tokens"),
                ),
                // One line for every model's calls: the same price per call for each.
                item("web search tool calls", 4.0, Some(400.0), None),
                item(
                    "whisper-1, minutes",
                    0.06,
                    Some(600.0),
                    Some("duration_seconds"),
                ),
                // Taught nothing: no quantity, another currency, storage, an unknown unit.
                item("gpt-6.9-preview-2026-12-01, cached input", 1.0, None, None),
                line_item(
                    Some("gpt-5-mini-2025-08-07, input"),
                    9.0,
                    "eur",
                    Some(1e6),
                    Some("tokens"),
                    None,
                    None,
                ),
                item("Vector storage", 0.25, None, None),
                item(
                    "gpt-5-mini-2025-08-07, input",
                    9.0,
                    Some(3.0),
                    Some("gibibyte_hours"),
                ),
            ],
        };
        let l = learn(&[day], &[usage(DEC_6)], NOW);
        close(
            price(
                &l,
                "gpt-6.9-preview-2026-12-01",
                "standard",
                PriceField::Input,
                "",
            ),
            3.0,
        );
        close(
            price(
                &l,
                "gpt-6.9-preview-2026-12-01",
                "standard",
                PriceField::Output,
                "",
            ),
            18.0,
        );
        close(
            price(
                &l,
                "gpt-5-mini-2025-08-07",
                "ultrafast",
                PriceField::Output,
                "",
            ),
            6.0,
        );
        close(
            price(
                &l,
                "gpt-5-mini-2025-08-07",
                "batch",
                PriceField::CachedInput,
                "",
            ),
            0.0125,
        );
        close(
            price(
                &l,
                "ft:gpt-4o-mini-2024-07-18:acme::abc123",
                "standard",
                PriceField::Input,
                "",
            ),
            0.3,
        );
        close(
            price(&l, "dall-e-3", "standard", PriceField::Image, "1024x1024"),
            0.052,
        );
        close(
            price(&l, "gpt-image-1", "standard", PriceField::Image, ""),
            0.9994 / 4.0,
        );
        close(
            price(
                &l,
                "gpt-4o-mini-2024-07-18",
                "standard",
                PriceField::WebSearch,
                "",
            ),
            10.0,
        );
        close(
            price(
                &l,
                "o4-mini-2025-04-16",
                "standard",
                PriceField::WebSearch,
                "",
            ),
            10.0,
        );
        close(
            price(&l, "whisper-1", "standard", PriceField::Transcription, ""),
            0.006,
        );
        assert_eq!(l.prices.len(), 10, "{l:#?}");
        assert!(l.prices.values().all(|p| p.day == DEC_6));
    }

    #[test]
    fn only_settled_days_teach_and_the_newest_wins() {
        let day = |start, usd| BilledDay {
            start_time: start,
            items: vec![item(
                "gpt-6.9-preview-2026-12-01, input",
                usd,
                Some(1e6),
                Some("tokens"),
            )],
        };
        let dec_5 = DEC_6 - 86_400;
        let days = [day(dec_5, 2.0), day(DEC_6, 3.0), day(DEC_7, 9.0)];
        let usage = [usage(dec_5), usage(DEC_6), usage(DEC_7)];
        let l = learn(&days, &usage, NOW);
        let key = PriceKey {
            model: "gpt-6.9-preview-2026-12-01".into(),
            tier: "standard".into(),
            field: PriceField::Input,
            detail: String::new(),
        };
        assert_eq!(
            l.prices[&key],
            LearnedPrice {
                per_unit: 3.0,
                day: DEC_6
            }
        );
        // Without the day's usage nothing can be matched: nothing learned.
        assert!(learn(&days, &[], NOW).is_empty());
    }
}
