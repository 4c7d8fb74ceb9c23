//! `GET /organization/costs` as the simulator serves it: UTC-day buckets of line items named in
//! the real style, the filters (`api_key_ids`, `project_ids`) and `group_by` values
//! (`line_item`, `project_id`, `api_key_id`; anything else a 400) of the real API, cursors,
//! amounts partly as JSON strings with many decimals. What is billed comes from `costs`.

use super::control::SimControl;
use super::costs::{DAY, billed_usage, currency_of, lines_of};
use super::page::{decode_cursor, encode_cursor};
use super::query::ApiErrorResponse;
use serde_json::{Value, json};

/// Clock skew allowed before an `end_time` counts as in the future.
const FUTURE_SLACK_SECS: i64 = 300;

/// A costs query as the real API reads it.
#[derive(Debug, Default)]
pub(super) struct Query {
    pub(super) start_time: i64,
    pub(super) end_time: Option<i64>,
    pub(super) limit: u32,
    pub(super) page: Option<String>,
    pub(super) api_key_ids: Vec<String>,
    pub(super) project_ids: Vec<String>,
    pub(super) by_line_item: bool,
    pub(super) by_project: bool,
    pub(super) by_key: bool,
}

fn parse_query(raw: &str) -> Result<Query, ApiErrorResponse> {
    let int = |k: &str, v: &str| {
        v.parse::<i64>().map_err(|_| {
            ApiErrorResponse::invalid(
                k,
                format!("Invalid value for '{k}': '{v}'. Expected an integer."),
            )
        })
    };
    let mut q = Query {
        limit: 7,
        ..Query::default()
    };
    let mut start = None;
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        let key = match k.split_once('[') {
            Some((name, rest)) if rest.ends_with(']') => name,
            _ => &k,
        };
        match key {
            "start_time" => start = Some(int(key, &v)?),
            "end_time" => q.end_time = Some(int(key, &v)?),
            "bucket_width" if v != "1d" => {
                return Err(ApiErrorResponse::invalid(
                    key,
                    format!("Invalid value for 'bucket_width': '{v}'. Supported values are: '1d'."),
                ));
            }
            "limit" => {
                let n = int(key, &v)?;
                if !(1..=180).contains(&n) {
                    return Err(ApiErrorResponse::invalid(
                        key,
                        format!("Invalid value for 'limit': {n}. It must be between 1 and 180."),
                    ));
                }
                q.limit = n as u32;
            }
            "page" => q.page = Some(v.into_owned()),
            "api_key_ids" => q.api_key_ids.push(v.into_owned()),
            "project_ids" => q.project_ids.push(v.into_owned()),
            "group_by" => match &*v {
                "line_item" => q.by_line_item = true,
                "project_id" => q.by_project = true,
                "api_key_id" => q.by_key = true,
                _ => {
                    return Err(ApiErrorResponse::invalid(
                        key,
                        format!(
                            "Invalid value for 'group_by': '{v}'. Supported values are: 'project_id', 'line_item' and 'api_key_id'."
                        ),
                    ));
                }
            },
            _ => {}
        }
    }
    q.start_time = start.ok_or_else(|| {
        ApiErrorResponse::invalid(
            "start_time",
            "Missing required parameter: 'start_time'.".into(),
        )
    })?;
    Ok(q)
}

/// The JSON of one costs page, or the API's error.
pub(crate) fn costs_page(
    ctl: &SimControl,
    raw_query: &str,
    repeat_cursor: bool,
) -> Result<Vec<u8>, ApiErrorResponse> {
    let q = parse_query(raw_query)?;
    let now = ctl.now();
    let seed = ctl.shared.scenario.seed;
    // The real API has been seen to refuse an end in the future (Win-CodexBar #191): so does
    // this one, beyond a few minutes of clock skew, so that a client sending one is caught.
    if let Some(end) = q.end_time
        && end > now + FUTURE_SLACK_SECS
    {
        return Err(ApiErrorResponse::invalid(
            "end_time",
            format!(
                "Invalid value for 'end_time': {end}. It must not be in the future (now is {now})."
            ),
        ));
    }
    let end = q.end_time.unwrap_or(now).min(now.max(q.start_time + 1));
    if end <= q.start_time {
        return Err(ApiErrorResponse::invalid(
            "end_time",
            format!(
                "Invalid value for 'end_time': {end}. It must be greater than start_time ({}).",
                q.start_time
            ),
        ));
    }
    let from = match &q.page {
        None => q.start_time,
        Some(cursor) => match decode_cursor(seed, cursor) {
            Some(t) if t > q.start_time && t.rem_euclid(DAY) == 0 => t,
            _ => {
                return Err(ApiErrorResponse::invalid(
                    "page",
                    format!(
                        "Invalid value for 'page': '{cursor}'. Use the next_page of a previous response to the same query."
                    ),
                ));
            }
        },
    };
    let settings = ctl.costs_settings();
    let mut data = Vec::new();
    let mut start = from;
    let mut n = 0usize;
    let limit = q.limit.min(settings.max_page.max(1)) as usize;
    while start < end && data.len() < limit {
        let bucket_end = (start.div_euclid(DAY) + 1) * DAY;
        let u = billed_usage(ctl, start, bucket_end, now, settings.lag_secs);
        let currency = currency_of(&settings, start);
        let results: Vec<Value> = lines_of(&ctl.shared.scenario, &u, &q)
            .into_iter()
            .filter(|_| !settings.empty_days.contains(&start))
            .map(|((name, project, key), l)| {
                let usd = l.usd * settings.factor;
                n += 1;
                let quantity = name
                    .as_ref()
                    .filter(|_| !l.quantity_null)
                    .map(|_| l.quantity);
                // Every other amount as a string with many decimals, as real answers have it.
                let value = if n.is_multiple_of(2) {
                    json!(format!("{usd:.16}"))
                } else {
                    json!(usd)
                };
                json!({
                    "object": "organization.costs.result",
                    "amount": {"value": value, "currency": currency},
                    "line_item": name,
                    "project_id": project,
                    "api_key_id": key,
                    "quantity": quantity,
                    "quantity_unit": l.unit,
                })
            })
            .collect();
        data.push(json!({
            "object": "bucket",
            "start_time": start,
            "end_time": bucket_end,
            "results": results,
        }));
        start = bucket_end;
    }
    let mut has_more = start < end;
    let mut next = has_more.then(|| encode_cursor(seed, start));
    if repeat_cursor {
        has_more = true;
        next = Some(q.page.clone().unwrap_or_else(|| encode_cursor(seed, start)));
    }
    let page = json!({"object": "page", "data": data, "has_more": has_more, "next_page": next});
    Ok(serde_json::to_vec(&page).expect("plain data serializes"))
}

/// The HTTP handler: the same gate (auth, faults, latency) as the usage endpoints.
pub(crate) async fn handler(
    super::orgs::Org(ctl): super::orgs::Org,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use super::Fault;
    use super::gate::gate_with;
    use super::server::{error, finish};
    ctl.count_request(Some("costs"), None);
    let fault = ctl.take_costs_fault().or_else(|| ctl.take_fault());
    let fault = match gate_with(&ctl, &headers, "api.usage.read", fault).await {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let repeat = fault == Some(Fault::RepeatingCursor);
    match costs_page(&ctl, uri.query().unwrap_or(""), repeat) {
        Ok(body) => finish(fault, body),
        Err(e) => error(&e),
    }
}
