//! The fast path of the completions reader: a scanner for the shape the API sends (objects of
//! plain keys, unsigned integers, `null`, booleans and unescaped strings), which reads a page
//! in about the time serde_json takes merely to skip it. Whatever else it meets (an escape, a
//! negative or fractional number, a nested value under an unknown key, a row that is not an
//! object) it hands to serde_json at that point, value by value, so the result is serde's.
//!
//! It never decides a failure: on anything it cannot read (a syntax error, a foreign object,
//! a missing time), it answers `None` and the serde reader reads the page again to say what is
//! wrong, in its own words.

use super::super::page::TimeBucket;
use super::super::wire::{Bytes, CompletionsResult, RowKey, Text};
use super::Page;
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::borrow::Cow;

struct Scan<'de> {
    b: &'de [u8],
    i: usize,
    /// The keys of the last rows in their order, as this page spells them: every row of a
    /// page has the same keys in the same order, so the key at a row's `n`th place is almost
    /// always `order[n]`, which is cheaper to confirm than an unknown key is to read.
    order: Vec<(&'de [u8], RowKey)>,
}

/// Reads `body` as the serde reader would, or answers `None` where that reader would fail (or
/// where this one has no fast path and serde's answer could differ).
pub(super) fn read<'de, R, F>(body: &'de [u8], row: &mut F, expected: &str) -> Option<Page<'de, R>>
where
    F: FnMut(CompletionsResult<'_>) -> R,
{
    let mut s = Scan {
        b: body,
        i: 0,
        order: Vec::new(),
    };
    s.eat(b'{')?;
    let mut page = Page {
        buckets: Vec::new(),
        has_more: false,
        next_page: None,
    };
    let mut first = true;
    while let Some(key) = s.next_key(&mut first)? {
        match &*key {
            b"data" => page.buckets = s.buckets(row, expected.as_bytes())?,
            b"has_more" => page.has_more = s.flag()?.unwrap_or_default(),
            b"next_page" => page.next_page = s.text()?,
            _ => s.skip()?,
        }
    }
    // Nothing but whitespace after the page.
    match s.ws() {
        None => Some(page),
        Some(_) => None,
    }
}

impl<'de> Scan<'de> {
    /// Steps over whitespace (as JSON counts it) to the next byte, if any.
    fn ws(&mut self) -> Option<u8> {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b' ' | b'\n' | b'\t' | b'\r' => self.i += 1,
                _ => return Some(c),
            }
        }
        None
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.ws()? == c).then(|| self.i += 1)
    }

    fn word(&mut self, w: &[u8]) -> Option<()> {
        self.b[self.i..].starts_with(w).then(|| self.i += w.len())
    }

    /// The value here, read by serde_json. (A fresh reader has the whole nesting budget where
    /// the serde reader has spent some on the page around the value; no matter: serde_json
    /// counts nesting only in values read as a type, and no type read here nests.)
    #[cold]
    fn serde<T: Deserialize<'de>>(&mut self) -> Option<T> {
        let mut values = serde_json::Deserializer::from_slice(&self.b[self.i..]).into_iter::<T>();
        let value = values.next()?.ok()?;
        self.i += values.byte_offset();
        Some(value)
    }

    /// The next key of an object whose `{` is read, `Some(None)` past its `}`.
    fn next_key(&mut self, first: &mut bool) -> Option<Option<Cow<'de, [u8]>>> {
        if !self.another_key(first)? {
            return Some(None);
        }
        self.key().map(Some)
    }

    /// Whether an object whose `{` is read has another key, at its `"` (past the `,` before
    /// it); past the object's `}` when not.
    fn another_key(&mut self, first: &mut bool) -> Option<bool> {
        match self.ws()? {
            b'}' => {
                self.i += 1;
                return Some(false);
            }
            b',' if !*first => {
                self.i += 1;
                self.ws()?;
            }
            _ if *first => {}
            _ => return None,
        }
        *first = false;
        (self.b[self.i] == b'"').then_some(true)
    }

    /// At a key's `"`: the key, past the `:` after it.
    fn key(&mut self) -> Option<Cow<'de, [u8]>> {
        let key = match self.raw_str() {
            Some(k) => Cow::Borrowed(k),
            None => self.serde::<Bytes<'de>>()?.0,
        };
        self.eat(b':')?;
        Some(key)
    }

    /// At a `"`: the string, past its closing quote, when its raw bytes are `s` (which has no
    /// `"` or `\`, so the string is `s` exactly); `None` with nothing read otherwise.
    fn this_str(&mut self, s: &[u8]) -> Option<&'de [u8]> {
        let b = self.b;
        let start = self.i + 1;
        let found = b.get(start..start + s.len())?;
        (found == s && b.get(start + s.len()) == Some(&b'"')).then(|| {
            self.i = start + s.len() + 1;
            found
        })
    }

    /// At a `"`: the bytes of a string without escapes, past its closing quote; `None` with
    /// nothing read when it has an escape. Control characters are kept, as serde_json keeps
    /// them in the raw bytes of a key.
    fn raw_str(&mut self) -> Option<&'de [u8]> {
        let start = self.i + 1;
        let len = self.b[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\')?;
        if self.b[start + len] != b'"' {
            return None;
        }
        self.i = start + len + 1;
        Some(&self.b[start..start + len])
    }

    /// At a `"`: the bytes of a string without escapes or control characters, past its closing
    /// quote; `None` with nothing read otherwise.
    fn plain_str(&mut self) -> Option<&'de [u8]> {
        let start = self.i + 1;
        let len = self.b[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        if self.b[start + len] != b'"' {
            return None;
        }
        self.i = start + len + 1;
        Some(&self.b[start..start + len])
    }

    /// At a digit: an integer the way serde_json reads one into a u64 (no leading zero, no
    /// fraction or exponent, no overflow), or `None` with nothing read.
    fn uint(&mut self) -> Option<u64> {
        let mut j = self.i;
        let mut n: u64 = 0;
        if self.b[j] == b'0' {
            j += 1;
        } else {
            while let Some(&c @ b'0'..=b'9') = self.b.get(j) {
                n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                j += 1;
            }
        }
        if matches!(self.b.get(j), Some(b'0'..=b'9' | b'.' | b'e' | b'E')) {
            return None;
        }
        self.i = j;
        Some(n)
    }

    /// A token count: absent and `null` are zero.
    fn count(&mut self) -> Option<u64> {
        match self.ws()? {
            b'n' => self.word(b"null").map(|()| 0),
            b'0'..=b'9' => match self.uint() {
                Some(n) => Some(n),
                None => self.serde::<Option<u64>>().map(Option::unwrap_or_default),
            },
            _ => self.serde::<Option<u64>>().map(Option::unwrap_or_default),
        }
    }

    /// A bucket's time.
    fn time(&mut self) -> Option<i64> {
        if let b'0'..=b'9' = self.ws()? {
            let at = self.i;
            if let Some(n) = self.uint() {
                if let Ok(t) = i64::try_from(n) {
                    return Some(t);
                }
                self.i = at;
            }
        }
        self.serde::<i64>()
    }

    fn flag(&mut self) -> Option<Option<bool>> {
        match self.ws()? {
            b't' => self.word(b"true").map(|()| Some(true)),
            b'f' => self.word(b"false").map(|()| Some(false)),
            b'n' => self.word(b"null").map(|()| None),
            _ => self.serde::<Option<bool>>(),
        }
    }

    /// A string borrowed from the body, or `null`.
    fn text(&mut self) -> Option<Option<Cow<'de, str>>> {
        match self.ws()? {
            b'n' => return self.word(b"null").map(|()| None),
            b'"' => {
                let at = self.i;
                if let Some(s) = self.plain_str() {
                    match std::str::from_utf8(s) {
                        Ok(s) => return Some(Some(Cow::Borrowed(s))),
                        Err(_) => self.i = at,
                    }
                }
            }
            _ => {}
        }
        Some(self.serde::<Option<Text<'de>>>()?.map(|t| t.0))
    }

    /// A string's raw bytes, or `null`.
    fn bytes(&mut self) -> Option<Option<Cow<'de, [u8]>>> {
        match self.ws()? {
            b'n' => return self.word(b"null").map(|()| None),
            b'"' => {
                if let Some(s) = self.raw_str() {
                    return Some(Some(Cow::Borrowed(s)));
                }
            }
            _ => {}
        }
        Some(self.serde::<Option<Bytes<'de>>>()?.map(|b| b.0))
    }

    /// Steps over a value no one reads.
    fn skip(&mut self) -> Option<()> {
        match self.ws()? {
            b'n' => self.word(b"null"),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'"' if self.plain_str().is_some() => Some(()),
            b'0'..=b'9' if self.uint().is_some() => Some(()),
            _ => self.serde::<IgnoredAny>().map(drop),
        }
    }

    fn buckets<R, F>(&mut self, row: &mut F, expected: &[u8]) -> Option<Vec<TimeBucket<R>>>
    where
        F: FnMut(CompletionsResult<'_>) -> R,
    {
        let mut buckets = Vec::new();
        // The rows of the bucket before: buckets of a page hold about as many.
        let mut last_len = 0;
        if !self.list()? {
            return Some(buckets);
        }
        let mut first = true;
        while self.next_item(&mut first)? {
            self.eat(b'{')?;
            let (mut start, mut end, mut rows) = (None, None, Vec::new());
            let mut first_key = true;
            while let Some(key) = self.next_key(&mut first_key)? {
                match &*key {
                    b"start_time" => start = Some(self.time()?),
                    b"end_time" => end = Some(self.time()?),
                    b"results" | b"result" => rows = self.rows(row, expected, &mut last_len)?,
                    _ => self.skip()?,
                }
            }
            buckets.push(TimeBucket {
                start_time: start?,
                end_time: end?,
                rows,
            });
        }
        Some(buckets)
    }

    /// At a list or `null`: whether it is a list, its `[` read.
    fn list(&mut self) -> Option<bool> {
        match self.ws()? {
            b'n' => self.word(b"null").map(|()| false),
            b'[' => {
                self.i += 1;
                Some(true)
            }
            _ => None,
        }
    }

    /// Whether a list whose `[` is read has another item, stepping over the `,` before it;
    /// past its `]` when not.
    fn next_item(&mut self, first: &mut bool) -> Option<bool> {
        match self.ws()? {
            b']' => {
                self.i += 1;
                return Some(false);
            }
            b',' if !*first => {
                self.i += 1;
                // A `]` after a `,` is refused by whatever reads the item.
            }
            _ if *first => {}
            _ => return None,
        }
        *first = false;
        Some(true)
    }

    fn rows<R, F>(&mut self, row: &mut F, expected: &[u8], last_len: &mut usize) -> Option<Vec<R>>
    where
        F: FnMut(CompletionsResult<'_>) -> R,
    {
        let mut rows = Vec::with_capacity(*last_len);
        if !self.list()? {
            return Some(Vec::new());
        }
        let mut first = true;
        while self.next_item(&mut first)? {
            let r = if self.ws()? == b'{' {
                self.row(expected)?
            } else {
                self.serde::<CompletionsResult<'de>>()?
            };
            if let Some(o) = r.object.as_deref()
                && o != expected
            {
                return None;
            }
            rows.push(row(r));
        }
        *last_len = rows.len();
        Some(rows)
    }

    /// At a result's `{`.
    fn row(&mut self, expected: &[u8]) -> Option<CompletionsResult<'de>> {
        self.i += 1;
        let mut r = CompletionsResult::default();
        let mut first = true;
        let mut place = 0;
        while self.another_key(&mut first)? {
            let known = self.order.get(place).copied();
            let key = match known.and_then(|(k, key)| Some((self.this_str(k)?, key))) {
                Some((_, key)) => {
                    self.eat(b':')?;
                    key
                }
                None => {
                    let raw = self.key()?;
                    let key = RowKey::of(&raw);
                    if let Cow::Borrowed(k) = raw {
                        self.order.truncate(place);
                        self.order.push((k, key));
                    }
                    key
                }
            };
            place += 1;
            if let Some(count) = r.count_mut(&key) {
                *count = self.count()?;
                continue;
            }
            match key {
                RowKey::Object => {
                    r.object = match self.ws()? {
                        b'"' => match self.this_str(expected) {
                            Some(o) => Some(Cow::Borrowed(o)),
                            None => self.bytes()?,
                        },
                        _ => self.bytes()?,
                    }
                }
                RowKey::Model => r.model = self.text()?,
                RowKey::ServiceTier => r.service_tier = self.text()?,
                RowKey::ApiKeyId => r.api_key_id = self.text()?,
                RowKey::ProjectId => r.project_id = self.text()?,
                RowKey::Batch => r.batch = self.flag()?,
                _ => self.skip()?,
            }
        }
        Some(r)
    }
}
