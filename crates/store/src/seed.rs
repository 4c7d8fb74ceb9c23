//! Filling a store from the simulator's scenario, as the trackers would have fetched it: every
//! usage endpoint at each kept width (1-minute buckets for the last 48 h, 1-hour and daily
//! buckets for the days asked), read from the simulator's own JSON pages by the client's page
//! readers, and a bill per day. For tests and for measuring the file's size.
//!
//! The simulator has no Costs API yet, so the seeded bill is a stand-in: per day and model the
//! estimate of the day's usage moved by a few percent (a different amount each day), so the
//! estimate check has something to show. Its figures are what the store holds, which is what
//! the report and export must show.

use crate::error::StoreError;
use crate::handle::{KeySet, Store};
use usage_tracker_core::bill::{BilledDay, LineItem, LineKind, Money, SECS_PER_DAY, utc_day_start};
use usage_tracker_core::openai::rows;
use usage_tracker_core::openai::usage::{endpoint_spec, parse_completions_page, parse_other_page};
use usage_tracker_core::pricing::{PriceTable, TierChoice};
use usage_tracker_core::usage::{Bucket, BucketWidth, Endpoint, Names};
use usage_tracker_simulator::{self as simulator, GroupField, SimConfig};

/// What a seeding wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub buckets: usize,
    pub days_billed: usize,
}

fn sim_width(w: BucketWidth) -> simulator::BucketWidth {
    match w {
        BucketWidth::Minute => simulator::BucketWidth::Minute,
        BucketWidth::Hour => simulator::BucketWidth::Hour,
        BucketWidth::Day => simulator::BucketWidth::Day,
    }
}

fn query(
    e: Endpoint,
    w: BucketWidth,
    from: i64,
    to: i64,
    keys: &[String],
) -> simulator::UsageQuery {
    let (_, _, group_by) = endpoint_spec(e);
    let mut fields: Vec<&str> = group_by.to_vec();
    if e == Endpoint::Completions {
        fields.extend(["service_tier", "batch"]);
    }
    let mut q = simulator::UsageQuery::new(from, sim_width(w));
    q.end_time = Some(to);
    q.limit = Some(w.max_page_limit());
    q.api_key_ids = keys.to_vec();
    q.group_by = fields
        .iter()
        .filter_map(|f| GroupField::ALL.into_iter().find(|g| g.as_str() == *f))
        .collect();
    q
}

fn failed(what: impl std::fmt::Display) -> StoreError {
    StoreError::Sqlite {
        path: "(seed)".into(),
        reason: what.to_string(),
    }
}

/// Writes `[from, to)` of endpoint `e` at width `w` as the simulator serves it at `now`.
fn seed_endpoint(
    store: &mut Store,
    config: &SimConfig,
    keys: &[String],
    (e, w): (Endpoint, BucketWidth),
    (from, to, now): (i64, i64, i64),
) -> Result<usize, StoreError> {
    let set = KeySet::of(keys);
    let mut names = Names::default();
    let mut q = query(e, w, from, to, keys);
    let mut written = 0;
    loop {
        let next = if e == Endpoint::Completions {
            let body =
                simulator::usage_page_json(config, &q, now).map_err(|r| failed(r.error.message))?;
            let page = parse_completions_page(&body, |r| rows::completions_row(&mut names, r))
                .map_err(failed)?;
            let buckets: Vec<Bucket> = page.buckets.into_iter().map(bucket).collect();
            written += store.record_usage_page(&set, e, w, &buckets, now)?;
            page.next_page
        } else {
            let (path, _, _) = endpoint_spec(e);
            let body = simulator::other_page_json(config, path, &q, now)
                .map_err(|r| failed(r.error.message))?;
            let page =
                parse_other_page(e, &body, |r| rows::meter(&mut names, e, r)).map_err(failed)?;
            let buckets: Vec<Bucket<_>> = page.buckets.into_iter().map(bucket).collect();
            written += store.record_usage_page(&set, e, w, &buckets, now)?;
            page.next_page
        };
        match next {
            Some(cursor) => q.page = Some(cursor),
            None => return Ok(written),
        }
    }
}

fn bucket<R>(b: usage_tracker_core::openai::usage::TimeBucket<R>) -> Bucket<R> {
    Bucket {
        start_time: b.start_time,
        end_time: b.end_time,
        rows: b.rows,
    }
}

/// Seeds `days` days ending at `now` of the scenario of `config` for `keys`: 1-minute buckets
/// for the last 48 h (or fewer days), 1-hour and daily buckets for the whole span, each
/// fetched "at `now`", and a bill for every day of the span.
pub fn seed_from_simulator(
    store: &mut Store,
    config: &SimConfig,
    keys: &[String],
    now: i64,
    days: i64,
) -> Result<Seeded, StoreError> {
    let span = days * SECS_PER_DAY;
    let mut seeded = Seeded::default();
    for (w, secs) in [
        (BucketWidth::Minute, span.min(48 * 3_600)),
        (BucketWidth::Hour, span),
        (BucketWidth::Day, span),
    ] {
        let from = w.floor(now - secs);
        for e in Endpoint::ALL {
            seeded.buckets += seed_endpoint(store, config, keys, (e, w), (from, now, now))?;
        }
    }
    seeded.days_billed = seed_bill(store, keys, now, days)?;
    Ok(seeded)
}

/// The stand-in bill (see the module's note): one line item per day, endpoint and model.
fn seed_bill(store: &mut Store, keys: &[String], now: i64, days: i64) -> Result<usize, StoreError> {
    let set = KeySet::of(keys);
    let from = utc_day_start(now) - (days - 1) * SECS_PER_DAY;
    let data = store.load_periods(&set, BucketWidth::Day, from, now)?;
    let lines = usage_tracker_core::figures::lines(
        &data.completions,
        &data.others,
        &[],
        BucketWidth::Day,
        PriceTable::builtin(),
        TierChoice::Auto,
    );
    let mut bill: Vec<BilledDay> = Vec::new();
    for l in lines {
        let (Some(e), Some(usd)) = (l.endpoint, l.estimate_usd) else {
            continue;
        };
        if bill.last().map(|d| d.start_time) != Some(l.start_time) {
            bill.push(BilledDay {
                start_time: l.start_time,
                items: Vec::new(),
            });
        }
        let day = l.start_time / SECS_PER_DAY;
        // -4 % .. +4 %, a different amount each day.
        let factor = 1.0 + ((day * 37).rem_euclid(9) - 4) as f64 / 100.0;
        let kind = match e {
            Endpoint::Completions => LineKind::Input,
            Endpoint::Embeddings => LineKind::Embeddings,
            Endpoint::Moderations => LineKind::Moderations,
            Endpoint::Images => LineKind::Images,
            Endpoint::AudioSpeeches => LineKind::Speech,
            Endpoint::AudioTranscriptions => LineKind::Transcription,
            Endpoint::WebSearchCalls => LineKind::WebSearch,
            Endpoint::FileSearchCalls => LineKind::FileSearch,
        };
        bill.last_mut().expect("pushed above").items.push(LineItem {
            name: format!("{}, {}", l.model, e.label().to_lowercase()),
            model: Some(l.model.clone()),
            kind,
            batch: false,
            amount: Money {
                value: (usd * factor * 1e6).round() / 1e6,
                currency: "usd".into(),
            },
            quantity: None,
            quantity_unit: None,
            api_key_id: None,
            project_id: None,
        });
    }
    store.record_bill(&set, &bill, now)
}
