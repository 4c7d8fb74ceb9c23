//! What the engine and its front ends say to each other: plain data, defined in the core
//! ([`usage_tracker_core::app::engine`]) so the app's decisions and the terminal's state are
//! tested with plain values.

pub use crate::snapshot::Snapshot;
pub use usage_tracker_core::app::engine::{Command, EngineEvent, Event, Failure, TodayCost};
