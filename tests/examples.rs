//! Every example response of the official spec (current, legacy and object examples) is read by
//! the reader of its endpoint, and the readings are pinned: rows live in `data[].results[]`
//! (older spec: `result`), cached input is `input_cached_tokens`.

use std::path::{Path, PathBuf};
use usage_tracker::openai::parse_usage_page;
use usage_tracker::openai::wire::{CompletionsResult, ListPage, Project, ProjectApiKey};
use usage_tracker::pricing::Tier;
use usage_tracker::usage::{BucketWidth, UsageSeries};

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

#[test]
fn every_example_file_parses_with_the_reader_of_its_endpoint() {
    let mut files = Vec::new();
    all_files(&examples(), &mut files);
    assert!(
        files.len() >= 36,
        "only {} example files found",
        files.len()
    );
    for path in files {
        let body = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let in_objects = path.parent().unwrap().ends_with("objects");
        let result = if in_objects {
            if name.starts_with("usage_") {
                serde_json::from_slice::<CompletionsResult>(&body).map(|_| ())
            } else if name.starts_with("project_api_key") {
                serde_json::from_slice::<ProjectApiKey>(&body).map(|_| ())
            } else if name.starts_with("project") {
                serde_json::from_slice::<Project>(&body).map(|_| ())
            } else {
                // costs_result, admin_api_key: endpoints the app does not read; valid JSON.
                serde_json::from_slice::<serde_json::Value>(&body).map(|_| ())
            }
        } else if name.starts_with("usage_") || name.starts_with("costs") {
            // Every usage endpoint (and costs) shares the page/bucket shape.
            let mut names = UsageSeries::new(BucketWidth::Day);
            parse_usage_page(&body, &mut names)
                .map(|_| ())
                .map_err(|e| serde::de::Error::custom(e.to_string()))
        } else if name.starts_with("project_api_keys") {
            serde_json::from_slice::<ListPage<ProjectApiKey>>(&body).map(|_| ())
        } else if name.starts_with("projects") {
            serde_json::from_slice::<ListPage<Project>>(&body).map(|_| ())
        } else {
            serde_json::from_slice::<ListPage<serde_json::Value>>(&body).map(|_| ())
        };
        result.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

fn completions(file: &str) -> usage_tracker::openai::ParsedPage {
    let body = std::fs::read(examples().join(file)).unwrap();
    parse_usage_page(&body, &mut UsageSeries::new(BucketWidth::Day)).unwrap()
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
    // model, batch and service_tier are null: no model, standard tier.
    assert_eq!(&*r.model, usage_tracker::openai::UNKNOWN_MODEL);
    assert_eq!(r.tier, Tier::Standard);
    assert_eq!(
        page.next_page.as_deref(),
        Some("page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=")
    );
}

#[test]
fn legacy_completions_examples_read_the_same_way() {
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
    }
}

#[test]
fn the_object_example_carries_model_and_tier() {
    let body = std::fs::read(examples().join("objects/usage_completions_result.json")).unwrap();
    let r: CompletionsResult = serde_json::from_slice(&body).unwrap();
    assert_eq!(r.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(r.input_cached_tokens, 1800);
    assert_eq!(
        Tier::of_row(r.batch, r.service_tier.as_deref()),
        Tier::Standard
    );
}

#[test]
fn older_result_key_nulls_and_unknown_fields_are_accepted() {
    let body = br#"{"object":"page","data":[{"object":"bucket","start_time":60,"end_time":120,
        "result":[{"input_tokens":null,"output_tokens":7,"num_model_requests":1,"model":"gpt-4o",
        "batch":true,"brand_new_field":{"x":1}}]}],"has_more":false,"next_page":null,"extra":1}"#;
    let page = parse_usage_page(body, &mut UsageSeries::new(BucketWidth::Minute)).unwrap();
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
    let page = parse_usage_page(body, &mut UsageSeries::new(BucketWidth::Minute)).unwrap();
    assert_eq!(page.buckets[0].rows[0].cached_input_tokens, 0);
}

#[test]
fn malformed_pages_are_bad_responses_quoting_the_body() {
    let mut names = UsageSeries::new(BucketWidth::Minute);
    for (body, needle) in [
        (&b"<html>oops</html>"[..], "<html>oops"),
        (
            br#"{"data":[{"start_time":0,"end_time":60,"results":[{"input_tokens":-5}]}]}"#,
            "input_tokens",
        ),
        (br#"{"data":[],"has_more":true}"#, "next_page"),
        (br#"{"data":[{"start_time":"#, "start_time"),
    ] {
        let err = parse_usage_page(body, &mut names).unwrap_err();
        assert_eq!(err.kind(), usage_tracker::openai::ErrorKind::BadResponse);
        assert!(err.to_string().contains(needle), "{err}");
    }
}
