//! The HTTP side: axum routes for the `/v1` Admin API and the `/_sim` control plane, Bearer auth,
//! and how each injected [`Fault`] reaches the wire. Runs as one task on the caller's runtime.

use super::control::SimControl;
use super::gate::gate;
use super::lists::{api_keys_json, projects_json};
use super::orgs::{Org, Orgs};
use super::other::build_other_page;
use super::page::{build_page, encode_cursor};
use super::query::{ApiErrorResponse, UsageQuery};
use super::{Fault, SimConfig};
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running simulator. Dropping it stops the server too; [`SimServer::shutdown`] also waits.
pub struct SimServer {
    addr: SocketAddr,
    control: SimControl,
    controls: Vec<SimControl>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimServer {
    /// Bind 127.0.0.1:`port` (`None`: a free port) and serve on the current tokio runtime.
    pub async fn start(config: SimConfig, port: Option<u16>) -> std::io::Result<SimServer> {
        Self::start_organizations(vec![config], port).await
    }

    /// [`start`](Self::start) serving one organization per config (each its own admin key,
    /// [`SimConfig::organization`], seed, clock and counters): the admin key of a request
    /// chooses the one that answers. [`control`](Self::control) steers the first,
    /// [`controls`](Self::controls) each.
    pub async fn start_organizations(
        configs: Vec<SimConfig>,
        port: Option<u16>,
    ) -> std::io::Result<SimServer> {
        let listener =
            tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port.unwrap_or(0))).await?;
        let addr = listener.local_addr()?;
        let controls: Vec<SimControl> = configs.into_iter().map(SimControl::new).collect();
        let control = controls[0].clone();
        let orgs = Orgs::new(controls.clone());
        let app = router(orgs);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = served.await {
                tracing::warn!("simulator server stopped: {e}");
            }
        });
        Ok(SimServer {
            addr,
            control,
            controls,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT/v1`
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// One control per organization, in the order they were given.
    pub fn controls(&self) -> Vec<SimControl> {
        self.controls.clone()
    }

    /// Stop accepting, let open requests finish (for at most 2 s), then return.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serve until Ctrl-C or SIGTERM, after printing the base URL as one flushed line on stdout
/// (for out-of-process tests and `--demo` helpers that read it).
pub async fn run_standalone(config: SimConfig, port: Option<u16>) -> std::io::Result<()> {
    let server = SimServer::start(config, port).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", server.base_url())?;
    out.flush()?;
    drop(out);
    wait_for_signal().await;
    server.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn router(orgs: Orgs) -> Router {
    Router::new()
        .route("/v1/organization/usage/completions", get(usage))
        .route("/v1/organization/usage/{endpoint}", get(other_usage))
        .route("/v1/organization/costs", get(super::costs_page::handler))
        .route("/v1/organization/projects", get(projects))
        .route(
            "/v1/organization/projects/{project_id}/api_keys",
            get(api_keys),
        )
        .route("/_sim/fault", post(super::sim_http::fault))
        .route("/_sim/clear", post(super::sim_http::clear))
        .route("/_sim/burst", post(super::sim_http::burst))
        .route("/_sim/late", post(super::sim_http::late))
        .route("/_sim/costs", post(super::sim_http::costs))
        .route("/_sim/advance", post(super::sim_http::advance))
        .route("/_sim/stats", get(super::sim_http::stats))
        .route("/_sim/reset-stats", post(super::sim_http::reset_stats))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            orgs.clone(),
            super::orgs::organization_header,
        ))
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .with_state(orgs)
}

pub(crate) fn respond(status: u16, content_type: &str, body: Vec<u8>) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("static header values are valid")
}

pub(crate) fn json(status: u16, body: Vec<u8>) -> Response {
    respond(status, "application/json", body)
}

pub(crate) fn error(e: &ApiErrorResponse) -> Response {
    json(e.status, e.body())
}

/// The body faults that apply to any 200 answer.
pub(crate) fn finish(fault: Option<Fault>, body: Vec<u8>) -> Response {
    match fault {
        Some(Fault::TruncatedJson) => {
            let half = body.len() / 2;
            json(200, body[..half].to_vec())
        }
        Some(Fault::NotJson) => respond(
            200,
            "text/html; charset=utf-8",
            b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>\n".to_vec(),
        ),
        _ => json(200, body),
    }
}

async fn usage(Org(ctl): Org, uri: Uri, headers: HeaderMap) -> Response {
    let parsed = UsageQuery::parse(uri.query().unwrap_or(""));
    ctl.count_request(Some("completions"), parsed.as_ref().ok());
    let fault = match gate(&ctl, &headers, "api.usage.read").await {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let q = match parsed {
        Ok(q) => q,
        Err(e) => return error(&e),
    };
    let scn = &ctl.shared.scenario;
    let mut page = match build_page(scn, &q, ctl.now(), &ctl.bursts(), &ctl.late()) {
        Ok(p) => p,
        Err(e) => return error(&e),
    };
    if !matches!(fault, Some(Fault::TruncatedJson | Fault::NotJson)) {
        ctl.count_served("completions", page.data.len(), page.rows());
    }
    if fault == Some(Fault::RepeatingCursor) {
        let width = q.bucket_width.secs();
        let here = q
            .page
            .clone()
            .unwrap_or_else(|| encode_cursor(scn.seed, q.start_time.div_euclid(width) * width));
        page.has_more = true;
        page.next_page = Some(here);
    }
    finish(fault, page.to_json())
}

/// Every other usage endpoint: the same gate and faults as completions.
async fn other_usage(
    Org(ctl): Org,
    Path(endpoint): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if !super::other::ENDPOINTS.iter().any(|(e, _)| *e == endpoint) {
        return not_found(Org(ctl), Method::GET, uri).await;
    }
    let parsed = UsageQuery::parse(uri.query().unwrap_or(""));
    ctl.count_request(Some(&endpoint), parsed.as_ref().ok());
    let fault = match gate(&ctl, &headers, "api.usage.read").await {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let q = match parsed {
        Ok(q) => q,
        Err(e) => return error(&e),
    };
    let scn = &ctl.shared.scenario;
    let (mut page, buckets, rows) =
        match build_other_page(scn, &endpoint, &q, ctl.now(), &ctl.bursts(), &ctl.late()) {
            Ok(p) => p,
            Err(e) => return error(&e),
        };
    if !matches!(fault, Some(Fault::TruncatedJson | Fault::NotJson)) {
        ctl.count_served(&endpoint, buckets, rows);
    }
    if fault == Some(Fault::RepeatingCursor) {
        let width = q.bucket_width.secs();
        let here = q
            .page
            .clone()
            .unwrap_or_else(|| encode_cursor(scn.seed, q.start_time.div_euclid(width) * width));
        page["has_more"] = true.into();
        page["next_page"] = here.into();
    }
    finish(
        fault,
        serde_json::to_vec(&page).expect("plain data serializes"),
    )
}

async fn projects(Org(ctl): Org, uri: Uri, headers: HeaderMap) -> Response {
    ctl.count_request(None, None);
    let fault = match gate(&ctl, &headers, "api.management.read").await {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    match projects_json(&ctl.shared.scenario, uri.query().unwrap_or("")) {
        Ok(body) => finish(fault, body),
        Err(e) => error(&e),
    }
}

async fn api_keys(
    Org(ctl): Org,
    Path(project_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    ctl.count_request(None, None);
    let fault = match gate(&ctl, &headers, "api.management.read").await {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    match api_keys_json(
        &ctl.shared.scenario,
        &project_id,
        uri.query().unwrap_or(""),
        ctl.now(),
    ) {
        Ok(body) => finish(fault, body),
        Err(e) => error(&e),
    }
}

/// OpenAI's answer to a path it does not serve.
async fn not_found(Org(ctl): Org, method: Method, uri: Uri) -> Response {
    if uri.path().starts_with("/v1/") {
        ctl.count_request(None, None);
    }
    error(&ApiErrorResponse::new(
        404,
        "invalid_request_error",
        format!("Invalid URL ({method} {})", uri.path()),
        None,
        None,
    ))
}
