//! The HTTP client of the Admin API (reqwest + rustls), run on tokio.
//!
//! It builds requests, follows pagination (a repeating cursor is an error, not an endless
//! loop), retries rate limits, server errors and network failures with backoff, and maps
//! every failure to an [`ApiError`]. Every call has a deadline (all its pages and retries
//! included) and reports the retries it waits for. The admin key is kept only as a sensitive
//! header value, so no Debug, log or error text can show it.

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};
use tokio::time::Instant;
use usage_tracker_core::openai::backoff::RetryPolicy;
use usage_tracker_core::openai::error::ApiError;
use usage_tracker_core::openai::response::{
    code_is_transient, error_message, is_html, parse_retry_after, short_reason,
};
use usage_tracker_core::openai::wire::{ListPage, Project, ProjectApiKey};
use usage_tracker_core::redact;

/// A retry about to be waited for, as the client reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Retrying {
    /// What failed.
    pub error: ApiError,
    /// The attempt that comes next (2 for the first retry) and how many there may be.
    pub attempt: u32,
    pub max_attempts: u32,
    pub wait: Duration,
}

/// Told about every retry before its wait (a progress line, a "waiting" state).
pub type OnRetry = Arc<dyn Fn(&Retrying) + Send + Sync>;

#[derive(Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Per request, body included.
    pub timeout: Duration,
    /// Per call (`usage_completions`, `projects`, ...): every page and retry included.
    pub deadline: Duration,
    pub retry: RetryPolicy,
    pub on_retry: Option<OnRetry>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("on_retry", &self.on_retry.is_some())
            .finish()
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(20),
            retry: RetryPolicy::default(),
            on_retry: None,
        }
    }
}

#[derive(Clone)]
pub struct AdminClient {
    http: reqwest::Client,
    base: Arc<str>,
    auth: HeaderValue,
    options: ClientOptions,
    requests: Arc<AtomicU64>,
}

impl fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminClient")
            .field("base", &self.base)
            .field("auth", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Installs the process-wide TLS crypto provider (ring). Idempotent.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl AdminClient {
    pub fn new(
        base_url: &str,
        admin_key: &SecretString,
        options: ClientOptions,
    ) -> Result<Self, ApiError> {
        install_tls_provider();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", admin_key.expose_secret()))
            .map_err(|_| {
                ApiError::MalformedKey(
                    "the admin key holds characters that cannot be sent in an HTTP header (a line break or a non-ASCII character?)",
                )
            })?;
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(concat!("usage-tracker/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Network {
                url: base_url.to_owned(),
                reason: format!("cannot set up the HTTP client: {e}"),
            })?;
        Ok(AdminClient {
            http,
            base: base_url.trim_end_matches('/').into(),
            auth,
            options,
            requests: Arc::default(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// HTTP requests made by this client (and its clones) so far, retries included.
    pub fn requests_made(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Every project of the organization (archived ones too).
    pub async fn projects(&self) -> Result<Vec<Project>, ApiError> {
        let url = format!("{}/organization/projects", self.base);
        let until = self.deadline();
        let list = self.list_all(
            &url,
            &[("limit", "100"), ("include_archived", "true")],
            |p: &Project| p.id.clone(),
            until,
        );
        self.bounded(until, list).await
    }

    /// Every API key id of the organization (every project's), to tell a mistyped id from
    /// one that merely has no usage: one request for the projects and one per project.
    pub async fn organization_key_ids(&self) -> Result<HashSet<String>, ApiError> {
        let mut ids = HashSet::new();
        for p in self.projects().await? {
            ids.extend(
                self.project_api_keys(&p.id)
                    .await?
                    .into_iter()
                    .map(|k| k.id),
            );
        }
        Ok(ids)
    }

    /// Every API key of one project.
    pub async fn project_api_keys(&self, project_id: &str) -> Result<Vec<ProjectApiKey>, ApiError> {
        let url = format!("{}/organization/projects/{project_id}/api_keys", self.base);
        let until = self.deadline();
        let list = self.list_all(
            &url,
            &[("limit", "100"), ("owner_project_access", "any")],
            |k: &ProjectApiKey| k.id.clone(),
            until,
        );
        self.bounded(until, list).await
    }

    /// How long one call may take, all its pages and retries (`--timeout` for a command).
    pub fn deadline_after(&self) -> Duration {
        self.options.deadline
    }

    pub(crate) fn deadline(&self) -> Instant {
        Instant::now() + self.options.deadline
    }

    /// `call`, or a timeout naming the deadline when it is not done by `until`.
    pub(crate) async fn bounded<T>(
        &self,
        until: Instant,
        call: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        tokio::time::timeout_at(until, call)
            .await
            .unwrap_or_else(|_| {
                Err(ApiError::Timeout {
                    url: self.base.to_string(),
                    after: self.options.deadline,
                })
            })
    }

    async fn list_all<T: DeserializeOwned>(
        &self,
        url: &str,
        params: &[(&str, &str)],
        id_of: impl Fn(&T) -> String,
        until: Instant,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        let mut seen = HashSet::new();
        loop {
            let mut p = params.to_vec();
            if let Some(a) = &after {
                p.push(("after", a));
            }
            let body = self.get_bytes(url, &p, until).await?;
            let page: ListPage<T> = serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_body(format!("cannot read a list page ({e})"), &body))?;
            let last = page.data.last().map(&id_of).or(page.last_id);
            out.extend(page.data);
            if !page.has_more {
                break;
            }
            let Some(last) = last else {
                return Err(ApiError::bad_body(
                    "has_more is true but the page has no last id",
                    &body,
                ));
            };
            if !seen.insert(last.clone()) {
                return Err(ApiError::RepeatingCursor { cursor: last });
            }
            after = Some(last);
        }
        Ok(out)
    }

    /// One GET with retries on transient failures; the body of a 2xx answer. A retry whose
    /// wait would end past `until` is not made: the error is returned at once.
    pub(crate) async fn get_bytes(
        &self,
        url: &str,
        params: &[(&str, &str)],
        until: Instant,
    ) -> Result<Bytes, ApiError> {
        let policy = self.options.retry;
        let mut retry = 0;
        loop {
            let err = match self.get_once(url, params).await {
                Ok(body) => return Ok(body),
                Err(e) => e,
            };
            let wait = policy.delay(retry, fastrand::f64(), err.retry_after());
            if !err.is_transient()
                || retry + 1 >= policy.max_attempts
                || wait > policy.max_delay
                || Instant::now() + wait >= until
            {
                return Err(err);
            }
            if let Some(on_retry) = &self.options.on_retry {
                on_retry(&Retrying {
                    error: err.clone(),
                    attempt: retry + 2,
                    max_attempts: policy.max_attempts,
                    wait,
                });
            }
            tracing::debug!(error = %err, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    async fn get_once(&self, url: &str, params: &[(&str, &str)]) -> Result<Bytes, ApiError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .get(url)
            .query(params)
            .header(AUTHORIZATION, self.auth.clone())
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e))?;
        let transient = code_is_transient(status.as_u16());
        if is_html(&body) && !transient {
            let detail = format!(
                "the server sent HTML, not JSON (HTTP {}): check the base URL ({}) or proxy",
                status.as_u16(),
                self.base
            );
            return Err(ApiError::bad_body(detail, &body));
        }
        if status.is_success() {
            return Ok(body);
        }
        let mut message = self.scrub(error_message(&body));
        let code = status.as_u16();
        if code == 404 && !self.base.ends_with("/v1") {
            message.push_str(&format!(
                "; the base URL {} does not end in /v1: try {}/v1",
                self.base, self.base
            ));
        }
        Err(match code {
            401 => ApiError::Unauthorized { message },
            403 => ApiError::Forbidden { message },
            429 => ApiError::RateLimited {
                retry_after,
                message,
            },
            500..=599 => ApiError::Server {
                status: code,
                message,
            },
            _ => ApiError::Rejected {
                status: code,
                message,
            },
        })
    }

    /// Redacts the admin key (and anything shaped like a key) in text the server sent back,
    /// should it echo it.
    fn scrub(&self, text: String) -> String {
        let key = self.auth.to_str().unwrap_or_default();
        let key = key.strip_prefix("Bearer ").unwrap_or_default();
        let text = if key.len() >= 8 && text.contains(key) {
            text.replace(key, &redact::redact(key))
        } else {
            text
        };
        redact::scrub(&text)
    }

    fn transport_error(&self, e: reqwest::Error) -> ApiError {
        let url = self.base.to_string();
        if e.is_timeout() {
            ApiError::Timeout {
                url,
                after: self.options.timeout,
            }
        } else {
            let mut chain = e.to_string();
            let mut innermost = chain.clone();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                innermost = s.to_string();
                chain = format!("{chain}: {s}");
                source = s.source();
            }
            // The HTTP library's whole chain is for USAGE_TRACKER_LOG=debug; the message
            // names the cause in a few words.
            tracing::debug!(error = %redact::scrub(&chain), "request failed");
            ApiError::Network {
                url,
                reason: short_reason(&chain, &innermost),
            }
        }
    }
}
