//! What the estimate leaves out for want of a price, named: a tier without a price for a
//! model (`--tier flex` prices eight of the demo's models at nothing) must not read as a lower
//! cost. One list ([`rows`]) and one sentence ([`summary`]) for the table, `watch` (its notes
//! and text lines) and the JSON's `unpriced_rows`.

use crate::pricing::TierChoice;
use crate::snapshot::Snapshot;
use crate::ui::format;
use crate::usage::{Endpoint, ModelSummary};
use serde::Serialize;

/// One row of usage the estimate leaves out: a completions model, or a model (and detail) of
/// another kind of usage. `tiers`: the tiers that left it unpriced, empty when the model has
/// no price at any tier (or for another kind of usage, which has no tiers).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnpricedRow<'a> {
    pub endpoint: Endpoint,
    pub model: &'a str,
    pub tiers: Vec<&'static str>,
}

/// Every unpriced row of `s`: completions models first (largest first), then other usage.
pub fn rows(s: &Snapshot) -> Vec<UnpricedRow<'_>> {
    let models = s
        .summary
        .models
        .iter()
        .filter(|m| m.cost_usd.is_none())
        .map(|m| UnpricedRow {
            endpoint: Endpoint::Completions,
            model: &m.model,
            tiers: m.unpriced_tiers.iter().map(|t| t.as_str()).collect(),
        });
    let others = s.other.kinds.iter().flat_map(|k| {
        k.models
            .iter()
            .filter(|m| m.cost_usd.is_none())
            .map(move |m| UnpricedRow {
                endpoint: k.endpoint,
                model: &m.model,
                tiers: Vec::new(),
            })
    });
    models.chain(others).collect()
}

/// `9 unpriced at flex (7 models, 2 other usage rows), not in the totals: gpt-4o-2024-08-06,
/// …, and 4 more`, naming at most `max_names` (all with `None`); `None` when everything has a
/// price. "at flex" when a chosen tier is what leaves the completions models unpriced.
pub fn summary(s: &Snapshot, max_names: Option<usize>) -> Option<String> {
    let rows = rows(s);
    if rows.is_empty() {
        return None;
    }
    let models = rows
        .iter()
        .filter(|r| r.endpoint == Endpoint::Completions)
        .count();
    let others = rows.len() - models;
    let at = match s.tier {
        TierChoice::Fixed(t) if rows.iter().any(|r| r.tiers.contains(&t.as_str())) => {
            format!(" at {}", t.as_str())
        }
        _ => String::new(),
    };
    let parts = match (models, others) {
        (_, 0) => format::count(models, "model"),
        (0, _) => format::count(others, "other usage row"),
        _ => format!(
            "{}, {}",
            format::count(models, "model"),
            format::count(others, "other usage row")
        ),
    };
    let shown = max_names.unwrap_or(rows.len()).min(rows.len());
    let mut names: Vec<&str> = rows[..shown].iter().map(|r| r.model).collect();
    names.dedup();
    let mut out = format!(
        "{} unpriced{at} ({parts}), not in the totals: {}",
        rows.len(),
        names.join(", ")
    );
    if shown < rows.len() {
        out.push_str(&format!(" and {} more", rows.len() - shown));
    }
    Some(out)
}

/// Why a model is unpriced when a tier is the reason: `ultrafast tier: no price`,
/// `fast, ultrafast tiers: no price`; `None` when no tier is (see `unpriced_tiers`).
pub fn unpriced_tiers_text(m: &ModelSummary) -> Option<String> {
    let names: Vec<&str> = m.unpriced_tiers.iter().map(|t| t.as_str()).collect();
    let noun = if names.len() == 1 { "tier" } else { "tiers" };
    (!names.is_empty()).then(|| format!("{} {noun}: no price", names.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{PriceMode, Source, Tier};
    use crate::snapshot::FetchStats;
    use crate::usage::{BucketWidth, ModelSummary, Summary, Totals, Window};

    fn model(name: &str, cost: Option<f64>, unpriced_tiers: Vec<Tier>) -> ModelSummary {
        ModelSummary {
            model: name.into(),
            input_tokens: 10,
            cached_input_tokens: 0,
            output_tokens: 0,
            total_tokens: 10,
            requests: 1,
            cost_usd: cost,
            price_source: cost.map(|_| Source::Table),
            tiers: vec![],
            unpriced_tiers,
        }
    }

    fn snapshot(tier: TierChoice, models: Vec<ModelSummary>) -> Snapshot {
        Snapshot {
            window: Window::ending_at(1_796_000_000, 6 * 3600, BucketWidth::Hour),
            api_key_ids: vec![],
            project_ids: vec![],
            owners: vec![],
            tier,
            fetched_at_ms: 1_796_000_000_000,
            summary: Summary {
                models,
                totals: Totals::default(),
            },
            other: Default::default(),
            buckets: vec![],
            alerts: vec![],
            new_alerts: vec![],
            fetch: FetchStats::default(),
            prices_compiled: "2026-12-07".into(),
            price_checks: vec![],
            price_mode: PriceMode::Bill,
        }
    }

    #[test]
    fn a_tier_that_leaves_models_unpriced_says_how_many_and_which() {
        let flex = TierChoice::Fixed(Tier::Flex);
        let s = snapshot(
            flex,
            vec![
                model("gpt-4o", None, vec![Tier::Flex]),
                model("o4-mini", Some(0.23), vec![]),
                model("gpt-4o-mini", None, vec![Tier::Flex]),
                model("gpt-4.1", None, vec![Tier::Flex]),
            ],
        );
        assert_eq!(
            summary(&s, None).unwrap(),
            "3 unpriced at flex (3 models), not in the totals: gpt-4o, gpt-4o-mini, gpt-4.1"
        );
        assert_eq!(
            summary(&s, Some(1)).unwrap(),
            "3 unpriced at flex (3 models), not in the totals: gpt-4o and 2 more"
        );
        let r = rows(&s);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].tiers, ["flex"]);
        assert_eq!(
            serde_json::to_value(&r[0]).unwrap(),
            serde_json::json!({"endpoint": "completions", "model": "gpt-4o", "tiers": ["flex"]})
        );
        // A model no tier prices is not the tier's doing.
        let s = snapshot(TierChoice::Auto, vec![model("ft:x", None, vec![])]);
        assert_eq!(
            summary(&s, None).unwrap(),
            "1 unpriced (1 model), not in the totals: ft:x"
        );
        let priced = snapshot(flex, vec![model("o4-mini", Some(0.23), vec![])]);
        assert_eq!(summary(&priced, None), None);
        assert!(rows(&priced).is_empty());
    }
}
