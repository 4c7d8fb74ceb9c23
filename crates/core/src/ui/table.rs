//! Tables as plain strings: the per-model table that `once` prints and `watch` draws, and the
//! column fitting every table shares (`keys`, and any second table such as other usage), so a
//! narrow terminal drops the same columns and shortens the same names everywhere.

use super::format;
use super::keys::KeyChoice;
use crate::snapshot::Snapshot;
use crate::usage::ModelSummary;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// One column of a table: how it is aligned, how long it survives a narrow terminal, and how
/// short its cells may be cut (with `…`) before other columns are dropped.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub header: &'static str,
    pub align: Align,
    /// Columns with a lower rank are kept longer; rank 0 is never dropped.
    pub rank: u8,
    /// Cells may be shortened to this many characters (`None`: never shortened).
    pub shrink_to: Option<usize>,
}

pub const fn col(header: &'static str, align: Align, rank: u8, shrink_to: Option<usize>) -> Column {
    Column {
        header,
        align,
        rank,
        shrink_to,
    }
}

/// The per-model table: Cached sits beside Input, of which it is a part.
pub const MODEL_COLUMNS: [Column; 7] = [
    col("Model", Align::Left, 0, Some(12)),
    col("Input", Align::Right, 3, None),
    col("Cached", Align::Right, 6, None),
    col("Output", Align::Right, 4, None),
    col("Requests", Align::Right, 5, None),
    col("Total", Align::Right, 0, None),
    col("Est. cost", Align::Right, 2, None),
];

/// The first cell of the per-model table's last row: the sum of its rows, completions only
/// (the headline's estimate adds every other kind of usage).
pub const COMPLETIONS_ROW: &str = "Completions";

/// One line of a table, cells in column order.
pub type Row = Vec<String>;

/// The columns that fit in `avail` characters (all of them when `None`), in table order, with
/// their widths. Rank 0 stays even when it overflows; the others join by rank while they fit;
/// shrinkable columns give up characters first and take back what is left over.
pub fn fit<'a>(
    columns: &[Column],
    rows: impl IntoIterator<Item = &'a Row>,
    gap: usize,
    avail: Option<usize>,
) -> Vec<(usize, usize)> {
    let mut natural: Vec<usize> = columns.iter().map(|c| c.header.chars().count()).collect();
    for r in rows {
        for (w, cell) in natural.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let Some(avail) = avail else {
        return natural.into_iter().enumerate().collect();
    };
    let least = |i: usize| {
        columns[i]
            .shrink_to
            .map_or(natural[i], |m| natural[i].min(m))
    };
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| (columns[i].rank, i));
    let mut chosen: Vec<usize> = Vec::new();
    let mut used = 0;
    for i in order {
        let need = least(i) + if chosen.is_empty() { 0 } else { gap };
        if columns[i].rank == 0 || used + need <= avail {
            chosen.push(i);
            used += need;
        }
    }
    chosen.sort_unstable();
    let mut spare = avail.saturating_sub(used);
    chosen
        .into_iter()
        .map(|i| {
            let grow = (natural[i] - least(i)).min(spare);
            spare -= grow;
            (i, (least(i) + grow).max(1))
        })
        .collect()
}

/// `s` cut to `width` characters, the last one `…` when it had to be cut.
pub fn shorten(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    s.chars().take(width - 1).chain(['…']).collect()
}

/// A table as aligned text in `avail` characters (no limit when `None`): a header, a rule, the
/// rows (or `empty` when there are none), and the `footer` rows under a second rule.
pub fn to_text(
    columns: &[Column],
    rows: &[Row],
    footer: &[Row],
    empty: &str,
    avail: Option<usize>,
) -> String {
    const GAP: usize = 2;
    let cols = fit(columns, rows.iter().chain(footer), GAP, avail);
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (k, &(i, w)) in cols.iter().enumerate() {
            if k > 0 {
                out.push_str(&" ".repeat(GAP));
            }
            let cell = shorten(cells.get(i).map_or("", String::as_str), w);
            let pad = " ".repeat(w - cell.chars().count());
            match columns[i].align {
                Align::Left => out.extend([cell, pad]),
                Align::Right => out.extend([pad, cell]),
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let width = cols.iter().map(|&(_, w)| w).sum::<usize>() + GAP * cols.len().saturating_sub(1);
    let rule = "─".repeat(width) + "\n";
    let headers: Row = columns.iter().map(|c| c.header.to_owned()).collect();
    let mut out = line(&headers);
    out.push_str(&rule);
    if rows.is_empty() && !empty.is_empty() {
        out.push_str(&shorten(empty, avail.unwrap_or(usize::MAX)));
        out.push('\n');
    }
    for r in rows {
        out.push_str(&line(r));
    }
    if !footer.is_empty() {
        out.push_str(&rule);
        for r in footer {
            out.push_str(&line(r));
        }
    }
    out
}

/// Words cut into lines of at most `width` characters, breaking at spaces (a single word
/// longer than the line is cut). Always at least one line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    // A line that fits keeps its spacing (`Local:  ` lines up with `Window: `).
    if text.chars().count() <= width {
        return vec![text.to_owned()];
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word = word.to_owned();
        loop {
            let len = line.chars().count();
            let wl = word.chars().count();
            if len == 0 && wl > width {
                lines.push(word.chars().take(width).collect());
                word = word.chars().skip(width).collect();
                continue;
            }
            if len > 0 && len + 1 + wl > width {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            if len > 0 {
                line.push(' ');
            }
            line.push_str(&word);
            break;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    pub rows: Vec<Row>,
    pub total: Row,
    /// Lines under the table: window (UTC, then local), keys, tier, notes.
    pub notes: Vec<String>,
}

/// The model's name, with the tiers that left it unpriced when they did:
/// `gpt-5-mini (ultrafast tier: no price)`.
fn model_row(m: &ModelSummary) -> Row {
    let name = match super::unpriced::unpriced_tiers_text(m) {
        Some(why) => format!("{} ({why})", m.model),
        None => m.model.clone(),
    };
    vec![
        name,
        format::tokens(m.input_tokens),
        format::tokens(m.cached_input_tokens),
        format::tokens(m.output_tokens),
        format::tokens(m.requests),
        format::tokens(m.total_tokens),
        format::cost(m.cost_usd),
    ]
}

/// `Keys: Primary (key_abc), key_def`: each tracked id with its name when it is known.
pub fn keys_line(ids: &[String], known: &[KeyChoice]) -> String {
    format!("Keys: {}", named_keys(ids, known))
}

/// `Primary (key_abc), key_def`: each tracked id with its name when `known` has it (the
/// whole organization when `ids` is empty).
pub fn named_keys(ids: &[String], known: &[KeyChoice]) -> String {
    if ids.is_empty() {
        return format::key_ids(ids);
    }
    let named: Vec<String> = ids
        .iter()
        .map(|id| {
            match known
                .iter()
                .find(|k| &k.id == id)
                .and_then(|k| k.name.as_ref())
            {
                Some(name) => format!("{name} ({id})"),
                None => id.clone(),
            }
        })
        .collect();
    named.join(", ")
}

impl TableView {
    /// The table of a snapshot; `known` names the tracked keys (empty when not looked up).
    pub fn from_snapshot(s: &Snapshot, known: &[KeyChoice]) -> TableView {
        let t = &s.summary.totals;
        let mut total_cost = format::usd(t.cost_usd);
        if t.unpriced_models > 0 {
            total_cost.push('*');
        }
        // A part of the headline's estimate, named as one: never a bare "TOTAL" (issue 17).
        let total = vec![
            COMPLETIONS_ROW.to_owned(),
            format::tokens(t.input_tokens),
            format::tokens(t.cached_input_tokens),
            format::tokens(t.output_tokens),
            format::tokens(t.requests),
            format::tokens(t.total_tokens),
            total_cost,
        ];
        let w = &s.window;
        // A calendar window says which: `Window: Today (UTC), 2026-12-02 00:00 UTC → ...`.
        let period = w.calendar.map_or_else(String::new, |c| {
            format!("{}, ", crate::plan::periods::period(c, w.end_time).label)
        });
        let mut notes = vec![
            format!(
                "Window: {period}{} → {} ({} buckets)",
                format::utc(w.start_time),
                format::utc(w.end_time),
                w.bucket_width
            ),
            format!(
                "Local:  {} → {}",
                format::local(w.start_time),
                format::local(w.end_time)
            ),
            match (s.project_ids.is_empty(), s.api_key_ids.is_empty()) {
                (true, _) => keys_line(&s.api_key_ids, known),
                (false, true) => format!("Keys: all keys of {}", s.project_ids.join(", ")),
                (false, false) => format!(
                    "{} within {}",
                    keys_line(&s.api_key_ids, known),
                    s.project_ids.join(", ")
                ),
            },
            // What a tier leaves unpriced is said where the tier is (and where `watch` keeps it
            // on a small screen): a lower total must not read as a cheaper tier.
            match crate::ui::unpriced::summary(s, None) {
                None => format!("Tier: {} (prices compiled {})", s.tier, s.prices_compiled),
                Some(u) => format!(
                    "Tier: {} (prices compiled {}) · {u}",
                    s.tier, s.prices_compiled
                ),
            },
            "Cached tokens are part of input.".to_owned(),
        ];
        if t.unpriced_models > 0 {
            notes.push(format!(
                "* {} without a price (—) not in the total cost; add prices with --pricing.",
                format::count(t.unpriced_models, "model")
            ));
        }
        notes.extend(crate::ui::view::prices::bill_priced_note(s));
        notes.extend(crate::ui::view::prices::checks_line(s));
        TableView {
            rows: s.summary.models.iter().map(model_row).collect(),
            total,
            notes,
        }
    }

    /// Plain text with aligned columns (numbers right-aligned) in `width` characters (no limit
    /// when `None`); the notes wrap at words.
    pub fn to_text(&self, width: Option<usize>) -> String {
        let mut out = to_text(
            &MODEL_COLUMNS,
            &self.rows,
            std::slice::from_ref(&self.total),
            "(no usage in this window)",
            width,
        );
        out.push('\n');
        for n in &self.notes {
            for l in width.map_or_else(|| vec![n.clone()], |w| wrap(n, w)) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
