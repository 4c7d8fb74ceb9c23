//! The full-screen loop of `watch`: owns the terminal (alternate screen, raw mode) and redraws
//! the [`WatchState`] whenever something happens.
//!
//! Runs as one task on the command's tokio runtime. It sleeps in one `select!` on engine
//! events, terminal input and a 1 Hz tick for the countdown: no polling. A tick writes only
//! the changed cells of the rows that count down ([`Screen`]); events that arrive together are
//! drawn once. Input comes from a dedicated thread blocked in `crossterm::event::read()`
//! (crossterm's async stream would need another feature and `futures`). The terminal is
//! restored on quit, on error (a drop guard) and after a panic (the hook `ratatui::try_init`
//! installs, chained to the previous one).

use super::render::page;
use super::screen::Screen;
use super::shutdown::Shutdown;
use super::state::{Action, WatchState};
use crate::engine::{EngineEvent, EngineHandle, now_ms};
use crossterm::event::Event as Input;
use std::io;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

/// Restores the terminal when the loop ends, however it ends.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Runs until `q`, `Esc`, `Ctrl+C`, SIGINT/SIGTERM, or the engine stops. Today's cost is
/// shown against `daily_budget` when one is set.
pub async fn run(
    engine: EngineHandle,
    mut events: mpsc::UnboundedReceiver<EngineEvent>,
    daily_budget: Option<f64>,
    mut state: WatchState,
) -> io::Result<()> {
    let mut shutdown = Shutdown::new()?;
    let mut terminal = ratatui::try_init()?;
    let _restore = Restore;
    let mut input = spawn_input_thread()?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut screen = Screen::new();
    loop {
        screen.show(&mut terminal, &state, now_ms())?;
        tokio::select! {
            ev = events.recv() => match ev {
                Some(ev) => {
                    take(&mut state, ev, daily_budget);
                    // A refresh sends a few events at once: one frame for all of them.
                    while let Ok(ev) = events.try_recv() {
                        take(&mut state, ev, daily_budget);
                    }
                }
                None => break,
            },
            ev = input.recv() => match ev {
                Some(Ok(Input::Key(key))) => {
                    let size = terminal.size()?;
                    match state.on_key(key, page(size.into(), &state, crate::engine::now_ms())) {
                        Action::Quit => break,
                        Action::Send(cmd) => {
                            engine.send(cmd);
                        }
                        Action::Redraw | Action::Ignore => {}
                    }
                }
                // A resize (or anything else) just redraws; `draw` picks up the new size.
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => break,
            },
            _ = tick.tick() => {}
            () = shutdown.requested() => break,
        }
    }
    terminal.show_cursor()?;
    Ok(())
}

/// Takes in one engine event: today's cost goes against the budget.
fn take(state: &mut WatchState, ev: EngineEvent, daily_budget: Option<f64>) {
    match ev {
        EngineEvent::Event(ev) => state.apply(ev, now_ms()),
        EngineEvent::Today(t) => state.budget = daily_budget.map(|b| (t.spent, b)),
    }
}

/// Terminal input, read on its own thread (blocking, no timeout) and forwarded to the loop.
/// The thread ends at the first error or when the loop is gone; while blocked at exit it
/// simply goes down with the process.
fn spawn_input_thread() -> io::Result<mpsc::UnboundedReceiver<io::Result<Input>>> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("watch-input".into())
        .spawn(move || {
            loop {
                let ev = crossterm::event::read();
                let failed = ev.is_err();
                if tx.send(ev).is_err() || failed {
                    break;
                }
            }
        })?;
    Ok(rx)
}
