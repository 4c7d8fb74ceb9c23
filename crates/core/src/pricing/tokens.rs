//! Completions tokens: how a usage row's overlapping counts split into disjoint, priceable parts
//! ([`CompletionTokens`]), and what one model's tokens cost ([`Price`]).
//!
//! The wire row's counts overlap (spec, `UsageCompletionsResult`):
//! - `input_tokens` is everything: cached + cache-write + uncached, text + audio + image.
//! - `input_cached_tokens` and `input_cache_write_tokens` are parts of it; cache writes carry no
//!   modality split.
//! - `input_audio_tokens`, `input_image_tokens` are the *uncached* audio/image input (cache
//!   writes excluded); `input_cached_audio_tokens`, `input_cached_image_tokens` the cached ones;
//!   `output_audio_tokens`, `output_image_tokens` parts of `output_tokens`.
//! - The text fields (`input_text_tokens`, `input_cached_text_tokens`, `output_text_tokens`) are
//!   what is left, so they are implied and not read.
//!
//! [`CompletionTokens::from_row`] therefore takes the totals as the truth and carves the audio and
//! image parts out of them, each clamped to what is left, with text as the remainder: every token
//! of `input_tokens + output_tokens` lands in exactly one part, none twice, even when a row's
//! parts disagree with its totals. A legacy row (only `input_tokens`, `input_cached_tokens`,
//! `output_tokens`, perhaps audio) has zero for every missing field, so it is all text apart from
//! any audio it reports.

use super::learned::PriceField;
use super::quote::{Assumption, Assumptions, Quote, Source};

/// The counts of one completions usage row as the API sends them; fields older rows lack are 0
/// (what `#[serde(default)]` gives).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompletionsRow {
    pub input_tokens: u64,
    pub input_cached_tokens: u64,
    pub input_cache_write_tokens: u64,
    pub output_tokens: u64,
    pub input_audio_tokens: u64,
    pub input_cached_audio_tokens: u64,
    pub output_audio_tokens: u64,
    pub input_image_tokens: u64,
    pub input_cached_image_tokens: u64,
    pub output_image_tokens: u64,
}

/// Disjoint token counts by modality and kind: their sum is the row's input + output tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompletionTokens {
    /// Uncached text input.
    pub text_input: u64,
    pub text_cached: u64,
    pub text_output: u64,
    /// Uncached audio input.
    pub audio_input: u64,
    pub audio_cached: u64,
    pub audio_output: u64,
    /// Uncached image input.
    pub image_input: u64,
    pub image_cached: u64,
    pub image_output: u64,
    /// Input written to the prompt cache (any modality).
    pub cache_write: u64,
}

impl CompletionTokens {
    /// All-text tokens: `cached` is a part of `input` (clamped to it).
    pub fn text(input: u64, cached: u64, output: u64) -> CompletionTokens {
        CompletionTokens::from_row(&CompletionsRow {
            input_tokens: input,
            input_cached_tokens: cached,
            output_tokens: output,
            ..CompletionsRow::default()
        })
    }

    /// Splits a row as the module docs describe: totals first, audio then image carved out of
    /// each, text the remainder.
    pub fn from_row(r: &CompletionsRow) -> CompletionTokens {
        let cached = r.input_cached_tokens.min(r.input_tokens);
        let cache_write = r.input_cache_write_tokens.min(r.input_tokens - cached);
        let uncached = r.input_tokens - cached - cache_write;
        let (audio_input, image_input, text_input) =
            carve(uncached, r.input_audio_tokens, r.input_image_tokens);
        let (audio_cached, image_cached, text_cached) = carve(
            cached,
            r.input_cached_audio_tokens,
            r.input_cached_image_tokens,
        );
        let (audio_output, image_output, text_output) = carve(
            r.output_tokens,
            r.output_audio_tokens,
            r.output_image_tokens,
        );
        CompletionTokens {
            text_input,
            text_cached,
            text_output,
            audio_input,
            audio_cached,
            audio_output,
            image_input,
            image_cached,
            image_output,
            cache_write,
        }
    }

    /// Adds `o` part by part, saturating: the counts come from a server and must not wrap.
    pub fn add(&mut self, o: &CompletionTokens) {
        for (mine, theirs) in self.parts_mut().into_iter().zip(o.parts()) {
            *mine = mine.saturating_add(theirs);
        }
    }

    fn parts(&self) -> [u64; 10] {
        [
            self.text_input,
            self.text_cached,
            self.text_output,
            self.audio_input,
            self.audio_cached,
            self.audio_output,
            self.image_input,
            self.image_cached,
            self.image_output,
            self.cache_write,
        ]
    }

    fn parts_mut(&mut self) -> [&mut u64; 10] {
        [
            &mut self.text_input,
            &mut self.text_cached,
            &mut self.text_output,
            &mut self.audio_input,
            &mut self.audio_cached,
            &mut self.audio_output,
            &mut self.image_input,
            &mut self.image_cached,
            &mut self.image_output,
            &mut self.cache_write,
        ]
    }

    /// Each part with the price field it is priced at.
    pub fn by_field(&self) -> [(u64, PriceField); 10] {
        use PriceField as F;
        [
            (self.text_input, F::Input),
            (self.text_cached, F::CachedInput),
            (self.text_output, F::Output),
            (self.cache_write, F::CacheWrite),
            (self.audio_input, F::AudioInput),
            (self.audio_cached, F::CachedAudioInput),
            (self.audio_output, F::AudioOutput),
            (self.image_input, F::ImageInput),
            (self.image_cached, F::CachedImageInput),
            (self.image_output, F::ImageOutput),
        ]
    }

    /// All input tokens (the row's `input_tokens`; saturating, like every sum here).
    pub fn input(&self) -> u64 {
        sum(&[
            self.text_input,
            self.text_cached,
            self.audio_input,
            self.audio_cached,
            self.image_input,
            self.image_cached,
            self.cache_write,
        ])
    }

    /// Cached input tokens (the row's `input_cached_tokens`).
    pub fn cached(&self) -> u64 {
        sum(&[self.text_cached, self.audio_cached, self.image_cached])
    }

    /// All output tokens (the row's `output_tokens`).
    pub fn output(&self) -> u64 {
        sum(&[self.text_output, self.audio_output, self.image_output])
    }
}

fn sum(parts: &[u64]) -> u64 {
    parts.iter().fold(0, |a, b| a.saturating_add(*b))
}

/// `(audio, image, rest)` of `total`: audio first, then image, each clamped to what is left.
fn carve(total: u64, audio: u64, image: u64) -> (u64, u64, u64) {
    let audio = audio.min(total);
    let image = image.min(total - audio);
    (audio, image, total - audio - image)
}

/// USD per 1M tokens of one modality; `None` is "no price".
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rates {
    pub input: Option<f64>,
    /// `None` with an `input` price: cached input is billed at the input price.
    pub cached_input: Option<f64>,
    pub output: Option<f64>,
}

/// The token prices of one model at one tier, USD per 1M tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Price {
    pub text: Rates,
    pub audio: Rates,
    pub image: Rates,
    /// `None`: cache writes are billed at the text input price, as an [`Assumption`].
    pub cache_write: Option<f64>,
    /// The table says this model has one price for every modality: audio and image tokens
    /// without a price of their own are billed at the text prices. A price file entry with
    /// text prices only says so unless it sets `one_price_all_modalities = false`.
    pub one_price_all_modalities: bool,
    /// Set when the table's numbers for this model are themselves an assumption.
    pub assumption: Option<Assumption>,
    /// The fields learned from the bill ([`PriceField::bit`]s of the token fields) and the
    /// newest day they were billed on; `None`: every field is the table's.
    ///
    /// [`PriceField::bit`]: super::learned::PriceField::bit
    pub from_bill: Option<(u16, i64)>,
}

impl Price {
    /// Text prices, one price for every modality (what a file entry with text prices only
    /// means).
    pub fn text(input: f64, cached_input: Option<f64>, output: f64) -> Price {
        Price {
            text: Rates {
                input: Some(input),
                cached_input,
                output: Some(output),
            },
            one_price_all_modalities: true,
            ..Price::default()
        }
    }

    /// The cost of `t`: uncached text × text input + cached text × cached text + cache writes ×
    /// cache-write (none: text input, assumed) + audio in/cached/out × audio prices + image
    /// in/cached/out × image prices + text out × text output, each per 1M tokens.
    ///
    /// Audio and image fall back to the text prices only when `one_price_all_modalities`. A part
    /// with tokens and no price makes the whole quote `None` (unpriced, never a partial sum); a
    /// part with no tokens needs no price.
    pub fn quote(&self, t: &CompletionTokens) -> Option<Quote> {
        let mut assumptions = self
            .assumption
            .map(Assumptions::of)
            .unwrap_or(Assumptions::NONE);
        if t.cache_write > 0 && self.cache_write.is_none() {
            assumptions = assumptions.with(Assumption::CacheWriteAtInputPrice);
        }
        let (learned, day) = self.from_bill.unwrap_or((0, 0));
        let mut micro_usd = 0.0;
        let mut from_bill = false;
        for (tokens, field) in t.by_field() {
            if tokens > 0 {
                let (usd, from) = self.field(field)?;
                micro_usd += tokens as f64 * usd;
                from_bill |= learned & from.bit() != 0;
            }
        }
        let quote = Quote::at(micro_usd / 1_000_000.0, assumptions);
        Some(if from_bill {
            quote.from(Source::Bill { day })
        } else {
            quote
        })
    }

    /// The price of one token field and the field it is read from (cached input without a
    /// price of its own reads input; audio and image read text where one price covers every
    /// modality; cache writes without a price read input), as [`Price::quote`] prices it.
    pub fn field(&self, f: PriceField) -> Option<(f64, PriceField)> {
        use PriceField as F;
        let own = |p: Option<f64>, f: PriceField| p.map(|v| (v, f));
        let text = |f: PriceField| self.field(f).filter(|_| self.one_price_all_modalities);
        match f {
            F::Input => own(self.text.input, F::Input),
            F::CachedInput => own(self.text.cached_input, F::CachedInput).or(self.field(F::Input)),
            F::Output => own(self.text.output, F::Output),
            F::CacheWrite => own(self.cache_write, F::CacheWrite).or(self.field(F::Input)),
            F::AudioInput => own(self.audio.input, f).or_else(|| text(F::Input)),
            F::CachedAudioInput => own(self.audio.cached_input, f)
                .or_else(|| {
                    own(self.text.cached_input, F::CachedInput)
                        .filter(|_| self.one_price_all_modalities)
                })
                .or_else(|| self.field(F::AudioInput)),
            F::AudioOutput => own(self.audio.output, f).or_else(|| text(F::Output)),
            F::ImageInput => own(self.image.input, f).or_else(|| text(F::Input)),
            F::CachedImageInput => own(self.image.cached_input, f)
                .or_else(|| {
                    own(self.text.cached_input, F::CachedInput)
                        .filter(|_| self.one_price_all_modalities)
                })
                .or_else(|| self.field(F::ImageInput)),
            F::ImageOutput => own(self.image.output, f).or_else(|| text(F::Output)),
            _ => None,
        }
    }

    /// Estimated cost in USD of totals whose modality split the caller does not have (`cached`
    /// is a part of `input`, clamped to it): priced as text where the model has one price for
    /// every modality, and `None` (unpriced) for a model that prices audio or image apart, whose
    /// totals could hide them. Callers with the split use [`Price::quote`].
    pub fn cost(&self, input: u64, cached: u64, output: u64) -> Option<f64> {
        if !self.one_price_all_modalities {
            return None;
        }
        self.quote(&CompletionTokens::text(input, cached, output))
            .map(|q| q.usd)
    }
}
