//! Every usage endpoint but completions: who uses what per minute (images of several models and
//! sizes, speech, transcription, embeddings, moderations, web and file search), and the pages
//! of `GET /organization/usage/<endpoint>` in the shapes of the spec's examples.
//!
//! The same rules as completions: a minute's usage is one hash of (seed, stream, minute), the
//! current minute counts pro rata, a start inside a bucket clips it, each endpoint accepts only
//! its own `group_by` values, and late usage can be added to a minute that is over. The numbers
//! come from the tables here, never from the client's code or price table.

use super::org::{BATCH_KEY, DEMO_USER, OTHER_KEY, OTHER_PROJECT, OTHER_USER};
use super::page::{encode_cursor, page_range};
use super::query::{ApiErrorResponse, GroupField, UsageQuery, check_group_by};
use super::scenario::{LateUsage, ManualBurst, Scenario, daily_wave, hash_str, splitmix64};
use super::{DEMO_KEY_ID, DEMO_PROJECT_ID};
use serde_json::{Map, Value, json};

/// The endpoints served here, with the `object` of their results.
pub(crate) const ENDPOINTS: [(&str, &str); 7] = [
    ("embeddings", "organization.usage.embeddings.result"),
    ("moderations", "organization.usage.moderations.result"),
    ("images", "organization.usage.images.result"),
    ("audio_speeches", "organization.usage.audio_speeches.result"),
    (
        "audio_transcriptions",
        "organization.usage.audio_transcriptions.result",
    ),
    ("web_search_calls", "organization.usage.web_searches.result"),
    (
        "file_search_calls",
        "organization.usage.file_searches.result",
    ),
];

/// One source of usage on one endpoint.
pub(crate) struct MeterStream {
    pub endpoint: &'static str,
    pub project: &'static str,
    pub key: &'static str,
    /// The tracked key's (bursts and late usage land on it).
    pub tracked: bool,
    pub user: Option<&'static str>,
    /// The model, or for file search the vector store.
    pub model: &'static str,
    /// images: size and source; web search: context level.
    pub dims: [Option<&'static str>; 2],
    req_per_min: f64,
    /// The quantity (tokens, images, characters, seconds, calls) per request.
    per_request: f64,
    /// Whole multiples of `per_request` (images, calls) rather than a spread around it.
    exact: bool,
    id: u64,
}

type Spec = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    [Option<&'static str>; 2],
    f64,
    f64,
    bool,
);

const ME: (&str, &str, Option<&str>) = (DEMO_PROJECT_ID, DEMO_KEY_ID, Some(DEMO_USER));

/// (endpoint, project, key, user, model, dims, requests/min, quantity/request, exact)
#[rustfmt::skip]
const MIX: [Spec; 19] = [
    ("embeddings", ME.0, ME.1, ME.2, "text-embedding-3-small", [None, None], 3.0, 150.0, false),
    ("embeddings", ME.0, ME.1, ME.2, "text-embedding-3-large", [None, None], 0.5, 400.0, false),
    ("moderations", ME.0, ME.1, ME.2, "omni-moderation-latest", [None, None], 1.0, 90.0, false),
    ("images", ME.0, ME.1, ME.2, "dall-e-3", [Some("1024x1024"), Some("image.generation")], 0.3, 1.0, true),
    ("images", ME.0, ME.1, ME.2, "dall-e-3", [Some("1792x1024"), Some("image.generation")], 0.1, 1.0, true),
    ("images", ME.0, ME.1, ME.2, "gpt-image-1", [Some("1024x1536"), Some("image.generation")], 0.1, 2.0, true),
    ("images", ME.0, ME.1, ME.2, "dall-e-2", [Some("512x512"), Some("image.variation")], 0.1, 3.0, true),
    ("audio_speeches", ME.0, ME.1, ME.2, "tts-1", [None, None], 0.5, 350.0, false),
    ("audio_speeches", ME.0, ME.1, ME.2, "tts-1-hd", [None, None], 0.2, 600.0, false),
    ("audio_transcriptions", ME.0, ME.1, ME.2, "whisper-1", [None, None], 0.3, 50.0, false),
    ("audio_transcriptions", ME.0, ME.1, ME.2, "gpt-4o-mini-transcribe", [None, None], 0.1, 40.0, false),
    ("web_search_calls", ME.0, ME.1, ME.2, "gpt-4o-mini-2024-07-18", [Some("medium"), None], 0.5, 2.0, true),
    ("web_search_calls", ME.0, ME.1, ME.2, "o4-mini-2025-04-16", [Some("low"), None], 0.2, 1.0, true),
    ("file_search_calls", ME.0, ME.1, ME.2, "vs_demoDocs01", [None, None], 0.4, 1.0, true),
    // Other keys: enough that a client which forgets the key filter sees far too much.
    ("embeddings", DEMO_PROJECT_ID, BATCH_KEY, None, "text-embedding-3-small", [None, None], 10.0, 500.0, false),
    ("embeddings", OTHER_PROJECT, OTHER_KEY, Some(OTHER_USER), "text-embedding-3-large", [None, None], 20.0, 500.0, false),
    ("images", OTHER_PROJECT, OTHER_KEY, Some(OTHER_USER), "dall-e-3", [Some("1024x1024"), Some("image.generation")], 2.0, 1.0, true),
    ("audio_speeches", OTHER_PROJECT, OTHER_KEY, Some(OTHER_USER), "tts-1", [None, None], 3.0, 400.0, false),
    ("file_search_calls", OTHER_PROJECT, OTHER_KEY, Some(OTHER_USER), "vs_otherTeam03", [None, None], 3.0, 1.0, true),
];

pub(crate) fn streams(seed: u64) -> Vec<MeterStream> {
    MIX.iter()
        .map(
            |&(endpoint, project, key, user, model, dims, rpm, per, exact)| MeterStream {
                endpoint,
                project,
                key,
                tracked: key == DEMO_KEY_ID,
                user,
                model,
                dims,
                req_per_min: rpm,
                per_request: per,
                exact,
                id: hash_str(seed, &format!("{endpoint}|{key}|{model}|{dims:?}")),
            },
        )
        .collect()
}

/// Requests and quantity of one stream in one minute (or a bucket).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Amount {
    pub requests: u64,
    pub quantity: u64,
}

impl Amount {
    fn add(&mut self, o: Amount) {
        self.requests += o.requests;
        self.quantity += o.quantity;
    }
    /// The part of a minute's usage done after `num` of its `den` seconds: the quantity rounded
    /// down, the requests at a `phase` (`0..den`) of the stream's own. Counting each stream's
    /// first request at once (as completions do) would put a dozen streams' requests in the
    /// first seconds of every minute: a false request spike to a client that refreshes then.
    fn scaled(self, num: u64, den: u64, phase: u64) -> Amount {
        Amount {
            requests: (self.requests * num + phase % den) / den,
            quantity: self.quantity * num / den,
        }
    }
}

pub(crate) fn minute_amount(seed: u64, s: &MeterStream, minute: i64, burst: f64) -> Amount {
    let h = splitmix64(seed ^ s.id ^ (minute as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let u = |i: u32| ((h >> (16 * i)) & 0xFFFF) as f64 / 65536.0;
    let mult = if s.tracked { burst.max(1.0) } else { 1.0 };
    let rate = s.req_per_min * daily_wave(minute) * mult * (0.7 + 0.6 * u(0));
    let requests = (rate + u(1)).floor() as u64;
    let quantity = if s.exact {
        requests * s.per_request as u64
    } else {
        (requests as f64 * s.per_request * (0.75 + 0.5 * u(2))) as u64
    };
    Amount { requests, quantity }
}

/// The quality each image of a model is asked at, in per mille of its images. The usage
/// endpoint does not report quality (only model, size and source); the bill prices it, so an
/// estimate that has to assume one quality runs above the bill.
#[rustfmt::skip]
const QUALITY_MIX: [(&str, &[(&str, u64)]); 3] = [
    ("dall-e-3",    &[("standard", 700), ("hd", 300)]),
    ("gpt-image-1", &[("low", 300), ("medium", 500), ("high", 200)]),
    ("dall-e-2",    &[("standard", 1000)]),
];

/// The images of an image stream over some minutes as they were asked for: how many at each
/// quality, and the prompt tokens of their requests (what gpt-image-1 bills as text input).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ImagesAsked {
    pub by_quality: std::collections::BTreeMap<&'static str, u64>,
    pub prompt_tokens: u64,
}

impl ImagesAsked {
    /// Adds how the `amount` of image stream `s` in `minute` was asked for: each image's
    /// quality and each request's prompt (20 to 80 tokens) from one hash of (seed, stream,
    /// minute, its index), so a past minute never changes. `first` numbers the minute's first
    /// image and request: 0 for the minute's own usage, something far from it for usage added
    /// late.
    pub(crate) fn ask(
        &mut self,
        seed: u64,
        s: &MeterStream,
        minute: i64,
        amount: Amount,
        first: u64,
    ) {
        if amount.quantity == 0 && amount.requests == 0 {
            return;
        }
        let mix = QUALITY_MIX
            .iter()
            .find(|m| m.0 == s.model)
            .map_or(&[("standard", 1000)][..], |m| m.1);
        let base = splitmix64(seed ^ s.id ^ (minute as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25));
        for i in first..first + amount.quantity {
            let mut pick = splitmix64(base ^ i) % 1000;
            let quality = mix
                .iter()
                .find_map(|&(quality, share)| {
                    if pick < share {
                        return Some(quality);
                    }
                    pick -= share;
                    None
                })
                .unwrap_or(mix[0].0);
            *self.by_quality.entry(quality).or_default() += 1;
        }
        self.prompt_tokens += (first..first + amount.requests)
            .map(|r| 20 + splitmix64(base ^ r ^ 0x5bd1_e995) % 61)
            .sum::<u64>();
    }
}

/// The grouped dimensions of a row; `None` where not grouped.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    project_id: Option<&'static str>,
    user_id: Option<&'static str>,
    api_key_id: Option<&'static str>,
    model: Option<&'static str>,
    dims: [Option<&'static str>; 2],
}

fn key_of(s: &MeterStream, g: &[GroupField]) -> Key {
    let has = |f: GroupField| g.contains(&f);
    let dim0 = if s.endpoint == "images" {
        GroupField::Size
    } else {
        GroupField::ContextLevel
    };
    let model_field = if s.endpoint == "file_search_calls" {
        GroupField::VectorStoreId
    } else {
        GroupField::Model
    };
    Key {
        project_id: has(GroupField::ProjectId).then_some(s.project),
        user_id: if has(GroupField::UserId) {
            s.user
        } else {
            None
        },
        api_key_id: has(GroupField::ApiKeyId).then_some(s.key),
        model: has(model_field).then_some(s.model),
        dims: [
            if has(dim0) { s.dims[0] } else { None },
            if has(GroupField::Source) {
                s.dims[1]
            } else {
                None
            },
        ],
    }
}

fn row(endpoint: &str, object: &str, k: &Key, a: Amount) -> Value {
    let mut m = Map::new();
    m.insert("object".into(), json!(object));
    let (quantity_field, model_field) = match endpoint {
        "embeddings" | "moderations" => ("input_tokens", "model"),
        "images" => ("images", "model"),
        "audio_speeches" => ("characters", "model"),
        "audio_transcriptions" => ("seconds", "model"),
        "web_search_calls" => ("num_requests", "model"),
        _ => ("num_requests", "vector_store_id"),
    };
    m.insert(quantity_field.into(), json!(a.quantity));
    if endpoint != "file_search_calls" {
        m.insert("num_model_requests".into(), json!(a.requests));
    }
    if endpoint == "images" {
        m.insert("size".into(), json!(k.dims[0]));
        m.insert("source".into(), json!(k.dims[1]));
    }
    m.insert("project_id".into(), json!(k.project_id));
    m.insert("user_id".into(), json!(k.user_id));
    m.insert("api_key_id".into(), json!(k.api_key_id));
    m.insert(model_field.into(), json!(k.model));
    if endpoint == "web_search_calls" {
        m.insert("context_level".into(), json!(k.dims[0]));
    }
    Value::Object(m)
}

fn matches(s: &MeterStream, endpoint: &str, q: &UsageQuery) -> bool {
    let within = |list: &[String], v: &str| list.is_empty() || list.iter().any(|x| x == v);
    s.endpoint == endpoint
        && within(&q.api_key_ids, s.key)
        && within(&q.project_ids, s.project)
        && (endpoint == "file_search_calls" || within(&q.models, s.model))
        && (q.user_ids.is_empty() || s.user.is_some_and(|u| within(&q.user_ids, u)))
}

/// One page of `endpoint` for `q` at `now`: its JSON and the buckets and rows in it.
pub(crate) fn build_other_page(
    scn: &Scenario,
    endpoint: &str,
    q: &UsageQuery,
    now: i64,
    manual: &[ManualBurst],
    late: &[LateUsage],
) -> Result<(Value, usize, usize), ApiErrorResponse> {
    let object = ENDPOINTS
        .iter()
        .find(|(e, _)| *e == endpoint)
        .map(|(_, o)| *o)
        .ok_or_else(|| {
            ApiErrorResponse::new(
                404,
                "invalid_request_error",
                format!("Invalid URL (GET /v1/organization/usage/{endpoint})"),
                None,
                None,
            )
        })?;
    check_group_by(endpoint, q)?;
    let width = q.bucket_width.secs();
    let (from, end, limit) = page_range(scn.seed, q, now)?;
    let streams: Vec<&MeterStream> = scn
        .meters
        .iter()
        .filter(|s| matches(s, endpoint, q))
        .collect();
    let mut keys: Vec<Key> = streams.iter().map(|s| key_of(s, &q.group_by)).collect();
    keys.sort();
    keys.dedup();
    let slots: Vec<usize> = streams
        .iter()
        .map(|s| {
            keys.binary_search(&key_of(s, &q.group_by))
                .expect("collected above")
        })
        .collect();
    let late: Vec<(usize, i64, Amount)> = late
        .iter()
        .filter(|l| l.endpoint == endpoint)
        .filter_map(|l| {
            let i = streams
                .iter()
                .position(|s| s.tracked && s.model == l.model)?;
            let a = Amount {
                requests: l.requests,
                quantity: l.quantity,
            };
            Some((slots[i], l.minute, a))
        })
        .collect();
    let now_minute = now.div_euclid(60);
    let elapsed = now.rem_euclid(60) as u64;
    let mut data = Vec::new();
    let mut rows = 0;
    let mut start = from;
    while start < end && data.len() < limit as usize {
        let bucket_end = start.div_euclid(width) * width + width;
        let mut sums = vec![Amount::default(); keys.len()];
        let last_minute = (bucket_end / 60).min(now_minute + 1);
        for minute in -(-start).div_euclid(60)..last_minute {
            let burst = scn.burst_factor(endpoint, minute, manual);
            for (s, &slot) in streams.iter().zip(&slots) {
                let mut a = minute_amount(scn.seed, s, minute, burst);
                if minute == now_minute {
                    a = a.scaled(elapsed, 60, splitmix64(s.id ^ minute as u64));
                }
                sums[slot].add(a);
            }
            for (slot, _, a) in late.iter().filter(|l| l.1 == minute) {
                sums[*slot].add(*a);
            }
        }
        let results: Vec<Value> = keys
            .iter()
            .zip(&sums)
            // File search reports its calls only: a row without any is not sent.
            .filter(|(_, a)| a.quantity > 0 || (a.requests > 0 && endpoint != "file_search_calls"))
            .map(|(k, a)| row(endpoint, object, k, *a))
            .collect();
        rows += results.len();
        data.push(json!({
            "object": "bucket",
            "start_time": start,
            "end_time": bucket_end,
            "results": results,
        }));
        start = bucket_end;
    }
    let buckets = data.len();
    let has_more = start < end;
    let page = json!({
        "object": "page",
        "data": data,
        "has_more": has_more,
        "next_page": has_more.then(|| encode_cursor(scn.seed, start)),
    });
    Ok((page, buckets, rows))
}

/// The JSON body of one page of `endpoint` for `query` at `now`, with no run-time bursts.
pub fn other_page_json(
    config: &super::SimConfig,
    endpoint: &str,
    query: &UsageQuery,
    now: i64,
) -> Result<Vec<u8>, ApiErrorResponse> {
    let scenario = Scenario::new(config);
    let (page, _, _) = build_other_page(&scenario, endpoint, query, now, &[], &[])?;
    Ok(serde_json::to_vec(&page).expect("plain data serializes"))
}
