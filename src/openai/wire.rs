//! Wire types of the Organization Usage and Projects APIs, as the server sends them.
//!
//! Tolerant by design: every field the app does not strictly need is optional, `null` reads as
//! absent, unknown fields are ignored, and both the current (`results`) and the older (`result`)
//! name of a bucket's row list are accepted. Strings borrow from the response body where they
//! can, so parsing a large page allocates little.

use serde::{Deserialize, Deserializer};
use std::borrow::Cow;

/// One page of `GET /organization/usage/completions`.
#[derive(Debug, Deserialize)]
pub struct UsagePage<'a> {
    #[serde(borrow, default)]
    pub data: Vec<UsageBucket<'a>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_more: bool,
    #[serde(borrow, default)]
    pub next_page: Option<Cow<'a, str>>,
}

/// A time bucket `[start_time, end_time)` and the usage rows in it.
#[derive(Debug, Deserialize)]
pub struct UsageBucket<'a> {
    pub start_time: i64,
    pub end_time: i64,
    /// `results` in the current spec; `result` in older responses.
    #[serde(
        borrow,
        default,
        alias = "result",
        deserialize_with = "null_as_default"
    )]
    pub results: Vec<CompletionsResult<'a>>,
}

/// One row of a completions usage bucket. Token fields absent or `null` count as zero.
#[derive(Debug, Default, Deserialize)]
pub struct CompletionsResult<'a> {
    #[serde(default, deserialize_with = "null_as_default")]
    pub input_tokens: u64,
    /// Cached input tokens: a subset of `input_tokens`. (The old Python tool looked for
    /// `cached_input_tokens`, which the API never sends.)
    #[serde(default, deserialize_with = "null_as_default")]
    pub input_cached_tokens: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub output_tokens: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub num_model_requests: u64,
    #[serde(borrow, default)]
    pub project_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub api_key_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub model: Option<Cow<'a, str>>,
    #[serde(default)]
    pub batch: Option<bool>,
    #[serde(borrow, default)]
    pub service_tier: Option<Cow<'a, str>>,
}

/// A cursor-paginated list (`/organization/projects`, `.../api_keys`).
#[derive(Debug, Deserialize)]
pub struct ListPage<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_more: bool,
    #[serde(default)]
    pub last_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Project {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub archived_at: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProjectApiKey {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub redacted_value: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub last_used_at: Option<i64>,
    #[serde(default)]
    pub owner: Option<ApiKeyOwner>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ApiKeyOwner {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub user: Option<NamedOwner>,
    #[serde(default)]
    pub service_account: Option<NamedOwner>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NamedOwner {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// `{"error": {"message": ..., "type": ..., "code": ...}}` as the API reports failures.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
