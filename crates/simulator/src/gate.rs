//! The gate every simulated API endpoint passes before its body: the latency, the status
//! faults (401/403/429/5xx, slowness) and the admin key's check, with the real API's messages.
//! The costs endpoint takes its fault from a queue of its own first ([`gate_with`]).

use super::Fault;
use super::control::SimControl;
use super::query::ApiErrorResponse;
use super::server::error;
use axum::http::{HeaderMap, header};
use axum::response::Response;

/// Applies the latency, the status faults and auth. On success, returns the fault (if any) that
/// still has to shape the body.
pub(super) async fn gate(
    ctl: &SimControl,
    headers: &HeaderMap,
    scope: &str,
) -> Result<Option<Fault>, Response> {
    gate_with(ctl, headers, scope, ctl.take_fault()).await
}

/// [`gate`] with the fault already taken (the costs endpoint has a queue of its own first).
pub(crate) async fn gate_with(
    ctl: &SimControl,
    headers: &HeaderMap,
    scope: &str,
    fault: Option<Fault>,
) -> Result<Option<Fault>, Response> {
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    if accepts_gzip {
        ctl.count_gzip();
    }
    let latency = ctl.shared.config.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match &fault {
        Some(Fault::Slow(d)) => tokio::time::sleep(*d).await,
        Some(Fault::Unauthorized) => return Err(error(&incorrect_key())),
        Some(Fault::Forbidden) => return Err(error(&forbidden(scope))),
        Some(Fault::RateLimited { retry_after_secs }) => {
            let mut resp = error(&ApiErrorResponse::new(
                429,
                "requests",
                "Rate limit reached for requests in organization org-demo on Admin API requests. Please try again later.".to_owned(),
                None,
                Some("rate_limit_exceeded"),
            ));
            if let Some(secs) = retry_after_secs {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, (*secs).into());
            }
            return Err(resp);
        }
        Some(Fault::ServerError(status)) => {
            let message = if *status == 503 {
                "The server is overloaded or not ready yet."
            } else {
                "The server had an error while processing your request. Sorry about that!"
            };
            return Err(error(&ApiErrorResponse::new(
                *status,
                "server_error",
                message.to_owned(),
                None,
                None,
            )));
        }
        _ => {}
    }
    check_auth(headers, &ctl.admin_key(), scope).map_err(|e| error(&e))?;
    Ok(fault)
}

fn check_auth(headers: &HeaderMap, admin_key: &str, scope: &str) -> Result<(), ApiErrorResponse> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        Err(ApiErrorResponse::new(
            401,
            "invalid_request_error",
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).".to_owned(),
            None,
            None,
        ))
    } else if token == admin_key {
        Ok(())
    } else if token.starts_with("sk-") && !token.starts_with("sk-admin-") {
        Err(forbidden(scope))
    } else {
        Err(incorrect_key())
    }
}

/// Like OpenAI's, but without echoing any part of the key back.
fn incorrect_key() -> ApiErrorResponse {
    ApiErrorResponse::new(
        401,
        "invalid_request_error",
        "Incorrect API key provided. You can find your Admin keys at https://platform.openai.com/settings/organization/admin-keys.".to_owned(),
        None,
        Some("invalid_api_key"),
    )
}

fn forbidden(scope: &str) -> ApiErrorResponse {
    ApiErrorResponse::new(
        403,
        "invalid_request_error",
        format!(
            "You have insufficient permissions for this operation. Missing scopes: {scope}. Check that you have the correct role in your organization (Owner), and if you're using a restricted API key, that it has the necessary scopes."
        ),
        None,
        None,
    )
}
