//! The simulator's own price list, from which it bills (`/organization/costs`). Deliberately
//! its own figures (list prices as published, USD per 1M tokens, per image, per 1M characters,
//! per minute, per 1,000 calls), never `crate::pricing`: the check of the app's estimate
//! against the bill only means something if the bill does not come from the app's table.

/// Vector storage per project: (project, GB stored all day). Billed at [`STORAGE_USD_PER_GB_DAY`]
/// beyond [`STORAGE_FREE_GB`], as one daily "Vector storage" line with a null quantity (no
/// single unit applies, as the spec allows). Storage is a project's, not a key's (its usage
/// endpoint groups only by project, costs-and-other-endpoints.md 1g), so the simulator bills
/// it with no key: in a whole-organization or per-project bill, never under `api_key_ids`.
pub(crate) const STORAGE: [(&str, f64); 1] = [(super::DEMO_PROJECT_ID, 3.5)];
pub(crate) const STORAGE_USD_PER_GB_DAY: f64 = 0.10;
pub(crate) const STORAGE_FREE_GB: f64 = 1.0;

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

/// (model, standard input, cached input, output, audio input, cached audio, audio output).
/// Cached input without a discount of its own is billed at the input price; cache writes at
/// the input price.
#[rustfmt::skip]
const TOKENS: [(&str, f64, f64, f64, f64, f64, f64); 8] = [
    ("gpt-4o-2024-08-06",                    2.50, 1.25,  10.0,  0.0,  0.0,  0.0),
    ("gpt-4o-mini-2024-07-18",               0.15, 0.075,  0.60, 0.0,  0.0,  0.0),
    ("gpt-5-mini-2025-08-07",                0.25, 0.025,  2.00, 0.0,  0.0,  0.0),
    ("o4-mini-2025-04-16",                   1.10, 0.275,  4.40, 0.0,  0.0,  0.0),
    ("gpt-4.1-2025-04-14",                   2.00, 0.50,   8.00, 0.0,  0.0,  0.0),
    ("ft:gpt-4o-mini-2024-07-18",            0.30, 0.15,   1.20, 0.0,  0.0,  0.0),
    ("gpt-4o-realtime-preview-2024-12-17",   5.00, 2.50,  20.0, 40.0,  2.50, 80.0),
    ("gpt-4o-mini-audio-preview-2024-12-17", 0.15, 0.15,   0.60, 10.0, 10.0, 20.0),
];

/// Priority tier, where it differs from standard × a factor: (model, input, cached, output).
#[rustfmt::skip]
const PRIORITY: [(&str, f64, f64, f64); 3] = [
    ("o4-mini-2025-04-16",     2.00, 0.50,  8.00),
    ("gpt-4o-2024-08-06",      4.25, 2.125, 17.0),
    ("gpt-4o-mini-2024-07-18", 0.25, 0.125, 1.00),
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
            "flex" => half(standard),
            "priority" => {
                let &(_, i, c, o) = PRIORITY.iter().find(|p| p.0 == base)?;
                TokenPrices {
                    input: i,
                    cached: c,
                    output: o,
                    cache_write: i,
                    audio: standard.audio,
                }
            }
            _ => standard,
        }
    })
}

/// How one unit of another endpoint is billed: (USD per unit, line item, quantity unit).
/// The line item names follow the captured style where one is known (`web search tool calls`,
/// the spec's `Image models`); the others are the simulator's own guesses.
pub(crate) fn meter_price(
    endpoint: &str,
    model: &str,
    dims: [Option<&str>; 2],
) -> Option<(f64, String, Option<&'static str>)> {
    let per_million = |p: f64| p / 1e6;
    Some(match (endpoint, model) {
        ("embeddings", "text-embedding-3-small") => {
            (per_million(0.02), format!("{model}, input"), Some("tokens"))
        }
        ("embeddings", "text-embedding-3-large") => {
            (per_million(0.13), format!("{model}, input"), Some("tokens"))
        }
        // Free: no line item.
        ("moderations", _) => return None,
        ("images", "dall-e-3") => {
            // Billed at HD quality, the default the simulated app asks for.
            let price = if dims[0] == Some("1024x1024") {
                0.08
            } else {
                0.12
            };
            (price, "Image models".to_owned(), Some("images"))
        }
        ("images", "dall-e-2") => (0.018, "Image models".to_owned(), Some("images")),
        ("images", "gpt-image-1") => (0.25, format!("{model} image, output"), Some("images")),
        ("audio_speeches", "tts-1") => (
            per_million(15.0),
            format!("{model}, characters"),
            Some("characters"),
        ),
        ("audio_speeches", "tts-1-hd") => (
            per_million(30.0),
            format!("{model}, characters"),
            Some("characters"),
        ),
        // Per minute, counted in seconds.
        ("audio_transcriptions", "whisper-1") => (
            0.006 / 60.0,
            format!("{model}, minutes"),
            Some("duration_seconds"),
        ),
        ("audio_transcriptions", "gpt-4o-mini-transcribe") => (
            0.003 / 60.0,
            format!("{model}, minutes"),
            Some("duration_seconds"),
        ),
        ("web_search_calls", m) if m.starts_with("gpt-4o") => {
            (25.0 / 1e3, "web search tool calls".to_owned(), None)
        }
        ("web_search_calls", _) => (10.0 / 1e3, "web search tool calls".to_owned(), None),
        ("file_search_calls", _) => (2.5 / 1e3, "file search tool calls".to_owned(), None),
        _ => return None,
    })
}

/// The line item prefix of a stream's tier ("batch | ", ...), as the captured names spell
/// priority (batch and flex spellings are guesses).
pub(crate) fn tier_prefix(batch: bool, tier: &str) -> &'static str {
    if batch {
        "batch | "
    } else {
        match tier {
            "priority" => "priority | ",
            "flex" => "flex | ",
            _ => "",
        }
    }
}

/// A model as line items name it: fine-tuned models as `ft-<base>`.
pub(crate) fn line_model(model: &str) -> String {
    match model.strip_prefix("ft:") {
        Some(rest) => format!("ft-{}", rest.split(':').next().unwrap_or(rest)),
        None => model.to_owned(),
    }
}
