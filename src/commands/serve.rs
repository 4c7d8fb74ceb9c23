//! `usage-tracker serve`: the organization's usage, cost and the exporter's own health as
//! Prometheus metrics on `GET /metrics` (text format 0.0.4, or OpenMetrics 1.0.0 when the
//! scraper asks for it), `GET /healthz` beside it.
//!
//! It runs the one engine ([`Engine::start`], as `watch` and the app do; no polling loop of
//! its own) and keeps the latest state its events tell ([`Metrics`]); the usage counters are
//! re-read from the history store after each refresh (see `serve::state`). A `--listen`
//! address that is not loopback needs a bearer token in `USAGE_TRACKER_METRICS_TOKEN` (the
//! environment or a `.env` file) and
//! without one the command refuses to start (exit 2); with a token set, `/metrics` answers
//! 401 to a request without it. SIGTERM or Ctrl+C stop it (exit 0).
//!
//! HTTP is axum's (already in the graph through the simulator, with hyper under it and under
//! reqwest): no new crate for one route table of two routes.

use super::{CliError, Connection};
use crate::bill::{SECS_PER_DAY, utc_month_start};
use crate::engine::{Clock, Engine, EngineEvent, Event, Options};
use crate::serve::state::{Metrics, StoreFigures};
use crate::serve::{TOKEN_VAR, text};
use crate::settings::Settings;
use crate::store::{KeySet, SharedStore};
use crate::usage::BucketWidth;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the routes share.
#[derive(Clone)]
struct Web {
    metrics: Arc<Mutex<Metrics>>,
    /// Debug of `SecretString` never shows the token.
    token: Option<Arc<SecretString>>,
}

/// The address to listen on, or the one-line message for `--listen`.
pub fn parse_listen(text: &str) -> Result<SocketAddr, CliError> {
    text.trim().parse().map_err(|_| {
        CliError::BadInput(format!(
            "invalid --listen {text:?}: expected ADDR:PORT such as {} or [::1]:10511",
            crate::serve::DEFAULT_LISTEN
        ))
    })
}

/// The token from the environment, else from a `.env` file (where the other settings are
/// looked for, the same precedence); empty counts as none. A `.env` that cannot be read was
/// already reported by the settings' resolution.
fn token_from_env() -> Option<SecretString> {
    let nonempty =
        |t: &str| (!t.trim().is_empty()).then(|| SecretString::from(t.trim().to_owned()));
    if let Ok(t) = std::env::var(TOKEN_VAR) {
        return nonempty(&t);
    }
    let env = crate::settings::Environment::from_process();
    let dotenv = crate::settings::DotEnv::load(&env.dotenv_candidates()).ok()?;
    dotenv.get(TOKEN_VAR).and_then(|(t, _)| nonempty(t))
}

/// Equal in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn authorized(token: Option<&SecretString>, headers: &HeaderMap) -> bool {
    let Some(token) = token else { return true };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| same(given.trim().as_bytes(), token.expose_secret().as_bytes()))
}

async fn metrics(State(web): State<Web>, headers: HeaderMap) -> Response {
    if !authorized(web.token.as_deref(), &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "unauthorized: send Authorization: Bearer <token>\n",
        )
            .into_response();
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let openmetrics = text::wants_openmetrics(accept);
    let body = web
        .metrics
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .render(openmetrics);
    let content_type = if openmetrics {
        text::OPENMETRICS_CONTENT_TYPE
    } else {
        text::CONTENT_TYPE
    };
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Resolves on SIGTERM or Ctrl+C (SIGINT). Created before anything slow, so a stop during
/// start-up is heard too.
fn stop_signal() -> Result<impl Future<Output = ()>, CliError> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| CliError::Other(format!("serve: cannot listen for SIGTERM: {e}")))?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// The sums of the store from the first of this UTC month (see `serve::state`).
async fn read_store(history: &SharedStore, settings: &Settings) -> Option<StoreFigures> {
    let now = crate::engine::now_ms().div_euclid(1000);
    let origin = utc_month_start(now);
    let keys = KeySet::of(&settings.api_key_ids);
    let base = settings.prices.clone();
    let (mode, tier) = (settings.price_mode, settings.tier);
    let key = crate::serve::state::fallback_key(&settings.api_key_ids);
    history
        .run_or_skip("reading the month for the metrics", move |s| {
            let data = s.load_periods(&keys, BucketWidth::Day, origin, now + SECS_PER_DAY)?;
            let prices = super::export::stored_prices(s, &keys, &base, mode)?;
            Ok(StoreFigures::of(origin, &data, &prices.table, tier, &key))
        })
        .await
}

pub async fn run(settings: Settings, listen: &str) -> Result<ExitCode, CliError> {
    let addr = parse_listen(listen)?;
    let token = token_from_env();
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(CliError::BadInput(format!(
            "--listen {addr} is not a loopback address and {TOKEN_VAR} is not set: set it to a bearer token for Prometheus to send, or listen on 127.0.0.1"
        )));
    }
    let stop = stop_signal()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::Other(format!("serve: cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr().unwrap_or(addr);
    // A stop while starting (the simulator of --demo, the key ids' check) is a normal end too.
    let mut stop = std::pin::pin!(stop);
    let conn = tokio::select! {
        () = &mut stop => return Ok(ExitCode::SUCCESS),
        conn = Connection::open(settings) => conn?,
    };
    conn.tell_history_notice();
    let check = super::within_deadline(
        conn.settings.timeout,
        conn.client.base_url(),
        super::check_key_ids(&conn.client, &conn.settings.api_key_ids),
    );
    tokio::select! {
        () = &mut stop => return Ok(ExitCode::SUCCESS),
        checked = check => checked?,
    }
    if conn.history.is_none() {
        eprintln!(
            "usage-tracker: warning: serve: no history store: the usage counters (usage_tracker_tokens_total, usage_tracker_estimated_cost_usd_total) are not exported"
        );
    }
    let shared = Arc::new(Mutex::new(Metrics::new(&conn.settings.api_key_ids)));
    // What the store holds is exported from the first scrape: a restart shows no gap.
    if let Some(h) = &conn.history {
        let figures = read_store(h, &conn.settings).await;
        shared.lock().unwrap_or_else(|p| p.into_inner()).store = figures;
    }
    let web = Web {
        metrics: shared.clone(),
        token: token.map(Arc::new),
    };
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(web);
    let (quit, quitting) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = quitting.await;
            })
            .await
    });
    eprintln!("usage-tracker: serving http://{bound}/metrics");
    let options = Options {
        bill: true,
        glance: true,
        budget: false,
    };
    let (engine, mut events) = Engine::start(&conn, Clock::system(), options);
    let mut server = std::pin::pin!(server);
    let served = loop {
        tokio::select! {
            () = &mut stop => break None,
            r = &mut server => break Some(r),
            Some(event) = events.recv() => {
                let reread = matches!(
                    event,
                    EngineEvent::Event(Event::Updated(_) | Event::Glance(_) | Event::Restored(_))
                );
                {
                    let mut m = shared.lock().unwrap_or_else(|p| p.into_inner());
                    match &event {
                        EngineEvent::Event(Event::Updated(s)) => m.updated(s),
                        EngineEvent::Event(Event::Failed(f)) => m.failed(f.error.kind().as_str()),
                        EngineEvent::Event(Event::Billed(b)) => {
                            let now = crate::engine::now_ms().div_euclid(1000);
                            m.billed(b, utc_month_start(now));
                        }
                        _ => {}
                    }
                }
                if reread && let Some(h) = &conn.history {
                    let figures = read_store(h, &conn.settings).await;
                    if figures.is_some() {
                        shared.lock().unwrap_or_else(|p| p.into_inner()).store = figures;
                    }
                }
            }
        }
    };
    drop(engine);
    let result = match served {
        // Stopped: let scrapes in flight finish, briefly.
        None => {
            let _ = quit.send(());
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
            Ok(ExitCode::SUCCESS)
        }
        Some(Ok(Ok(()))) => Ok(ExitCode::SUCCESS),
        Some(Ok(Err(e))) => Err(CliError::Other(format!(
            "serve: the HTTP server failed: {e}"
        ))),
        Some(Err(e)) => Err(CliError::Other(format!(
            "serve: the HTTP server stopped: {e}"
        ))),
    };
    drop(conn);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_and_bad_ones() {
        assert_eq!(
            parse_listen(crate::serve::DEFAULT_LISTEN).unwrap(),
            "127.0.0.1:10511".parse().unwrap()
        );
        assert!(parse_listen("[::1]:9").unwrap().ip().is_loopback());
        let e = parse_listen("localhost").unwrap_err();
        assert!(matches!(e, CliError::BadInput(_)));
        assert!(e.to_string().contains("--listen \"localhost\""), "{e}");
    }

    #[test]
    fn the_token_is_asked_for_exactly() {
        let token = SecretString::from("s3cret".to_owned());
        let mut h = HeaderMap::new();
        assert!(authorized(None, &h));
        assert!(!authorized(Some(&token), &h));
        h.insert(header::AUTHORIZATION, "Bearer s3cre".parse().unwrap());
        assert!(!authorized(Some(&token), &h));
        h.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(authorized(Some(&token), &h));
        h.insert(header::AUTHORIZATION, "Basic s3cret".parse().unwrap());
        assert!(!authorized(Some(&token), &h));
        let web = Web {
            metrics: Default::default(),
            token: Some(Arc::new(token)),
        };
        assert!(!format!("{:?}", web.token).contains("s3cret"));
    }
}
