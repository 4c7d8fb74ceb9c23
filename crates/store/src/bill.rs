//! Billed days in the store: each UTC day with its line items and when it was fetched. A day
//! is final once fetched when it was settled ([`usage_tracker_core::bill::is_settled`], the
//! same rule as the check of the estimate); today and the days just before are re-read.

use super::usage::gaps;
use crate::error::StoreError;
use crate::handle::{KeySet, Store};
use rusqlite::params;
use usage_tracker_core::bill::{BilledDay, LineItem, LineKind, Money, SECS_PER_DAY, utc_day_start};

/// A stored day of the bill, when it was fetched, and whether it can still change.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredDay {
    pub day: BilledDay,
    pub fetched_at: i64,
    pub is_final: bool,
}

pub(super) const KINDS: [LineKind; 18] = [
    LineKind::Input,
    LineKind::CachedInput,
    LineKind::CacheWrite,
    LineKind::Output,
    LineKind::AudioInput,
    LineKind::AudioOutput,
    LineKind::CachedAudioInput,
    LineKind::ImageInput,
    LineKind::ImageOutput,
    LineKind::CachedImageInput,
    LineKind::Images,
    LineKind::Speech,
    LineKind::Transcription,
    LineKind::WebSearch,
    LineKind::FileSearch,
    LineKind::Embeddings,
    LineKind::Moderations,
    LineKind::Other,
];

/// The stored name of a line kind (as it serializes).
pub fn line_kind_name(k: LineKind) -> &'static str {
    match k {
        LineKind::Input => "input",
        LineKind::CachedInput => "cached_input",
        LineKind::CacheWrite => "cache_write",
        LineKind::Output => "output",
        LineKind::AudioInput => "audio_input",
        LineKind::AudioOutput => "audio_output",
        LineKind::CachedAudioInput => "cached_audio_input",
        LineKind::ImageInput => "image_input",
        LineKind::ImageOutput => "image_output",
        LineKind::CachedImageInput => "cached_image_input",
        LineKind::Images => "images",
        LineKind::Speech => "speech",
        LineKind::Transcription => "transcription",
        LineKind::WebSearch => "web_search",
        LineKind::FileSearch => "file_search",
        LineKind::Embeddings => "embeddings",
        LineKind::Moderations => "moderations",
        LineKind::Other => "other",
    }
}

/// A kind a newer build wrote is read as `Other`: kept and shown, never dropped.
pub(super) fn line_kind(name: &str) -> LineKind {
    KINDS
        .into_iter()
        .find(|k| line_kind_name(*k) == name)
        .unwrap_or(LineKind::Other)
}

impl Store {
    /// Keeps the billed `days` for `keys` (each replacing the stored one unless that was
    /// fetched later).
    pub fn record_bill(
        &mut self,
        keys: &KeySet,
        days: &[BilledDay],
        fetched_at: i64,
    ) -> Result<usize, StoreError> {
        let scoped = self.scoped(keys);
        let (path, busy) = (self.path.clone(), self.options.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, busy, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut kept = 0;
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO bill_day (key_set, start_time, fetched_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key_set, start_time) DO UPDATE SET fetched_at = excluded.fetched_at
                       WHERE excluded.fetched_at >= bill_day.fetched_at
                     RETURNING id",
                )
                .map_err(err)?;
            let mut clear = tx
                .prepare_cached("DELETE FROM bill_item WHERE day_id = ?1")
                .map_err(err)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO bill_item (day_id, name, model, kind, batch, amount, currency,
                       quantity, quantity_unit, api_key_id, project_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(err)?;
            for d in days {
                if d.start_time != utc_day_start(d.start_time) {
                    continue;
                }
                let id: Option<i64> = match upsert
                    .query_row(params![scoped.as_str(), d.start_time, fetched_at], |r| {
                        r.get(0)
                    }) {
                    Ok(id) => Some(id),
                    Err(rusqlite::Error::QueryReturnedNoRows) => None,
                    Err(e) => return Err(err(e)),
                };
                let Some(id) = id else { continue };
                clear.execute([id]).map_err(err)?;
                for i in &d.items {
                    insert
                        .execute(params![
                            id,
                            i.name,
                            i.model,
                            line_kind_name(i.kind),
                            i.batch,
                            i.amount.value,
                            i.amount.currency,
                            i.quantity,
                            i.quantity_unit,
                            i.api_key_id,
                            i.project_id
                        ])
                        .map_err(err)?;
                }
                kept += 1;
            }
        }
        tx.commit().map_err(err)?;
        self.prune_if_due(fetched_at)?;
        Ok(kept)
    }

    /// The stored days for `keys` starting in `[from, to)`, ascending, items in the order
    /// they were written.
    pub fn load_bill(
        &self,
        keys: &KeySet,
        from: i64,
        to: i64,
    ) -> Result<Vec<StoredDay>, StoreError> {
        let scoped = self.scoped(keys);
        let err = |e| self.err(e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.start_time, d.fetched_at, i.name, i.model, i.kind, i.batch, i.amount,
                   i.currency, i.quantity, i.quantity_unit, i.api_key_id, i.project_id
                 FROM bill_day d LEFT JOIN bill_item i ON i.day_id = d.id
                 WHERE d.key_set = ?1 AND d.start_time >= ?2 AND d.start_time < ?3
                 ORDER BY d.start_time, i.rowid",
            )
            .map_err(err)?;
        let mut rows = stmt
            .query(params![scoped.as_str(), from, to])
            .map_err(err)?;
        let settle = self.options.bill_settle_secs;
        let mut out: Vec<StoredDay> = Vec::new();
        while let Some(r) = rows.next().map_err(err)? {
            let start: i64 = r.get(0).map_err(err)?;
            if out.last().map(|d| d.day.start_time) != Some(start) {
                let fetched_at: i64 = r.get(1).map_err(err)?;
                out.push(StoredDay {
                    day: BilledDay {
                        start_time: start,
                        items: Vec::new(),
                    },
                    fetched_at,
                    is_final: fetched_at >= start + SECS_PER_DAY + settle,
                });
            }
            let Some(name) = r.get::<_, Option<String>>(2).map_err(err)? else {
                continue;
            };
            let kind: String = r.get(4).map_err(err)?;
            let item = LineItem {
                name,
                model: r.get(3).map_err(err)?,
                kind: line_kind(&kind),
                batch: r.get(5).map_err(err)?,
                amount: Money {
                    value: r.get(6).map_err(err)?,
                    currency: r.get(7).map_err(err)?,
                },
                quantity: r.get(8).map_err(err)?,
                quantity_unit: r.get(9).map_err(err)?,
                api_key_id: r.get(10).map_err(err)?,
                project_id: r.get(11).map_err(err)?,
            };
            out.last_mut().expect("pushed above").day.items.push(item);
        }
        Ok(out)
    }

    /// The UTC days of `[from, to)` whose bill is not stored or may still change, as merged
    /// ranges.
    pub fn missing_bill(
        &self,
        keys: &KeySet,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let scoped = self.scoped(keys);
        let first = utc_day_start(from);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT start_time FROM bill_day WHERE key_set = ?1
                   AND start_time >= ?2 AND start_time < ?3 AND fetched_at >= start_time + ?4",
            )
            .map_err(|e| self.err(e))?;
        let known: std::collections::BTreeSet<i64> = stmt
            .query_map(
                params![
                    scoped.as_str(),
                    first,
                    to,
                    SECS_PER_DAY + self.options.bill_settle_secs
                ],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(gaps(first, to, SECS_PER_DAY, from, |s| known.contains(&s)))
    }
}
