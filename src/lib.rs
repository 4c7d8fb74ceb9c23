//! UsageTracker: tokens and estimated cost of one OpenAI project API key, live.
//!
//! Data flows one way: settings → client → snapshot → view model → renderer.
//! The pure layers (`usage`, `pricing`, `alerts`, `ui::view`, `ui::format`) never touch I/O;
//! `openai`, `engine` and `simulator` do the network work on tokio; the front ends render.

pub mod alerts;
pub mod billing;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod history;
pub mod openai;
pub mod platform;
pub mod pricing;
pub mod settings;
pub mod simulator;
pub mod snapshot;
pub mod store;
pub mod tracker;
pub mod ui;
pub mod usage;
