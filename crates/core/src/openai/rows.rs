//! What the transport's rows become in the domain: a completions result becomes a
//! [`UsageRow`] (tokens split by cache and modality, billed tier), any other result a
//! [`Meter`]. Names are interned once per distinct value.

use crate::openai::UNKNOWN_MODEL;
use crate::openai::usage::OtherRow;
use crate::openai::wire::CompletionsResult;
use crate::pricing::Tier;
use crate::usage::{Endpoint, Meter, Names, Owner, TokenSplit, UsageRow};

/// The vector store of a file search row the API did not attribute to one.
pub const UNKNOWN_STORE: &str = "(unknown vector store)";

/// Each part is clamped to what is left of its whole, so a row whose parts do not add up
/// (older responses, rounding) never prices more tokens than it has.
/// The owner of a row, its ids interned.
fn owner(names: &mut Names, key: Option<&str>, project: Option<&str>) -> Owner {
    Owner::new(
        key.map(|k| names.intern(k)),
        project.map(|p| names.intern(p)),
    )
}

pub fn completions_row(names: &mut Names, r: CompletionsResult<'_>) -> UsageRow {
    let input = r.input_tokens;
    let cached = r.input_cached_tokens.min(input);
    let cache_write = r.input_cache_write_tokens.min(input - cached);
    let uncached = input - cached - cache_write;
    let audio_input = r.input_audio_tokens.min(uncached);
    let image_input = r.input_image_tokens.min(uncached - audio_input);
    let audio_cached_input = r.input_cached_audio_tokens.min(cached);
    let image_cached_input = r.input_cached_image_tokens.min(cached - audio_cached_input);
    let output = r.output_tokens;
    let audio_output = r.output_audio_tokens.min(output);
    let image_output = r.output_image_tokens.min(output - audio_output);
    UsageRow {
        model: names.intern(r.model.as_deref().unwrap_or(UNKNOWN_MODEL)),
        tier: Tier::of_row(r.batch, r.service_tier.as_deref()),
        input_tokens: input,
        cached_input_tokens: cached,
        output_tokens: output,
        requests: r.num_model_requests,
        split: TokenSplit {
            cache_write,
            audio_input,
            audio_cached_input,
            audio_output,
            image_input,
            image_cached_input,
            image_output,
        },
        owner: owner(names, r.api_key_id.as_deref(), r.project_id.as_deref()),
    }
}

pub fn meter(names: &mut Names, endpoint: Endpoint, r: OtherRow<'_>) -> Meter {
    let unknown = if endpoint == Endpoint::FileSearchCalls {
        UNKNOWN_STORE
    } else {
        UNKNOWN_MODEL
    };
    let detail = match r.dims {
        [None, None] => None,
        [Some(a), None] | [None, Some(a)] => Some(names.intern(a)),
        [Some(a), Some(b)] => Some(names.intern(&format!("{a} {b}"))),
    };
    Meter {
        endpoint,
        model: names.intern(r.model.unwrap_or(unknown)),
        detail,
        quantity: r.quantity,
        requests: r.requests,
        owner: owner(names, r.api_key_id, r.project_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_that_do_not_add_up_are_clamped_and_the_rest_is_text() {
        let r = CompletionsResult {
            input_tokens: 100,
            input_cached_tokens: 30,
            input_cache_write_tokens: 200,
            input_audio_tokens: 5,
            output_tokens: 10,
            output_audio_tokens: 4,
            output_image_tokens: 50,
            ..CompletionsResult::default()
        };
        let row = completions_row(&mut Names::default(), r);
        assert_eq!(row.split.cache_write, 70);
        // Nothing is left uncached once 70 are cache writes: no room for audio input.
        assert_eq!(row.split.audio_input, 0);
        assert_eq!((row.split.audio_output, row.split.image_output), (4, 6));
        assert_eq!(&*row.model, UNKNOWN_MODEL);
    }

    #[test]
    fn image_size_and_source_make_one_detail() {
        let mut names = Names::default();
        let r = OtherRow {
            model: Some("dall-e-3"),
            dims: [Some("1024x1024"), Some("image.generation")],
            quantity: 2,
            requests: 1,
            api_key_id: Some("key_a"),
            project_id: None,
        };
        let m = meter(&mut names, Endpoint::Images, r);
        assert_eq!(m.detail.as_deref(), Some("1024x1024 image.generation"));
        assert_eq!(m.owner.api_key_id.as_deref(), Some("key_a"));
        assert_eq!(m.owner.project_id, None);
        let f = meter(
            &mut names,
            Endpoint::FileSearchCalls,
            OtherRow {
                model: None,
                dims: [None, None],
                quantity: 3,
                requests: 3,
                api_key_id: None,
                project_id: None,
            },
        );
        assert_eq!((&*f.model, f.detail), (UNKNOWN_STORE, None));
    }

    /// Pages asked by key and project: each row keeps both; `api_key_id: null` (usage made
    /// without an API key, as the spec's example shows) stays a row without a key.
    #[test]
    fn grouped_rows_keep_their_key_and_project_and_a_null_key_stays_none() {
        use crate::openai::usage::{parse_completions_page, parse_other_page};
        let mut names = Names::default();
        let body = br#"{"object":"page","data":[{"object":"bucket","start_time":0,"end_time":3600,
            "results":[
              {"object":"organization.usage.completions.result","input_tokens":10,"output_tokens":5,
               "num_model_requests":1,"project_id":"proj_p","api_key_id":"key_a","model":"gpt-4o"},
              {"object":"organization.usage.completions.result","input_tokens":7,"output_tokens":1,
               "num_model_requests":2,"project_id":"proj_p","api_key_id":null,"model":"gpt-4o"}]}],
            "has_more":false,"next_page":null}"#;
        let page = parse_completions_page(body, |r| completions_row(&mut names, r)).unwrap();
        let rows = &page.buckets[0].rows;
        assert_eq!(rows[0].owner.api_key_id.as_deref(), Some("key_a"));
        assert_eq!(rows[0].owner.project_id.as_deref(), Some("proj_p"));
        assert_eq!(rows[1].owner.api_key_id, None);
        assert_eq!(rows[1].owner.project_id.as_deref(), Some("proj_p"));
        let other = br#"{"object":"page","data":[{"object":"bucket","start_time":0,"end_time":3600,
            "results":[{"object":"organization.usage.embeddings.result","input_tokens":3,
              "num_model_requests":1,"project_id":"proj_q","api_key_id":"key_b","model":"e"}]}],
            "has_more":false,"next_page":null}"#;
        let page = parse_other_page(Endpoint::Embeddings, other, |r| {
            meter(&mut names, Endpoint::Embeddings, r)
        })
        .unwrap();
        let m = &page.buckets[0].rows[0];
        assert_eq!(m.owner.api_key_id.as_deref(), Some("key_b"));
        assert_eq!(m.owner.project_id.as_deref(), Some("proj_q"));
    }
}
