//! The pruning of the history by its [`Retention`] (the setting's value is the core's).
//! Pruning is a few indexed deletes (rows go with their bucket through the foreign key), run
//! on open and at most once an hour on write, so it costs nothing between refreshes.

use crate::error::StoreError;
use crate::handle::Store;
pub use usage_tracker_core::settings::Retention;
use usage_tracker_core::usage::BucketWidth;

/// Retention runs on write at most this often (an hour).
const PRUNE_EVERY_SECS: i64 = 3_600;

impl Store {
    /// Drops what is older than its retention as of `now`; returns the buckets and days
    /// dropped.
    pub fn prune(&mut self, now: i64) -> Result<usize, StoreError> {
        let r = self.options.retention;
        let (path, busy) = (self.path.clone(), self.options.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, busy, e);
        // IMMEDIATE: a deferred transaction that reads and then writes fails at once with
        // SQLITE_BUSY (no busy wait) when another process wrote in between; this one waits.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut dropped = 0;
        for w in [BucketWidth::Minute, BucketWidth::Hour, BucketWidth::Day] {
            dropped += tx
                .execute(
                    "DELETE FROM usage_bucket WHERE start_time < ?2
                       AND series_id IN (SELECT id FROM series WHERE width = ?1)",
                    (w.secs(), now - r.of(w)),
                )
                .map_err(err)?;
        }
        dropped += tx
            .execute(
                "DELETE FROM bill_day WHERE start_time < ?1",
                [now - r.bill_secs],
            )
            .map_err(err)?;
        tx.commit().map_err(err)?;
        self.last_prune = now;
        Ok(dropped)
    }

    /// Prunes when the last pruning is an hour old (called by the writers).
    pub(super) fn prune_if_due(&mut self, now: i64) -> Result<(), StoreError> {
        if now - self.last_prune >= PRUNE_EVERY_SECS {
            self.prune(now)?;
        }
        Ok(())
    }
}
