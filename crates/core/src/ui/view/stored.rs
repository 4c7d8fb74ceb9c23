//! Figures from the history store, shown at launch before the first refresh answers: the title
//! carries [`STORED_MARKER`], the header says "As of HH:MM (stored)", the spoken description
//! says when the figures are from. The first successful refresh takes the mark away. And the one
//! line saying what went wrong with the store (it could not be used, or a damaged file was moved
//! aside), a menu row, never a notification.
//! Pure: from the state to texts.

use super::{Node, TrayState};
use crate::ui::format;

/// Prefix of the title while it shows stored figures (before the first refresh succeeds).
pub const STORED_MARKER: &str = "◷";

/// Stored figures older than this are named with their date, not only the time of day.
const SAME_DAY_MS: i64 = 20 * 3600 * 1000;

/// What the history store gives the menu bar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stored {
    /// The figures shown are the store's, fetched then (unix ms): no refresh has succeeded yet.
    pub as_of_ms: Option<i64>,
    /// What went wrong with the store, as one sentence; `None` when all went well or history is
    /// off by choice.
    pub notice: Option<String>,
}

impl TrayState {
    /// The figures shown came from the store, not from a refresh of this run.
    pub fn shows_stored(&self) -> bool {
        self.snapshot.is_some() && self.stored.as_of_ms.is_some()
    }
}

/// `09:12`, or `2026-11-24 09:12` when that is long ago (another day, most likely).
pub fn as_of(at_ms: i64, now_ms: i64) -> String {
    if now_ms - at_ms > SAME_DAY_MS {
        format::local(at_ms / 1000)
    } else {
        format::local_hm(at_ms / 1000)
    }
}

/// The header's time row: `As of 09:12 (stored)`; `None` when the figures are live.
pub fn header_row(state: &TrayState, now_ms: i64) -> Option<String> {
    let at = state.stored.as_of_ms.filter(|_| state.snapshot.is_some())?;
    Some(format!("As of {} (stored)", as_of(at, now_ms)))
}

/// The title's prefix marks: `⚠ ◷ ` (failed, stored), `◷ `, `⚠ ` or nothing.
pub fn title_marks(state: &TrayState, warn: bool) -> String {
    let mut marks = String::new();
    if warn {
        marks.push_str(super::MARKER);
        marks.push(' ');
    }
    if state.shows_stored() {
        marks.push_str(STORED_MARKER);
        marks.push(' ');
    }
    marks
}

/// The description's clause: `; figures from 09:12 (stored)`.
pub fn described(state: &TrayState, now_ms: i64) -> Option<String> {
    let at = state.stored.as_of_ms.filter(|_| state.snapshot.is_some())?;
    Some(format!("; figures from {} (stored)", as_of(at, now_ms)))
}

/// `⚠ history.sqlite is locked …: running without history`: the store's notice as a row.
pub fn notice_rows(state: &TrayState) -> Vec<Node> {
    state
        .stored
        .notice
        .iter()
        .map(|why| Node::Info(format!("{} {why}", super::MARKER)))
        .collect()
}
