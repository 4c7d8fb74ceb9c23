//! Reading an HTTP answer of the Admin API: `Retry-After` (seconds or an HTTP date), an HTML
//! page where JSON belongs, the message of an error body, and a transport failure in a few
//! words. Pure, so each is tested with plain values.

use super::error::snippet;
use super::wire::ErrorBody;
use std::time::{Duration, SystemTime};

/// A transport failure in a few words, from the error chain and its innermost cause.
pub fn short_reason(chain: &str, innermost: &str) -> String {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        "the host name does not resolve".into()
    } else if lower.contains("connection refused") {
        "connection refused".into()
    } else if lower.contains("certificate") || lower.contains("tls") {
        format!("TLS failed: {innermost}")
    } else if lower.contains("connection reset") || lower.contains("connection closed") {
        "the connection was closed before an answer came".into()
    } else {
        innermost.to_owned()
    }
}

/// `Retry-After` in seconds or as an HTTP date; a date in the past is no wait.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A body that is an HTML page (a proxy's or a web server's), not the API's JSON, which never
/// starts with `<`.
pub fn is_html(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

pub fn code_is_transient(code: u16) -> bool {
    code == 429 || code >= 500
}

/// The `error.message` of an OpenAI error body, or the body's first bytes.
pub fn error_message(body: &[u8]) -> String {
    if is_html(body) {
        return "an HTML page, not JSON: check the base URL or proxy".into();
    }
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|b| b.error.message)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("body: {}", snippet(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_an_http_date() {
        let now = httpdate::parse_http_date("Tue, 01 Dec 2026 20:00:00 GMT").unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Tue, 01 Dec 2026 20:01:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_retry_after("Tue, 01 Dec 2026 19:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past is no wait"
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn html_bodies_are_recognised() {
        assert!(is_html(b"\n  <!DOCTYPE html><html>"));
        assert!(is_html(b"<html><body>502</body></html>"));
        assert!(!is_html(br#"{"data": []}"#));
        assert!(!is_html(b""));
    }

    #[test]
    fn data_null_reads_as_no_buckets_or_items() {
        use crate::openai::wire::{ListPage, Project};
        let page = super::super::usage::parse_completions_page(
            br#"{"object":"page","data":null,"has_more":false}"#,
            |r| r.input_tokens,
        )
        .unwrap();
        assert!(page.buckets.is_empty() && page.next_page.is_none());
        let list: ListPage<Project> =
            serde_json::from_slice(br#"{"data":null,"has_more":false}"#).unwrap();
        assert!(list.data.is_empty());
    }

    #[test]
    fn transport_failures_are_said_in_a_few_words() {
        let chain = "error sending request for url (http://127.0.0.1:9/v1/x): client error (Connect): tcp connect error: Connection refused (os error 111)";
        assert_eq!(
            short_reason(chain, "Connection refused (os error 111)"),
            "connection refused"
        );
        assert_eq!(
            short_reason("... dns error: failed to lookup address information", "x"),
            "the host name does not resolve"
        );
    }
}
