//! Pricing a summary row allocates nothing: every lookup and quote of every kind of usage runs
//! under a counting allocator. (Its own test binary, because the allocator is process-wide.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use usage_tracker::pricing::{
    CompletionTokens, CompletionsRow, IMAGE_GENERATION, PriceTable, Tier,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn lookups_and_quotes_allocate_nothing() {
    let t = PriceTable::builtin();
    let row = CompletionsRow {
        input_tokens: 5000,
        input_cached_tokens: 1800,
        input_cache_write_tokens: 200,
        output_tokens: 1000,
        input_audio_tokens: 300,
        output_image_tokens: 100,
        ..CompletionsRow::default()
    };
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut priced = 0;
    for _ in 0..1000 {
        let tokens = CompletionTokens::from_row(&row);
        for model in [
            "gpt-4o-mini-2024-07-18",
            "gpt-realtime",
            "no-such-model-2025-01-01",
        ] {
            for tier in Tier::ALL {
                priced += usize::from(t.completions(model, tier, &tokens).is_some());
                priced += usize::from(t.lookup(model, tier).is_some());
            }
        }
        priced += usize::from(
            t.embeddings("text-embedding-ada-002-v2", Tier::Batch, 10)
                .is_some(),
        );
        priced += usize::from(
            t.images("dall-e-3", Some("1024x1024"), Some(IMAGE_GENERATION), 1)
                .is_some(),
        );
        priced += usize::from(t.speech("tts-1-hd-1106", 10).is_some());
        priced += usize::from(t.transcription("whisper-1", 10).is_some());
        priced += usize::from(t.web_search("gpt-5-2025-08-07", 10).is_some());
        priced += usize::from(t.file_search(10).is_some());
        let _ = t.moderations("omni-moderation-latest", 10);
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    println!("{allocations} allocations for {priced} priced lookups");
    assert!(priced > 1000 * 6, "the lookups found prices ({priced})");
    assert_eq!(allocations, 0);
}
