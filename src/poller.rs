//! The refresh loop on tokio: refreshes on the interval and on demand, never two at once,
//! backs off after failures, and reports every outcome to the front end through a callback.
//!
//! A backoff holds for every path: opening the menu, a lookback or key change wait for the
//! deadline after a failure; "Refresh now" may cut an error backoff short (the user asked) but
//! never sends before a server's `Retry-After`. Dropping the handle aborts the task, an
//! in-flight refresh included, so a replaced session reports nothing more.
//!
//! Between refreshes the task sleeps on a timer and its command channel: no polling. The bill
//! (with [`spawn_with_bill`]) runs in a task of its own ([`bill_task`]), so a slow Costs API
//! never holds the live loop; the handle aborts both.

pub mod bill_task;

#[cfg(test)]
use crate::pricing::TierChoice; // for the tests (`use super::*`)
use crate::tracker::Tracker;
use crate::tracker::bill::BillTracker;
use bill_task::{BillCommand, Clock, Shared, emit};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep_until};

/// The longest wait between two attempts after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(600);

pub use usage_tracker_core::app::engine::{Command, Event, Failure};

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
    bill_task: Option<tokio::task::AbortHandle>,
}

impl Drop for PollerHandle {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(b) = &self.bill_task {
            b.abort();
        }
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

/// The bill's side, when there is one: its tracker and the clock it reads.
type BillParts = Option<(BillTracker, Clock)>;

/// Starts the loop with the bill beside the live estimate: a [`BillTracker`] on the same client
/// and keys, on its own slow schedule (see `tracker::bill_plan`), reporting
/// [`Event::Billed`] after each costs request. "Refresh now" asks for the bill too; a key
/// change reads the month again; a tier change re-prices the check.
pub fn spawn_with_bill(
    tracker: Tracker,
    interval: Duration,
    on_event: impl FnMut(Event) + Send + 'static,
) -> PollerHandle {
    spawn_with_bill_clock(tracker, interval, Clock::system(), on_event)
}

/// [`spawn_with_bill`] with the bill's side reading `clock` (tests: a fast clock, so the real
/// poller's bill schedule runs through a simulated hour in seconds).
pub fn spawn_with_bill_clock(
    tracker: Tracker,
    interval: Duration,
    clock: Clock,
    on_event: impl FnMut(Event) + Send + 'static,
) -> PollerHandle {
    let bill = BillTracker::for_tracker(&tracker);
    spawn_inner(tracker, Some((bill, clock)), interval, on_event)
}

fn spawn_inner<F: FnMut(Event) + Send + 'static>(
    tracker: Tracker,
    bill: BillParts,
    interval: Duration,
    on_event: F,
) -> PollerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let on_event: Shared<F> = Arc::new(Mutex::new(on_event));
    let (bill_side, bill_task) = match bill {
        None => (BillSide::default(), None),
        Some((b, clock)) => {
            let (btx, brx) = mpsc::unbounded_channel();
            let (first_tx, first_rx) = oneshot::channel();
            let task = tokio::spawn(bill_task::run(b, clock, first_rx, brx, on_event.clone()));
            let side = BillSide {
                tx: Some(btx),
                first_round: Some(first_tx),
            };
            (side, Some(task.abort_handle()))
        }
    };
    let task = tokio::spawn(run(tracker, bill_side, interval, rx, on_event)).abort_handle();
    PollerHandle {
        tx,
        task,
        bill_task,
    }
}

/// The live loop's line to the bill's task: commands forwarded, and the signal that the first
/// live round is done.
#[derive(Default)]
struct BillSide {
    tx: Option<mpsc::UnboundedSender<BillCommand>>,
    first_round: Option<oneshot::Sender<()>>,
}

impl BillSide {
    fn send(&self, cmd: BillCommand) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(cmd);
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

async fn run<F: FnMut(Event)>(
    mut tracker: Tracker,
    mut bill: BillSide,
    interval: Duration,
    mut rx: mpsc::UnboundedReceiver<Command>,
    shared: Shared<F>,
) {
    let mut failures = 0u32;
    let mut gate = Gate::default();
    let mut on_event = |e: Event| emit(&shared, e);
    loop {
        // The stored figures first, at once (at the start, after a lookback or key change).
        if tracker.wants_restore()
            && let Some(snap) = tracker.restore(now_ms()).await
        {
            on_event(Event::Restored(Arc::new(snap)));
        }
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
        // The bill's task starts after the first live round, success or failure.
        if let Some(first) = bill.first_round.take() {
            let _ = first.send(());
        }
        let deadline = Instant::now() + wait;
        // Commands that arrived during the refresh: a refresh request is already answered.
        let mut refresh = false;
        while let Ok(cmd) = rx.try_recv() {
            if apply(&mut tracker, &bill, cmd, true, &gate, &mut on_event) == After::Refresh {
                refresh = true;
            }
        }
        if refresh {
            continue;
        }
        loop {
            tokio::select! {
                _ = sleep_until(deadline) => break,
                cmd = rx.recv() => match cmd {
                    None => return,
                    Some(cmd) => {
                        if apply(&mut tracker, &bill, cmd, false, &gate, &mut on_event) == After::Refresh {
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
    bill: &BillSide,
    cmd: Command,
    queued: bool,
    gate: &Gate,
    on_event: &mut impl FnMut(Event),
) -> After {
    let held = gate.failing;
    match cmd {
        Command::RefreshNow => {
            // The bill is asked too, on its own terms (its own `Retry-After`).
            bill.send(BillCommand::Force);
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
            bill.send(BillCommand::SetTier(tier));
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
        Command::SetCalendar(c) => {
            tracker.set_calendar(c);
            if held { After::Wait } else { After::Refresh }
        }
        Command::SetApiKeyIds(ids) => {
            bill.send(BillCommand::SetApiKeyIds(ids.clone()));
            tracker.set_api_key_ids(ids);
            if held { After::Wait } else { After::Refresh }
        }
    }
}

#[cfg(test)]
mod tests;
