//! The streaming reader against a plain derived serde_json parse of the same random pages:
//! keys in any order, absent and `null` fields, unknown keys of any shape, escaped strings,
//! whitespace, the legacy `result` key. Both must agree on every bucket and row, and on
//! whether the page is readable at all.

use super::*;
use proptest::prelude::*;
use serde::Deserialize;

const OBJECT: &str = "organization.usage.completions.result";

/// The counts the reader picks out of a row, in [`COUNTS`] order.
const COUNTS: [&str; 11] = [
    "input_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_audio_tokens",
    "input_image_tokens",
    "input_cached_audio_tokens",
    "input_cached_image_tokens",
    "output_tokens",
    "output_audio_tokens",
    "output_image_tokens",
    "num_model_requests",
];

/// A row as both readers see it: every count, the strings owned.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    object: Option<Vec<u8>>,
    counts: [u64; 11],
    model: Option<String>,
    batch: Option<bool>,
    service_tier: Option<String>,
    api_key_id: Option<String>,
    project_id: Option<String>,
}

type Buckets = Vec<(i64, i64, Vec<Seen>)>;

/// Which of our readers reads.
#[derive(Clone, Copy, Debug)]
enum Reader {
    /// The scanner alone: `None` when it declines.
    Scan,
    /// [`read`]: the scanner, and serde's reader when the scanner declines.
    Read,
    /// serde's reader alone.
    Serde,
}

type Read = Result<(Buckets, bool, Option<String>), String>;

fn ours(body: &[u8], reader: Reader) -> Option<Read> {
    let mut wrong = None;
    let mut row = |r: CompletionsResult<'_>| Seen {
        object: r.object.map(|o| o.into_owned()),
        counts: [
            r.input_tokens,
            r.input_cached_tokens,
            r.input_cache_write_tokens,
            r.input_audio_tokens,
            r.input_image_tokens,
            r.input_cached_audio_tokens,
            r.input_cached_image_tokens,
            r.output_tokens,
            r.output_audio_tokens,
            r.output_image_tokens,
            r.num_model_requests,
        ],
        model: r.model.map(|m| m.into_owned()),
        batch: r.batch,
        service_tier: r.service_tier.map(|t| t.into_owned()),
        api_key_id: r.api_key_id.map(|t| t.into_owned()),
        project_id: r.project_id.map(|t| t.into_owned()),
    };
    let page = match reader {
        Reader::Scan => Ok(scan::read(body, &mut row, OBJECT)?),
        Reader::Read => read(body, &mut row, OBJECT, &mut wrong),
        Reader::Serde => read_serde(body, &mut row, OBJECT, &mut wrong),
    };
    Some(page.map_err(|e| format!("{e} ({wrong:?})")).map(|page| {
        let buckets = page
            .buckets
            .into_iter()
            .map(|b| (b.start_time, b.end_time, b.rows))
            .collect();
        (
            buckets,
            page.has_more,
            page.next_page.map(|c| c.into_owned()),
        )
    }))
}

#[derive(Deserialize)]
struct PlainPage {
    #[serde(default)]
    data: Option<Vec<PlainBucket>>,
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default)]
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct PlainBucket {
    start_time: i64,
    end_time: i64,
    #[serde(default, alias = "result")]
    results: Option<Vec<PlainRow>>,
}

#[derive(Deserialize)]
struct PlainRow {
    #[serde(default)]
    object: Option<String>,
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    input_cached_tokens: Option<u64>,
    #[serde(default)]
    input_cache_write_tokens: Option<u64>,
    #[serde(default)]
    input_audio_tokens: Option<u64>,
    #[serde(default)]
    input_image_tokens: Option<u64>,
    #[serde(default)]
    input_cached_audio_tokens: Option<u64>,
    #[serde(default)]
    input_cached_image_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    output_audio_tokens: Option<u64>,
    #[serde(default)]
    output_image_tokens: Option<u64>,
    #[serde(default)]
    num_model_requests: Option<u64>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    batch: Option<bool>,
    #[serde(default)]
    service_tier: Option<String>,
    #[serde(default)]
    api_key_id: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
}

fn plain(body: &[u8]) -> Read {
    let page: PlainPage = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let buckets = page
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|b| {
            let rows = b.results.unwrap_or_default().into_iter().map(|r| {
                let n = |v: Option<u64>| v.unwrap_or_default();
                Seen {
                    object: r.object.map(String::into_bytes),
                    counts: [
                        n(r.input_tokens),
                        n(r.input_cached_tokens),
                        n(r.input_cache_write_tokens),
                        n(r.input_audio_tokens),
                        n(r.input_image_tokens),
                        n(r.input_cached_audio_tokens),
                        n(r.input_cached_image_tokens),
                        n(r.output_tokens),
                        n(r.output_audio_tokens),
                        n(r.output_image_tokens),
                        n(r.num_model_requests),
                    ],
                    model: r.model,
                    batch: r.batch,
                    service_tier: r.service_tier,
                    api_key_id: r.api_key_id,
                    project_id: r.project_id,
                }
            });
            (b.start_time, b.end_time, rows.collect())
        })
        .collect();
    Ok((buckets, page.has_more.unwrap_or_default(), page.next_page))
}

/// A JSON string literal of `s`, every character escaped when `escape` (as some servers do).
fn string(s: &str, escape: bool) -> String {
    if !escape {
        return serde_json::to_string(s).unwrap();
    }
    let mut out = String::from("\"");
    for u in s.encode_utf16() {
        out.push_str(&format!("\\u{u:04x}"));
    }
    out.push('"');
    out
}

/// A value of any shape for a key neither reader uses.
fn unknown() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        (-1e12f64..1e12).prop_map(|f| format!("{f:e}")),
        ("[a-z\"\\\\é\u{1F600}\n ]{0,8}", any::<bool>()).prop_map(|(s, e)| string(&s, e)),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(("[a-z_]{1,12}", inner), 0..4).prop_map(|kv| {
                let kv: Vec<String> = kv
                    .into_iter()
                    .map(|(k, v)| format!("{}:{v}", string(&k, false)))
                    .collect();
                format!("{{{}}}", kv.join(","))
            }),
        ]
    })
}

/// A count: usually a plain number, sometimes `null`, a huge one or absent.
fn count() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        6 => (0u64..5_000_000).prop_map(|n| Some(n.to_string())),
        1 => (u64::MAX - 10..=u64::MAX).prop_map(|n| Some(n.to_string())),
        1 => Just(Some("null".to_owned())),
        1 => Just(None),
    ]
}

/// A string field: a name, escaped or not, `null` or absent.
fn text(names: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        5 => (prop::sample::select(names), any::<bool>()).prop_map(|(s, e)| Some(string(s, e))),
        1 => Just(Some("null".to_owned())),
        1 => Just(None),
    ]
}

/// One result row's `(key, value)` pairs, shuffled, with unknown keys among them.
fn row() -> impl Strategy<Value = Vec<(String, String)>> {
    let counts = prop::collection::vec(count(), COUNTS.len());
    let object = text(&[OBJECT]);
    let model = text(&[
        "gpt-4o-2024-08-06",
        "gpt-4o-mini",
        "o3 \"pro\"",
        "modèle\\x",
    ]);
    let tier = text(&["default", "flex", "priority", "scale"]);
    let batch = prop_oneof![
        Just(None),
        Just(Some("null".to_owned())),
        any::<bool>().prop_map(|b| Some(b.to_string()))
    ];
    let extra = prop::collection::vec(
        (
            prop::sample::select(
                &[
                    "user_id",
                    "api_key_ids",
                    "input_uncached_tokens",
                    "input_text_tokens",
                    "output_text_tokens",
                    "input_cached_text_tokens",
                    "future_field",
                    "inpu",
                    "input_tokens_x",
                ][..],
            ),
            unknown(),
        ),
        0..5,
    );
    (counts, object, model, tier, batch, extra)
        .prop_map(|(counts, object, model, tier, batch, extra)| {
            let mut kv: Vec<(String, String)> = Vec::new();
            for (k, v) in COUNTS.iter().zip(counts) {
                kv.extend(v.map(|v| (k.to_string(), v)));
            }
            // The owner strings reuse the model's and the tier's shapes (escapes, nulls).
            for (k, v) in [
                ("object", object),
                ("model", model.clone()),
                ("service_tier", tier.clone()),
                ("api_key_id", model),
                ("project_id", tier),
            ] {
                kv.extend(v.map(|v| (k.to_owned(), v)));
            }
            kv.extend(batch.map(|v| ("batch".to_owned(), v)));
            let mut seen = std::collections::HashSet::new();
            for (k, v) in extra {
                // No key twice in one object: the derived reader refuses duplicates.
                if seen.insert(k) {
                    kv.push((k.to_owned(), v));
                }
            }
            kv
        })
        .prop_shuffle()
}

fn object(kv: &[(String, String)], ws: &str, escape: bool) -> String {
    let kv: Vec<String> = kv
        .iter()
        .map(|(k, v)| format!("{ws}{}{ws}:{ws}{v}{ws}", string(k, escape)))
        .collect();
    format!("{{{}}}", kv.join(","))
}

/// A page: buckets of rows, the list under `results`, `result` or `null`, and the envelope.
fn page() -> impl Strategy<Value = String> {
    let bucket = (
        0i64..2_000_000_000,
        0i64..100_000,
        prop::collection::vec(row(), 0..5),
        0..4u8,
        any::<bool>(),
    )
        .prop_map(|(start, len, rows, list, tagged)| {
            let rows: Vec<String> = rows.iter().map(|r| object(r, "", false)).collect();
            let mut kv = vec![
                ("start_time".to_owned(), start.to_string()),
                ("end_time".to_owned(), (start + len).to_string()),
            ];
            let list_key = if list == 1 { "result" } else { "results" };
            match list {
                3 => kv.push((list_key.to_owned(), "null".to_owned())),
                _ => kv.push((list_key.to_owned(), format!("[{}]", rows.join(",")))),
            }
            if tagged {
                kv.insert(0, ("object".to_owned(), "\"bucket\"".to_owned()));
            }
            kv
        })
        .prop_shuffle();
    (
        prop::collection::vec(bucket, 0..6),
        any::<bool>(),
        prop::sample::select(&["", " ", "\n  ", "\t"][..]),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(buckets, more, ws, escape)| {
            let buckets: Vec<String> = buckets.iter().map(|b| object(b, ws, escape)).collect();
            let next = if more { "\"page_x\\u0041\"" } else { "null" };
            format!(
                "{ws}{{{ws}\"object\":\"page\",\"data\":{ws}[{}],\"has_more\":{more},\"next_page\":{next}}}{ws}",
                buckets.join(&format!(",{ws}"))
            )
        })
}

proptest! {
    #[test]
    fn the_readers_and_a_derived_parse_agree_on_random_pages(body in page()) {
        let expected = plain(body.as_bytes());
        prop_assert!(expected.is_ok(), "the generator made a bad page: {:?}\n{body}", expected);
        for reader in [Reader::Scan, Reader::Read, Reader::Serde] {
            let got = ours(body.as_bytes(), reader);
            prop_assert!(got.is_some(), "the scanner declined a good page\n{}", body);
            prop_assert_eq!(got.unwrap(), expected.clone(), "{:?}\n{}", reader, body);
        }
    }

    /// A page cut short or with one byte changed (to printable ASCII: map keys are matched as
    /// raw bytes, never checked for UTF-8 or control characters as the derived reader does):
    /// both readers accept it or neither does, and when both do they read the same.
    #[test]
    fn damaged_pages_are_refused_by_both_or_read_alike(
        body in page(), cut in any::<prop::sample::Index>(), byte in 0x20u8..0x80, replace in any::<bool>(),
    ) {
        let mut body = body.into_bytes();
        let at = cut.index(body.len());
        if replace {
            body[at] = byte;
        } else {
            body.truncate(at);
        }
        // A row of another endpoint is an error of ours only.
        let expected = plain(&body).and_then(|page| {
            let foreign = page.0.iter().flat_map(|b| &b.2).any(|r| {
                r.object.as_deref().is_some_and(|o| o != OBJECT.as_bytes())
            });
            if foreign { Err("a foreign object".to_owned()) } else { Ok(page) }
        });
        let page = String::from_utf8_lossy(&body);
        let serde = ours(&body, Reader::Serde).unwrap();
        match (&serde, &expected) {
            (Ok(_), Ok(_)) => prop_assert_eq!(&serde, &expected),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "{:?} vs {:?}\n{}", serde, expected, page),
        }
        // The page read through the scanner is exactly serde's reading, error included; the
        // scanner declines only what serde's reader refuses.
        prop_assert_eq!(&ours(&body, Reader::Read).unwrap(), &serde, "{}", page);
        match ours(&body, Reader::Scan) {
            Some(scanned) => prop_assert_eq!(&scanned, &serde, "{}", page),
            None => prop_assert!(serde.is_err(), "the scanner declined a good page\n{}", page),
        }
    }
}

/// Rows that share their keys' order (as the API sends them, which the scanner learns), then
/// one that adds a key, one that drops one, one that escapes one and one in another order.
#[test]
fn rows_in_one_key_order_and_rows_that_leave_it_read_alike() {
    let row = |n: u64| {
        format!(
            r#"{{"object":"{OBJECT}","input_tokens":{n},"output_tokens":{},"project_id":null,"model":"m{n}","batch":false,"service_tier":"flex"}}"#,
            n + 1
        )
    };
    let mut rows: Vec<String> = (0..4).map(row).collect();
    rows.push(row(10).replace(r#""project_id""#, r#""extra":[1,{"a":"\""}],"project_id""#));
    rows.push(row(20).replace(r#""input_tokens":20,"#, ""));
    rows.push(row(30).replace(r#""output_tokens""#, r#""output_\u0074okens""#));
    rows.push(row(40).replace(r#""model":"m40","#, ""));
    rows.push(
        r#"{"model":"z","input_tokens":7,"object":"organization.usage.completions.result"}"#
            .to_owned(),
    );
    rows.extend((50..53).map(row));
    let body = format!(
        r#"{{"data":[{{"start_time":0,"end_time":60,"results":[{}]}},{{"start_time":60,"end_time":120,"results":[{}]}}]}}"#,
        rows.join(","),
        rows[..3].join(",")
    );
    let expected = plain(body.as_bytes());
    assert_eq!(expected.as_ref().unwrap().0[0].2.len(), 12);
    assert_eq!(ours(body.as_bytes(), Reader::Scan), Some(expected.clone()));
    assert_eq!(ours(body.as_bytes(), Reader::Read), Some(expected));
}
