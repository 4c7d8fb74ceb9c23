//! The chart of `watch`: tokens per bucket as a sparkline as tall as the room left for it, a
//! label line with the peak and the latest, and a time axis (local time) under it. Pure.

use super::state::WatchState;
use crate::snapshot::BucketPoint;
use crate::ui::format;
use crate::usage::BucketWidth;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::widgets::{Paragraph, Sparkline};

/// Label, at least two lines of bars, and the axis.
pub const MIN_HEIGHT: u16 = 4;
/// Taller than this the bars stop being easier to read.
pub const MAX_HEIGHT: u16 = 16;

pub fn draw(frame: &mut Frame, area: Rect, state: &WatchState) {
    let Some(snap) = state.snapshot.as_ref().filter(|_| area.height >= 3) else {
        return;
    };
    let shown = shown(&snap.buckets, usize::from(area.width));
    let values: Vec<u64> = snap.buckets.iter().map(|b| b.total_tokens).collect();
    let peak = values.iter().copied().max().unwrap_or(0);
    let latest = values.last().copied().unwrap_or(0);
    let label = format!(
        "Tokens per {} bucket · peak {} · latest {}",
        snap.window.bucket_width.as_str(),
        format::tokens(peak),
        format::tokens(latest)
    );
    let bars = Rect {
        y: area.y + 1,
        height: area.height - 2,
        ..area
    };
    let axis_area = Rect {
        y: area.bottom() - 1,
        height: 1,
        ..area
    };
    frame.render_widget(Paragraph::new(label), Rect { height: 1, ..area });
    frame.render_widget(
        Sparkline::default()
            .data(stretch(shown, usize::from(area.width)))
            .style(Style::new().fg(Color::Cyan)),
        bars,
    );
    let axis = axis(shown, snap.window.bucket_width, usize::from(area.width));
    frame.render_widget(
        Paragraph::new(axis).style(Style::new().fg(Color::DarkGray)),
        axis_area,
    );
}

/// The buckets that fit in `width` columns: all of them, or the latest `width`.
fn shown(buckets: &[BucketPoint], width: usize) -> &[BucketPoint] {
    &buckets[buckets.len().saturating_sub(width)..]
}

/// Few buckets get several columns each.
fn stretch(buckets: &[BucketPoint], width: usize) -> Vec<u64> {
    if buckets.is_empty() || width == 0 {
        return Vec::new();
    }
    let each = (width / buckets.len()).max(1);
    buckets
        .iter()
        .flat_map(|b| std::iter::repeat_n(b.total_tokens, each))
        .collect()
}

/// The time axis under [`stretch`]ed bars: the start of the first, middle and last bucket in
/// local time (`HH:MM`, or `MM-DD` for daily buckets), each under its bar, as many as fit.
pub fn axis(buckets: &[BucketPoint], width: BucketWidth, cols: usize) -> String {
    let mut line = vec![' '; cols];
    if buckets.is_empty() || cols == 0 {
        return String::new();
    }
    let each = (cols / buckets.len()).max(1);
    let label = |b: &BucketPoint| match width {
        BucketWidth::Day => format::local_md(b.start_time),
        _ => format::local_hm(b.start_time),
    };
    let last = buckets.len() - 1;
    let mut marks = vec![(0, label(&buckets[0]))];
    if last > 0 {
        marks.push((last, label(&buckets[last])));
    }
    if last >= 2 {
        marks.insert(1, (last / 2, label(&buckets[last / 2])));
    }
    let mut free_from = 0;
    for (k, (i, text)) in marks.iter().enumerate() {
        let n = text.chars().count();
        // Under the bar's first column; the last label ends at the last bar's end.
        let at = if k == marks.len() - 1 && k > 0 {
            ((i + 1) * each).min(cols).saturating_sub(n)
        } else {
            i * each
        };
        if at < free_from || at + n > cols {
            continue;
        }
        for (j, c) in text.chars().enumerate() {
            line[at + j] = c;
        }
        free_from = at + n + 1;
    }
    line.into_iter().collect::<String>().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Local, TimeZone};

    fn buckets(n: usize, start: i64, step: i64) -> Vec<BucketPoint> {
        (0..n)
            .map(|i| BucketPoint {
                start_time: start + step * i as i64,
                total_tokens: 100 * (i as u64 + 1),
                requests: 1,
            })
            .collect()
    }

    #[test]
    fn the_axis_puts_first_middle_and_last_under_their_bars() {
        let start = Local
            .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
            .earliest()
            .unwrap()
            .timestamp();
        let b = buckets(7, start, 3600);
        let a = axis(&b, BucketWidth::Hour, 70);
        assert!(a.starts_with("10:00"), "{a:?}");
        assert_eq!(a.find("13:00"), Some(30), "{a:?}");
        assert!(a.ends_with("16:00"), "{a:?}");
        assert_eq!(a.chars().count(), 70);
        // Too narrow for three: the ones that fit, never overlapping.
        assert_eq!(axis(&b, BucketWidth::Hour, 21), "10:00    13:00  16:00");
        assert_eq!(axis(&b, BucketWidth::Hour, 14), "10:00 13:00");
        assert_eq!(axis(&b, BucketWidth::Hour, 4), "");
        assert_eq!(axis(&[], BucketWidth::Hour, 40), "");
        let d = axis(&buckets(3, start, 86_400), BucketWidth::Day, 30);
        assert!(d.starts_with("03-02") && d.ends_with("03-04"), "{d:?}");
    }

    #[test]
    fn bars_stretch_to_the_width_or_keep_the_latest() {
        let b = buckets(3, 0, 60);
        assert_eq!(stretch(&b, 7), [100, 100, 200, 200, 300, 300]);
        assert_eq!(shown(&b, 2).len(), 2);
        assert_eq!(shown(&b, 2)[0].total_tokens, 200);
    }
}
