//! `usage-tracker serve`'s pure parts: the Prometheus text format ([`text`]) and what a
//! scrape shows, from the engine's events and the history store ([`state`]). The command
//! itself (listening, the token, the engine) is `commands::serve`.

pub mod state;
pub mod text;

/// Where `serve` listens unless told: loopback, on a port outside the Prometheus exporters'
/// allocated range 9100–9999 (full since 2023; new exporters are given ports above 10000).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:10511";

/// The environment variable holding the bearer token `/metrics` asks for.
pub const TOKEN_VAR: &str = "USAGE_TRACKER_METRICS_TOKEN";
