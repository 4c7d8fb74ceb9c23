//! Spike detection, edge-triggered, over every endpoint's usage.
//!
//! Endpoints are read at different paces (an idle one every five minutes, an active one every
//! refresh), so each endpoint's rate is its own growth since its own previous reading divided
//! by the real minutes between the two: five minutes of image requests read at once are five
//! minutes' worth, not a spike. The rates of the endpoints read in a refresh are summed (an
//! endpoint not read had no usage to add); requests count every endpoint's, tokens those of
//! completions. An alert starts when a rate reaches its threshold, stays while it does, and
//! ends when it falls below; each start is one event.

mod growth;

pub use growth::{Counted, Digest, Growth, growth};

use crate::usage::Endpoint;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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
    /// The model whose usage grew fastest (by tokens for a token spike, requests otherwise);
    /// for file search, the vector store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_model: Option<String>,
}

/// One endpoint's usage as read by a refresh, dated when its answer came.
#[derive(Clone, Debug)]
pub struct Reading {
    pub endpoint: Endpoint,
    pub at_ms: i64,
    pub usage: Digest,
}

/// What one observation changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpikeUpdate {
    /// `(tokens/min, requests/min)`; `None` when no endpoint read has an earlier reading to
    /// compare with (the first observation).
    pub rates: Option<(f64, f64)>,
    /// Alerts active now.
    pub active: Vec<Alert>,
    /// Alerts that started with this observation (one event each).
    pub started: Vec<Alert>,
}

/// Summed rates of the endpoints read in one observation, per model too.
#[derive(Default)]
struct Rates {
    tokens: f64,
    requests: f64,
    by_model: HashMap<Arc<str>, (f64, f64)>,
}

impl Rates {
    fn add(&mut self, g: &Growth, minutes: f64) {
        self.tokens += g.tokens as f64 / minutes;
        self.requests += g.requests as f64 / minutes;
        for (model, &(t, r)) in &g.by_model {
            let e = self.by_model.entry(model.clone()).or_default();
            e.0 += t as f64 / minutes;
            e.1 += r as f64 / minutes;
        }
    }

    fn top_model(&self, kind: AlertKind) -> Option<String> {
        let key = |(t, r): &(f64, f64)| match kind {
            AlertKind::TokenRate => *t,
            AlertKind::RequestRate => *r,
        };
        self.by_model
            .iter()
            .filter(|(_, g)| key(g) > 0.0)
            .max_by(|a, b| key(a.1).total_cmp(&key(b.1)).then_with(|| b.0.cmp(a.0)))
            .map(|(m, _)| m.to_string())
    }
}

/// Edge-triggered spike state across refreshes.
#[derive(Clone, Debug)]
pub struct SpikeDetector {
    thresholds: Thresholds,
    /// Each endpoint's last reading: when, and what it held.
    previous: BTreeMap<Endpoint, (i64, Digest)>,
    active: Vec<Alert>,
}

impl SpikeDetector {
    pub fn new(thresholds: Thresholds) -> Self {
        SpikeDetector {
            thresholds,
            previous: BTreeMap::new(),
            active: Vec::new(),
        }
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Forgets every reading (after the window, width or tracked keys changed, growth against
    /// them would mean nothing). Active alerts end.
    pub fn reset(&mut self) {
        *self = SpikeDetector::new(self.thresholds);
    }

    /// Observes the endpoints a successful refresh read (the others were not asked and keep
    /// their last reading).
    pub fn observe(&mut self, readings: impl IntoIterator<Item = Reading>) -> SpikeUpdate {
        let mut rates: Option<Rates> = None;
        for r in readings {
            let Some((prev_ms, prev)) = self.previous.get(&r.endpoint) else {
                self.previous.insert(r.endpoint, (r.at_ms, r.usage));
                continue;
            };
            let minutes = (r.at_ms - prev_ms) as f64 / 60_000.0;
            if minutes <= 0.0 {
                // The same moment again: nothing to divide by; the earlier reading stays.
                continue;
            }
            rates
                .get_or_insert_default()
                .add(&growth(prev, &r.usage), minutes);
            self.previous.insert(r.endpoint, (r.at_ms, r.usage));
        }
        let Some(rates) = rates else {
            return SpikeUpdate {
                rates: None,
                active: self.active.clone(),
                started: Vec::new(),
            };
        };
        let t = self.thresholds;
        let active: Vec<Alert> = [
            (AlertKind::TokenRate, rates.tokens, t.tokens_per_min),
            (AlertKind::RequestRate, rates.requests, t.requests_per_min),
        ]
        .into_iter()
        .filter(|(_, rate, threshold)| rate >= threshold)
        .map(|(kind, per_minute, threshold)| Alert {
            kind,
            per_minute,
            threshold,
            top_model: rates.top_model(kind),
        })
        .collect();
        let started = active
            .iter()
            .filter(|a| !self.active.iter().any(|b| b.kind == a.kind))
            .cloned()
            .collect();
        self.active.clone_from(&active);
        SpikeUpdate {
            rates: Some((rates.tokens, rates.requests)),
            active,
            started,
        }
    }
}

#[cfg(test)]
mod tests;
