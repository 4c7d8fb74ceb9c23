//! The terminal front end of `usage-tracker watch`: a full-screen ratatui view of the live
//! per-model table when stdout is a terminal, otherwise one JSON or text line per refresh.
//!
//! `state` (what is shown, pure), `render` (state → cells, pure), `text` (shared wording) and
//! `lines` (line builders) are plain code tested with values and ratatui's `TestBackend`; `app`
//! and the loop in `lines` run on the command's tokio runtime and only wire events to them.

mod app;
pub mod lines;
pub mod render;
mod shutdown;
pub mod state;
pub mod text;

pub use app::run as run_full_screen;
pub use lines::{LineFormat, run as run_lines};
pub use state::{Action, WatchState};

#[cfg(test)]
mod tests;
