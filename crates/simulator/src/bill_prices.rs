//! The simulator's own price list and the names of its line items, from which it bills
//! (`/organization/costs`) as OpenAI does. Deliberately its own figures (list prices as
//! published, USD per 1M tokens, per image, per 1M characters, per minute, per 1,000 calls),
//! never `crate::pricing`: the check of the app's estimate against the bill only means something
//! if the bill does not come from the app's table.
//!
//! It bills what the app cannot see in the usage: each image at the quality asked for (the usage
//! endpoint reports model, size and source, not quality), gpt-image-1 in tokens (its usage
//! endpoint counts images), web search at the GA tool's price for every model, a model no public
//! price list has, a service tier the app does not know (`ultrafast`) and one model at a regional
//! uplift. The sources of the public figures: `shared/openai/pricing-reference*.json` and
//! `costs-and-other-endpoints.md` (1c, 1f, 1g); gpt-image-1's output tokens per image: OpenAI's
//! image generation guide ("Cost and latency").

use super::other::ImagesAsked;

/// Vector storage per project: (project, GB stored all day). Billed at [`STORAGE_USD_PER_GB_DAY`]
/// beyond [`STORAGE_FREE_GB`], as one daily "Vector storage" line with a null quantity (no
/// single unit applies, as the spec allows). Storage is a project's, not a key's (its usage
/// endpoint groups only by project, costs-and-other-endpoints.md 1g), so the simulator bills
/// it with no key: in a whole-organization or per-project bill, never under `api_key_ids`.
pub(crate) const STORAGE: [(&str, f64); 1] = [(super::DEMO_PROJECT_ID, 3.5)];
pub(crate) const STORAGE_USD_PER_GB_DAY: f64 = 0.10;
pub(crate) const STORAGE_FREE_GB: f64 = 1.0;

/// The names of the line items the simulator bills, all in one place (the app's parser reads
/// exactly these spellings):
///
/// - tokens: `[<tier> | ]<line model>[ <modality>], <kind>`, kind `input`, `cached input`,
///   `cache writes` or `output`, modality ` audio`, ` image` or ` text` where not plain text,
///   the tier prefix (`batch | `, `flex | `, `priority | `, `ultrafast | `, any service tier but
///   `default`) from [`tier_prefix`], fine-tuned models as `ft-<base>` ([`line_model`]);
///   quantity in tokens, unit `tokens`;
/// - DALL·E images: `<model>, images, <size>` (`dall-e-3, images, 1024x1024`), one line per
///   model and size whatever the qualities in it; quantity in images, unit `images`;
/// - embeddings `<model>, input` (tokens); speech `<model>, characters` (unit `characters`);
///   transcription `<model>, minutes`, counted in seconds (unit `duration_seconds`);
/// - `web search tool calls` and `file search tool calls`: quantity in calls, unit null (the
///   spec's units have none for calls);
/// - `Vector storage`: quantity and unit null.
pub(crate) mod names {
    pub(crate) const WEB_SEARCH: &str = "web search tool calls";
    pub(crate) const FILE_SEARCH: &str = "file search tool calls";
    pub(crate) const STORAGE: &str = "Vector storage";

    /// A token line: `head` is [`super::tier_prefix`] + [`super::line_model`], `modality` empty
    /// or ` audio` / ` image` / ` text`.
    pub(crate) fn tokens(head: &str, modality: &str, kind: &str) -> String {
        format!("{head}{modality}, {kind}")
    }

    pub(crate) fn images(model: &str, size: &str) -> String {
        format!("{model}, images, {size}")
    }

    pub(crate) fn embeddings(model: &str) -> String {
        format!("{model}, input")
    }

    pub(crate) fn speech(model: &str) -> String {
        format!("{model}, characters")
    }

    pub(crate) fn transcription(model: &str) -> String {
        format!("{model}, minutes")
    }
}

/// Token prices of one model at one tier, USD per 1M tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TokenPrices {
    pub input: f64,
    pub cached: f64,
    pub output: f64,
    pub cache_write: f64,
    /// Audio input, cached audio input, audio output.
    pub audio: (f64, f64, f64),
}

/// The invented model of the tracked key, which no public price list (and so not the app's
/// table) knows: the bill is the only place its price appears.
pub(crate) const UNKNOWN_MODEL: &str = "gpt-6.9-preview-2026-12-01";

/// (model, standard input, cached input, output, audio input, cached audio, audio output).
/// Cached input without a discount of its own is billed at the input price; cache writes at
/// the input price.
///
/// gpt-4.1-2025-04-14 is billed 10 % above its public price (2.00 / 0.50 / 8.00): the simulated
/// organization has its data processed in a region that costs more (a data-residency uplift),
/// so exactly one known model is billed differently from the public list at every tier.
#[rustfmt::skip]
const TOKENS: [(&str, f64, f64, f64, f64, f64, f64); 9] = [
    ("gpt-4o-2024-08-06",                    2.50, 1.25,  10.0,  0.0,  0.0,  0.0),
    ("gpt-4o-mini-2024-07-18",               0.15, 0.075,  0.60, 0.0,  0.0,  0.0),
    ("gpt-5-mini-2025-08-07",                0.25, 0.025,  2.00, 0.0,  0.0,  0.0),
    ("o4-mini-2025-04-16",                   1.10, 0.275,  4.40, 0.0,  0.0,  0.0),
    ("gpt-4.1-2025-04-14",                   2.20, 0.55,   8.80, 0.0,  0.0,  0.0),
    ("ft:gpt-4o-mini-2024-07-18",            0.30, 0.15,   1.20, 0.0,  0.0,  0.0),
    ("gpt-4o-realtime-preview-2024-12-17",   5.00, 2.50,  20.0, 40.0,  2.50, 80.0),
    ("gpt-4o-mini-audio-preview-2024-12-17", 0.15, 0.15,   0.60, 10.0, 10.0, 20.0),
    (UNKNOWN_MODEL,                          3.00, 0.30,  18.0,  0.0,  0.0,  0.0),
];

/// Service tiers priced on their own: (tier, model, input, cached, output). Priority as
/// published; `ultrafast` (a tier the app does not know) at 3 × standard.
#[rustfmt::skip]
const TIERS: [(&str, &str, f64, f64, f64); 4] = [
    ("priority",  "o4-mini-2025-04-16",     2.00, 0.50,  8.00),
    ("priority",  "gpt-4o-2024-08-06",      4.25, 2.125, 17.0),
    ("priority",  "gpt-4o-mini-2024-07-18", 0.25, 0.125, 1.00),
    ("ultrafast", "gpt-5-mini-2025-08-07",  0.75, 0.075, 6.00),
];

/// The prices a stream of `model` at (`batch`, `tier`) is billed at; `None`: not sold.
pub(crate) fn token_prices(model: &str, batch: bool, tier: &str) -> Option<TokenPrices> {
    // A fine-tuned model "ft:<base>:<org>::<id>" is billed at its base model's fine-tuned price.
    let base = match model.strip_prefix("ft:") {
        Some(rest) => rest.split(':').next().map(|b| format!("ft:{b}"))?,
        None => model.to_owned(),
    };
    let &(_, input, cached, output, ai, ac, ao) = TOKENS.iter().find(|t| t.0 == base)?;
    let standard = TokenPrices {
        input,
        cached,
        output,
        cache_write: input,
        audio: (ai, ac, ao),
    };
    let half = |p: TokenPrices| TokenPrices {
        input: p.input / 2.0,
        cached: p.cached / 2.0,
        output: p.output / 2.0,
        cache_write: p.cache_write / 2.0,
        audio: (p.audio.0 / 2.0, p.audio.1 / 2.0, p.audio.2 / 2.0),
    };
    Some(if batch {
        // Batch: half of standard, without a cached-input discount.
        let mut p = half(standard);
        p.cached = p.input;
        p
    } else {
        match tier {
            "default" => standard,
            "flex" => half(standard),
            _ => {
                let &(_, _, i, c, o) = TIERS.iter().find(|p| p.0 == tier && p.1 == base)?;
                TokenPrices {
                    input: i,
                    cached: c,
                    output: o,
                    cache_write: i,
                    audio: standard.audio,
                }
            }
        }
    })
}

/// DALL·E prices per image: (model, size, quality, USD) (costs-and-other-endpoints.md 1c).
#[rustfmt::skip]
const DALLE: [(&str, &str, &str, f64); 7] = [
    ("dall-e-3", "1024x1024", "standard", 0.04),
    ("dall-e-3", "1024x1024", "hd",       0.08),
    ("dall-e-3", "1792x1024", "standard", 0.08),
    ("dall-e-3", "1792x1024", "hd",       0.12),
    ("dall-e-3", "1024x1792", "standard", 0.08),
    ("dall-e-3", "1024x1792", "hd",       0.12),
    ("dall-e-2", "512x512",   "standard", 0.018),
];

/// gpt-image-1's image output tokens per image, by (size, quality), as OpenAI's image
/// generation guide lists them.
#[rustfmt::skip]
const GPT_IMAGE_1_TOKENS: [(&str, &str, u64); 9] = [
    ("1024x1024", "low", 272),  ("1024x1024", "medium", 1056), ("1024x1024", "high", 4160),
    ("1024x1536", "low", 408),  ("1024x1536", "medium", 1584), ("1024x1536", "high", 6240),
    ("1536x1024", "low", 400),  ("1536x1024", "medium", 1568), ("1536x1024", "high", 6208),
];
/// gpt-image-1: text (prompt) input and image output, USD per 1M tokens.
const GPT_IMAGE_1_TEXT_INPUT: f64 = 5.0;
const GPT_IMAGE_1_IMAGE_OUTPUT: f64 = 40.0;

/// One billed line before grouping: name, USD, quantity (`None`: null) and its unit.
pub(crate) struct Billed {
    pub name: String,
    pub usd: f64,
    pub quantity: Option<f64>,
    pub unit: Option<&'static str>,
}

/// The lines of one image stream of `model` at `size`: DALL·E per image at its quality, in one
/// line; gpt-image-1 in tokens (image output by quality and size, text input for the prompts).
/// Empty for a (model, size, quality) not sold.
pub(crate) fn image_lines(model: &str, size: &str, asked: &ImagesAsked) -> Vec<Billed> {
    if model == "gpt-image-1" {
        let mut out_tokens = 0;
        for (&quality, &n) in &asked.by_quality {
            let Some(&(_, _, t)) = GPT_IMAGE_1_TOKENS
                .iter()
                .find(|t| t.0 == size && t.1 == quality)
            else {
                return Vec::new();
            };
            out_tokens += t * n;
        }
        let head = line_model(model);
        let tokens = |modality: &str, kind: &str, n: u64, price: f64| Billed {
            name: names::tokens(&head, modality, kind),
            usd: n as f64 * price / 1e6,
            quantity: Some(n as f64),
            unit: Some("tokens"),
        };
        return vec![
            tokens(" image", "output", out_tokens, GPT_IMAGE_1_IMAGE_OUTPUT),
            tokens(
                " text",
                "input",
                asked.prompt_tokens,
                GPT_IMAGE_1_TEXT_INPUT,
            ),
        ];
    }
    let mut usd = 0.0;
    let mut images = 0;
    for (&quality, &n) in &asked.by_quality {
        let Some(&(_, _, _, price)) = DALLE
            .iter()
            .find(|d| d.0 == model && d.1 == size && d.2 == quality)
        else {
            return Vec::new();
        };
        usd += n as f64 * price;
        images += n;
    }
    vec![Billed {
        name: names::images(model, size),
        usd,
        quantity: Some(images as f64),
        unit: Some("images"),
    }]
}

/// How one unit of another endpoint but images is billed: (USD per unit, line item, quantity
/// unit). `None`: free (moderations) or not sold.
pub(crate) fn meter_price(
    endpoint: &str,
    model: &str,
) -> Option<(f64, String, Option<&'static str>)> {
    let per_million = |p: f64| p / 1e6;
    Some(match (endpoint, model) {
        ("embeddings", "text-embedding-3-small") => {
            (per_million(0.02), names::embeddings(model), Some("tokens"))
        }
        ("embeddings", "text-embedding-3-large") => {
            (per_million(0.13), names::embeddings(model), Some("tokens"))
        }
        ("audio_speeches", "tts-1") => {
            (per_million(15.0), names::speech(model), Some("characters"))
        }
        ("audio_speeches", "tts-1-hd") => {
            (per_million(30.0), names::speech(model), Some("characters"))
        }
        // Per minute, counted in seconds.
        ("audio_transcriptions", "whisper-1") => (
            0.006 / 60.0,
            names::transcription(model),
            Some("duration_seconds"),
        ),
        ("audio_transcriptions", "gpt-4o-mini-transcribe") => (
            0.003 / 60.0,
            names::transcription(model),
            Some("duration_seconds"),
        ),
        // The GA `web_search` tool: $10 per 1,000 calls whatever the model (the preview tool's
        // $25 for gpt-4o models is what the app must assume, not what is billed here).
        ("web_search_calls", _) => (10.0 / 1e3, names::WEB_SEARCH.to_owned(), None),
        ("file_search_calls", _) => (2.5 / 1e3, names::FILE_SEARCH.to_owned(), None),
        _ => return None,
    })
}

/// The line item prefix of a stream's tier: `batch | ` for batch, `<tier> | ` for any service
/// tier but `default`, as the captured names spell priority (batch, flex and the others are
/// guesses).
pub(crate) fn tier_prefix(batch: bool, tier: &str) -> String {
    if batch {
        "batch | ".to_owned()
    } else if tier == "default" {
        String::new()
    } else {
        format!("{tier} | ")
    }
}

/// A model as line items name it: fine-tuned models as `ft-<base>`.
pub(crate) fn line_model(model: &str) -> String {
    match model.strip_prefix("ft:") {
        Some(rest) => format!("ft-{}", rest.split(':').next().unwrap_or(rest)),
        None => model.to_owned(),
    }
}
