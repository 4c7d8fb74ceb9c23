//! The bill as the front ends show it, still pure data: a day's line items grouped by model
//! (`gpt-4o-2024-08-06: input $1.20, cached $0.14, output $2.10`), items that name no model
//! under "Other", and amounts kept per currency. The menu, `watch` and the JSON all read these
//! groups, so a line item is named the same way everywhere; words and money formats are
//! `ui::format`'s.

use super::{LineItem, LineKind, Money};

/// The line items of one model (or of no model: "Other"), one [`Part`] per kind and currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// `None`: the items that name no model.
    pub model: Option<String>,
    pub parts: Vec<Part>,
}

/// What one kind of a model billed, in one currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// `input`, `cached`, `batch output`; for a kind the app cannot read, the item's own name.
    pub label: String,
    pub kind: LineKind,
    pub amount: Money,
}

impl Group {
    /// What the group billed in USD (parts in other currencies are not in it).
    pub fn usd(&self) -> f64 {
        self.parts
            .iter()
            .filter(|p| is_usd(&p.amount))
            .map(|p| p.amount.value)
            .sum()
    }
}

/// The items' total per currency, USD first (as [`super::BilledDay::totals`]).
pub fn totals<'a>(items: impl IntoIterator<Item = &'a LineItem>) -> Vec<Money> {
    super::totals(items.into_iter())
}

pub fn is_usd(m: &Money) -> bool {
    m.currency.eq_ignore_ascii_case("usd")
}

/// The short name of a kind of line item, as a part's label.
pub fn kind_label(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Input => "input",
        LineKind::CachedInput => "cached",
        LineKind::CacheWrite => "cache writes",
        LineKind::Output => "output",
        LineKind::AudioInput => "audio input",
        LineKind::AudioOutput => "audio output",
        LineKind::CachedAudioInput => "cached audio",
        LineKind::ImageInput => "image input",
        LineKind::ImageOutput => "image output",
        LineKind::CachedImageInput => "cached image",
        LineKind::Images => "images",
        LineKind::Speech => "speech",
        LineKind::Transcription => "transcription",
        LineKind::WebSearch => "web search",
        LineKind::FileSearch => "file search",
        LineKind::Embeddings => "embeddings",
        LineKind::Moderations => "moderations",
        LineKind::Other => "other",
    }
}

fn part_label(item: &LineItem) -> String {
    let base = match item.kind {
        // Its own words are all the app knows of it: never a bare "other".
        LineKind::Other if !item.name.trim().is_empty() => item.name.trim().to_owned(),
        LineKind::Other => "(unnamed line item)".to_owned(),
        kind => kind_label(kind).to_owned(),
    };
    if item.batch {
        format!("batch {base}")
    } else {
        base
    }
}

/// The items grouped by model: models by what they billed in USD (most first, then by name),
/// "Other" last; within a model its kinds in [`LineKind`] order (input, cached, output, …),
/// batch after standard. Items of the same kind and currency (several keys, several names of
/// one kind) are summed; a currency is never summed with another.
pub fn by_model<'a>(items: impl IntoIterator<Item = &'a LineItem>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for item in items {
        let at = match groups.iter().position(|g| g.model == item.model) {
            Some(i) => i,
            None => {
                groups.push(Group {
                    model: item.model.clone(),
                    parts: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let label = part_label(item);
        let currency = item.amount.currency.to_ascii_lowercase();
        let parts = &mut groups[at].parts;
        match parts
            .iter_mut()
            .find(|p| p.label == label && p.amount.currency == currency)
        {
            Some(p) => p.amount.value += item.amount.value,
            None => parts.push(Part {
                label,
                kind: item.kind,
                amount: Money {
                    value: item.amount.value,
                    currency,
                },
            }),
        }
    }
    for g in &mut groups {
        g.parts.sort_by(|a, b| {
            (
                a.kind,
                a.label.starts_with("batch "),
                &a.label,
                !is_usd(&a.amount),
            )
                .cmp(&(
                    b.kind,
                    b.label.starts_with("batch "),
                    &b.label,
                    !is_usd(&b.amount),
                ))
        });
    }
    groups.sort_by(|a, b| {
        a.model
            .is_none()
            .cmp(&b.model.is_none())
            .then(b.usd().total_cmp(&a.usd()))
            .then(a.model.cmp(&b.model))
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::test_data::item;

    #[test]
    fn items_group_by_model_in_kind_order_with_other_last() {
        let m = Some("gpt-4o-2024-08-06");
        let mini = Some("gpt-4o-mini-2024-07-18");
        let items = [
            item("Vector storage", None, LineKind::Other, 0.30, "usd"),
            item(
                "gpt-4o-2024-08-06, output",
                m,
                LineKind::Output,
                2.10,
                "usd",
            ),
            item(
                "gpt-4o-mini-2024-07-18, input",
                mini,
                LineKind::Input,
                0.05,
                "usd",
            ),
            item("gpt-4o-2024-08-06, input", m, LineKind::Input, 1.0, "usd"),
            item(
                "gpt-4o-2024-08-06, cached input",
                m,
                LineKind::CachedInput,
                0.14,
                "usd",
            ),
            item("gpt-4o-2024-08-06, input", m, LineKind::Input, 0.20, "usd"),
            item(
                "batch | gpt-4o-2024-08-06, input",
                m,
                LineKind::Input,
                0.5,
                "usd",
            ),
            item(
                "web search tool calls",
                None,
                LineKind::WebSearch,
                0.25,
                "usd",
            ),
        ];
        let g = by_model(&items);
        assert_eq!(g.len(), 3, "{g:?}");
        assert_eq!(g[0].model.as_deref(), m);
        let labels: Vec<(&str, f64)> = g[0]
            .parts
            .iter()
            .map(|p| (p.label.as_str(), p.amount.value))
            .collect();
        assert_eq!(labels[0].0, "input");
        assert!(
            (labels[0].1 - 1.20).abs() < 1e-12,
            "two items of one kind are summed"
        );
        assert_eq!(labels[1], ("batch input", 0.5));
        assert_eq!(labels[2], ("cached", 0.14));
        assert_eq!(labels[3], ("output", 2.10));
        assert_eq!(g[1].model.as_deref(), mini);
        assert_eq!(g[2].model, None);
        let other: Vec<&str> = g[2].parts.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(other, ["web search", "Vector storage"]);
    }

    #[test]
    fn a_currency_is_never_summed_with_another() {
        let m = Some("gpt-4o");
        let items = [
            item("gpt-4o, input", m, LineKind::Input, 1.0, "usd"),
            item("gpt-4o, input", m, LineKind::Input, 2.0, "EUR"),
            item("", None, LineKind::Other, 3.0, "eur"),
        ];
        let g = by_model(&items);
        let parts: Vec<(&str, &str, f64)> = g[0]
            .parts
            .iter()
            .map(|p| (p.label.as_str(), p.amount.currency.as_str(), p.amount.value))
            .collect();
        assert_eq!(parts, [("input", "usd", 1.0), ("input", "eur", 2.0)]);
        assert_eq!(g[0].usd(), 1.0);
        assert_eq!(g[1].parts[0].label, "(unnamed line item)");
        assert_eq!(g[1].usd(), 0.0);
    }
}
