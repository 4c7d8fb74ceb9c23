//! The tracker's side of the history store: every page fetched is recorded (head minutes and
//! body buckets, keyed by the tracked key set, endpoint and width, dated when the answer came);
//! a whole-window read (the first refresh, the hourly resync) starts from what the store holds
//! and asks only what [`Store::missing`] says is not stored or may still change (usage lands up
//! to an hour late: a bucket fetched less than that after it ended is read again), so what is
//! final is never fetched twice; and before the first refresh [`Tracker::restore`] gives the
//! stored figures at once.
//!
//! A store error is logged once and the tracker goes on as without history: the refresh then
//! reads the whole window from the API.

use super::{Track, Tracker};
use crate::plan::usage::{self as plan, Plan, Resume};
use crate::store::{KeySet, SharedStore, StoredRow};
use crate::usage::{Bucket, BucketWidth, Endpoint, UsageSeries};

/// What the store gave a track: its head and body as stored, the newest `fetched_at`, and
/// where the first lacking head minute and body bucket start.
struct Loaded<R> {
    head: Vec<Bucket<R>>,
    body: Vec<Bucket<R>>,
    newest: Option<i64>,
    resume: Resume,
}

/// Reads one endpoint's window `[start, now)` from the store (blocking: on the store's pool).
async fn load<R: StoredRow + Send + 'static>(
    store: &SharedStore,
    keys: KeySet,
    endpoint: Endpoint,
    width: BucketWidth,
    start: i64,
    now: i64,
) -> Option<Loaded<R>> {
    let body = plan::body_start(start, width);
    let minutes = plan::head_minutes_from(start);
    let has_head = width != BucketWidth::Minute && start < body;
    store
        .run_or_skip("reading the window", move |s| {
            let (head, head_missing) = if has_head {
                let head_end = body.min(now);
                let head =
                    s.load_usage::<R>(&keys, endpoint, BucketWidth::Minute, minutes, body)?;
                let missing = s.missing(&keys, endpoint, BucketWidth::Minute, minutes, head_end)?;
                (head, missing)
            } else {
                (Vec::new(), Vec::new())
            };
            let (stored, body_missing) = if body < now {
                let end = width.floor(now) + width.secs();
                let stored = s.load_usage::<R>(&keys, endpoint, width, body, end)?;
                (stored, s.missing(&keys, endpoint, width, body, now)?)
            } else {
                (Vec::new(), Vec::new())
            };
            let newest = head.iter().chain(&stored).map(|b| b.fetched_at).max();
            Ok(Loaded {
                head: head.into_iter().map(|b| b.bucket).collect(),
                body: stored.into_iter().map(|b| b.bucket).collect(),
                newest,
                resume: Resume {
                    head_from: head_missing.first().map(|r| r.0),
                    body_from: body_missing.first().map(|r| r.0),
                },
            })
        })
        .await
}

impl<R> Track<R> {
    /// Takes the stored window in (replacing what was held) and returns what the store lacks.
    fn take_in(&mut self, loaded: Loaded<R>, width: BucketWidth) -> Resume {
        let mut head = UsageSeries::new(BucketWidth::Minute);
        head.replace_from(i64::MIN, loaded.head);
        let mut body = UsageSeries::new(width);
        body.replace_from(i64::MIN, loaded.body);
        self.head = head;
        self.body = body;
        loaded.resume
    }
}

impl Tracker {
    pub(super) fn keys(&self) -> KeySet {
        KeySet::of(&self.config.api_key_ids)
    }

    /// Whether the next refresh reads the whole window: it then starts from the store.
    fn whole_window_due<R>(&self, track: &Track<R>, now: i64) -> bool {
        let (lookback, width) = self.span(now);
        track.schedule.plan(now, lookback, width, false).full
    }

    /// Loads every endpoint's stored window at `now`, for the tracks whose next refresh reads
    /// the whole window (all of them, `all`); keeps what each lacks for that refresh. Returns
    /// the newest `fetched_at` of what was loaded, `None` when the store held nothing of it.
    pub(super) async fn load_stored(&mut self, now: i64, all: bool) -> Option<i64> {
        let store = self.history.clone()?;
        let (lookback, width) = self.span(now);
        let start = now - lookback;
        let mut newest: Option<i64> = None;
        if all || self.whole_window_due(&self.completions, now) {
            let loaded = load(
                &store,
                self.keys(),
                Endpoint::Completions,
                width,
                start,
                now,
            )
            .await;
            self.completions.resume = loaded.map(|l| {
                newest = newest.max(l.newest);
                self.completions.take_in(l, width)
            });
        }
        for i in 0..self.others.len() {
            if !(all || self.whole_window_due(&self.others[i], now)) {
                continue;
            }
            let endpoint = self.others[i].endpoint;
            let loaded = load(&store, self.keys(), endpoint, width, start, now).await;
            let track = &mut self.others[i];
            track.resume = loaded.map(|l| {
                newest = newest.max(l.newest);
                track.take_in(l, width)
            });
        }
        newest
    }

    /// The stored figures of the window at `now_ms`, before any request: `None` without a
    /// store or when it holds nothing of the window. The next refresh asks only what the
    /// store lacks. `fetched_at_ms` is when the newest stored piece was fetched.
    pub async fn restore(&mut self, now_ms: i64) -> Option<super::Snapshot> {
        let now = now_ms.div_euclid(1000);
        let newest = self.load_stored(now, true).await?;
        self.restored = true;
        let mut snap = self.snapshot_at(now_ms);
        snap.fetched_at_ms = newest.saturating_mul(1000);
        Some(snap)
    }

    /// Whether [`restore`](Self::restore) has something to do: a store, and a window not
    /// restored or fetched yet (at the start, after a lookback or key change).
    pub fn wants_restore(&self) -> bool {
        self.history.is_some() && !self.restored && self.completions.schedule.last_fetch.is_none()
    }
}

impl<R> Track<R> {
    /// The plan at `now`: what the store lacks when a whole-window read was resumed from it,
    /// else the schedule's own.
    pub(super) fn next_plan(
        &mut self,
        now: i64,
        lookback: i64,
        width: BucketWidth,
        idle: bool,
    ) -> Plan {
        let planned = self.schedule.plan(now, lookback, width, idle);
        match self.resume.take() {
            Some(r) if planned.full => self.schedule.resume(now, lookback, width, r),
            _ => planned,
        }
    }
}
