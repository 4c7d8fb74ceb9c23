use super::*;
use crate::pricing::{Tier, TierChoice};
use crate::snapshot::FetchStats;
use crate::usage::{BucketWidth, Summary, Totals, Window};

fn model(name: &str, input: u64, cached: u64, output: u64, cost: Option<f64>) -> ModelSummary {
    ModelSummary {
        model: name.to_owned(),
        input_tokens: input,
        cached_input_tokens: cached,
        output_tokens: output,
        total_tokens: input + output,
        requests: 1_234,
        cost_usd: cost,
        price_source: Some(crate::pricing::Source::Table),
        tiers: vec![Tier::Standard],
        unpriced_tiers: vec![],
    }
}

fn snapshot() -> Snapshot {
    let models = vec![
        model(
            "gpt-4o-2024-08-06",
            1_383_227,
            501_322,
            592_550,
            Some(12.81),
        ),
        model("gpt-4o-mini-2024-07-18", 90_000, 9_000, 2_000, Some(0.2428)),
        model("ft:gpt-4o-mini-2024-07-18:acme::B7x9kQ", 500, 0, 20, None),
    ];
    let mut totals = Totals::default();
    for m in &models {
        totals.input_tokens += m.input_tokens;
        totals.cached_input_tokens += m.cached_input_tokens;
        totals.output_tokens += m.output_tokens;
        totals.total_tokens += m.total_tokens;
        totals.requests += m.requests;
        match m.cost_usd {
            Some(c) => totals.cost_usd += c,
            None => totals.unpriced_models += 1,
        }
    }
    Snapshot {
        window: Window::ending_at(1_764_000_030, 6 * 3600, BucketWidth::Hour),
        owners: vec![],
        project_ids: vec![],
        api_key_ids: vec!["key_a".into(), "key_b".into()],
        tier: TierChoice::Auto,
        fetched_at_ms: 1_764_000_030_000,
        summary: Summary { models, totals },
        other: Default::default(),
        buckets: Vec::new(),
        alerts: Vec::new(),
        new_alerts: Vec::new(),
        fetch: FetchStats::default(),
        prices_compiled: "2025-11-01".into(),
        price_checks: Vec::new(),
        price_mode: crate::pricing::PriceMode::Bill,
    }
}

fn cells(line: &str) -> Vec<&str> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// Issue 16: in `once` and `watch` the model cell of a model unpriced because of its tier
/// names the tier; other models keep their bare name.
#[test]
fn an_unpriced_tier_is_named_beside_the_model() {
    let mut s = snapshot();
    let ultrafast = Tier::of_row(None, Some("ultrafast"));
    let mut m = model("gpt-5-mini", 1_000_000, 0, 0, None);
    m.tiers = vec![ultrafast];
    m.unpriced_tiers = vec![ultrafast];
    s.summary.models.push(m);
    let view = TableView::from_snapshot(&s, &[]);
    let names: Vec<&str> = view.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names[3], "gpt-5-mini (ultrafast tier: no price)");
    assert_eq!(names[2], "ft:gpt-4o-mini-2024-07-18:acme::B7x9kQ");
    assert_eq!(view.rows[3][6], "—");
}

#[test]
fn cached_sits_beside_input_and_money_has_one_format() {
    let text = TableView::from_snapshot(&snapshot(), &[]).to_text(None);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        cells(lines[0]),
        [
            "Model",
            "Input",
            "Cached",
            "Output",
            "Requests",
            "Total",
            "Est. cost"
        ]
    );
    let row = |name: &str| cells(lines.iter().find(|l| l.starts_with(name)).unwrap());
    assert_eq!(row("gpt-4o-2024")[6], "$12.81");
    assert_eq!(row("gpt-4o-mini")[6], "$0.24");
    assert_eq!(row("ft:")[6], "—");
    assert_eq!(
        row("Completions"),
        [
            "Completions",
            "1,473,727",
            "510,322",
            "594,570",
            "3,702",
            "2,068,297",
            "$13.05*"
        ]
    );
    assert!(text.contains("* 1 model without a price"), "{text}");
    assert!(!text.contains("(s)"), "{text}");
}

#[test]
fn the_notes_have_a_local_time_line_and_key_names_beside_ids() {
    let known = [KeyChoice {
        id: "key_a".into(),
        name: Some("Primary".into()),
        project: "App".into(),
        ..Default::default()
    }];
    let view = TableView::from_snapshot(&snapshot(), &known);
    assert!(view.notes[0].starts_with("Window: 2025-11-24 10:00 UTC → "));
    assert!(view.notes[1].starts_with("Local:  "), "{:?}", view.notes);
    assert_eq!(view.notes[2], "Keys: Primary (key_a), key_b");
    assert_eq!(
        keys_line(&[], &known),
        "Keys: all keys (whole organization)"
    );
}

#[test]
fn the_text_fits_the_width_by_dropping_columns_then_shortening_names() {
    let view = TableView::from_snapshot(&snapshot(), &[]);
    let wide = view.to_text(None);
    assert!(wide.lines().any(|l| l.chars().count() > 80), "{wide}");
    for width in [100, 80, 60, 40, 30] {
        let text = view.to_text(Some(width));
        for l in text.lines() {
            assert!(l.chars().count() <= width, "{width}: {l:?}\n{text}");
        }
        let header = cells(text.lines().next().unwrap());
        assert!(
            header.contains(&"Model") && header.contains(&"Total"),
            "{header:?}"
        );
    }
    let text = view.to_text(Some(60));
    let header = cells(text.lines().next().unwrap());
    assert!(header.contains(&"Est. cost"), "{header:?}");
    assert!(!header.contains(&"Cached"), "{header:?}");
    // The long fine-tune name is cut before Input, Output or cost are dropped.
    let text = view.to_text(Some(70));
    assert!(text.contains("\nft:gpt-4o-mini-"), "{text}");
    assert!(text.contains("…"), "{text}");
    assert!(cells(text.lines().next().unwrap()).contains(&"Output"));
}

#[test]
fn fit_keeps_rank_zero_and_shares_spare_room() {
    let columns = [
        Column {
            header: "Name",
            align: Align::Left,
            rank: 0,
            shrink_to: Some(4),
        },
        Column {
            header: "Id",
            align: Align::Left,
            rank: 0,
            shrink_to: None,
        },
        Column {
            header: "Extra",
            align: Align::Right,
            rank: 1,
            shrink_to: None,
        },
    ];
    let rows = vec![vec![
        "a-long-name".to_owned(),
        "key_123".to_owned(),
        "x".to_owned(),
    ]];
    assert_eq!(fit(&columns, &rows, 2, None), [(0, 11), (1, 7), (2, 5)]);
    assert_eq!(fit(&columns, &rows, 2, Some(14)), [(0, 5), (1, 7)]);
    assert_eq!(fit(&columns, &rows, 2, Some(20)), [(0, 4), (1, 7), (2, 5)]);
    assert_eq!(fit(&columns, &rows, 2, Some(5)), [(0, 4), (1, 7)]);
    assert_eq!(shorten("a-long-name", 4), "a-l…");
    assert_eq!(shorten("abc", 0), "");
}

#[test]
fn wrap_breaks_at_words() {
    assert_eq!(
        wrap("q quit · r refresh now", 9),
        ["q quit ·", "r refresh", "now"]
    );
    assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    assert_eq!(wrap("", 4), [""]);
    assert_eq!(wrap("short", 40), ["short"]);
}
