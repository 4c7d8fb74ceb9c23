//! One headline everywhere (issue 17), end to end: the real binary on the demo's simulated API.
//! `once`'s first lines and `once --format json`'s `headline` say the same figures in the same
//! words, the title's words agree with them, the table's last row names itself a part
//! (completions), and the JSON's headline is the same figures as its other fields.
//!
//! The two runs are a second or two apart on the real clock, and the demo's usage grows in
//! that time: figures across runs are compared within 1 %; figures within one run exactly.

mod common;

use common::binary::{cmd, run};
use serde_json::Value;
use usage_tracker::ui::view::{TitleFormat, title_figures};
use usage_tracker::usage::Totals;

/// Every `$1,234.56` in `s`, as numbers.
fn amounts(s: &str) -> Vec<f64> {
    s.split('$')
        .skip(1)
        .map(|rest| {
            let n: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                .filter(|c| *c != ',')
                .collect();
            n.trim_end_matches('.').parse().unwrap()
        })
        .collect()
}

/// `s` with every amount replaced by `$X`: the words alone.
fn words(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            out.push('X');
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
            {
                chars.next();
            }
        }
    }
    // A token count drifts too: `4.4M tokens`.
    out.split(' ')
        .map(|w| {
            if w.starts_with('(') && w.ends_with(['M', 'k']) {
                "(N"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01 * a.abs().max(b.abs()) + 0.01
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

#[test]
fn once_and_its_json_lead_with_the_same_headline_as_the_title() {
    let home = tempfile::tempdir().unwrap();
    let (out, table, stderr) = run(cmd(&home).args(["once", "--demo"]));
    assert!(out.status.success(), "{stderr}");
    let (out, json, stderr) = run(cmd(&home).args(["once", "--demo", "--format", "json"]));
    assert!(out.status.success(), "{stderr}");
    let v: Value = serde_json::from_str(&json).unwrap();
    let h = &v["headline"];

    // Within the JSON: the headline is the report's figures, not new ones.
    assert_eq!(h["window_usd"], v["total_cost_usd"]);
    assert_eq!(h["completions_usd"], v["totals"]["cost_usd"]);
    assert_eq!(h["unpriced"], v["unpriced"]);
    assert_eq!(h["pace_month_usd"], v["pace"]["month_usd"]);
    assert_eq!(h["pace_today_usd"], v["pace"]["today_usd"]);
    let month = f(&h["month_usd"]);
    // Each figure is rounded to 0.001 (the JSON's money rule).
    assert!((month - f(&h["month_billed_usd"]) - f(&h["month_unbilled_usd"])).abs() < 0.0016);
    // What the bill has of the month is its month to date (the demo bills in USD only).
    assert!(
        (f(&h["month_billed_usd"]) - f(&v["billed"]["month_to_date"]["amount"]["usd"])).abs()
            < 1e-6,
        "{h}\n{}",
        v["billed"]["month_to_date"]
    );
    // The demo's shape: most of the spend is not completions; the headline leads with all of it.
    let (whole, completions) = (f(&h["window_usd"]), f(&h["completions_usd"]));
    assert!(whole > 2.0 * completions, "{h}");
    assert!(whole > 0.0 && month >= f(&h["today_usd"]), "{h}");

    // The title's words for the same figures: its cost is the headline's estimate.
    let totals = Totals {
        cost_usd: whole,
        unpriced_models: h["unpriced"].as_u64().unwrap() as usize,
        total_tokens: h["completions_tokens"].as_u64().unwrap(),
        ..Totals::default()
    };
    let title = title_figures(TitleFormat::TokensAndCost, &totals);
    let (tokens, cost) = title.split_once(" · ").unwrap();
    let lines: Vec<&str> = h["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        lines[0].starts_with(&format!("Estimate {cost}, last 6 h: completions $")),
        "title {title:?}, headline {lines:?}"
    );
    assert!(
        lines[0].contains(&format!("({tokens} tokens)")),
        "{title:?} {lines:?}"
    );
    assert!(
        h["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Estimate {cost} last 6 h"))
    );

    // `once`'s first lines are the JSON's, in the same words, the same figures within the
    // runs' drift; then a blank line and the table.
    let first: Vec<&str> = table.lines().take(lines.len() + 1).collect();
    assert_eq!(first[lines.len()], "", "{table}");
    for (t, j) in first.iter().zip(&lines) {
        assert_eq!(words(t), words(j), "\n{t}\n{j}");
        let (a, b) = (amounts(t), amounts(j));
        assert_eq!(a.len(), b.len());
        // A part may move more than its whole in the meantime (the bill landing a few cents of
        // what was not yet billed): within 1 % of the line's largest figure.
        let scale = a.iter().chain(&b).fold(0.0_f64, |m, v| m.max(*v));
        for (x, y) in a.iter().zip(&b) {
            assert!(
                (x - y).abs() <= 0.01 * scale + 0.01,
                "{x} vs {y}:\n{t}\n{j}"
            );
        }
    }
    assert!(
        lines.len() == 3 && lines[2].starts_with("On pace for $"),
        "{lines:?}"
    );

    // No bare TOTAL: the table's last row says it is completions, with the headline's part.
    assert!(!table.contains("TOTAL"), "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("Completions "))
        .unwrap_or_else(|| panic!("no Completions row:\n{table}"));
    let row_cost = *amounts(row).last().unwrap();
    assert!(near(row_cost, completions), "{row} vs {completions}");
    let table_part = amounts(first[0])[1];
    assert_eq!(
        format!("${row_cost:.2}"),
        format!("${table_part:.2}"),
        "the row and the first line of the same run:\n{row}\n{}",
        first[0]
    );
}
