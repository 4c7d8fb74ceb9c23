//! The frame cache: a tick writes only the changed cells of the rows that count down, and the
//! terminal then shows the same cells as a full render at that moment (styles included), also
//! after the next full frame, which ratatui diffs against the last full one; new data, a
//! resize, a key or a new minute draw it all again.

use super::super::render::render;
use super::super::screen::Screen;
use super::super::state::WatchState;
use super::{NOW_MS, find, snapshot, state_with};
use crate::bill::test_data as bill;
use crate::engine::events::{Event, Failure};
use crate::openai::ApiError;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::sync::Arc;
use std::time::Duration;

/// The view as `watch` draws it: one terminal, one screen, frame after frame.
struct View {
    term: Terminal<TestBackend>,
    screen: Screen,
}

impl View {
    fn new(w: u16, h: u16) -> View {
        View {
            term: Terminal::new(TestBackend::new(w, h)).unwrap(),
            screen: Screen::new(),
        }
    }

    /// Draws a frame at `now_ms` and checks it against a full render of its own.
    fn frame(&mut self, s: &WatchState, now_ms: i64) -> Vec<String> {
        self.screen.show(&mut self.term, s, now_ms).unwrap();
        let got = self.term.backend().buffer().clone();
        assert_eq!(got, full(s, got.area.width, got.area.height, now_ms));
        lines(&got)
    }

    fn full_renders(&self) -> u64 {
        self.screen.full_renders()
    }
}

fn full(s: &WatchState, w: u16, h: u16, now_ms: i64) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render(f, s, now_ms)).unwrap();
    t.backend().buffer().clone()
}

fn lines(b: &Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}

fn offline(at_ms: i64, retry_secs: u64) -> Failure {
    Failure {
        error: ApiError::Network {
            url: "http://127.0.0.1:9/v1".into(),
            reason: "connection refused".into(),
        },
        at_ms,
        consecutive: 1,
        retry_in: Duration::from_secs(retry_secs),
    }
}

#[test]
fn a_tick_reuses_the_frame_and_repaints_only_the_countdown() {
    let s = state_with(snapshot(6, Vec::new()));
    let mut v = View::new(100, 30);
    let first = v.frame(&s, NOW_MS + 1_000);
    assert_eq!(v.full_renders(), 1);
    find(&first, "next refresh in 14s");
    find(&first, "· next in 14s");
    let second = v.frame(&s, NOW_MS + 2_000);
    assert_eq!(v.full_renders(), 1, "a tick draws nothing in full");
    find(&second, "next refresh in 13s");
    find(&second, "· next in 13s");
    let changed: Vec<usize> = (0..first.len())
        .filter(|&i| first[i] != second[i])
        .collect();
    assert_eq!(changed.len(), 2, "only the two countdown rows: {changed:?}");
}

#[test]
fn new_data_a_resize_a_key_and_a_new_minute_draw_it_all_again() {
    let mut s = state_with(snapshot(9, Vec::new()));
    let mut v = View::new(100, 24);
    v.frame(&s, NOW_MS + 1_000);
    // A refresh starting only changes the rows that tick.
    s.apply(Event::Refreshing, NOW_MS + 15_000);
    let l = v.frame(&s, NOW_MS + 15_000);
    find(&l, "refreshing…");
    assert_eq!(v.full_renders(), 1);
    let mut next = snapshot(9, Vec::new());
    next.fetched_at_ms = NOW_MS + 15_500;
    s.apply(Event::Updated(Arc::new(next)), NOW_MS + 15_500);
    v.frame(&s, NOW_MS + 16_000);
    assert_eq!(v.full_renders(), 2, "a new snapshot");
    v.frame(&s, NOW_MS + 17_000);
    assert_eq!(v.full_renders(), 2);
    v.term.backend_mut().resize(80, 24);
    v.frame(&s, NOW_MS + 18_000);
    assert_eq!(v.full_renders(), 3, "a resize");
    let key = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
    s.on_key(key, 2);
    v.frame(&s, NOW_MS + 18_500);
    assert_eq!(v.full_renders(), 4, "scrolled");
    s.on_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE), 2);
    let l = v.frame(&s, NOW_MS + 19_000);
    find(&l, "Keys (? closes)");
    assert_eq!(v.full_renders(), 5, "the help opened");
    v.frame(&s, NOW_MS + 20_000);
    assert_eq!(v.full_renders(), 6, "the help may cover the rows that tick");
    s.on_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE), 2);
    v.frame(&s, NOW_MS + 21_000);
    v.frame(&s, NOW_MS + 22_000);
    assert_eq!(v.full_renders(), 7, "the help closed");
    // NOW_MS is 30 s into its minute: the billed days may turn at the next one.
    v.frame(&s, NOW_MS + 30_000);
    assert_eq!(v.full_renders(), 8, "a new minute");
}

#[test]
fn a_failure_and_the_bill_tick_like_a_full_render() {
    let mut s = state_with(snapshot(3, Vec::new()));
    s.apply(Event::Billed(Arc::new(bill::sample())), NOW_MS);
    s.apply(Event::Failed(offline(NOW_MS + 15_000, 90)), NOW_MS + 15_000);
    let mut v = View::new(100, 30);
    let l = v.frame(&s, NOW_MS + 16_000);
    find(&l, "retrying in 1m 29s");
    find(&l, "Billed (UTC)");
    assert_eq!(v.full_renders(), 1);
    let l = v.frame(&s, NOW_MS + 17_000);
    find(&l, "retrying in 1m 28s");
    assert_eq!(v.full_renders(), 1);
    // Another failure with the same number of lines only repaints the status.
    s.apply(Event::Failed(offline(NOW_MS + 20_000, 5)), NOW_MS + 20_000);
    let l = v.frame(&s, NOW_MS + 21_000);
    find(&l, "retrying in 4s");
    assert_eq!(v.full_renders(), 1);
}

#[test]
fn a_countdown_that_wraps_to_another_line_count_draws_it_all_again() {
    let mut s = state_with(snapshot(3, Vec::new()));
    s.next_refresh_ms = Some(NOW_MS + 70_000);
    // "Last refresh HH:MM:SS · next in 1m 10s" takes 38 columns, "… next in 55s" 35: on a
    // 35-column screen the line goes from two rows to one (within the same minute).
    let mut v = View::new(35, 40);
    let two = v.frame(&s, NOW_MS);
    v.frame(&s, NOW_MS + 5_000);
    assert_eq!(v.full_renders(), 1);
    let one = v.frame(&s, NOW_MS + 15_000);
    assert_eq!(v.full_renders(), 2, "the refresh line now fits on one row");
    find(&one, "· next in 55s");
    find(&two, "· next in 1m");
    assert!(!two.iter().any(|l| l.contains("in 1m 10s")), "wrapped");
}

#[test]
fn a_full_frame_after_ticks_shows_what_the_ticks_overwrote() {
    let mut s = state_with(snapshot(4, Vec::new()));
    let mut v = View::new(100, 30);
    find(&v.frame(&s, NOW_MS + 1_000), "next refresh in 14s");
    find(&v.frame(&s, NOW_MS + 2_000), "next refresh in 13s");
    // The next full frame has the first one's countdown again: ratatui sees no change in that
    // row, so it must be back on screen before ratatui's diff.
    let mut next = snapshot(5, Vec::new());
    next.fetched_at_ms = NOW_MS + 2_000;
    s.apply(Event::Updated(Arc::new(next)), NOW_MS + 2_000);
    let l = v.frame(&s, NOW_MS + 3_000);
    find(&l, "next refresh in 14s");
    find(&l, "· next in 14s");
    assert_eq!(v.full_renders(), 2);
}
