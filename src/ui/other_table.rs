//! The other usage (images, speech, searches, ...) as plain strings: one row per kind and one
//! per model under it, the whole estimate and what it leaves out. What `once` prints under the
//! completions table; pure, like [`super::table`].

use super::format;
use crate::snapshot::{NOT_INCLUDED, Snapshot};
use crate::usage::{MeterSummary, Unit};

pub const HEADERS: [&str; 4] = ["Other usage", "Quantity", "Requests", "Est. cost"];

/// One line of the table, cells in [`HEADERS`] order.
pub type Row = [String; 4];

#[derive(Clone, Debug, PartialEq)]
pub struct OtherTable {
    pub rows: Vec<Row>,
    /// The whole estimate, what it rests on, and what it leaves out.
    pub notes: Vec<String>,
}

/// `71,000 chars`, `42 images`, `3,600 s`.
pub fn quantity(q: u64, unit: Unit) -> String {
    let unit = match unit {
        Unit::Tokens => "tokens",
        Unit::Images => "images",
        Unit::Characters => "chars",
        Unit::Seconds => "s",
        Unit::Calls => "calls",
    };
    format!("{} {unit}", format::tokens(q))
}

/// "free", "—", "$1.24", or "~$1.24" for a cost resting on an assumption.
pub fn cost(cost: Option<f64>, free: bool, assumed: bool) -> String {
    match cost {
        Some(_) if free => "free".to_owned(),
        Some(c) if assumed => format!("~{}", format::usd(c)),
        other => format::cost(other),
    }
}

fn model_row(m: &MeterSummary, unit: Unit) -> Row {
    let name = match &m.detail {
        Some(d) => format!("  {} {d}", m.model),
        None => format!("  {}", m.model),
    };
    [
        name,
        quantity(m.quantity, unit),
        format::tokens(m.requests),
        cost(m.cost_usd, m.free, m.assumption.is_some()),
    ]
}

impl OtherTable {
    pub fn from_snapshot(s: &Snapshot) -> OtherTable {
        let mut rows = Vec::new();
        for k in &s.other.kinds {
            rows.push([
                k.label.to_owned(),
                quantity(k.quantity, k.unit),
                format::tokens(k.requests),
                cost(k.cost_usd, k.free, k.assumed),
            ]);
            rows.extend(k.models.iter().map(|m| model_row(m, k.unit)));
        }
        let mut total = format!(
            "Whole estimate: {} (completions {} + other usage {})",
            format::usd(s.total_cost_usd()),
            format::usd(s.summary.totals.cost_usd),
            format::usd(s.other.cost_usd)
        );
        if s.unpriced() > 0 {
            total.push_str(&format!(
                ", {} rows unpriced (—) not included",
                s.unpriced()
            ));
        }
        let mut notes = vec![total];
        if !s.other.assumptions.is_empty() || !s.summary.totals.assumptions.is_empty() {
            notes.push(
                "~ rests on an assumption the usage data cannot check (see README, Cost estimate)"
                    .to_owned(),
            );
        }
        notes.push(format!("Not included: {NOT_INCLUDED}."));
        OtherTable { rows, notes }
    }

    pub fn to_text(&self) -> String {
        let mut widths = HEADERS.map(|h| h.chars().count());
        for row in &self.rows {
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
        let mut out = String::new();
        if !self.rows.is_empty() {
            out.push_str(&line(&HEADERS.map(str::to_owned)));
            out.push_str(
                &("─".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)) + "\n"),
            );
            for r in &self.rows {
                out.push_str(&line(r));
            }
        }
        for n in &self.notes {
            out.push_str(n);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_say_free_unpriced_or_assumed() {
        assert_eq!(cost(Some(0.0), true, false), "free");
        assert_eq!(cost(None, false, true), format::cost(None));
        assert!(cost(Some(1.5), false, true).starts_with('~'));
        assert!(!cost(Some(1.5), false, false).starts_with('~'));
        assert_eq!(
            quantity(71_000, Unit::Characters),
            format!("{} chars", format::tokens(71_000))
        );
    }
}
