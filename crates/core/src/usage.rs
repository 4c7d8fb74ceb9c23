//! Pure usage domain: bucket widths and windows, the bucketed usage series with its incremental
//! merge, and the per-model summary with estimated cost.
//!
//! Nothing here does I/O or knows about HTTP; the tracker feeds it parsed pages and the front
//! ends read the summaries.

mod by_owner;
mod calendar;
mod meter;
mod meter_cost;
mod other;
mod owner;
pub mod price_usage;
mod series;
mod summary;

pub use by_owner::{OwnerFigure, by_owner, split_buckets};
pub use calendar::Calendar;
pub use meter::{Endpoint, Meter, TokenSplit, Unit};
pub use meter_cost::meter_cost;
pub use other::{KindSummary, MeterCost, MeterSummary, OtherUsage, summarize_other};
pub use owner::Owner;
pub use series::{Bucket, Names, UsageRow, UsageSeries};
pub use summary::{ModelSummary, Summary, Totals, summarize};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Width of one usage bucket, as the API names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BucketWidth {
    #[serde(rename = "1m")]
    Minute,
    #[default]
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "1d")]
    Day,
}

impl BucketWidth {
    pub const ACCEPTED: &'static str = "1m, 1h, 1d";

    pub fn as_str(self) -> &'static str {
        match self {
            BucketWidth::Minute => "1m",
            BucketWidth::Hour => "1h",
            BucketWidth::Day => "1d",
        }
    }

    pub fn secs(self) -> i64 {
        match self {
            BucketWidth::Minute => 60,
            BucketWidth::Hour => 3_600,
            BucketWidth::Day => 86_400,
        }
    }

    /// The most buckets the API returns in one page for this width.
    pub fn max_page_limit(self) -> u32 {
        match self {
            BucketWidth::Minute => 1_440,
            BucketWidth::Hour => 168,
            BucketWidth::Day => 31,
        }
    }

    /// The start of the bucket holding `t` (buckets are aligned to UTC multiples of the width).
    pub fn floor(self, t: i64) -> i64 {
        t.div_euclid(self.secs()) * self.secs()
    }
}

impl fmt::Display for BucketWidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BucketWidth {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "1m" => Ok(BucketWidth::Minute),
            "1h" => Ok(BucketWidth::Hour),
            "1d" => Ok(BucketWidth::Day),
            _ => Err(format!(
                "unknown bucket width {s:?}; accepted: {}",
                Self::ACCEPTED
            )),
        }
    }
}

/// The time span a summary covers: exactly `[end - lookback, end)`, unix seconds, as the API
/// counts it: the first bucket is partial (the API clips it to `start_time`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start_time: i64,
    pub end_time: i64,
    pub bucket_width: BucketWidth,
    /// The calendar choice the window follows (`[period start, now)`), `None` for a rolling
    /// lookback. Not in the window's JSON: the reports name it in a field of their own.
    #[serde(skip)]
    pub calendar: Option<Calendar>,
}

impl Window {
    pub fn ending_at(now: i64, lookback_secs: i64, width: BucketWidth) -> Window {
        Window {
            start_time: now - lookback_secs,
            end_time: now,
            bucket_width: width,
            calendar: None,
        }
    }

    /// How many buckets the window spans (the first possibly partial, the last unfinished).
    pub fn bucket_count(&self) -> usize {
        let w = self.bucket_width.secs();
        let first = self.bucket_width.floor(self.start_time);
        ((self.end_time - first + w - 1) / w).max(0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_exactly_the_lookback_with_a_partial_first_bucket() {
        // 2026-11-26T10:37:20Z
        let now = 1_795_689_440;
        let w = Window::ending_at(now, 6 * 3600, BucketWidth::Hour);
        assert_eq!(w.start_time, now - 6 * 3600);
        assert_eq!(w.bucket_count(), 7);
        let m = Window::ending_at(now, 6 * 3600, BucketWidth::Minute);
        assert_eq!(m.bucket_count(), 361);
        let d = Window::ending_at(now, 6 * 3600, BucketWidth::Day);
        assert_eq!(d.end_time - d.start_time, 6 * 3600);
        assert_eq!(d.bucket_count(), 1);
    }

    #[test]
    fn bucket_width_round_trips_and_rejects() {
        for w in [BucketWidth::Minute, BucketWidth::Hour, BucketWidth::Day] {
            assert_eq!(w.as_str().parse::<BucketWidth>(), Ok(w));
        }
        let err = "5m".parse::<BucketWidth>().unwrap_err();
        assert!(err.contains("\"5m\"") && err.contains("1m, 1h, 1d"));
        assert_eq!(BucketWidth::Hour.floor(-1), -3600);
    }
}
