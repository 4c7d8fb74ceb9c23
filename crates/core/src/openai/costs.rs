//! The Costs API (`GET /organization/costs`): its query, its wire types and the reading of its
//! pages, on the same pagination, retry and error machinery as the usage endpoints.
//!
//! What OpenAI bills arrives in UTC-day buckets of free-text line items. The wire is read
//! tolerantly where the real API is known to vary (`amount.value` as a number or as a JSON
//! string with many decimals; `line_item`, `quantity`, `quantity_unit` null) and strictly
//! where a misreading would be silent (a result of another endpoint, an amount that is not a
//! number). Rows go to the caller's closure: the transport builds no domain types.

use super::error::ApiError;
use super::page::{ParsedPage, TimeBucket};
use super::usage::{bucket_order, next_cursor};
use serde::Deserialize;
use std::borrow::Cow;

/// The `object` of a costs result.
pub const COSTS_RESULT: &str = "organization.costs.result";
/// The most daily buckets one costs page holds.
pub const COSTS_MAX_LIMIT: u32 = 180;

/// One costs query: `[start_time, end_time)` in daily buckets.
#[derive(Clone, Debug, PartialEq)]
pub struct CostsQuery {
    /// A UTC midnight: a start inside a day would clip its bucket.
    pub start_time: i64,
    /// Never in the future (seen to fail): the caller passes now.
    pub end_time: i64,
    /// Empty: the whole organization.
    pub api_key_ids: Vec<String>,
    /// Empty: every project.
    pub project_ids: Vec<String>,
    /// Group by `api_key_id` and `project_id` too (more than one key can be in the figure).
    pub by_key: bool,
    /// Buckets per page, 1 to [`COSTS_MAX_LIMIT`].
    pub limit: u32,
}

impl CostsQuery {
    /// The days from `start_time` to `end_time` of the tracked ids `ids` (keys and projects,
    /// [`super::scope`]), grouped by line item (and by key and project whenever more than one
    /// key can be in the figure), as few pages as the API allows.
    pub fn new(start_time: i64, end_time: i64, ids: &[String]) -> Self {
        let days = (end_time - start_time).div_euclid(86_400) + 1;
        let (api_key_ids, project_ids) = super::scope::split(ids);
        CostsQuery {
            start_time,
            end_time,
            by_key: super::scope::many_keys(ids),
            api_key_ids,
            project_ids,
            limit: (days.max(1) as u32).min(COSTS_MAX_LIMIT),
        }
    }
}

/// One costs result, as read from the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct CostRow<'a> {
    pub value: f64,
    /// Lower-case as the API writes it; "usd" when absent.
    pub currency: Cow<'a, str>,
    pub line_item: Option<Cow<'a, str>>,
    pub project_id: Option<Cow<'a, str>>,
    pub api_key_id: Option<Cow<'a, str>>,
    pub quantity: Option<f64>,
    pub quantity_unit: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow, default)]
    data: Option<Vec<Bucket<'a>>>,
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(borrow, default)]
    next_page: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Bucket<'a> {
    #[serde(borrow, default)]
    object: Option<Cow<'a, str>>,
    start_time: i64,
    end_time: i64,
    #[serde(borrow, default, alias = "result")]
    results: Option<Vec<WireResult<'a>>>,
}

#[derive(Deserialize)]
struct WireResult<'a> {
    #[serde(borrow, default)]
    object: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    amount: Option<WireAmount<'a>>,
    #[serde(borrow, default)]
    line_item: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    project_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    api_key_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    quantity: Option<Number<'a>>,
    #[serde(borrow, default)]
    quantity_unit: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct WireAmount<'a> {
    #[serde(borrow, default)]
    value: Option<Number<'a>>,
    #[serde(borrow, default)]
    currency: Option<Cow<'a, str>>,
}

/// A JSON number, or a JSON string holding one ("12.50", "0.8958740000000000").
#[derive(Deserialize)]
#[serde(untagged)]
enum Number<'a> {
    Float(f64),
    #[serde(borrow)]
    Text(Cow<'a, str>),
}

impl Number<'_> {
    fn read(&self, field: &str, body: &[u8]) -> Result<f64, ApiError> {
        let v = match self {
            Number::Float(v) => Some(*v),
            Number::Text(s) => s.trim().parse::<f64>().ok(),
        };
        v.filter(|v| v.is_finite()).ok_or_else(|| {
            let shown = match self {
                Number::Float(v) => v.to_string(),
                Number::Text(s) => format!("{s:?}"),
            };
            ApiError::bad_body(
                format!("a costs result's {field} is {shown}, not a number"),
                body,
            )
        })
    }
}

/// Parses one costs page, making each result a row with `row`. A bucket or result of another
/// kind (a usage page at the costs URL) is a bad response naming what came and what was
/// expected.
pub fn parse_costs_page<R>(
    body: &[u8],
    mut row: impl FnMut(CostRow<'_>) -> R,
) -> Result<ParsedPage<R>, ApiError> {
    let page: Page<'_> = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_body(format!("cannot read a costs page ({e})"), body))?;
    let mut buckets = Vec::new();
    for b in page.data.unwrap_or_default() {
        if let Some(o) = b.object.as_deref()
            && o != "bucket"
        {
            return Err(ApiError::bad_body(
                format!(
                    "the costs endpoint answered with a bucket of type {o:?} (expected \"bucket\")"
                ),
                body,
            ));
        }
        bucket_order(b.start_time, b.end_time, body)?;
        let results = b.results.unwrap_or_default();
        let mut rows = Vec::with_capacity(results.len());
        for r in results {
            if let Some(o) = r.object.as_deref()
                && o != COSTS_RESULT
            {
                return Err(ApiError::bad_body(
                    format!(
                        "the costs endpoint answered with a result of type {o:?} (expected {COSTS_RESULT:?})"
                    ),
                    body,
                ));
            }
            let Some(amount) = r.amount else {
                return Err(ApiError::bad_body("a costs result has no amount", body));
            };
            let value = match &amount.value {
                Some(v) => v.read("amount.value", body)?,
                None => {
                    return Err(ApiError::bad_body(
                        "a costs result's amount has no value",
                        body,
                    ));
                }
            };
            let quantity = r.quantity.map(|q| q.read("quantity", body)).transpose()?;
            let currency = match amount.currency {
                Some(c) if c.chars().any(|c| c.is_ascii_uppercase()) => {
                    Cow::Owned(c.to_ascii_lowercase())
                }
                Some(c) if !c.trim().is_empty() => c,
                _ => Cow::Borrowed("usd"),
            };
            rows.push(row(CostRow {
                value,
                currency,
                line_item: r.line_item,
                project_id: r.project_id,
                api_key_id: r.api_key_id,
                quantity,
                quantity_unit: r.quantity_unit,
            }));
        }
        buckets.push(TimeBucket {
            start_time: b.start_time,
            end_time: b.end_time,
            rows,
        });
    }
    let next_page = next_cursor(page.has_more.unwrap_or(false), page.next_page, body)?;
    Ok(ParsedPage { buckets, next_page })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (amount, currency, line item) of one result.
    type Row = (f64, String, Option<String>);

    fn rows(body: &str) -> Result<Vec<(i64, Vec<Row>)>, ApiError> {
        let page = parse_costs_page(body.as_bytes(), |r| {
            (
                r.value,
                r.currency.into_owned(),
                r.line_item.map(Cow::into_owned),
            )
        })?;
        Ok(page
            .buckets
            .into_iter()
            .map(|b| (b.start_time, b.rows))
            .collect())
    }

    #[test]
    fn the_spec_examples_read() {
        for file in [
            "examples/costs.json",
            "examples/legacy/costs.2025-04-29_498c71d.json",
            "examples/legacy/costs.2026-05-13_5162af9.json",
        ] {
            let path = format!(
                "{}/../../tests/fixtures/openai/{file}",
                env!("CARGO_MANIFEST_DIR")
            );
            let body = std::fs::read_to_string(&path).unwrap();
            let got = rows(&body).unwrap();
            assert_eq!(
                got,
                vec![(1_730_419_200, vec![(0.06, "usd".into(), None)])],
                "{file}"
            );
        }
    }

    #[test]
    fn amounts_read_as_numbers_and_as_strings_with_many_decimals() {
        let body = r#"{"object":"page","data":[{"object":"bucket","start_time":0,"end_time":86400,"results":[
            {"object":"organization.costs.result","amount":{"value":"12.50","currency":"usd"},"line_item":"Text tokens"},
            {"object":"organization.costs.result","amount":{"value":"0.8958740000000000","currency":"USD"},"line_item":null,"quantity":null,"quantity_unit":null},
            {"object":"organization.costs.result","amount":{"value":1.5e-7,"currency":"eur"},"line_item":"gpt-4o-2024-08-06, input","quantity":"1200","quantity_unit":"tokens"}
        ]},{"object":"bucket","start_time":86400,"end_time":172800,"results":[]}],"has_more":false,"next_page":null}"#;
        let got = rows(body).unwrap();
        assert_eq!(got.len(), 2, "an empty bucket is kept");
        assert_eq!(got[1], (86_400, vec![]));
        let r = &got[0].1;
        assert_eq!(r[0], (12.5, "usd".into(), Some("Text tokens".into())));
        assert_eq!(
            r[1],
            (0.895_874, "usd".into(), None),
            "upper-case currency read as lower"
        );
        assert_eq!(r[2].0, 1.5e-7);
        assert_eq!(r[2].1, "eur");
    }

    #[test]
    fn quantity_and_unit_may_be_null_or_strings() {
        let body = r#"{"data":[{"start_time":0,"end_time":86400,"results":[
            {"object":"organization.costs.result","amount":{"value":0.06,"currency":"usd"},"line_item":"input_tokens","quantity":"10000","quantity_unit":"tokens"},
            {"amount":{"value":0.01},"quantity":null,"quantity_unit":null}]}],"has_more":false}"#;
        let page = parse_costs_page(body.as_bytes(), |r| {
            (
                r.quantity,
                r.quantity_unit.map(Cow::into_owned),
                r.currency.into_owned(),
            )
        })
        .unwrap();
        let rows = &page.buckets[0].rows;
        assert_eq!(
            rows[0],
            (Some(10_000.0), Some("tokens".into()), "usd".into())
        );
        assert_eq!(
            rows[1],
            (None, None, "usd".into()),
            "a missing currency is USD"
        );
    }

    #[test]
    fn another_endpoints_objects_are_a_bad_response_naming_both() {
        let usage = r#"{"object":"page","data":[{"object":"bucket","start_time":0,"end_time":60,"results":[
            {"object":"organization.usage.completions.result","input_tokens":5}]}],"has_more":false}"#;
        let e = rows(usage).unwrap_err();
        assert_eq!(e.kind(), crate::openai::ErrorKind::BadResponse);
        let text = e.to_string();
        assert!(
            text.contains("organization.usage.completions.result"),
            "{text}"
        );
        assert!(text.contains(COSTS_RESULT), "{text}");
        let bucket = r#"{"data":[{"object":"organization.costs.result","start_time":0,"end_time":60,"results":[]}],"has_more":false}"#;
        let text = rows(bucket).unwrap_err().to_string();
        assert!(
            text.contains("\"bucket\"") && text.contains("organization.costs.result"),
            "{text}"
        );
    }

    #[test]
    fn an_amount_that_is_not_a_number_is_a_bad_response_naming_it() {
        let body = r#"{"data":[{"start_time":0,"end_time":86400,"results":[
            {"object":"organization.costs.result","amount":{"value":"12,50","currency":"usd"}}]}],"has_more":false}"#;
        let text = rows(body).unwrap_err().to_string();
        assert!(
            text.contains("\"12,50\"") && text.contains("amount.value"),
            "{text}"
        );
        let none = r#"{"data":[{"start_time":0,"end_time":86400,"results":[{"object":"organization.costs.result"}]}]}"#;
        assert!(rows(none).unwrap_err().to_string().contains("no amount"));
    }

    #[test]
    fn has_more_needs_a_cursor() {
        let body = r#"{"data":[],"has_more":true,"next_page":null}"#;
        assert!(rows(body).unwrap_err().to_string().contains("next_page"));
        let ok = r#"{"data":[],"has_more":true,"next_page":"page_x"}"#;
        let page = parse_costs_page(ok.as_bytes(), |_| ()).unwrap();
        assert_eq!(page.next_page.as_deref(), Some("page_x"));
    }

    #[test]
    fn a_query_asks_for_as_few_pages_as_allowed() {
        let q = CostsQuery::new(0, 10 * 86_400 + 5, &["key_a".into()]);
        assert_eq!(q.limit, 11);
        assert!(!q.by_key);
        let q = CostsQuery::new(0, 400 * 86_400, &["key_a".into(), "key_b".into()]);
        assert_eq!(q.limit, COSTS_MAX_LIMIT);
        assert!(q.by_key);
    }
}
