//! Views: pure functions from snapshots (and status) to plain data the front ends render, and
//! the one set of formatters for tokens, money, rates and times.

pub mod format;
pub mod headline;
pub mod html;
pub mod json;
pub mod keys;
pub mod other_table;
pub mod owners;
pub mod spark;
pub mod table;
pub mod unpriced;
pub mod view;
