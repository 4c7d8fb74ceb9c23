//! The built-in table against the third-party sources of its 2026-12-07 update
//! (`tests/fixtures/openai/pricing-sources-2026-12-07.json`, written by
//! `scripts/pricing-sources.py` from litellm 1.110.2 and genai-prices 0.2.5 as published on
//! PyPI that day). Every price both sources give with the same number is what the table charges
//! (apart from the commented allow-list), every entry the older references do not have is priced
//! as a source says, and a handful of that day's corrections are pinned by number, so a
//! regenerated fixture cannot move them silently.

use super::super::*;
use super::close;
use serde_json::Value;

const FIXTURE: &str = "pricing-sources-2026-12-07.json";
const SOURCES: [&str; 2] = ["litellm", "genai_prices"];

pub(super) fn fixture() -> Value {
    let path = format!(
        "{}/../../tests/fixtures/openai/{FIXTURE}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The token count one price field prices.
type Count = fn(&mut CompletionTokens) -> &mut u64;

/// The price file's token fields, each with the token count it prices.
const FIELDS: [(&str, Count); 10] = [
    ("input", |t| &mut t.text_input),
    ("cached_input", |t| &mut t.text_cached),
    ("output", |t| &mut t.text_output),
    ("cache_write", |t| &mut t.cache_write),
    ("audio_input", |t| &mut t.audio_input),
    ("audio_cached_input", |t| &mut t.audio_cached),
    ("audio_output", |t| &mut t.audio_output),
    ("image_input", |t| &mut t.image_input),
    ("image_cached_input", |t| &mut t.image_cached),
    ("image_output", |t| &mut t.image_output),
];

/// What the app charges for 1M tokens of one kind at `p` (through [`Price::quote`], so a
/// missing field counts at its fallback: cached at input, cache write at input, audio and image
/// at the text prices where the entry has one price for all); `None` is unpriced.
fn charged(p: &Price, count: Count) -> Option<f64> {
    let mut t = CompletionTokens::default();
    *count(&mut t) = 1_000_000;
    p.quote(&t).map(|q| q.usd)
}

/// A source's number for `model` at `tier`, `field`.
fn stated(m: &Value, source: &str, tier: Tier, field: &str) -> Option<f64> {
    m[source][tier.as_str()][field].as_f64()
}

/// Prices both sources agree on that the table leaves out on purpose: (model, tier, field, why).
const NOT_TAKEN: &[(&str, Tier, &str, &str)] = &[
    // genai-prices files gpt-image-* image output under `output` and litellm adds text output to
    // none of them, so the two never agree on a number there; nothing is allow-listed today.
];

#[test]
fn the_fixture_names_its_sources_and_the_table_its_date() {
    let fx = fixture();
    let meta = &fx["_meta"];
    assert_eq!(meta["as_of"], "2026-12-07");
    assert_eq!(PriceTable::builtin().compiled, "2026-12-07");
    for (source, package, version) in [
        ("litellm", "litellm", "1.110.2"),
        ("genai_prices", "genai-prices", "0.2.5"),
    ] {
        let s = &meta["sources"][source];
        assert_eq!(
            (s["package"].as_str(), s["version"].as_str()),
            (Some(package), Some(version))
        );
        let sha = s["wheel_sha256"].as_str().unwrap();
        assert!(
            sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{sha}"
        );
    }
}

#[test]
fn builtin_has_every_price_both_sources_agree_on() {
    let fx = fixture();
    let t = PriceTable::builtin();
    let mut checked = 0;
    for (model, m) in fx["models"].as_object().unwrap() {
        if SOURCES.iter().any(|s| m.get(*s).is_none()) {
            continue;
        }
        for tier in Tier::ALL {
            for (field, count) in FIELDS {
                let (Some(a), Some(b)) = (
                    stated(m, "litellm", tier, field),
                    stated(m, "genai_prices", tier, field),
                ) else {
                    continue;
                };
                if a != b
                    || NOT_TAKEN
                        .iter()
                        .any(|(n, t, f, _)| (*n, *t, *f) == (model.as_str(), tier, field))
                {
                    continue;
                }
                let got = t
                    .lookup(model, tier)
                    .unwrap_or_else(|| panic!("{model} {tier}: both sources give {field} {a}"));
                let ctx = format!("{model} {tier} {field}: both sources say {a}");
                let have = charged(got, count).unwrap_or_else(|| panic!("{ctx}, unpriced"));
                assert!(
                    (have - a).abs() <= 1e-12 * a.abs().max(1.0),
                    "{ctx}, the table charges {have}"
                );
                checked += 1;
            }
        }
    }
    // A fixture that lost one source's entries would pass the loop above vacuously.
    assert!(checked > 500, "only {checked} agreed prices checked");
}

/// Every price `model` has at `tier` in the table is a number one of the sources gives for it
/// there (which one is in the table's comment). For the entries the 2026-12-07 update added,
/// which the older references do not have (reference.rs asks for this).
pub(super) fn assert_priced_as_a_source_says(t: &PriceTable, fx: &Value, model: &str, tier: Tier) {
    let m = &fx["models"][model];
    let got = t.lookup(model, tier).unwrap();
    assert!(
        SOURCES.iter().any(|s| m[*s][tier.as_str()].is_object()),
        "{model} {tier}: no source lists it"
    );
    let explicit = [
        ("input", got.text.input),
        ("cached_input", got.text.cached_input),
        ("output", got.text.output),
        ("cache_write", got.cache_write),
        ("audio_input", got.audio.input),
        ("audio_cached_input", got.audio.cached_input),
        ("audio_output", got.audio.output),
        ("image_input", got.image.input),
        ("image_cached_input", got.image.cached_input),
        ("image_output", got.image.output),
    ];
    for (field, have) in explicit {
        let Some(have) = have else { continue };
        let says: Vec<f64> = SOURCES
            .iter()
            .filter_map(|s| stated(m, s, tier, field))
            .collect();
        assert!(
            says.contains(&have),
            "{model} {tier} {field} = {have}; the sources say {says:?}"
        );
    }
}

#[test]
fn corrections_of_2026_12_07_are_pinned() {
    let t = PriceTable::builtin();
    let p = |m: &str, tier| {
        t.lookup(m, tier)
            .unwrap_or_else(|| panic!("{m} {tier} missing"))
    };
    // Batch cached input of the GPT-5 family: the fallback was the batch input price, 10 times
    // too high (0.625 for gpt-5).
    assert_eq!(p("gpt-5", Tier::Batch).text.cached_input, Some(0.0625));
    assert_eq!(
        p("gpt-5-mini-2025-08-07", Tier::Batch).text.cached_input,
        Some(0.0125)
    );
    let q = p("gpt-5", Tier::Batch)
        .quote(&CompletionTokens::text(1_000_000, 1_000_000, 0))
        .unwrap();
    close(q.usd, 0.0625);
    // The GPT-6 family, at every tier both sources list.
    let sol = p("gpt-6-sol", Tier::Standard);
    assert_eq!(
        (sol.text, sol.cache_write),
        (
            Rates {
                input: Some(2.0),
                cached_input: Some(0.2),
                output: Some(10.0)
            },
            Some(2.5)
        )
    );
    assert_eq!(p("gpt-6-astra", Tier::Priority).text.input, Some(20.0));
    assert_eq!(
        p("gpt-6.1-terra", Tier::Flex).text.cached_input,
        Some(0.025)
    );
    // gpt-5.5's flex was there; its priority was missing.
    assert_eq!(
        p("gpt-5.5", Tier::Priority).text,
        Rates {
            input: Some(12.5),
            cached_input: Some(1.25),
            output: Some(75.0)
        }
    );
    assert_eq!(p("gpt-5.1", Tier::Flex).text.input, Some(0.625));
    // Both sources contradicted 0.125 (half the standard 0.25): they give OpenAI's 0.13.
    assert_eq!(p("gpt-5.4", Tier::Flex).text.cached_input, Some(0.13));
    assert_eq!(p("o4-mini", Tier::Flex).text.cached_input, Some(0.138));
    // The bare gpt-5.6 is gpt-5.6-sol; sol's prices are no longer an assumption (genai-prices
    // has the 2026-08-21 cut now).
    assert_eq!(p("gpt-5.6", Tier::Batch), p("gpt-5.6-sol", Tier::Batch));
    assert_eq!(p("gpt-5.6-sol", Tier::Standard).assumption, None);
    assert_eq!(p("chat-latest", Tier::Standard).text.output, Some(30.0));
    assert_eq!(p("gpt-5.3", Tier::Standard).text.input, Some(1.75));
    // Source tiers that are no table tier (fast, ultrafast) are not modelled: still 4 tiers.
    assert_eq!(Tier::ALL.len(), 4);
}

#[test]
fn no_model_the_simulator_uses_as_unknown_is_priced() {
    // The simulator names a gpt-6.9* / gpt-7* model as "a model the built-in table does not
    // know"; neither source lists one today, and none may be added.
    let t = PriceTable::builtin();
    let fx = fixture();
    let forbidden = |m: &str| m.starts_with("gpt-6.9") || m.starts_with("gpt-7");
    assert!(
        !fx["models"]
            .as_object()
            .unwrap()
            .keys()
            .any(|m| forbidden(m))
    );
    for tier in Tier::ALL {
        for m in ["gpt-6.9", "gpt-6.9-preview", "gpt-7"] {
            assert_eq!(t.lookup(m, tier), None, "{m}");
        }
    }
    assert!(!t.completions.keys().any(|m| forbidden(m)));
}
