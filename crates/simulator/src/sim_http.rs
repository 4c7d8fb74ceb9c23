//! `/_sim/*`: the control plane over HTTP, for tests that run the app in another process.
//! No auth (it only ever listens on 127.0.0.1) and not counted in the stats.

use super::Fault;
use super::control::SimControl;
use super::query::ApiErrorResponse;
use super::server::{error, json};
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use std::collections::HashMap;
use std::time::Duration;

fn params(uri: &Uri) -> HashMap<String, String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn number<T: std::str::FromStr>(
    p: &HashMap<String, String>,
    name: &str,
    default: T,
) -> Result<T, ApiErrorResponse> {
    match p.get(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            ApiErrorResponse::invalid(name, format!("Invalid value for '{name}': '{v}'."))
        }),
    }
}

fn ok() -> Response {
    json(200, b"{\"ok\":true}".to_vec())
}

/// `kind=401|403|429|500|503|<other 5xx>|slow|truncated|repeat-cursor|not-json`, `times=N`
/// (default 1; `forever` = until cleared), `retry_after=S` (429), `delay_ms=M` (slow, default 2000),
/// `endpoint=costs` (only costs requests get it).
pub(crate) async fn fault(State(ctl): State<SimControl>, uri: Uri) -> Response {
    let p = params(&uri);
    let parsed = (|| {
        let kind = p.get("kind").map(String::as_str).unwrap_or("");
        let fault = match kind {
            "401" => Fault::Unauthorized,
            "403" => Fault::Forbidden,
            "429" => Fault::RateLimited {
                retry_after_secs: p
                    .get("retry_after")
                    .map(|_| number(&p, "retry_after", 0))
                    .transpose()?,
            },
            "slow" => Fault::Slow(Duration::from_millis(number(&p, "delay_ms", 2_000)?)),
            "truncated" => Fault::TruncatedJson,
            "repeat-cursor" => Fault::RepeatingCursor,
            "not-json" => Fault::NotJson,
            k => match k.parse::<u16>() {
                Ok(code) if (500..600).contains(&code) => Fault::ServerError(code),
                _ => {
                    return Err(ApiErrorResponse::invalid(
                        "kind",
                        format!(
                            "Unknown fault kind '{k}'. Use 401, 403, 429, 5xx, slow, truncated, repeat-cursor or not-json."
                        ),
                    ));
                }
            },
        };
        let times = match p.get("times").map(String::as_str) {
            Some("forever") => u32::MAX,
            _ => number(&p, "times", 1u32)?,
        };
        Ok((fault, times))
    })();
    match parsed {
        // `endpoint=costs`: only the costs endpoint gets it (the live estimate keeps working).
        Ok((fault, times)) if p.get("endpoint").is_some_and(|e| e == "costs") => {
            ctl.inject_costs(fault, times);
            ok()
        }
        Ok((fault, times)) => {
            ctl.inject(fault, times);
            ok()
        }
        Err(e) => error(&e),
    }
}

pub(crate) async fn clear(State(ctl): State<SimControl>) -> Response {
    ctl.clear_faults();
    ok()
}

/// `minutes=M` (default 2), `factor=F` (default 20), `endpoint=E` (one usage endpoint as in its
/// path, e.g. `images`; default every endpoint).
pub(crate) async fn burst(State(ctl): State<SimControl>, uri: Uri) -> Response {
    let p = params(&uri);
    let endpoint = p.get("endpoint").map(String::as_str);
    let known =
        |e: &str| e == "completions" || super::other::ENDPOINTS.iter().any(|(o, _)| *o == e);
    if let Some(e) = endpoint.filter(|e| !known(e)) {
        return error(&ApiErrorResponse::invalid(
            "endpoint",
            format!("Unknown usage endpoint '{e}' (e.g. completions, images, audio_speeches)."),
        ));
    }
    match (number(&p, "minutes", 2u32), number(&p, "factor", 20.0f64)) {
        (Ok(minutes), Ok(factor)) if factor.is_finite() && factor > 0.0 => {
            match endpoint {
                Some(e) => ctl.start_burst_on(e, minutes, factor),
                None => ctl.start_burst(minutes, factor),
            }
            ok()
        }
        (Err(e), _) | (_, Err(e)) => error(&e),
        _ => error(&ApiErrorResponse::invalid(
            "factor",
            "'factor' must be a positive number.".to_owned(),
        )),
    }
}

/// `secs=S` (may be negative).
pub(crate) async fn advance(State(ctl): State<SimControl>, uri: Uri) -> Response {
    match number(&params(&uri), "secs", 0i64) {
        Ok(secs) => {
            ctl.advance(secs);
            json(200, format!("{{\"now\":{}}}", ctl.now()).into_bytes())
        }
        Err(e) => error(&e),
    }
}

pub(crate) async fn stats(State(ctl): State<SimControl>) -> Response {
    json(
        200,
        serde_json::to_vec(&ctl.stats()).expect("plain data serializes"),
    )
}

pub(crate) async fn reset_stats(State(ctl): State<SimControl>) -> Response {
    ctl.reset_stats();
    ok()
}

/// `endpoint=E` (default completions), `model=M`, `at=T` (unix seconds, default 10 minutes
/// ago), `quantity=N` (default 1000), `requests=R` (default 1): usage that reaches the API late.
pub(crate) async fn late(State(ctl): State<SimControl>, uri: Uri) -> Response {
    let p = params(&uri);
    let endpoint = p.get("endpoint").map_or("completions", String::as_str);
    let model = p
        .get("model")
        .map_or(super::scenario::BURST_LEADER, String::as_str);
    let parsed = (|| {
        Ok::<_, ApiErrorResponse>((
            number(&p, "at", ctl.now() - 600)?,
            number(&p, "quantity", 1_000u64)?,
            number(&p, "requests", 1u64)?,
        ))
    })();
    match parsed {
        Ok((at, quantity, requests)) => {
            ctl.add_late_usage(endpoint, model, at, quantity, requests);
            ok()
        }
        Err(e) => error(&e),
    }
}

/// `lag_secs=S` (how long after its minute usage is billed), `factor=F` (every amount × F),
/// `currency=C` (a lower-case code) with `currency_from=T` (unix seconds: days from then on;
/// default 0, every day), `max_page=N` (buckets per page at most). Each is optional; the
/// others keep their value.
pub(crate) async fn costs(State(ctl): State<SimControl>, uri: Uri) -> Response {
    let p = params(&uri);
    let parsed = (|| {
        let s = ctl.costs_settings();
        let lag = number(&p, "lag_secs", s.lag_secs)?;
        let factor = number(&p, "factor", s.factor)?;
        let from = number(&p, "currency_from", s.currency_from)?;
        let max_page = number(&p, "max_page", s.max_page)?;
        if lag < 0 || !factor.is_finite() || factor < 0.0 {
            return Err(ApiErrorResponse::invalid(
                "factor",
                "'lag_secs' and 'factor' must not be negative.".to_owned(),
            ));
        }
        let currency = match p.get("currency") {
            Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                c.to_ascii_lowercase()
            }
            Some(c) => {
                return Err(ApiErrorResponse::invalid(
                    "currency",
                    format!(
                        "Invalid value for 'currency': '{c}'. Use a 3-letter code such as eur."
                    ),
                ));
            }
            None => s.currency,
        };
        Ok((lag, factor, currency, from, max_page.max(1)))
    })();
    match parsed {
        Ok((lag, factor, currency, from, max_page)) => {
            ctl.set_costs(|s| {
                s.max_page = max_page;
                s.lag_secs = lag;
                s.factor = factor;
                s.currency = currency;
                s.currency_from = from;
            });
            ok()
        }
        Err(e) => error(&e),
    }
}
