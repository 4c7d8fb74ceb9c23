//! The history store: one SQLite file holding what the Admin API returned, keyed by the
//! organization ([`OrganizationId`], `organization`) and by what was asked (tracked key set,
//! endpoint, bucket width), with when each piece was fetched, so a
//! launch can show the last figures at once and a refresh can ask only for what is missing or
//! may still change. Also the billed days with their line items. Read by `export` and
//! `report`; the trackers will read and write it (through [`Store::record_usage_page`],
//! [`Store::load_usage`], [`Store::missing`] and their bill counterparts).
//!
//! Synchronous (rusqlite) and cheap: a call is a few indexed statements on a file of a few MB;
//! callers on tokio run it on a blocking thread. WAL mode and a busy timeout let the app,
//! `watch` and `once` use one file at once. A store that cannot be used is never fatal:
//! [`open_or_recover`] gives "running without history" and one message instead.

mod bill;
mod error;
mod handle;
mod open;
mod organization;
mod prices;
mod read;
mod retention;
pub mod schema;
/// Fills a store from the simulator as the engine would (tests and benchmarks only).
#[cfg(feature = "seed")]
pub mod seed;
mod shared;
mod usage;

pub use bill::{StoredDay, line_kind_name};
pub use error::StoreError;
pub use handle::{KeySet, OrganizationId, Store, StoreOptions, file_in};
pub use open::{Opened, corrupt_name, open_or_recover};
pub use organization::Identified;
pub use read::PeriodData;
pub use retention::Retention;
pub use shared::SharedStore;
pub use usage::{StoredBucket, StoredRow};

/// The file's name in the data directory.
pub use usage_tracker_core::settings::HISTORY_FILE_NAME as FILE_NAME;

#[cfg(test)]
mod tests;
