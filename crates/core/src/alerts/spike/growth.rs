//! One endpoint's usage growth between two readings, bucket by bucket.
//!
//! A [`Digest`] is what the spike detector keeps of a reading: per bucket, per model, the
//! tokens and requests. It is built from any series whose rows are [`Counted`] (completions
//! rows and other endpoints' meters alike), so every endpoint's growth is measured one way.

use crate::usage::{Meter, UsageRow, UsageSeries};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// What a row adds to a spike.
pub trait Counted {
    /// Who the growth is credited to: the model (for file search, the vector store).
    fn who(&self) -> &Arc<str>;
    fn tokens(&self) -> u64;
    fn requests(&self) -> u64;
}

impl Counted for UsageRow {
    fn who(&self) -> &Arc<str> {
        &self.model
    }
    fn tokens(&self) -> u64 {
        self.total_tokens()
    }
    fn requests(&self) -> u64 {
        self.requests
    }
}

/// Token spikes are completions' tokens (the threshold is set for them): embeddings and
/// moderations count their tokens as a meter's quantity, which is not added here.
impl Counted for Meter {
    fn who(&self) -> &Arc<str> {
        &self.model
    }
    fn tokens(&self) -> u64 {
        0
    }
    fn requests(&self) -> u64 {
        self.requests
    }
}

/// Per bucket start, per model: (tokens, requests).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Digest(BTreeMap<i64, HashMap<Arc<str>, (u64, u64)>>);

impl Digest {
    pub fn of<R: Counted>(series: &UsageSeries<R>) -> Digest {
        let buckets = series.buckets().map(|b| {
            let mut per_model: HashMap<Arc<str>, (u64, u64)> = HashMap::new();
            for r in &b.rows {
                let e = per_model.entry(r.who().clone()).or_default();
                // Saturating: the numbers come from a server and must not wrap or panic.
                e.0 = e.0.saturating_add(r.tokens());
                e.1 = e.1.saturating_add(r.requests());
            }
            (b.start_time, per_model)
        });
        Digest(buckets.collect())
    }
}

/// Usage growth between two readings of one endpoint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Growth {
    pub tokens: u64,
    pub requests: u64,
    /// Per model: (tokens, requests).
    pub by_model: HashMap<Arc<str>, (u64, u64)>,
}

/// Growth from `prev` to `next`, bucket by bucket; never negative. A bucket that slid out of
/// the window is not negative growth, and one before `prev`'s first (a wider window) is not
/// growth.
pub fn growth(prev: &Digest, next: &Digest) -> Growth {
    let mut g = Growth::default();
    let empty = HashMap::new();
    let first_prev = prev.0.keys().next().copied();
    for (start, after) in &next.0 {
        let before = prev.0.get(start);
        if before.is_none() && first_prev.is_some_and(|f| *start < f) {
            continue;
        }
        let before = before.unwrap_or(&empty);
        let (mut tokens, mut requests) = (0i128, 0i128);
        for (model, &(t, r)) in after {
            let (t0, r0) = before.get(model).copied().unwrap_or_default();
            let (dt, dr) = (
                i128::from(t) - i128::from(t0),
                i128::from(r) - i128::from(r0),
            );
            if dt > 0 || dr > 0 {
                let e = g.by_model.entry(model.clone()).or_default();
                e.0 = e.0.saturating_add(clamp(dt));
                e.1 = e.1.saturating_add(clamp(dr));
            }
            tokens += dt;
            requests += dr;
        }
        // A model gone from a bucket takes its usage with it: the bucket's net change counts.
        for (model, &(t, r)) in before {
            if !after.contains_key(model) {
                tokens -= i128::from(t);
                requests -= i128::from(r);
            }
        }
        g.tokens = g.tokens.saturating_add(clamp(tokens));
        g.requests = g.requests.saturating_add(clamp(requests));
    }
    g
}

/// A growth as u64: nothing below 0, at most u64::MAX (server numbers may be anything).
fn clamp(v: i128) -> u64 {
    u64::try_from(v.max(0)).unwrap_or(u64::MAX)
}
