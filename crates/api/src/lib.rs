//! The OpenAI Admin API over HTTPS: request building, pagination, retries with backoff and
//! Retry-After, one deadline per request. What the pages mean is the core's
//! ([`usage_tracker_core::openai`]); this crate only moves bytes (reqwest on tokio).

pub mod client;
mod costs_fetch;
pub mod usage_fetch;

pub use client::{AdminClient, ClientOptions, OnRetry, Retrying, install_tls_provider};
pub use usage_fetch::{Fetched, UsageQuery};
