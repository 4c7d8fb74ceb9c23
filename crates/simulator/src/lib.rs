//! The simulated OpenAI Admin API: a real HTTP server on 127.0.0.1 behind `--demo` and every test.
//!
//! It owns a deterministic scenario (projects, keys, models and their per-minute usage, derived
//! from a seed and the clock), the HTTP surface that serves it the way OpenAI does (usage pages,
//! project and key lists, auth, OpenAI-style errors) and a control plane (clock, bursts, injected
//! faults, counters) that tests drive in-process through [`SimControl`] or out of process through
//! `/_sim/*`. The server runs as a task on the caller's tokio runtime.
//!
//! It writes its JSON with its own types on purpose, never `openai::wire`: if the client and the
//! simulator shared a misreading of the spec, the tests could not catch it.
//!
//! Layout: `scenario` (who uses what, per minute), `query` (parsing the usage query string),
//! `page` (buckets, grouping, cursors), `lists` (projects and keys), `control` (clock, faults,
//! stats), `server` (routing, auth, fault application), `sim_http` (the `/_sim` endpoints),
//! `costs`, `costs_page` and `bill_prices` (the bill: `/organization/costs` from the
//! simulator's own prices), `orgs` (several organizations, chosen by the admin key).

mod bill_prices;
mod control;
mod costs;
mod costs_page;
mod gate;
mod lists;
mod org;
mod orgs;
mod other;
mod page;
mod query;
mod scenario;
mod server;
mod sim_http;

pub use control::SimControl;
pub use costs::{CostsSettings, SimBilledDay};
pub use other::other_page_json;
pub use page::usage_page_json;
pub use query::{ApiError, ApiErrorResponse, BucketWidth, GroupField, UsageQuery};
pub use server::{SimServer, run_standalone};

use std::time::Duration;

/// The Bearer token the demo accepts. Not a secret: it only opens the local simulator.
pub const DEMO_ADMIN_KEY: &str = "sk-admin-demo-0000000000000000";
/// The organization the demo and [`SimConfig::test`] simulate, as the `openai-organization`
/// response header names it.
pub const DEMO_ORGANIZATION: &str = "org-demo";
/// The project API key the demo tracks.
pub const DEMO_KEY_ID: &str = "key_demoPrimary01";
/// The project the tracked key belongs to.
pub const DEMO_PROJECT_ID: &str = "proj_demoApp01";
/// The instant [`SimConfig::test`] starts at: 2025-11-24 16:00:30 UTC, half-way into a minute so
/// the current minute already has some usage.
pub const TEST_START: i64 = 1_764_000_030;

/// Everything that determines what the simulator serves.
#[derive(Clone)]
pub struct SimConfig {
    /// Same seed, same clock, same queries → the same bytes.
    pub seed: u64,
    /// The Bearer token accepted as an Admin key.
    pub admin_key: String,
    /// The organization's id, sent back in the `openai-organization` header. Another than
    /// [`DEMO_ORGANIZATION`] suffixes every project and key id (`proj_demoApp01_second`), so
    /// several organizations served by one simulator ([`SimServer::start_organizations`])
    /// share no id, as OpenAI's never do.
    pub organization: String,
    pub clock: SimClock,
    pub bursts: BurstSchedule,
    /// Extra models used by the tracked key (`sim-model-01-2025-01-01`, ...), for benchmarks.
    pub extra_models: usize,
    /// Filler projects (one key each, no usage), to exercise list pagination.
    pub extra_projects: usize,
    /// Added before answering every `/v1` request.
    pub latency: Duration,
}

impl SimConfig {
    /// `--demo`: the real clock, a burst every 12 minutes, a little latency so it feels remote.
    pub fn demo() -> Self {
        SimConfig {
            seed: 7,
            admin_key: DEMO_ADMIN_KEY.to_owned(),
            organization: DEMO_ORGANIZATION.to_owned(),
            clock: SimClock::Real,
            bursts: BurstSchedule::Periodic {
                every_minutes: 12,
                length_minutes: 2,
                factor: 20.0,
            },
            extra_models: 0,
            extra_projects: 3,
            latency: Duration::from_millis(20),
        }
    }

    /// Tests: a manual clock at [`TEST_START`], no periodic bursts, no latency.
    pub fn test() -> Self {
        SimConfig {
            seed: 1,
            admin_key: DEMO_ADMIN_KEY.to_owned(),
            organization: DEMO_ORGANIZATION.to_owned(),
            clock: SimClock::Manual { start: TEST_START },
            bursts: BurstSchedule::None,
            extra_models: 0,
            extra_projects: 0,
            latency: Duration::ZERO,
        }
    }

    /// Tests: another organization `org-<name>` beside [`SimConfig::test`]'s: its own admin key
    /// (`sk-admin-<name>-…`), its own usage (from `seed`), its own project and key ids.
    pub fn other_organization(name: &str, seed: u64) -> Self {
        SimConfig {
            seed,
            admin_key: format!("sk-admin-{name}-0000000000000000"),
            organization: format!("org-{name}"),
            ..SimConfig::test()
        }
    }

    /// What this organization's project and key ids end with: `""` for the demo's,
    /// `_<name>` for `org-<name>`.
    pub fn id_suffix(&self) -> String {
        if self.organization == DEMO_ORGANIZATION {
            String::new()
        } else {
            format!("_{}", self.organization.trim_start_matches("org-"))
        }
    }
}

impl std::fmt::Debug for SimConfig {
    // The admin key stays out of logs even though the demo one is public: tests may pass others.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("seed", &self.seed)
            .field("admin_key", &"<redacted>")
            .field("organization", &self.organization)
            .field("clock", &self.clock)
            .field("bursts", &self.bursts)
            .field("extra_models", &self.extra_models)
            .field("extra_projects", &self.extra_projects)
            .field("latency", &self.latency)
            .finish()
    }
}

/// Where "now" comes from (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SimClock {
    /// The system clock (plus whatever [`SimControl::advance`] added).
    Real,
    /// Stands still at `start` until moved with [`SimControl::advance`] / [`SimControl::set_now`].
    Manual { start: i64 },
}

/// When the tracked key's usage spikes on its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BurstSchedule {
    None,
    /// Minutes `m` (since the epoch) with `m % every_minutes < length_minutes` are × `factor`.
    Periodic {
        every_minutes: u32,
        length_minutes: u32,
        factor: f64,
    },
}

/// A failure the next API requests get instead of (or on top of) a normal answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 401 `invalid_api_key`.
    Unauthorized,
    /// 403 missing scopes.
    Forbidden,
    /// 429 `rate_limit_exceeded`, with a `Retry-After` header when given.
    RateLimited { retry_after_secs: Option<u64> },
    /// This status (500, 502, 503, ...) with an OpenAI-style `server_error` body.
    ServerError(u16),
    /// Sleep this long, then answer normally.
    Slow(Duration),
    /// Status 200 and a valid page cut in half.
    TruncatedJson,
    /// A normal usage page, but `has_more: true` and `next_page` equal to the request's `page`.
    RepeatingCursor,
    /// Status 200 with an HTML body.
    NotJson,
}

/// Counters over `/v1` requests (control requests are not counted).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SimStats {
    /// Every `/v1` request, faulted or not.
    pub requests: u64,
    /// Requests to the completions usage endpoint.
    pub usage_requests: u64,
    /// Buckets in completions usage pages served with status 200.
    pub buckets_served: u64,
    /// Result rows in those buckets.
    pub rows_served: u64,
    /// `/v1` requests that accepted a gzip answer (`Accept-Encoding`).
    pub gzip_accepted: u64,
    /// Per usage endpoint (completions too), by its path segment.
    pub endpoints: std::collections::BTreeMap<String, EndpointStats>,
}

/// Requests to one usage endpoint and what its 200 answers held.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EndpointStats {
    pub requests: u64,
    pub buckets_served: u64,
    pub rows_served: u64,
}

#[cfg(test)]
mod tests;
