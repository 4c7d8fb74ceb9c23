//! What the bill taught about prices, as the menu, `once` and `watch` say it: which amounts are
//! priced from the bill (like an assumption: "priced from your bill of 6 Dec"), and where the
//! bill's unit price differs from the table's (the price checks). Pure.

use super::Node;
use crate::pricing::learned::checked_models;
use crate::pricing::{PriceCheck, PriceMode, Source};
use crate::snapshot::Snapshot;
use crate::ui::format;

/// The models (completions and other usage) priced from the bill, each once, and the newest
/// bill day among them.
pub fn bill_priced(s: &Snapshot) -> Option<(Vec<&str>, i64)> {
    let mut models: Vec<&str> = Vec::new();
    let mut newest = None;
    let completions = s
        .summary
        .models
        .iter()
        .map(|m| (m.model.as_str(), m.price_source));
    let others = s
        .other
        .kinds
        .iter()
        .flat_map(|k| k.models.iter())
        .map(|m| (m.model.as_str(), m.price_source));
    for (model, source) in completions.chain(others) {
        if let Some(day) = source.and_then(Source::bill_day) {
            if !models.contains(&model) {
                models.push(model);
            }
            newest = newest.max(Some(day));
        }
    }
    Some((models, newest?))
}

/// `priced from your bill of 6 Dec`: the words for an amount priced from the bill.
pub fn from_bill(day: i64) -> String {
    format!("priced from your bill of {}", format::utc_day(day))
}

/// `Priced from your bill of 6 Dec: gpt-6.9-preview, dall-e-3.` (`None`: nothing is).
pub fn bill_priced_note(s: &Snapshot) -> Option<String> {
    let (models, day) = bill_priced(s)?;
    let mut text = from_bill(day);
    text[..1].make_ascii_uppercase();
    Some(format!("{text}: {}.", models.join(", ")))
}

/// `Prices: 1 model billed differently from the table`.
pub fn checks_headline(checks: &[PriceCheck]) -> Option<String> {
    let n = checked_models(checks).len();
    (n > 0).then(|| {
        format!(
            "Prices: {} billed differently from the table",
            format::count(n, "model")
        )
    })
}

/// `gpt-4.1-2025-04-14 input: $2.20 billed, $2.00 in the table per 1M tokens (+10.0 %, 6 Dec)`.
pub fn check_text(c: &PriceCheck) -> String {
    format!(
        "{} {}: {} billed, {} in the table per {} ({:+.1} %, {})",
        c.model,
        c.kind,
        format::unit_price(c.bill_per_unit),
        format::unit_price(c.table_per_unit),
        c.unit,
        c.differs_pct,
        format::utc_day(c.day)
    )
}

/// One model's differences in one menu row (the menu stays short however many kinds differ):
/// `gpt-4.1-2025-04-14: batch input $1.10 billed vs $1.00 (+10.0 %), batch output $4.40 billed
/// vs $4.00 (+10.0 %) per 1M tokens, 6 Dec`; past three kinds, `+N more` (`prices` lists all).
pub fn model_check_text(model: &str, checks: &[PriceCheck]) -> String {
    const SHOWN: usize = 3;
    let of_model: Vec<&PriceCheck> = checks.iter().filter(|c| c.model == model).collect();
    let mut parts: Vec<String> = of_model
        .iter()
        .take(SHOWN)
        .map(|c| {
            format!(
                "{} {} billed vs {} ({:+.1} %)",
                c.kind,
                format::unit_price(c.bill_per_unit),
                format::unit_price(c.table_per_unit),
                c.differs_pct
            )
        })
        .collect();
    if of_model.len() > SHOWN {
        parts.push(format!("+{} more", of_model.len() - SHOWN));
    }
    let Some(first) = of_model.first() else {
        return model.to_owned();
    };
    format!(
        "{model}: {} per {}, {}",
        parts.join(", "),
        first.unit,
        format::utc_day(first.day)
    )
}

/// What the estimate uses where they differ.
pub fn mode_text(mode: PriceMode) -> &'static str {
    match mode {
        PriceMode::Bill => "The estimate uses the bill's prices (--prices bill)",
        PriceMode::Table => "The estimate uses the table's prices (--prices table)",
    }
}

/// One line for `once` and `watch`: the headline, the models and what the estimate uses.
pub fn checks_line(s: &Snapshot) -> Option<String> {
    let head = checks_headline(&s.price_checks)?;
    Some(format!(
        "{head}: {}. {}.",
        checked_models(&s.price_checks).join(", "),
        mode_text(s.price_mode)
    ))
}

/// The menu's row: the headline with a submenu naming each difference.
pub fn check_rows(s: &Snapshot) -> Vec<Node> {
    let Some(text) = checks_headline(&s.price_checks) else {
        return Vec::new();
    };
    let mut children: Vec<Node> = checked_models(&s.price_checks)
        .into_iter()
        .map(|m| Node::Info(model_check_text(m, &s.price_checks)))
        .collect();
    children.push(Node::Info(mode_text(s.price_mode).to_owned()));
    vec![Node::Submenu { text, children }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(model: &str, kind: &str, table: f64, bill: f64) -> PriceCheck {
        PriceCheck {
            model: model.into(),
            kind: kind.into(),
            table_per_unit: table,
            bill_per_unit: bill,
            unit: "1M tokens",
            differs_pct: (bill - table) / table * 100.0,
            // 2026-12-06
            day: 1_796_515_200,
        }
    }

    #[test]
    fn checks_name_each_model_once_with_both_prices_and_the_day() {
        let checks = vec![
            check("gpt-4.1-2025-04-14", "input", 2.0, 2.2),
            check("gpt-4.1-2025-04-14", "output", 8.0, 8.8),
            check("gpt-5", "batch cached input", 0.0625, 0.05),
        ];
        assert_eq!(
            checks_headline(&checks).unwrap(),
            "Prices: 2 models billed differently from the table"
        );
        assert_eq!(
            check_text(&checks[0]),
            "gpt-4.1-2025-04-14 input: $2.20 billed, $2.00 in the table per 1M tokens (+10.0 %, 6 Dec)"
        );
        assert_eq!(
            check_text(&checks[2]),
            "gpt-5 batch cached input: $0.05 billed, $0.0625 in the table per 1M tokens (-20.0 %, 6 Dec)"
        );
        assert_eq!(checks_headline(&[]), None);
    }

    #[test]
    fn one_row_per_model_names_its_kinds_up_to_three_then_how_many_more() {
        let kinds = [
            "input",
            "cached input",
            "output",
            "image input",
            "image output",
        ];
        let mut checks: Vec<PriceCheck> = kinds
            .iter()
            .map(|k| check("gpt-4o-2024-08-06", k, 2.5, 5.0))
            .collect();
        checks.push(check("gpt-4.1-2025-04-14", "batch input", 1.0, 1.1));
        assert_eq!(
            model_check_text("gpt-4o-2024-08-06", &checks),
            "gpt-4o-2024-08-06: input $5.00 billed vs $2.50 (+100.0 %), cached input $5.00 billed vs $2.50 (+100.0 %), output $5.00 billed vs $2.50 (+100.0 %), +2 more per 1M tokens, 6 Dec"
        );
        assert_eq!(
            model_check_text("gpt-4.1-2025-04-14", &checks),
            "gpt-4.1-2025-04-14: batch input $1.10 billed vs $1.00 (+10.0 %) per 1M tokens, 6 Dec"
        );
    }

    #[test]
    fn a_bill_day_reads_as_a_day_of_the_month() {
        assert_eq!(from_bill(1_796_515_200), "priced from your bill of 6 Dec");
    }
}
