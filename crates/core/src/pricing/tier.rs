//! Pricing tiers: the tier a usage row was billed at, and the user's choice of tier (`auto` or
//! one fixed tier) that the summary prices every row at.
//!
//! The price table knows four tiers (standard, batch, flex, priority), but the API's
//! `service_tier` is open-ended: it has grown `scale`, `fast` and `ultrafast`, billed at other
//! prices (ultrafast at about 3× standard). A row at a tier the table does not know must not be
//! priced at standard and passed off as exact, so it becomes [`Tier::Other`] with the name the
//! API sent, and every price lookup at it finds nothing: the row is unpriced ("—") and the name
//! says why. The name is kept so a later price source (the bill) can price it by (model, tier).
//!
//! Names are lower-cased (ASCII) before they are matched or kept: the API sends lower case, and
//! `Flex` and `flex` are one tier either way. `default`, `auto`, `standard`, an empty name or no
//! name at all are standard; `batch`, `flex` and `priority` are those tiers, so an
//! [`Tier::Other`] never spells like one of the four (the store keeps tiers by name).
//!
//! Other names are interned for the life of the process ([`ServiceTier`] is a `Copy` handle). The
//! interner is bounded: at most [`ServiceTier::MAX_NAMES`] names, each a short run of
//! `[a-z0-9._-]`; any further or malformed name becomes the single name `other`, so a
//! misbehaving server can neither grow memory without bound nor put control characters in a
//! menu.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

/// A service tier the price table has no column for, by its lower-case name as the API sent it
/// (or `other`, see the module docs). Compares, hashes and orders by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceTier(&'static str);

impl ServiceTier {
    /// How many distinct names are kept before every further one is [`ServiceTier::OTHER`].
    pub const MAX_NAMES: usize = 32;
    /// The longest name kept as itself.
    pub const MAX_LEN: usize = 32;
    /// The one name of every tier beyond the bound or with a malformed name.
    pub const OTHER: ServiceTier = ServiceTier("other");

    /// The interned handle of `name` (compared lower-cased) in the process's interner; see the
    /// module docs for the bound.
    pub fn intern(name: &str) -> ServiceTier {
        static NAMES: Mutex<Interner> = Mutex::new(Interner(Vec::new()));
        // A poisoned lock only means another thread panicked mid-push of a leaked name; the
        // list is still a list of valid names.
        NAMES.lock().unwrap_or_else(|p| p.into_inner()).get(name)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// The names kept so far (lower case, at most [`ServiceTier::MAX_NAMES`]). One lives in a
/// global; tests make their own, so filling one does not change the names other tests see.
#[derive(Debug, Default)]
pub(super) struct Interner(Vec<&'static str>);

impl Interner {
    pub(super) fn get(&mut self, name: &str) -> ServiceTier {
        let well_formed = !name.is_empty()
            && name.len() <= ServiceTier::MAX_LEN
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !well_formed {
            return ServiceTier::OTHER;
        }
        if let Some(n) = self.0.iter().find(|n| n.eq_ignore_ascii_case(name)) {
            return ServiceTier(n);
        }
        if self.0.len() >= ServiceTier::MAX_NAMES {
            return ServiceTier::OTHER;
        }
        // Leaked on purpose: at most MAX_NAMES × MAX_LEN bytes for the life of the process.
        let kept: &'static str = Box::leak(name.to_ascii_lowercase().into_boxed_str());
        self.0.push(kept);
        ServiceTier(kept)
    }
}

/// A pricing tier, as billed: one of the four the price table has columns for, or any other
/// service tier the API reports (never priced by the table; see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    Standard,
    Batch,
    Flex,
    Priority,
    Other(ServiceTier),
}

impl Tier {
    /// The four tiers the price table has columns for (not [`Tier::Other`]).
    pub const ALL: [Tier; 4] = [Tier::Standard, Tier::Batch, Tier::Flex, Tier::Priority];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Batch => "batch",
            Tier::Flex => "flex",
            Tier::Priority => "priority",
            Tier::Other(t) => t.as_str(),
        }
    }

    /// The price table's column for this tier; `None` for [`Tier::Other`], which it never has.
    pub fn index(self) -> Option<usize> {
        match self {
            Tier::Standard => Some(0),
            Tier::Batch => Some(1),
            Tier::Flex => Some(2),
            Tier::Priority => Some(3),
            Tier::Other(_) => None,
        }
    }

    /// The tier named `name` (a `service_tier`, or a stored tier's name), lower-cased first:
    /// `default`, `auto`, `standard` and the empty name are standard; `batch`, `flex`,
    /// `priority` are those; anything else is [`Tier::Other`].
    pub fn named(name: &str) -> Tier {
        const STANDARD: [&str; 4] = ["", "default", "auto", "standard"];
        if STANDARD.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return Tier::Standard;
        }
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(name))
            .unwrap_or_else(|| Tier::Other(ServiceTier::intern(name)))
    }

    /// The tier a usage row reports: batch rows are batch; otherwise its `service_tier` by
    /// [`Tier::named`] (none is standard). An unknown name is [`Tier::Other`], which no price
    /// table entry prices: never standard in silence.
    pub fn of_row(batch: Option<bool>, service_tier: Option<&str>) -> Tier {
        if batch == Some(true) {
            return Tier::Batch;
        }
        service_tier.map_or(Tier::Standard, Tier::named)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As its name (`"standard"`, `"ultrafast"`).
impl Serialize for Tier {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// From its name, by [`Tier::named`].
impl<'de> Deserialize<'de> for Tier {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Tier::named(&name))
    }
}

/// `auto` prices each row at the tier the API reports; a named tier prices every row at it.
/// Only the four priced tiers can be chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TierChoice {
    #[default]
    Auto,
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

/// As its name (`"auto"`, `"batch"`).
impl Serialize for TierChoice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// From its name, one of [`TierChoice::ACCEPTED`] (never an unpriced other tier).
impl<'de> Deserialize<'de> for TierChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}
