//! Draws a [`WatchState`] into a ratatui frame: title, spike alerts, the error status, the
//! per-model table (scrollable, TOTAL pinned), a sparkline of tokens per bucket and the notes.
//! Pure: the same state and clock give the same cells, which the tests read back from
//! ratatui's `TestBackend`. Cell strings come from [`crate::ui::table::TableView`], never formatted again here.

use super::state::WatchState;
use super::text;
use crate::ui::format;
use crate::ui::table::{self, Align, MODEL_COLUMNS};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Sparkline, Table};

/// Label line plus three lines of sparkline.
const CHART_HEIGHT: u16 = 4;
/// Borders (2), header, rule and TOTAL.
const TABLE_CHROME: u16 = 5;
const COLUMN_SPACING: u16 = 2;
pub const STALE: &str = "STALE";

struct Areas {
    title: Rect,
    alerts: Rect,
    status: Rect,
    table: Rect,
    chart: Rect,
    footer: Rect,
}

pub fn render(frame: &mut Frame, state: &WatchState, now_ms: i64) {
    let footer = footer_lines(state, now_ms);
    let a = layout(frame.area(), state, footer.len());
    frame.render_widget(Paragraph::new(title_line(state, now_ms)), a.title);
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
    if let Some(f) = &state.failure {
        let stale = match (state.is_stale(), state.last_refresh_ms) {
            (true, Some(at)) => format!(" · {STALE}: data from {}", format::local_hms_ms(at)),
            _ => String::new(),
        };
        let s = format!("✖ {}{stale} · {}", text::failure_head(f, now_ms), f.error);
        let style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
        frame.render_widget(Paragraph::new(Line::from(s).style(style)), a.status);
    }
    draw_table(frame, a.table, state);
    draw_chart(frame, a.chart, state);
    let lines = fit_footer(footer, usize::from(a.footer.height));
    frame.render_widget(Paragraph::new(lines), a.footer);
}

/// How many model rows fit on a screen of this size (for paging keys).
pub fn page(area: Rect, state: &WatchState) -> usize {
    let a = layout(area, state, footer_lines(state, 0).len());
    usize::from(a.table.height.saturating_sub(TABLE_CHROME))
}

fn layout(area: Rect, state: &WatchState, footer_lines: usize) -> Areas {
    let alerts = u16::try_from(state.alerts.len()).unwrap_or(u16::MAX);
    let status = u16::from(state.failure.is_some());
    let table_need = match state.table() {
        Some(t) => u16::try_from(t.rows.len().max(1)).unwrap_or(u16::MAX) + TABLE_CHROME,
        None => 3,
    };
    let table_min = table_need.min(TABLE_CHROME + 1);
    let top = 1u16.saturating_add(alerts).saturating_add(status);
    let rest = area.height.saturating_sub(top);
    let footer_h = u16::try_from(footer_lines)
        .unwrap_or(u16::MAX)
        .min(rest.saturating_sub(table_min));
    let rest = rest - footer_h;
    let has_chart = state
        .snapshot
        .as_ref()
        .is_some_and(|s| !s.buckets.is_empty());
    let chart_h = if has_chart && rest >= table_min + CHART_HEIGHT {
        CHART_HEIGHT
    } else {
        0
    };
    let table_h = (rest - chart_h).min(table_need);
    let mut y = area.y;
    let bottom = area.bottom();
    let mut take = |h: u16| {
        let h = h.min(bottom - y);
        let r = Rect::new(area.x, y, area.width, h);
        y += h;
        r
    };
    let title = take(1);
    let alerts = take(alerts);
    let status = take(status);
    let table = take(table_h);
    let chart = take(chart_h);
    let footer = Rect::new(area.x, bottom - footer_h, area.width, footer_h);
    Areas {
        title,
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
    let mut title = " Usage by model ".to_owned();
    if let (true, Some(at)) = (state.is_stale(), state.last_refresh_ms) {
        title = format!(
            " Usage by model · {STALE} (last good {}) ",
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
    let header: Vec<String> = MODEL_COLUMNS.iter().map(|c| c.header.to_owned()).collect();
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

fn draw_chart(frame: &mut Frame, area: Rect, state: &WatchState) {
    let Some(snap) = state.snapshot.as_ref().filter(|_| area.height > 0) else {
        return;
    };
    let values: Vec<u64> = snap.buckets.iter().map(|b| b.total_tokens).collect();
    let peak = values.iter().copied().max().unwrap_or(0);
    let latest = values.last().copied().unwrap_or(0);
    let label = format!(
        "Tokens per {} bucket · peak {} · latest {}",
        snap.window.bucket_width.as_str(),
        format::tokens(peak),
        format::tokens(latest)
    );
    let label_area = Rect { height: 1, ..area };
    let spark_area = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    frame.render_widget(Paragraph::new(label), label_area);
    frame.render_widget(
        Sparkline::default()
            .data(stretch(&values, usize::from(spark_area.width)))
            .style(Style::new().fg(Color::Cyan)),
        spark_area,
    );
}

/// Few buckets get several columns each; too many keep the latest that fit.
fn stretch(values: &[u64], width: usize) -> Vec<u64> {
    if values.is_empty() || width == 0 {
        return Vec::new();
    }
    if values.len() >= width {
        return values[values.len() - width..].to_vec();
    }
    let each = width / values.len();
    values
        .iter()
        .flat_map(|&v| std::iter::repeat_n(v, each))
        .collect()
}

/// The lines under the chart, each with a priority (0 = kept longest on a short screen).
fn footer_lines(state: &WatchState, now_ms: i64) -> Vec<(u8, Line<'static>)> {
    let mut out: Vec<(u8, Line<'static>)> = Vec::new();
    let mut refresh = match state.last_refresh_ms {
        Some(at) => format!("Last refresh {}", format::local_hms_ms(at)),
        None => "No refresh yet".to_owned(),
    };
    if state.refreshing {
        refresh.push_str(" · refreshing now…");
    } else if let Some(next) = state.next_refresh_ms {
        refresh.push_str(&format!(" · next in {}", text::countdown(next, now_ms)));
    }
    match (state.table(), &state.snapshot) {
        (Some(view), Some(_)) => {
            let mut notes = view.notes.iter().cloned();
            let mut next = || notes.next().unwrap_or_default();
            out.push((1, Line::from(next()))); // window (UTC)
            out.push((2, Line::from(next()))); // window (local)
            out.push((1, Line::from(next()))); // keys
            out.push((1, Line::from(next()))); // tier
            out.push((0, Line::from(refresh)));
            for n in notes {
                out.push((2, Line::from(n)));
            }
        }
        _ => {
            out.push((1, Line::from(format!("Tier: {}", state.tier))));
            out.push((0, Line::from(refresh)));
        }
    }
    let help = "q quit · r refresh now · t next tier · ↑↓ PgUp PgDn scroll";
    out.push((
        0,
        Line::from(help).style(Style::new().add_modifier(Modifier::DIM)),
    ));
    out
}

/// The footer lines that fit in `height`, dropping the least important first, order kept.
fn fit_footer(lines: Vec<(u8, Line<'static>)>, height: usize) -> Vec<Line<'static>> {
    let mut cutoff = 2u8;
    while lines.iter().filter(|(p, _)| *p <= cutoff).count() > height && cutoff > 0 {
        cutoff -= 1;
    }
    lines
        .into_iter()
        .filter(|(p, _)| *p <= cutoff)
        .map(|(_, l)| l)
        .take(height)
        .collect()
}
