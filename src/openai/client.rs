//! The HTTP client of the Admin API (reqwest + rustls), run on tokio.
//!
//! It builds requests, follows pagination (a repeating cursor is an error, not an endless
//! loop), retries rate limits, server errors and network failures with backoff, and maps
//! every failure to an [`ApiError`]. The admin key is kept only as a sensitive header value,
//! so no Debug, log or error text can show it.

use super::backoff::RetryPolicy;
use super::error::{ApiError, snippet};
use super::wire::{ErrorBody, ListPage, Project, ProjectApiKey};
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Per request, body included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
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
        self.list_all(
            &url,
            &[("limit", "100"), ("include_archived", "true")],
            |p: &Project| p.id.clone(),
        )
        .await
    }

    /// Every API key of one project.
    pub async fn project_api_keys(&self, project_id: &str) -> Result<Vec<ProjectApiKey>, ApiError> {
        let url = format!("{}/organization/projects/{project_id}/api_keys", self.base);
        self.list_all(
            &url,
            &[("limit", "100"), ("owner_project_access", "any")],
            |k: &ProjectApiKey| k.id.clone(),
        )
        .await
    }

    async fn list_all<T: DeserializeOwned>(
        &self,
        url: &str,
        params: &[(&str, &str)],
        id_of: impl Fn(&T) -> String,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        let mut seen = HashSet::new();
        loop {
            let mut p = params.to_vec();
            if let Some(a) = &after {
                p.push(("after", a));
            }
            let body = self.get_bytes(url, &p).await?;
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

    /// One GET with retries on transient failures; the body of a 2xx answer.
    pub(crate) async fn get_bytes(
        &self,
        url: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<u8>, ApiError> {
        let policy = self.options.retry;
        let mut retry = 0;
        loop {
            let err = match self.get_once(url, params).await {
                Ok(body) => return Ok(body),
                Err(e) => e,
            };
            let wait = policy.delay(retry, fastrand::f64(), err.retry_after());
            if !err.is_transient() || retry + 1 >= policy.max_attempts || wait > policy.max_delay {
                return Err(err);
            }
            tracing::debug!(error = %err, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    async fn get_once(&self, url: &str, params: &[(&str, &str)]) -> Result<Vec<u8>, ApiError> {
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
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e))?
            .to_vec();
        if status.is_success() {
            return Ok(body);
        }
        let message = self.scrub(error_message(&body));
        let code = status.as_u16();
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

    /// Removes the admin key from text the server sent back, should it echo it.
    fn scrub(&self, text: String) -> String {
        let key = self.auth.to_str().unwrap_or_default();
        let key = key.strip_prefix("Bearer ").unwrap_or_default();
        if key.len() >= 8 && text.contains(key) {
            text.replace(key, "[redacted]")
        } else {
            text
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> ApiError {
        let url = self.base.to_string();
        if e.is_timeout() {
            ApiError::Timeout {
                url,
                after: self.options.timeout,
            }
        } else {
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                reason = format!("{reason}: {s}");
                source = s.source();
            }
            ApiError::Network { url, reason }
        }
    }
}

/// The `error.message` of an OpenAI error body, or the body's first bytes.
fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|b| b.error.message)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("body: {}", snippet(body)))
}
