//! The usage query as OpenAI reads it from the raw query string, and OpenAI-style error bodies.
//!
//! Arrays arrive as repeated keys (`api_key_ids=a&api_key_ids=b`, or `api_key_ids[]=a`, or
//! `api_key_ids[0]=a`), which
//! axum's `Query` extractor cannot express, so the string is parsed with `form_urlencoded`.

use serde::Serialize;

/// `bucket_width`: `1m`, `1h` or `1d` (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum BucketWidth {
    #[serde(rename = "1m")]
    Minute,
    #[serde(rename = "1h")]
    Hour,
    #[default]
    #[serde(rename = "1d")]
    Day,
}

impl BucketWidth {
    pub fn secs(self) -> i64 {
        match self {
            BucketWidth::Minute => 60,
            BucketWidth::Hour => 3_600,
            BucketWidth::Day => 86_400,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            BucketWidth::Minute => "1m",
            BucketWidth::Hour => "1h",
            BucketWidth::Day => "1d",
        }
    }
    /// The spec's default and maximum `limit` (buckets per page) for this width.
    pub fn limits(self) -> (u32, u32) {
        match self {
            BucketWidth::Minute => (60, 1_440),
            BucketWidth::Hour => (24, 168),
            BucketWidth::Day => (7, 31),
        }
    }
    fn parse(s: &str) -> Option<Self> {
        [BucketWidth::Minute, BucketWidth::Hour, BucketWidth::Day]
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

/// A `group_by` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupField {
    ProjectId,
    UserId,
    ApiKeyId,
    Model,
    Batch,
    ServiceTier,
    Size,
    Source,
    ContextLevel,
    VectorStoreId,
}

impl GroupField {
    pub const ALL: [GroupField; 10] = [
        GroupField::ProjectId,
        GroupField::UserId,
        GroupField::ApiKeyId,
        GroupField::Model,
        GroupField::Batch,
        GroupField::ServiceTier,
        GroupField::Size,
        GroupField::Source,
        GroupField::ContextLevel,
        GroupField::VectorStoreId,
    ];
    /// The fields the completions endpoint accepts.
    pub const COMPLETIONS: [GroupField; 6] = [
        GroupField::ProjectId,
        GroupField::UserId,
        GroupField::ApiKeyId,
        GroupField::Model,
        GroupField::Batch,
        GroupField::ServiceTier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupField::ProjectId => "project_id",
            GroupField::UserId => "user_id",
            GroupField::ApiKeyId => "api_key_id",
            GroupField::Model => "model",
            GroupField::Batch => "batch",
            GroupField::ServiceTier => "service_tier",
            GroupField::Size => "size",
            GroupField::Source => "source",
            GroupField::ContextLevel => "context_level",
            GroupField::VectorStoreId => "vector_store_id",
        }
    }
}

/// The `group_by` values an endpoint accepts, as OpenAI lists them (`None`: no such endpoint).
pub fn accepted_group_by(endpoint: &str) -> Option<&'static [GroupField]> {
    use GroupField::*;
    Some(match endpoint {
        "completions" => &[ProjectId, UserId, ApiKeyId, Model, Batch, ServiceTier],
        "embeddings" | "moderations" | "audio_speeches" | "audio_transcriptions" => {
            &[ProjectId, UserId, ApiKeyId, Model]
        }
        "images" => &[ProjectId, UserId, ApiKeyId, Model, Size, Source],
        "web_search_calls" => &[ProjectId, UserId, ApiKeyId, Model, ContextLevel],
        "file_search_calls" => &[ProjectId, UserId, ApiKeyId, VectorStoreId],
        _ => return None,
    })
}

/// A 400 for the first `group_by` value `endpoint` does not accept, naming the ones it does.
pub fn check_group_by(endpoint: &str, q: &UsageQuery) -> Result<(), ApiErrorResponse> {
    let accepted = accepted_group_by(endpoint).unwrap_or(&[]);
    match q.group_by.iter().find(|g| !accepted.contains(g)) {
        None => Ok(()),
        Some(bad) => {
            let names: Vec<String> = accepted
                .iter()
                .map(|f| format!("'{}'", f.as_str()))
                .collect();
            Err(ApiErrorResponse::invalid(
                "group_by",
                format!(
                    "Invalid value for 'group_by': '{}'. Supported values for {endpoint} are: {}.",
                    bad.as_str(),
                    names.join(", ")
                ),
            ))
        }
    }
}

/// The parameters of one `GET /organization/usage/<endpoint>`, as parsed (range checks on
/// `limit`, `end_time` and `page` happen when the page is built).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct UsageQuery {
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub bucket_width: BucketWidth,
    pub limit: Option<u32>,
    pub page: Option<String>,
    pub api_key_ids: Vec<String>,
    pub project_ids: Vec<String>,
    pub user_ids: Vec<String>,
    pub models: Vec<String>,
    pub group_by: Vec<GroupField>,
    pub batch: Option<bool>,
}

impl UsageQuery {
    /// A query with only the required parameter and a width; everything else at its default.
    pub fn new(start_time: i64, bucket_width: BucketWidth) -> Self {
        UsageQuery {
            start_time,
            bucket_width,
            ..UsageQuery::default()
        }
    }

    /// Parse a raw query string (without the `?`). Unknown parameters are ignored, as OpenAI does.
    pub fn parse(raw: &str) -> Result<Self, ApiErrorResponse> {
        let mut q = UsageQuery::default();
        let mut start = None;
        let mut limit = None;
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            // `ids[]=a` and `ids[0]=a` are common spellings of `ids=a` for arrays.
            let key = match k.split_once('[') {
                Some((name, rest)) if rest.ends_with(']') => name,
                _ => &k,
            };
            match key {
                "start_time" => start = Some(parse_int(key, &v)?),
                "end_time" => q.end_time = Some(parse_int(key, &v)?),
                "bucket_width" => {
                    q.bucket_width = BucketWidth::parse(&v).ok_or_else(|| {
                        ApiErrorResponse::invalid(key, format!("Invalid value for 'bucket_width': '{v}'. Supported values are: '1m', '1h' and '1d'."))
                    })?
                }
                "limit" => limit = Some(parse_int(key, &v)?),
                "page" => q.page = Some(v.into_owned()),
                "api_key_ids" => q.api_key_ids.push(v.into_owned()),
                "project_ids" => q.project_ids.push(v.into_owned()),
                "user_ids" => q.user_ids.push(v.into_owned()),
                "models" => q.models.push(v.into_owned()),
                "group_by" => {
                    // Which fields an endpoint accepts is checked when its page is built.
                    let field = GroupField::ALL.into_iter().find(|f| f.as_str() == v).ok_or_else(|| {
                        ApiErrorResponse::invalid(key, format!("Invalid value for 'group_by': '{v}'. Supported values are: 'project_id', 'user_id', 'api_key_id', 'model', 'batch' and 'service_tier'."))
                    })?;
                    if !q.group_by.contains(&field) {
                        q.group_by.push(field);
                    }
                }
                "batch" => {
                    q.batch = Some(match &*v {
                        "true" => true,
                        "false" => false,
                        _ => return Err(ApiErrorResponse::invalid(key, format!("Invalid value for 'batch': '{v}'. Expected a boolean."))),
                    })
                }
                _ => {}
            }
        }
        if let Some(n) = limit {
            q.limit = Some(u32::try_from(n).map_err(|_| limit_error(q.bucket_width, n))?);
        }
        q.start_time = start.ok_or_else(|| {
            ApiErrorResponse::invalid(
                "start_time",
                "Missing required parameter: 'start_time'.".to_owned(),
            )
        })?;
        if q.start_time < 0 {
            return Err(ApiErrorResponse::invalid(
                "start_time",
                format!(
                    "Invalid value for 'start_time': {}. Expected a non-negative Unix timestamp in seconds.",
                    q.start_time
                ),
            ));
        }
        Ok(q)
    }
}

fn parse_int(param: &str, v: &str) -> Result<i64, ApiErrorResponse> {
    v.parse().map_err(|_| {
        ApiErrorResponse::invalid(
            param,
            format!("Invalid value for '{param}': '{v}'. Expected an integer."),
        )
    })
}

pub(crate) fn limit_error(width: BucketWidth, n: i64) -> ApiErrorResponse {
    let (_, max) = width.limits();
    ApiErrorResponse::invalid(
        "limit",
        format!(
            "Invalid value for 'limit': {n}. For bucket_width={} it must be between 1 and {max}.",
            width.as_str()
        ),
    )
}

/// An error as OpenAI sends it: an HTTP status and `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("HTTP {status}: {}", error.message)]
pub struct ApiErrorResponse {
    pub status: u16,
    pub error: ApiError,
}

/// The `error` object of an OpenAI error body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub param: Option<String>,
    pub code: Option<String>,
}

impl ApiErrorResponse {
    pub fn new(
        status: u16,
        kind: &str,
        message: String,
        param: Option<&str>,
        code: Option<&str>,
    ) -> Self {
        ApiErrorResponse {
            status,
            error: ApiError {
                message,
                kind: kind.to_owned(),
                param: param.map(str::to_owned),
                code: code.map(str::to_owned),
            },
        }
    }

    /// 400 `invalid_request_error` about `param`.
    pub fn invalid(param: &str, message: String) -> Self {
        Self::new(400, "invalid_request_error", message, Some(param), None)
    }

    /// The JSON body: `{"error": {"message", "type", "param", "code"}}`.
    pub fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a ApiError,
        }
        serde_json::to_vec_pretty(&Body { error: &self.error }).expect("plain data serializes")
    }
}
