//! Fetching usage from any usage endpoint: the query, the cursor loop (a repeating cursor is
//! an error, not an endless loop) and the count of HTTP requests a fetch took. Each page is
//! read by the caller's parser, so the same loop serves the fast completions reader and the
//! derived one of the other endpoints.

use crate::client::AdminClient;
use std::collections::HashSet;
use usage_tracker_core::openai::error::ApiError;
use usage_tracker_core::openai::scope;
use usage_tracker_core::openai::usage::{
    BY_OWNER, OtherRow, ParsedPage, TimeBucket, endpoint_spec, parse_completions_page,
    parse_other_page,
};
use usage_tracker_core::openai::wire::CompletionsResult;
use usage_tracker_core::usage::{BucketWidth, Endpoint};

/// One usage query: an endpoint, a time range and what to filter and group by.
#[derive(Clone, Debug, PartialEq)]
pub struct UsageQuery {
    pub endpoint: Endpoint,
    pub start_time: i64,
    /// `None`: up to now.
    pub end_time: Option<i64>,
    pub width: BucketWidth,
    /// Empty: the whole organization.
    pub api_key_ids: Vec<String>,
    /// Empty: every project.
    pub project_ids: Vec<String>,
    /// Group by `api_key_id` and `project_id` too (more than one key can be in the figure).
    pub by_owner: bool,
    /// Completions only: group by `service_tier` and `batch` too (the `auto` pricing tier
    /// needs them).
    pub by_tier: bool,
    /// Buckets per page; capped at the API's maximum for the width.
    pub limit: u32,
}

impl UsageQuery {
    /// `[start_time, now)` of `endpoint` for the tracked ids `ids` (keys and projects,
    /// `openai::scope`), in buckets of `width`, grouped by tier where the endpoint has one and
    /// by key and project whenever more than one key can be in the figure.
    pub fn new(endpoint: Endpoint, start_time: i64, width: BucketWidth, ids: &[String]) -> Self {
        let (api_key_ids, project_ids) = scope::split(ids);
        UsageQuery {
            endpoint,
            start_time,
            end_time: None,
            width,
            by_owner: scope::many_keys(ids),
            api_key_ids,
            project_ids,
            by_tier: endpoint == Endpoint::Completions,
            limit: width.max_page_limit(),
        }
    }
}

/// The result of a usage fetch.
#[derive(Debug)]
pub struct Fetched<R> {
    pub buckets: Vec<TimeBucket<R>>,
    /// HTTP requests made, retries included.
    pub requests: u64,
}

impl AdminClient {
    /// All buckets of `query`, following every page; each page is read by `parse`. One
    /// deadline covers every page and retry.
    pub async fn usage_pages<R>(
        &self,
        query: &UsageQuery,
        parse: impl FnMut(&[u8]) -> Result<ParsedPage<R>, ApiError>,
    ) -> Result<Fetched<R>, ApiError> {
        let until = self.deadline();
        self.bounded(until, self.pages(query, parse, until)).await
    }

    async fn pages<R>(
        &self,
        query: &UsageQuery,
        parse: impl FnMut(&[u8]) -> Result<ParsedPage<R>, ApiError>,
        until: tokio::time::Instant,
    ) -> Result<Fetched<R>, ApiError> {
        let (path, _, group_by) = endpoint_spec(query.endpoint);
        let limit = query
            .limit
            .clamp(1, query.width.max_page_limit())
            .to_string();
        let start = query.start_time.to_string();
        let end = query.end_time.map(|t| t.to_string());
        let mut params: Vec<(&str, &str)> = vec![
            ("start_time", &start),
            ("bucket_width", query.width.as_str()),
            ("limit", &limit),
        ];
        if let Some(end) = &end {
            params.push(("end_time", end));
        }
        for g in group_by {
            params.push(("group_by", g));
        }
        if query.by_owner {
            for g in BY_OWNER {
                params.push(("group_by", g));
            }
        }
        if query.by_tier && query.endpoint == Endpoint::Completions {
            params.push(("group_by", "service_tier"));
            params.push(("group_by", "batch"));
        }
        for id in &query.api_key_ids {
            params.push(("api_key_ids", id));
        }
        for id in &query.project_ids {
            params.push(("project_ids", id));
        }
        let url = format!("{}/organization/usage/{path}", self.base_url());
        self.follow_pages(&url, &params, parse, until).await
    }

    /// Every page of `url` with `params`, following `next_page` (a cursor that comes back is an
    /// error, not an endless loop); each page is read by `parse`. Shared by the usage and the
    /// costs endpoints, which page alike.
    pub(crate) async fn follow_pages<R>(
        &self,
        url: &str,
        params: &[(&str, &str)],
        mut parse: impl FnMut(&[u8]) -> Result<ParsedPage<R>, ApiError>,
        until: tokio::time::Instant,
    ) -> Result<Fetched<R>, ApiError> {
        let before = self.requests_made();
        let mut buckets = Vec::new();
        let mut seen = HashSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut page_params = params.to_vec();
            if let Some(c) = &cursor {
                page_params.push(("page", c));
            }
            let body = self.get_bytes(url, &page_params, until).await?;
            let ParsedPage {
                buckets: page,
                next_page,
            } = parse(&body)?;
            buckets.extend(page);
            match next_page {
                None => break,
                Some(next) => {
                    if !seen.insert(next.clone()) || cursor.as_ref() == Some(&next) {
                        return Err(ApiError::RepeatingCursor { cursor: next });
                    }
                    cursor = Some(next);
                }
            }
        }
        Ok(Fetched {
            buckets,
            requests: self.requests_made() - before,
        })
    }

    /// Completions usage: every result of every page becomes a row through `row`.
    pub async fn usage_completions<R>(
        &self,
        query: &UsageQuery,
        mut row: impl FnMut(CompletionsResult<'_>) -> R,
    ) -> Result<Fetched<R>, ApiError> {
        debug_assert_eq!(query.endpoint, Endpoint::Completions);
        self.usage_pages(query, |body| parse_completions_page(body, &mut row))
            .await
    }

    /// Usage of another endpoint (`query.endpoint`): every result becomes a row through `row`.
    pub async fn usage_other<R>(
        &self,
        query: &UsageQuery,
        mut row: impl FnMut(OtherRow<'_>) -> R,
    ) -> Result<Fetched<R>, ApiError> {
        let e = query.endpoint;
        self.usage_pages(query, |body| parse_other_page(e, body, &mut row))
            .await
    }
}
