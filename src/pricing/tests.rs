use super::*;

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/openai/pricing-reference.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn builtin_matches_every_priced_entry_of_the_reference() {
    let reference = reference();
    let table = PriceTable::builtin();
    assert_eq!(
        table.compiled,
        reference["_meta"]["compiled"].as_str().unwrap()
    );
    let mut checked = 0;
    for (model, tiers) in reference["models"].as_object().unwrap() {
        for tier in Tier::ALL {
            let Some(p) = tiers.get(tier.as_str()).filter(|p| !p.is_null()) else {
                assert!(table.lookup(model, tier).is_none() || strip_date_suffix(model).is_some());
                continue;
            };
            let got = table
                .lookup(model, tier)
                .unwrap_or_else(|| panic!("{model} {tier} missing"));
            assert_eq!(got.input, p["input"].as_f64().unwrap(), "{model} {tier}");
            assert_eq!(got.output, p["output"].as_f64().unwrap(), "{model} {tier}");
            assert_eq!(
                got.cached_input,
                p["cached_input"].as_f64(),
                "{model} {tier}"
            );
            for alias in tiers["aliases"].as_array().into_iter().flatten() {
                let alias = alias.as_str().unwrap();
                assert_eq!(table.lookup(alias, tier), Some(got), "alias {alias}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, table.len());
}

#[test]
fn lookup_is_exact_then_date_suffix_and_nothing_looser() {
    let t = PriceTable::builtin();
    let std = |m: &str| t.lookup(m, Tier::Standard).map(|p| p.input);
    assert_eq!(std("gpt-4o"), Some(2.5));
    assert_eq!(std("gpt-4o-2024-08-06"), Some(2.5));
    // An exact dated entry wins over the suffix rule.
    assert_eq!(std("gpt-4o-2024-05-13"), Some(5.0));
    assert_eq!(std("gpt-4o-mini-2024-07-18"), Some(0.15));
    assert_eq!(std("gpt-4o-audio-preview"), None);
    assert_eq!(std("gpt-4o-2024-08"), None);
    assert_eq!(std("ft:gpt-4o-mini-2024-07-18:acme::B7x9kQ"), None);
    assert_eq!(std("GPT-4O"), None);
    assert_eq!(t.lookup("gpt-5.1", Tier::Flex), None);
}

#[test]
fn strip_date_suffix_needs_the_exact_shape() {
    assert_eq!(strip_date_suffix("gpt-5-2025-08-07"), Some("gpt-5"));
    assert_eq!(strip_date_suffix("-2025-08-07"), None);
    assert_eq!(strip_date_suffix("gpt-5-2025-0807x"), None);
    assert_eq!(strip_date_suffix("gpt-5_2025-08-07"), None);
    assert_eq!(strip_date_suffix("short"), None);
    assert_eq!(strip_date_suffix("modèle-2025-08-07"), Some("modèle"));
    assert_eq!(strip_date_suffix("é2025-08-07"), None);
}

#[test]
fn cost_splits_cached_input() {
    let p = Price {
        input: 2.5,
        cached_input: Some(1.25),
        output: 10.0,
    };
    // 1M input of which 400k cached, 500k output:
    // 600k × 2.5 + 400k × 1.25 + 500k × 10 = 1.5 + 0.5 + 5.0 = 7.0 USD
    assert!((p.cost(1_000_000, 400_000, 500_000) - 7.0).abs() < 1e-12);
    let no_cached_price = Price {
        cached_input: None,
        ..p
    };
    // Cached input at the input price: 1M × 2.5 + 0.5M × 10 = 7.5
    assert!((no_cached_price.cost(1_000_000, 400_000, 500_000) - 7.5).abs() < 1e-12);
    // More cached than input (a malformed row) never goes negative.
    assert!(p.cost(10, 20, 0) >= 0.0);
}

#[test]
fn tier_of_row_follows_batch_then_service_tier() {
    assert_eq!(Tier::of_row(Some(true), Some("default")), Tier::Batch);
    assert_eq!(Tier::of_row(Some(false), Some("flex")), Tier::Flex);
    assert_eq!(Tier::of_row(None, Some("priority")), Tier::Priority);
    assert_eq!(Tier::of_row(None, Some("default")), Tier::Standard);
    assert_eq!(Tier::of_row(None, None), Tier::Standard);
}

#[test]
fn tier_choice_parses_cycles_and_serializes() {
    assert_eq!("auto".parse::<TierChoice>(), Ok(TierChoice::Auto));
    assert_eq!("flex".parse(), Ok(TierChoice::Fixed(Tier::Flex)));
    let err = "cheap".parse::<TierChoice>().unwrap_err();
    assert!(
        err.contains("\"cheap\"") && err.contains("auto, standard"),
        "{err}"
    );
    let mut c = TierChoice::Auto;
    let mut seen = vec![];
    for _ in 0..5 {
        c = c.next();
        seen.push(c.as_str());
    }
    assert_eq!(seen, ["standard", "batch", "flex", "priority", "auto"]);
    assert_eq!(
        serde_json::to_string(&TierChoice::Fixed(Tier::Batch)).unwrap(),
        "\"batch\""
    );
    assert_eq!(
        serde_json::from_str::<TierChoice>("\"auto\"").unwrap(),
        TierChoice::Auto
    );
}

fn parse_override(text: &str) -> Result<PriceTable, PricingError> {
    file::parse(text, "prices.toml")
}

#[test]
fn overrides_replace_and_extend() {
    let o = parse_override(
        "[standard.\"gpt-4o\"]\ninput = 3.0\noutput = 12.0\n\n[flex.\"my-model\"]\ninput = 1\ncached_input = 0.1\noutput = 2\n",
    )
    .unwrap();
    let mut t = PriceTable::builtin().clone();
    t.extend(o);
    let p = t.lookup("gpt-4o-2024-08-06", Tier::Standard).unwrap();
    assert_eq!((p.input, p.cached_input, p.output), (3.0, None, 12.0));
    assert_eq!(
        t.lookup("my-model", Tier::Flex).unwrap().cached_input,
        Some(0.1)
    );
    assert_eq!(t.lookup("gpt-4o", Tier::Batch).unwrap().input, 1.25);
}

#[test]
fn bad_override_files_name_the_problem() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[cheap.\"gpt-4o\"]\ninput = 1\noutput = 2\n",
            &["cheap", "prices.toml"],
        ),
        ("[standard.\"gpt-4o\"]\ninput = 1\n", &["output", "gpt-4o"]),
        (
            "[standard.\"gpt-4o\"]\ninput = \"a lot\"\noutput = 2\n",
            &["input", "prices.toml"],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = 1\noutput = 2\nouptut = 3\n",
            &["ouptut"],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = -1\noutput = 2\n",
            &["input = -1", "gpt-4o", "standard"],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = nan\noutput = 2\n",
            &["input = NaN", "gpt-4o"],
        ),
        ("this is not toml", &["prices.toml"]),
    ];
    for (text, needles) in cases {
        let msg = parse_override(text).unwrap_err().to_string();
        for n in *needles {
            assert!(msg.contains(n), "{msg:?} should mention {n:?}");
        }
    }
}

#[test]
fn unreadable_override_file_names_the_path() {
    let err = PriceTable::with_overrides_from(Path::new("/nonexistent/prices.toml")).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/prices.toml"),
        "{err}"
    );
}
