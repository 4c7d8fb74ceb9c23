//! Reading completions usage pages into the domain's buckets.

use super::error::ApiError;
use super::wire::UsagePage;
use crate::pricing::Tier;
use crate::usage::{Bucket, UsageRow, UsageSeries};

/// The model name of a row the API did not attribute to a model.
pub const UNKNOWN_MODEL: &str = "(unknown model)";

/// One parsed page: its buckets and the cursor of the next page, if any.
#[derive(Debug)]
pub struct ParsedPage {
    pub buckets: Vec<Bucket>,
    pub next_page: Option<String>,
}

/// Parses one page of `GET /organization/usage/completions`. Model names are interned in
/// `names`, so a long series holds each name once.
pub fn parse_usage_page(body: &[u8], names: &mut UsageSeries) -> Result<ParsedPage, ApiError> {
    let page: UsagePage<'_> = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_body(format!("cannot read a usage page ({e})"), body))?;
    let mut buckets = Vec::with_capacity(page.data.len());
    for b in page.data {
        if b.end_time < b.start_time {
            return Err(ApiError::bad_body(
                format!(
                    "a bucket ends ({}) before it starts ({})",
                    b.end_time, b.start_time
                ),
                body,
            ));
        }
        let rows = b
            .results
            .into_iter()
            .map(|r| UsageRow {
                model: names.intern(r.model.as_deref().unwrap_or(UNKNOWN_MODEL)),
                tier: Tier::of_row(r.batch, r.service_tier.as_deref()),
                input_tokens: r.input_tokens,
                cached_input_tokens: r.input_cached_tokens.min(r.input_tokens),
                output_tokens: r.output_tokens,
                requests: r.num_model_requests,
            })
            .collect();
        buckets.push(Bucket {
            start_time: b.start_time,
            end_time: b.end_time,
            rows,
        });
    }
    let next_page = match (page.has_more, page.next_page) {
        (true, Some(cursor)) if !cursor.is_empty() => Some(cursor.into_owned()),
        (true, _) => {
            return Err(ApiError::bad_body(
                "has_more is true but next_page is missing",
                body,
            ));
        }
        (false, _) => None,
    };
    Ok(ParsedPage { buckets, next_page })
}
