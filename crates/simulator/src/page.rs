//! One page of `GET /organization/usage/completions`: time buckets, filters, grouping, cursors.
//!
//! Pure: the same scenario, query and instant give the same bytes. The server calls it on every
//! usage request; the benchmark calls [`usage_page_json`] directly to get large pages cheaply.

use super::SimConfig;
use super::query::{ApiErrorResponse, GroupField, UsageQuery, limit_error};
use super::scenario::{Counts, LateUsage, ManualBurst, Scenario, Stream, daily_wave, splitmix64};
use serde::Serialize;

#[derive(Serialize)]
pub(crate) struct UsagePage<'a> {
    object: &'static str,
    pub data: Vec<Bucket<'a>>,
    pub has_more: bool,
    pub next_page: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Bucket<'a> {
    object: &'static str,
    start_time: i64,
    end_time: i64,
    pub results: Vec<Row<'a>>,
}

/// `organization.usage.completions.result`, with every field of the current spec.
#[derive(Serialize)]
pub(crate) struct Row<'a> {
    object: &'static str,
    input_tokens: u64,
    input_cached_tokens: u64,
    input_cache_write_tokens: u64,
    input_uncached_tokens: u64,
    output_tokens: u64,
    input_text_tokens: u64,
    output_text_tokens: u64,
    input_cached_text_tokens: u64,
    input_audio_tokens: u64,
    input_cached_audio_tokens: u64,
    output_audio_tokens: u64,
    input_image_tokens: u64,
    input_cached_image_tokens: u64,
    output_image_tokens: u64,
    num_model_requests: u64,
    project_id: Option<&'a str>,
    user_id: Option<&'a str>,
    api_key_id: Option<&'a str>,
    model: Option<&'a str>,
    batch: Option<bool>,
    service_tier: Option<&'a str>,
}

/// The grouped dimensions of a row; `None` where not grouped.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RowKey<'a> {
    project_id: Option<&'a str>,
    user_id: Option<&'a str>,
    api_key_id: Option<&'a str>,
    model: Option<&'a str>,
    batch: Option<bool>,
    service_tier: Option<&'a str>,
}

impl<'a> RowKey<'a> {
    fn of(s: &'a Stream, group_by: &[GroupField]) -> Self {
        let g = |f: GroupField| group_by.contains(&f);
        RowKey {
            project_id: g(GroupField::ProjectId).then_some(s.project.as_str()),
            user_id: if g(GroupField::UserId) {
                s.user.as_deref()
            } else {
                None
            },
            api_key_id: g(GroupField::ApiKeyId).then_some(s.key.as_str()),
            model: g(GroupField::Model).then_some(s.model.as_str()),
            batch: g(GroupField::Batch).then_some(s.batch),
            service_tier: g(GroupField::ServiceTier).then_some(s.tier),
        }
    }

    fn row(self, c: &Counts) -> Row<'a> {
        Row {
            object: "organization.usage.completions.result",
            input_tokens: c.input(),
            input_cached_tokens: c.cached(),
            input_cache_write_tokens: c.cache_write,
            input_uncached_tokens: c.uncached(),
            output_tokens: c.output(),
            input_text_tokens: c.in_text,
            output_text_tokens: c.out_text,
            input_cached_text_tokens: c.cached_text,
            input_audio_tokens: c.in_audio,
            input_cached_audio_tokens: c.cached_audio,
            output_audio_tokens: c.out_audio,
            input_image_tokens: c.in_image,
            input_cached_image_tokens: c.cached_image,
            output_image_tokens: c.out_image,
            num_model_requests: c.requests,
            project_id: self.project_id,
            user_id: self.user_id,
            api_key_id: self.api_key_id,
            model: self.model,
            batch: self.batch,
            service_tier: self.service_tier,
        }
    }
}

/// The JSON body of one usage page for `query` at `now`, with no run-time bursts.
pub fn usage_page_json(
    config: &SimConfig,
    query: &UsageQuery,
    now: i64,
) -> Result<Vec<u8>, ApiErrorResponse> {
    let scenario = Scenario::new(config);
    let page = build_page(&scenario, query, now, &[], &[])?;
    Ok(page.to_json())
}

impl UsagePage<'_> {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("plain data serializes")
    }
    pub fn rows(&self) -> usize {
        self.data.iter().map(|b| b.results.len()).sum()
    }
}

fn matches(s: &Stream, q: &UsageQuery) -> bool {
    let within = |list: &[String], v: &str| list.is_empty() || list.iter().any(|x| x == v);
    within(&q.api_key_ids, &s.key)
        && within(&q.project_ids, &s.project)
        && within(&q.models, &s.model)
        && (q.user_ids.is_empty() || s.user.as_deref().is_some_and(|u| within(&q.user_ids, u)))
        && q.batch.is_none_or(|b| b == s.batch)
}

pub(crate) fn build_page<'a>(
    scn: &'a Scenario,
    q: &UsageQuery,
    now: i64,
    manual: &[ManualBurst],
    late: &[LateUsage],
) -> Result<UsagePage<'a>, ApiErrorResponse> {
    super::query::check_group_by("completions", q)?;
    let width = q.bucket_width.secs();
    let (from, end, limit) = page_range(scn.seed, q, now)?;

    // Each matching stream feeds one row slot; slots are ordered by their group values.
    let streams: Vec<&Stream> = scn.streams.iter().filter(|s| matches(s, q)).collect();
    let mut keys: Vec<RowKey> = streams.iter().map(|s| RowKey::of(s, &q.group_by)).collect();
    keys.sort();
    keys.dedup();
    let slots: Vec<usize> = streams
        .iter()
        .map(|s| {
            keys.binary_search(&RowKey::of(s, &q.group_by))
                .expect("key collected above")
        })
        .collect();

    let now_minute = now.div_euclid(60);
    let elapsed = now.rem_euclid(60) as u64;
    // Late usage lands on the tracked key's stream of its model (standard tier).
    let late_slots: Vec<(usize, i64, Counts)> = late
        .iter()
        .filter(|l| l.endpoint == "completions")
        .filter_map(|l| {
            let i = streams
                .iter()
                .position(|s| s.tracked && s.model == l.model && !s.batch && s.tier == "default")?;
            let c = Counts {
                requests: l.requests,
                in_text: l.quantity,
                ..Counts::default()
            };
            Some((slots[i], l.minute, c))
        })
        .collect();
    let mut data = Vec::new();
    let mut start = from;
    while start < end && data.len() < limit as usize {
        let bucket_end = start.div_euclid(width) * width + width;
        let mut sums = vec![Counts::default(); keys.len()];
        let last_minute = (bucket_end / 60).min(now_minute + 1);
        // Usage counts at its minute: a clipped bucket holds the minutes that start in it.
        for minute in -(-start).div_euclid(60)..last_minute {
            let wave = daily_wave(minute);
            let burst = scn.burst_factor("completions", minute, manual);
            for (s, &slot) in streams.iter().zip(&slots) {
                let mut c = scn.minute_counts(s, minute, wave, burst);
                if minute == now_minute {
                    c = c.scaled(elapsed, 60);
                }
                sums[slot].add(&c);
            }
            for (slot, _, c) in late_slots.iter().filter(|l| l.1 == minute) {
                sums[*slot].add(c);
            }
        }
        let results = keys
            .iter()
            .zip(&sums)
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, c)| k.row(c))
            .collect();
        data.push(Bucket {
            object: "bucket",
            start_time: start,
            end_time: bucket_end,
            results,
        });
        start = bucket_end;
    }
    let has_more = start < end;
    Ok(UsagePage {
        object: "page",
        data,
        has_more,
        next_page: has_more.then(|| encode_cursor(scn.seed, start)),
    })
}

/// The range one page covers: (first bucket start, end, buckets at most), with the checks
/// OpenAI makes on `limit`, `end_time` and `page`.
pub(crate) fn page_range(
    seed: u64,
    q: &UsageQuery,
    now: i64,
) -> Result<(i64, i64, u32), ApiErrorResponse> {
    let width = q.bucket_width.secs();
    let (default_limit, max_limit) = q.bucket_width.limits();
    let limit = q.limit.unwrap_or(default_limit);
    if limit == 0 || limit > max_limit {
        return Err(limit_error(q.bucket_width, i64::from(limit)));
    }
    // Without an end_time the range runs to now, but always includes start_time's own bucket,
    // so a client asking from "this minute" on an aligned clock gets that (empty) bucket.
    let end = q.end_time.unwrap_or(now.max(q.start_time + 1));
    if end <= q.start_time {
        return Err(ApiErrorResponse::invalid(
            "end_time",
            format!(
                "Invalid value for 'end_time': {end}. It must be greater than start_time ({}).",
                q.start_time
            ),
        ));
    }
    let first = q.start_time.div_euclid(width) * width;
    // A start inside a bucket gives a first bucket clipped to it, as OpenAI does.
    let from = match &q.page {
        None => q.start_time,
        Some(cursor) => match decode_cursor(seed, cursor) {
            // The first bucket's own cursor leads back to the (clipped) first page.
            Some(t) if t == first => q.start_time,
            Some(t) if t.rem_euclid(width) == 0 && t > first => t,
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

    Ok((from, end, limit))
}

fn cursor_mask(seed: u64) -> u64 {
    splitmix64(seed ^ 0x7061_6765_5F63_7572)
}

/// An opaque cursor naming the first bucket of the next page, with a check so that made-up or
/// corrupted cursors are refused instead of silently read.
pub(crate) fn encode_cursor(seed: u64, next_start: i64) -> String {
    let mask = cursor_mask(seed);
    let check = splitmix64(mask ^ next_start as u64) as u32;
    format!("page_{:016x}{check:08x}", next_start as u64 ^ mask)
}

pub(crate) fn decode_cursor(seed: u64, cursor: &str) -> Option<i64> {
    let hex = cursor.strip_prefix("page_")?;
    if hex.len() != 24 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mask = cursor_mask(seed);
    let start = (u64::from_str_radix(&hex[..16], 16).ok()? ^ mask) as i64;
    let check = u32::from_str_radix(&hex[16..], 16).ok()?;
    (check == splitmix64(mask ^ start as u64) as u32).then_some(start)
}
