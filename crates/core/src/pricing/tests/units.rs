//! Every other kind of usage, priced from the built-in table by hand.

use super::super::*;
use super::close;

fn t() -> &'static PriceTable {
    PriceTable::builtin()
}

fn assumed(a: Assumption) -> Basis {
    Basis::Assumed(Assumptions::of(a))
}

#[test]
fn embeddings_at_the_chosen_tier() {
    let q = t()
        .embeddings("text-embedding-3-small", Tier::Standard, 2_000_000)
        .unwrap();
    close(q.usd, 0.04);
    assert!(q.is_exact());
    close(
        t().embeddings("text-embedding-3-large", Tier::Batch, 1_000_000)
            .unwrap()
            .usd,
        0.065,
    );
    // The name the Usage API reports has litellm's batch price; the plain name has none.
    close(
        t().embeddings("text-embedding-ada-002-v2", Tier::Batch, 1_000_000)
            .unwrap()
            .usd,
        0.05,
    );
    assert_eq!(
        t().embeddings("text-embedding-ada-002", Tier::Batch, 1),
        None
    );
    assert_eq!(
        t().embeddings("text-embedding-3-small", Tier::Flex, 1),
        None
    );
    assert_eq!(t().embeddings("text-embedding-4", Tier::Standard, 1), None);
}

#[test]
fn moderations_are_free_whatever_the_model() {
    for model in ["omni-moderation-latest", "text-moderation", "anything"] {
        let q = t().moderations(model, 1_000_000);
        assert_eq!(q, Quote::free());
        assert_eq!(q.basis.label(), "free");
    }
}

#[test]
fn images_by_model_size_and_source() {
    let generation = Some(IMAGE_GENERATION);
    // dall-e-2 has no quality levels: exact for generations.
    let q = t()
        .images("dall-e-2", Some("512x512"), generation, 10)
        .unwrap();
    close(q.usd, 0.18);
    assert!(q.is_exact());
    // Edits and variations, or rows not grouped by source: priced alike, assumed.
    for source in [Some("image.edit"), Some("image.variation"), None] {
        let q = t()
            .images("dall-e-2", Some("1024x1024"), source, 1)
            .unwrap();
        close(q.usd, 0.02);
        assert_eq!(q.basis, assumed(Assumption::ImageSource), "{source:?}");
    }
    // dall-e-3: no quality in the data, priced at hd (what `auto` picks).
    let q = t()
        .images("dall-e-3", Some("1024x1792"), generation, 2)
        .unwrap();
    close(q.usd, 0.24);
    assert_eq!(q.basis, assumed(Assumption::ImageQuality));
    // gpt-image-1 at high, and an estimate for a token-billed model.
    let q = t()
        .images("gpt-image-1", Some("1536x1024"), generation, 4)
        .unwrap();
    close(q.usd, 1.0);
    let set = q.basis.assumptions();
    assert!(
        set.contains(Assumption::ImageQuality) && set.contains(Assumption::TokenBilledEstimate)
    );
    // Unpriced: a size the table does not list, no size, no per-image figure (gpt-image-2).
    assert_eq!(
        t().images("dall-e-3", Some("1792x1792"), generation, 1),
        None
    );
    assert_eq!(t().images("dall-e-2", None, generation, 1), None);
    assert_eq!(
        t().images("gpt-image-2", Some("1024x1024"), generation, 1),
        None
    );
}

#[test]
fn speech_per_1m_characters() {
    // The billed measurement in the sources: 4,095 characters of tts-1 cost 0.061425.
    let q = t().speech("tts-1", 4_095).unwrap();
    close(q.usd, 0.061425);
    assert!(q.is_exact());
    close(t().speech("tts-1-hd-1106", 1_000_000).unwrap().usd, 30.0);
    let q = t().speech("gpt-4o-mini-tts-2025-03-20", 1_000_000).unwrap();
    close(q.usd, 15.9);
    assert_eq!(q.basis, assumed(Assumption::TokenBilledEstimate));
    assert_eq!(t().speech("tts-2", 1), None);
}

#[test]
fn transcription_per_minute() {
    // 90 s of whisper-1 at 0.006 / min = 0.009.
    let q = t().transcription("whisper-1", 90).unwrap();
    close(q.usd, 0.009);
    assert!(q.is_exact());
    close(t().transcription("gpt-transcribe", 600).unwrap().usd, 0.045);
    let q = t()
        .transcription("gpt-4o-mini-transcribe-2025-12-15", 60)
        .unwrap();
    close(q.usd, 0.003);
    assert_eq!(q.basis, assumed(Assumption::TokenBilledEstimate));
    assert_eq!(t().transcription("tts-1", 60), None);
}

#[test]
fn web_search_per_1000_calls() {
    // Reasoning models: 10 per 1,000 with either tool version.
    let q = t().web_search("gpt-5-mini-2025-08-07", 500).unwrap();
    close(q.usd, 5.0);
    assert!(q.is_exact());
    close(t().web_search("o3", 1_000).unwrap().usd, 10.0);
    // gpt-4o / gpt-4.1: 10 or 25 by tool version, unknown: 25, assumed.
    for model in ["gpt-4o-mini-2024-07-18", "gpt-4.1", "gpt-4o"] {
        let q = t().web_search(model, 2).unwrap();
        close(q.usd, 0.05);
        assert_eq!(
            q.basis,
            assumed(Assumption::WebSearchToolVersion),
            "{model}"
        );
    }
    assert_eq!(t().web_search("gpt-3.5-turbo", 1), None);
}

#[test]
fn file_search_per_1000_calls() {
    let q = t().file_search(4).unwrap();
    close(q.usd, 0.01);
    assert!(q.is_exact());
    assert_eq!(PriceTable::default().file_search(1), None);
}
