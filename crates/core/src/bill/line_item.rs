//! Reading a Costs API `line_item` name: free text such as `gpt-4o-2024-08-06, input`,
//! `batch | gpt-4o-mini-2024-07-18, cached input`, `gpt-realtime-2025-08-28 audio, output`,
//! `priority | gpt-5.6-sol, output, long context` or `web search tool calls`, and coarser
//! names (`Text tokens`, `Image models`). Pure.
//!
//! The shape `[<tier> | ]<model>[ <modality>], <kind>[, long context]` is the one seen in
//! captured responses (see `shared/openai/costs-and-other-endpoints.md`, 2.3); spellings for
//! batch and flex are not verified. A name that does not fit is kept as [`LineKind::Other`]
//! with its raw name: shown under "other", never dropped.

use super::LineKind;

/// What a line item's name says: the model it names (lower case), what it bills, and whether
/// at the Batch API's price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadName {
    pub model: Option<String>,
    pub kind: LineKind,
    pub batch: bool,
    /// The tier before the bar (`batch`, `flex`, `priority`, `ultrafast`, ...), lower case;
    /// `None` without one (or `default`): standard.
    pub tier: Option<String>,
    /// What the name adds after the kind that is not a surcharge: an image size
    /// (`dall-e-3, images, 1024x1024`).
    pub detail: Option<String>,
    /// `..., long context`: a surcharge the name marks (priced with its kind).
    pub long_context: bool,
}

impl ReadName {
    fn other() -> Self {
        ReadName {
            model: None,
            kind: LineKind::Other,
            batch: false,
            tier: None,
            detail: None,
            long_context: false,
        }
    }
}

/// Reads a `line_item` name (`None` when the API sent null).
pub fn read_line_item(name: Option<&str>) -> ReadName {
    let Some(name) = name else {
        return ReadName::other();
    };
    // One space between words, lower case: "GPT-4o ,  Input" reads as "gpt-4o , input".
    let text = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    if text.is_empty() {
        return ReadName::other();
    }
    let mut tier = None;
    let mut rest = text.as_str();
    // A tier before a bar, one word: "batch | ", "priority | ", "ultrafast | ".
    if let Some((word, tail)) = rest.split_once('|') {
        let word = word.trim();
        let one_word = !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if one_word {
            tier = (word != "default").then(|| word.to_owned());
            rest = tail.trim();
        }
    }
    let batch = tier.as_deref() == Some("batch");
    let mut parts: Vec<&str> = rest.split(',').map(str::trim).collect();
    // A surcharge after the kind ("..., output, long context") does not change the kind.
    let long_context = parts.len() > 2 && parts.last().is_some_and(|p| p.contains("context"));
    if long_context {
        parts.pop();
    }
    let (read, detail) = match parts.as_slice() {
        [whole] => (coarse(whole), None),
        [head, kind] => (with_model(head, kind), None),
        // "dall-e-3, images, 1024x1024": the size of the images billed.
        [head, kind, size] if kind.starts_with("image") && !size.is_empty() => {
            (with_model(head, kind), Some((*size).to_owned()))
        }
        _ => (None, None),
    };
    match read {
        Some((model, kind)) => ReadName {
            model,
            kind,
            batch,
            tier,
            detail,
            long_context,
        },
        None => ReadName {
            batch,
            tier,
            ..ReadName::other()
        },
    }
}

/// A name without a comma: a category, or a tool's calls.
fn coarse(name: &str) -> Option<(Option<String>, LineKind)> {
    let kind = if name.contains("web search") {
        LineKind::WebSearch
    } else if name.contains("file search") {
        LineKind::FileSearch
    } else if name.starts_with("image") {
        LineKind::Images
    } else if name.starts_with("embedding") {
        LineKind::Embeddings
    } else if name.starts_with("moderation") {
        LineKind::Moderations
    } else {
        match name {
            "input_tokens" | "input tokens" => LineKind::Input,
            "cached_input_tokens" | "input_cached_tokens" | "cached input tokens" => {
                LineKind::CachedInput
            }
            "output_tokens" | "output tokens" => LineKind::Output,
            _ => return None,
        }
    };
    Some((None, kind))
}

/// `<model>[ <modality>]` and `<kind>`.
fn with_model(head: &str, kind: &str) -> Option<(Option<String>, LineKind)> {
    if head.is_empty() {
        return None;
    }
    let (model, mut modality) = match head.rsplit_once(' ') {
        Some((m, md @ ("audio" | "image" | "text"))) => (m, md),
        Some(_) => return None,
        None => (head, "text"),
    };
    // "audio output" as the kind ("gpt-4o-mini-tts, audio output").
    let kind = match kind.split_once(' ') {
        Some((md @ ("audio" | "image" | "text"), k)) if k != "input" || md != "text" => {
            modality = md;
            k
        }
        _ => kind,
    };
    let k = match (kind, modality) {
        ("input", "audio") => LineKind::AudioInput,
        ("input", "image") => LineKind::ImageInput,
        ("input", _) => LineKind::Input,
        ("cached input", "audio") => LineKind::CachedAudioInput,
        ("cached input", "image") => LineKind::CachedImageInput,
        ("cached input", _) => LineKind::CachedInput,
        ("output", "audio") => LineKind::AudioOutput,
        ("output", "image") => LineKind::ImageOutput,
        ("output", _) => LineKind::Output,
        ("cache writes" | "cache write" | "cache write input", _) => LineKind::CacheWrite,
        ("characters", _) => LineKind::Speech,
        ("seconds" | "minutes" | "audio seconds" | "audio minutes", _) => LineKind::Transcription,
        ("images" | "image" | "image generations", _) => LineKind::Images,
        (k, _) if k.contains("web search") => LineKind::WebSearch,
        (k, _) if k.contains("file search") => LineKind::FileSearch,
        _ => return Some((Some(model.to_owned()), LineKind::Other)),
    };
    // Embedding and moderation models bill input tokens, shown as their own kinds.
    let k = match k {
        LineKind::Input if model.starts_with("text-embedding") => LineKind::Embeddings,
        LineKind::Input if model.contains("moderation") => LineKind::Moderations,
        k => k,
    };
    Some((Some(model.to_owned()), k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineKind::*;

    #[test]
    fn every_name_in_the_reference_files_and_odd_cases() {
        #[rustfmt::skip]
        let table: &[(Option<&str>, Option<&str>, LineKind, bool)] = &[
            // shared/openai/costs-and-other-endpoints.md, 2.3 (captured and third-party names)
            (Some("gpt-5.5-2026-04-23, input"), Some("gpt-5.5-2026-04-23"), Input, false),
            (Some("gpt-5.5-2026-04-23, cached input"), Some("gpt-5.5-2026-04-23"), CachedInput, false),
            (Some("gpt-4.1-2025-04-14, output"), Some("gpt-4.1-2025-04-14"), Output, false),
            (Some("web search tool calls"), None, WebSearch, false),
            (Some("priority | gpt-5.6-sol, output, long context"), Some("gpt-5.6-sol"), Output, false),
            (Some("gpt-4o-mini-2024-07-18, cached input"), Some("gpt-4o-mini-2024-07-18"), CachedInput, false),
            (Some("gpt-5.6-sol, cache writes"), Some("gpt-5.6-sol"), CacheWrite, false),
            (Some("gpt-audio-mini-2025-12-15 audio, input"), Some("gpt-audio-mini-2025-12-15"), AudioInput, false),
            (Some("gpt-5.4-mini-2026-03-17, cached input"), Some("gpt-5.4-mini-2026-03-17"), CachedInput, false),
            (Some("gpt-image-2.5-flare image, output"), Some("gpt-image-2.5-flare"), ImageOutput, false),
            (Some("gpt-image-2.5-sunburst text, cached input"), Some("gpt-image-2.5-sunburst"), CachedInput, false),
            (Some("Vector storage"), None, Other, false),
            (Some("gpt-4o-mini-tts, audio output"), Some("gpt-4o-mini-tts"), AudioOutput, false),
            (Some("gpt-4o-mini-tts, input"), Some("gpt-4o-mini-tts"), Input, false),
            (Some("Text tokens"), None, Other, false),
            (Some("ft-gpt-4o-2024-08-06, input"), Some("ft-gpt-4o-2024-08-06"), Input, false),
            // the spec's examples
            (Some("input_tokens"), None, Input, false),
            (Some("Image models"), None, Images, false),
            (None, None, Other, false),
            // the examples
            (Some("gpt-4o-2024-08-06, input"), Some("gpt-4o-2024-08-06"), Input, false),
            (Some("batch | gpt-4o-mini-2024-07-18, cached input"), Some("gpt-4o-mini-2024-07-18"), CachedInput, true),
            (Some("gpt-realtime-2025-08-28 audio, output"), Some("gpt-realtime-2025-08-28"), AudioOutput, false),
            (Some("gpt-realtime-2025-08-28 audio, cached input"), Some("gpt-realtime-2025-08-28"), CachedAudioInput, false),
            // the simulator's other spellings
            (Some("flex | gpt-5-mini-2025-08-07, output"), Some("gpt-5-mini-2025-08-07"), Output, false),
            (Some("text-embedding-3-small, input"), Some("text-embedding-3-small"), Embeddings, false),
            (Some("tts-1-hd, characters"), Some("tts-1-hd"), Speech, false),
            (Some("whisper-1, minutes"), Some("whisper-1"), Transcription, false),
            (Some("file search tool calls"), None, FileSearch, false),
            (Some("gpt-4o-2024-08-06 image, input"), Some("gpt-4o-2024-08-06"), ImageInput, false),
            // odd cases
            (Some(""), None, Other, false),
            (Some("   "), None, Other, false),
            (Some("  gpt-4o-2024-08-06 ,   input  "), Some("gpt-4o-2024-08-06"), Input, false),
            (Some("GPT-4O-2024-08-06, OUTPUT"), Some("gpt-4o-2024-08-06"), Output, false),
            (Some("BATCH | GPT-4.1-2025-04-14, Input"), Some("gpt-4.1-2025-04-14"), Input, true),
            (Some("gpt-4o, rebates"), Some("gpt-4o"), Other, false),
            (Some(", input"), None, Other, false),
            (Some("a b c, input"), None, Other, false),
            (Some("x, y, z, w"), None, Other, false),
            (Some("Fine-tuning training"), None, Other, false),
        ];
        for &(name, model, kind, batch) in table {
            let got = read_line_item(name);
            assert_eq!(
                (got.model.as_deref(), got.kind, got.batch),
                (model, kind, batch),
                "{name:?}"
            );
        }
    }

    #[test]
    fn a_tier_before_the_bar_a_size_after_the_kind_and_a_surcharge_are_read() {
        #[rustfmt::skip]
        // (name, tier, detail, long context, kind)
        type Case<'a> = (&'a str, Option<&'a str>, Option<&'a str>, bool, LineKind);
        let table: &[Case] = &[
            (
                "ultrafast | gpt-5-mini-2025-08-07, output",
                Some("ultrafast"),
                None,
                false,
                Output,
            ),
            (
                "Scale | gpt-4o-2024-08-06, input",
                Some("scale"),
                None,
                false,
                Input,
            ),
            (
                "default | gpt-4o-2024-08-06, input",
                None,
                None,
                false,
                Input,
            ),
            (
                "batch | text-embedding-3-small, input",
                Some("batch"),
                None,
                false,
                Embeddings,
            ),
            (
                "priority | gpt-5.6-sol, output, long context",
                Some("priority"),
                None,
                true,
                Output,
            ),
            (
                "dall-e-3, images, 1024x1024",
                None,
                Some("1024x1024"),
                false,
                Images,
            ),
            (
                "dall-e-2, images, 512x512",
                None,
                Some("512x512"),
                false,
                Images,
            ),
            ("gpt-4o-2024-08-06, input", None, None, false, Input),
            // Not a tier: more than one word before the bar.
            ("my org | gpt-4o, input", None, None, false, Other),
        ];
        for &(name, tier, detail, long, kind) in table {
            let got = read_line_item(Some(name));
            assert_eq!(
                (
                    got.tier.as_deref(),
                    got.detail.as_deref(),
                    got.long_context,
                    got.kind
                ),
                (tier, detail, long, kind),
                "{name:?}"
            );
            assert_eq!(got.batch, tier == Some("batch"), "{name:?}");
        }
    }
}
