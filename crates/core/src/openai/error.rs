//! Typed, user-facing errors of the Admin API client.
//!
//! Each says what went wrong and what to do. None carries the admin key: the key only ever
//! lives in a sensitive header value inside the client.

use std::time::Duration;

/// The messages do not repeat the kind: front ends show [`ErrorKind`] beside them.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ApiError {
    #[error(
        "the API answered 401 ({message}); check the key, or store a new one with `usage-tracker admin-key set`"
    )]
    Unauthorized { message: String },
    #[error(
        "the API answered 403 ({message}); usage can only be read with an Admin key (sk-admin-...) that has the api.usage.read scope: project keys (sk-proj-...) cannot read usage. Create one at https://platform.openai.com/settings/organization/admin-keys"
    )]
    Forbidden { message: String },
    #[error("the API answered 429 ({message}){}", retry_hint(*.retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    #[error("the API answered {status} ({message}); retrying later may help")]
    Server { status: u16, message: String },
    #[error("the API answered {status} ({message})")]
    Rejected { status: u16, message: String },
    #[error("cannot reach {url} ({reason}); check the network or the base URL")]
    Network { url: String, reason: String },
    #[error(
        "no answer from {url} within {} s; check the network or the base URL, or allow longer with --timeout",
        .after.as_secs_f64()
    )]
    Timeout { url: String, after: Duration },
    #[error("{detail}; the body starts with: {snippet}")]
    BadResponse { detail: String, snippet: String },
    #[error("the page cursor {cursor:?} came back again; stopping instead of looping")]
    RepeatingCursor { cursor: String },
    #[error("{0}")]
    MalformedKey(&'static str),
}

fn retry_hint(after: Option<Duration>) -> String {
    match after {
        Some(d) => format!("; retry after {}s", d.as_secs()),
        None => String::new(),
    }
}

/// The kind of an error, as front ends show it and `--format json` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidKey,
    MissingPermission,
    RateLimited,
    ServerError,
    Rejected,
    Offline,
    Timeout,
    BadResponse,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidKey => "invalid_key",
            ErrorKind::MissingPermission => "missing_permission",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::ServerError => "server_error",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Offline => "offline",
            ErrorKind::Timeout => "timeout",
            ErrorKind::BadResponse => "bad_response",
        }
    }

    /// Short words for a status line or a menu header.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::InvalidKey => "invalid key",
            ErrorKind::MissingPermission => "missing permission",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::ServerError => "server error",
            ErrorKind::Rejected => "request rejected",
            ErrorKind::Offline => "offline",
            ErrorKind::Timeout => "timed out",
            ErrorKind::BadResponse => "bad response",
        }
    }
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Unauthorized { .. } | ApiError::MalformedKey(_) => ErrorKind::InvalidKey,
            ApiError::Forbidden { .. } => ErrorKind::MissingPermission,
            ApiError::RateLimited { .. } => ErrorKind::RateLimited,
            ApiError::Server { .. } => ErrorKind::ServerError,
            ApiError::Rejected { .. } => ErrorKind::Rejected,
            ApiError::Network { .. } => ErrorKind::Offline,
            ApiError::Timeout { .. } => ErrorKind::Timeout,
            ApiError::BadResponse { .. } | ApiError::RepeatingCursor { .. } => {
                ErrorKind::BadResponse
            }
        }
    }

    /// Worth trying again soon: rate limits, server errors, network trouble.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Network { .. }
                | ApiError::Timeout { .. }
        )
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn bad_body(detail: impl Into<String>, body: &[u8]) -> ApiError {
        ApiError::BadResponse {
            detail: detail.into(),
            snippet: snippet(body),
        }
    }
}

/// The first bytes of a body, printable and on one line.
pub(crate) fn snippet(body: &[u8]) -> String {
    const MAX: usize = 120;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]);
    let mut s: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if body.is_empty() {
        s = "(empty body)".into();
    } else if body.len() > MAX {
        s.push('…');
    }
    format!("{s:?}")
}
