//! The frame cache of the full-screen view: a frame must not recompute what a refresh computed.
//!
//! The loop redraws once a second for the countdowns. Building the table, the chart and the
//! notes from the snapshot and rendering them into cells took milliseconds a frame (issue 20:
//! most of `watch`'s CPU time between refreshes). [`Screen`] keeps the cells of the last full
//! render with the [`Key`] they were drawn for; while the key holds (same data, size, keys
//! pressed and clock minute), a frame is that copy with only the rows that tick repainted
//! ([`render::repaint`]). Anything else draws it all again. ratatui then sends only the
//! changed cells to the terminal.

use super::render::{self, Ticking};
use super::state::WatchState;
use crate::alerts::Alert;
use crate::billing::BillSnapshot;
use crate::history::glance::Glance;
use crate::pricing::TierChoice;
use crate::tracker::Snapshot;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;

/// Everything a full render reads but the clock's seconds. The countdowns, the error's retry
/// time and "refreshing…" are left out: they are on the rows that tick, repainted every frame.
/// The shared data is held (not only its address), so a new snapshot can never pass for the old
/// one at a reused address.
#[derive(Clone, Debug)]
struct Key {
    area: Rect,
    /// The billed days and the check's "yesterday" turn at a day's start, a whole minute.
    minute: i64,
    snapshot: Option<Arc<Snapshot>>,
    bill: Option<Arc<BillSnapshot>>,
    glance: Option<Arc<Glance>>,
    alerts: Vec<Alert>,
    /// The table's title says STALE; its message says "No data yet.".
    failed: bool,
    last_refresh_ms: Option<i64>,
    tier: TierChoice,
    scroll: usize,
    help: bool,
    budget: Option<(f64, f64)>,
}

fn same<T>(a: &Option<Arc<T>>, b: &Option<Arc<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

impl PartialEq for Key {
    fn eq(&self, o: &Key) -> bool {
        self.area == o.area
            && self.minute == o.minute
            && same(&self.snapshot, &o.snapshot)
            && same(&self.bill, &o.bill)
            && same(&self.glance, &o.glance)
            && self.alerts == o.alerts
            && self.failed == o.failed
            && self.last_refresh_ms == o.last_refresh_ms
            && self.tier == o.tier
            && self.scroll == o.scroll
            && self.help == o.help
            && self.budget == o.budget
    }
}

impl Key {
    fn of(state: &WatchState, area: Rect, now_ms: i64) -> Key {
        Key {
            area,
            minute: now_ms.div_euclid(60_000),
            snapshot: state.snapshot.clone(),
            bill: state.bill.clone(),
            glance: state.glance.clone(),
            alerts: state.alerts.clone(),
            failed: state.failure.is_some(),
            last_refresh_ms: state.last_refresh_ms,
            tier: state.tier,
            scroll: state.scroll,
            help: state.help,
            budget: state.budget,
        }
    }
}

struct Drawn {
    key: Key,
    cells: Buffer,
    ticking: Ticking,
}

/// The last full render (and, in tests, how many there were).
#[derive(Default)]
pub struct Screen {
    last: Option<Drawn>,
    #[cfg(test)]
    full_renders: u64,
}

impl Screen {
    pub fn new() -> Screen {
        Screen::default()
    }

    /// Draws `state` at `now_ms` into `frame`: the same cells as [`render::render`], from the
    /// last full render when only the clock's seconds moved.
    pub fn draw(&mut self, frame: &mut Frame, state: &WatchState, now_ms: i64) {
        let key = Key::of(state, frame.area(), now_ms);
        if let Some(d) = self.last.as_ref().filter(|d| d.key == key)
            && render::repaint(frame, &d.cells, &d.ticking, state, now_ms)
        {
            return;
        }
        let ticking = render::draw(frame, state, now_ms);
        #[cfg(test)]
        {
            self.full_renders += 1;
        }
        self.last = Some(Drawn {
            key,
            cells: frame.buffer_mut().clone(),
            ticking,
        });
    }

    /// How many frames were drawn in full so far.
    #[cfg(test)]
    pub fn full_renders(&self) -> u64 {
        self.full_renders
    }
}
