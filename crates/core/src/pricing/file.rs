//! The price file format, shared by the built-in table (`builtin.toml`) and `--pricing`
//! overrides; every section and field is optional, and a file written for the token-only format
//! (`[standard."MODEL"] input, cached_input, output`) is still valid:
//!
//! ```toml
//! compiled = "2026-12-01"
//!
//! [standard."gpt-4o"]        # completions: USD per 1M tokens; also batch, flex, priority
//! input = 2.5                # text input (required)
//! cached_input = 1.25        # optional: without it cached input is billed at the input price
//! output = 10.0              # text output; required unless the entry prices audio or image
//! cache_write = 3.125        # optional: without it cache writes are billed at input (assumed)
//! audio_input = 40.0         # optional, and so are audio_cached_input, audio_output,
//! image_input = 5.0          #   image_cached_input, image_output
//! one_price_all_modalities = false # optional: audio/image without a price use the text prices;
//!                                  # the default is true for an entry with text prices only
//! assumption = "sources-disagree"  # optional: these numbers are themselves an assumption
//!
//! [embeddings."text-embedding-3-small"]   # USD per 1M input tokens, by tier
//! standard = 0.02
//! batch = 0.01
//!
//! [images."dall-e-2"]                     # USD per image, by size
//! sizes = { "256x256" = 0.016, "1024x1024" = 0.02 }
//!
//! [images."dall-e-3"]                     # or by quality and size, priced at one quality
//! assumed_quality = "standard"
//! quality.standard = { "1024x1024" = 0.04 }
//! quality.hd = { "1024x1024" = 0.08 }
//!
//! [speech."tts-1"]                        # USD per 1M characters
//! per_1m_characters = 15.0
//!
//! [transcription."whisper-1"]             # USD per minute of audio
//! per_minute = 0.006
//!
//! [web_search."gpt-5"]                    # USD per 1,000 calls
//! per_1k_calls = 10.0
//!
//! [file_search]                           # USD per 1,000 calls, every model
//! per_1k_calls = 2.5
//!
//! [aliases]                               # another exact name for an entry of this file
//! "gpt-audio-1.5" = "gpt-audio"
//! ```
//!
//! `speech`, `transcription`, `web_search` and `images` entries take an optional `assumption`
//! too. The file is read as a plain TOML table and checked field by field, so every mistake is
//! one line naming the file, the table, the model and the field.

use super::tokens::{Price, Rates};
use super::units::UnitPrice;
use super::{PriceTable, Tier};
use std::fmt;
use std::path::PathBuf;
use toml::{Table, Value};

mod check;
mod sections;

use check::Ctx;
use sections::{embeddings_section, images_section, unit_section};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PricingError {
    #[error("cannot read pricing file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error(
        "invalid pricing file {source_name}: not TOML: {message}; see the pricing section of the README for the format"
    )]
    Syntax {
        source_name: String,
        /// `line N `the line`, column C: reason` (secrets scrubbed).
        message: String,
    },
    #[error("invalid pricing file {source_name}: {place} {problem}")]
    Invalid {
        source_name: String,
        place: Place,
        problem: String,
    },
}

/// Where in a price file a problem is: `[standard."gpt-4o"] input`.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub table: String,
    pub model: Option<String>,
    pub field: Option<String>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.model {
            Some(m) => write!(f, "[{}.\"{m}\"]", self.table)?,
            None => write!(f, "[{}]", self.table)?,
        }
        match &self.field {
            Some(field) => write!(f, " {field}"),
            None => Ok(()),
        }
    }
}

const TOP: &[&str] = &[
    "compiled",
    "standard",
    "batch",
    "flex",
    "priority",
    "embeddings",
    "images",
    "speech",
    "transcription",
    "web_search",
    "file_search",
    "aliases",
];

const TOKEN_FIELDS: &[&str] = &[
    "input",
    "cached_input",
    "output",
    "cache_write",
    "audio_input",
    "audio_cached_input",
    "audio_output",
    "image_input",
    "image_cached_input",
    "image_output",
    "one_price_all_modalities",
    "assumption",
];

const PER_1M_TOKENS: &str = "1M tokens";

pub(super) fn parse(text: &str, source_name: &str) -> Result<PriceTable, PricingError> {
    let root: Table = text
        .parse()
        .map_err(|e: toml::de::Error| PricingError::Syntax {
            source_name: source_name.to_owned(),
            message: crate::redact::toml_error_quoting(text, e.span(), e.message(), true)
                .replace('\n', " "),
        })?;
    let cx = Ctx { source_name };
    if let Some(k) = root.keys().find(|k| !TOP.contains(&k.as_str())) {
        return Err(cx.err(
            k,
            None,
            None,
            format!(
                "is not a known table; accepted: {} (tiers are standard, batch, flex, priority)",
                TOP.join(", ")
            ),
        ));
    }
    let mut table = PriceTable::default();
    if let Some(v) = root.get("compiled") {
        table.compiled = v.as_str().map(str::to_owned).ok_or_else(|| {
            cx.err(
                "compiled",
                None,
                None,
                format!("= {v} is not a date; use \"YYYY-MM-DD\""),
            )
        })?;
    }
    // `Tier::ALL` in column order: entry `i` is column `i` (the tier's `index()`).
    for (i, tier) in Tier::ALL.into_iter().enumerate() {
        let name = tier.as_str();
        let Some(v) = root.get(name) else { continue };
        for (model, entry) in cx.table(v, name, None)? {
            let price = completions_entry(&cx, cx.table(entry, name, Some(model))?, name, model)?;
            table.completions.entry(model.clone()).or_default()[i] = Some(price);
        }
    }
    for (section, f) in [
        ("embeddings", embeddings_section as Section),
        ("images", images_section),
        ("speech", unit_section),
        ("transcription", unit_section),
        ("web_search", unit_section),
    ] {
        if let Some(v) = root.get(section) {
            let entries = cx.table(v, section, None)?;
            for (model, entry) in entries {
                f(
                    &cx,
                    &mut table,
                    section,
                    model,
                    cx.table(entry, section, Some(model))?,
                )?;
            }
        }
    }
    if let Some(v) = root.get("file_search") {
        let t = cx.table(v, "file_search", None)?;
        cx.known(t, &["per_1k_calls"], "file_search", None)?;
        let v = t.get("per_1k_calls").ok_or_else(|| {
            cx.err(
                "file_search",
                None,
                None,
                "lacks per_1k_calls; add per_1k_calls = USD per 1,000 calls".into(),
            )
        })?;
        let per_1k = cx.price(v, "file_search", None, "per_1k_calls", "1,000 calls")?;
        table.file_search = Some(UnitPrice {
            usd: per_1k,
            assumption: None,
            bill_day: None,
        });
    }
    if let Some(v) = root.get("aliases") {
        for (alias, target) in cx.table(v, "aliases", None)? {
            let target = target.as_str().ok_or_else(|| {
                cx.err(
                    "aliases",
                    None,
                    Some(alias),
                    format!("= {target} is not a model name; use \"MODEL\""),
                )
            })?;
            if table.has(alias) {
                return Err(cx.err(
                    "aliases",
                    None,
                    Some(alias),
                    "already has an entry of its own; drop the alias or the entry".into(),
                ));
            }
            if !table.alias(alias, target) {
                return Err(cx.err(
                    "aliases",
                    None,
                    Some(alias),
                    format!(
                        "= {target:?} names no entry of this file; alias an entry defined here"
                    ),
                ));
            }
        }
    }
    Ok(table)
}

type Section = fn(&Ctx, &mut PriceTable, &str, &str, &Table) -> Result<(), PricingError>;

fn completions_entry(cx: &Ctx, t: &Table, tier: &str, model: &str) -> Result<Price, PricingError> {
    cx.known(t, TOKEN_FIELDS, tier, Some(model))?;
    let p = |field| cx.opt_price(t, tier, model, field, PER_1M_TOKENS);
    let input = p("input")?.ok_or_else(|| {
        cx.err(
            tier,
            Some(model),
            None,
            "lacks input; add input = USD per 1M text input tokens".into(),
        )
    })?;
    let audio = Rates {
        input: p("audio_input")?,
        cached_input: p("audio_cached_input")?,
        output: p("audio_output")?,
    };
    let image = Rates {
        input: p("image_input")?,
        cached_input: p("image_cached_input")?,
        output: p("image_output")?,
    };
    let text_only = audio == Rates::default() && image == Rates::default();
    let price = Price {
        text: Rates {
            input: Some(input),
            cached_input: p("cached_input")?,
            output: p("output")?,
        },
        audio,
        image,
        cache_write: p("cache_write")?,
        from_bill: None,
        one_price_all_modalities: match t.get("one_price_all_modalities") {
            // An entry with text prices only means what it meant before modalities were priced
            // apart: one price for every token.
            None => text_only,
            Some(Value::Boolean(b)) => *b,
            Some(v) => {
                return Err(cx.err(
                    tier,
                    Some(model),
                    Some("one_price_all_modalities"),
                    format!("= {v} is not true or false"),
                ));
            }
        },
        assumption: cx.assumption(t, tier, model)?,
    };
    // A text-only entry without output is a mistake; a model without text output (gpt-image-1
    // at batch has only input prices in the sources) prices audio or image tokens instead.
    if price.text.output.is_none() && text_only {
        return Err(cx.err(
            tier,
            Some(model),
            None,
            "lacks output; add output = USD per 1M text output tokens".into(),
        ));
    }
    Ok(price)
}
