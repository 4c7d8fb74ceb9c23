//! The report page from plain data: every string escaped, the figures in their tables.

use super::*;
use crate::bill::DayCheck;
use crate::figures::{DayTotal, ReportData};

fn data() -> ReportData {
    ReportData {
        generated_at: 1_796_169_600,
        key_set: "key_<b>\"x\"".into(),
        tier: "auto".into(),
        days: vec![
            DayTotal {
                start_time: 1_796_083_200,
                estimate_usd: 1.5,
                unpriced: 0,
                billed_usd: Some(1.25),
            },
            DayTotal {
                start_time: 1_796_169_600,
                estimate_usd: 0.25,
                unpriced: 0,
                billed_usd: None,
            },
        ],
        hours: vec![(1_796_169_600, 1_234)],
        by_model: vec![("<script>alert('x')</script>".into(), 1.75)],
        by_kind: vec![("Completions".into(), 1.75)],
        unpriced: 2,
        checks: vec![DayCheck {
            start_time: 1_796_083_200,
            estimate_usd: 1.5,
            billed_usd: 1.25,
            ratio: Some(1.2),
        }],
        month: crate::bill::MonthSpend {
            billed_usd: 1.25,
            unbilled_usd: 0.5,
            other_currencies: vec![],
            complete: true,
        },
    }
}

#[test]
fn the_top_says_the_headline_in_its_words() {
    let html = page(&data());
    let top = &html[html.find("<p id=\"headline\"").unwrap()..];
    let top = &top[..top.find("</p>").unwrap()];
    assert!(
        top.contains(r#"data-estimate="1.750000" data-billed="1.250000" data-today="0.250000" data-month="1.750000""#),
        "{top}"
    );
    assert!(
        top.ends_with(
            "<strong>Estimate $1.75+, last 2 days</strong> · billed $1.25 (1 of the days billed) · \
today (UTC) $0.25 · month so far $1.75 (billed $1.25 + not yet billed $0.50)"
        ),
        "{top}"
    );
    // Before the charts.
    assert!(html.find("id=\"headline\"") < html.find("<svg"));
}

#[test]
fn every_string_is_escaped() {
    let html = page(&data());
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("key_&lt;b&gt;&quot;x&quot;"));
    assert_eq!(esc("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d&#39;");
}

#[test]
fn the_figures_are_in_the_page_at_full_precision() {
    let html = page(&data());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains(r#"data-day="2026-12-01" data-estimate="1.500000" data-billed="1.250000""#)
    );
    assert!(html.contains(r#"data-day="2026-12-02" data-estimate="0.250000" data-billed="""#));
    assert!(html.contains(r#"data-hour="2026-12-02T00:00Z" data-tokens="1234""#));
    assert!(html.contains(r#"data-ratio="1.200000""#) && html.contains("120.0 %"));
    assert!(html.contains("2 usage lines have no price"));
    // Two bar charts and two labelled ones.
    assert_eq!(html.matches("<svg").count(), 4);
    for banned in ["<link", "<img", "url(", "https://"] {
        assert!(!html.contains(banned), "{banned}");
    }
}

#[test]
fn nothing_stored_says_so_instead_of_empty_charts() {
    let mut d = data();
    d.by_model.clear();
    d.by_kind.clear();
    d.checks.clear();
    d.unpriced = 0;
    let html = page(&d);
    assert!(html.contains("No priced usage stored"));
    assert!(html.contains("No bill stored for these days yet"));
    assert!(!html.contains("have no price"));
}
