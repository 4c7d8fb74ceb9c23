use super::*;

mod completions;
mod file_format;
mod reference;
mod sources;
mod units;

/// `a` and `b` equal to floating-point rounding (1e-12 relative).
#[track_caller]
fn close(a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0),
        "{a} != {b}"
    );
}

#[test]
fn lookup_is_exact_then_date_suffix_and_nothing_looser() {
    let t = PriceTable::builtin();
    let std = |m: &str| t.lookup(m, Tier::Standard).and_then(|p| p.text.input);
    assert_eq!(std("gpt-4o"), Some(2.5));
    assert_eq!(std("gpt-4o-2024-08-06"), Some(2.5));
    // An exact dated entry wins over the suffix rule.
    assert_eq!(std("gpt-4o-2024-05-13"), Some(5.0));
    assert_eq!(std("gpt-4o-mini-2024-07-18"), Some(0.15));
    assert_eq!(std("gpt-4o-2024-08"), None);
    assert_eq!(std("ft:gpt-4o-mini-2024-07-18:acme::B7x9kQ"), None);
    assert_eq!(std("GPT-4O"), None);
    assert_eq!(std("gpt-4o-mini-audio"), None);
    // No source gives gpt-5.4-nano a priority price (gpt-5.1's flex, used here before, has one
    // since the 2026-12-07 update).
    assert_eq!(t.lookup("gpt-5.4-nano", Tier::Priority), None);
    // An alias is another exact name: it gets no suffix rule of its own beyond the usual one.
    let audio = |m: &str| t.lookup(m, Tier::Standard).and_then(|p| p.audio.input);
    assert_eq!(audio("gpt-4o-audio-preview"), Some(40.0));
    assert_eq!(audio("gpt-4o-audio-preview-2024-12-17"), Some(40.0));
    assert_eq!(audio("gpt-4o-audio-preview-2024-10-01"), Some(100.0));
}

#[test]
fn a_name_with_its_own_entry_never_borrows_its_base_models_tiers() {
    let mut t = PriceTable::default();
    t.insert(Tier::Standard, "m", Price::text(1.0, None, 2.0));
    t.insert(Tier::Batch, "m", Price::text(0.5, None, 1.0));
    t.insert(Tier::Standard, "m-2025-01-01", Price::text(3.0, None, 6.0));
    assert_eq!(t.lookup("m-2025-01-01", Tier::Batch), None);
    assert_eq!(
        t.lookup("m-2025-02-02", Tier::Batch).unwrap().text.input,
        Some(0.5)
    );
    assert_eq!(
        t.lookup("m-2025-01-01", Tier::Standard).unwrap().text.input,
        Some(3.0)
    );
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
fn tier_of_row_follows_batch_then_service_tier() {
    assert_eq!(Tier::of_row(Some(true), Some("default")), Tier::Batch);
    assert_eq!(Tier::of_row(Some(false), Some("flex")), Tier::Flex);
    assert_eq!(Tier::of_row(None, Some("priority")), Tier::Priority);
    assert_eq!(Tier::of_row(None, Some("default")), Tier::Standard);
    assert_eq!(Tier::of_row(None, None), Tier::Standard);
    assert_eq!(Tier::of_row(None, Some("auto")), Tier::Standard);
    assert_eq!(Tier::of_row(None, Some("")), Tier::Standard);
    // Names are matched lower-cased: the API's spelling of a known tier in any case is it.
    assert_eq!(Tier::of_row(None, Some("Flex")), Tier::Flex);
    assert_eq!(Tier::of_row(Some(false), Some("DEFAULT")), Tier::Standard);
    // Batch wins over any service tier.
    assert_eq!(Tier::of_row(Some(true), Some("ultrafast")), Tier::Batch);
}

#[test]
fn a_tier_the_table_does_not_know_keeps_its_name_and_has_no_price() {
    let t = PriceTable::builtin();
    for name in ["scale", "fast", "ultrafast"] {
        let tier = Tier::of_row(Some(false), Some(name));
        assert_eq!(tier, Tier::Other(ServiceTier::intern(name)));
        assert_eq!((tier.as_str(), tier.index()), (name, None));
        assert_eq!(tier.to_string(), name);
        assert_eq!(serde_json::to_string(&tier).unwrap(), format!("\"{name}\""));
        assert_eq!(
            serde_json::from_str::<Tier>(&format!("\"{name}\"")).unwrap(),
            tier
        );
        // gpt-5-mini has a standard price; at this tier it has none, never standard's.
        assert!(t.lookup("gpt-5-mini", Tier::Standard).is_some());
        assert_eq!(t.lookup("gpt-5-mini", tier), None);
        let tokens = CompletionTokens::from_row(&CompletionsRow {
            input_tokens: 1_000_000,
            ..CompletionsRow::default()
        });
        assert_eq!(t.completions("gpt-5-mini", tier, &tokens), None);
    }
    // Kept lower-cased: `ULTRAFAST` and `ultrafast` are one tier, named in lower case.
    let upper = Tier::of_row(None, Some("ULTRAFAST"));
    assert_eq!(upper, Tier::of_row(None, Some("ultrafast")));
    assert_eq!(upper.as_str(), "ultrafast");
    // An other tier sorts after the four, by name.
    assert!(Tier::Priority < upper);
    // The table has no column for it, so nothing is set.
    let mut empty = PriceTable::default();
    assert!(!empty.insert(upper, "m", Price::text(1.0, None, 2.0)));
    assert!(empty.is_empty());
    // Only the four can be chosen.
    assert!("ultrafast".parse::<TierChoice>().is_err());
    assert!(serde_json::from_str::<TierChoice>("\"ultrafast\"").is_err());
}

#[test]
fn the_column_of_each_priced_tier_is_its_place_in_all() {
    for (i, t) in Tier::ALL.into_iter().enumerate() {
        assert_eq!(t.index(), Some(i));
        assert_eq!(Tier::named(t.as_str()), t);
    }
}

/// A server sending ever new or malformed names gets at most `MAX_NAMES` kept; every further
/// one, and every malformed one, is `other`.
#[test]
fn the_service_tier_interner_is_bounded() {
    // An interner of its own: filling the process's one would change what other tests see.
    let mut names = tier::Interner::default();
    let other = ServiceTier::OTHER;
    let long = "x".repeat(ServiceTier::MAX_LEN + 1);
    for bad in [long.as_str(), "ultra fast", "tier\u{1b}[2J", "é", ""] {
        assert_eq!(names.get(bad), other, "{bad:?}");
    }
    let kept = names.get("Scale");
    assert_eq!(kept.as_str(), "scale");
    let extra: Vec<ServiceTier> = (0..ServiceTier::MAX_NAMES * 2)
        .map(|i| names.get(&format!("t{i}")))
        .collect();
    // "scale" plus MAX_NAMES - 1 of the new names are kept; every further one is `other`.
    let named: Vec<&str> = extra
        .iter()
        .filter(|t| **t != other)
        .map(|t| t.as_str())
        .collect();
    assert_eq!(named.len(), ServiceTier::MAX_NAMES - 1);
    assert_eq!(named.last(), Some(&"t30"));
    assert_eq!(names.get("t31"), other);
    // A name kept before the bound is still itself, the same handle, in any case.
    let again = names.get("SCALE");
    assert_eq!(again, kept);
    assert!(std::ptr::eq(again.as_str(), kept.as_str()));
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

#[test]
fn quotes_add_up_as_weak_as_their_weakest_part() {
    let a = Quote::exact(1.5);
    let f = Quote::free();
    let q = Quote::at(2.0, Assumptions::of(Assumption::ImageQuality));
    let w = Quote::at(0.5, Assumptions::of(Assumption::WebSearchToolVersion));
    assert_eq!((f + f).basis, Basis::Free);
    assert_eq!((a + f).basis, Basis::Exact);
    assert_eq!((f + a).basis, Basis::Exact);
    let sum: Quote = [a, q, f, w].into_iter().sum();
    close(sum.usd, 4.0);
    let set = sum.basis.assumptions();
    assert!(
        set.contains(Assumption::ImageQuality) && set.contains(Assumption::WebSearchToolVersion)
    );
    assert!(!set.contains(Assumption::ImageSource));
    assert_eq!(sum.basis.label(), "assumed");
    assert_eq!(std::iter::empty::<Quote>().sum::<Quote>(), Quote::free());
    // One unpriced part leaves the whole unpriced, never a partial sum.
    let parts = [Some(a), None, Some(q)];
    assert_eq!(parts.into_iter().sum::<Option<Quote>>(), None);
    let priced: Option<Quote> = [Some(a), Some(q)].into_iter().sum();
    close(priced.unwrap().usd, 3.5);
    assert_eq!(Quote::at(1.0, Assumptions::NONE), Quote::exact(1.0));
}

#[test]
fn quotes_serialize_with_their_basis_and_assumption_codes() {
    let json = |q: Quote| serde_json::to_string(&q).unwrap();
    assert_eq!(
        json(Quote::exact(1.25)),
        r#"{"usd":1.25,"basis":"exact","assumptions":[],"price_source":"table"}"#
    );
    assert_eq!(
        json(Quote::free()),
        r#"{"usd":0.0,"basis":"free","assumptions":[],"price_source":"table"}"#
    );
    let set = Assumptions::of(Assumption::WebSearchToolVersion).with(Assumption::ImageQuality);
    assert_eq!(
        json(Quote::at(2.0, set)),
        r#"{"usd":2.0,"basis":"assumed","assumptions":["image-quality","web-search-tool-version"],"price_source":"table"}"#
    );
    assert_eq!(
        json(Quote::exact(0.5).from(Source::Bill { day: 1_796_515_200 })),
        r#"{"usd":0.5,"basis":"exact","assumptions":[],"price_source":"bill"}"#
    );
    for a in Assumption::ALL {
        assert_eq!(Assumption::from_code(a.code()), Some(a));
        assert!(!a.reason().is_empty());
    }
    assert_eq!(
        format!("{set:?}"),
        r#"{"image-quality", "web-search-tool-version"}"#
    );
}
