//! The built-in table against the reference data it was compiled from
//! (`tests/fixtures/openai/pricing-reference*.json`, copies of `shared/openai/`): every number
//! there is in the table under every name the reference gives, and the table has nothing else,
//! apart from the documented choices asserted at the end. The 2026-12-07 update (sources.rs)
//! added entries and changed a few prices on purpose: each change is listed here, with the older
//! reference's number still checked, and each added entry must be priced as a current source says.

use super::super::*;
use serde_json::Value;
use std::collections::HashSet;

fn load(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/openai/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// The reference's names for an entry: the key (up to a space: "ft:gpt-4o-2024-08-06
/// (inference)") and its aliases (up to a space: "gpt-audio-1.5 (same prices ...)"), without
/// wildcards, which no lookup supports.
fn names(key: &str, entry: &Value) -> Vec<String> {
    let mut out = vec![];
    if !key.contains('/') {
        out.push(key.split(' ').next().unwrap().to_owned());
    }
    for a in entry["aliases"].as_array().into_iter().flatten() {
        let a = a.as_str().unwrap().split(' ').next().unwrap();
        if !a.ends_with('*') {
            out.push(a.to_owned());
        }
    }
    out
}

/// Text prices the 2026-12-07 update changed from the older reference on purpose, because
/// litellm 1.110.2 and genai-prices 0.2.5 both give the new number (sources.rs checks it against
/// their fixture): (model, tier, field, the older reference's number, the table's now).
const UPDATED: &[(&str, Tier, &str, Option<f64>, f64)] = &[
    // Batch cached input: the reference had none (cached input then fell back to the batch
    // input price, 10 times too high).
    ("gpt-5", Tier::Batch, "cached_input", None, 0.0625),
    ("gpt-5-mini", Tier::Batch, "cached_input", None, 0.0125),
    ("gpt-5-nano", Tier::Batch, "cached_input", None, 0.0025),
    ("gpt-5.2", Tier::Batch, "cached_input", None, 0.0875),
    ("gpt-5.4", Tier::Batch, "cached_input", None, 0.13),
    ("gpt-5.4-mini", Tier::Batch, "cached_input", None, 0.0375),
    ("gpt-5.4-nano", Tier::Batch, "cached_input", None, 0.01),
    ("gpt-5.5", Tier::Batch, "cached_input", None, 0.25),
    (
        "gpt-4o-mini-search-preview",
        Tier::Standard,
        "cached_input",
        None,
        0.075,
    ),
    // Flex cached input: the reference had half the standard price; both sources give OpenAI's
    // rounded figure.
    ("gpt-5.4", Tier::Flex, "cached_input", Some(0.125), 0.13),
    ("o4-mini", Tier::Flex, "cached_input", Some(0.1375), 0.138),
];

/// (model, tier) prices the older reference has none of (null there) and the 2026-12-07 update
/// added, both sources giving them (numbers checked in sources.rs).
const ADDED_TIERS: &[(&str, Tier)] = &[
    ("gpt-5.1", Tier::Batch),
    ("gpt-5.1", Tier::Flex),
    ("gpt-5.2", Tier::Flex),
    ("gpt-5.5", Tier::Priority),
];

/// The reference's number for `field`, or the updated one where [`UPDATED`] lists it (after
/// checking the reference still says what that list says it said).
fn want_text(name: &str, tier: Tier, field: &str, want: &Value) -> Option<f64> {
    let base = strip_date_suffix(name).unwrap_or(name);
    let reference = f(&want[field]);
    match UPDATED
        .iter()
        .find(|(m, t, fl, ..)| (*m, *t, *fl) == (base, tier, field))
    {
        Some((.., old, new)) => {
            assert_eq!(reference, *old, "{name} {tier} {field}: reference changed");
            Some(*new)
        }
        None => reference,
    }
}

struct Seen(HashSet<(Tier, String)>);

impl Seen {
    /// Checks `got`'s text rates against a reference tier entry, under each name.
    fn text(&mut self, t: &PriceTable, names: &[String], tier: Tier, want: &Value) {
        for name in names {
            let got = t
                .lookup(name, tier)
                .unwrap_or_else(|| panic!("{name} {tier} missing"));
            let ctx = format!("{name} {tier}");
            let want = |field| want_text(name, tier, field, want);
            assert_eq!(got.text.input, want("input"), "{ctx}");
            assert_eq!(got.text.cached_input, want("cached_input"), "{ctx}");
            assert_eq!(got.text.output, want("output"), "{ctx}");
            self.0
                .insert((tier, strip_date_suffix(name).unwrap_or(name).to_owned()));
        }
    }
}

#[test]
fn builtin_has_every_priced_completions_entry_of_the_references() {
    let (base, extra) = (
        load("pricing-reference.json"),
        load("pricing-reference-extra.json"),
    );
    let t = PriceTable::builtin();
    // Compiled from this reference on 2026-12-01, brought up to date on 2026-12-07 from the
    // current sources (sources.rs checks that date against their fixture).
    assert_eq!(extra["_meta"]["compiled"].as_str(), Some("2026-12-01"));
    assert_eq!(t.compiled, "2026-12-07");
    let sources = super::sources::fixture();
    let mut seen = Seen(HashSet::new());
    let tiered = base["models"].as_object().unwrap().iter().chain(
        extra["completions_additional_models"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| !k.starts_with('_')),
    );
    for (key, entry) in tiered {
        let names = names(key, entry);
        for tier in Tier::ALL {
            match entry.get(tier.as_str()).filter(|v| !v.is_null()) {
                Some(want) => seen.text(t, &names, tier, want),
                None => {
                    for n in &names {
                        let base = strip_date_suffix(n).unwrap_or(n);
                        if ADDED_TIERS.contains(&(base, tier)) {
                            super::sources::assert_priced_as_a_source_says(t, &sources, n, tier);
                            seen.0.insert((tier, base.to_owned()));
                        } else {
                            assert_eq!(t.lookup(n, tier), None, "{n} {tier} has no source");
                        }
                    }
                }
            }
        }
        // Text models price every modality at their text rates.
        assert!(
            t.lookup(&names[0], Tier::Standard)
                .unwrap()
                .one_price_all_modalities,
            "{key}"
        );
    }

    for (key, entry) in extra["completions_audio_image_tokens"].as_object().unwrap() {
        if key.starts_with('_') {
            continue;
        }
        for name in names(key, entry) {
            // Both audio-preview snapshots claim the undated alias; it is the current one (the
            // 2024-12-17 prices, per the OpenAI page), asserted by the 2024-12-17 entry.
            if key == "gpt-4o-audio-preview-2024-10-01" && name == "gpt-4o-audio-preview" {
                continue;
            }
            let got = t
                .lookup(&name, Tier::Standard)
                .unwrap_or_else(|| panic!("{name} missing"));
            for (modality, rates) in [
                ("text", got.text),
                ("audio", got.audio),
                ("image", got.image),
            ] {
                let want = &entry[modality];
                let ctx = format!("{name} {modality}");
                assert_eq!(rates.input, f(&want["input"]), "{ctx}");
                assert_eq!(rates.cached_input, f(&want["cached_input"]), "{ctx}");
                assert_eq!(rates.output, f(&want["output"]), "{ctx}");
            }
            assert!(
                !got.one_price_all_modalities,
                "{name} has prices by modality"
            );
            seen.0.insert((
                Tier::Standard,
                strip_date_suffix(&name).unwrap_or(&name).to_owned(),
            ));
        }
    }

    let cw = &extra["completions_cache_write"];
    for model in ["gpt-5.6-terra", "gpt-5.6-luna"] {
        let want = &cw[model]["standard"];
        let got = t.lookup(model, Tier::Standard).unwrap();
        assert_eq!(got.cache_write, f(&want["cache_write"]), "{model}");
        seen.text(t, &[model.to_owned()], Tier::Standard, want);
        assert_eq!(got.assumption, None);
    }
    // gpt-5.6-sol: genai-prices and litellm 1.110.2 disagreed; priced at litellm (newer). Since
    // genai-prices 0.2.5 has the 2026-08-21 price cut both agree, so it is no longer assumed.
    let sol = t.lookup("gpt-5.6-sol", Tier::Standard).unwrap();
    let litellm = &cw["gpt-5.6-sol"]["conflicts"]["litellm_1_110_2"];
    assert!(
        litellm
            .as_str()
            .unwrap()
            .starts_with("input 4.0, cache_write 5.0")
    );
    assert_eq!(
        sol.text,
        Rates {
            input: Some(4.0),
            cached_input: Some(0.4),
            output: Some(20.0)
        }
    );
    assert_eq!(sol.cache_write, Some(5.0));
    assert_eq!(sol.assumption, None);
    super::sources::assert_priced_as_a_source_says(t, &sources, "gpt-5.6-sol", Tier::Standard);
    seen.0.insert((Tier::Standard, "gpt-5.6-sol".into()));

    // gpt-image-* at batch: token prices from the images section.
    for (model, entry) in extra["images"].as_object().unwrap() {
        let Some(want) = entry.get("batch_tokens_per_1m").filter(|v| !v.is_null()) else {
            continue;
        };
        let got = t
            .lookup(model, Tier::Batch)
            .unwrap_or_else(|| panic!("{model} batch"));
        assert_eq!(got.text.input, f(&want["text_input"]), "{model}");
        assert_eq!(
            got.text.cached_input,
            f(&want["text_cached_input"]),
            "{model}"
        );
        assert_eq!(got.text.output, f(&want["text_output"]), "{model}");
        assert_eq!(got.image.input, f(&want["image_input"]), "{model}");
        assert_eq!(got.image.output, f(&want["image_output"]), "{model}");
        seen.0.insert((Tier::Batch, model.clone()));
    }

    // Token-billed speech and transcription models, as completions token prices.
    let tts = &extra["audio_speeches"]["gpt-4o-mini-tts"]["tokens_per_1m"];
    let got = t
        .lookup("gpt-4o-mini-tts-2025-12-15", Tier::Standard)
        .unwrap();
    assert_eq!(
        (got.text.input, got.audio.output),
        (f(&tts["text_input"]), f(&tts["audio_output"]))
    );
    seen.0.insert((Tier::Standard, "gpt-4o-mini-tts".into()));
    for (model, official_audio_in) in [("gpt-4o-transcribe", 2.5), ("gpt-4o-mini-transcribe", 1.25)]
    {
        let entry = &extra["audio_transcriptions"][model];
        let want = &entry["tokens_per_1m"];
        // The audio input price is the documented conflict: the OpenAI page's, assumed.
        let conflict = entry["conflicts"]["audio_input"].as_str().unwrap();
        assert!(
            conflict.contains(&format!("Input ${official_audio_in}")),
            "{conflict}"
        );
        for name in names(model, entry) {
            let got = t.lookup(&name, Tier::Standard).unwrap();
            assert_eq!(got.text.input, f(&want["text_input"]), "{name}");
            assert_eq!(got.text.output, f(&want["text_output"]), "{name}");
            assert_eq!(got.audio.input, Some(official_audio_in), "{name}");
            assert_eq!(got.assumption, Some(Assumption::SourcesDisagree), "{name}");
            assert_eq!(
                t.transcription(&name, 60),
                t.transcription(model, 60),
                "{name}"
            );
            seen.0.insert((Tier::Standard, name));
        }
    }

    let in_table: HashSet<(Tier, String)> = t
        .completions
        .iter()
        .flat_map(|(m, tiers)| {
            Tier::ALL
                .into_iter()
                .filter(|tier| tier.index().is_some_and(|i| tiers[i].is_some()))
                .map(|tier| (tier, m.clone()))
        })
        .map(|(tier, m)| (tier, strip_date_suffix(&m).unwrap_or(&m).to_owned()))
        .collect();
    // What the older references do not have was added on 2026-12-07 (new models, tiers and
    // names): each must be priced as a current source says.
    let mut added = 0;
    for (tier, model) in in_table.difference(&seen.0) {
        super::sources::assert_priced_as_a_source_says(t, &sources, model, *tier);
        added += 1;
    }
    assert!(added > 50, "only {added} entries added on 2026-12-07");
}

#[test]
fn builtin_has_every_priced_unit_of_the_reference() {
    let extra = load("pricing-reference-extra.json");
    let t = PriceTable::builtin();
    for (model, entry) in extra["embeddings"].as_object().unwrap() {
        if model.starts_with('_') {
            continue;
        }
        assert_eq!(
            t.embeddings[model][0],
            f(&entry["standard"]["input"]),
            "{model}"
        );
    }
    // litellm's batch price sits on the -v2 name only (the name the Usage API reports).
    assert_eq!(
        t.embeddings["text-embedding-ada-002-v2"][Tier::Batch.index().unwrap()],
        Some(0.05)
    );
    assert_eq!(
        t.embeddings["text-embedding-3-large"][Tier::Batch.index().unwrap()],
        Some(0.065)
    );

    let images = &extra["images"];
    assert_eq!(
        serde_json::to_value(&t.images["dall-e-2"].sizes).unwrap(),
        images["dall-e-2"]["per_image"]
    );
    for (model, field, assumed) in [
        ("dall-e-3", "per_image", "hd"),
        ("gpt-image-1", "per_image_estimate", "high"),
        ("gpt-image-1-mini", "per_image_estimate", "high"),
        ("gpt-image-1.5", "per_image_estimate", "high"),
    ] {
        let got = &t.images[model];
        assert_eq!(
            serde_json::to_value(&got.qualities).unwrap(),
            images[model][field],
            "{model}"
        );
        assert_eq!(got.assumed_quality.as_deref(), Some(assumed), "{model}");
        assert_eq!(got.sizes, got.qualities[assumed]);
    }
    assert!(images["gpt-image-2"]["per_image_estimate"].is_null());
    assert_eq!(
        t.images.len(),
        5,
        "dall-e-2, dall-e-3 and three gpt-image models"
    );

    let speech = &extra["audio_speeches"];
    assert_eq!(
        Some(t.speech["tts-1"].usd),
        f(&speech["tts-1"]["per_1m_characters"])
    );
    assert_eq!(
        Some(t.speech["tts-1-hd"].usd),
        f(&speech["tts-1-hd"]["per_1m_characters"])
    );
    assert_eq!(
        Some(t.speech["gpt-4o-mini-tts"].usd),
        f(&speech["gpt-4o-mini-tts"]["empirical_per_1m_characters"])
    );

    for (model, entry) in extra["audio_transcriptions"].as_object().unwrap() {
        if model.starts_with('_') {
            continue;
        }
        let got = t.transcription[model];
        match f(&entry["per_minute"]) {
            Some(p) => assert_eq!((got.usd, got.assumption), (p, None), "{model}"),
            None => assert_eq!(
                (Some(got.usd), got.assumption),
                (
                    f(&entry["per_minute_estimate"]),
                    Some(Assumption::TokenBilledEstimate)
                ),
                "{model}"
            ),
        }
    }

    let web = &extra["web_search_calls"]["pricing_periods"][2]["per_1k_calls"];
    let (ga, preview_4o) = (
        f(&web["web_search (GA), all models"]),
        f(&web["web_search_preview, non-reasoning models (gpt-4o*, gpt-4.1*)"]),
    );
    for (model, p) in &t.web_search {
        let reasoning =
            model.starts_with("gpt-5") || model.starts_with("o3") || model.starts_with("o4");
        if reasoning {
            assert_eq!((Some(p.usd), p.assumption), (ga, None), "{model}");
        } else if model.ends_with("-search-preview") {
            assert_eq!((Some(p.usd), p.assumption), (preview_4o, None), "{model}");
        } else {
            assert_eq!(
                (Some(p.usd), p.assumption),
                (preview_4o, Some(Assumption::WebSearchToolVersion)),
                "{model}"
            );
        }
        assert!(
            t.lookup(model, Tier::Standard).is_some(),
            "{model} is a completions model"
        );
    }
    assert_eq!(
        Some(t.file_search.unwrap().usd),
        f(&extra["file_search_calls"]["price_per_1k_calls"])
    );
}
