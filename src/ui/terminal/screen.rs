//! The frame cache of the full-screen view: a frame must not recompute what a refresh computed.
//!
//! The loop redraws once a second for the countdowns. Building the table, the chart and the
//! notes from the snapshot and rendering them into cells took milliseconds a frame (issue 20:
//! most of `watch`'s CPU time between refreshes), and even a frame copied from the last one
//! costs ratatui a diff of every cell. [`Screen`] keeps the cells of the last full render with
//! the [`Key`] they were drawn for; while the key holds (same data, size, keys pressed and
//! clock minute), a tick builds only the rows that tick ([`render::ticking`]: the countdowns,
//! one to three rows) and writes the cells of those that changed. Anything else draws it all
//! again through ratatui.

use super::render::{self, Ticking};
use super::state::WatchState;
use crate::alerts::Alert;
use crate::bill::BillSnapshot;
use crate::figures::glance::Glance;
use crate::pricing::TierChoice;
use crate::tracker::Snapshot;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
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
    /// The cells of the last full render: what ratatui's diff compares the next one with.
    cells: Buffer,
    ticking: Ticking,
    /// What the areas that tick show now ([`Ticking::areas`]), once a tick changed them.
    shown: Option<Vec<Buffer>>,
}

/// The last full render (and, in tests, how many there were).
#[derive(Default)]
pub struct Screen {
    last: Option<Drawn>,
    #[cfg(test)]
    full_renders: u64,
}

/// The cells of `area` in `buf` (an area inside it).
fn slice(buf: &Buffer, area: Rect) -> Buffer {
    let mut out = Buffer::empty(area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            out[(x, y)] = buf[(x, y)].clone();
        }
    }
    out
}

impl Screen {
    pub fn new() -> Screen {
        Screen::default()
    }

    /// Shows `state` at `now_ms` on `terminal`: the same cells as [`render::render`]. When only
    /// the clock's seconds moved, only the changed cells of the rows that tick are written,
    /// past ratatui, whose buffers keep the last full render; otherwise a full frame goes
    /// through ratatui, once those rows are put back as its buffers have them.
    pub fn show<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        state: &WatchState,
        now_ms: i64,
    ) -> Result<(), B::Error> {
        let area = Rect::from((Position::ORIGIN, terminal.size()?));
        let key = Key::of(state, area, now_ms);
        if let Some(d) = self.last.as_mut() {
            let at_full =
                || -> Vec<Buffer> { d.ticking.areas().map(|a| slice(&d.cells, a)).collect() };
            let was = d.shown.take();
            let rows = (d.key == key)
                .then(|| render::ticking(&d.ticking, state, now_ms))
                .flatten();
            if let Some(rows) = rows {
                let was = was.unwrap_or_else(at_full);
                let changed = was.iter().zip(&rows).flat_map(|(w, r)| w.diff(r));
                terminal.backend_mut().draw(changed)?;
                terminal.backend_mut().flush()?;
                d.shown = Some(rows);
                return Ok(());
            }
            if let Some(was) = was {
                let full = at_full();
                let back = was.iter().zip(&full).flat_map(|(w, f)| w.diff(f));
                terminal.backend_mut().draw(back)?;
            }
        }
        let mut ticking = None;
        let done = terminal.draw(|f| ticking = Some(render::draw(f, state, now_ms)))?;
        let cells = done.buffer.clone();
        #[cfg(test)]
        {
            self.full_renders += 1;
        }
        self.last = ticking.map(|ticking| Drawn {
            key,
            cells,
            ticking,
            shown: None,
        });
        Ok(())
    }

    /// How many frames were drawn in full so far.
    #[cfg(test)]
    pub fn full_renders(&self) -> u64 {
        self.full_renders
    }
}
