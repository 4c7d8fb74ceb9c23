//! The refresh loop on tokio: refreshes on the interval and on demand, never two at once,
//! backs off after failures, and reports every outcome to the front end through a callback.
//!
//! A backoff holds for every path: opening the menu, a lookback or key change wait for the
//! deadline after a failure; "Refresh now" may cut an error backoff short (the user asked) but
//! never sends before a server's `Retry-After`. Dropping the handle aborts the task, an
//! in-flight refresh included, so a replaced session reports nothing more.
//!
//! Between refreshes the task sleeps on a timer and its command channel: no polling.

use crate::openai::ApiError;
use crate::pricing::TierChoice;
use crate::tracker::bill::BillTracker;
use crate::tracker::{Snapshot, Tracker};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

/// The longest wait between two attempts after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// What the front end can ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    RefreshNow,
    /// Refresh unless the last success is more recent than this (the menu was opened).
    RefreshIfOlderThan(Duration),
    SetTier(TierChoice),
    SetLookbackSecs(i64),
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
    Billed(Arc<crate::billing::BillSnapshot>),
}

/// The wait before the next refresh: the interval after a success; after `failures`
/// consecutive failures the interval doubled per failure, at most [`MAX_BACKOFF`] (or the
/// interval if that is longer), and never shorter than the server's `Retry-After`.
pub fn next_delay(interval: Duration, failures: u32, retry_after: Option<Duration>) -> Duration {
    let backoff = if failures == 0 {
        interval
    } else {
        let factor = 1u32 << (failures - 1).min(16);
        interval
            .saturating_mul(factor)
            .min(MAX_BACKOFF.max(interval))
    };
    retry_after.map_or(backoff, |r| r.max(backoff))
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Handle to a running poller; dropping it aborts the loop at once, a refresh in flight
/// included (its result is never reported).
pub struct PollerHandle {
    tx: mpsc::UnboundedSender<Command>,
    task: tokio::task::AbortHandle,
}

impl Drop for PollerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PollerHandle {
    /// Sends a command; `false` when the loop has stopped.
    pub fn send(&self, cmd: Command) -> bool {
        self.tx.send(cmd).is_ok()
    }
}

/// Starts the loop on the current tokio runtime (the live estimate only).
pub fn spawn(
    tracker: Tracker,
    interval: Duration,
    on_event: impl FnMut(Event) + Send + 'static,
) -> PollerHandle {
    spawn_inner(tracker, None, interval, on_event)
}

/// Starts the loop with the bill beside the live estimate: a [`BillTracker`] on the same client
/// and keys, on its own slow schedule (see `tracker::bill_plan`), reporting
/// [`Event::Billed`] after each costs request. "Refresh now" asks for the bill too; a key
/// change reads the month again; a tier change re-prices the check.
pub fn spawn_with_bill(
    tracker: Tracker,
    interval: Duration,
    on_event: impl FnMut(Event) + Send + 'static,
) -> PollerHandle {
    let bill = BillTracker::for_tracker(&tracker);
    spawn_inner(tracker, Some(bill), interval, on_event)
}

fn spawn_inner(
    tracker: Tracker,
    bill: Option<BillTracker>,
    interval: Duration,
    on_event: impl FnMut(Event) + Send + 'static,
) -> PollerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(tracker, bill, interval, rx, on_event)).abort_handle();
    PollerHandle { tx, task }
}

/// The bill's side of the loop: its tracker and whether the user asked for it.
struct BillSide {
    tracker: Option<BillTracker>,
    forced: bool,
}

impl BillSide {
    /// When the next scheduled costs request is due, as a timer deadline.
    fn deadline(&self) -> Option<Instant> {
        let b = self.tracker.as_ref()?;
        let wait = match b.next_at() {
            Some(t) if !self.forced => t - now_ms().div_euclid(1000),
            _ => 0,
        };
        Some(Instant::now() + Duration::from_secs(wait.max(0) as u64))
    }

    /// One costs request when due (or asked for and allowed), reported as [`Event::Billed`].
    async fn run_if_due(&mut self, on_event: &mut impl FnMut(Event)) {
        let Some(b) = self.tracker.as_mut() else {
            return;
        };
        let now = now_ms().div_euclid(1000);
        let forced = std::mem::take(&mut self.forced) && b.may_force(now);
        if forced || b.due(now) {
            let snap = b.refresh(now_ms()).await;
            on_event(Event::Billed(Arc::new(snap)));
        }
    }
}

#[derive(Debug, PartialEq)]
enum After {
    Refresh,
    Wait,
}

/// What the loop knows when a command arrives: whether the last refresh failed, the server's
/// `Retry-After` deadline if it gave one, and when the last success was.
#[derive(Clone, Debug, Default)]
struct Gate {
    failing: bool,
    retry_after_until: Option<Instant>,
    last_success: Option<Instant>,
    last_fetched_ms: Option<i64>,
    /// The alerts active after the last success: still active when the data is re-priced.
    alerts: Vec<crate::alerts::Alert>,
}

async fn run(
    mut tracker: Tracker,
    bill: Option<BillTracker>,
    interval: Duration,
    mut rx: mpsc::UnboundedReceiver<Command>,
    mut on_event: impl FnMut(Event),
) {
    let mut failures = 0u32;
    let mut gate = Gate::default();
    let mut bill = BillSide {
        tracker: bill,
        forced: false,
    };
    loop {
        on_event(Event::Refreshing);
        let wait = match tracker.refresh(now_ms()).await {
            Ok(snap) => {
                failures = 0;
                gate = Gate {
                    last_success: Some(Instant::now()),
                    last_fetched_ms: Some(snap.fetched_at_ms),
                    alerts: snap.alerts.clone(),
                    ..Gate::default()
                };
                on_event(Event::Updated(Arc::new(snap)));
                interval
            }
            Err(error) => {
                failures += 1;
                let retry_in = next_delay(interval, failures, error.retry_after());
                gate.failing = true;
                gate.retry_after_until = error.retry_after().map(|r| Instant::now() + r);
                on_event(Event::Failed(Failure {
                    error,
                    at_ms: now_ms(),
                    consecutive: failures,
                    retry_in,
                }));
                retry_in
            }
        };
        // The bill after the live refresh, on its own schedule: neither's failure holds the other.
        bill.run_if_due(&mut on_event).await;
        let deadline = Instant::now() + wait;
        // Commands that arrived during the refresh: a refresh request is already answered.
        let mut refresh = false;
        while let Ok(cmd) = rx.try_recv() {
            if apply(&mut tracker, &mut bill, cmd, true, &gate, &mut on_event) == After::Refresh {
                refresh = true;
            }
        }
        if refresh {
            continue;
        }
        loop {
            let bill_at = bill.deadline();
            tokio::select! {
                _ = sleep_until(deadline) => break,
                _ = sleep_until(bill_at.unwrap_or(deadline)), if bill_at.is_some_and(|t| t < deadline) => {
                    bill.run_if_due(&mut on_event).await;
                }
                cmd = rx.recv() => match cmd {
                    None => return,
                    Some(cmd) => {
                        if apply(&mut tracker, &mut bill, cmd, false, &gate, &mut on_event) == After::Refresh {
                            break;
                        }
                    }
                },
            }
        }
    }
}

/// Applies one command; says whether a refresh must follow now. `queued` marks commands that
/// arrived while a refresh ran: that refresh already answered a plain refresh request. After a
/// failure only "Refresh now" refreshes early, and not before a server's `Retry-After`; every
/// other change waits for the deadline (the refresh then uses it).
fn apply(
    tracker: &mut Tracker,
    bill: &mut BillSide,
    cmd: Command,
    queued: bool,
    gate: &Gate,
    on_event: &mut impl FnMut(Event),
) -> After {
    let held = gate.failing;
    match cmd {
        Command::RefreshNow => {
            // The bill is asked too, on its own terms (its own `Retry-After`).
            bill.forced = bill.tracker.is_some();
            match gate.retry_after_until {
                // A refresh that ran while it came answers it.
                _ if queued => After::Wait,
                Some(t) if t > Instant::now() => After::Wait,
                _ => After::Refresh,
            }
        }
        // Opening the menu refreshes stale data, but never cuts a backoff short.
        Command::RefreshIfOlderThan(age) => match gate.last_success {
            Some(t) if !queued && !held && t.elapsed() >= age => After::Refresh,
            _ => After::Wait,
        },
        Command::SetTier(tier) => {
            tracker.set_tier(tier);
            if let Some(b) = bill.tracker.as_mut() {
                b.set_tier(tier);
                let snap = b.snapshot(now_ms().div_euclid(1000));
                if snap.bill.is_some() {
                    on_event(Event::Billed(Arc::new(snap)));
                }
            }
            if tracker.series().is_empty() {
                return After::Wait;
            }
            let mut snap = tracker.snapshot_at(now_ms());
            if let Some(at) = gate.last_fetched_ms {
                snap.fetched_at_ms = at;
            }
            snap.alerts.clone_from(&gate.alerts);
            on_event(Event::Repriced(Arc::new(snap)));
            After::Wait
        }
        Command::SetLookbackSecs(secs) => {
            tracker.set_lookback_secs(secs);
            if held { After::Wait } else { After::Refresh }
        }
        Command::SetApiKeyIds(ids) => {
            if let Some(b) = bill.tracker.as_mut() {
                b.set_api_key_ids(ids.clone());
            }
            tracker.set_api_key_ids(ids);
            if held { After::Wait } else { After::Refresh }
        }
    }
}

#[cfg(test)]
mod tests;
