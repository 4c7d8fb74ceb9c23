//! The engine's interface as the front ends see it: what they ask ([`Command`]) and what they
//! hear ([`Event`], and [`TodayCost`] for the budgets, both in [`EngineEvent`]). Plain data, so the app's decisions ([`super::AppCore`]) take it as input;
//! the engine that runs the refreshes is the binary's.

use crate::openai::ApiError;
use crate::pricing::TierChoice;
use crate::snapshot::Snapshot;
use std::sync::Arc;
use std::time::Duration;

/// What the front end can ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    RefreshNow,
    /// Refresh unless the last success is more recent than this (the menu was opened).
    RefreshIfOlderThan(Duration),
    SetTier(TierChoice),
    /// A rolling window of this many seconds (leaving a calendar one).
    SetLookbackSecs(i64),
    /// A window following the UTC calendar; `None`: back to the rolling lookback.
    SetCalendar(Option<crate::plan::periods::Calendar>),
    SetApiKeyIds(Vec<String>),
}

/// A failed refresh and when the next attempt comes.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub error: ApiError,
    pub at_ms: i64,
    pub consecutive: u32,
    pub retry_in: Duration,
}

/// What the loop reports.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Refreshing,
    Updated(Arc<Snapshot>),
    /// Re-priced data after a tier change that needed no fetch; `fetched_at_ms` and the active
    /// alerts stay those of the last fetch (re-pricing is not fresh data).
    Repriced(Arc<Snapshot>),
    Failed(Failure),
    /// The bill (Costs API) and the check of the estimate against it, after each costs request,
    /// success or failure (a failure keeps the last good figures, marked stale).
    Billed(Arc<crate::bill::BillSnapshot>),
    /// The figures the history store held for the window, sent once before the first refresh
    /// (and after a lookback or key change) when it had any: shown at once, marked with their
    /// age (`fetched_at_ms`: when the newest stored piece was fetched) until the first
    /// [`Event::Updated`].
    Restored(Arc<Snapshot>),
    /// The recent past (pace, sparklines): sent by the glance task beside the poller
    /// (the engine's glance rounds), not by the live loop, into the same stream.
    Glance(Arc<crate::figures::glance::Glance>),
}

/// Today's estimated cost since local midnight, for the daily budget. (Today's UTC estimate,
/// the month's share, is the glance's: [`crate::figures::glance::Glance::today_usd`].)
#[derive(Clone, Debug, PartialEq)]
pub struct TodayCost {
    /// The local day's number (a new one starts the daily budget's alerts again).
    pub day: i64,
    /// USD since local midnight.
    pub spent: f64,
}

/// What the engine's stream carries to its front end.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineEvent {
    /// The live refresh's events, the bill's and the glance's among them.
    Event(Event),
    /// Today's cost after a live refresh or a re-pricing (only when asked for: a budget).
    Today(TodayCost),
}
