//! Test fixtures: a deliberately raw HTTP/1.1 client that sends exactly the bytes we mean
//! (repeated keys, odd headers) and hands back status, headers and the body unparsed, plus
//! helpers to start a simulator and query it.

use super::super::{DEMO_ADMIN_KEY, DEMO_KEY_ID, SimConfig, SimControl, SimServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) struct Reply {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `method` `path_and_query` against `base_url` (`http://127.0.0.1:PORT/v1`; the `/v1` is not
/// added to `path_and_query`), with `Authorization: Bearer <auth>` when given.
pub(crate) async fn send(
    base_url: &str,
    method: &str,
    path_and_query: &str,
    auth: Option<&str>,
) -> Reply {
    let host = base_url
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .expect("http base URL");
    let mut stream = TcpStream::connect(host).await.expect("simulator listening");
    let mut request =
        format!("{method} {path_and_query} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(key) = auth {
        request.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    if method == "POST" {
        request.push_str("Content-Length: 0\r\n");
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("response read");

    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8(raw[..split].to_vec()).expect("ASCII headers");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let body = raw[split + 4..].to_vec();
    let reply = Reply {
        status,
        headers,
        body,
    };
    if let Some(len) = reply.header("content-length") {
        assert_eq!(
            len.parse::<usize>().ok(),
            Some(reply.body.len()),
            "content-length"
        );
    } else {
        assert!(
            reply.header("transfer-encoding").is_none(),
            "this client does not decode chunks"
        );
    }
    reply
}

pub(crate) const USAGE: &str = "/v1/organization/usage/completions";

pub(crate) async fn server(config: SimConfig) -> (SimServer, SimControl) {
    let srv = SimServer::start(config, None)
        .await
        .expect("bind 127.0.0.1");
    let ctl = srv.control();
    (srv, ctl)
}

pub(crate) async fn get(srv: &SimServer, path: &str) -> Reply {
    send(&srv.base_url(), "GET", path, Some(DEMO_ADMIN_KEY)).await
}

pub(crate) async fn post(srv: &SimServer, path: &str) -> Reply {
    send(&srv.base_url(), "POST", path, None).await
}

pub(crate) fn usage_path(ctl: &SimControl) -> String {
    let start = ctl.now() - 3 * 3600;
    format!("{USAGE}?start_time={start}&bucket_width=1h&api_key_ids={DEMO_KEY_ID}&group_by=model")
}

/// Tokens and requests of the tracked key in the 1-minute bucket starting at `minute`.
pub(crate) async fn minute_usage(srv: &SimServer, minute: i64) -> (u64, u64) {
    let path = format!(
        "{USAGE}?start_time={minute}&end_time={}&bucket_width=1m&api_key_ids={DEMO_KEY_ID}",
        minute + 60
    );
    let v = get(srv, &path).await.json();
    let rows = v["data"][0]["results"].as_array().unwrap().clone();
    let n = |f: &str| rows.iter().map(|r| r[f].as_u64().unwrap()).sum::<u64>();
    (
        n("input_tokens") + n("output_tokens"),
        n("num_model_requests"),
    )
}

pub(crate) async fn server_on(config: SimConfig, port: u16) -> (SimServer, SimControl) {
    let srv = SimServer::start(config, Some(port))
        .await
        .expect("bind the given port");
    let ctl = srv.control();
    (srv, ctl)
}
