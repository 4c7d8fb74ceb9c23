//! Draws a [`WatchState`] into a ratatui frame: title, the headline, spike alerts, the error
//! status, the per-model table (scrollable, the completions row pinned), a chart of tokens per
//! bucket with a time axis, the notes, and the key help on `?`. The table keeps at least [`MIN_ROWS`] rows before the
//! chart and the notes take room; the chart then grows with the terminal; the status and the
//! notes wrap at words. Pure: the same state and clock give the same cells, which the tests read
//! back from ratatui's `TestBackend`. Cell strings come from [`crate::ui::table::TableView`].

use super::chart;
use super::state::WatchState;
use super::text;
use crate::ui::format;
use crate::ui::headline::Headline;
use crate::ui::owners::By;
use crate::ui::table::{self, Align, MODEL_COLUMNS};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, Widget};

/// Borders (2), header, rule and the completions row.
const TABLE_CHROME: u16 = 5;
/// Model rows kept on screen before the chart and the notes get any room.
pub const MIN_ROWS: u16 = 5;
/// The status line wraps to at most this many lines.
const STATUS_MAX: usize = 6;
const COLUMN_SPACING: u16 = 2;
pub use super::text::STALE;
/// The keys, as `?` shows them.
pub const KEY_HELP: [(&str, &str); 8] = [
    ("q  Esc  Ctrl+C", "quit"),
    ("r", "refresh now"),
    ("t", "next pricing tier"),
    ("b", "rows by model, key or project"),
    ("↑ ↓", "scroll one row"),
    ("PgUp PgDn", "scroll one page"),
    ("Home End", "first or last row"),
    ("?", "show or hide this help"),
];

struct Areas {
    title: Rect,
    headline: Rect,
    alerts: Rect,
    status: Rect,
    table: Rect,
    chart: Rect,
    footer: Rect,
}

pub fn render(frame: &mut Frame, state: &WatchState, now_ms: i64) {
    draw(frame, state, now_ms);
}

/// Where a full render put the rows that change with the clock alone (the countdowns, the
/// error's retry time, "refreshing…"), so that a tick can redraw just those (see [`ticking`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Ticking {
    title: Rect,
    status: Rect,
    /// Lines of the wrapped error status (before the area cut them).
    status_lines: usize,
    /// Lines of the wrapped "Last refresh … · next in …" line, and the rows of those shown.
    refresh_lines: usize,
    refresh_rows: Vec<Rect>,
}

impl Ticking {
    /// The areas that tick, in the order [`ticking`] draws them.
    pub fn areas(&self) -> impl Iterator<Item = Rect> + '_ {
        [self.title, self.status]
            .into_iter()
            .chain(self.refresh_rows.iter().copied())
    }
}

/// [`render`], telling where the rows that tick are.
pub fn draw(frame: &mut Frame, state: &WatchState, now_ms: i64) -> Ticking {
    let area = frame.area();
    let width = usize::from(area.width);
    let footer = footer_lines(state, now_ms, width);
    let status = status_lines(state, now_ms, width);
    let status_count = status.len();
    let refresh_lines = footer.iter().filter(|l| l.ticks).count();
    let headline = headline_lines(state, now_ms, width);
    let a = layout(area, state, headline.len(), status.len(), &footer);
    frame.render_widget(Paragraph::new(title_line(state, now_ms)), a.title);
    frame.render_widget(Paragraph::new(headline), a.headline);
    let alert_style = Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD);
    let alerts: Vec<Line> = state
        .alerts
        .iter()
        .map(|al| {
            let top = al
                .top_model
                .as_ref()
                .map_or(String::new(), |m| format!(" · mostly {m}"));
            Line::from(format!("▲ {}{top}", format::alert(al))).style(alert_style)
        })
        .collect();
    frame.render_widget(Paragraph::new(alerts), a.alerts);
    frame.render_widget(status_paragraph(status), a.status);
    draw_table(frame, a.table, state);
    chart::draw(frame, a.chart, state);
    let lines = fit_footer(footer, usize::from(a.footer.height));
    let refresh_rows = lines
        .iter()
        .zip(a.footer.y..)
        .filter(|(l, _)| l.ticks)
        .map(|(_, y)| Rect::new(a.footer.x, y, a.footer.width, 1))
        .collect();
    frame.render_widget(
        Paragraph::new(lines.into_iter().map(|l| l.line).collect::<Vec<_>>()),
        a.footer,
    );
    if state.help {
        draw_help(frame, area);
    }
    Ticking {
        title: a.title,
        status: a.status,
        status_lines: status_count,
        refresh_lines,
        refresh_rows,
    }
}

/// The cells of the areas that tick ([`Ticking::areas`], in that order) as [`render`] would
/// draw them at `now_ms`, for a screen whose last full render of the same state put them at
/// `at`. `None` when they would take another number of lines (the layout moves) or the help
/// is open over the view: then render it all.
pub fn ticking(at: &Ticking, state: &WatchState, now_ms: i64) -> Option<Vec<Buffer>> {
    let width = usize::from(at.title.width);
    let status = status_lines(state, now_ms, width);
    let refresh = table::wrap(&refresh_text(state, now_ms), width);
    if state.help || status.len() != at.status_lines || refresh.len() != at.refresh_lines {
        return None;
    }
    let paint = |area: Rect, widget: Paragraph| {
        let mut buf = Buffer::empty(area);
        widget.render(area, &mut buf);
        buf
    };
    let mut out = vec![
        paint(at.title, Paragraph::new(title_line(state, now_ms))),
        paint(at.status, status_paragraph(status)),
    ];
    for (text, &row) in refresh.into_iter().zip(&at.refresh_rows) {
        out.push(paint(row, Paragraph::new(Line::from(text))));
    }
    Some(out)
}

fn status_paragraph(lines: Vec<String>) -> Paragraph<'static> {
    let style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    Paragraph::new(
        lines
            .into_iter()
            .map(|l| Line::from(l).style(style))
            .collect::<Vec<_>>(),
    )
}

/// How many model rows fit on a screen of this size at `now_ms` (for paging keys): laid out as
/// a frame drawn then is (the headline has its pace line only once today is known).
pub fn page(area: Rect, state: &WatchState, now_ms: i64) -> usize {
    let width = usize::from(area.width);
    let footer = footer_lines(state, now_ms, width);
    let headline = headline_lines(state, now_ms, width).len();
    let a = layout(
        area,
        state,
        headline,
        status_lines(state, now_ms, width).len(),
        &footer,
    );
    usize::from(a.table.height.saturating_sub(TABLE_CHROME))
}

/// The error status, wrapped: the kind and the retry once, then the message without its kind.
fn status_lines(state: &WatchState, now_ms: i64, width: usize) -> Vec<String> {
    let Some(f) = &state.failure else {
        return Vec::new();
    };
    let stale = match (state.is_stale(), state.last_refresh_ms) {
        (true, Some(at)) => format!(" · {STALE}: data from {}", format::local_hms_ms(at)),
        _ => String::new(),
    };
    let s = format!(
        "✖ {}{stale} · {}",
        text::failure_head(f, now_ms),
        text::detail(f)
    );
    let mut lines = table::wrap(&s, width);
    if lines.len() > STATUS_MAX {
        lines.truncate(STATUS_MAX);
        let last = &mut lines[STATUS_MAX - 1];
        *last = table::shorten(&format!("{last} …"), width);
    }
    lines
}

fn h(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// The headline ([`Headline`]) under the title, wrapped: the window's whole estimate with its
/// parts, today and the month so far, the pace. First on the screen, so that a small terminal
/// (60×20) still shows it; nothing before the first figures.
fn headline_lines(state: &WatchState, now_ms: i64, width: usize) -> Vec<Line<'static>> {
    let Some(snap) = &state.snapshot else {
        return Vec::new();
    };
    let bill = state.bill.as_deref().and_then(|b| b.bill.as_ref());
    let h = Headline::new(snap, bill, state.glance.as_deref(), now_ms / 1000);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    h.lines
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            let style = if i == 0 { bold } else { Style::new() };
            table::wrap(l, width)
                .into_iter()
                .map(move |w| Line::from(w).style(style))
        })
        .collect()
}

/// Rows on a screen of `area`: the title, the headline, alerts and status; then the table
/// first (up to [`MIN_ROWS`] rows), then the footer's essential lines, the chart's least
/// height, the rest of the table, the other footer lines, and what is left to the chart.
fn layout(
    area: Rect,
    state: &WatchState,
    headline: usize,
    status: usize,
    footer: &[FooterLine],
) -> Areas {
    let headline = h(headline);
    let alerts = h(state.alerts.len());
    let status = h(status);
    let table_need = match state.table() {
        Some(t) => h(t.rows.len().max(1)).saturating_add(TABLE_CHROME),
        None => 3,
    };
    let table_min = table_need.min(TABLE_CHROME + MIN_ROWS);
    let top = 1u16
        .saturating_add(headline)
        .saturating_add(alerts)
        .saturating_add(status);
    let mut left = area.height.saturating_sub(top);
    let take = |want: u16, left: &mut u16| {
        let got = want.min(*left);
        *left -= got;
        got
    };
    let by_rank = |rank: u8| h(footer.iter().filter(|l| l.rank == rank).count());
    let mut table_h = take(table_min, &mut left);
    let mut footer_h = take(by_rank(0), &mut left);
    let has_chart = state
        .snapshot
        .as_ref()
        .is_some_and(|s| !s.buckets.is_empty());
    let mut chart_h = if has_chart && left >= chart::MIN_HEIGHT {
        take(chart::MIN_HEIGHT, &mut left)
    } else {
        0
    };
    table_h += take(table_need - table_h.min(table_need), &mut left);
    for rank in [1, 2, 3] {
        if left < by_rank(rank) {
            break;
        }
        footer_h += take(by_rank(rank), &mut left);
    }
    if chart_h > 0 {
        chart_h += take(chart::MAX_HEIGHT - chart_h, &mut left);
    }
    let mut y = area.y;
    let mut next = |height: u16| {
        let r = Rect::new(area.x, y, area.width, height);
        y += height;
        r
    };
    let title_h = 1.min(area.height);
    let headline_h = headline.min(area.height - title_h);
    let alerts_h = alerts.min(area.height - title_h - headline_h);
    let status_h = status.min(area.height - title_h - headline_h - alerts_h);
    let title = next(title_h);
    let headline = next(headline_h);
    let alerts = next(alerts_h);
    let status = next(status_h);
    let table = next(table_h);
    let chart = next(chart_h);
    let y = chart.bottom();
    let footer = Rect::new(
        area.x,
        area.bottom().saturating_sub(footer_h).max(y),
        area.width,
        footer_h.min(area.bottom().saturating_sub(y)),
    );
    Areas {
        title,
        headline,
        alerts,
        status,
        table,
        chart,
        footer,
    }
}

fn title_line(state: &WatchState, now_ms: i64) -> Line<'static> {
    let name = Span::styled(
        " UsageTracker · watch ",
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
    );
    let right = if state.refreshing {
        "  refreshing…".to_owned()
    } else if let Some(next) = state.next_refresh_ms {
        format!("  next refresh in {}", text::countdown(next, now_ms))
    } else {
        String::new()
    };
    Line::from(vec![name, Span::raw(right)])
}

fn draw_table(frame: &mut Frame, area: Rect, state: &WatchState) {
    if area.height == 0 {
        return;
    }
    let by = state.by.as_str();
    let mut title = format!(" Usage by {by} ");
    if let (true, Some(at)) = (state.is_stale(), state.last_refresh_ms) {
        title = format!(
            " Usage by {by} · {STALE} (last good {}) ",
            format::local_hms_ms(at)
        );
    }
    let mut block = Block::bordered().title(title);
    if state.is_stale() {
        block = block.border_style(Style::new().fg(Color::Yellow));
    }
    let Some(view) = state.table() else {
        let msg = if state.failure.is_some() {
            "No data yet."
        } else {
            "Waiting for the first refresh…"
        };
        frame.render_widget(Paragraph::new(msg).block(block), area);
        return;
    };
    let page = usize::from(area.height.saturating_sub(TABLE_CHROME));
    let first = state.first_row(page);
    let shown = view.rows.len().saturating_sub(first).min(page);
    if shown < view.rows.len() {
        let range = format!(
            " rows {}–{} of {} (↑↓) ",
            first + 1,
            first + shown,
            view.rows.len()
        );
        block = block.title(Line::from(range).right_aligned());
    }
    let cols = table::fit(
        &MODEL_COLUMNS,
        view.rows.iter().chain([&view.total]),
        usize::from(COLUMN_SPACING),
        Some(usize::from(area.width.saturating_sub(2))),
    );
    let row = |cells: &[String]| Row::new(cols.iter().map(|&(i, w)| cell(&cells[i], i, w)));
    let mut header: Vec<String> = MODEL_COLUMNS.iter().map(|c| c.header.to_owned()).collect();
    header[0] = match state.by {
        By::Model => header[0].clone(),
        By::Key => "Key".to_owned(),
        By::Project => "Project".to_owned(),
    };
    let mut rows: Vec<Row> = view.rows[first..first + shown]
        .iter()
        .map(|r| row(r))
        .collect();
    if view.rows.is_empty() {
        rows.push(Row::new([Cell::from("(no usage in this window)")]));
    }
    rows.push(Row::new(
        cols.iter().map(|&(_, w)| Cell::from("─".repeat(w))),
    ));
    rows.push(row(&view.total).style(Style::new().add_modifier(Modifier::BOLD)));
    let widths = cols.iter().map(|&(_, w)| w as u16);
    let table = Table::new(rows, widths)
        .header(row(&header).style(Style::new().add_modifier(Modifier::BOLD)))
        .column_spacing(COLUMN_SPACING)
        .block(block);
    frame.render_widget(table, area);
}

/// One cell: text shortened with `…` to fit, aligned as its column says.
fn cell(s: &str, col: usize, width: usize) -> Cell<'static> {
    let line = Line::from(table::shorten(s, width));
    Cell::from(match MODEL_COLUMNS[col].align {
        Align::Left => line,
        Align::Right => line.right_aligned(),
    })
}

/// One wrapped line under the chart.
struct FooterLine {
    /// 0 = kept longest on a short screen.
    rank: u8,
    line: Line<'static>,
    /// Part of the refresh line, whose countdown changes every second.
    ticks: bool,
}

/// `Last refresh 10:37:05 · next in 12s`: the one footer line that changes with the clock alone.
fn refresh_text(state: &WatchState, now_ms: i64) -> String {
    let mut refresh = match state.last_refresh_ms {
        Some(at) => format!("Last refresh {}", format::local_hms_ms(at)),
        None => "No refresh yet".to_owned(),
    };
    if state.refreshing {
        refresh.push_str(" · refreshing now…");
    } else if let Some(next) = state.next_refresh_ms {
        refresh.push_str(&format!(" · next in {}", text::countdown(next, now_ms)));
    }
    refresh
}

/// The lines under the chart, wrapped to `width`, each with a rank.
fn footer_lines(state: &WatchState, now_ms: i64, width: usize) -> Vec<FooterLine> {
    let mut out: Vec<(u8, String, Style)> = Vec::new();
    let plain = Style::new();
    let refresh = refresh_text(state, now_ms);
    // Where the refresh line is in `out`, to find its wrapped lines again.
    let refresh_at;
    match state.table() {
        Some(view) => {
            let mut notes = view.notes.iter().cloned();
            let mut next = || notes.next().unwrap_or_default();
            out.push((1, next(), plain)); // window (UTC)
            out.push((2, next(), plain)); // window (local)
            out.push((1, next(), plain)); // keys
            out.push((1, next(), plain)); // tier
            if let Some(snap) = &state.snapshot {
                out.extend(
                    other_usage_lines(snap)
                        .into_iter()
                        .map(|(r, l)| (r, l, plain)),
                );
            }
            refresh_at = out.len();
            out.push((0, refresh, plain));
            for n in notes {
                out.push((2, n, plain));
            }
        }
        None => {
            out.push((1, format!("Tier: {}", state.tier), plain));
            refresh_at = out.len();
            out.push((0, refresh, plain));
        }
    }
    if let Some((spent, budget)) = state.budget {
        let over = if spent >= budget {
            " · OVER BUDGET"
        } else {
            ""
        };
        let style = if spent >= budget {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            plain
        };
        out.push((
            0,
            format!(
                "Today (local): {} of {} daily budget{over}",
                format::usd(spent),
                format::usd(budget)
            ),
            style,
        ));
    }
    // The sparklines when the terminal has room for them (rank 3); the pace is the headline's.
    if let Some(g) = state.glance.as_deref() {
        use crate::ui::view::glance;
        out.push((3, glance::hours_text(g), plain));
        out.push((3, glance::days_text(g), plain));
    }
    // The bill's lines once a costs answer (or failure) came: a watch that never asks for the
    // bill gives no room to it.
    if let Some(bill) = state.bill.as_deref() {
        let style = if bill.is_stale() {
            Style::new().fg(Color::Yellow)
        } else {
            plain
        };
        out.push((1, text::billed(Some(bill), now_ms / 1000), style));
        out.push((2, text::check(Some(bill), now_ms / 1000), plain));
    }
    let help = "q quit · r refresh now · t next tier · ↑↓ PgUp PgDn scroll · ? keys";
    out.push((0, help.to_owned(), Style::new().add_modifier(Modifier::DIM)));
    out.into_iter()
        .enumerate()
        .flat_map(|(i, (rank, text, style))| {
            table::wrap(&text, width)
                .into_iter()
                .map(move |l| FooterLine {
                    rank,
                    line: Line::from(l).style(style),
                    ticks: i == refresh_at,
                })
        })
        .collect()
}

/// The other usage section (issue 10): the kinds and what the estimate leaves out, from the
/// same pure table `once` prints (the whole estimate is the headline's). Rank 3: shown when the terminal has room for every
/// other footer line too, so it never pushes the window or key lines out.
fn other_usage_lines(snap: &crate::snapshot::Snapshot) -> Vec<(u8, String)> {
    let t = crate::ui::other_table::OtherTable::from_snapshot(snap);
    let kinds: Vec<String> = t
        .rows
        .iter()
        .filter(|r| !r[0].starts_with(' '))
        .map(|r| format!("{} {} {}", r[0], r[1], r[3]))
        .collect();
    let mut out = Vec::new();
    if !kinds.is_empty() {
        out.push((3, format!("Other usage: {}", kinds.join(" · "))));
    }
    // The first note is the whole estimate: the headline says it.
    out.extend(t.notes.into_iter().skip(1).map(|n| (3, n)));
    out
}

/// The footer lines that fit in `height`, dropping the least important first, order kept.
fn fit_footer(lines: Vec<FooterLine>, height: usize) -> Vec<FooterLine> {
    let mut cutoff = 3u8;
    while lines.iter().filter(|l| l.rank <= cutoff).count() > height && cutoff > 0 {
        cutoff -= 1;
    }
    lines
        .into_iter()
        .filter(|l| l.rank <= cutoff)
        .take(height)
        .collect()
}

/// Every key and what it does, in a box over the middle of the screen.
fn draw_help(frame: &mut Frame, area: Rect) {
    let lines: Vec<Line> = KEY_HELP
        .iter()
        .map(|(k, what)| Line::from(format!(" {k:<16}{what} ")))
        .collect();
    let w = lines.iter().map(Line::width).max().unwrap_or(0) + 2;
    let w = h(w).min(area.width);
    let hgt = h(lines.len() + 2).min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - hgt) / 2,
        w,
        hgt,
    );
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys (? closes) ")),
        r,
    );
}
