//! The OpenAI Admin API: request building, pagination, retries, typed errors, wire types.

pub mod backoff;
pub mod client;
pub mod error;
mod response;
pub mod usage;
pub mod wire;

pub use backoff::RetryPolicy;
pub use client::{
    AdminClient, ClientOptions, Fetched, OnRetry, Retrying, UsageQuery, install_tls_provider,
};
pub use error::{ApiError, ErrorKind};
pub use usage::{ParsedPage, UNKNOWN_MODEL, parse_usage_page};
