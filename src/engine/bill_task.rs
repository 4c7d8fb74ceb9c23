//! The bill's own task beside the live loop: it waits for the live loop's first round, then
//! asks the Costs API on the bill's slow schedule (`tracker::bill_plan`) and whenever the user
//! asks, reporting [`Event::Billed`] through the live loop's callback. A slow or hung Costs API
//! (one costs request plus eight usage reads, each with its own deadline) then never delays a
//! live refresh or a command: the live loop only forwards commands here.
//!
//! The task reads the time from a [`Clock`]: the system's in the app, a fast one in tests, so a
//! simulated hour of the real loop (not just its schedule) runs in seconds.

use super::Clock;
use super::bill::BillTracker;
use super::events::Event;
use crate::pricing::TierChoice;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// What the live loop forwards to the bill.
#[derive(Debug)]
pub(super) enum BillCommand {
    /// The user asked for a refresh: the bill is asked too, on its own terms (`Retry-After`).
    Force,
    SetTier(TierChoice),
    SetApiKeyIds(Vec<String>),
}

/// The poller's callback, shared by the live loop and the bill's task (never held across an
/// await).
pub(super) type Shared<F> = Arc<Mutex<F>>;

pub(super) fn emit<F: FnMut(Event)>(on_event: &Shared<F>, e: Event) {
    let mut f = on_event.lock().unwrap_or_else(|p| p.into_inner());
    f(e);
}

/// The bill's loop. Starts after the live loop's first round (`first_round`), so the first
/// figures shown are the live estimate and the two never open with simultaneous requests.
pub(super) async fn run<F: FnMut(Event)>(
    mut bill: BillTracker,
    clock: Clock,
    first_round: oneshot::Receiver<()>,
    mut rx: mpsc::UnboundedReceiver<BillCommand>,
    on_event: Shared<F>,
) {
    // A dropped sender (the live loop ended) ends this task too, below.
    let _ = first_round.await;
    let mut forced = false;
    loop {
        let now = clock.now_ms().div_euclid(1000);
        let force = std::mem::take(&mut forced) && bill.may_force(now);
        if force || bill.due(now) {
            let snap = bill.refresh(clock.now_ms()).await;
            emit(&on_event, Event::Billed(Arc::new(snap)));
            // A refresh asked for while that request ran is answered by it.
            while let Ok(cmd) = rx.try_recv() {
                if !matches!(cmd, BillCommand::Force) {
                    apply(&mut bill, &clock, cmd, &mut forced, &on_event);
                }
            }
        }
        let now = clock.now_ms().div_euclid(1000);
        // Never zero without a request made: a schedule that says "now" is served above.
        let wait = clock.real(bill.next_at().map_or(1, |t| (t - now).max(1)));
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            cmd = rx.recv() => match cmd {
                None => return,
                Some(cmd) => apply(&mut bill, &clock, cmd, &mut forced, &on_event),
            },
        }
    }
}

fn apply<F: FnMut(Event)>(
    bill: &mut BillTracker,
    clock: &Clock,
    cmd: BillCommand,
    forced: &mut bool,
    on_event: &Shared<F>,
) {
    match cmd {
        BillCommand::Force => *forced = true,
        BillCommand::SetTier(tier) => {
            bill.set_tier(tier);
            let snap = bill.snapshot(clock.now_ms().div_euclid(1000));
            if snap.bill.is_some() {
                emit(on_event, Event::Billed(Arc::new(snap)));
            }
        }
        BillCommand::SetApiKeyIds(ids) => bill.set_api_key_ids(ids),
    }
}
