//! The engine: every background task of a connection (the live refresh, the bill, the pace and
//! sparkline rounds, today's cost for the budgets, the prices learned from the bill), their
//! schedules, backoff and `Retry-After`, on the tokio runtime of whoever starts it.

pub mod bill;
mod bill_task;
mod clock;
mod day_estimate;
pub mod events;
mod fetch;
pub mod glance;
pub mod live;
pub mod tracker;

pub use clock::{Clock, now_ms};
