//! Pure tests of the scenario and usage pages (no HTTP).

use super::super::*;
use serde_json::Value;
use std::collections::BTreeMap;

const NOW: i64 = TEST_START;
/// The start of the hour before the current one.
const HOUR: i64 = NOW - NOW % 3600 - 3600;

fn page(config: &SimConfig, q: &UsageQuery, now: i64) -> Value {
    serde_json::from_slice(&usage_page_json(config, q, now).expect("valid query"))
        .expect("valid JSON")
}

fn query(start: i64, end: i64, width: BucketWidth) -> UsageQuery {
    UsageQuery {
        end_time: Some(end),
        limit: Some(width.limits().1),
        ..UsageQuery::new(start, width)
    }
}

fn tracked(mut q: UsageQuery) -> UsageQuery {
    q.api_key_ids = vec![DEMO_KEY_ID.to_owned()];
    q
}

/// Σ of a field over every row of every bucket.
fn total(v: &Value, field: &str) -> u64 {
    rows(v).iter().map(|r| r[field].as_u64().unwrap()).sum()
}

fn rows(v: &Value) -> Vec<Value> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
        .collect()
}

/// Rows keyed by their group values, with the numeric fields summed.
fn by_group(v: &Value) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for r in rows(v) {
        let obj = r.as_object().unwrap();
        let key: Vec<String> = [
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "batch",
            "service_tier",
        ]
        .iter()
        .map(|f| obj[*f].to_string())
        .collect();
        let entry = out.entry(key.join("|")).or_default();
        for (f, val) in obj {
            if let Some(n) = val.as_u64() {
                *entry.entry(f.clone()).or_default() += n;
            }
        }
    }
    out
}

#[test]
fn same_inputs_give_same_bytes_and_the_seed_matters() {
    let q = query(NOW - 3 * 3600, NOW, BucketWidth::Minute);
    let a = usage_page_json(&SimConfig::test(), &q, NOW).unwrap();
    assert_eq!(a, usage_page_json(&SimConfig::test(), &q, NOW).unwrap());
    let other = SimConfig {
        seed: 99,
        ..SimConfig::test()
    };
    assert_ne!(a, usage_page_json(&other, &q, NOW).unwrap());
}

#[test]
fn an_hour_is_the_sum_of_its_minutes_and_a_day_of_its_hours() {
    let cfg = SimConfig::test();
    let hour = NOW - NOW.rem_euclid(3600) - 2 * 3600;
    let mut q = query(hour, hour + 3600, BucketWidth::Hour);
    q.group_by = GroupField::COMPLETIONS.to_vec();
    let mut m = query(hour, hour + 3600, BucketWidth::Minute);
    m.group_by = GroupField::COMPLETIONS.to_vec();
    let h = page(&cfg, &q, NOW);
    assert_eq!(h["data"].as_array().unwrap().len(), 1);
    assert_eq!(by_group(&h), by_group(&page(&cfg, &m, NOW)));

    // Including the current, unfinished hour and day.
    let day = NOW - NOW.rem_euclid(86_400);
    let mut d = query(day, NOW, BucketWidth::Day);
    d.group_by = vec![GroupField::Model, GroupField::ServiceTier];
    let mut hs = query(day, NOW, BucketWidth::Hour);
    hs.group_by = d.group_by.clone();
    assert_eq!(
        by_group(&page(&cfg, &d, NOW)),
        by_group(&page(&cfg, &hs, NOW))
    );
}

#[test]
fn pages_cover_every_bucket_exactly_once() {
    let cfg = SimConfig::test();
    let start = NOW - 3 * 3600 + 17; // not aligned: the first bucket is clipped to it
    let mut q = query(start, NOW, BucketWidth::Minute);
    q.limit = Some(50);
    let mut seen = Vec::new();
    loop {
        let v = page(&cfg, &q, NOW);
        let data = v["data"].as_array().unwrap();
        assert!(data.len() <= 50);
        seen.extend(data.iter().map(|b| b["start_time"].as_i64().unwrap()));
        match v["next_page"].as_str() {
            Some(next) => {
                assert!(v["has_more"].as_bool().unwrap());
                q.page = Some(next.to_owned());
            }
            None => {
                assert!(!v["has_more"].as_bool().unwrap());
                break;
            }
        }
    }
    let first = start - start.rem_euclid(60);
    let expected: Vec<i64> = std::iter::once(start)
        .chain((1..).map(|i| first + 60 * i))
        .take_while(|t| *t < NOW)
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn without_end_time_the_range_runs_to_now_and_keeps_its_first_bucket() {
    let cfg = SimConfig::test();
    let minute = NOW - NOW % 60;
    let v = page(
        &cfg,
        &UsageQuery::new(minute - 600, BucketWidth::Minute),
        NOW,
    );
    assert_eq!(v["data"].as_array().unwrap().len(), 11);
    let v = page(&cfg, &UsageQuery::new(minute, BucketWidth::Minute), minute);
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert!(v["data"][0]["results"].as_array().unwrap().is_empty());
    assert_eq!(v["has_more"], false);
}

#[test]
fn future_buckets_are_present_and_empty() {
    let v = page(
        &SimConfig::test(),
        &query(HOUR + 7200, HOUR + 3 * 3600, BucketWidth::Minute),
        NOW,
    );
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 60);
    assert!(
        data.iter()
            .all(|b| b["results"].as_array().unwrap().is_empty())
    );
    assert_eq!(data[0]["object"], "bucket");
    assert_eq!(
        data[0]["end_time"].as_i64().unwrap() - data[0]["start_time"].as_i64().unwrap(),
        60
    );
}

#[test]
fn the_key_filter_excludes_the_other_keys() {
    let cfg = SimConfig::test();
    let mut q = tracked(query(HOUR, HOUR + 3600, BucketWidth::Hour));
    q.group_by = vec![GroupField::ApiKeyId, GroupField::ProjectId];
    let v = page(&cfg, &q, NOW);
    assert!(
        rows(&v)
            .iter()
            .all(|r| r["api_key_id"] == DEMO_KEY_ID && r["project_id"] == DEMO_PROJECT_ID)
    );
    let mine = total(&v, "input_tokens") + total(&v, "output_tokens");
    q.api_key_ids.clear();
    let all = page(&cfg, &q, NOW);
    let keys: Vec<Value> = rows(&all).iter().map(|r| r["api_key_id"].clone()).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    let everyone = total(&all, "input_tokens") + total(&all, "output_tokens");
    assert!(
        everyone > 5 * mine,
        "other keys must be substantial: {everyone} vs {mine}"
    );
}

#[test]
fn ungrouped_fields_are_null_and_grouped_ones_set() {
    let cfg = SimConfig::test();
    let v = page(
        &cfg,
        &tracked(query(HOUR, HOUR + 3600, BucketWidth::Hour)),
        NOW,
    );
    let r = rows(&v);
    assert_eq!(r.len(), 1);
    for f in [
        "project_id",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "service_tier",
    ] {
        assert!(r[0][f].is_null(), "{f}");
    }
    assert_eq!(r[0]["object"], "organization.usage.completions.result");

    let mut q = tracked(query(HOUR, HOUR + 3600, BucketWidth::Hour));
    q.group_by = vec![
        GroupField::Model,
        GroupField::Batch,
        GroupField::ServiceTier,
    ];
    let r = rows(&page(&cfg, &q, NOW));
    assert!(r.len() >= 8);
    for row in &r {
        assert!(row["model"].is_string() && row["batch"].is_boolean());
        assert!(
            ["default", "flex", "priority", "ultrafast"]
                .contains(&row["service_tier"].as_str().unwrap())
        );
        assert!(
            row["project_id"].is_null() && row["api_key_id"].is_null() && row["user_id"].is_null()
        );
    }
    let has = |model: &str, batch: bool, tier: &str| {
        r.iter()
            .any(|x| x["model"] == model && x["batch"] == batch && x["service_tier"] == tier)
    };
    assert!(has("gpt-4o-mini-2024-07-18", true, "default"));
    assert!(has("gpt-5-mini-2025-08-07", false, "flex"));
    assert!(has("o4-mini-2025-04-16", false, "priority"));
    assert!(has("gpt-4.1-2025-04-14", true, "default"));
    assert!(has("gpt-5-mini-2025-08-07", false, "ultrafast"));
    assert!(
        r.iter()
            .any(|x| x["model"].as_str().unwrap().starts_with("ft:"))
    );
}

#[test]
fn rows_are_consistent_and_never_all_zero() {
    let mut q = query(NOW - 6 * 3600, NOW, BucketWidth::Minute);
    q.group_by = GroupField::COMPLETIONS.to_vec();
    for r in rows(&page(&SimConfig::test(), &q, NOW)) {
        let n = |f: &str| r[f].as_u64().unwrap();
        assert!(n("input_cached_tokens") <= n("input_tokens"));
        assert_eq!(
            n("input_tokens"),
            n("input_cached_tokens") + n("input_cache_write_tokens") + n("input_uncached_tokens")
        );
        assert_eq!(
            n("input_uncached_tokens"),
            n("input_text_tokens") + n("input_audio_tokens") + n("input_image_tokens")
        );
        assert_eq!(
            n("output_tokens"),
            n("output_text_tokens") + n("output_audio_tokens") + n("output_image_tokens")
        );
        assert!(n("num_model_requests") > 0 && n("input_tokens") + n("output_tokens") > 0);
    }
}

#[test]
fn filters_by_batch_model_and_project() {
    let cfg = SimConfig::test();
    let mut q = query(HOUR, HOUR + 3600, BucketWidth::Hour);
    q.group_by = vec![GroupField::Batch, GroupField::Model, GroupField::ProjectId];
    q.batch = Some(true);
    assert!(
        rows(&page(&cfg, &q, NOW))
            .iter()
            .all(|r| r["batch"] == true)
    );
    q.batch = None;
    q.models = vec!["o4-mini-2025-04-16".to_owned()];
    q.project_ids = vec!["proj_otherTeam03".to_owned()];
    let r = rows(&page(&cfg, &q, NOW));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["project_id"], "proj_otherTeam03");
}

/// Tokens and requests of the tracked key per minute over `[start, start + minutes·60)`.
fn minutes(cfg: &SimConfig, start: i64, n: i64, now: i64) -> Vec<(u64, u64)> {
    let v = page(
        cfg,
        &tracked(query(start, start + 60 * n, BucketWidth::Minute)),
        now,
    );
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let sum = |f: &str| {
                b["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r[f].as_u64().unwrap())
                    .sum::<u64>()
            };
            (
                sum("input_tokens") + sum("output_tokens"),
                sum("num_model_requests"),
            )
        })
        .collect()
}

#[test]
fn baseline_is_calm_and_bursts_cross_the_spike_thresholds() {
    let cfg = SimConfig::test();
    let day = NOW - NOW.rem_euclid(86_400) - 86_400;
    let per_min = minutes(&cfg, day, 1440, NOW);
    let tokens: u64 = per_min.iter().map(|m| m.0).sum();
    let requests: u64 = per_min.iter().map(|m| m.1).sum();
    let (avg_t, avg_r) = (tokens / 1440, requests / 1440);
    assert!((2_000..=4_000).contains(&avg_t), "tokens/min {avg_t}");
    assert!((10..=20).contains(&avg_r), "requests/min {avg_r}");
    assert!(
        per_min.iter().all(|m| m.0 < 10_000 && m.1 < 120),
        "{per_min:?}"
    );

    let bursty = SimConfig {
        bursts: BurstSchedule::Periodic {
            every_minutes: 12,
            length_minutes: 2,
            factor: 20.0,
        },
        ..SimConfig::test()
    };
    let start = (NOW / 720) * 720 - 720; // a burst starts every 12 minutes since the epoch
    let m = minutes(&bursty, start, 12, NOW);
    for (i, (t, r)) in m.iter().enumerate() {
        if i < 2 {
            assert!(
                *t > 10_000 && *r > 120,
                "burst minute {i}: {t} tokens, {r} requests"
            );
        } else {
            assert!(
                *t < 10_000 && *r < 120,
                "calm minute {i}: {t} tokens, {r} requests"
            );
        }
    }
}

#[test]
fn the_current_minute_grows_and_past_minutes_never_change() {
    let cfg = SimConfig::test();
    let minute = NOW - NOW.rem_euclid(60);
    let at = |now| minutes(&cfg, minute - 600, 11, now);
    let early = at(minute + 10);
    let later = at(minute + 50);
    let after = at(minute + 3600);
    assert_eq!(early[..10], later[..10]);
    assert_eq!(later[..10], after[..10]);
    assert!(
        early[10].0 < later[10].0 && later[10].0 < after[10].0,
        "{early:?} {later:?}"
    );
    assert_eq!(at(minute)[10], (0, 0));
}

#[test]
fn extra_models_appear_for_the_tracked_key() {
    let cfg = SimConfig {
        extra_models: 22,
        ..SimConfig::test()
    };
    let mut q = tracked(query(HOUR, HOUR + 3600, BucketWidth::Hour));
    q.group_by = vec![GroupField::Model];
    let models = rows(&page(&cfg, &q, NOW)).len();
    // 7 text models (one no public price list has) and 2 audio ones of its own.
    assert_eq!(models, 9 + 22);
}

#[test]
fn large_pages_hold_every_bucket() {
    let cfg = SimConfig {
        extra_models: 24,
        ..SimConfig::test()
    };
    let mut q = tracked(query(NOW - 31 * 86_400, NOW, BucketWidth::Day));
    q.group_by = vec![GroupField::Model];
    assert_eq!(page(&cfg, &q, NOW)["data"].as_array().unwrap().len(), 31);
    let mut m = tracked(query(NOW - 86_400, NOW, BucketWidth::Minute));
    m.group_by = vec![GroupField::Model];
    assert_eq!(page(&cfg, &m, NOW)["data"].as_array().unwrap().len(), 1440);
}

#[test]
fn bad_parameters_are_refused_with_the_param_named() {
    let cfg = SimConfig::test();
    let err = |q: &UsageQuery| usage_page_json(&cfg, q, NOW).unwrap_err();
    let mut q = query(NOW - 60, NOW, BucketWidth::Minute);
    q.limit = Some(1441);
    assert_eq!(err(&q).error.param.as_deref(), Some("limit"));
    q.limit = Some(0);
    assert_eq!(err(&q).status, 400);
    q.limit = None;
    q.page = Some("page_nonsense".to_owned());
    assert_eq!(err(&q).error.param.as_deref(), Some("page"));
    q.page = None;
    q.end_time = Some(NOW - 60);
    assert_eq!(err(&q).error.param.as_deref(), Some("end_time"));

    let parse_err = |raw: &str| UsageQuery::parse(raw).unwrap_err().error.param.unwrap();
    assert_eq!(parse_err("bucket_width=1m"), "start_time");
    assert_eq!(parse_err("start_time=abc"), "start_time");
    assert_eq!(parse_err("start_time=1&bucket_width=2h"), "bucket_width");
    assert_eq!(parse_err("start_time=1&group_by=colour"), "group_by");
    assert_eq!(parse_err("start_time=1&batch=maybe"), "batch");
    assert_eq!(parse_err("start_time=1&limit=-1"), "limit");
    let body: Value = serde_json::from_slice(&UsageQuery::parse("").unwrap_err().body()).unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(body["error"]["code"].is_null());
}

#[test]
fn repeated_and_bracketed_array_parameters_parse() {
    let q = UsageQuery::parse(
        "start_time=100&api_key_ids=a&api_key_ids%5B%5D=b&api_key_ids[2]=c&group_by=model&group_by[]=service_tier&bucket_width=1h&limit=5&batch=false",
    )
    .unwrap();
    assert_eq!(q.api_key_ids, ["a", "b", "c"]);
    assert_eq!(q.group_by, [GroupField::Model, GroupField::ServiceTier]);
    assert_eq!(
        (q.start_time, q.bucket_width, q.limit, q.batch),
        (100, BucketWidth::Hour, Some(5), Some(false))
    );
}
