//! The price file format: the old token-only files stay valid, the new units parse, and every
//! mistake is one line naming the file, the table, the model and the field.

use super::super::*;
use super::close;

fn parse(text: &str) -> Result<PriceTable, PricingError> {
    file::parse(text, "prices.toml")
}

#[test]
fn overrides_replace_and_extend() {
    let o = parse(
        "[standard.\"gpt-4o\"]\ninput = 3.0\noutput = 12.0\n\n[flex.\"my-model\"]\ninput = 1\ncached_input = 0.1\noutput = 2\n",
    )
    .unwrap();
    let mut t = PriceTable::builtin().clone();
    t.extend(o);
    let p = t.lookup("gpt-4o-2024-08-06", Tier::Standard).unwrap();
    assert_eq!(*p, Price::text(3.0, None, 12.0));
    // A text-only entry still prices every token, as it did before modalities were priced apart.
    let image = CompletionTokens {
        image_input: 1_000_000,
        ..CompletionTokens::default()
    };
    close(
        t.completions("gpt-4o", Tier::Standard, &image).unwrap().usd,
        3.0,
    );
    let o = parse("[standard.\"m\"]\ninput = 1\noutput = 2\none_price_all_modalities = false\n");
    assert_eq!(o.unwrap().completions("m", Tier::Standard, &image), None);
    assert_eq!(
        t.lookup("my-model", Tier::Flex).unwrap().text.cached_input,
        Some(0.1)
    );
    // Other tiers of an overridden model stay.
    assert_eq!(
        t.lookup("gpt-4o", Tier::Batch).unwrap().text.input,
        Some(1.25)
    );
}

#[test]
fn override_files_take_every_unit() {
    let o = parse(
        r#"
[standard."my-audio"]
input = 1
audio_input = 10
audio_output = 20
cache_write = 1.5
assumption = "sources-disagree"

[embeddings."text-embedding-3-small"]
standard = 0.5

[images."dall-e-3"]
assumed_quality = "standard"
quality.standard = { "1024x1024" = 1 }
quality.hd = { "1024x1024" = 2 }

[speech."tts-1"]
per_1m_characters = 100

[transcription."my-whisper"]
per_minute = 1.2
assumption = "token-billed-estimate"

[web_search."gpt-4o"]
per_1k_calls = 10

[file_search]
per_1k_calls = 3

[aliases]
"my-audio-v2" = "my-audio"
"#,
    )
    .unwrap();
    let mut t = PriceTable::builtin().clone();
    t.extend(o);
    let tokens = CompletionTokens {
        audio_output: 1_000_000,
        ..CompletionTokens::default()
    };
    let q = t
        .completions("my-audio-v2", Tier::Standard, &tokens)
        .unwrap();
    close(q.usd, 20.0);
    assert_eq!(
        q.basis,
        Basis::Assumed(Assumptions::of(Assumption::SourcesDisagree))
    );
    close(
        t.embeddings("text-embedding-3-small", Tier::Standard, 2_000_000)
            .unwrap()
            .usd,
        1.0,
    );
    close(
        t.embeddings("text-embedding-3-large", Tier::Standard, 1_000_000)
            .unwrap()
            .usd,
        0.13,
    );
    close(
        t.images("dall-e-3", Some("1024x1024"), Some(IMAGE_GENERATION), 3)
            .unwrap()
            .usd,
        3.0,
    );
    close(t.speech("tts-1", 10_000).unwrap().usd, 1.0);
    let q = t.transcription("my-whisper", 30).unwrap();
    close(q.usd, 0.6);
    assert!(!q.is_exact());
    let q = t.web_search("gpt-4o", 1_000).unwrap();
    close(q.usd, 10.0);
    assert!(q.is_exact(), "the override carries no assumption");
    close(t.file_search(1_000).unwrap().usd, 3.0);
}

#[test]
fn bad_override_files_name_the_table_the_model_and_the_field() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[cheap.\"gpt-4o\"]\ninput = 1\noutput = 2\n",
            &["[cheap]", "prices.toml", "standard, batch"],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = 1\n",
            &["[standard.\"gpt-4o\"]", "lacks output"],
        ),
        (
            "[standard.\"gpt-4o\"]\noutput = 1\n",
            &["[standard.\"gpt-4o\"]", "lacks input"],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = \"a lot\"\noutput = 2\n",
            &["[standard.\"gpt-4o\"] input", "\"a lot\"", "not a number"],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = 1\noutput = 2\nouptut = 3\n",
            &[
                "[standard.\"gpt-4o\"] ouptut",
                "not a known field",
                "cached_input",
            ],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = -1\noutput = 2\n",
            &["[standard.\"gpt-4o\"] input", "-1.0", "0 or more"],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = nan\noutput = 2\n",
            &["input", "NaN", "gpt-4o"],
        ),
        (
            "[standard.\"gpt-4o\"]\ninput = 1\naudio_output = inf\n",
            &["[standard.\"gpt-4o\"] audio_output", "inf"],
        ),
        (
            "[standard.\"m\"]\ninput = 1\noutput = 2\nassumption = \"a guess\"\n",
            &[
                "[standard.\"m\"] assumption",
                "\"a guess\"",
                "image-quality",
            ],
        ),
        (
            "[standard.\"m\"]\ninput = 1\noutput = 2\none_price_all_modalities = \"yes\"\n",
            &["one_price_all_modalities", "true or false"],
        ),
        ("standard = 3\n", &["[standard]", "integer", "not a table"]),
        (
            "[standard]\n\"gpt-4o\" = 3\n",
            &["[standard.\"gpt-4o\"]", "not an entry"],
        ),
        (
            "[embeddings.\"e\"]\nstandard = \"x\"\n",
            &["[embeddings.\"e\"] standard", "1M input tokens"],
        ),
        (
            "[embeddings.\"e\"]\ncheap = 1\n",
            &[
                "[embeddings.\"e\"] cheap",
                "standard, batch, flex, priority",
            ],
        ),
        (
            "[embeddings.\"e\"]\n",
            &["[embeddings.\"e\"]", "lacks a price"],
        ),
        (
            "[images.\"d\"]\nsizes = { \"1024x1024\" = -2 }\n",
            &["[images.\"d\"] sizes.\"1024x1024\"", "per image"],
        ),
        (
            "[images.\"d\"]\nquality.hd = { \"1024x1024\" = 2 }\n",
            &["[images.\"d\"]", "lacks assumed_quality", "hd"],
        ),
        (
            "[images.\"d\"]\nassumed_quality = \"ultra\"\nquality.hd = { \"1024x1024\" = 2 }\n",
            &["[images.\"d\"] assumed_quality", "\"ultra\"", "(hd)"],
        ),
        (
            "[images.\"d\"]\nassumed_quality = \"hd\"\nsizes = { \"1024x1024\" = 2 }\n",
            &["[images.\"d\"] assumed_quality", "no quality levels"],
        ),
        (
            "[images.\"d\"]\nsizes = 2\n",
            &["[images.\"d\"] sizes", "= 2 is not a table"],
        ),
        (
            "[images.\"d\"]\nassumed_quality = \"hd\"\nquality = \"hd\"\n",
            &["[images.\"d\"] quality", "not a table", "quality.LEVEL"],
        ),
        (
            "[images.\"d\"]\n",
            &["[images.\"d\"]", "needs either sizes"],
        ),
        (
            "[speech.\"s\"]\nper_minute = 1\n",
            &["[speech.\"s\"] per_minute", "per_1m_characters"],
        ),
        (
            "[speech.\"s\"]\n",
            &["[speech.\"s\"]", "lacks per_1m_characters"],
        ),
        (
            "[transcription.\"w\"]\nper_minute = true\n",
            &["[transcription.\"w\"] per_minute", "minute of audio"],
        ),
        (
            "[web_search.\"g\"]\nper_1k_calls = -3\n",
            &["[web_search.\"g\"] per_1k_calls", "1,000 calls"],
        ),
        ("[file_search]\n", &["[file_search]", "lacks per_1k_calls"]),
        (
            "[aliases]\n\"a\" = \"nowhere\"\n",
            &["[aliases] a", "\"nowhere\"", "names no entry"],
        ),
        (
            "[aliases]\n\"a\" = 3\n",
            &["[aliases] a", "not a model name"],
        ),
        (
            "[standard.\"a\"]\ninput = 1\noutput = 1\n[standard.\"b\"]\ninput = 1\noutput = 1\n[aliases]\n\"a\" = \"b\"\n",
            &["[aliases] a", "already has an entry"],
        ),
        ("compiled = 2026\n", &["[compiled]", "YYYY-MM-DD"]),
        (
            "[standard.\"gpt-4o\"]\ninput = 1\n\nthis is not toml",
            &["prices.toml", "not TOML: line 4 `this is not toml`, column"],
        ),
    ];
    for (text, needles) in cases {
        let msg = parse(text).unwrap_err().to_string();
        assert!(!msg.contains('\n'), "one line: {msg:?}");
        assert!(
            msg.starts_with("invalid pricing file prices.toml: "),
            "{msg:?}"
        );
        for n in *needles {
            assert!(msg.contains(n), "{msg:?} should mention {n:?}");
        }
    }
}

#[test]
fn unreadable_override_file_names_the_path() {
    let err = PriceTable::with_overrides_from(std::path::Path::new("/nonexistent/prices.toml"))
        .unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/prices.toml"),
        "{err}"
    );
}

fn fixtures(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = format!(
        "{}/../../tests/fixtures/pricing/{dir}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn valid_fixture_files_load_over_the_builtin_table() {
    for path in fixtures("valid") {
        let t = PriceTable::with_overrides_from(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            t.len() > PriceTable::builtin().len(),
            "{path:?} adds a model"
        );
    }
    let t = PriceTable::load_overrides(&fixtures("valid")[0]).unwrap();
    // every-unit.toml: one of each, priced by hand.
    let tokens = CompletionTokens {
        cache_write: 1_000_000,
        image_output: 1_000_000,
        ..CompletionTokens::default()
    };
    close(
        t.completions("my-realtime", Tier::Standard, &tokens)
            .unwrap()
            .usd,
        5.0 + 20.0,
    );
    let image_in = CompletionTokens {
        image_input: 1_000_000,
        ..CompletionTokens::default()
    };
    close(
        t.completions("my-text-model-latest", Tier::Priority, &image_in)
            .unwrap()
            .usd,
        2.0,
    );
    close(
        t.completions("my-image-model", Tier::Batch, &image_in)
            .unwrap()
            .usd,
        5.0,
    );
    close(
        t.embeddings("my-embedding", Tier::Batch, 1_000_000)
            .unwrap()
            .usd,
        0.01,
    );
    close(
        t.images(
            "my-image-model",
            Some("1024x1024"),
            Some(IMAGE_GENERATION),
            5,
        )
        .unwrap()
        .usd,
        0.1,
    );
    let q = t
        .images(
            "my-quality-model",
            Some("1536x1024"),
            Some(IMAGE_GENERATION),
            1,
        )
        .unwrap();
    close(q.usd, 0.3);
    assert!(
        q.basis
            .assumptions()
            .contains(Assumption::TokenBilledEstimate)
    );
    close(t.speech("my-tts", 1_000_000).unwrap().usd, 15.0);
    close(t.transcription("my-whisper", 120).unwrap().usd, 0.012);
    let q = t.web_search("my-text-model-latest", 1_000).unwrap();
    close(q.usd, 25.0);
    assert_eq!(
        q.basis,
        Basis::Assumed(Assumptions::of(Assumption::WebSearchToolVersion))
    );
    close(t.file_search(1_000).unwrap().usd, 2.5);
}

#[test]
fn invalid_fixture_files_fail_with_the_line_their_first_comment_expects() {
    for path in fixtures("invalid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .unwrap()
            .strip_prefix("# expect: ")
            .unwrap();
        let msg = PriceTable::with_overrides_from(&path)
            .unwrap_err()
            .to_string();
        assert!(!msg.contains('\n'), "one line: {msg:?}");
        assert!(msg.contains(&path.display().to_string()), "{msg:?}");
        for n in expect.split(" | ") {
            assert!(msg.contains(n), "{path:?}: {msg:?} should mention {n:?}");
        }
    }
}

#[test]
fn a_key_pasted_into_a_price_file_is_never_echoed() {
    let key = "sk-admin-abcdefghijklmnopqrstuvwxyz0123";
    for text in [
        format!("[standard.\"gpt-4o\"]\ninput = \"{key}\"\noutput = 1\n"),
        format!("[standard.\"{key}\"]\ninput = 1\n"),
        format!("[speech.\"tts-1\"]\n{key} = 1\n"),
        format!("[standard.\"gpt-4o\"]\ninput = {key}\n"),
    ] {
        let msg = parse(&text).unwrap_err().to_string();
        assert!(!msg.contains(key), "{msg}");
        assert!(msg.contains("sk-admin-…0123"), "{msg}");
    }
}
