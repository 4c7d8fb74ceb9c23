//! The other usage (images, speech, searches, ...) as plain strings: one row per kind and one
//! per model under it, the whole estimate and what it leaves out. What `once` prints under the
//! completions table; pure, like [`super::table`].

use super::format;
use super::table::{self, Align, Column};
use crate::snapshot::{NOT_INCLUDED, Snapshot};
use crate::usage::{MeterSummary, Unit};

/// The columns, with the same fitting rules as the per-model table: in a narrow terminal the
/// name shortens first, then requests and quantity go; kind and cost stay.
pub const COLUMNS: [Column; 4] = [
    Column {
        header: "Other usage",
        align: Align::Left,
        rank: 0,
        shrink_to: Some(14),
    },
    Column {
        header: "Quantity",
        align: Align::Right,
        rank: 3,
        shrink_to: None,
    },
    Column {
        header: "Requests",
        align: Align::Right,
        rank: 4,
        shrink_to: None,
    },
    Column {
        header: "Est. cost",
        align: Align::Right,
        rank: 0,
        shrink_to: None,
    },
];

#[derive(Clone, Debug, PartialEq)]
pub struct OtherTable {
    pub rows: Vec<table::Row>,
    /// The whole estimate, what it rests on, and what it leaves out.
    pub notes: Vec<String>,
}

fn model_row(m: &MeterSummary, unit: Unit) -> table::Row {
    let name = match &m.detail {
        Some(d) => format!("  {} {d}", m.model),
        None => format!("  {}", m.model),
    };
    vec![
        name,
        format::quantity(m.quantity, unit),
        format::tokens(m.requests),
        format::cost_marked(m.cost_usd, m.free, m.assumption.is_some()),
    ]
}

impl OtherTable {
    pub fn from_snapshot(s: &Snapshot) -> OtherTable {
        let mut rows = Vec::new();
        for k in &s.other.kinds {
            rows.push(vec![
                k.label.to_owned(),
                format::quantity(k.quantity, k.unit),
                format::tokens(k.requests),
                format::cost_marked(k.cost_usd, k.free, k.assumed),
            ]);
            rows.extend(k.models.iter().map(|m| model_row(m, k.unit)));
        }
        // The headline's words for the window (the whole estimate and its parts).
        let total = super::headline::window_line(s);
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

    /// Aligned text in `width` characters (no limit when `None`), fitted like the per-model
    /// table; the notes wrap at words.
    pub fn to_text(&self, width: Option<usize>) -> String {
        let mut out = String::new();
        if !self.rows.is_empty() {
            out = table::to_text(&COLUMNS, &self.rows, &[], "", width);
        }
        for n in &self.notes {
            for l in width.map_or_else(|| vec![n.clone()], |w| table::wrap(n, w)) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_say_free_unpriced_or_assumed() {
        assert_eq!(format::cost_marked(Some(0.0), true, false), "free");
        assert_eq!(format::cost_marked(None, false, true), format::cost(None));
        assert!(format::cost_marked(Some(1.5), false, true).starts_with('~'));
        assert!(!format::cost_marked(Some(1.5), false, false).starts_with('~'));
        assert_eq!(
            format::quantity(71_000, Unit::Characters),
            format!("{} chars", format::tokens(71_000))
        );
    }

    #[test]
    fn a_narrow_terminal_keeps_kind_and_cost_and_wraps_the_notes() {
        let t = OtherTable {
            rows: vec![
                vec![
                    "Images".into(),
                    "1,466 images".into(),
                    "994".into(),
                    "~$151.16".into(),
                ],
                vec![
                    "  dall-e-3 1024x1024 image.generation".into(),
                    "507 images".into(),
                    "507".into(),
                    "~$40.56".into(),
                ],
            ],
            notes: vec![format!("Not included: {NOT_INCLUDED}.")],
        };
        let text = t.to_text(Some(30));
        for l in text.lines() {
            assert!(l.chars().count() <= 30, "{l:?} is wider than 30:\n{text}");
        }
        assert!(
            text.contains("~$151.16") && text.contains("~$40.56"),
            "{text}"
        );
        assert!(text.contains("Images"), "{text}");
        let wide = t.to_text(None);
        assert!(
            wide.contains("dall-e-3 1024x1024 image.generation"),
            "{wide}"
        );
        assert!(wide.contains("1,466 images"), "{wide}");
    }
}
