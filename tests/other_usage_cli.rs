//! `once --demo` shows every other kind of usage: a second table with the whole estimate, and
//! in JSON the additive `other_usage`, `assumptions` and `total_cost_usd` (the existing fields
//! unchanged in meaning).

use std::process::Command;

fn once(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_usage-tracker"))
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(home.path())
        .arg("once")
        .arg("--demo")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_table_shows_the_other_usage_and_the_whole_estimate() {
    let text = once(&[]);
    for needle in [
        "Other usage",
        "Images",
        "dall-e-3 1024x1024",
        "Speech",
        "Web search",
        "File search",
        "free",
        "Estimate $",
        "Not included: storage and code-interpreter sessions",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    // The table assumes image quality; the bill prices each size as billed (every quality):
    // no longer an assumption, and said to come from the bill.
    let images = text.lines().find(|l| l.starts_with("Images")).unwrap();
    assert!(images.contains(" $") && !images.contains("~$"), "{images}");
    assert!(text.contains("Priced from your bill of "), "{text}");
}

#[test]
fn json_adds_other_usage_and_a_grand_total() {
    let v: serde_json::Value = serde_json::from_str(&once(&["--format", "json"])).unwrap();
    let kinds = v["other_usage"].as_array().unwrap();
    let names: Vec<_> = kinds
        .iter()
        .map(|k| k["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "embeddings",
            "moderations",
            "images",
            "audio_speeches",
            "audio_transcriptions",
            "web_search_calls",
            "file_search_calls"
        ]
    );
    let mut other = 0.0;
    for k in kinds {
        assert!(
            k["unit"].is_string() && k["quantity"].as_u64().unwrap() > 0,
            "{k}"
        );
        assert!(k["requests"].as_u64().unwrap() > 0, "{k}");
        let models = k["models"].as_array().unwrap();
        let q: u64 = models.iter().map(|m| m["quantity"].as_u64().unwrap()).sum();
        assert_eq!(q, k["quantity"].as_u64().unwrap(), "{k}");
        other += k["cost_usd"].as_f64().unwrap();
    }
    assert_eq!(kinds[1]["free"], true);
    // Images: the table assumes their quality, the bill's settled days price them.
    assert_eq!(kinds[2]["assumed"], false, "{}", kinds[2]);
    for m in kinds[2]["models"].as_array().unwrap() {
        assert_eq!(m["price_source"], "bill", "{m}");
    }
    let completions = v["totals"]["cost_usd"].as_f64().unwrap();
    let total = v["total_cost_usd"].as_f64().unwrap();
    // Each amount written to 0.001 (README "JSON output"): the parts meet the whole within
    // half a tenth of a cent each.
    let parts = kinds.len() + 2;
    assert!(
        (total - completions - other).abs() <= parts as f64 * 0.0005 + 1e-9,
        "{total} vs {completions} + {other}"
    );
    let assumptions: Vec<_> = v["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    // The bill has priced the images and the web searches: what the table assumed is gone.
    assert!(
        !assumptions.contains(&"image-quality")
            && !assumptions.contains(&"web-search-tool-version"),
        "{assumptions:?}"
    );
    assert!(v["not_included"].as_str().unwrap().contains("per project"));
    // The completions rows are still `models`, `totals` still their totals.
    assert!(
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["input_tokens"].is_u64())
    );
}
