//! What the full-screen view shows, as plain data, and how poller events and key presses change
//! it. Pure: the clock comes in as an argument, so every transition is testable with values.
//! Owned by the UI task of `watch` (one task on the command's tokio runtime).

use crate::alerts::Alert;
use crate::bill::BillSnapshot;
use crate::engine::events::{Command, Event, Failure};
use crate::pricing::TierChoice;
use crate::snapshot::Snapshot;
use crate::ui::owners::{self, By};
use crate::ui::table::TableView;
use crate::ui::view::KeyChoice;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct WatchState {
    /// The last good data (kept on screen, marked stale, while refreshes fail).
    pub snapshot: Option<Arc<Snapshot>>,
    /// The cell strings of `snapshot`, built once per snapshot rather than once per frame.
    table: Option<TableView>,
    /// Spike alerts of the last successful refresh (a re-priced snapshot carries none).
    pub alerts: Vec<Alert>,
    /// When the last successful refresh happened (unix ms).
    pub last_refresh_ms: Option<i64>,
    /// The failure of the last refresh; `None` after a success.
    pub failure: Option<Failure>,
    pub tier: TierChoice,
    /// First model row shown (the table may be taller than the screen).
    pub scroll: usize,
    /// When the poller tries next (unix ms), for the countdown.
    pub next_refresh_ms: Option<i64>,
    /// A refresh is under way.
    pub refreshing: bool,
    pub interval: Duration,
    /// `?` shows the keys over the view.
    pub help: bool,
    /// `(spent today, daily budget)` when a budget is set and today's cost is known.
    pub budget: Option<(f64, f64)>,
    /// The last bill (Costs API), its failure and the check of the estimate.
    pub bill: Option<Arc<BillSnapshot>>,
    /// The recent past: pace and the two sparklines, once the glance task sent it.
    pub glance: Option<Arc<crate::figures::glance::Glance>>,
    /// The names of the tracked keys, looked up once at start (empty when that failed).
    pub names: Vec<KeyChoice>,
    /// The table's rows: by model, key or project (`b` cycles).
    pub by: By,
}

/// What a key press asks of the loop.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Quit,
    Send(Command),
    /// Only the view changed (scrolling).
    Redraw,
    Ignore,
}

impl WatchState {
    pub fn new(tier: TierChoice, interval: Duration) -> WatchState {
        WatchState {
            snapshot: None,
            table: None,
            alerts: Vec::new(),
            last_refresh_ms: None,
            failure: None,
            tier,
            scroll: 0,
            next_refresh_ms: None,
            refreshing: false,
            interval,
            help: false,
            budget: None,
            bill: None,
            glance: None,
            names: Vec::new(),
            by: By::Model,
        }
    }

    /// Names the tracked keys in the notes (`Keys: Primary (key_demoPrimary01)`).
    pub fn with_names(mut self, names: Vec<KeyChoice>) -> WatchState {
        self.names = names;
        self
    }

    /// The table of the last good snapshot.
    pub fn table(&self) -> Option<&TableView> {
        self.table.as_ref()
    }

    /// Data is on screen but the last refresh failed.
    pub fn is_stale(&self) -> bool {
        self.snapshot.is_some() && self.failure.is_some()
    }

    /// Takes in one poller event that arrived at `now_ms`.
    pub fn apply(&mut self, event: Event, now_ms: i64) {
        match event {
            Event::Refreshing => self.refreshing = true,
            Event::Updated(snap) => {
                self.refreshing = false;
                self.failure = None;
                self.alerts = snap.alerts.clone();
                self.last_refresh_ms = Some(snap.fetched_at_ms);
                self.next_refresh_ms = Some(now_ms + self.interval.as_millis() as i64);
                self.show(snap);
            }
            // The stored figures until the first refresh: the header shows their age.
            Event::Repriced(snap) | Event::Restored(snap) => self.show(snap),
            Event::Failed(f) => {
                self.refreshing = false;
                self.next_refresh_ms = Some(f.at_ms + f.retry_in.as_millis() as i64);
                self.failure = Some(f);
            }
            Event::Billed(b) => self.bill = Some(b),
            Event::Glance(g) => self.glance = Some(g),
        }
    }

    fn show(&mut self, snap: Arc<Snapshot>) {
        self.tier = snap.tier;
        let mut view = TableView::from_snapshot(&snap, &self.names);
        owners::regroup(&mut view, &snap, self.by);
        self.table = Some(view);
        self.snapshot = Some(snap);
    }

    fn rows(&self) -> usize {
        self.table.as_ref().map_or(0, |t| t.rows.len())
    }

    /// The first row shown when `page` rows fit: the scroll offset, kept in range.
    pub fn first_row(&self, page: usize) -> usize {
        self.scroll.min(self.rows().saturating_sub(page))
    }

    /// Handles one key; `page` is how many model rows fit on screen now.
    pub fn on_key(&mut self, key: KeyEvent, page: usize) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::Ignore;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let max = self.rows().saturating_sub(page);
        let at = self.first_row(page);
        let scroll_to = |s: &mut WatchState, to: usize| {
            s.scroll = to.min(max);
            Action::Redraw
        };
        match key.code {
            KeyCode::Char('c') if ctrl => Action::Quit,
            KeyCode::Char('?') => {
                self.help = !self.help;
                Action::Redraw
            }
            // Esc closes the help before it quits.
            KeyCode::Esc if self.help => {
                self.help = false;
                Action::Redraw
            }
            KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
            KeyCode::Char('r') => Action::Send(Command::RefreshNow),
            KeyCode::Char('b') => {
                self.by = self.by.next();
                self.scroll = 0;
                if let Some(snap) = self.snapshot.clone() {
                    self.show(snap);
                }
                Action::Redraw
            }
            KeyCode::Char('t') => {
                self.tier = self.tier.next();
                Action::Send(Command::SetTier(self.tier))
            }
            KeyCode::Up => scroll_to(self, at.saturating_sub(1)),
            KeyCode::Down => scroll_to(self, at + 1),
            KeyCode::PageUp => scroll_to(self, at.saturating_sub(page.max(1))),
            KeyCode::PageDown => scroll_to(self, at + page.max(1)),
            KeyCode::Home => scroll_to(self, 0),
            KeyCode::End => scroll_to(self, max),
            _ => Action::Ignore,
        }
    }
}
