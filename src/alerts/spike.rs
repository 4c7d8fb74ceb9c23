//! Spike detection, edge-triggered.
//!
//! Between two consecutive successful refreshes, tokens/min and requests/min are the growth in
//! usage, compared bucket by bucket, divided by the real minutes between the two refreshes. A
//! bucket that slid out of the window is not negative growth, and a bucket that appears before
//! the previous series' first one (a wider window) is not growth. An alert starts when a rate
//! reaches its threshold, stays while it does, and ends when it falls below; each start is one
//! event.

use crate::usage::{Bucket, UsageSeries};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Thresholds {
    pub tokens_per_min: f64,
    pub requests_per_min: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    TokenRate,
    RequestRate,
}

impl AlertKind {
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::TokenRate => "Token spike",
            AlertKind::RequestRate => "Request spike",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            AlertKind::TokenRate => "tokens/min",
            AlertKind::RequestRate => "requests/min",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub per_minute: f64,
    pub threshold: f64,
    /// The model whose usage grew most (by tokens for a token spike, requests otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_model: Option<String>,
}

/// Usage growth between two series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Growth {
    pub tokens: u64,
    pub requests: u64,
    /// Per model: (tokens, requests).
    pub by_model: HashMap<String, (u64, u64)>,
}

impl Growth {
    fn top_model(&self, kind: AlertKind) -> Option<String> {
        let key = |(t, r): &(u64, u64)| match kind {
            AlertKind::TokenRate => *t,
            AlertKind::RequestRate => *r,
        };
        self.by_model
            .iter()
            .filter(|(_, g)| key(g) > 0)
            .max_by(|a, b| key(a.1).cmp(&key(b.1)).then_with(|| b.0.cmp(a.0)))
            .map(|(m, _)| m.clone())
    }
}

/// Growth from `prev` to `next`, bucket by bucket; never negative.
pub fn growth(prev: &UsageSeries, next: &UsageSeries) -> Growth {
    let mut g = Growth::default();
    let first_prev = prev.buckets().next().map(|b| b.start_time);
    for bucket in next.buckets() {
        let before = prev.get(bucket.start_time);
        if before.is_none() && first_prev.is_some_and(|f| bucket.start_time < f) {
            continue;
        }
        add_bucket_growth(&mut g, before, bucket);
    }
    g
}

fn add_bucket_growth(g: &mut Growth, before: Option<&Bucket>, after: &Bucket) {
    let mut per_model: HashMap<&str, (i128, i128)> = HashMap::new();
    for r in &after.rows {
        let e = per_model.entry(&r.model).or_default();
        e.0 += i128::from(r.total_tokens());
        e.1 += i128::from(r.requests);
    }
    for r in before.map(|b| b.rows.as_slice()).unwrap_or_default() {
        let e = per_model.entry(&r.model).or_default();
        e.0 -= i128::from(r.total_tokens());
        e.1 -= i128::from(r.requests);
    }
    let (mut tokens, mut requests) = (0i128, 0i128);
    for (model, (t, r)) in per_model {
        tokens += t;
        requests += r;
        if t > 0 || r > 0 {
            let e = g.by_model.entry(model.to_owned()).or_default();
            e.0 = e.0.saturating_add(clamp(t));
            e.1 = e.1.saturating_add(clamp(r));
        }
    }
    g.tokens = g.tokens.saturating_add(clamp(tokens));
    g.requests = g.requests.saturating_add(clamp(requests));
}

/// A growth as u64: nothing below 0, at most u64::MAX (server numbers may be anything).
fn clamp(v: i128) -> u64 {
    u64::try_from(v.max(0)).unwrap_or(u64::MAX)
}

/// What one observation changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpikeUpdate {
    /// `(tokens/min, requests/min)`; `None` on the first observation (nothing to compare).
    pub rates: Option<(f64, f64)>,
    /// Alerts active now.
    pub active: Vec<Alert>,
    /// Alerts that started with this observation (one event each).
    pub started: Vec<Alert>,
}

/// Edge-triggered spike state across refreshes.
#[derive(Clone, Debug)]
pub struct SpikeDetector {
    thresholds: Thresholds,
    previous: Option<(i64, UsageSeries)>,
    active: Vec<Alert>,
}

impl SpikeDetector {
    pub fn new(thresholds: Thresholds) -> Self {
        SpikeDetector {
            thresholds,
            previous: None,
            active: Vec::new(),
        }
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Forgets the last series (after the window, width or tracked keys changed, growth
    /// against it would mean nothing). Active alerts end.
    pub fn reset(&mut self) {
        *self = SpikeDetector::new(self.thresholds);
    }

    /// Observes a successful refresh fetched at `at_ms` (unix milliseconds).
    pub fn observe(&mut self, at_ms: i64, series: &UsageSeries) -> SpikeUpdate {
        let Some((prev_ms, prev)) = &self.previous else {
            self.previous = Some((at_ms, series.clone()));
            return SpikeUpdate::default();
        };
        let minutes = (at_ms - prev_ms) as f64 / 60_000.0;
        if minutes <= 0.0 {
            return SpikeUpdate {
                rates: None,
                active: self.active.clone(),
                started: Vec::new(),
            };
        }
        let g = growth(prev, series);
        self.previous = Some((at_ms, series.clone()));
        let tokens = g.tokens as f64 / minutes;
        let requests = g.requests as f64 / minutes;
        let t = self.thresholds;
        let active: Vec<Alert> = [
            (AlertKind::TokenRate, tokens, t.tokens_per_min),
            (AlertKind::RequestRate, requests, t.requests_per_min),
        ]
        .into_iter()
        .filter(|(_, rate, threshold)| rate >= threshold)
        .map(|(kind, per_minute, threshold)| Alert {
            kind,
            per_minute,
            threshold,
            top_model: g.top_model(kind),
        })
        .collect();
        let started = active
            .iter()
            .filter(|a| !self.active.iter().any(|b| b.kind == a.kind))
            .cloned()
            .collect();
        self.active.clone_from(&active);
        SpikeUpdate {
            rates: Some((tokens, requests)),
            active,
            started,
        }
    }
}

#[cfg(test)]
mod tests;
