//! The kinds of usage a key spends on, and one row shape for all of them but completions.
//!
//! Eight usage endpoints can be filtered by key; each counts one thing (tokens, images,
//! characters, seconds of audio, calls). A [`Meter`] is one (endpoint, model or other
//! dimension, quantity, requests) row, so series, summaries, prices and views stay generic.
//! Completions keep their own, richer row ([`super::UsageRow`]): tokens split by cache and
//! modality, and a billed tier.

use serde::Serialize;
use std::sync::Arc;

/// A usage endpoint of the Admin API that reports per API key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Completions,
    Embeddings,
    Moderations,
    Images,
    AudioSpeeches,
    AudioTranscriptions,
    WebSearchCalls,
    FileSearchCalls,
}

impl Endpoint {
    pub const ALL: [Endpoint; 8] = [
        Endpoint::Completions,
        Endpoint::Embeddings,
        Endpoint::Moderations,
        Endpoint::Images,
        Endpoint::AudioSpeeches,
        Endpoint::AudioTranscriptions,
        Endpoint::WebSearchCalls,
        Endpoint::FileSearchCalls,
    ];

    /// Every endpoint but completions: the ones read as [`Meter`]s.
    pub const OTHERS: [Endpoint; 7] = [
        Endpoint::Embeddings,
        Endpoint::Moderations,
        Endpoint::Images,
        Endpoint::AudioSpeeches,
        Endpoint::AudioTranscriptions,
        Endpoint::WebSearchCalls,
        Endpoint::FileSearchCalls,
    ];

    /// The last segment of `/organization/usage/...`, also the key in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Completions => "completions",
            Endpoint::Embeddings => "embeddings",
            Endpoint::Moderations => "moderations",
            Endpoint::Images => "images",
            Endpoint::AudioSpeeches => "audio_speeches",
            Endpoint::AudioTranscriptions => "audio_transcriptions",
            Endpoint::WebSearchCalls => "web_search_calls",
            Endpoint::FileSearchCalls => "file_search_calls",
        }
    }

    /// What a person calls this kind of usage (menu and table rows).
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Completions => "Completions",
            Endpoint::Embeddings => "Embeddings",
            Endpoint::Moderations => "Moderations",
            Endpoint::Images => "Images",
            Endpoint::AudioSpeeches => "Speech",
            Endpoint::AudioTranscriptions => "Transcription",
            Endpoint::WebSearchCalls => "Web search",
            Endpoint::FileSearchCalls => "File search",
        }
    }

    /// The unit of [`Meter::quantity`] on this endpoint.
    pub fn unit(self) -> Unit {
        match self {
            Endpoint::Completions | Endpoint::Embeddings | Endpoint::Moderations => Unit::Tokens,
            Endpoint::Images => Unit::Images,
            Endpoint::AudioSpeeches => Unit::Characters,
            Endpoint::AudioTranscriptions => Unit::Seconds,
            Endpoint::WebSearchCalls | Endpoint::FileSearchCalls => Unit::Calls,
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a meter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Tokens,
    Images,
    Characters,
    Seconds,
    Calls,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Tokens => "tokens",
            Unit::Images => "images",
            Unit::Characters => "characters",
            Unit::Seconds => "seconds",
            Unit::Calls => "calls",
        }
    }
}

/// One row of a non-completions usage bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meter {
    pub endpoint: Endpoint,
    /// The model; for file search (which has no model) the vector store id.
    pub model: Arc<str>,
    /// The second dimension where the endpoint has one: an image's `size` and `source`
    /// (`1024x1024 image.generation`), a web search's `context_level`.
    pub detail: Option<Arc<str>>,
    /// In [`Endpoint::unit`].
    pub quantity: u64,
    /// Model requests; for file search, the calls.
    pub requests: u64,
    /// The key and project, when asked by them.
    pub owner: super::Owner,
}

/// The non-text part of a completions row's tokens. What is not here is text: a row that
/// reports no split (older responses) is all text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TokenSplit {
    /// Input tokens written to the cache (a part of input, neither cached nor uncached).
    pub cache_write: u64,
    pub audio_input: u64,
    pub audio_cached_input: u64,
    pub audio_output: u64,
    pub image_input: u64,
    pub image_cached_input: u64,
    pub image_output: u64,
}

impl TokenSplit {
    pub fn add(&mut self, o: &TokenSplit) {
        self.cache_write += o.cache_write;
        self.audio_input += o.audio_input;
        self.audio_cached_input += o.audio_cached_input;
        self.audio_output += o.audio_output;
        self.image_input += o.image_input;
        self.image_cached_input += o.image_cached_input;
        self.image_output += o.image_output;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_has_one_name_and_the_others_leave_out_completions() {
        let names: std::collections::HashSet<_> =
            Endpoint::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(names.len(), 8);
        assert!(!Endpoint::OTHERS.contains(&Endpoint::Completions));
        assert_eq!(Endpoint::OTHERS.len() + 1, Endpoint::ALL.len());
        assert_eq!(Endpoint::AudioTranscriptions.unit(), Unit::Seconds);
        assert_eq!(Endpoint::FileSearchCalls.unit().as_str(), "calls");
    }
}
