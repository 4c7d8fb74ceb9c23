//! UsageTracker: tokens and estimated cost of OpenAI API usage, live: the binary's library.
//!
//! The pure layers live in the `usage-tracker-core` crate, the HTTP client in
//! `usage-tracker-api`, the simulated Admin API in `usage-tracker-simulator`; this crate holds
//! what does I/O and what a person runs: settings and the command line, the store, the engine
//! (every background task), the platform layer, the tray and terminal shells, the commands.
//! The core's modules are re-exported under their own names so one path names one thing.

pub use usage_tracker_core::{alerts, bill, figures, plan, pricing, snapshot, usage};

/// The Admin API: its shapes (the core's) and its transport (the api crate's), under one name.
pub mod openai {
    pub use usage_tracker_api::*;
    pub use usage_tracker_core::openai::*;
}

pub mod cli;
pub mod commands;
pub mod defs;
pub mod engine;
pub mod platform;
pub mod serve;
pub mod settings;
#[cfg(test)]
use usage_tracker_simulator as simulator;
pub use usage_tracker_store as store;
pub mod ui;
