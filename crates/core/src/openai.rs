//! The OpenAI Admin API's shapes, without the transport: wire types, typed errors, the endpoint
//! specs, the page readers (the fast completions parser among them), the Costs API's rows,
//! Retry-After and backoff arithmetic. The `usage-tracker-api` crate sends the requests.

pub mod backoff;
mod completions_page;
pub mod costs;
pub mod error;
pub mod page;
pub mod response;
pub mod rows;
pub mod scope;
pub mod usage;
pub mod wire;

pub use backoff::RetryPolicy;
pub use costs::{CostRow, CostsQuery, parse_costs_page};
pub use error::{ApiError, ErrorKind};
pub use usage::{
    OtherRow, ParsedPage, TimeBucket, UNKNOWN_MODEL, endpoint_spec, parse_completions_page,
    parse_other_page,
};
