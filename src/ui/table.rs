//! The per-model table as plain strings: what `once` prints and `watch` draws.

use super::format;
use crate::tracker::Snapshot;
use crate::usage::ModelSummary;

pub const HEADERS: [&str; 7] = [
    "Model",
    "Input",
    "Output",
    "Cached",
    "Requests",
    "Total",
    "Est. cost",
];

/// One line of the table, cells in [`HEADERS`] order.
pub type Row = [String; 7];

#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    pub rows: Vec<Row>,
    pub total: Row,
    /// Lines under the table: window, keys, tier, notes.
    pub notes: Vec<String>,
}

fn model_row(m: &ModelSummary) -> Row {
    [
        m.model.clone(),
        format::tokens(m.input_tokens),
        format::tokens(m.output_tokens),
        format::tokens(m.cached_input_tokens),
        format::tokens(m.requests),
        format::tokens(m.total_tokens),
        format::cost(m.cost_usd),
    ]
}

impl TableView {
    pub fn from_snapshot(s: &Snapshot) -> TableView {
        let t = &s.summary.totals;
        let mut total_cost = format::usd(t.cost_usd);
        if t.unpriced_models > 0 {
            total_cost.push('*');
        }
        let total = [
            "TOTAL".to_owned(),
            format::tokens(t.input_tokens),
            format::tokens(t.output_tokens),
            format::tokens(t.cached_input_tokens),
            format::tokens(t.requests),
            format::tokens(t.total_tokens),
            total_cost,
        ];
        let mut notes = vec![
            format!(
                "Window: {} → {} ({} buckets)",
                format::utc(s.window.start_time),
                format::utc(s.window.end_time),
                s.window.bucket_width
            ),
            format!("Keys: {}", format::key_ids(&s.api_key_ids)),
            format!("Tier: {} (prices compiled {})", s.tier, s.prices_compiled),
            "Cached tokens are part of input.".to_owned(),
        ];
        if t.unpriced_models > 0 {
            notes.push(format!(
                "* {} model(s) without a price (—) are not in the total cost; add them with --pricing.",
                t.unpriced_models
            ));
        }
        TableView {
            rows: s.summary.models.iter().map(model_row).collect(),
            total,
            notes,
        }
    }

    /// Plain text with aligned columns (numbers right-aligned).
    pub fn to_text(&self) -> String {
        let mut widths = HEADERS.map(|h| h.chars().count());
        for row in self.rows.iter().chain(std::iter::once(&self.total)) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                let pad = w - cell.chars().count();
                if i == 0 {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(pad));
                } else {
                    out.push_str("  ");
                    out.push_str(&" ".repeat(pad));
                    out.push_str(cell);
                }
            }
            out.trim_end().to_owned() + "\n"
        };
        let headers = HEADERS.map(str::to_owned);
        let rule = "─".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)) + "\n";
        let mut out = line(&headers);
        out.push_str(&rule);
        if self.rows.is_empty() {
            out.push_str("(no usage in this window)\n");
        }
        for r in &self.rows {
            out.push_str(&line(r));
        }
        out.push_str(&rule);
        out.push_str(&line(&self.total));
        out.push('\n');
        for n in &self.notes {
            out.push_str(n);
            out.push('\n');
        }
        out
    }
}
