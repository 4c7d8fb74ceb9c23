//! Wire types of the Organization Usage and Projects APIs, as the server sends them.
//!
//! Tolerant by design: every field the app does not strictly need is optional, `null` reads as
//! absent, unknown fields are ignored, and both the current (`results`) and the older (`result`)
//! name of a bucket's row list are accepted. Strings borrow from the response body where they
//! can, so parsing a large page allocates little.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::fmt;

/// One page of `GET /organization/usage/completions`.
#[derive(Debug, Deserialize)]
pub struct UsagePage<'a> {
    #[serde(borrow, default, deserialize_with = "null_as_default")]
    pub data: Vec<UsageBucket<'a>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_more: bool,
    #[serde(borrow, default)]
    pub next_page: Option<Cow<'a, str>>,
}

/// A time bucket `[start_time, end_time)` and the usage rows in it.
#[derive(Debug, Deserialize)]
pub struct UsageBucket<'a> {
    pub start_time: i64,
    pub end_time: i64,
    /// `results` in the current spec; `result` in older responses.
    #[serde(
        borrow,
        default,
        alias = "result",
        deserialize_with = "null_as_default"
    )]
    pub results: Vec<CompletionsResult<'a>>,
}

/// One row of a completions usage bucket. Token fields absent or `null` count as zero.
///
/// Deserialized by hand (below): a page holds tens of thousands of rows with some twenty keys
/// each, and matching keys as raw bytes instead of validated strings is most of the difference
/// between parsing a page and merely skipping it.
#[derive(Debug, Default)]
pub struct CompletionsResult<'a> {
    /// `organization.usage.completions.result`; checked by the page reader. Raw bytes: every
    /// row has one, and comparing it needs no UTF-8 validation.
    pub object: Option<Cow<'a, [u8]>>,
    /// All input: cached, cache-write and uncached, of every modality.
    pub input_tokens: u64,
    /// Cached input tokens: a subset of `input_tokens`. (The old Python tool looked for
    /// `cached_input_tokens`, which the API never sends.)
    pub input_cached_tokens: u64,
    pub input_cache_write_tokens: u64,
    /// The uncached part of each modality (absent in older responses: all text).
    pub input_audio_tokens: u64,
    pub input_image_tokens: u64,
    pub input_cached_audio_tokens: u64,
    pub input_cached_image_tokens: u64,
    pub output_tokens: u64,
    pub output_audio_tokens: u64,
    pub output_image_tokens: u64,
    pub num_model_requests: u64,
    pub model: Option<Cow<'a, str>>,
    pub batch: Option<bool>,
    pub service_tier: Option<Cow<'a, str>>,
    /// Present when grouped by them (`null`: usage made without an API key).
    pub api_key_id: Option<Cow<'a, str>>,
    pub project_id: Option<Cow<'a, str>>,
}

/// The keys of a result row the app reads; everything else is skipped.
#[derive(Clone, Copy)]
pub(super) enum RowKey {
    Object,
    InputTokens,
    InputCachedTokens,
    InputCacheWriteTokens,
    InputAudioTokens,
    InputImageTokens,
    InputCachedAudioTokens,
    InputCachedImageTokens,
    OutputTokens,
    OutputAudioTokens,
    OutputImageTokens,
    NumModelRequests,
    Model,
    Batch,
    ServiceTier,
    ApiKeyId,
    ProjectId,
    Other,
}

impl<'de> Deserialize<'de> for RowKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = RowKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<RowKey, E> {
                Ok(RowKey::of(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RowKey, E> {
                self.visit_bytes(v.as_bytes())
            }
        }
        // serde_json hands a map key over as raw bytes without validating it as UTF-8.
        d.deserialize_bytes(KeyVisitor)
    }
}

impl CompletionsResult<'_> {
    /// The count a key names, if it names one.
    pub(super) fn count_mut(&mut self, key: &RowKey) -> Option<&mut u64> {
        Some(match key {
            RowKey::InputTokens => &mut self.input_tokens,
            RowKey::InputCachedTokens => &mut self.input_cached_tokens,
            RowKey::InputCacheWriteTokens => &mut self.input_cache_write_tokens,
            RowKey::InputAudioTokens => &mut self.input_audio_tokens,
            RowKey::InputImageTokens => &mut self.input_image_tokens,
            RowKey::InputCachedAudioTokens => &mut self.input_cached_audio_tokens,
            RowKey::InputCachedImageTokens => &mut self.input_cached_image_tokens,
            RowKey::OutputTokens => &mut self.output_tokens,
            RowKey::OutputAudioTokens => &mut self.output_audio_tokens,
            RowKey::OutputImageTokens => &mut self.output_image_tokens,
            RowKey::NumModelRequests => &mut self.num_model_requests,
            RowKey::Object
            | RowKey::Model
            | RowKey::Batch
            | RowKey::ServiceTier
            | RowKey::ApiKeyId
            | RowKey::ProjectId
            | RowKey::Other => {
                return None;
            }
        })
    }
}

impl RowKey {
    pub(super) fn of(key: &[u8]) -> RowKey {
        match key {
            b"object" => RowKey::Object,
            b"input_tokens" => RowKey::InputTokens,
            b"input_cached_tokens" => RowKey::InputCachedTokens,
            b"input_cache_write_tokens" => RowKey::InputCacheWriteTokens,
            b"input_audio_tokens" => RowKey::InputAudioTokens,
            b"input_image_tokens" => RowKey::InputImageTokens,
            b"input_cached_audio_tokens" => RowKey::InputCachedAudioTokens,
            b"input_cached_image_tokens" => RowKey::InputCachedImageTokens,
            b"output_tokens" => RowKey::OutputTokens,
            b"output_audio_tokens" => RowKey::OutputAudioTokens,
            b"output_image_tokens" => RowKey::OutputImageTokens,
            b"num_model_requests" => RowKey::NumModelRequests,
            b"model" => RowKey::Model,
            b"batch" => RowKey::Batch,
            b"service_tier" => RowKey::ServiceTier,
            b"api_key_id" => RowKey::ApiKeyId,
            b"project_id" => RowKey::ProjectId,
            _ => RowKey::Other,
        }
    }
}

/// A string borrowed from the body when it has no escapes.
#[derive(Deserialize)]
pub(super) struct Text<'a>(#[serde(borrow)] pub(super) Cow<'a, str>);

/// A string's bytes, borrowed from the body when it has no escapes, not checked as UTF-8.
pub(super) struct Bytes<'a>(pub(super) Cow<'a, [u8]>);

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct BytesVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for BytesVisitor<'a> {
            type Value = Bytes<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
                Ok(Bytes(Cow::Borrowed(v)))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Bytes(Cow::Borrowed(v.as_bytes())))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(Bytes(Cow::Owned(v.to_vec())))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Bytes(Cow::Owned(v.as_bytes().to_vec())))
            }
        }
        d.deserialize_bytes(BytesVisitor(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for CompletionsResult<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RowVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for RowVisitor<'a> {
            type Value = CompletionsResult<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a usage result object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut r = CompletionsResult::default();
                while let Some(key) = map.next_key::<RowKey>()? {
                    let count = |v: Option<u64>| v.unwrap_or_default();
                    let text = |v: Option<Text<'a>>| v.map(|t| t.0);
                    match key {
                        RowKey::Object => {
                            r.object = map.next_value::<Option<Bytes<'a>>>()?.map(|b| b.0)
                        }
                        RowKey::InputTokens => r.input_tokens = count(map.next_value()?),
                        RowKey::InputCachedTokens => {
                            r.input_cached_tokens = count(map.next_value()?)
                        }
                        RowKey::InputCacheWriteTokens => {
                            r.input_cache_write_tokens = count(map.next_value()?)
                        }
                        RowKey::InputAudioTokens => r.input_audio_tokens = count(map.next_value()?),
                        RowKey::InputImageTokens => r.input_image_tokens = count(map.next_value()?),
                        RowKey::InputCachedAudioTokens => {
                            r.input_cached_audio_tokens = count(map.next_value()?)
                        }
                        RowKey::InputCachedImageTokens => {
                            r.input_cached_image_tokens = count(map.next_value()?)
                        }
                        RowKey::OutputTokens => r.output_tokens = count(map.next_value()?),
                        RowKey::OutputAudioTokens => {
                            r.output_audio_tokens = count(map.next_value()?)
                        }
                        RowKey::OutputImageTokens => {
                            r.output_image_tokens = count(map.next_value()?)
                        }
                        RowKey::NumModelRequests => r.num_model_requests = count(map.next_value()?),
                        RowKey::Model => r.model = text(map.next_value()?),
                        RowKey::Batch => r.batch = map.next_value()?,
                        RowKey::ServiceTier => r.service_tier = text(map.next_value()?),
                        RowKey::ApiKeyId => r.api_key_id = text(map.next_value()?),
                        RowKey::ProjectId => r.project_id = text(map.next_value()?),
                        RowKey::Other => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(r)
            }
        }
        d.deserialize_map(RowVisitor(std::marker::PhantomData))
    }
}

/// One page of any other usage endpoint: the same envelope, rows read by the derived
/// [`OtherResult`].
#[derive(Debug, Deserialize)]
pub struct OtherPage<'a> {
    #[serde(borrow, default)]
    pub data: Vec<OtherBucket<'a>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_more: bool,
    #[serde(borrow, default)]
    pub next_page: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub struct OtherBucket<'a> {
    pub start_time: i64,
    pub end_time: i64,
    #[serde(
        borrow,
        default,
        alias = "result",
        deserialize_with = "null_as_default"
    )]
    pub results: Vec<OtherResult<'a>>,
}

/// A row of embeddings, moderations, images, audio speeches, audio transcriptions, web search
/// or file search usage: every field any of them sends, all optional. Which quantity field
/// counts, and which `object` is expected, depends on the endpoint asked (see
/// `openai::endpoints`). These pages are small and sparse, so a derived reader is enough.
#[derive(Debug, Default, Deserialize)]
pub struct OtherResult<'a> {
    #[serde(borrow, default)]
    pub object: Option<Cow<'a, str>>,
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default)]
    pub images: Option<u64>,
    #[serde(default)]
    pub characters: Option<u64>,
    #[serde(default)]
    pub seconds: Option<u64>,
    /// Web and file search: the calls (searches).
    #[serde(default)]
    pub num_requests: Option<u64>,
    #[serde(default)]
    pub num_model_requests: Option<u64>,
    #[serde(borrow, default)]
    pub api_key_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub project_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub size: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub context_level: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub vector_store_id: Option<Cow<'a, str>>,
}

/// A cursor-paginated list (`/organization/projects`, `.../api_keys`).
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct ListPage<T> {
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub data: Vec<T>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_more: bool,
    #[serde(default)]
    pub last_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Project {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub archived_at: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProjectApiKey {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub redacted_value: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub last_used_at: Option<i64>,
    #[serde(default)]
    pub owner: Option<ApiKeyOwner>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ApiKeyOwner {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub user: Option<NamedOwner>,
    #[serde(default)]
    pub service_account: Option<NamedOwner>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NamedOwner {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// `{"error": {"message": ..., "type": ..., "code": ...}}` as the API reports failures.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
