//! Reading usage pages: completions through their fast reader, every other endpoint through
//! the derived one, each page checked against the endpoint asked (a result of another endpoint
//! is a bad response naming both, never a row of zeros).
//!
//! The rows are handed to the caller's closure as they are read, so the transport builds no
//! domain types and owns no series: the caller decides what a row becomes (and interns names).

use super::error::ApiError;
pub use super::page::{ParsedPage, TimeBucket};
use super::wire::{CompletionsResult, OtherPage, OtherResult};
use crate::usage::Endpoint;
use std::borrow::Cow;

/// The model name of a row the API did not attribute to a model.
pub const UNKNOWN_MODEL: &str = "(unknown model)";

/// The path segment, the `object` of each result and the `group_by` values asked for one
/// endpoint (each endpoint accepts only its own: `model` on file search is a 400).
pub fn endpoint_spec(e: Endpoint) -> (&'static str, &'static str, &'static [&'static str]) {
    match e {
        Endpoint::Completions => (
            "completions",
            "organization.usage.completions.result",
            &["model"],
        ),
        Endpoint::Embeddings => (
            "embeddings",
            "organization.usage.embeddings.result",
            &["model"],
        ),
        Endpoint::Moderations => (
            "moderations",
            "organization.usage.moderations.result",
            &["model"],
        ),
        Endpoint::Images => (
            "images",
            "organization.usage.images.result",
            &["model", "size", "source"],
        ),
        Endpoint::AudioSpeeches => (
            "audio_speeches",
            "organization.usage.audio_speeches.result",
            &["model"],
        ),
        Endpoint::AudioTranscriptions => (
            "audio_transcriptions",
            "organization.usage.audio_transcriptions.result",
            &["model"],
        ),
        Endpoint::WebSearchCalls => (
            "web_search_calls",
            "organization.usage.web_searches.result",
            &["model", "context_level"],
        ),
        Endpoint::FileSearchCalls => (
            "file_search_calls",
            "organization.usage.file_searches.result",
            &["vector_store_id"],
        ),
    }
}

/// The `group_by` values that split an endpoint's rows by key and by project (every usage
/// endpoint the app reads accepts both).
pub const BY_OWNER: [&str; 2] = ["api_key_id", "project_id"];

/// A result of another endpoint than the one asked.
fn wrong_object(e: Endpoint, found: &str, body: &[u8]) -> ApiError {
    let (_, expected, _) = endpoint_spec(e);
    ApiError::bad_body(
        format!(
            "the {e} usage endpoint answered with a result of type {found:?} (expected {expected:?})"
        ),
        body,
    )
}

pub fn bucket_order(start: i64, end: i64, body: &[u8]) -> Result<(), ApiError> {
    if end < start {
        return Err(ApiError::bad_body(
            format!("a bucket ends ({end}) before it starts ({start})"),
            body,
        ));
    }
    Ok(())
}

pub fn next_cursor(
    has_more: bool,
    next: Option<Cow<'_, str>>,
    body: &[u8],
) -> Result<Option<String>, ApiError> {
    match (has_more, next) {
        (true, Some(cursor)) if !cursor.is_empty() => Ok(Some(cursor.into_owned())),
        (true, _) => Err(ApiError::bad_body(
            "has_more is true but next_page is missing",
            body,
        )),
        (false, _) => Ok(None),
    }
}

/// Parses one page of `GET /organization/usage/completions`, making each result a row with
/// `row` as it is read.
pub fn parse_completions_page<R>(
    body: &[u8],
    mut row: impl FnMut(CompletionsResult<'_>) -> R,
) -> Result<ParsedPage<R>, ApiError> {
    let (_, expected, _) = endpoint_spec(Endpoint::Completions);
    let mut wrong = None;
    let page =
        super::completions_page::read(body, &mut row, expected, &mut wrong).map_err(|e| {
            match &wrong {
                Some(found) => wrong_object(Endpoint::Completions, found, body),
                None => ApiError::bad_body(format!("cannot read a usage page ({e})"), body),
            }
        })?;
    for b in &page.buckets {
        bucket_order(b.start_time, b.end_time, body)?;
    }
    let next_page = next_cursor(page.has_more, page.next_page, body)?;
    Ok(ParsedPage {
        buckets: page.buckets,
        next_page,
    })
}

/// A row of any other endpoint, with its endpoint's quantity picked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtherRow<'a> {
    /// The model; for file search the vector store id. `None` when the API sent none.
    pub model: Option<&'a str>,
    /// The other grouped dimensions: an image's size and source, a web search's context level.
    pub dims: [Option<&'a str>; 2],
    pub quantity: u64,
    /// Model requests; for file search the calls.
    pub requests: u64,
    /// When grouped by them (`None` also for usage without a key).
    pub api_key_id: Option<&'a str>,
    pub project_id: Option<&'a str>,
}

fn other_row<'a>(e: Endpoint, r: &'a OtherResult<'_>) -> OtherRow<'a> {
    let n = |v: Option<u64>| v.unwrap_or_default();
    let requests = n(r.num_model_requests);
    let (quantity, requests) = match e {
        Endpoint::Completions | Endpoint::Embeddings | Endpoint::Moderations => {
            (n(r.input_tokens), requests)
        }
        Endpoint::Images => (n(r.images), requests),
        Endpoint::AudioSpeeches => (n(r.characters), requests),
        Endpoint::AudioTranscriptions => (n(r.seconds), requests),
        Endpoint::WebSearchCalls => (n(r.num_requests), requests),
        Endpoint::FileSearchCalls => (n(r.num_requests), n(r.num_requests)),
    };
    let (model, dims) = match e {
        Endpoint::FileSearchCalls => (r.vector_store_id.as_deref(), [None, None]),
        Endpoint::Images => (r.model.as_deref(), [r.size.as_deref(), r.source.as_deref()]),
        Endpoint::WebSearchCalls => (r.model.as_deref(), [r.context_level.as_deref(), None]),
        _ => (r.model.as_deref(), [None, None]),
    };
    OtherRow {
        model,
        dims,
        quantity,
        requests,
        api_key_id: r.api_key_id.as_deref(),
        project_id: r.project_id.as_deref(),
    }
}

/// Parses one page of another usage endpoint `e` (not completions), making each result a row
/// with `row`.
pub fn parse_other_page<R>(
    e: Endpoint,
    body: &[u8],
    mut row: impl FnMut(OtherRow<'_>) -> R,
) -> Result<ParsedPage<R>, ApiError> {
    let page: OtherPage<'_> = serde_json::from_slice(body)
        .map_err(|err| ApiError::bad_body(format!("cannot read a {e} usage page ({err})"), body))?;
    let (_, expected, _) = endpoint_spec(e);
    let mut buckets = Vec::with_capacity(page.data.len());
    for b in page.data {
        bucket_order(b.start_time, b.end_time, body)?;
        let mut rows = Vec::with_capacity(b.results.len());
        for r in &b.results {
            if let Some(o) = r.object.as_deref()
                && o != expected
            {
                return Err(wrong_object(e, o, body));
            }
            rows.push(row(other_row(e, r)));
        }
        buckets.push(TimeBucket {
            start_time: b.start_time,
            end_time: b.end_time,
            rows,
        });
    }
    let next_page = next_cursor(page.has_more, page.next_page, body)?;
    Ok(ParsedPage { buckets, next_page })
}
