//! The menu rows of the other kinds of usage: one "Other usage" submenu holding a row per kind
//! (`Images  42 · ~$2.68`, each with a submenu of its models), then the whole estimate, whose
//! submenu says the window with its real start and what the figure leaves out. Two rows at the
//! top level however many kinds an organization uses. Pure: from a snapshot to menu nodes; the
//! tray only renders them.

use super::Node;
use crate::snapshot::{NOT_INCLUDED, Snapshot};
use crate::ui::format;
use crate::usage::Totals;

/// The completions totals with the whole estimate as their cost: what the title and the
/// header row show (the title's cost is every kind of usage, not completions alone).
pub fn whole(s: &Snapshot) -> Totals {
    Totals {
        cost_usd: s.total_cost_usd(),
        unpriced_models: s.unpriced(),
        ..s.summary.totals.clone()
    }
}

/// `Other usage  $226.30 · 7 kinds` with a row per kind inside, and the total with the window
/// and what is not included inside; without other usage, the window and what is not included
/// as rows of their own.
pub fn kind_rows(s: &Snapshot) -> Vec<Node> {
    let mut kinds: Vec<Node> = s
        .other
        .kinds
        .iter()
        .map(|k| Node::Submenu {
            text: format!(
                "{}  {} · {}",
                k.label,
                format::quantity(k.quantity, k.unit),
                format::cost_marked(k.cost_usd, k.free, k.assumed)
            ),
            children: k
                .models
                .iter()
                .map(|m| {
                    let name = match &m.detail {
                        Some(d) => format!("{} {d}", m.model),
                        None => m.model.clone(),
                    };
                    Node::Info(format!(
                        "{name}  {} · {} requests · {}",
                        format::quantity(m.quantity, k.unit),
                        format::tokens(m.requests),
                        format::cost_marked(m.cost_usd, m.free, m.assumption.is_some())
                    ))
                })
                .collect(),
        })
        .collect();
    let since = format::local_hm(s.window.start_time);
    // A calendar window names its period: its start is a UTC midnight, here in local time.
    let window = Node::Info(match s.window.calendar {
        None => format!("Window: since {since} (exactly the lookback)"),
        Some(c) => format!(
            "Window: {}, since {since} local time",
            crate::plan::periods::period(c, s.window.end_time).label
        ),
    });
    let not_included = Node::Info(format!("Not included: {NOT_INCLUDED}"));
    if kinds.is_empty() {
        return vec![window, not_included];
    }
    if !s.other.assumptions.is_empty() || !s.summary.totals.assumptions.is_empty() {
        kinds.push(Node::Info(
            "~ estimated at an assumption (quality, tool version)".into(),
        ));
    }
    vec![
        Node::Submenu {
            text: format!(
                "{}  {} · {}",
                OTHER_USAGE,
                format::usd(s.other.cost_usd),
                format::count(s.other.kinds.len(), "kind")
            ),
            children: kinds,
        },
        Node::Submenu {
            text: format!(
                "Total  {} (completions {} + other usage {})",
                format::usd(s.total_cost_usd()),
                format::usd(s.summary.totals.cost_usd),
                format::usd(s.other.cost_usd)
            ),
            children: vec![window, not_included],
        },
    ]
}

/// The label the other kinds of usage are grouped under.
pub const OTHER_USAGE: &str = "Other usage";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::FetchStats;
    use crate::usage::{
        BucketWidth, Endpoint, KindSummary, MeterSummary, OtherUsage, Summary, Unit, Window,
    };

    fn snap() -> Snapshot {
        let images = KindSummary {
            endpoint: Endpoint::Images,
            label: "Images",
            unit: Unit::Images,
            quantity: 42,
            requests: 40,
            cost_usd: Some(2.68),
            free: false,
            assumed: true,
            models: vec![MeterSummary {
                model: "dall-e-3".into(),
                detail: Some("1024x1024 image.generation".into()),
                quantity: 42,
                requests: 40,
                cost_usd: Some(2.68),
                free: false,
                assumption: Some("image-quality".into()),
                price_source: Some(crate::pricing::Source::Table),
            }],
        };
        Snapshot {
            window: Window::ending_at(1_764_000_000, 3600, BucketWidth::Hour),
            owners: vec![],
            api_key_ids: vec![],
            project_ids: vec![],
            tier: Default::default(),
            fetched_at_ms: 1_764_000_000_000,
            summary: Summary {
                models: vec![],
                totals: Totals {
                    cost_usd: 1.0,
                    total_tokens: 5,
                    ..Totals::default()
                },
            },
            other: OtherUsage {
                kinds: vec![images],
                requests: 40,
                cost_usd: 2.68,
                unpriced_rows: 0,
                assumptions: vec!["image-quality".into()],
            },
            buckets: vec![],
            alerts: vec![],
            new_alerts: vec![],
            fetch: FetchStats::default(),
            prices_compiled: String::new(),
            price_checks: Vec::new(),
            price_mode: crate::pricing::PriceMode::Bill,
        }
    }

    #[test]
    fn an_images_row_with_its_models_and_the_whole_total() {
        let rows = kind_rows(&snap());
        let Node::Submenu { text, children } = &rows[0] else {
            panic!("{rows:?}")
        };
        assert_eq!(text, "Other usage  $2.68 · 1 kind");
        let Node::Submenu { text, children } = &children[0] else {
            panic!("{rows:?}")
        };
        assert!(text.starts_with("Images  42 images · ~$"), "{text}");
        let Node::Info(model) = &children[0] else {
            panic!()
        };
        assert!(model.starts_with("dall-e-3 1024x1024"), "{model}");
        assert_eq!(rows.len(), 2, "{rows:?}");
        let Node::Submenu { text, children } = &rows[1] else {
            panic!("{rows:?}")
        };
        assert!(text.starts_with("Total  $3.68"), "{text}");
        assert!(
            children
                .iter()
                .any(|r| matches!(r, Node::Info(t) if t.contains("per project")))
        );
    }

    #[test]
    fn the_title_total_is_the_whole_estimate() {
        let t = whole(&snap());
        assert!((t.cost_usd - 3.68).abs() < 1e-12);
        assert_eq!(t.total_tokens, 5);
    }
}
