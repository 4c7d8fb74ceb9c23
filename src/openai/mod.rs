//! The OpenAI Admin API: request building, pagination, retries, typed errors, wire types.

pub mod backoff;
pub mod client;
mod completions_page;
pub mod costs;
pub mod error;
mod response;
pub mod usage;
pub mod usage_fetch;
pub mod wire;

pub use backoff::RetryPolicy;
pub use client::{AdminClient, ClientOptions, OnRetry, Retrying, install_tls_provider};
pub use costs::{CostRow, CostsQuery, parse_costs_page};
pub use error::{ApiError, ErrorKind};
pub use usage::{
    OtherRow, ParsedPage, TimeBucket, UNKNOWN_MODEL, endpoint_spec, parse_completions_page,
    parse_other_page,
};
pub use usage_fetch::{Fetched, UsageQuery};
