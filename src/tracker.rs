//! The trackers' pure rules, without I/O: when each endpoint is read again ([`plan`]), the bill's
//! schedule ([`bill_plan`]), calendar windows ([`calendar`]), the pricing of held usage
//! (`price`) and the rows the API's answers are turned into ([`rows`]). The trackers that
//! follow these rules over HTTP and the store are the engine's (`crate::engine`).

pub mod bill_plan;
pub mod calendar;
pub mod plan;
pub(crate) mod price;
pub mod rows;

pub use crate::snapshot::{BucketPoint, FetchStats, Snapshot};
