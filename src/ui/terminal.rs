//! The terminal front end of `usage-tracker watch`: a full-screen ratatui view of the live
//! per-model table when stdout is a terminal, otherwise one JSON or text line per refresh.
//!
//! `state` (what is shown, pure), `render` (state → cells, pure), `screen` (the last frame's
//! cells, reused while only the clock moved), `text` (shared wording) and
//! `lines` (line builders) are plain code tested with values and ratatui's `TestBackend`; `app`
//! and the loop in `lines` run on the command's tokio runtime and only wire events to them.

mod app;
mod chart;
pub mod lines;
pub mod render;
mod screen;
mod shutdown;
pub mod state;
pub mod text;

pub use app::run as run_full_screen;
pub use lines::{LineFormat, run as run_lines};
pub use state::{Action, WatchState};

#[cfg(test)]
mod tests;

/// The width of the terminal stdout is, or `None` when stdout is a file or pipe (whose lines
/// are for scripts, and so are never cut).
pub fn stdout_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| usize::from(w))
        .filter(|&w| w > 0)
}
