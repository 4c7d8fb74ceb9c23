//! Prices: the built-in table (dated data in `builtin.toml`), `--pricing` override files in the
//! same format, lookup by model name, and the cost of a token count.
//!
//! Pure: no I/O except [`PriceTable::load_overrides`], which reads one file. Lookup is the exact
//! name, then the name without its `-YYYY-MM-DD` snapshot suffix, and nothing looser: a wrong
//! price is worse than an honest "unpriced".

mod file;

pub use file::PricingError;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

/// A pricing tier, as billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Standard,
    Batch,
    Flex,
    Priority,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Standard, Tier::Batch, Tier::Flex, Tier::Priority];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Batch => "batch",
            Tier::Flex => "flex",
            Tier::Priority => "priority",
        }
    }

    /// The tier a usage row reports: batch rows are batch; `service_tier` `flex` and `priority`
    /// are those tiers; `default`, `auto`, none, or anything else is billed at standard.
    pub fn of_row(batch: Option<bool>, service_tier: Option<&str>) -> Tier {
        if batch == Some(true) {
            return Tier::Batch;
        }
        match service_tier {
            Some("flex") => Tier::Flex,
            Some("priority") => Tier::Priority,
            _ => Tier::Standard,
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `auto` prices each row at the tier the API reports; a named tier prices every row at it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TierChoice {
    #[default]
    Auto,
    #[serde(untagged)]
    Fixed(Tier),
}

impl TierChoice {
    pub const ALL: [TierChoice; 5] = [
        TierChoice::Auto,
        TierChoice::Fixed(Tier::Standard),
        TierChoice::Fixed(Tier::Batch),
        TierChoice::Fixed(Tier::Flex),
        TierChoice::Fixed(Tier::Priority),
    ];
    pub const ACCEPTED: &'static str = "auto, standard, batch, flex, priority";

    pub fn as_str(self) -> &'static str {
        match self {
            TierChoice::Auto => "auto",
            TierChoice::Fixed(t) => t.as_str(),
        }
    }

    /// The next choice in menu order, wrapping around (the `t` key of `watch`).
    pub fn next(self) -> TierChoice {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// The tier a row is billed at under this choice.
    pub fn tier_for(self, reported: Tier) -> Tier {
        match self {
            TierChoice::Auto => reported,
            TierChoice::Fixed(t) => t,
        }
    }
}

impl fmt::Display for TierChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TierChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TierChoice::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown pricing tier {s:?}; accepted: {}", Self::ACCEPTED))
    }
}

/// USD per 1M tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub input: f64,
    /// `None`: cached input is billed at the input price.
    pub cached_input: Option<f64>,
    pub output: f64,
}

impl Price {
    /// Estimated cost in USD. `cached` is a subset of `input` (clamped to it).
    pub fn cost(&self, input: u64, cached: u64, output: u64) -> f64 {
        let cached = cached.min(input);
        let uncached = input - cached;
        let cached_price = self.cached_input.unwrap_or(self.input);
        (uncached as f64 * self.input + cached as f64 * cached_price + output as f64 * self.output)
            / 1_000_000.0
    }
}

/// Prices by tier and model name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PriceTable {
    /// When the built-in numbers were compiled (`YYYY-MM-DD`).
    pub compiled: String,
    prices: HashMap<(Tier, String), Price>,
}

const BUILTIN: &str = include_str!("builtin.toml");

impl PriceTable {
    /// The built-in table, parsed once.
    pub fn builtin() -> &'static PriceTable {
        static TABLE: OnceLock<PriceTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            file::parse(BUILTIN, "built-in price table").expect("built-in price table is valid")
        })
    }

    /// The built-in table with the prices of `path` layered on top (an entry replaces the
    /// built-in one for the same tier and model, or adds a model).
    pub fn with_overrides_from(path: &Path) -> Result<PriceTable, PricingError> {
        let overrides = Self::load_overrides(path)?;
        let mut table = Self::builtin().clone();
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

    pub fn extend(&mut self, other: PriceTable) {
        self.prices.extend(other.prices);
    }

    pub fn insert(&mut self, tier: Tier, model: &str, price: Price) {
        self.prices.insert((tier, model.to_owned()), price);
    }

    pub fn len(&self) -> usize {
        self.prices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// The price of `model` at `tier`: the exact name, then the name without a `-YYYY-MM-DD`
    /// suffix (`gpt-4o-2024-08-06` → `gpt-4o`).
    pub fn lookup(&self, model: &str, tier: Tier) -> Option<&Price> {
        let key = (tier, model.to_owned());
        if let Some(p) = self.prices.get(&key) {
            return Some(p);
        }
        let base = strip_date_suffix(model)?;
        self.prices.get(&(tier, base.to_owned()))
    }
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
