//! Completions tokens: the split of a wire row, and each term of the cost pinned by hand.

use super::super::*;
use super::close;
use proptest::prelude::*;

fn fixture(path: &str) -> serde_json::Value {
    let path = format!(
        "{}/../../tests/fixtures/openai/examples/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn row_of(v: &serde_json::Value) -> CompletionsRow {
    let n = |f: &str| v.get(f).and_then(serde_json::Value::as_u64).unwrap_or(0);
    CompletionsRow {
        input_tokens: n("input_tokens"),
        input_cached_tokens: n("input_cached_tokens"),
        input_cache_write_tokens: n("input_cache_write_tokens"),
        output_tokens: n("output_tokens"),
        input_audio_tokens: n("input_audio_tokens"),
        input_cached_audio_tokens: n("input_cached_audio_tokens"),
        output_audio_tokens: n("output_audio_tokens"),
        input_image_tokens: n("input_image_tokens"),
        input_cached_image_tokens: n("input_cached_image_tokens"),
        output_image_tokens: n("output_image_tokens"),
    }
}

#[test]
fn the_spec_example_row_splits_into_disjoint_parts_matching_its_text_fields() {
    let v = fixture("objects/usage_completions_result.json");
    let t = CompletionTokens::from_row(&row_of(&v));
    let n = |f: &str| v[f].as_u64().unwrap();
    // The text parts are the remainders; the spec's own text fields must agree with them.
    assert_eq!(t.text_input, n("input_text_tokens"));
    assert_eq!(t.text_cached, n("input_cached_text_tokens"));
    assert_eq!(t.text_output, n("output_text_tokens"));
    assert_eq!(
        (t.audio_input, t.audio_cached, t.audio_output),
        (300, 100, 100)
    );
    assert_eq!(
        (t.image_input, t.image_cached, t.image_output),
        (200, 200, 100)
    );
    assert_eq!(t.cache_write, 200);
    assert_eq!(t.input(), n("input_tokens"));
    assert_eq!(t.cached(), n("input_cached_tokens"));
    assert_eq!(t.output(), n("output_tokens"));
    assert_eq!(
        t.text_input + t.audio_input + t.image_input,
        n("input_uncached_tokens")
    );
}

#[test]
fn a_legacy_row_is_all_text_and_older_audio_is_audio() {
    for path in [
        "legacy/usage_completions.2025-04-29_498c71d.json",
        "legacy/usage_completions.2026-05-13_5162af9.json",
    ] {
        let v = fixture(path);
        let r = &v["data"][0]["results"][0];
        let t = CompletionTokens::from_row(&row_of(r));
        let n = |f: &str| r[f].as_u64().unwrap();
        assert_eq!(
            t.text_input,
            n("input_tokens") - n("input_cached_tokens"),
            "{path}"
        );
        assert_eq!(t.text_cached, n("input_cached_tokens"), "{path}");
        assert_eq!(t.text_output, n("output_tokens"), "{path}");
        assert_eq!(
            t.input() + t.output(),
            n("input_tokens") + n("output_tokens")
        );
    }
    let t = CompletionTokens::from_row(&CompletionsRow {
        input_tokens: 1000,
        input_cached_tokens: 100,
        output_tokens: 500,
        input_audio_tokens: 300,
        output_audio_tokens: 200,
        ..CompletionsRow::default()
    });
    assert_eq!(
        (t.text_input, t.audio_input, t.text_cached),
        (600, 300, 100)
    );
    assert_eq!((t.text_output, t.audio_output), (300, 200));
}

#[test]
fn parts_larger_than_their_totals_are_clamped_never_counted_twice() {
    let t = CompletionTokens::from_row(&CompletionsRow {
        input_tokens: 100,
        input_cached_tokens: 80,
        input_cache_write_tokens: 50, // only 20 left after the cached 80
        output_tokens: 10,
        input_audio_tokens: 7, // nothing uncached is left
        input_cached_audio_tokens: 60,
        input_cached_image_tokens: 60, // only 20 cached left after audio
        output_image_tokens: 99,
        ..CompletionsRow::default()
    });
    assert_eq!(t.cache_write, 20);
    assert_eq!((t.text_input, t.audio_input, t.image_input), (0, 0, 0));
    assert_eq!((t.audio_cached, t.image_cached, t.text_cached), (60, 20, 0));
    assert_eq!((t.image_output, t.text_output), (10, 0));
}

#[test]
fn sums_of_huge_server_numbers_saturate() {
    let huge = CompletionTokens::from_row(&CompletionsRow {
        input_tokens: u64::MAX,
        input_cached_tokens: u64::MAX - 1,
        output_tokens: u64::MAX,
        output_audio_tokens: u64::MAX - 1,
        ..CompletionsRow::default()
    });
    let mut sum = huge;
    sum.add(&huge);
    assert_eq!(
        (sum.input(), sum.cached(), sum.output()),
        (u64::MAX, u64::MAX, u64::MAX)
    );
    assert_eq!(sum.audio_output, u64::MAX);
    assert!(distinct().quote(&sum).unwrap().usd.is_finite());
}

proptest! {
    #[test]
    fn every_token_lands_in_exactly_one_part(
        input in 0u64..1 << 40, cached in 0u64..1 << 40, write in 0u64..1 << 40,
        output in 0u64..1 << 40, parts in proptest::array::uniform6(0u64..1 << 40),
    ) {
        let t = CompletionTokens::from_row(&CompletionsRow {
            input_tokens: input,
            input_cached_tokens: cached,
            input_cache_write_tokens: write,
            output_tokens: output,
            input_audio_tokens: parts[0],
            input_cached_audio_tokens: parts[1],
            output_audio_tokens: parts[2],
            input_image_tokens: parts[3],
            input_cached_image_tokens: parts[4],
            output_image_tokens: parts[5],
        });
        prop_assert_eq!(t.input(), input);
        prop_assert_eq!(t.output(), output);
        prop_assert_eq!(t.cached(), cached.min(input));
    }
}

/// Every rate different, so a term priced at the wrong rate shows.
fn distinct() -> Price {
    Price {
        text: Rates {
            input: Some(1.0),
            cached_input: Some(0.3),
            output: Some(7.0),
        },
        audio: Rates {
            input: Some(11.0),
            cached_input: Some(1.3),
            output: Some(17.0),
        },
        image: Rates {
            input: Some(23.0),
            cached_input: Some(2.9),
            output: Some(31.0),
        },
        cache_write: Some(1.7),
        ..Price::default()
    }
}

#[test]
fn each_term_is_priced_at_its_own_rate_per_1m() {
    type Set = fn(&mut CompletionTokens, u64);
    let terms: [(&str, Set, f64); 10] = [
        ("uncached text", |t, n| t.text_input = n, 1.0),
        ("cached text", |t, n| t.text_cached = n, 0.3),
        ("text output", |t, n| t.text_output = n, 7.0),
        ("cache write", |t, n| t.cache_write = n, 1.7),
        ("audio input", |t, n| t.audio_input = n, 11.0),
        ("cached audio", |t, n| t.audio_cached = n, 1.3),
        ("audio output", |t, n| t.audio_output = n, 17.0),
        ("image input", |t, n| t.image_input = n, 23.0),
        ("cached image", |t, n| t.image_cached = n, 2.9),
        ("image output", |t, n| t.image_output = n, 31.0),
    ];
    let p = distinct();
    let mut all = CompletionTokens::default();
    let mut expected = 0.0;
    for (i, (name, set, rate)) in terms.iter().enumerate() {
        let n = 250_000 * (i as u64 + 1);
        let mut t = CompletionTokens::default();
        set(&mut t, n);
        set(&mut all, n);
        let q = p.quote(&t).unwrap();
        // n tokens × rate per 1M: 250k × 1 = 0.25, 500k × 0.3 = 0.15, ...
        assert!(
            (q.usd - n as f64 * rate / 1e6).abs() < 1e-12,
            "{name}: {}",
            q.usd
        );
        assert_eq!(q.basis, Basis::Exact, "{name}");
        expected += n as f64 * rate / 1e6;
    }
    close(p.quote(&all).unwrap().usd, expected);
}

#[test]
fn the_spec_example_row_costs_the_hand_computed_sum() {
    let t = CompletionTokens::from_row(&row_of(&fixture("objects/usage_completions_result.json")));
    // text 2500×1 + 1500×0.3 + 800×7 = 2500 + 450 + 5600
    // write 200×1.7 = 340
    // audio 300×11 + 100×1.3 + 100×17 = 3300 + 130 + 1700
    // image 200×23 + 200×2.9 + 100×31 = 4600 + 580 + 3100
    // = 22300 per 1M → 0.0223 USD
    close(distinct().quote(&t).unwrap().usd, 0.0223);
}

#[test]
fn cached_input_without_a_price_is_billed_at_the_input_price() {
    let p = Price::text(2.5, None, 10.0);
    // 1M input of which 400k cached, 500k output: 1M × 2.5 + 0.5M × 10 = 7.5
    close(p.cost(1_000_000, 400_000, 500_000).unwrap(), 7.5);
    let p = Price::text(2.5, Some(1.25), 10.0);
    // 600k × 2.5 + 400k × 1.25 + 500k × 10 = 1.5 + 0.5 + 5.0 = 7.0
    close(p.cost(1_000_000, 400_000, 500_000).unwrap(), 7.0);
    // More cached than input (a malformed row) never goes negative.
    assert!(p.cost(10, 20, 0).unwrap() >= 0.0);
    // Totals without their split cannot be priced for a model that prices audio apart.
    let audio = PriceTable::builtin()
        .lookup("gpt-4o-audio-preview", Tier::Standard)
        .unwrap();
    assert_eq!(audio.cost(1000, 0, 1000), None);
    let split = CompletionTokens::text(1_000_000, 0, 1_000_000);
    close(audio.quote(&split).unwrap().usd, 12.5);
}

#[test]
fn cache_writes_without_a_price_are_billed_at_input_as_an_assumption() {
    let p = Price::text(2.0, Some(0.5), 8.0);
    let t = CompletionTokens {
        cache_write: 1_000_000,
        text_input: 1_000_000,
        ..CompletionTokens::default()
    };
    let q = p.quote(&t).unwrap();
    close(q.usd, 4.0);
    assert_eq!(
        q.basis,
        Basis::Assumed(Assumptions::of(Assumption::CacheWriteAtInputPrice))
    );
    // No cache writes: nothing assumed.
    assert!(
        p.quote(&CompletionTokens::text(10, 0, 10))
            .unwrap()
            .is_exact()
    );
    // gpt-5.6-terra has its own cache-write price (2.5): exact.
    let q = PriceTable::builtin()
        .completions("gpt-5.6-terra", Tier::Standard, &t)
        .unwrap();
    close(q.usd, 2.0 + 2.5);
    assert!(q.is_exact());
}

#[test]
fn audio_and_image_fall_back_to_text_only_where_the_table_says_one_price() {
    let t = CompletionTokens {
        audio_input: 1_000_000,
        image_output: 1_000_000,
        ..CompletionTokens::default()
    };
    let mut p = Price {
        one_price_all_modalities: false,
        ..Price::text(2.0, Some(0.5), 8.0)
    };
    assert_eq!(
        p.quote(&t),
        None,
        "no audio/image price and no one-price flag: unpriced"
    );
    p.one_price_all_modalities = true;
    close(p.quote(&t).unwrap().usd, 2.0 + 8.0);
    // A model's own modality price wins over the fallback.
    p.audio.input = Some(40.0);
    close(p.quote(&t).unwrap().usd, 40.0 + 8.0);
    // A part with no tokens needs no price.
    let q = Price::text(2.0, None, 8.0).quote(&CompletionTokens::text(1_000_000, 0, 0));
    close(q.unwrap().usd, 2.0);
}

#[test]
fn builtin_models_price_their_modalities() {
    let table = PriceTable::builtin();
    let q = |model: &str, t: CompletionTokens| table.completions(model, Tier::Standard, &t);
    let audio = CompletionTokens {
        text_input: 1_000_000,
        audio_input: 1_000_000,
        audio_output: 1_000_000,
        text_output: 1_000_000,
        ..CompletionTokens::default()
    };
    // gpt-4o-audio-preview: text 2.5 / 10, audio 40 / 80.
    close(
        q("gpt-4o-audio-preview-2024-12-17", audio).unwrap().usd,
        2.5 + 40.0 + 80.0 + 10.0,
    );
    // gpt-realtime: cached audio 0.4.
    let cached_audio = CompletionTokens {
        audio_cached: 1_000_000,
        ..CompletionTokens::default()
    };
    close(q("gpt-realtime-2025-08-28", cached_audio).unwrap().usd, 0.4);
    // gpt-image-1: image out 40; it has no text output price, so text output is unpriced.
    let image = CompletionTokens {
        image_output: 1_000_000,
        text_input: 1_000_000,
        ..CompletionTokens::default()
    };
    close(q("gpt-image-1", image).unwrap().usd, 5.0 + 40.0);
    assert_eq!(q("gpt-image-1", CompletionTokens::text(0, 0, 1)), None);
    // gpt-4o (a text model) prices image input at its text rate.
    let vision = CompletionTokens {
        image_input: 1_000_000,
        ..CompletionTokens::default()
    };
    close(q("gpt-4o-2024-08-06", vision).unwrap().usd, 2.5);
    // gpt-realtime has no image output price.
    let image_out = CompletionTokens {
        image_output: 1,
        ..CompletionTokens::default()
    };
    assert_eq!(q("gpt-realtime", image_out), None);
    // gpt-4o-transcribe's sources disagree (audio input): priced, but assumed. gpt-5.6-sol was
    // the example until 2026-12-07, when genai-prices 0.2.5 came to agree with litellm: exact.
    let text = CompletionTokens::text(1_000_000, 0, 0);
    assert_eq!(
        q("gpt-4o-transcribe", text).unwrap().basis,
        Basis::Assumed(Assumptions::of(Assumption::SourcesDisagree))
    );
    assert_eq!(q("gpt-5.6-sol", text).unwrap().basis, Basis::Exact);
}
