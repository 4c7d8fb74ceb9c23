//! The Costs API request: every daily bucket of a [`CostsQuery`], page after page, under one
//! deadline. What a page means (its rows, its quirks) is the core's
//! ([`usage_tracker_core::openai::costs`]); this is only the transport.

use crate::client::AdminClient;
use crate::usage_fetch::Fetched;
use usage_tracker_core::openai::ApiError;
use usage_tracker_core::openai::costs::{COSTS_MAX_LIMIT, CostRow, CostsQuery, parse_costs_page};

impl AdminClient {
    /// Every daily bucket of `query`, following every page; each result becomes a row through
    /// `row`. One deadline covers every page and retry.
    pub async fn costs<R>(
        &self,
        query: &CostsQuery,
        mut row: impl FnMut(CostRow<'_>) -> R,
    ) -> Result<Fetched<R>, ApiError> {
        let start = query.start_time.to_string();
        let end = query.end_time.to_string();
        let limit = query.limit.clamp(1, COSTS_MAX_LIMIT).to_string();
        let mut params: Vec<(&str, &str)> = vec![
            ("start_time", &start),
            ("end_time", &end),
            ("bucket_width", "1d"),
            ("limit", &limit),
            ("group_by", "line_item"),
        ];
        if query.by_key {
            params.push(("group_by", "api_key_id"));
            params.push(("group_by", "project_id"));
        }
        for id in &query.api_key_ids {
            params.push(("api_key_ids", id));
        }
        for id in &query.project_ids {
            params.push(("project_ids", id));
        }
        let url = format!("{}/organization/costs", self.base_url());
        let until = self.deadline();
        let pages = self.follow_pages(&url, &params, |b| parse_costs_page(b, &mut row), until);
        self.bounded(until, pages).await
    }
}
