//! Inline SVG bar charts: vertical bars in groups (a series per colour) and horizontal bars
//! with labels. Plain strings in, markup out; every label is escaped.

use super::esc;
use std::fmt::Write;

/// A series of a grouped bar chart: its name and colour.
pub struct Series {
    pub name: &'static str,
    pub color: &'static str,
}

const W: f64 = 900.0;
const PAD_L: f64 = 70.0;
const PAD_B: f64 = 28.0;
const PAD_T: f64 = 12.0;

/// Vertical bars: one group per `(label, values)`, one bar per series (`None`: no bar). Every
/// `label_every`-th label is written under its group; `fmt` writes the axis figures.
pub fn grouped_bars(
    groups: &[(String, Vec<Option<f64>>)],
    series: &[Series],
    height: f64,
    label_every: usize,
    fmt: impl Fn(f64) -> String,
) -> String {
    let max = groups
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .copied()
        .fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { max } else { 1.0 };
    let plot_h = height - PAD_B - PAD_T;
    let slot = (W - PAD_L) / groups.len().max(1) as f64;
    let bar = (slot * 0.8) / series.len().max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" class="chart">"#
    );
    for frac in [0.0, 0.5, 1.0] {
        let y = PAD_T + plot_h * (1.0 - frac);
        let _ = write!(
            s,
            r##"<line x1="{PAD_L}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{x:.1}" y="{ty:.1}" text-anchor="end" class="axis">{label}</text>"##,
            x = PAD_L - 6.0,
            ty = y + 4.0,
            label = esc(&fmt(scale * frac)),
        );
    }
    for (i, (label, values)) in groups.iter().enumerate() {
        let x0 = PAD_L + slot * i as f64 + slot * 0.1;
        for (j, v) in values.iter().enumerate() {
            let Some(v) = v else { continue };
            let h = (v / scale).clamp(0.0, 1.0) * plot_h;
            let color = series.get(j).map_or("#888", |s| s.color);
            let name = series.get(j).map_or("", |s| s.name);
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{color}"><title>{t}</title></rect>"#,
                x = x0 + bar * j as f64,
                y = PAD_T + plot_h - h,
                t = esc(&format!("{label} {name}: {}", fmt(*v))),
            );
        }
        if label_every > 0 && i % label_every == 0 {
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" class="axis">{l}</text>"#,
                x = x0 + slot * 0.4,
                y = height - 8.0,
                l = esc(label),
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars, one row per `(label, value)`, the value written at the bar's end.
pub fn labelled_bars(items: &[(String, f64)], color: &str, fmt: impl Fn(f64) -> String) -> String {
    let row = 24.0;
    let height = row * items.len().max(1) as f64 + 8.0;
    let label_w = 260.0;
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { max } else { 1.0 };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" class="chart">"#
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let w = (v / scale).clamp(0.0, 1.0) * (W - label_w - 110.0);
        let _ = write!(
            s,
            r#"<text x="{lx:.1}" y="{ty:.1}" text-anchor="end" class="label">{l}</text><rect x="{label_w}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{color}"/><text x="{vx:.1}" y="{ty:.1}" class="label">{val}</text>"#,
            lx = label_w - 8.0,
            ty = y + row * 0.6,
            l = esc(label),
            h = row * 0.7,
            vx = label_w + w + 6.0,
            val = esc(&fmt(*v)),
        );
    }
    s.push_str("</svg>");
    s
}
