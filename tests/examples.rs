//! Every example response of the official spec (current, legacy and object examples) is read by
//! the reader of its endpoint, and the readings are pinned: rows live in `data[].results[]`
//! (older spec: `result`), cached input is `input_cached_tokens`, the tokens of a completions
//! row split by cache and modality, each other endpoint's quantity is its own field, and a
//! page of the wrong endpoint is a bad response.

use std::path::{Path, PathBuf};
use usage_tracker::openai::rows::{completions_row, meter};
use usage_tracker::openai::wire::{
    CompletionsResult, ListPage, OtherResult, Project, ProjectApiKey,
};
use usage_tracker::openai::{
    ApiError, ErrorKind, ParsedPage, parse_completions_page, parse_other_page,
};
use usage_tracker::pricing::Tier;
use usage_tracker::usage::{Endpoint, Meter, Names, UsageRow};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openai/examples")
}

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// The endpoint a `usage_*.json` file is an example of (`None`: one the app cannot read per
/// key: vector stores, code interpreter sessions).
fn endpoint_of(name: &str) -> Option<Endpoint> {
    Endpoint::ALL.into_iter().find(|e| {
        name.starts_with(&format!("usage_{}.", e.as_str()))
            || name.starts_with(&format!("usage_{}_result", e.as_str()))
    })
}

fn read_completions(body: &[u8]) -> Result<ParsedPage<UsageRow>, ApiError> {
    let mut names = Names::default();
    parse_completions_page(body, |r| completions_row(&mut names, r))
}

fn read_other(e: Endpoint, body: &[u8]) -> Result<ParsedPage<Meter>, ApiError> {
    let mut names = Names::default();
    parse_other_page(e, body, |r| meter(&mut names, e, r))
}

#[test]
fn every_example_file_parses_with_the_reader_of_its_endpoint() {
    let mut files = Vec::new();
    all_files(&examples(), &mut files);
    assert!(
        files.len() >= 36,
        "only {} example files found",
        files.len()
    );
    let mut endpoints_seen = std::collections::BTreeSet::new();
    for path in files {
        let body = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let in_objects = path.parent().unwrap().ends_with("objects");
        let result: Result<(), String> = if in_objects {
            if name.starts_with("usage_") {
                match endpoint_of(name) {
                    Some(Endpoint::Completions) => {
                        serde_json::from_slice::<CompletionsResult>(&body)
                            .map(|_| ())
                            .map_err(|e| e.to_string())
                    }
                    _ => serde_json::from_slice::<OtherResult>(&body)
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                }
            } else if name.starts_with("project_api_key") {
                serde_json::from_slice::<ProjectApiKey>(&body)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            } else if name.starts_with("project") {
                serde_json::from_slice::<Project>(&body)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            } else {
                // costs_result, admin_api_key: endpoints the app does not read; valid JSON.
                serde_json::from_slice::<serde_json::Value>(&body)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        } else if name.starts_with("usage_") {
            match endpoint_of(name) {
                Some(Endpoint::Completions) => {
                    endpoints_seen.insert(Endpoint::Completions);
                    read_completions(&body)
                        .map(|p| assert_eq!(p.buckets[0].rows.len(), 1, "{name}"))
                        .map_err(|e| e.to_string())
                }
                Some(e) => {
                    endpoints_seen.insert(e);
                    read_other(e, &body)
                        .map(|p| {
                            let m = &p.buckets[0].rows[0];
                            assert!(m.quantity > 0 && m.requests > 0, "{name}: {m:?}");
                            assert_eq!(m.endpoint, e);
                        })
                        .map_err(|e| e.to_string())
                }
                // Not filterable by key: valid pages the app does not read.
                None => serde_json::from_slice::<serde_json::Value>(&body)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            }
        } else if name.starts_with("project_api_keys") {
            serde_json::from_slice::<ListPage<ProjectApiKey>>(&body)
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else if name.starts_with("projects") {
            serde_json::from_slice::<ListPage<Project>>(&body)
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else {
            serde_json::from_slice::<ListPage<serde_json::Value>>(&body)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        result.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    assert_eq!(endpoints_seen.len(), 8, "{endpoints_seen:?}");
}

fn completions(file: &str) -> ParsedPage<UsageRow> {
    read_completions(&std::fs::read(examples().join(file)).unwrap()).unwrap()
}

fn other(e: Endpoint) -> Meter {
    let body = std::fs::read(examples().join(format!("usage_{}.json", e.as_str()))).unwrap();
    read_other(e, &body)
        .unwrap()
        .buckets
        .remove(0)
        .rows
        .remove(0)
}

#[test]
fn current_completions_example_reads_results_and_input_cached_tokens() {
    let page = completions("usage_completions.json");
    assert_eq!(page.buckets.len(), 1);
    let b = &page.buckets[0];
    assert_eq!((b.start_time, b.end_time), (1730419200, 1730505600));
    assert_eq!(b.rows.len(), 1);
    let r = &b.rows[0];
    assert_eq!(r.input_tokens, 1000);
    assert_eq!(r.cached_input_tokens, 400);
    assert_eq!(r.output_tokens, 500);
    assert_eq!(r.requests, 5);
    assert_eq!(r.split.cache_write, 100);
    assert_eq!((r.split.audio_input, r.split.image_input), (50, 50));
    assert_eq!(
        (r.split.audio_cached_input, r.split.image_cached_input),
        (50, 50)
    );
    assert_eq!((r.split.audio_output, r.split.image_output), (50, 50));
    // model, batch and service_tier are null: no model, standard tier.
    assert_eq!(&*r.model, usage_tracker::openai::UNKNOWN_MODEL);
    assert_eq!(r.tier, Tier::Standard);
    assert_eq!(
        page.next_page.as_deref(),
        Some("page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=")
    );
}

#[test]
fn legacy_completions_examples_read_the_same_way_as_all_text() {
    for file in [
        "legacy/usage_completions.2025-04-29_498c71d.json",
        "legacy/usage_completions.2026-05-13_5162af9.json",
    ] {
        let page = completions(file);
        let r = &page.buckets[0].rows[0];
        assert_eq!(
            (r.input_tokens, r.cached_input_tokens, r.output_tokens),
            (1000, 800, 500),
            "{file}"
        );
        assert_eq!(r.split, Default::default(), "{file}");
    }
}

#[test]
fn the_object_example_carries_model_tier_and_the_modality_split() {
    let body = std::fs::read(examples().join("objects/usage_completions_result.json")).unwrap();
    let r: CompletionsResult = serde_json::from_slice(&body).unwrap();
    assert_eq!(r.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(r.input_cached_tokens, 1800);
    assert_eq!(
        Tier::of_row(r.batch, r.service_tier.as_deref()),
        Tier::Standard
    );
    let row = completions_row(&mut Names::default(), r);
    let s = row.split;
    assert_eq!(
        (s.cache_write, s.audio_input, s.image_input),
        (200, 300, 200)
    );
    assert_eq!((s.audio_cached_input, s.image_cached_input), (100, 200));
    assert_eq!((s.audio_output, s.image_output), (100, 100));
}

#[test]
fn each_other_endpoint_reads_its_own_quantity() {
    let q = |e| {
        let m = other(e);
        (m.quantity, m.requests)
    };
    assert_eq!(q(Endpoint::Embeddings), (16, 2));
    assert_eq!(q(Endpoint::Moderations), (16, 2));
    assert_eq!(q(Endpoint::Images), (2, 2));
    assert_eq!(q(Endpoint::AudioSpeeches), (45, 1));
    assert_eq!(q(Endpoint::AudioTranscriptions), (20, 1));
    assert_eq!(q(Endpoint::WebSearchCalls), (2, 2));
    // File search has no model requests: its calls are its requests.
    assert_eq!(q(Endpoint::FileSearchCalls), (2, 2));
}

#[test]
fn the_object_examples_fill_model_and_detail() {
    let read = |e: Endpoint| {
        let body =
            std::fs::read(examples().join(format!("objects/usage_{}_result.json", e.as_str())))
                .unwrap();
        let page = format!(
            r#"{{"data":[{{"start_time":0,"end_time":60,"results":[{}]}}]}}"#,
            String::from_utf8(body).unwrap()
        );
        read_other(e, page.as_bytes())
            .unwrap()
            .buckets
            .remove(0)
            .rows
            .remove(0)
    };
    let images = read(Endpoint::Images);
    assert_eq!(
        (&*images.model, images.detail.as_deref()),
        ("dall-e-3", Some("1024x1024 image.generation"))
    );
    let web = read(Endpoint::WebSearchCalls);
    assert_eq!(web.detail.as_deref(), Some("medium"));
    let files = read(Endpoint::FileSearchCalls);
    assert_eq!((&*files.model, files.detail), ("vs_abc", None));
}

#[test]
fn a_page_of_another_endpoint_is_a_bad_response_naming_both() {
    let images = std::fs::read(examples().join("usage_images.json")).unwrap();
    let e = read_other(Endpoint::Embeddings, &images).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadResponse);
    let text = e.to_string();
    assert!(
        text.contains("embeddings") && text.contains("organization.usage.images.result"),
        "{text}"
    );
    let e = read_completions(&images).unwrap_err();
    assert!(e.to_string().contains("completions"), "{e}");
    let completions = std::fs::read(examples().join("usage_completions.json")).unwrap();
    let e = read_other(Endpoint::FileSearchCalls, &completions).unwrap_err();
    assert!(
        e.to_string()
            .contains("organization.usage.completions.result"),
        "{e}"
    );
}

#[test]
fn older_result_key_nulls_and_unknown_fields_are_accepted() {
    let body = br#"{"object":"page","data":[{"object":"bucket","start_time":60,"end_time":120,
        "result":[{"input_tokens":null,"output_tokens":7,"num_model_requests":1,"model":"gpt-4o",
        "batch":true,"brand_new_field":{"x":1}}]}],"has_more":false,"next_page":null,"extra":1}"#;
    let page = read_completions(body).unwrap();
    let r = &page.buckets[0].rows[0];
    assert_eq!(
        (r.input_tokens, r.output_tokens, r.tier),
        (0, 7, Tier::Batch)
    );
    assert!(page.next_page.is_none());
}

#[test]
fn rows_read_straight_from_data_as_the_old_tool_did_are_not_usage() {
    // The old Python tool took data[] entries as rows and read `cached_input_tokens`. A bucket
    // has no token fields of its own, and `cached_input_tokens` is not a field the API sends.
    let body = br#"{"object":"page","data":[{"object":"bucket","start_time":0,"end_time":60,
        "results":[{"input_tokens":100,"cached_input_tokens":90,"output_tokens":1}]}],"has_more":false}"#;
    let page = read_completions(body).unwrap();
    assert_eq!(page.buckets[0].rows[0].cached_input_tokens, 0);
}

#[test]
fn malformed_pages_are_bad_responses_quoting_the_body() {
    for (body, needle) in [
        (&b"<html>oops</html>"[..], "<html>oops"),
        (
            br#"{"data":[{"start_time":0,"end_time":60,"results":[{"input_tokens":-5}]}]}"#,
            "input_tokens",
        ),
        (br#"{"data":[],"has_more":true}"#, "next_page"),
        (br#"{"data":[{"start_time":"#, "start_time"),
    ] {
        let err = read_completions(body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadResponse);
        assert!(err.to_string().contains(needle), "{err}");
        let err = read_other(Endpoint::Images, body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadResponse);
    }
}

/// Issue 16, end to end from the bytes: a page in the spec's shape whose gpt-5-mini rows are at
/// `default` and `ultrafast` (rows written here, not the simulator's). The page reader keeps the
/// tier's name, and the summary leaves the model unpriced, naming the tier, instead of adding
/// the ultrafast million tokens at the standard price.
#[test]
fn a_row_at_a_tier_the_table_does_not_know_is_unpriced_and_named() {
    use serde_json::{Value, json};
    use usage_tracker::pricing::{PriceTable, TierChoice};
    use usage_tracker::usage::{Bucket, summarize};
    let body = std::fs::read(examples().join("usage_completions.json")).unwrap();
    let mut page: Value = serde_json::from_slice(&body).unwrap();
    let example = page["data"][0]["results"][0].clone();
    let row = |tier: &str, input: u64| {
        let mut r = example.clone();
        for k in r.as_object().unwrap().keys().cloned().collect::<Vec<_>>() {
            if k.ends_with("_tokens") {
                r[&k] = json!(0);
            }
        }
        r["model"] = json!("gpt-5-mini-2025-08-07");
        r["batch"] = json!(false);
        r["service_tier"] = json!(tier);
        r["input_tokens"] = json!(input);
        r
    };
    page["data"][0]["results"] = json!([row("default", 1_000), row("ultrafast", 1_000_000)]);
    let parsed = read_completions(&serde_json::to_vec(&page).unwrap()).unwrap();
    let rows = &parsed.buckets[0].rows;
    assert_eq!(rows[0].tier, Tier::Standard);
    assert_eq!(
        (rows[1].tier.as_str(), rows[1].tier.index()),
        ("ultrafast", None)
    );

    let bucket = Bucket {
        start_time: parsed.buckets[0].start_time,
        end_time: parsed.buckets[0].end_time,
        rows: rows.clone(),
    };
    let prices = PriceTable::builtin();
    let s = summarize([&bucket], prices, TierChoice::Auto);
    let got = serde_json::to_value(&s).unwrap();
    let m = &got["models"][0];
    assert_eq!(m["model"], "gpt-5-mini-2025-08-07");
    assert_eq!(m["input_tokens"], 1_001_000);
    assert_eq!(m["cost_usd"], Value::Null);
    assert_eq!(m["tiers"], json!(["standard", "ultrafast"]));
    assert_eq!(m["unpriced_tiers"], json!(["ultrafast"]));
    assert_eq!(got["totals"]["unpriced_models"], 1);
    assert_eq!(got["totals"]["cost_usd"], 0.0);
    // What the bug added in silence: the million tokens at the standard input price.
    let standard = prices
        .lookup("gpt-5-mini", Tier::Standard)
        .unwrap()
        .text
        .input
        .unwrap();
    let fixed = summarize([&bucket], prices, TierChoice::Fixed(Tier::Standard));
    let all_standard = fixed.models[0].cost_usd.unwrap();
    assert!(
        (all_standard - 1_001_000.0 * standard / 1e6).abs() < 1e-9,
        "{all_standard}"
    );
}
