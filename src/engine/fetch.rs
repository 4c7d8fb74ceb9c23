//! One usage read, the same for every tracker of the engine (the live one, the glance's rounds,
//! the bill's day estimates): the query, every page of its answer as [`Bucket`]s, and, with a
//! history store, the record of what came, dated when it came. Runs on the caller's task.

use crate::openai::rows;
use crate::openai::{AdminClient, ApiError, Fetched, TimeBucket, UsageQuery};
use crate::store::{KeySet, SharedStore, StoredRow};
use crate::usage::{Bucket, BucketWidth, Endpoint, Meter, Names, UsageRow};
use std::future::Future;

/// A row the engine reads from the Admin API: completions (token fields) or another endpoint's
/// meter (one quantity and its unit).
pub(super) trait Row: StoredRow + Clone + Send + Sync + 'static {
    fn fetch<'a>(
        client: &'a AdminClient,
        names: &'a mut Names,
        q: &'a UsageQuery,
    ) -> impl Future<Output = Result<Fetched<Self>, ApiError>> + Send + 'a;
}

impl Row for UsageRow {
    async fn fetch(
        client: &AdminClient,
        names: &mut Names,
        q: &UsageQuery,
    ) -> Result<Fetched<Self>, ApiError> {
        client
            .usage_completions(q, |r| rows::completions_row(names, r))
            .await
    }
}

impl Row for Meter {
    async fn fetch(
        client: &AdminClient,
        names: &mut Names,
        q: &UsageQuery,
    ) -> Result<Fetched<Self>, ApiError> {
        let e = q.endpoint;
        client.usage_other(q, |r| rows::meter(names, e, r)).await
    }
}

/// The query of `endpoint`'s usage from `from` to `to` (`None`: no end, up to now) at `width`,
/// its page limit sized to the buckets expected (whole pages at most).
pub(super) fn query(
    endpoint: Endpoint,
    keys: &[String],
    from: i64,
    to: Option<i64>,
    width: BucketWidth,
    now: i64,
) -> UsageQuery {
    let mut q = UsageQuery::new(endpoint, from, width, keys);
    q.end_time = to;
    let expected = ((to.unwrap_or(now) - from) / width.secs() + 2) as u32;
    q.limit = expected.min(width.max_page_limit());
    q
}

/// Where a read is kept: the store and the key set its pages belong to.
pub(super) struct Keep<'a> {
    pub store: &'a SharedStore,
    pub keys: KeySet,
}

/// What one read brought: its buckets and the HTTP requests it took (pages and retries).
pub(super) struct Read<R> {
    pub buckets: Vec<Bucket<R>>,
    pub requests: u64,
}

/// Reads every page of `q` and, with `keep`, records them at `q`'s width, dated `dated()` (unix
/// seconds, asked once the answer is in). A store failure is logged once and the read goes on.
pub(super) async fn read<R: Row>(
    client: &AdminClient,
    names: &mut Names,
    q: &UsageQuery,
    keep: Option<Keep<'_>>,
    dated: impl FnOnce() -> i64,
) -> Result<Read<R>, ApiError> {
    let f = R::fetch(client, names, q).await?;
    let buckets: Vec<Bucket<R>> = f.buckets.into_iter().map(bucket).collect();
    if let Some(Keep { store, keys }) = keep {
        let (endpoint, width, at) = (q.endpoint, q.width, dated());
        let page = buckets.clone();
        store
            .run_or_skip("recording a page", move |s| {
                s.record_usage_page(&keys, endpoint, width, &page, at)
            })
            .await;
    }
    Ok(Read {
        buckets,
        requests: f.requests,
    })
}

/// An answer's bucket as the engine holds it.
pub(super) fn bucket<R>(b: TimeBucket<R>) -> Bucket<R> {
    Bucket {
        start_time: b.start_time,
        end_time: b.end_time,
        rows: b.rows,
    }
}
