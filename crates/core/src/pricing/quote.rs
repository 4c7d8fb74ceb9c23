//! A priced amount and how far to trust it: [`Quote`] = USD + [`Basis`] (exact from the table,
//! free, or priced at one or more documented [`Assumption`]s).
//!
//! Every pricing function returns `Option<Quote>`: `None` is "unpriced" (shown as "—" and counted
//! by the totals), never $0. Quotes add up; the sum is as weak as its weakest part, so one assumed
//! term makes the whole row assumed. Summing `Option<Quote>`s gives `None` as soon as one part is
//! unpriced (std's `Sum for Option`): a model's cost is whole or unpriced, never partial.
//! Everything here is `Copy` so summing allocates nothing.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::Add;

/// One documented assumption a price was made at, because the usage data cannot decide it.
/// The README's pricing section lists the values and sources behind each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Assumption {
    /// The images endpoint reports no quality; priced at the quality the table names.
    ImageQuality,
    /// dall-e-2 edits and variations priced like generations of the same size.
    ImageSource,
    /// gpt-4o/gpt-4.1 web search is 10 or 25 per 1,000 calls by tool version, which the usage
    /// row does not carry; priced at 25.
    WebSearchToolVersion,
    /// Cache writes of a model with no cache-write price, billed at its uncached input price.
    CacheWriteAtInputPrice,
    /// A token-billed model whose endpoint reports characters or seconds; priced at a published
    /// or measured per-character / per-minute estimate.
    TokenBilledEstimate,
    /// The sources disagree on this model's price; priced at the value the table chose (the
    /// built-in table: the newer source).
    SourcesDisagree,
}

impl Assumption {
    pub const ALL: [Assumption; 6] = [
        Assumption::ImageQuality,
        Assumption::ImageSource,
        Assumption::WebSearchToolVersion,
        Assumption::CacheWriteAtInputPrice,
        Assumption::TokenBilledEstimate,
        Assumption::SourcesDisagree,
    ];

    /// A stable name for JSON output and for the `assumption` field of a price file.
    pub fn code(self) -> &'static str {
        match self {
            Assumption::ImageQuality => "image-quality",
            Assumption::ImageSource => "image-source",
            Assumption::WebSearchToolVersion => "web-search-tool-version",
            Assumption::CacheWriteAtInputPrice => "cache-write-at-input-price",
            Assumption::TokenBilledEstimate => "token-billed-estimate",
            Assumption::SourcesDisagree => "sources-disagree",
        }
    }

    /// One sentence for a person: what was assumed.
    pub fn reason(self) -> &'static str {
        match self {
            Assumption::ImageQuality => {
                "image quality is not reported; priced at the assumed quality"
            }
            Assumption::ImageSource => "image edits and variations priced like generations",
            Assumption::WebSearchToolVersion => {
                "web search tool version (10 or 25 USD per 1,000 calls) is not reported; priced at one"
            }
            Assumption::CacheWriteAtInputPrice => {
                "no cache-write price; cache writes priced at the input price"
            }
            Assumption::TokenBilledEstimate => {
                "billed by tokens but reported in characters or seconds; priced at an estimate"
            }
            Assumption::SourcesDisagree => "price sources disagree; priced at the table's choice",
        }
    }

    pub fn from_code(code: &str) -> Option<Assumption> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The accepted codes, for error messages.
    pub fn codes() -> String {
        Self::ALL.map(Assumption::code).join(", ")
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Assumption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// A set of [`Assumption`]s (a bit set: copying and merging cost nothing).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Assumptions(u8);

impl Assumptions {
    pub const NONE: Assumptions = Assumptions(0);

    pub fn of(a: Assumption) -> Assumptions {
        Assumptions(a.bit())
    }

    pub fn with(self, a: Assumption) -> Assumptions {
        Assumptions(self.0 | a.bit())
    }

    pub fn union(self, other: Assumptions) -> Assumptions {
        Assumptions(self.0 | other.0)
    }

    pub fn contains(self, a: Assumption) -> bool {
        self.0 & a.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// In [`Assumption::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Assumption> {
        Assumption::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }
}

impl fmt::Debug for Assumptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Assumption::code))
            .finish()
    }
}

impl Serialize for Assumptions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Assumption::code))
    }
}

/// How a [`Quote`] was arrived at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Every term priced from the table as the data reports it.
    Exact,
    /// Free of charge (moderations): $0, shown as free rather than as a price.
    Free,
    /// At least one term priced at a documented assumption: an estimate, never shown as exact.
    Assumed(Assumptions),
}

impl Basis {
    /// `"exact"`, `"free"` or `"assumed"`: the label the views and the JSON use.
    pub fn label(self) -> &'static str {
        match self {
            Basis::Exact => "exact",
            Basis::Free => "free",
            Basis::Assumed(_) => "assumed",
        }
    }

    pub fn assumptions(self) -> Assumptions {
        match self {
            Basis::Assumed(a) => a,
            _ => Assumptions::NONE,
        }
    }

    fn merge(self, other: Basis) -> Basis {
        match (self, other) {
            (Basis::Free, Basis::Free) => Basis::Free,
            (a, b) => {
                let set = a.assumptions().union(b.assumptions());
                if set.is_empty() {
                    Basis::Exact
                } else {
                    Basis::Assumed(set)
                }
            }
        }
    }
}

/// Where the prices of a [`Quote`] came from. A sum is marked by its most telling part: any
/// price from the bill makes it `Bill` (the newest such day), else any from the user's file
/// makes it `File`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// The built-in table.
    #[default]
    Table,
    /// The user's `--pricing` file.
    File,
    /// Learned from the bill: the settled UTC day (its midnight, unix seconds) it was billed on.
    Bill { day: i64 },
}

impl Source {
    /// `"table"`, `"file"` or `"bill"`: the JSON's `price_source`.
    pub fn label(self) -> &'static str {
        match self {
            Source::Table => "table",
            Source::File => "file",
            Source::Bill { .. } => "bill",
        }
    }

    /// The day of the bill the price was learned from, if it was.
    pub fn bill_day(self) -> Option<i64> {
        match self {
            Source::Bill { day } => Some(day),
            _ => None,
        }
    }

    pub fn merge(self, other: Source) -> Source {
        self.max(other)
    }
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// An estimated amount in USD, its [`Basis`] and where its prices came from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quote {
    pub usd: f64,
    pub basis: Basis,
    pub source: Source,
}

impl Quote {
    pub fn exact(usd: f64) -> Quote {
        Quote {
            usd,
            basis: Basis::Exact,
            source: Source::Table,
        }
    }

    pub fn free() -> Quote {
        Quote {
            usd: 0.0,
            basis: Basis::Free,
            source: Source::Table,
        }
    }

    /// `usd` at `assumptions`; exact when the set is empty.
    pub fn at(usd: f64, assumptions: Assumptions) -> Quote {
        let basis = if assumptions.is_empty() {
            Basis::Exact
        } else {
            Basis::Assumed(assumptions)
        };
        Quote {
            usd,
            basis,
            source: Source::Table,
        }
    }

    /// The same amount, its prices from `source`.
    pub fn from(mut self, source: Source) -> Quote {
        self.source = source;
        self
    }

    pub fn is_exact(&self) -> bool {
        self.basis == Basis::Exact
    }
}

impl Add for Quote {
    type Output = Quote;
    fn add(self, other: Quote) -> Quote {
        Quote {
            usd: self.usd + other.usd,
            basis: self.basis.merge(other.basis),
            source: self.source.merge(other.source),
        }
    }
}

impl Sum for Quote {
    /// The sum of no quotes is a free $0 (nothing was used).
    fn sum<I: Iterator<Item = Quote>>(iter: I) -> Quote {
        iter.fold(Quote::free(), Add::add)
    }
}

/// `{"usd": 1.25, "basis": "assumed", "assumptions": ["image-quality"], "price_source":
/// "table"}`; `assumptions` is `[]` unless the basis is `assumed`.
impl Serialize for Quote {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Quote", 4)?;
        st.serialize_field("usd", &self.usd)?;
        st.serialize_field("basis", self.basis.label())?;
        st.serialize_field("assumptions", &self.basis.assumptions())?;
        st.serialize_field("price_source", &self.source)?;
        st.end()
    }
}
