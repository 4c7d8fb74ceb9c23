//! The shells that draw the core's views: the terminal (`watch`) and the tray. The views and
//! formatters themselves are the core's, re-exported here under their own names.

pub use usage_tracker_core::ui::{
    format, headline, html, json, other_table, owners, spark, table, unpriced, view,
};

pub mod terminal;
#[cfg(feature = "app")]
pub mod tray;
