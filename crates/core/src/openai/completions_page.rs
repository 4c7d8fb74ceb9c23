//! The fast reader of a completions page: each result is handed to the caller's closure while
//! the page is read, so a page of tens of thousands of rows never exists twice (once as wire
//! rows, once as the caller's). The other endpoints' pages are small and keep the derived
//! reader of [`super::wire`].

use super::page::TimeBucket;
use super::wire::{CompletionsResult, Text};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A page as read: its buckets with the caller's rows, and its cursor.
pub(super) struct Page<'de, R> {
    pub buckets: Vec<TimeBucket<R>>,
    pub has_more: bool,
    pub next_page: Option<Cow<'de, str>>,
}

/// What every level of the reader shares: the caller's closure, the `object` a result must
/// have, and the one it had instead when it had another (the page reader names both).
struct Rows<'r, F> {
    row: &'r mut F,
    expected: &'r str,
    wrong: &'r mut Option<String>,
    /// The rows of the last bucket read.
    last_len: usize,
}

/// Reads `body` into a [`Page`], making each result a row with `row`. On a result whose
/// `object` is not `expected`, fails with that object in `wrong`.
///
/// The scanner of [`scan`] reads the page; only when it cannot (a bad page), the derived reader
/// below reads it again, without `row`, for its error.
pub(super) fn read<'de, R, F>(
    body: &'de [u8],
    row: &mut F,
    expected: &str,
    wrong: &mut Option<String>,
) -> serde_json::Result<Page<'de, R>>
where
    F: FnMut(CompletionsResult<'_>) -> R,
{
    if let Some(page) = scan::read(body, row, expected) {
        return Ok(page);
    }
    read_serde(body, &mut |_| (), expected, wrong)?;
    // Unreachable unless the scanner refuses a page serde_json reads (the differential tests
    // look for one): read it the slow way.
    read_serde(body, row, expected, wrong)
}

/// The reader of record, through serde.
fn read_serde<'de, R, F>(
    body: &'de [u8],
    row: &mut F,
    expected: &str,
    wrong: &mut Option<String>,
) -> serde_json::Result<Page<'de, R>>
where
    F: FnMut(CompletionsResult<'_>) -> R,
{
    let mut rows = Rows {
        row,
        expected,
        wrong,
        last_len: 0,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let page = PageSeed(&mut rows).deserialize(&mut de)?;
    de.end()?;
    Ok(page)
}

/// The keys of a page and of a bucket the reader uses; anything else is skipped.
enum Field {
    Data,
    HasMore,
    NextPage,
    StartTime,
    EndTime,
    Results,
    Other,
}

impl<'de> de::Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Field, E> {
                Ok(match v {
                    b"data" => Field::Data,
                    b"has_more" => Field::HasMore,
                    b"next_page" => Field::NextPage,
                    b"start_time" => Field::StartTime,
                    b"end_time" => Field::EndTime,
                    // `results` in the current spec; `result` in older responses.
                    b"results" | b"result" => Field::Results,
                    _ => Field::Other,
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                self.visit_bytes(v.as_bytes())
            }
        }
        d.deserialize_bytes(FieldVisitor)
    }
}

/// `null` reads as an empty list.
struct Nullable<S>(S);

impl<'de, S> DeserializeSeed<'de> for Nullable<S>
where
    S: DeserializeSeed<'de>,
    S::Value: Default,
{
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V<S>(S);
        impl<'de, S> Visitor<'de> for V<S>
        where
            S: DeserializeSeed<'de>,
            S::Value: Default,
        {
            type Value = S::Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(S::Value::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(S::Value::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                self.0.deserialize(d)
            }
        }
        d.deserialize_option(V(self.0))
    }
}

struct PageSeed<'s, 'r, F>(&'s mut Rows<'r, F>);

impl<'de, R, F: FnMut(CompletionsResult<'_>) -> R> DeserializeSeed<'de> for PageSeed<'_, '_, F> {
    type Value = Page<'de, R>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, R, F: FnMut(CompletionsResult<'_>) -> R> Visitor<'de> for PageSeed<'_, '_, F> {
    type Value = Page<'de, R>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a usage page object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut page = Page {
            buckets: Vec::new(),
            has_more: false,
            next_page: None,
        };
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Data => {
                    page.buckets = map.next_value_seed(Nullable(Buckets(&mut *self.0)))?
                }
                Field::HasMore => {
                    page.has_more = map.next_value::<Option<bool>>()?.unwrap_or_default()
                }
                Field::NextPage => {
                    page.next_page = map.next_value::<Option<Text<'de>>>()?.map(|t| t.0)
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(page)
    }
}

struct Buckets<'s, 'r, F>(&'s mut Rows<'r, F>);

impl<'de, R, F: FnMut(CompletionsResult<'_>) -> R> DeserializeSeed<'de> for Buckets<'_, '_, F> {
    type Value = Vec<TimeBucket<R>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, R, F: FnMut(CompletionsResult<'_>) -> R> Visitor<'de> for Buckets<'_, '_, F> {
    type Value = Vec<TimeBucket<R>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of buckets")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut buckets = Vec::new();
        while let Some(b) = seq.next_element_seed(BucketSeed(&mut *self.0))? {
            buckets.push(b);
        }
        Ok(buckets)
    }
}

struct BucketSeed<'s, 'r, F>(&'s mut Rows<'r, F>);

impl<'de, R, F: FnMut(CompletionsResult<'_>) -> R> DeserializeSeed<'de> for BucketSeed<'_, '_, F> {
    type Value = TimeBucket<R>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, R, F: FnMut(CompletionsResult<'_>) -> R> Visitor<'de> for BucketSeed<'_, '_, F> {
    type Value = TimeBucket<R>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a usage bucket object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut start, mut end, mut rows) = (None, None, Vec::new());
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::StartTime => start = Some(map.next_value::<i64>()?),
                Field::EndTime => end = Some(map.next_value::<i64>()?),
                Field::Results => rows = map.next_value_seed(Nullable(Results(&mut *self.0)))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(TimeBucket {
            start_time: start.ok_or_else(|| de::Error::missing_field("start_time"))?,
            end_time: end.ok_or_else(|| de::Error::missing_field("end_time"))?,
            rows,
        })
    }
}

struct Results<'s, 'r, F>(&'s mut Rows<'r, F>);

impl<'de, R, F: FnMut(CompletionsResult<'_>) -> R> DeserializeSeed<'de> for Results<'_, '_, F> {
    type Value = Vec<R>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, R, F: FnMut(CompletionsResult<'_>) -> R> Visitor<'de> for Results<'_, '_, F> {
    type Value = Vec<R>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of usage results")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Buckets of a page hold about as many rows as the one before: one allocation each.
        let mut rows = Vec::with_capacity(self.0.last_len);
        while let Some(r) = seq.next_element::<CompletionsResult<'de>>()? {
            if let Some(o) = r.object.as_deref()
                && o != self.0.expected.as_bytes()
            {
                let found = String::from_utf8_lossy(o).into_owned();
                let err = de::Error::custom(format_args!("a result of type {found:?}"));
                *self.0.wrong = Some(found);
                return Err(err);
            }
            rows.push((self.0.row)(r));
        }
        self.0.last_len = rows.len();
        Ok(rows)
    }
}

mod scan;

#[cfg(test)]
mod differential;

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECT: &str = "organization.usage.completions.result";

    /// Each bucket's `(start, end, input tokens of each row)`.
    type Read = Vec<(i64, i64, Vec<u64>)>;

    /// The page's buckets, or the error and the foreign object it names.
    fn tokens(body: &str) -> Result<Read, (String, Option<String>)> {
        let mut wrong = None;
        let mut row = |r: CompletionsResult<'_>| r.input_tokens;
        match read(body.as_bytes(), &mut row, OBJECT, &mut wrong) {
            Ok(p) => Ok(p
                .buckets
                .into_iter()
                .map(|b| (b.start_time, b.end_time, b.rows))
                .collect()),
            Err(e) => Err((e.to_string(), wrong)),
        }
    }

    #[test]
    fn keys_in_any_order_nulls_and_escaped_objects_read_as_usual() {
        let body = r#"{"object":"page","data":[
            {"results":[{"input_tokens":3,"object":"organization.usage.completions\u002eresult"}],
             "end_time":120,"start_time":60,"object":"bucket"},
            {"start_time":120,"end_time":180,"results":null},
            {"start_time":180,"end_time":240,"result":[{"input_tokens":5},{"input_tokens":6}]}],
            "has_more":null}"#;
        assert_eq!(
            tokens(body).unwrap(),
            [
                (60, 120, vec![3]),
                (120, 180, vec![]),
                (180, 240, vec![5, 6])
            ]
        );
        assert_eq!(tokens(r#"{"data":null}"#).unwrap(), []);
    }

    #[test]
    fn a_foreign_object_a_missing_time_and_trailing_bytes_are_errors() {
        let foreign = r#"{"data":[{"start_time":0,"end_time":60,
            "results":[{"object":"organization.usage.images.result"}]}]}"#;
        let (_, wrong) = tokens(foreign).unwrap_err();
        assert_eq!(wrong.as_deref(), Some("organization.usage.images.result"));
        let (e, wrong) = tokens(r#"{"data":[{"end_time":60,"results":[]}]}"#).unwrap_err();
        assert!(
            e.contains("missing field `start_time`") && wrong.is_none(),
            "{e}"
        );
        let (e, _) = tokens(r#"{"data":[]} x"#).unwrap_err();
        assert!(e.contains("trailing characters"), "{e}");
    }
}
