//! Pricing tiers: the tier a usage row was billed at, and the user's choice of tier (`auto` or
//! one fixed tier) that the summary prices every row at.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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
