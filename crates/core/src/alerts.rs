//! Alert detectors: pure state machines over successive usage series.
//!
//! They never look at the clock or the network: the caller passes the series and the time it
//! was fetched, which keeps them deterministic and testable with plain values.

mod budget;
mod monthly;
mod spike;

pub use budget::{BudgetAlert, BudgetDetector, cost_since, local_day};
pub use monthly::{MonthSpend, MonthlyBudget, utc_month};
pub use spike::{
    Alert, AlertKind, Counted, Digest, Growth, Reading, SpikeDetector, SpikeUpdate, Thresholds,
    growth,
};
