//! Which usage a billed line item bills. The Costs API names models its own way (fine-tunes as
//! `ft-<base>`, sometimes a model without its date) and bills some usage under another kind
//! than the usage endpoint that counts it (`gpt-image-1 image, output` is tokens; the *images*
//! endpoint counts it), so a line item is tied to the usage rows of its day by this rule. Pure;
//! `history` uses it to put each bill beside its usage, and prices learned from the bill can be
//! keyed by usage model names with [`usage_models`].
//!
//! THE RULE. A line item's model names the usage models (of one endpoint, one day) that are
//! 1. the same name (ASCII case ignored); else
//! 2. the fine-tunes of its base: `ft-<base>` names every `ft:<base>:<org>::<id>` (several when
//!    several fine-tunes of one base were used: the item is split among them); else
//! 3. the same after removing a `-YYYY-MM-DD` date from either name
//!    ([`crate::pricing::strip_date_suffix`]; for fine-tunes, from the base), when that leaves
//!    one model (or the fine-tunes of one base); two dated models of one name match neither.
//!
//! An item bills the usage of the endpoint of its kind ([`endpoint_of`]) when its model names
//! usage there; otherwise the one other endpoint whose usage it names, if exactly one does
//! (`gpt-image-1` tokens: images; `gpt-4o-mini-tts` tokens: speech; `*-transcribe` tokens:
//! transcription). An item without a model (`web search tool calls`, `file search tool calls`,
//! `Image models`) bills every usage row of its kind's endpoint. Several rows share the amount
//! in proportion to their quantity (calls, images, tokens; equally when all are 0); the shares
//! sum to the amount, the last one taking the rounding rest. An item with no usage to bill
//! (none that day, a kind of no endpoint such as storage, two endpoints naming its model) keeps
//! a line of its own, under its model or else its name: never dropped.

use super::{LineItem, LineKind};
use crate::pricing::strip_date_suffix;
use crate::usage::Endpoint;

/// The usage endpoint that counts what a line item of `kind` bills; `None` for the kinds of no
/// endpoint (storage, code interpreter, names the app cannot read).
pub fn endpoint_of(kind: LineKind) -> Option<Endpoint> {
    use LineKind as K;
    Some(match kind {
        K::Input
        | K::CachedInput
        | K::CacheWrite
        | K::Output
        | K::AudioInput
        | K::AudioOutput
        | K::CachedAudioInput
        | K::ImageInput
        | K::ImageOutput
        | K::CachedImageInput => Endpoint::Completions,
        K::Images => Endpoint::Images,
        K::Speech => Endpoint::AudioSpeeches,
        K::Transcription => Endpoint::AudioTranscriptions,
        K::WebSearch => Endpoint::WebSearchCalls,
        K::FileSearch => Endpoint::FileSearchCalls,
        K::Embeddings => Endpoint::Embeddings,
        K::Moderations => Endpoint::Moderations,
        K::Other => return None,
    })
}

/// One usage row of a day, as the matching sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageLine<'a> {
    pub endpoint: Endpoint,
    /// The model as the usage endpoint reports it (file search: the vector store).
    pub model: &'a str,
    /// In the endpoint's unit (completions: input + output tokens).
    pub quantity: u64,
}

/// Where a line item's amount goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Placement<'a> {
    /// On these usage rows (indices into the day's usage given to [`match_item`]), each with
    /// its part of the amount; the parts sum to the amount.
    Rows(Vec<(usize, f64)>),
    /// No usage to bill: a line of its own, under the endpoint of its kind (`None` for a kind
    /// of no endpoint) and its model, or its name when it names none.
    Own {
        endpoint: Option<Endpoint>,
        name: &'a str,
    },
}

/// `ft:<base>:…` (usage) and `ft-<base>` (line items) are both the fine-tune `(true, base)`;
/// any other name is `(false, name)`.
fn fine_tune(name: &str) -> (bool, &str) {
    if let Some(rest) = name.strip_prefix("ft:") {
        return (true, rest.split(':').next().unwrap_or(rest));
    }
    match name.strip_prefix("ft-") {
        Some(base) => (true, base),
        None => (false, name),
    }
}

fn undated(name: &str) -> &str {
    strip_date_suffix(name).unwrap_or(name)
}

/// The usage models that `line_model` (a model read from a line item) names among
/// `usage_models`, by the rule of this module: empty when none does (or the dates leave two
/// apart), several only for the fine-tunes of one base. Each model at most once, in the order
/// given.
pub fn usage_models<'a>(
    line_model: &str,
    usage_models: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut usage: Vec<&'a str> = Vec::new();
    for m in usage_models {
        if !usage.contains(&m) {
            usage.push(m);
        }
    }
    if let Some(&same) = usage.iter().find(|m| m.eq_ignore_ascii_case(line_model)) {
        return vec![same];
    }
    let (ft, base) = fine_tune(line_model);
    let with = |same_base: &dyn Fn(&str) -> bool| -> Vec<&'a str> {
        usage
            .iter()
            .copied()
            .filter(|m| {
                let (f, b) = fine_tune(m);
                f == ft && same_base(b)
            })
            .collect()
    };
    let by_base = with(&|b| b.eq_ignore_ascii_case(base));
    if !by_base.is_empty() {
        return by_base;
    }
    let by_undated = with(&|b| undated(b).eq_ignore_ascii_case(undated(base)));
    let one_base = by_undated
        .windows(2)
        .all(|w| fine_tune(w[0]).1.eq_ignore_ascii_case(fine_tune(w[1]).1));
    if one_base { by_undated } else { Vec::new() }
}

/// The one usage model `line_model` names, when it names exactly one (see [`usage_models`]).
pub fn usage_model<'a>(
    line_model: &str,
    usage_models: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    match self::usage_models(line_model, usage_models).as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Where `item` goes among `day`, the usage rows of its day (any order, any endpoints), by the
/// rule of this module. The parts are of `item.amount.value`, whatever its currency.
pub fn match_item<'a>(item: &'a LineItem, day: &[UsageLine<'_>]) -> Placement<'a> {
    let name = item.model.as_deref().unwrap_or(&item.name);
    let Some(endpoint) = endpoint_of(item.kind) else {
        return Placement::Own {
            endpoint: None,
            name,
        };
    };
    let rows_of = |e: Endpoint, model: Option<&str>| -> Vec<usize> {
        let on_e = || day.iter().enumerate().filter(move |(_, u)| u.endpoint == e);
        let named = model.map(|m| usage_models(m, on_e().map(|(_, u)| u.model)));
        on_e()
            .filter(|(_, u)| named.as_ref().is_none_or(|n| n.contains(&u.model)))
            .map(|(i, _)| i)
            .collect()
    };
    let mut rows = rows_of(endpoint, item.model.as_deref());
    if rows.is_empty()
        && let Some(model) = item.model.as_deref()
    {
        let mut elsewhere = Endpoint::ALL
            .into_iter()
            .filter(|&e| e != endpoint)
            .map(|e| rows_of(e, Some(model)))
            .filter(|r| !r.is_empty());
        if let (Some(only), None) = (elsewhere.next(), elsewhere.next()) {
            rows = only;
        }
    }
    if rows.is_empty() {
        return Placement::Own {
            endpoint: Some(endpoint),
            name,
        };
    }
    Placement::Rows(split(item.amount.value, &rows, day))
}

/// `amount` over `rows` in proportion to their quantity (equally when all are 0), the last
/// share taking the rest so that the shares sum to `amount`.
fn split(amount: f64, rows: &[usize], day: &[UsageLine<'_>]) -> Vec<(usize, f64)> {
    let total: u64 = rows.iter().map(|&i| day[i].quantity).sum();
    let weight = |i: usize| {
        if total == 0 {
            1.0 / rows.len() as f64
        } else {
            day[i].quantity as f64 / total as f64
        }
    };
    let mut given = 0.0;
    let mut out: Vec<(usize, f64)> = Vec::with_capacity(rows.len());
    for (n, &i) in rows.iter().enumerate() {
        let part = if n + 1 == rows.len() {
            amount - given
        } else {
            amount * weight(i)
        };
        given += part;
        out.push((i, part));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::line_item;
    use crate::bill::test_data::item;
    use Endpoint::*;

    #[test]
    fn usage_models_by_name_fine_tune_base_and_date() {
        let ft_a = "ft:gpt-4o-mini-2024-07-18:acme::a1";
        let ft_b = "ft:gpt-4o-mini-2024-07-18:acme::b2";
        #[rustfmt::skip]
        let table: &[(&str, &[&str], &[&str])] = &[
            // The same name, case aside; not its fine-tune nor a longer name.
            ("gpt-4o-2024-08-06", &["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", ft_a], &["gpt-4o-2024-08-06"]),
            ("GPT-4O-2024-08-06", &["gpt-4o-2024-08-06"], &["gpt-4o-2024-08-06"]),
            ("gpt-4o-mini-2024-07-18", &[ft_a], &[]),
            ("gpt-4o", &["gpt-4o-mini"], &[]),
            // A fine-tune's line names its usage, not its base model's.
            ("ft-gpt-4o-mini-2024-07-18", &["gpt-4o-mini-2024-07-18", ft_a], &[ft_a]),
            // Several fine-tunes of one base: all of them (the item is split).
            ("ft-gpt-4o-mini-2024-07-18", &[ft_a, "ft:gpt-4o-2024-08-06:acme::c3", ft_b], &[ft_a, ft_b]),
            ("ft-gpt-4o-2024-08-06", &[ft_a, ft_b], &[]),
            // A full fine-tune name is the same name.
            (ft_b, &[ft_a, ft_b], &[ft_b]),
            // Dates: removed on either side when that leaves one model.
            ("gpt-4o", &["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06"], &["gpt-4o-2024-08-06"]),
            ("gpt-4.1-2025-04-14", &["gpt-4.1", "gpt-4.1-mini"], &["gpt-4.1"]),
            ("gpt-4o-2024-11-20", &["gpt-4o-2024-08-06"], &["gpt-4o-2024-08-06"]),
            ("gpt-4o", &["gpt-4o-2024-08-06", "gpt-4o-2024-11-20"], &[]),
            ("ft-gpt-4o-mini", &[ft_a, ft_b, "gpt-4o-mini-2024-07-18"], &[ft_a, ft_b]),
            ("ft-gpt-4o-mini", &[ft_a, "ft:gpt-4o-mini-2025-01-01:acme::d4"], &[]),
            // A name given twice counts once.
            ("gpt-4o", &["gpt-4o-2024-08-06", "gpt-4o-2024-08-06"], &["gpt-4o-2024-08-06"]),
            ("gpt-4o", &[], &[]),
        ];
        for &(line, usage, want) in table {
            assert_eq!(
                usage_models(line, usage.iter().copied()),
                want,
                "{line} in {usage:?}"
            );
            let one = (want.len() == 1).then(|| want[0]);
            assert_eq!(usage_model(line, usage.iter().copied()), one, "{line}");
        }
    }

    /// One day of usage with a row for every model the spellings name.
    #[rustfmt::skip]
    const DAY: &[(Endpoint, &str, u64)] = &[
        (Completions, "gpt-5.5-2026-04-23", 1_000),
        (Completions, "gpt-4.1-2025-04-14", 2_000),
        (Completions, "gpt-5.6-sol", 3_000),
        (Completions, "gpt-4o-mini-2024-07-18", 4_000),
        (Completions, "gpt-audio-mini-2025-12-15", 500),
        (Completions, "gpt-5.4-mini-2026-03-17", 600),
        (Completions, "gpt-4o-2024-08-06", 7_000),
        (Completions, "ft:gpt-4o-2024-08-06:acme::x1", 800),
        (Completions, "gpt-realtime-2025-08-28", 900),
        (Completions, "gpt-5-mini-2025-08-07", 1_100),
        (Images, "gpt-image-1", 4),
        (Images, "gpt-image-2.5-flare", 2),
        (Images, "gpt-image-2.5-sunburst", 1),
        (Images, "dall-e-3", 3),
        (AudioSpeeches, "tts-1", 10_000),
        (AudioSpeeches, "gpt-4o-mini-tts", 2_000),
        (AudioTranscriptions, "whisper-1", 600),
        (AudioTranscriptions, "gpt-4o-mini-transcribe", 120),
        (Embeddings, "text-embedding-3-small", 50_000),
        (WebSearchCalls, "gpt-4o-2024-08-06", 3),
        (WebSearchCalls, "gpt-5-mini-2025-08-07", 1),
        (FileSearchCalls, "vs_abc", 5),
    ];

    fn day() -> Vec<UsageLine<'static>> {
        DAY.iter()
            .map(|&(endpoint, model, quantity)| UsageLine {
                endpoint,
                model,
                quantity,
            })
            .collect()
    }

    /// The (endpoint, model) of the rows an item bills, or `Err` with its own line.
    type Placed = Result<Vec<(Endpoint, &'static str)>, (Option<Endpoint>, String)>;

    /// Where `item` goes, its parts checked to sum to its amount.
    fn placed(item: &LineItem, day: &[UsageLine<'static>]) -> Placed {
        match match_item(item, day) {
            Placement::Rows(rows) => {
                let sum: f64 = rows.iter().map(|r| r.1).sum();
                assert_eq!(sum, item.amount.value, "{}: {rows:?}", item.name);
                Ok(rows
                    .iter()
                    .map(|&(i, _)| (day[i].endpoint, day[i].model))
                    .collect())
            }
            Placement::Own { endpoint, name } => Err((endpoint, name.to_owned())),
        }
    }

    fn usd(name: &str, value: f64) -> LineItem {
        line_item(Some(name), value, "usd", None, None, None, None)
    }

    #[test]
    fn every_spelling_bills_its_usage_row() {
        let day = day();
        let all = |e: Endpoint| -> Vec<(Endpoint, &'static str)> {
            DAY.iter()
                .filter(|r| r.0 == e)
                .map(|r| (r.0, r.1))
                .collect()
        };
        let one = |e, m| Ok(vec![(e, m)]);
        let own = |e: Option<Endpoint>, n: &str| Err((e, n.to_owned()));
        #[rustfmt::skip]
        let table = [
            // shared/openai/costs-and-other-endpoints.md, 2.3
            ("gpt-5.5-2026-04-23, input", one(Completions, "gpt-5.5-2026-04-23")),
            ("gpt-5.5-2026-04-23, cached input", one(Completions, "gpt-5.5-2026-04-23")),
            ("gpt-4.1-2025-04-14, output", one(Completions, "gpt-4.1-2025-04-14")),
            ("web search tool calls", Ok(all(WebSearchCalls))),
            ("priority | gpt-5.6-sol, output, long context", one(Completions, "gpt-5.6-sol")),
            ("gpt-4o-mini-2024-07-18, cached input", one(Completions, "gpt-4o-mini-2024-07-18")),
            ("gpt-5.6-sol, cache writes", one(Completions, "gpt-5.6-sol")),
            ("gpt-audio-mini-2025-12-15 audio, input", one(Completions, "gpt-audio-mini-2025-12-15")),
            ("gpt-5.4-mini-2026-03-17, cached input", one(Completions, "gpt-5.4-mini-2026-03-17")),
            ("gpt-image-2.5-flare image, output", one(Images, "gpt-image-2.5-flare")),
            ("gpt-image-2.5-sunburst text, cached input", one(Images, "gpt-image-2.5-sunburst")),
            ("Vector storage", own(None, "Vector storage")),
            ("gpt-4o-mini-tts, audio output", one(AudioSpeeches, "gpt-4o-mini-tts")),
            ("gpt-4o-mini-tts, input", one(AudioSpeeches, "gpt-4o-mini-tts")),
            ("Text tokens", own(None, "Text tokens")),
            ("ft-gpt-4o-2024-08-06, input", one(Completions, "ft:gpt-4o-2024-08-06:acme::x1")),
            ("input_tokens", Ok(all(Completions))),
            ("Image models", Ok(all(Images))),
            // the spellings the simulator bills with
            ("gpt-4o-2024-08-06, input", one(Completions, "gpt-4o-2024-08-06")),
            ("batch | gpt-4o-mini-2024-07-18, cached input", one(Completions, "gpt-4o-mini-2024-07-18")),
            ("flex | gpt-5-mini-2025-08-07, output", one(Completions, "gpt-5-mini-2025-08-07")),
            ("gpt-realtime-2025-08-28 audio, output", one(Completions, "gpt-realtime-2025-08-28")),
            ("gpt-realtime-2025-08-28 audio, cached input", one(Completions, "gpt-realtime-2025-08-28")),
            ("gpt-image-1 image, output", one(Images, "gpt-image-1")),
            ("gpt-image-1 text, input", one(Images, "gpt-image-1")),
            ("file search tool calls", Ok(all(FileSearchCalls))),
            ("tts-1, characters", one(AudioSpeeches, "tts-1")),
            ("whisper-1, minutes", one(AudioTranscriptions, "whisper-1")),
            ("gpt-4o-mini-transcribe, input", one(AudioTranscriptions, "gpt-4o-mini-transcribe")),
            ("gpt-4o-mini-transcribe, minutes", one(AudioTranscriptions, "gpt-4o-mini-transcribe")),
            ("text-embedding-3-small, input", one(Embeddings, "text-embedding-3-small")),
            // undated against dated, and another date of the one model of that name
            ("gpt-4.1, output", one(Completions, "gpt-4.1-2025-04-14")),
            ("gpt-4o-2024-11-20 audio, output", one(Completions, "gpt-4o-2024-08-06")),
            // no usage of it that day: a line of its own under its model or name
            ("o3-2025-04-16, output", own(Some(Completions), "o3-2025-04-16")),
            ("ft-gpt-4.1-2025-04-14, input", own(Some(Completions), "ft-gpt-4.1-2025-04-14")),
            ("tts-1-hd, characters", own(Some(AudioSpeeches), "tts-1-hd")),
            ("Fine-tuning training", own(None, "Fine-tuning training")),
            ("", own(None, "")),
        ];
        for (name, want) in table {
            assert_eq!(placed(&usd(name, 1.37), &day), want, "{name}");
        }
    }

    /// `dall-e-3, images, 1024x1024` and `ultrafast | <model>, <kind>` are not read by
    /// `line_item.rs` yet (it reads them as "other"): matched here as read once they are.
    #[test]
    fn items_read_with_a_model_and_kind_find_their_rows() {
        let day = day();
        let dalle = item(
            "dall-e-3, images, 1024x1024",
            Some("dall-e-3"),
            LineKind::Images,
            0.24,
            "usd",
        );
        assert_eq!(placed(&dalle, &day), Ok(vec![(Images, "dall-e-3")]));
        let fast = item(
            "ultrafast | gpt-5-mini-2025-08-07, output",
            Some("gpt-5-mini-2025-08-07"),
            LineKind::Output,
            0.3,
            "usd",
        );
        assert_eq!(
            placed(&fast, &day),
            Ok(vec![(Completions, "gpt-5-mini-2025-08-07")])
        );
    }

    #[test]
    fn a_bill_of_no_model_is_shared_by_quantity_and_sums_exactly() {
        let day = day();
        // 3 calls of gpt-4o and 1 of gpt-5-mini.
        let Placement::Rows(rows) = match_item(&usd("web search tool calls", 0.1), &day) else {
            panic!("no rows")
        };
        let parts: Vec<(&str, f64)> = rows.iter().map(|&(i, v)| (day[i].model, v)).collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, "gpt-4o-2024-08-06");
        assert!((parts[0].1 - 0.075).abs() < 1e-15, "{parts:?}");
        assert!((parts[1].1 - 0.025).abs() < 1e-15, "{parts:?}");
        assert_eq!(parts[0].1 + parts[1].1, 0.1);
        // Thirds that do not add up in binary: the last takes the rest.
        let thirds = [
            UsageLine {
                endpoint: WebSearchCalls,
                model: "a",
                quantity: 1,
            },
            UsageLine {
                endpoint: WebSearchCalls,
                model: "b",
                quantity: 1,
            },
            UsageLine {
                endpoint: WebSearchCalls,
                model: "c",
                quantity: 1,
            },
            UsageLine {
                endpoint: Completions,
                model: "a",
                quantity: 9,
            },
        ];
        for amount in [0.1, 1.0, 0.7, 12.345_678_9, 1e-9] {
            let Placement::Rows(rows) = match_item(&usd("web search tool calls", amount), &thirds)
            else {
                panic!("no rows")
            };
            assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [0, 1, 2]);
            assert_eq!(rows.iter().map(|r| r.1).sum::<f64>(), amount, "{rows:?}");
        }
        // Rows of no quantity share equally.
        let none = [
            UsageLine {
                endpoint: FileSearchCalls,
                model: "vs_1",
                quantity: 0,
            },
            UsageLine {
                endpoint: FileSearchCalls,
                model: "vs_2",
                quantity: 0,
            },
        ];
        assert_eq!(
            match_item(&usd("file search tool calls", 0.5), &none),
            Placement::Rows(vec![(0, 0.25), (1, 0.25)])
        );
        // No usage of the kind that day: its own line, under its name.
        assert_eq!(
            match_item(&usd("web search tool calls", 0.5), &none),
            Placement::Own {
                endpoint: Some(WebSearchCalls),
                name: "web search tool calls"
            }
        );
    }

    #[test]
    fn fine_tunes_of_one_base_share_its_bill_by_tokens() {
        let day = [
            UsageLine {
                endpoint: Completions,
                model: "gpt-4o-mini-2024-07-18",
                quantity: 1_000,
            },
            UsageLine {
                endpoint: Completions,
                model: "ft:gpt-4o-mini-2024-07-18:acme::a1",
                quantity: 300,
            },
            UsageLine {
                endpoint: Completions,
                model: "ft:gpt-4o-mini-2024-07-18:acme::b2",
                quantity: 100,
            },
        ];
        let item = usd("ft-gpt-4o-mini-2024-07-18, output", 2.0);
        assert_eq!(
            match_item(&item, &day),
            Placement::Rows(vec![(1, 1.5), (2, 0.5)])
        );
        // The base model's own line is not a fine-tune's.
        let base = usd("gpt-4o-mini-2024-07-18, output", 2.0);
        assert_eq!(match_item(&base, &day), Placement::Rows(vec![(0, 2.0)]));
    }

    #[test]
    fn a_model_on_two_other_endpoints_is_not_guessed() {
        // gpt-image-1 tokens with no completions row but rows on two other endpoints.
        let day = [
            UsageLine {
                endpoint: Images,
                model: "gpt-image-1",
                quantity: 2,
            },
            UsageLine {
                endpoint: AudioSpeeches,
                model: "gpt-image-1",
                quantity: 2,
            },
        ];
        assert_eq!(
            match_item(&usd("gpt-image-1 image, output", 1.0), &day),
            Placement::Own {
                endpoint: Some(Completions),
                name: "gpt-image-1"
            }
        );
        // A row on the kind's own endpoint wins over another endpoint's.
        let day = [
            UsageLine {
                endpoint: Images,
                model: "gpt-image-1",
                quantity: 2,
            },
            UsageLine {
                endpoint: Completions,
                model: "gpt-image-1",
                quantity: 2,
            },
        ];
        assert_eq!(
            match_item(&usd("gpt-image-1 image, output", 1.0), &day),
            Placement::Rows(vec![(1, 1.0)])
        );
    }

    #[test]
    fn every_kind_of_usage_has_its_endpoint_and_other_none() {
        assert_eq!(endpoint_of(LineKind::ImageOutput), Some(Completions));
        assert_eq!(endpoint_of(LineKind::Images), Some(Images));
        assert_eq!(
            endpoint_of(LineKind::Transcription),
            Some(AudioTranscriptions)
        );
        assert_eq!(endpoint_of(LineKind::Other), None);
    }
}
