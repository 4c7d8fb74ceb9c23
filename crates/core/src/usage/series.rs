//! The bucketed usage of one window, and its incremental merge. Generic over the row: the
//! completions series holds [`UsageRow`]s, every other endpoint's holds [`Meter`]s.
//!
//! After the first full fetch the tracker re-fetches only the trailing buckets that can still
//! change; [`UsageSeries::replace_from`] swaps those in and keeps the rest, and
//! [`UsageSeries::retain_from`] drops what slid out of the window. The result equals a full
//! refetch of the same window.

use super::BucketWidth;
use super::meter::{Meter, TokenSplit};
use crate::pricing::Tier;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One usage row of a bucket: one model at one billed tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageRow {
    pub model: Arc<str>,
    pub tier: Tier,
    pub input_tokens: u64,
    /// A subset of `input_tokens`.
    pub cached_input_tokens: u64,
    pub output_tokens: u64,
    pub requests: u64,
    /// Cache writes and the audio and image parts; the rest is text.
    pub split: TokenSplit,
    /// The key and project, when asked by them.
    pub owner: super::Owner,
}

impl UsageRow {
    /// Saturating: the numbers come from a server and must not wrap or panic.
    pub fn total_tokens(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }

    /// Its tokens split into the disjoint parts that are priced apart.
    pub fn tokens(&self) -> crate::pricing::CompletionTokens {
        let s = &self.split;
        crate::pricing::CompletionTokens::from_row(&crate::pricing::CompletionsRow {
            input_tokens: self.input_tokens,
            input_cached_tokens: self.cached_input_tokens,
            input_cache_write_tokens: s.cache_write,
            output_tokens: self.output_tokens,
            input_audio_tokens: s.audio_input,
            input_cached_audio_tokens: s.audio_cached_input,
            output_audio_tokens: s.audio_output,
            input_image_tokens: s.image_input,
            input_cached_image_tokens: s.image_cached_input,
            output_image_tokens: s.image_output,
        })
    }
}

/// Usage in `[start_time, end_time)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket<R = UsageRow> {
    pub start_time: i64,
    pub end_time: i64,
    pub rows: Vec<R>,
}

impl<R> Default for Bucket<R> {
    fn default() -> Self {
        Bucket {
            start_time: 0,
            end_time: 0,
            rows: Vec::new(),
        }
    }
}

impl Bucket<Meter> {
    pub fn requests(&self) -> u64 {
        self.rows.iter().map(|r| r.requests).sum()
    }
}

impl Bucket {
    pub fn total_tokens(&self) -> u64 {
        self.rows
            .iter()
            .map(UsageRow::total_tokens)
            .fold(0, u64::saturating_add)
    }

    pub fn requests(&self) -> u64 {
        self.rows
            .iter()
            .map(|r| r.requests)
            .fold(0, u64::saturating_add)
    }
}

/// Model names shared across rows and series: one allocation per distinct name.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Looked up once per row: a fast hash (foldhash) rather than SipHash; model names are
    /// not attacker-chosen keys worth HashDoS protection in a local client.
    set: foldhash::HashSet<Arc<str>>,
}

impl Names {
    /// A shared handle to `name`, allocated the first time it is seen.
    pub fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.set.get(name) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(name);
        self.set.insert(n.clone());
        n
    }
}

/// The buckets of a window, keyed by start time, with the model names interned once.
#[derive(Clone, Debug)]
pub struct UsageSeries<R = UsageRow> {
    width: BucketWidth,
    buckets: BTreeMap<i64, Bucket<R>>,
    names: Names,
}

impl<R: PartialEq> PartialEq for UsageSeries<R> {
    fn eq(&self, other: &Self) -> bool {
        self.width == other.width && self.buckets == other.buckets
    }
}

impl<R> Default for UsageSeries<R> {
    fn default() -> Self {
        UsageSeries {
            width: BucketWidth::default(),
            buckets: BTreeMap::new(),
            names: Names::default(),
        }
    }
}

impl<R> UsageSeries<R> {
    pub fn new(width: BucketWidth) -> Self {
        UsageSeries {
            width,
            ..Self::default()
        }
    }

    pub fn width(&self) -> BucketWidth {
        self.width
    }

    /// A shared handle to `name`, allocated once per distinct model.
    pub fn intern(&mut self, name: &str) -> Arc<str> {
        self.names.intern(name)
    }

    /// Replaces every bucket starting at or after `from` with `fetched` (which covers
    /// `[from, now)`); earlier buckets are kept as they are.
    pub fn replace_from(&mut self, from: i64, fetched: impl IntoIterator<Item = Bucket<R>>) {
        self.buckets.split_off(&from);
        for b in fetched {
            if b.start_time >= from {
                self.buckets.insert(b.start_time, b);
            }
        }
    }

    /// Drops the buckets that start before `start` (slid out of the window).
    pub fn retain_from(&mut self, start: i64) {
        self.buckets = self.buckets.split_off(&start);
    }

    pub fn buckets(&self) -> impl DoubleEndedIterator<Item = &Bucket<R>> + ExactSizeIterator {
        self.buckets.values()
    }

    pub fn get(&self, start_time: i64) -> Option<&Bucket<R>> {
        self.buckets.get(&start_time)
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The start of the last bucket held, if any.
    pub fn last_start(&self) -> Option<i64> {
        self.buckets.keys().next_back().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(series: &mut UsageSeries, start: i64, tokens: u64) -> Bucket {
        let model = series.intern("gpt-4o");
        Bucket {
            start_time: start,
            end_time: start + 60,
            rows: vec![UsageRow {
                owner: Default::default(),
                model,
                tier: Tier::Standard,
                input_tokens: tokens,
                cached_input_tokens: 0,
                output_tokens: 1,
                requests: 1,
                split: TokenSplit::default(),
            }],
        }
    }

    #[test]
    fn replace_from_keeps_older_buckets_and_swaps_the_tail() {
        let mut s = UsageSeries::new(BucketWidth::Minute);
        let initial: Vec<_> = (0..5).map(|i| bucket(&mut s, i * 60, 10)).collect();
        s.replace_from(0, initial);
        let tail: Vec<_> = (3..7).map(|i| bucket(&mut s, i * 60, 99)).collect();
        s.replace_from(180, tail);
        let got: Vec<_> = s
            .buckets()
            .map(|b| (b.start_time, b.total_tokens()))
            .collect();
        assert_eq!(
            got,
            [
                (0, 11),
                (60, 11),
                (120, 11),
                (180, 100),
                (240, 100),
                (300, 100),
                (360, 100)
            ]
        );
        s.retain_from(120);
        assert_eq!(s.buckets().next().unwrap().start_time, 120);
        assert_eq!(s.len(), 5);
    }

    #[test]
    fn a_shrinking_tail_drops_buckets_that_are_no_longer_sent() {
        let mut s = UsageSeries::new(BucketWidth::Minute);
        let initial: Vec<_> = (0..5).map(|i| bucket(&mut s, i * 60, 10)).collect();
        s.replace_from(0, initial);
        s.replace_from(120, vec![]);
        assert_eq!(s.last_start(), Some(60));
    }

    #[test]
    fn intern_shares_one_allocation_per_name() {
        let mut s: UsageSeries = UsageSeries::new(BucketWidth::Minute);
        let a = s.intern("gpt-4o");
        let b = s.intern("gpt-4o");
        assert!(Arc::ptr_eq(&a, &b));
    }
}
