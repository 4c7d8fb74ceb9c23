use super::*;
use crate::pricing::{Assumption, Basis, CompletionTokens, Source, Tier};

/// 2026-12-06
const DAY: i64 = 1_796_515_200;

fn table() -> PriceTable {
    crate::pricing::file::parse(
        r#"
        compiled = "2026-12-01"
        [standard."gpt-4.1"]
        input = 2.0
        cached_input = 0.5
        output = 8.0
        [standard."gpt-5-mini"]
        input = 0.25
        cached_input = 0.025
        output = 2.0
        [batch."gpt-5-mini"]
        input = 0.125
        output = 1.0
        [images."dall-e-3"]
        assumed_quality = "hd"
        quality.standard = { "1024x1024" = 0.04 }
        quality.hd = { "1024x1024" = 0.08 }
        [web_search."gpt-4o-mini"]
        per_1k_calls = 25.0
        assumption = "web-search-tool-version"
        [web_search."o4-mini"]
        per_1k_calls = 10.0
        "#,
        "test table",
    )
    .unwrap()
}

fn learned(entries: &[(&str, &str, PriceField, &str, f64)]) -> Learned {
    Learned {
        prices: entries
            .iter()
            .map(|&(model, tier, field, detail, per_unit)| {
                (
                    PriceKey {
                        model: model.into(),
                        tier: tier.into(),
                        field,
                        detail: detail.into(),
                    },
                    LearnedPrice { per_unit, day: DAY },
                )
            })
            .collect(),
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

const M: u64 = 1_000_000;

#[test]
fn a_model_and_a_tier_the_table_lacks_are_priced_from_the_bill_and_marked() {
    let l = learned(&[
        (
            "gpt-6.9-preview-2026-12-01",
            "standard",
            PriceField::Input,
            "",
            3.0,
        ),
        (
            "gpt-6.9-preview-2026-12-01",
            "standard",
            PriceField::Output,
            "",
            18.0,
        ),
        (
            "gpt-5-mini-2025-08-07",
            "ultrafast",
            PriceField::Input,
            "",
            0.75,
        ),
        (
            "gpt-5-mini-2025-08-07",
            "ultrafast",
            PriceField::Output,
            "",
            6.0,
        ),
    ]);
    let base = table();
    assert!(
        base.completions(
            "gpt-6.9-preview-2026-12-01",
            Tier::Standard,
            &CompletionTokens::text(M, 0, M)
        )
        .is_none()
    );
    let p = apply(&base, &l, PriceMode::Bill);
    let q = p
        .table
        .completions(
            "gpt-6.9-preview-2026-12-01",
            Tier::Standard,
            &CompletionTokens::text(M, 0, M),
        )
        .unwrap();
    close(q.usd, 21.0);
    assert_eq!(
        (q.basis, q.source),
        (Basis::Exact, Source::Bill { day: DAY })
    );
    // Cached input the bill did not price is billed at the input price (the table's rule),
    // but audio tokens have no price to fall back to: a learned entry prices no modality at
    // another's rate.
    let q = p
        .table
        .completions(
            "gpt-6.9-preview-2026-12-01",
            Tier::Standard,
            &CompletionTokens::text(M, M / 2, M),
        )
        .unwrap();
    close(q.usd, 21.0);
    let audio = CompletionTokens {
        audio_input: 10,
        ..CompletionTokens::default()
    };
    assert!(
        p.table
            .completions("gpt-6.9-preview-2026-12-01", Tier::Standard, &audio)
            .is_none()
    );
    let ultrafast = Tier::named("ultrafast");
    let q = p
        .table
        .completions(
            "gpt-5-mini-2025-08-07",
            ultrafast,
            &CompletionTokens::text(M, 0, 0),
        )
        .unwrap();
    close(q.usd, 0.75);
    assert_eq!(q.source, Source::Bill { day: DAY });
    // The standard tier is still the table's, and says so.
    let q = p
        .table
        .completions(
            "gpt-5-mini-2025-08-07",
            Tier::Standard,
            &CompletionTokens::text(M, 0, 0),
        )
        .unwrap();
    assert_eq!((q.usd, q.source), (0.25, Source::Table));
    assert!(p.checks.is_empty());
}

#[test]
fn a_missing_field_is_filled_and_the_rest_of_the_entry_stays_the_tables() {
    // Batch cached input of gpt-5-mini: the table has none (cached would fall back to the
    // batch input price, 10 times too high).
    let l = learned(&[("gpt-5-mini", "batch", PriceField::CachedInput, "", 0.0125)]);
    let p = apply(&table(), &l, PriceMode::Table);
    let batch = |t: CompletionTokens| p.table.completions("gpt-5-mini", Tier::Batch, &t).unwrap();
    // 1M cached: from the bill.
    let q = batch(CompletionTokens::text(M, M, 0));
    close(q.usd, 0.0125);
    assert_eq!(q.source, Source::Bill { day: DAY });
    // Uncached input and output only: all the table's, and marked so.
    let q = batch(CompletionTokens::text(M, 0, M));
    close(q.usd, 1.125);
    assert_eq!(q.source, Source::Table);
    assert!(
        p.checks.is_empty(),
        "a missing field is no difference: {:?}",
        p.checks
    );
}

#[test]
fn a_price_more_than_5_percent_off_is_listed_and_the_mode_picks_the_estimates_price() {
    let l = learned(&[
        ("gpt-4.1", "standard", PriceField::Input, "", 2.2),
        ("gpt-4.1", "standard", PriceField::Output, "", 8.8),
        // 4 % off: within the table's accuracy, not listed, the table's price kept.
        ("gpt-4.1", "standard", PriceField::CachedInput, "", 0.52),
    ]);
    for (mode, input) in [(PriceMode::Bill, 2.2), (PriceMode::Table, 2.0)] {
        let p = apply(&table(), &l, mode);
        let kinds: Vec<(&str, &str, f64)> = p
            .checks
            .iter()
            .map(|c| {
                (
                    c.model.as_str(),
                    c.kind.as_str(),
                    (c.differs_pct * 10.0).round() / 10.0,
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [("gpt-4.1", "input", 10.0), ("gpt-4.1", "output", 10.0)]
        );
        assert_eq!(p.checks[0].table_per_unit, 2.0);
        assert_eq!(p.checks[0].bill_per_unit, 2.2);
        assert_eq!(p.checks[0].unit, "1M tokens");
        let q = p
            .table
            .completions(
                "gpt-4.1-2025-04-14",
                Tier::Standard,
                &CompletionTokens::text(M, 0, 0),
            )
            .unwrap();
        close(q.usd, input);
        let cached = p
            .table
            .completions("gpt-4.1", Tier::Standard, &CompletionTokens::text(M, M, 0))
            .unwrap();
        close(cached.usd, 0.5);
    }
}

#[test]
fn the_bill_replaces_what_the_table_assumes_and_clears_the_assumption() {
    let l = learned(&[
        (
            "dall-e-3",
            "standard",
            PriceField::Image,
            "1024x1024",
            0.052,
        ),
        (
            "gpt-4o-mini-2024-07-18",
            "standard",
            PriceField::WebSearch,
            "",
            10.0,
        ),
        // Equal to the table's exact price: nothing changes, nothing listed.
        (
            "o4-mini-2025-04-16",
            "standard",
            PriceField::WebSearch,
            "",
            10.0,
        ),
    ]);
    let base = table();
    let before = base
        .images("dall-e-3", Some("1024x1024"), Some("image.generation"), 10)
        .unwrap();
    assert!(
        before
            .basis
            .assumptions()
            .contains(Assumption::ImageQuality)
    );
    // Table mode too: an assumption is not a price to keep.
    let p = apply(&base, &l, PriceMode::Table);
    let q = p
        .table
        .images("dall-e-3", Some("1024x1024"), Some("image.generation"), 10)
        .unwrap();
    close(q.usd, 0.52);
    assert_eq!(
        (q.basis, q.source),
        (Basis::Exact, Source::Bill { day: DAY })
    );
    let q = p.table.web_search("gpt-4o-mini-2024-07-18", 1000).unwrap();
    close(q.usd, 10.0);
    assert_eq!(
        (q.basis, q.source),
        (Basis::Exact, Source::Bill { day: DAY })
    );
    let q = p.table.web_search("o4-mini-2025-04-16", 1000).unwrap();
    assert_eq!((q.usd, q.source), (10.0, Source::Table));
    assert!(p.checks.is_empty(), "{:?}", p.checks);
    // A size the bill did not price keeps the table's (assumed) price.
    assert!(
        p.table
            .images("dall-e-3", Some("1792x1024"), None, 1)
            .is_none()
    );
}

#[test]
fn a_book_swaps_its_prices_only_when_the_bill_teaches_something_new() {
    let book = PriceBook::new(std::sync::Arc::new(table()), PriceMode::Bill);
    let before = book.current();
    assert!(before.learned.is_empty());
    let l = learned(&[("gpt-4.1", "standard", PriceField::Input, "", 2.2)]);
    assert!(book.learn(l.clone()));
    assert!(!book.learn(l), "the same prices again change nothing");
    let now = book.current();
    assert_eq!(now.checks.len(), 1);
    assert_eq!(
        book.base()
            .lookup("gpt-4.1", Tier::Standard)
            .unwrap()
            .text
            .input,
        Some(2.0)
    );
    // An older day's price never replaces a newer one.
    let mut older = learned(&[("gpt-4.1", "standard", PriceField::Input, "", 9.0)]);
    older.prices.values_mut().for_each(|p| p.day = DAY - 86_400);
    assert!(!book.learn(older));
    assert_eq!(book.current().checks[0].bill_per_unit, 2.2);
}
