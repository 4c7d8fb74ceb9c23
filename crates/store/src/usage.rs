//! Usage buckets in the store: writing a fetched page, reading a range back as the domain's
//! buckets, and which parts of a range are missing or may still change.
//!
//! Only whole buckets are kept: one the API clipped to the `start_time` asked (the partial
//! first bucket of a window) is not the bucket's usage and is skipped. A bucket is final when
//! it was fetched at least the late-usage horizon after it ended; until then it is re-read.

use crate::error::StoreError;
use crate::handle::{KeySet, Store};
use rusqlite::params;
use usage_tracker_core::pricing::Tier;
use usage_tracker_core::usage::{
    Bucket, BucketWidth, Endpoint, Meter, Names, Owner, TokenSplit, UsageRow,
};

/// A row's columns, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    pub model: String,
    pub detail: Option<String>,
    pub tier: Option<String>,
    pub quantity: u64,
    pub cached_input: u64,
    pub output: u64,
    pub requests: u64,
    pub split: TokenSplit,
    pub api_key_id: Option<String>,
    pub project_id: Option<String>,
}

fn owner_columns(o: &Owner) -> (Option<String>, Option<String>) {
    (
        o.api_key_id.as_deref().map(str::to_owned),
        o.project_id.as_deref().map(str::to_owned),
    )
}

fn owner_of(c: &Columns, names: &mut Names) -> Owner {
    Owner::new(
        c.api_key_id.as_deref().map(|k| names.intern(k)),
        c.project_id.as_deref().map(|p| names.intern(p)),
    )
}

/// A row the store can keep: completions' [`UsageRow`] or any other endpoint's [`Meter`].
pub trait StoredRow: Sized {
    fn columns(&self) -> Columns;
    /// `None` for a row this build cannot read back (a completions row without a tier).
    fn from_columns(endpoint: Endpoint, c: Columns, names: &mut Names) -> Option<Self>;
}

impl StoredRow for UsageRow {
    fn columns(&self) -> Columns {
        let (api_key_id, project_id) = owner_columns(&self.owner);
        Columns {
            model: self.model.to_string(),
            detail: None,
            tier: Some(self.tier.as_str().to_owned()),
            quantity: self.input_tokens,
            cached_input: self.cached_input_tokens,
            output: self.output_tokens,
            requests: self.requests,
            split: self.split,
            api_key_id,
            project_id,
        }
    }

    fn from_columns(_: Endpoint, c: Columns, names: &mut Names) -> Option<Self> {
        // Any name reads back: the four by name, any other as the same `Tier::Other`.
        let tier = Tier::named(c.tier.as_deref()?);
        let owner = owner_of(&c, names);
        Some(UsageRow {
            owner,
            model: names.intern(&c.model),
            tier,
            input_tokens: c.quantity,
            cached_input_tokens: c.cached_input,
            output_tokens: c.output,
            requests: c.requests,
            split: c.split,
        })
    }
}

impl StoredRow for Meter {
    fn columns(&self) -> Columns {
        let (api_key_id, project_id) = owner_columns(&self.owner);
        Columns {
            model: self.model.to_string(),
            detail: self.detail.as_deref().map(str::to_owned),
            quantity: self.quantity,
            requests: self.requests,
            api_key_id,
            project_id,
            ..Columns::default()
        }
    }

    fn from_columns(endpoint: Endpoint, c: Columns, names: &mut Names) -> Option<Self> {
        Some(Meter {
            owner: owner_of(&c, names),
            endpoint,
            model: names.intern(&c.model),
            detail: c.detail.as_deref().map(|d| names.intern(d)),
            quantity: c.quantity,
            requests: c.requests,
        })
    }
}

/// A stored bucket, when it was fetched, and whether it can still change.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredBucket<R> {
    pub bucket: Bucket<R>,
    pub fetched_at: i64,
    pub is_final: bool,
}

/// SQLite integers are signed: a count past i64::MAX (a server's nonsense) is kept at the max.
fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    /// Keeps the whole buckets of one fetched page of `endpoint` at `width` for `keys`,
    /// replacing what was stored for them unless that was fetched later (another process
    /// may have written a newer answer). `fetched_at`: when the answer came (unix seconds).
    pub fn record_usage_page<R: StoredRow>(
        &mut self,
        keys: &KeySet,
        endpoint: Endpoint,
        width: BucketWidth,
        buckets: &[Bucket<R>],
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
            let series: i64 = tx
                .query_row(
                    "INSERT INTO series (key_set, endpoint, width) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key_set, endpoint, width) DO UPDATE SET width = excluded.width
                     RETURNING id",
                    params![scoped.as_str(), endpoint.as_str(), width.secs()],
                    |r| r.get(0),
                )
                .map_err(err)?;
            let mut name_stmt = tx
                .prepare_cached(
                    "INSERT INTO name (text) VALUES (?1)
                     ON CONFLICT (text) DO UPDATE SET text = excluded.text RETURNING id",
                )
                .map_err(err)?;
            let mut names: std::collections::HashMap<String, i64> = Default::default();
            let mut name_id = |text: &str| -> rusqlite::Result<i64> {
                if let Some(id) = names.get(text) {
                    return Ok(*id);
                }
                let id: i64 = name_stmt.query_row([text], |r| r.get(0))?;
                names.insert(text.to_owned(), id);
                Ok(id)
            };
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO usage_bucket (series_id, start_time, end_time, fetched_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (series_id, start_time) DO UPDATE
                       SET end_time = excluded.end_time, fetched_at = excluded.fetched_at
                       WHERE excluded.fetched_at >= usage_bucket.fetched_at
                     RETURNING id",
                )
                .map_err(err)?;
            let mut clear = tx
                .prepare_cached("DELETE FROM usage_row WHERE bucket_id = ?1")
                .map_err(err)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO usage_row (bucket_id, model_id, detail_id, tier, quantity, cached_input,
                       output, requests, cache_write, audio_input, audio_cached_input, audio_output,
                       image_input, image_cached_input, image_output, api_key_id, project_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                       ?16, ?17)",
                )
                .map_err(err)?;
            for b in buckets {
                let whole = b.start_time == width.floor(b.start_time)
                    && b.end_time - b.start_time == width.secs();
                if !whole {
                    continue;
                }
                let id: Option<i64> = upsert
                    .query_row(params![series, b.start_time, b.end_time, fetched_at], |r| {
                        r.get(0)
                    })
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })
                    .map_err(err)?;
                let Some(id) = id else { continue };
                clear.execute([id]).map_err(err)?;
                for row in &b.rows {
                    let c = row.columns();
                    let s = c.split;
                    let model = name_id(&c.model).map_err(err)?;
                    let detail = c
                        .detail
                        .as_deref()
                        .map(&mut name_id)
                        .transpose()
                        .map_err(err)?;
                    let key = c
                        .api_key_id
                        .as_deref()
                        .map(&mut name_id)
                        .transpose()
                        .map_err(err)?;
                    let project = c
                        .project_id
                        .as_deref()
                        .map(&mut name_id)
                        .transpose()
                        .map_err(err)?;
                    insert
                        .execute(params![
                            id,
                            model,
                            detail,
                            c.tier,
                            int(c.quantity),
                            int(c.cached_input),
                            int(c.output),
                            int(c.requests),
                            int(s.cache_write),
                            int(s.audio_input),
                            int(s.audio_cached_input),
                            int(s.audio_output),
                            int(s.image_input),
                            int(s.image_cached_input),
                            int(s.image_output),
                            key,
                            project,
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

    /// The stored buckets of `endpoint` at `width` for `keys` starting in `[from, to)`,
    /// ascending, rows in the order they were written.
    pub fn load_usage<R: StoredRow>(
        &self,
        keys: &KeySet,
        endpoint: Endpoint,
        width: BucketWidth,
        from: i64,
        to: i64,
    ) -> Result<Vec<StoredBucket<R>>, StoreError> {
        let scoped = self.scoped(keys);
        let err = |e| self.err(e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT b.start_time, b.end_time, b.fetched_at, m.text, d.text, r.tier,
                   r.quantity, r.cached_input, r.output, r.requests, r.cache_write, r.audio_input,
                   r.audio_cached_input, r.audio_output, r.image_input, r.image_cached_input,
                   r.image_output, k.text, p.text
                 FROM usage_bucket b
                   LEFT JOIN usage_row r ON r.bucket_id = b.id
                   LEFT JOIN name m ON m.id = r.model_id
                   LEFT JOIN name d ON d.id = r.detail_id
                   LEFT JOIN name k ON k.id = r.api_key_id
                   LEFT JOIN name p ON p.id = r.project_id
                 WHERE b.series_id = (SELECT id FROM series
                     WHERE key_set = ?1 AND endpoint = ?2 AND width = ?3)
                   AND b.start_time >= ?4 AND b.start_time < ?5
                 ORDER BY b.start_time, r.rowid",
            )
            .map_err(err)?;
        let mut rows = stmt
            .query(params![
                scoped.as_str(),
                endpoint.as_str(),
                width.secs(),
                from,
                to
            ])
            .map_err(err)?;
        let late = self.options.late_usage_secs;
        let mut names = Names::default();
        let mut out: Vec<StoredBucket<R>> = Vec::new();
        while let Some(r) = rows.next().map_err(err)? {
            let start: i64 = r.get(0).map_err(err)?;
            if out.last().map(|b| b.bucket.start_time) != Some(start) {
                let (end, fetched_at): (i64, i64) =
                    (r.get(1).map_err(err)?, r.get(2).map_err(err)?);
                out.push(StoredBucket {
                    bucket: Bucket {
                        start_time: start,
                        end_time: end,
                        rows: Vec::new(),
                    },
                    fetched_at,
                    is_final: fetched_at >= end + late,
                });
            }
            let Some(model) = r.get::<_, Option<String>>(3).map_err(err)? else {
                continue; // a bucket without rows
            };
            let n = |i| r.get::<_, i64>(i).map(count).map_err(err);
            let c = Columns {
                model,
                detail: r.get(4).map_err(err)?,
                tier: r.get(5).map_err(err)?,
                quantity: n(6)?,
                cached_input: n(7)?,
                output: n(8)?,
                requests: n(9)?,
                split: TokenSplit {
                    cache_write: n(10)?,
                    audio_input: n(11)?,
                    audio_cached_input: n(12)?,
                    audio_output: n(13)?,
                    image_input: n(14)?,
                    image_cached_input: n(15)?,
                    image_output: n(16)?,
                },
                api_key_id: r.get(17).map_err(err)?,
                project_id: r.get(18).map_err(err)?,
            };
            let bucket = out.last_mut().expect("pushed above");
            match R::from_columns(endpoint, c, &mut names) {
                Some(row) => bucket.bucket.rows.push(row),
                // Only a newer build writes what this one cannot read: re-read it as not final.
                None => bucket.is_final = false,
            }
        }
        Ok(out)
    }

    /// What to fetch of `endpoint` at `width` for `keys` to know `[from, to)`: the ranges
    /// (whole buckets, merged when adjacent, clipped to `[from, to)`) that are not stored or
    /// may still change. Empty when everything is stored and final.
    pub fn missing(
        &self,
        keys: &KeySet,
        endpoint: Endpoint,
        width: BucketWidth,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let scoped = self.scoped(keys);
        let first = width.floor(from);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT start_time FROM usage_bucket
                 WHERE series_id = (SELECT id FROM series
                     WHERE key_set = ?1 AND endpoint = ?2 AND width = ?3)
                   AND start_time >= ?4 AND start_time < ?5 AND fetched_at >= end_time + ?6
                 ORDER BY start_time",
            )
            .map_err(|e| self.err(e))?;
        let known: std::collections::BTreeSet<i64> = stmt
            .query_map(
                params![
                    scoped.as_str(),
                    endpoint.as_str(),
                    width.secs(),
                    first,
                    to,
                    self.options.late_usage_secs
                ],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(gaps(first, to, width.secs(), from, |s| known.contains(&s)))
    }
}

/// The ranges of the slots `[first + k·step, to)` that `have` lacks, merged and clipped to
/// `[from, to)`.
pub(super) fn gaps(
    first: i64,
    to: i64,
    step: i64,
    from: i64,
    have: impl Fn(i64) -> bool,
) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    let mut s = first;
    while s < to {
        if !have(s) {
            let (a, b) = (s.max(from), (s + step).min(to));
            match out.last_mut() {
                Some(last) if last.1 == a => last.1 = b,
                _ => out.push((a, b)),
            }
        }
        s += step;
    }
    out
}
