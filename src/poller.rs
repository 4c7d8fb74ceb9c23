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

/// Starts the loop on the current tokio runtime.
pub fn spawn(
    tracker: Tracker,
    interval: Duration,
    on_event: impl FnMut(Event) + Send + 'static,
) -> PollerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(tracker, interval, rx, on_event)).abort_handle();
    PollerHandle { tx, task }
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
    interval: Duration,
    mut rx: mpsc::UnboundedReceiver<Command>,
    mut on_event: impl FnMut(Event),
) {
    let mut failures = 0u32;
    let mut gate = Gate::default();
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
        let deadline = Instant::now() + wait;
        // Commands that arrived during the refresh: a refresh request is already answered.
        let mut refresh = false;
        while let Ok(cmd) = rx.try_recv() {
            if apply(&mut tracker, cmd, true, &gate, &mut on_event) == After::Refresh {
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
                        if apply(&mut tracker, cmd, false, &gate, &mut on_event) == After::Refresh {
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
    cmd: Command,
    queued: bool,
    gate: &Gate,
    on_event: &mut impl FnMut(Event),
) -> After {
    let held = gate.failing;
    match cmd {
        Command::RefreshNow if queued => After::Wait,
        Command::RefreshNow => match gate.retry_after_until {
            Some(t) if t > Instant::now() => After::Wait,
            _ => After::Refresh,
        },
        // Opening the menu refreshes stale data, but never cuts a backoff short.
        Command::RefreshIfOlderThan(age) => match gate.last_success {
            Some(t) if !queued && !held && t.elapsed() >= age => After::Refresh,
            _ => After::Wait,
        },
        Command::SetTier(tier) => {
            tracker.set_tier(tier);
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
            tracker.set_api_key_ids(ids);
            if held { After::Wait } else { After::Refresh }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_is_the_interval_then_doubles_up_to_the_cap() {
        let i = Duration::from_secs(15);
        assert_eq!(next_delay(i, 0, None), i);
        assert_eq!(next_delay(i, 1, None), i);
        assert_eq!(next_delay(i, 2, None), Duration::from_secs(30));
        assert_eq!(next_delay(i, 4, None), Duration::from_secs(120));
        assert_eq!(next_delay(i, 30, None), MAX_BACKOFF);
        // An interval above the cap is never shortened.
        let long = Duration::from_secs(900);
        assert_eq!(next_delay(long, 5, None), long);
    }

    use crate::simulator::{Fault, SimConfig, SimServer};

    type Events = mpsc::UnboundedReceiver<Event>;

    /// A poller with an hourly interval over the simulator (one attempt per refresh, so a
    /// fault is a failed refresh) and its events.
    async fn poller_over(sim: &SimServer) -> (PollerHandle, Events) {
        use crate::openai::{AdminClient, ClientOptions, RetryPolicy};
        let options = ClientOptions {
            retry: RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            },
            ..ClientOptions::default()
        };
        let key = secrecy::SecretString::from(crate::simulator::DEMO_ADMIN_KEY);
        let client = AdminClient::new(&sim.base_url(), &key, options).unwrap();
        let config = crate::tracker::TrackerConfig {
            lookback_secs: 3600,
            width: crate::usage::BucketWidth::Hour,
            api_key_ids: vec![],
            tier: TierChoice::Auto,
            prices: std::sync::Arc::new(crate::pricing::PriceTable::builtin().clone()),
            thresholds: crate::alerts::Thresholds {
                tokens_per_min: 1e9,
                requests_per_min: 1e9,
            },
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let poller = spawn(
            Tracker::new(client, config),
            Duration::from_secs(3600),
            move |e| {
                let _ = tx.send(e);
            },
        );
        (poller, rx)
    }

    async fn next(rx: &mut Events) -> Event {
        tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("an event within 5 s")
            .expect("the poller is running")
    }

    /// Nothing is reported (and nothing asked of the server) for a while.
    async fn quiet(rx: &mut Events, sim: &SimServer) {
        let before = sim.control().stats().requests;
        let got = tokio::time::timeout(Duration::from_millis(1500), rx.recv()).await;
        assert!(got.is_err(), "expected no event, got {got:?}");
        assert_eq!(sim.control().stats().requests, before);
    }

    /// Before any success (offline from the start), "Refresh now" still refreshes at once
    /// instead of waiting out the backoff.
    #[tokio::test]
    async fn refresh_now_works_before_the_first_success() {
        let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
        sim.control().inject(Fault::Unauthorized, u32::MAX);
        let (poller, mut rx) = poller_over(&sim).await;
        assert_eq!(next(&mut rx).await, Event::Refreshing);
        assert!(matches!(next(&mut rx).await, Event::Failed(_)));
        sim.control().clear_faults();
        assert!(poller.send(Command::RefreshNow));
        assert_eq!(next(&mut rx).await, Event::Refreshing);
        assert!(matches!(next(&mut rx).await, Event::Updated(_)));
    }

    /// A server's `Retry-After` holds every path: opening the menu, a lookback or key change,
    /// and "Refresh now".
    #[tokio::test]
    async fn a_retry_after_holds_every_path() {
        let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
        let fault = Fault::RateLimited {
            retry_after_secs: Some(60),
        };
        sim.control().inject(fault, u32::MAX);
        let (poller, mut rx) = poller_over(&sim).await;
        assert_eq!(next(&mut rx).await, Event::Refreshing);
        assert!(matches!(next(&mut rx).await, Event::Failed(_)));
        for cmd in [
            Command::RefreshIfOlderThan(Duration::ZERO),
            Command::SetLookbackSecs(7200),
            Command::SetApiKeyIds(vec!["key_x".into()]),
            Command::RefreshNow,
        ] {
            assert!(poller.send(cmd));
        }
        quiet(&mut rx, &sim).await;
    }

    /// After a failure without `Retry-After`, opening the menu and changes wait for the
    /// backoff deadline; "Refresh now" does not.
    #[tokio::test]
    async fn an_error_backoff_holds_all_but_refresh_now() {
        let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
        let (poller, mut rx) = poller_over(&sim).await;
        assert_eq!(next(&mut rx).await, Event::Refreshing);
        assert!(matches!(next(&mut rx).await, Event::Updated(_)));
        sim.control().inject(Fault::ServerError(500), u32::MAX);
        poller.send(Command::RefreshNow);
        assert_eq!(next(&mut rx).await, Event::Refreshing);
        assert!(matches!(next(&mut rx).await, Event::Failed(_)));
        poller.send(Command::RefreshIfOlderThan(Duration::ZERO));
        poller.send(Command::SetLookbackSecs(7200));
        poller.send(Command::SetApiKeyIds(vec!["key_x".into()]));
        quiet(&mut rx, &sim).await;
        poller.send(Command::RefreshNow);
        assert_eq!(next(&mut rx).await, Event::Refreshing);
    }

    /// A tier change re-prices the data held without claiming it was fetched again.
    #[tokio::test]
    async fn repricing_keeps_the_fetch_time() {
        let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
        let (poller, mut rx) = poller_over(&sim).await;
        assert_eq!(next(&mut rx).await, Event::Refreshing);
        let Event::Updated(fetched) = next(&mut rx).await else {
            panic!("expected an update")
        };
        tokio::time::sleep(Duration::from_millis(30)).await;
        poller.send(Command::SetTier(TierChoice::Fixed(
            crate::pricing::Tier::Flex,
        )));
        let Event::Repriced(priced) = next(&mut rx).await else {
            panic!("expected a re-priced snapshot")
        };
        assert_eq!(priced.tier, TierChoice::Fixed(crate::pricing::Tier::Flex));
        assert_eq!(priced.fetched_at_ms, fetched.fetched_at_ms);
    }

    /// Dropping the handle aborts a refresh in flight: its result never arrives.
    #[tokio::test]
    async fn dropping_the_handle_aborts_a_refresh_in_flight() {
        let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
        sim.control()
            .inject(Fault::Slow(Duration::from_millis(800)), 1);
        let (poller, mut rx) = poller_over(&sim).await;
        assert_eq!(next(&mut rx).await, Event::Refreshing);
        drop(poller);
        let rest = tokio::time::timeout(Duration::from_secs(3), rx.recv()).await;
        assert_eq!(rest.expect("the channel closes"), None);
    }

    #[test]
    fn retry_after_only_lengthens() {
        let i = Duration::from_secs(15);
        assert_eq!(
            next_delay(i, 1, Some(Duration::from_secs(90))),
            Duration::from_secs(90)
        );
        assert_eq!(
            next_delay(i, 3, Some(Duration::from_secs(1))),
            Duration::from_secs(60)
        );
    }
}
