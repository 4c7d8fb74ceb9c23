//! The whole estimate over real HTTP: every kind of usage of the demo key priced per unit, equal
//! to costs computed here by hand from the simulator's quantities and the published prices
//! (written out below, not read from the app's table), and the title's total is their sum.

mod common;

use common::*;
use std::collections::BTreeMap;
use usage_tracker::engine::tracker::Tracker;
use usage_tracker::usage::{BucketWidth, Endpoint};
use usage_tracker_simulator::DEMO_KEY_ID;

/// USD for `quantity` of (endpoint, model, detail), from the published prices
/// (shared/openai/pricing-reference-extra.json); `None`: free.
fn by_hand(e: Endpoint, model: &str, detail: Option<&str>, q: u64) -> Option<f64> {
    let q = q as f64;
    Some(match (e, model, detail) {
        (Endpoint::Embeddings, "text-embedding-3-small", _) => q * 0.02 / 1e6,
        (Endpoint::Embeddings, "text-embedding-3-large", _) => q * 0.13 / 1e6,
        (Endpoint::Moderations, _, _) => return None,
        // No quality in the data: dall-e-3 at hd, gpt-image-1 at high (the assumed ones).
        (Endpoint::Images, "dall-e-3", Some("1024x1024 image.generation")) => q * 0.08,
        (Endpoint::Images, "dall-e-3", Some("1792x1024 image.generation")) => q * 0.12,
        (Endpoint::Images, "gpt-image-1", Some("1024x1536 image.generation")) => q * 0.25,
        (Endpoint::Images, "dall-e-2", Some("512x512 image.variation")) => q * 0.018,
        (Endpoint::AudioSpeeches, "tts-1", _) => q * 15.0 / 1e6,
        (Endpoint::AudioSpeeches, "tts-1-hd", _) => q * 30.0 / 1e6,
        (Endpoint::AudioTranscriptions, "whisper-1", _) => q / 60.0 * 0.006,
        (Endpoint::AudioTranscriptions, "gpt-4o-mini-transcribe", _) => q / 60.0 * 0.003,
        // gpt-4o-mini: 25 per 1,000 (tool version assumed); o4-mini: 10.
        (Endpoint::WebSearchCalls, "gpt-4o-mini-2024-07-18", _) => q * 25.0 / 1e3,
        (Endpoint::WebSearchCalls, "o4-mini-2025-04-16", _) => q * 10.0 / 1e3,
        (Endpoint::FileSearchCalls, _, _) => q * 2.5 / 1e3,
        other => panic!("no hand price for {other:?}"),
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * (1.0 + b.abs())
}

#[tokio::test]
async fn the_whole_estimate_is_the_sum_of_hand_computed_costs_per_unit() {
    let sim = sim().await;
    let ctl = sim.control();
    let c = client(&sim);
    let lookback = 6 * 3_600;
    let mut t = Tracker::new(
        client(&sim),
        config(BucketWidth::Hour, lookback, &[DEMO_KEY_ID]),
    );
    let snap = t.refresh(ctl.now() * 1000).await.unwrap();
    let start = ctl.now() - lookback;

    let mut others = 0.0;
    for e in Endpoint::OTHERS {
        let f = other(&c, &query(e, start, BucketWidth::Minute, &[DEMO_KEY_ID]))
            .await
            .unwrap();
        let mut per_row: BTreeMap<(String, Option<String>), u64> = BTreeMap::new();
        for m in f.buckets.iter().flat_map(|b| &b.rows) {
            *per_row
                .entry((
                    m.model.to_string(),
                    m.detail.as_ref().map(|d| d.to_string()),
                ))
                .or_default() += m.quantity;
        }
        let kind = snap
            .other
            .kinds
            .iter()
            .find(|k| k.endpoint == e)
            .unwrap_or_else(|| panic!("{e} missing"));
        let mut kind_cost = 0.0;
        for ((model, detail), q) in per_row {
            let row = kind
                .models
                .iter()
                .find(|m| m.model == model && m.detail == detail)
                .unwrap_or_else(|| panic!("{e} {model} {detail:?}"));
            assert_eq!(row.quantity, q, "{e} {model}");
            match by_hand(e, &model, detail.as_deref(), q) {
                None => {
                    assert!(row.free && row.cost_usd == Some(0.0), "{e} {model} is free");
                }
                Some(usd) => {
                    assert!(
                        close(row.cost_usd.unwrap(), usd),
                        "{e} {model} {detail:?}: {:?} vs {usd}",
                        row.cost_usd
                    );
                    kind_cost += usd;
                }
            }
        }
        assert!(close(kind.cost_usd.unwrap(), kind_cost), "{e}");
        others += kind_cost;
    }
    assert!(close(snap.other.cost_usd, others));
    assert_eq!(snap.other.unpriced_rows, 0);
    // The assumptions are named, not hidden: image quality, web search tool version, estimates.
    for code in [
        "image-quality",
        "web-search-tool-version",
        "token-billed-estimate",
        "image-source",
    ] {
        assert!(
            snap.other.assumptions.iter().any(|a| a.contains(code)),
            "{code}: {:?}",
            snap.other.assumptions
        );
    }
    let web = snap
        .other
        .kinds
        .iter()
        .find(|k| k.endpoint == Endpoint::WebSearchCalls)
        .unwrap();
    let o4 = web
        .models
        .iter()
        .find(|m| m.model.starts_with("o4-mini"))
        .unwrap();
    assert!(o4.assumption.is_none(), "o4-mini web search is exact");

    // An audio model's tokens are priced as audio: gpt-4o-mini-audio-preview is 0.15 / 0.6 for
    // text and 10 / 20 for audio, per 1M (it has no cached price; the simulator caches none).
    let f = completions(
        &c,
        &query(
            Endpoint::Completions,
            start,
            BucketWidth::Minute,
            &[DEMO_KEY_ID],
        ),
    )
    .await
    .unwrap();
    let mut hand = 0.0;
    for r in f
        .buckets
        .iter()
        .flat_map(|b| &b.rows)
        .filter(|r| &*r.model == "gpt-4o-mini-audio-preview-2024-12-17")
    {
        let s = r.split;
        assert_eq!(r.cached_input_tokens, 0);
        let text_in = r.input_tokens - s.audio_input;
        let text_out = r.output_tokens - s.audio_output;
        hand += (text_in as f64 * 0.15
            + s.audio_input as f64 * 10.0
            + text_out as f64 * 0.6
            + s.audio_output as f64 * 20.0)
            / 1e6;
    }
    let audio = snap
        .summary
        .models
        .iter()
        .find(|m| m.model == "gpt-4o-mini-audio-preview-2024-12-17")
        .unwrap();
    assert!(
        hand > 0.0 && close(audio.cost_usd.unwrap(), hand),
        "{:?} vs {hand}",
        audio.cost_usd
    );

    // The title's figure is the whole estimate.
    assert!(close(
        snap.total_cost_usd(),
        snap.summary.totals.cost_usd + others
    ));
    assert!(others > 0.0 && snap.summary.totals.cost_usd > 0.0);
}
