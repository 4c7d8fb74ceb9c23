//! The refresh loop on tokio: refreshes on the interval and on demand, never two at once,
//! backs off after failures, and reports every outcome to the front end through a callback.
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
    /// Re-priced or re-shaped data after a settings change that needed no fetch.
    Repriced(Arc<Snapshot>),
    Failed(Failure),
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

/// Handle to a running poller; dropping it stops the loop.
#[derive(Clone)]
pub struct PollerHandle {
    tx: mpsc::UnboundedSender<Command>,
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
    tokio::spawn(run(tracker, interval, rx, on_event));
    PollerHandle { tx }
}

enum After {
    Refresh,
    Wait,
}

async fn run(
    mut tracker: Tracker,
    interval: Duration,
    mut rx: mpsc::UnboundedReceiver<Command>,
    mut on_event: impl FnMut(Event),
) {
    let mut failures = 0u32;
    let mut last_success: Option<Instant> = None;
    loop {
        on_event(Event::Refreshing);
        let retry_after = match tracker.refresh(now_ms()).await {
            Ok(snap) => {
                failures = 0;
                last_success = Some(Instant::now());
                on_event(Event::Updated(Arc::new(snap)));
                None
            }
            Err(error) => {
                failures += 1;
                let retry_in = next_delay(interval, failures, error.retry_after());
                let retry_after = Some(retry_in);
                on_event(Event::Failed(Failure {
                    error,
                    at_ms: now_ms(),
                    consecutive: failures,
                    retry_in,
                }));
                retry_after
            }
        };
        let deadline = Instant::now() + retry_after.unwrap_or(interval);
        // Commands that arrived during the refresh: a refresh request is already answered.
        let mut refresh = false;
        while let Ok(cmd) = rx.try_recv() {
            if matches!(
                apply(&mut tracker, cmd, true, last_success, &mut on_event),
                After::Refresh
            ) {
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
                        if let After::Refresh = apply(&mut tracker, cmd, false, last_success, &mut on_event) {
                            break;
                        }
                    }
                },
            }
        }
    }
}

/// Applies one command; says whether a refresh must follow. `queued` marks commands that
/// arrived while a refresh ran: that refresh already answered a plain refresh request.
fn apply(
    tracker: &mut Tracker,
    cmd: Command,
    queued: bool,
    last_success: Option<Instant>,
    on_event: &mut impl FnMut(Event),
) -> After {
    match cmd {
        Command::RefreshNow if queued => After::Wait,
        Command::RefreshNow => After::Refresh,
        // Opening the menu refreshes stale data, but never cuts a backoff short.
        Command::RefreshIfOlderThan(age) => match last_success {
            Some(t) if !queued && t.elapsed() >= age => After::Refresh,
            _ => After::Wait,
        },
        Command::SetTier(tier) => {
            tracker.set_tier(tier);
            if tracker.series().is_empty() {
                return After::Wait;
            }
            on_event(Event::Repriced(Arc::new(tracker.snapshot_at(now_ms()))));
            After::Wait
        }
        Command::SetLookbackSecs(secs) => {
            tracker.set_lookback_secs(secs);
            After::Refresh
        }
        Command::SetApiKeyIds(ids) => {
            tracker.set_api_key_ids(ids);
            After::Refresh
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

    /// Before any success (offline from the start), "Refresh now" still refreshes at once
    /// instead of waiting out the backoff.
    #[tokio::test]
    async fn refresh_now_works_before_the_first_success() {
        use crate::openai::{AdminClient, ClientOptions, RetryPolicy};
        use crate::simulator::{DEMO_ADMIN_KEY, Fault, SimConfig, SimServer};
        let sim = SimServer::start(SimConfig::test(), None).await.unwrap();
        sim.control().inject(Fault::Unauthorized, u32::MAX);
        let options = ClientOptions {
            retry: RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            },
            ..ClientOptions::default()
        };
        let key = secrecy::SecretString::from(DEMO_ADMIN_KEY);
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
        let (tx, mut rx) = mpsc::unbounded_channel();
        let poller = spawn(
            Tracker::new(client, config),
            Duration::from_secs(3600),
            move |e| {
                let _ = tx.send(e);
            },
        );
        let mut next = async || {
            tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await
                .expect("an event within 5 s")
                .unwrap()
        };
        assert_eq!(next().await, Event::Refreshing);
        assert!(matches!(next().await, Event::Failed(_)));
        sim.control().clear_faults();
        assert!(poller.send(Command::RefreshNow));
        assert_eq!(next().await, Event::Refreshing);
        assert!(matches!(next().await, Event::Updated(_)));
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
