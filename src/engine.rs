//! The engine: every background task of a connection, their schedules, backoff and
//! `Retry-After`, started the same way by every front end ([`Engine::start`]) on the tokio
//! runtime of whoever starts it. Front ends (the menu-bar app's worker, `watch`) read its
//! [`EngineEvent`]s and send it [`Command`]s through the [`EngineHandle`]; none starts a task.
//! `once` runs the same trackers once, in the same order ([`once`]).
//!
//! Where each task and rule lives:
//! - the live refresh, its interval, backoff and `Retry-After`: [`live`] (the loop) over
//!   [`tracker`] (what each endpoint reads, [`crate::plan::usage`]);
//! - the bill, on its own slow schedule ([`crate::plan::bill`]), and the prices learned
//!   from it: [`bill`] (the tracker) and `bill_task` (its loop beside the live one);
//! - pace and sparklines: [`glance`] (rounds at most every five minutes, kicked by refreshes);
//! - today's local cost for the daily budget: [`budget`] (one 26-hour tracker, kicked by
//!   refreshes); today's UTC estimate is the glance's (`Glance::today_estimate`);
//! - the one usage read (query → fetch → record) every tracker uses: `fetch`.

pub mod bill;
mod bill_task;
pub mod budget;
mod clock;
pub mod connection;
mod day_estimate;
pub mod demo;
pub mod events;
mod fetch;
pub mod glance;
pub mod live;
pub mod once;
pub mod tracker;

pub use clock::{Clock, now_ms};
pub use events::{Command, EngineEvent, Event, Failure, TodayCost};

use crate::pricing::TierChoice;
use connection::Connection;
use tokio::sync::{mpsc, watch};

/// Which of the slow tasks a front end wants beside the live refresh.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// The bill (Costs API), its check of the estimate and the prices it teaches.
    pub bill: bool,
    /// Pace and sparklines ([`Event::Glance`]).
    pub glance: bool,
    /// Today's local cost ([`EngineEvent::Today`]), for a daily budget.
    pub budget: bool,
}

/// Starts the engine (see [`Engine::start`]).
pub struct Engine;

/// The tier and keys the user chose, which the glance and budget tasks follow.
type Chosen = (TierChoice, Vec<String>);

impl Engine {
    /// Starts every task `options` asks for, for what `conn` tracks, on the current tokio
    /// runtime: the live refresh at once, the bill after its first round, the glance and
    /// today's cost after each successful refresh. `clock` is what the bill's side reads (the
    /// system's; tests: a fast one). Every event goes to the returned stream, in order.
    pub fn start(
        conn: &Connection,
        clock: Clock,
        options: Options,
    ) -> (EngineHandle, mpsc::UnboundedReceiver<EngineEvent>) {
        let config = conn.tracker_config();
        let (tx, events) = mpsc::unbounded_channel();
        let (chosen, chosen_rx) = watch::channel((config.tier, config.api_key_ids.clone()));
        let mut tasks = Vec::new();
        let glance = if options.glance {
            let gtx = tx.clone();
            glance::spawn(
                conn.client.clone(),
                &config,
                conn.history.clone(),
                chosen_rx.clone(),
                move |g| gtx.send(EngineEvent::Event(Event::Glance(g))).is_ok(),
            )
            .map(|(feed, task)| {
                tasks.push(task.abort_handle());
                feed
            })
        } else {
            None
        };
        let today = options.budget.then(|| {
            let btx = tx.clone();
            let tracker = budget::TodayTracker::new(conn.client.clone(), &config);
            let (feed, task) = budget::spawn(tracker, chosen_rx, move |c| {
                btx.send(EngineEvent::Today(c)).is_ok()
            });
            tasks.push(task.abort_handle());
            feed
        });
        let tracker = conn.tracker_with(config);
        let on_event = move |event: Event| {
            if let Some(g) = &glance {
                g.observe(&event);
            }
            if let Some(t) = &today {
                t.observe(&event);
            }
            // The receiver is gone only once the front end has stopped reading.
            let _ = tx.send(EngineEvent::Event(event));
        };
        let interval = conn.settings.interval;
        let live = if options.bill {
            live::spawn_with_bill_clock(tracker, interval, clock, on_event)
        } else {
            live::spawn(tracker, interval, on_event)
        };
        let handle = EngineHandle {
            live,
            chosen,
            tasks,
        };
        (handle, events)
    }
}

/// A running engine. Dropping it stops every task at once, a refresh in flight included (its
/// result is never reported).
pub struct EngineHandle {
    live: live::PollerHandle,
    chosen: watch::Sender<Chosen>,
    tasks: Vec<tokio::task::AbortHandle>,
}

impl EngineHandle {
    /// Sends a command (a tier or key change reaches the glance and today's cost too); `false`
    /// when the live loop has stopped.
    pub fn send(&self, cmd: Command) -> bool {
        let chose = |f: &dyn Fn(&mut Chosen)| {
            self.chosen.send_if_modified(|c| {
                let before = c.clone();
                f(c);
                *c != before
            });
        };
        match &cmd {
            Command::SetTier(t) => chose(&|c| c.0 = *t),
            Command::SetApiKeyIds(ids) => chose(&|c| c.1.clone_from(ids)),
            _ => {}
        }
        self.live.send(cmd)
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

#[cfg(test)]
mod tests;
