//! The price file format, shared by the built-in table and `--pricing` overrides:
//!
//! ```toml
//! [standard."gpt-4o"]
//! input = 2.5
//! cached_input = 1.25   # optional: without it cached input is billed at the input price
//! output = 10.0
//! ```
//! with tables `standard`, `batch`, `flex` and `priority`, in USD per 1M tokens.

use super::{Price, PriceTable, Tier};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PricingError {
    #[error("cannot read pricing file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error(
        "invalid pricing file {source_name}: {message}\n  expected tables [standard.\"MODEL\"], [batch.\"MODEL\"], [flex.\"MODEL\"] or [priority.\"MODEL\"] with input, output and optional cached_input in USD per 1M tokens"
    )]
    Parse {
        source_name: String,
        message: String,
    },
    #[error(
        "invalid pricing file {source_name}: [{tier}.\"{model}\"] {field} = {value} is not a price; use a finite number of USD per 1M tokens, 0 or more"
    )]
    BadPrice {
        source_name: String,
        tier: Tier,
        model: String,
        field: &'static str,
        value: f64,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PricingFile {
    #[serde(default)]
    compiled: Option<String>,
    #[serde(default)]
    standard: BTreeMap<String, Entry>,
    #[serde(default)]
    batch: BTreeMap<String, Entry>,
    #[serde(default)]
    flex: BTreeMap<String, Entry>,
    #[serde(default)]
    priority: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    input: f64,
    #[serde(default)]
    cached_input: Option<f64>,
    output: f64,
}

pub(super) fn parse(text: &str, source_name: &str) -> Result<PriceTable, PricingError> {
    let file: PricingFile = toml::from_str(text).map_err(|e| PricingError::Parse {
        source_name: source_name.to_owned(),
        // Line, column and reason only: the toml crate's full text quotes the file.
        message: crate::settings::file::toml_error_quoting(text, e.span(), e.message(), true)
            .replace("expected f64", "expected a number"),
    })?;
    let mut table = PriceTable {
        compiled: file.compiled.unwrap_or_default(),
        ..PriceTable::default()
    };
    let tiers = [
        (Tier::Standard, file.standard),
        (Tier::Batch, file.batch),
        (Tier::Flex, file.flex),
        (Tier::Priority, file.priority),
    ];
    for (tier, entries) in tiers {
        for (model, e) in entries {
            let fields = [
                ("input", Some(e.input)),
                ("cached_input", e.cached_input),
                ("output", Some(e.output)),
            ];
            for (field, value) in fields {
                if let Some(value) = value.filter(|v| !v.is_finite() || *v < 0.0) {
                    return Err(PricingError::BadPrice {
                        source_name: source_name.to_owned(),
                        tier,
                        model,
                        field,
                        value,
                    });
                }
            }
            let price = Price {
                input: e.input,
                cached_input: e.cached_input,
                output: e.output,
            };
            table.insert(tier, &model, price);
        }
    }
    Ok(table)
}
