//! The bill over real HTTP as OpenAI bills, not as the app assumes: images at the quality
//! asked for, gpt-image-1 in tokens, web search at the GA tool's price, a model and a tier no
//! public list has, one model at a regional uplift, and a quantity on every line but storage.
//! Prices are written out here as published, not read from the simulator's table.

use super::super::costs::DAY;
use super::super::other::{ImagesAsked, minute_amount};
use super::super::*;
use super::http_client::{get, server};
use serde_json::Value;
use std::collections::BTreeMap;

/// A settled whole day of the test scenario (the day before [`TEST_START`]'s).
fn yesterday() -> i64 {
    TEST_START.div_euclid(DAY) * DAY - DAY
}

/// One line of the costs page: amount (USD), quantity, unit.
#[derive(Debug)]
struct Line {
    usd: f64,
    quantity: Option<f64>,
    unit: Option<String>,
}

/// The demo key's (or with `keys` empty, the organization's) bill of one day, by line item.
async fn bill_of(srv: &SimServer, day: i64, keys: &str) -> BTreeMap<String, Line> {
    let path = format!(
        "/v1/organization/costs?start_time={day}&end_time={}&group_by=line_item{keys}",
        day + DAY
    );
    let v = get(srv, &path).await.json();
    let results = v["data"][0]["results"].as_array().unwrap().clone();
    let mut out = BTreeMap::new();
    for r in results {
        let value = &r["amount"]["value"];
        let usd = value
            .as_f64()
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
            .unwrap();
        let line = Line {
            usd,
            quantity: r["quantity"].as_f64(),
            unit: r["quantity_unit"].as_str().map(str::to_owned),
        };
        let name = r["line_item"].as_str().unwrap().to_owned();
        assert!(out.insert(name, line).is_none(), "one line per name");
    }
    out
}

const DEMO_KEY: &str = "&api_key_ids=key_demoPrimary01";

/// The tracked key's usage of `endpoint` over one day, grouped by `group`: (row, quantity field).
async fn usage_of(srv: &SimServer, endpoint: &str, day: i64, group: &str) -> Vec<Value> {
    let path = format!(
        "/v1/organization/usage/{endpoint}?start_time={day}&end_time={}&bucket_width=1d{DEMO_KEY}{group}",
        day + DAY
    );
    let v = get(srv, &path).await.json();
    v["data"][0]["results"].as_array().unwrap().clone()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

/// The qualities of one image stream's images over a day, as the scenario asked them.
fn qualities(ctl: &SimControl, model: &str, size: &str, day: i64) -> BTreeMap<&'static str, u64> {
    let scn = &ctl.shared.scenario;
    let s = scn
        .meters
        .iter()
        .find(|m| m.key == DEMO_KEY_ID && m.model == model && m.dims[0] == Some(size))
        .unwrap();
    let mut asked = ImagesAsked::default();
    for minute in day / 60..(day + DAY) / 60 {
        asked.ask(
            scn.seed,
            s,
            minute,
            minute_amount(scn.seed, s, minute, 1.0),
            0,
        );
    }
    asked.by_quality
}

#[tokio::test]
async fn dall_e_images_are_billed_at_the_quality_asked_for_in_one_line_per_size() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let day = yesterday();
    let bill = bill_of(&srv, day, DEMO_KEY).await;
    let images = usage_of(&srv, "images", day, "&group_by=model&group_by=size").await;
    for (size, standard, hd) in [("1024x1024", 0.04, 0.08), ("1792x1024", 0.08, 0.12)] {
        let asked = qualities(&ctl, "dall-e-3", size, day);
        let (n_std, n_hd) = (asked["standard"], asked["hd"]);
        assert_eq!(asked.len(), 2, "{asked:?}");
        let share = n_hd as f64 / (n_std + n_hd) as f64;
        assert!((0.2..0.4).contains(&share), "about 30 % hd: {share}");
        let line = &bill[&format!("dall-e-3, images, {size}")];
        let want = n_std as f64 * standard + n_hd as f64 * hd;
        assert!(close(line.usd, want), "{size}: {} != {want}", line.usd);
        // Between all at standard and all at hd: the app, which must assume one, cannot match.
        let count = (n_std + n_hd) as f64;
        assert!(count * standard < line.usd && line.usd < count * hd);
        assert_eq!(line.quantity, Some(count));
        assert_eq!(line.unit.as_deref(), Some("images"));
        // The usage endpoint counts the same images, without their quality.
        let row = images
            .iter()
            .find(|r| r["model"] == "dall-e-3" && r["size"] == size)
            .unwrap();
        assert_eq!(row["images"].as_f64(), Some(count));
        assert!(row.get("quality").is_none());
    }
    let dalle2 = &bill["dall-e-2, images, 512x512"];
    assert!(close(dalle2.usd, dalle2.quantity.unwrap() * 0.018));
    assert!(
        !bill.keys().any(|k| k == "Image models"),
        "no coarse line: {bill:?}"
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn gpt_image_1_is_billed_in_tokens_and_counted_in_images() {
    let (srv, ctl) = server(SimConfig::test()).await;
    let day = yesterday();
    let bill = bill_of(&srv, day, DEMO_KEY).await;
    let asked = qualities(&ctl, "gpt-image-1", "1024x1536", day);
    assert_eq!(
        asked.keys().copied().collect::<Vec<_>>(),
        ["high", "low", "medium"],
        "a mix of qualities"
    );
    // OpenAI's output tokens per 1024x1536 image.
    let tokens = asked["low"] * 408 + asked["medium"] * 1584 + asked["high"] * 6240;
    let out = &bill["gpt-image-1 image, output"];
    assert_eq!(out.quantity, Some(tokens as f64));
    assert_eq!(out.unit.as_deref(), Some("tokens"));
    assert!(close(out.usd, tokens as f64 * 40.0 / 1e6));
    let prompt = &bill["gpt-image-1 text, input"];
    let prompts = prompt.quantity.unwrap();
    assert!(close(prompt.usd, prompts * 5.0 / 1e6));
    assert_eq!(prompt.unit.as_deref(), Some("tokens"));
    assert!(!bill.keys().any(|k| k.starts_with("gpt-image-1, images")));

    let images = usage_of(&srv, "images", day, "&group_by=model").await;
    let row = images.iter().find(|r| r["model"] == "gpt-image-1").unwrap();
    assert_eq!(row["images"].as_u64(), Some(asked.values().sum::<u64>()));
    let requests = row["num_model_requests"].as_u64().unwrap();
    assert!(
        (20 * requests..=80 * requests).contains(&(prompts as u64)),
        "20 to 80 prompt tokens a request: {prompts} for {requests}"
    );
    let completions = usage_of(&srv, "completions", day, "&group_by=model").await;
    assert!(!completions.is_empty());
    assert!(completions.iter().all(|r| r["model"] != "gpt-image-1"));
    srv.shutdown().await;
}

#[tokio::test]
async fn web_search_is_ten_dollars_per_thousand_calls_for_every_model() {
    let (srv, _ctl) = server(SimConfig::test()).await;
    let day = yesterday();
    let bill = bill_of(&srv, day, DEMO_KEY).await;
    let rows = usage_of(&srv, "web_search_calls", day, "&group_by=model").await;
    assert!(
        rows.iter()
            .any(|r| r["model"].as_str().unwrap().starts_with("gpt-4o")),
        "a gpt-4o model searches too: {rows:?}"
    );
    let calls: u64 = rows
        .iter()
        .map(|r| r["num_requests"].as_u64().unwrap())
        .sum();
    let line = &bill["web search tool calls"];
    assert_eq!(line.quantity, Some(calls as f64));
    assert_eq!(line.unit, None);
    assert!(close(line.usd, calls as f64 * 0.01), "{line:?}");
    srv.shutdown().await;
}

#[tokio::test]
async fn the_unknown_model_the_ultrafast_tier_and_the_uplift_are_in_usage_and_bill() {
    let (srv, _ctl) = server(SimConfig::test()).await;
    let day = yesterday();
    let bill = bill_of(&srv, day, DEMO_KEY).await;
    let rows = usage_of(
        &srv,
        "completions",
        day,
        "&group_by=model&group_by=service_tier&group_by=batch",
    )
    .await;
    let row = |model: &str, tier: &str| {
        rows.iter()
            .find(|r| r["model"] == model && r["service_tier"] == tier && r["batch"] == false)
            .unwrap_or_else(|| panic!("{model} {tier} in {rows:?}"))
    };
    let unknown = row("gpt-6.9-preview-2026-12-01", "default");
    let ultrafast = row("gpt-5-mini-2025-08-07", "ultrafast");
    // Each billed at its own price per 1M tokens: (line, price, usage tokens where one field
    // holds them all).
    let output = |r: &Value| r["output_tokens"].as_f64().unwrap();
    let cached = |r: &Value| r["input_cached_tokens"].as_f64().unwrap();
    let uncached = |r: &Value| r["input_tokens"].as_f64().unwrap() - cached(r);
    let checks = [
        ("gpt-6.9-preview-2026-12-01, input", 3.00, uncached(unknown)),
        (
            "gpt-6.9-preview-2026-12-01, cached input",
            0.30,
            cached(unknown),
        ),
        ("gpt-6.9-preview-2026-12-01, output", 18.0, output(unknown)),
        (
            "ultrafast | gpt-5-mini-2025-08-07, input",
            0.75,
            uncached(ultrafast),
        ),
        (
            "ultrafast | gpt-5-mini-2025-08-07, cached input",
            0.075,
            cached(ultrafast),
        ),
        (
            "ultrafast | gpt-5-mini-2025-08-07, output",
            6.00,
            output(ultrafast),
        ),
    ];
    for (name, price, tokens) in checks {
        let line = &bill[name];
        assert!(tokens > 0.0);
        assert_eq!(line.quantity, Some(tokens), "{name}");
        assert!(close(line.usd, tokens * price / 1e6), "{name}: {line:?}");
    }
    // gpt-4.1 at 10 % above its public price (batch: half of 2.20 / 8.80).
    for (kind, price) in [("input", 1.10), ("output", 4.40)] {
        let line = &bill[&format!("batch | gpt-4.1-2025-04-14, {kind}")];
        assert!(
            close(line.usd, line.quantity.unwrap() * price / 1e6),
            "{line:?}"
        );
    }
    // Another model at its public price.
    let line = &bill["gpt-4o-2024-08-06, output"];
    assert!(close(line.usd, line.quantity.unwrap() * 10.0 / 1e6));
    srv.shutdown().await;
}

#[tokio::test]
async fn every_line_has_a_quantity_but_storage() {
    let (srv, _ctl) = server(SimConfig::test()).await;
    let bill = bill_of(&srv, yesterday(), "").await;
    assert!(bill.len() > 30, "{}", bill.len());
    for (name, line) in &bill {
        let unit = line.unit.as_deref();
        if name == "Vector storage" {
            assert_eq!((line.quantity, unit), (None, None));
            continue;
        }
        let quantity = line
            .quantity
            .unwrap_or_else(|| panic!("{name}: no quantity"));
        assert!(
            quantity > 0.0 && quantity.fract() == 0.0,
            "{name}: {quantity}"
        );
        let want = if name.ends_with("tool calls") {
            None
        } else if name.ends_with(", characters") {
            Some("characters")
        } else if name.ends_with(", minutes") {
            Some("duration_seconds")
        } else if name.contains(", images, ") {
            Some("images")
        } else {
            Some("tokens")
        };
        assert_eq!(unit, want, "{name}");
    }
    srv.shutdown().await;
}
