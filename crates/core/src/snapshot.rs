//! The snapshot every front end reads: the window, the completions summary, the other kinds of
//! usage, alerts and what the refresh cost. Plain data, built by the tracker, shared behind an
//! `Arc` with the menu, the terminal view and the JSON lines.

use crate::alerts::Alert;
use crate::pricing::{PriceCheck, PriceMode, TierChoice};
use crate::usage::{Endpoint, OtherUsage, Summary, Window};
use serde::Serialize;

/// Tokens and requests of one bucket, for charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BucketPoint {
    pub start_time: i64,
    pub total_tokens: u64,
    pub requests: u64,
}

/// What the last refresh cost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FetchStats {
    /// HTTP requests, retries included.
    pub requests: u64,
    /// Buckets received.
    pub buckets: usize,
    /// Whether the whole window was fetched.
    pub full: bool,
    /// Per endpoint asked in this refresh: (endpoint, requests, buckets).
    pub endpoints: Vec<(Endpoint, u64, usize)>,
}

/// Everything a front end shows after a successful refresh.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub window: Window,
    pub api_key_ids: Vec<String>,
    /// The tracked projects (`--project-id`); empty: every project.
    pub project_ids: Vec<String>,
    pub tier: TierChoice,
    pub fetched_at_ms: i64,
    /// Completions, per model.
    pub summary: Summary,
    /// Every other kind of usage (images, speech, searches, ...).
    pub other: OtherUsage,
    pub buckets: Vec<BucketPoint>,
    /// Spike alerts active now.
    pub alerts: Vec<Alert>,
    /// Alerts that started with this refresh (notify once for each).
    pub new_alerts: Vec<Alert>,
    pub fetch: FetchStats,
    /// When the built-in prices were compiled.
    pub prices_compiled: String,
    /// Where the bill's unit prices differ from the table's by more than 5 %, by model.
    pub price_checks: Vec<PriceCheck>,
    /// Which of the two the estimate used there (`--prices`).
    pub price_mode: PriceMode,
    /// The window's usage by key and project, highest cost first (`usage::by_owner`). When
    /// one key is tracked it is that key's whole usage (its project unknown: `None`).
    #[serde(skip)]
    pub owners: Vec<crate::usage::OwnerFigure>,
}

/// Said wherever the total is read: what a key's cost cannot include.
pub const NOT_INCLUDED: &str =
    "storage and code-interpreter sessions are billed per project and are not in this figure";

impl Snapshot {
    /// The whole estimate: completions plus every other priced kind of usage.
    pub fn total_cost_usd(&self) -> f64 {
        self.summary.totals.cost_usd + self.other.cost_usd
    }

    /// Requests of every endpoint.
    pub fn total_requests(&self) -> u64 {
        self.summary.totals.requests + self.other.requests
    }

    /// Rows left out of the total for want of a price: completions models and other rows.
    pub fn unpriced(&self) -> usize {
        self.summary.totals.unpriced_models + self.other.unpriced_rows
    }
}
