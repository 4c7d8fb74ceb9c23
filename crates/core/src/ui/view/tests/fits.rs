//! The menu fits a small screen (1280×800) whatever the organization: a large one (many
//! models, every kind of usage, a month of bill days, spikes, price checks, a monthly budget)
//! keeps its top level to [`MAX_TOP_ROWS`] rows, the actions at the top level, the active
//! spikes just under the header, and the title's spike mark while a spike lasts.

use super::super::*;
use super::{model, snapshot, state, submenu};
use crate::alerts::AlertKind;
use crate::bill::test_data::{DEC_1, usd};
use crate::bill::{Bill, BillSnapshot, BilledDay, LineKind, SECS_PER_DAY};
use crate::pricing::PriceCheck;
use crate::usage::{Endpoint, KindSummary, MeterSummary, OtherUsage};

/// About 25 rows of a menu on a 1280×800 screen (~23 px a row: 600 px), separators not
/// counted (a third of a row). 26 since the header carries the headline's three rows (issue
/// 17's "about 25"); the largest organization here, with both budgets and a spike, has 26.
const MAX_TOP_ROWS: usize = 26;

/// 2026-12-30T09:30:00Z: a month of bill days behind it.
const LATE_NOW_MS: i64 = (DEC_1 + 29 * SECS_PER_DAY + 9 * 3600 + 1800) * 1000;

fn spike(kind: AlertKind) -> Alert {
    Alert {
        kind,
        per_minute: 48_210.4,
        threshold: 10_000.0,
        top_model: Some("gpt-4o".into()),
    }
}

fn kind(endpoint: Endpoint, label: &'static str, models: usize) -> KindSummary {
    KindSummary {
        endpoint,
        label,
        unit: endpoint.unit(),
        quantity: 1_000,
        requests: 100,
        cost_usd: Some(2.5),
        free: false,
        assumed: false,
        models: (0..models)
            .map(|i| MeterSummary {
                model: format!("{label}-model-{i}"),
                detail: None,
                quantity: 100,
                requests: 10,
                cost_usd: Some(0.25),
                free: false,
                assumption: None,
                price_source: None,
            })
            .collect(),
    }
}

/// 40 models, all seven other kinds of usage, spikes of both kinds, two price checks.
fn large(alerts: Vec<Alert>) -> Arc<crate::snapshot::Snapshot> {
    let models = (0..40)
        .map(|i| {
            model(
                &format!("gpt-model-{i:02}"),
                1_000_000 - i * 1000,
                1000,
                Some(40.0 - i as f64),
            )
        })
        .collect();
    let mut s = (*snapshot(models, alerts)).clone();
    s.fetched_at_ms = LATE_NOW_MS;
    let kinds = vec![
        kind(Endpoint::Embeddings, "Embeddings", 5),
        kind(Endpoint::Moderations, "Moderations", 2),
        kind(Endpoint::Images, "Images", 6),
        kind(Endpoint::AudioSpeeches, "Speech", 3),
        kind(Endpoint::AudioTranscriptions, "Transcription", 3),
        kind(Endpoint::WebSearchCalls, "Web search", 4),
        kind(Endpoint::FileSearchCalls, "File search", 2),
    ];
    s.other = OtherUsage {
        requests: 700,
        cost_usd: 17.5,
        unpriced_rows: 0,
        assumptions: vec!["image-quality".into()],
        kinds,
    };
    s.price_checks = ["gpt-model-00", "gpt-model-01"]
        .iter()
        .map(|m| PriceCheck {
            model: (*m).into(),
            kind: "input".into(),
            table_per_unit: 2.0,
            bill_per_unit: 4.0,
            unit: "1M tokens",
            differs_pct: 100.0,
            day: DEC_1,
        })
        .collect();
    Arc::new(s)
}

/// Thirty days, each with a dozen models' line items.
fn month_bill() -> BillSnapshot {
    let days = (0..30)
        .map(|d| BilledDay {
            start_time: DEC_1 + d * SECS_PER_DAY,
            items: (0..12)
                .map(|m| {
                    let name = format!("gpt-model-{m:02}");
                    usd(&format!("{name}, input"), &name, LineKind::Input, 1.25)
                })
                .collect(),
        })
        .collect();
    BillSnapshot {
        bill: Some(Bill {
            days,
            fetched_at_ms: LATE_NOW_MS,
        }),
        failure: None,
        reconciliation: None,
        estimate_failure: None,
    }
}

fn large_state(alerts: Vec<Alert>) -> TrayState {
    let mut s = state();
    s.snapshot = Some(large(alerts));
    s.bill = Some(Arc::new(month_bill()));
    s.monthly_budget = Some(500.0);
    s.budget = Some((12.0, 50.0));
    s
}

/// The rows a user sees at the top level, separators not counted.
fn top_rows(menu: &[Node]) -> usize {
    menu.iter().filter(|n| **n != Node::Separator).count()
}

fn label(n: &Node) -> &str {
    match n {
        Node::Info(t) | Node::Submenu { text: t, .. } => t,
        Node::Item { text, .. } | Node::Check { text, .. } => text,
        Node::Separator => "",
    }
}

fn position(menu: &[Node], starts: &str) -> usize {
    menu.iter()
        .position(|n| label(n).starts_with(starts))
        .unwrap_or_else(|| panic!("no row starting {starts:?} in {menu:#?}"))
}

#[test]
fn a_large_organization_fits_in_about_25_top_level_rows_with_every_model_still_there() {
    let s = large_state(vec![
        spike(AlertKind::TokenRate),
        spike(AlertKind::RequestRate),
    ]);
    let v = tray_view(&s, LATE_NOW_MS);
    let n = top_rows(&v.menu);
    assert!(n <= MAX_TOP_ROWS, "{n} top-level rows: {:#?}", v.menu);
    // Nothing is lost: every model and every bill day is one level or two down.
    let all = flatten(&v.menu);
    for i in 0..40 {
        let name = format!("gpt-model-{i:02}   ");
        assert!(
            all.iter().any(|r| label(r).starts_with(&name)),
            "{name} missing"
        );
    }
    assert!(v.menu.iter().any(|r| label(r) == "37 more models…"));
    let bill: Vec<&str> = submenu(&v.menu, label(&v.menu[position(&v.menu, "Billed")]))
        .iter()
        .map(label)
        .collect();
    assert_eq!(bill[0], "Month to date  $450.00");
    assert_eq!(bill[1], "Today  $15.00");
    assert_eq!(bill[2], "Yesterday  $15.00");
    assert_eq!(bill[3], "28 Dec  $15.00", "the earlier days, newest first");
    assert_eq!(bill[30], "1 Dec  $15.00");
    assert_eq!(
        bill[31], "Prices: 2 models billed differently from the table",
        "what the bill says of the prices, last"
    );
    assert!(label(&v.menu[position(&v.menu, "Other usage")]).ends_with("· 7 kinds"));
}

#[test]
fn the_actions_are_at_the_top_level() {
    let v = tray_view(&large_state(vec![spike(AlertKind::TokenRate)]), LATE_NOW_MS);
    let top: Vec<&str> = v.menu.iter().map(label).collect();
    for want in [
        "Refresh now",
        "Lookback",
        "Track key",
        "Settings",
        "Open usage dashboard",
        "Open report…",
        "Quit",
    ] {
        assert!(top.contains(&want), "{want} not at the top level: {top:?}");
    }
    let settings: Vec<&str> = submenu(&v.menu, "Settings").iter().map(label).collect();
    assert_eq!(
        settings,
        [
            "Pricing tier",
            "Show in menu bar",
            "Set Admin Key…",
            "Launch at login"
        ]
    );
    // Without a key, the header asks for one: Set Admin Key… is at the top level then.
    let mut s = state();
    s.has_key = false;
    let v = tray_view(&s, LATE_NOW_MS);
    assert!(v.menu.iter().any(|r| label(r) == "Set Admin Key…"));
}

#[test]
fn the_active_spike_comes_right_under_the_header_before_any_figure_and_the_bill() {
    let s = large_state(vec![
        spike(AlertKind::TokenRate),
        spike(AlertKind::RequestRate),
    ]);
    let v = tray_view(&s, LATE_NOW_MS);
    let first_separator = v.menu.iter().position(|n| *n == Node::Separator).unwrap();
    let at = position(&v.menu, "⚡ Token spike");
    assert!(at < first_separator, "{:#?}", v.menu);
    assert_eq!(
        at,
        position(&v.menu, "Updated") + 2,
        "after the header's rows"
    );
    assert!(at < position(&v.menu, "gpt-model-00"));
    assert!(at < position(&v.menu, "Billed"));
    // One spike, one row, as one notification tells it; its kinds in full, the model that
    // grew most and what the title's mark means one level down.
    assert_eq!(
        label(&v.menu[at]),
        "⚡ Token spike: 48,210 tokens/min (threshold 10,000) · also 48,210 requests/min"
    );
    let Node::Submenu { children, .. } = &v.menu[at] else {
        panic!()
    };
    let inside: Vec<&str> = children.iter().map(label).collect();
    assert_eq!(
        inside,
        [
            "Token spike: 48,210 tokens/min (threshold 10,000)",
            "Request spike: 48,210 requests/min (threshold 10,000)",
            "gpt-4o grew most",
            "⚡ in the menu bar title while the spike lasts"
        ]
    );
    assert!(!v.menu.iter().any(|r| label(r).starts_with("⚡ Request")));
}

#[test]
fn the_title_carries_the_spike_mark_only_while_a_spike_is_active() {
    let quiet = large_state(Vec::new());
    let t = title(&quiet, LATE_NOW_MS);
    assert!(!t.contains(SPIKE_MARK), "{t}");
    let spiking = large_state(vec![spike(AlertKind::TokenRate)]);
    let marked = title(&spiking, LATE_NOW_MS);
    assert_eq!(marked, format!("{SPIKE_MARK} {t}"));
    // Every title format, the bill's too.
    let mut mtd = spiking.clone();
    mtd.choices.title = TitleFormat::MonthToDate;
    assert!(title(&mtd, LATE_NOW_MS).starts_with("⚡ MTD $"));
    // After the warning marks, which stay first.
    assert_eq!(spike_marked("⚠ ◷ $1.00".into(), true), "⚠ ◷ ⚡ $1.00");
    assert_eq!(spike_marked("$1.00".into(), false), "$1.00");
    // A spike stored from an earlier run is not one now: no mark.
    let mut stored = spiking;
    stored.stored.as_of_ms = Some(LATE_NOW_MS);
    assert!(!title(&stored, LATE_NOW_MS).contains(SPIKE_MARK));
}

#[test]
fn a_few_models_are_all_rows_of_their_own() {
    let four = (0..=TOP_MODELS)
        .map(|i| model(&format!("m{i}"), 10, 10, Some(1.0)))
        .collect();
    let mut s = state();
    s.snapshot = Some(snapshot(four, Vec::new()));
    let v = tray_view(&s, LATE_NOW_MS);
    assert!(!v.menu.iter().any(|r| label(r).ends_with("more models…")));
    assert_eq!(
        v.menu
            .iter()
            .filter(|r| label(r).contains(" tok · "))
            .count(),
        TOP_MODELS + 1
    );
}

/// A refresh of the large menu changes figures, not its shape: the renderer updates it in
/// place (`src/ui/tray/diff.rs`).
#[test]
fn a_refresh_of_the_large_menu_keeps_its_shape() {
    let s = large_state(Vec::new());
    let a = tray_view(&s, LATE_NOW_MS);
    let mut later = s.clone();
    let mut snap = (*large(Vec::new())).clone();
    snap.summary.models[5].cost_usd = Some(99.0);
    snap.fetched_at_ms += 15_000;
    later.snapshot = Some(Arc::new(snap));
    let b = tray_view(&later, LATE_NOW_MS + 15_000);
    assert_ne!(a.menu, b.menu);
    assert!(same_shape(&a.menu, &b.menu));
}

/// The large organization tracked whole: 100 keys in 10 projects, usage without a key, 30
/// dormant keys. The By key and By project sections are one row each, the biggest model only
/// a row of its own beside them: the menu is no taller, and every key is one level down.
fn whole_org_state(keys: usize) -> TrayState {
    use crate::usage::{Owner, OwnerFigure};
    let mut s = large_state(vec![
        spike(AlertKind::TokenRate),
        spike(AlertKind::RequestRate),
    ]);
    s.choices.api_key_ids = vec![];
    let mut snap = (*large(Vec::new())).clone();
    snap.api_key_ids = vec![];
    let fig = |key: Option<String>, project: String, cost: f64| OwnerFigure {
        owner: Owner::new(key.map(Into::into), Some(project.into())),
        total_tokens: 10_000,
        requests: 10,
        cost_usd: cost,
        models: vec![("gpt-model-00".into(), 10_000, Some(cost))],
        kinds: vec![("Images", Some(0.0))],
    };
    snap.owners = (0..keys)
        .map(|i| {
            fig(
                Some(format!("key_{i:03}")),
                format!("proj_{}", i % 10),
                (keys - i) as f64,
            )
        })
        .collect();
    snap.owners.push(fig(None, "proj_0".into(), 0.5));
    s.snapshot = Some(Arc::new(snap));
    let now = LATE_NOW_MS / 1000;
    s.keys = KeyList::Loaded(
        (0..keys + 30)
            .map(|i| KeyChoice {
                id: format!("key_{i:03}"),
                name: Some(format!("key number {i}")),
                project: format!("Project {}", i % 10),
                project_id: format!("proj_{}", i % 10),
                last_used_at: (i < keys).then_some(now - 60),
            })
            .collect(),
    );
    s
}

#[test]
fn a_large_organization_tracked_whole_still_fits_with_its_by_key_and_by_project_rows() {
    let s = whole_org_state(100);
    let started = std::time::Instant::now();
    let v = tray_view(&s, LATE_NOW_MS);
    let took = started.elapsed();
    let n = top_rows(&v.menu);
    eprintln!("menu with 100 keys: {n} top-level rows, built in {took:?}");
    assert!(n <= MAX_TOP_ROWS, "{n} top-level rows: {:#?}", v.menu);
    assert_eq!(
        label(&v.menu[position(&v.menu, "By key")]),
        "By key  100 keys · top: key number 0 $100.00 · 30 unused"
    );
    assert_eq!(
        label(&v.menu[position(&v.menu, "By project")]),
        "By project  10 projects · top: Project 0 $550.50"
    );
    // Every key one or two levels down; every model still there.
    let all = flatten(&v.menu);
    for i in 0..100 {
        let row = format!("key number {i} (Project {})  ${}.00", i % 10, 100 - i);
        assert!(all.iter().any(|r| label(r) == row), "{row} missing");
    }
    assert!(all.iter().any(|r| label(r) == "No key  $0.50"));
    assert_eq!(submenu(&v.menu, "96 more…").len(), 96);
    assert_eq!(submenu(&v.menu, "30 keys unused for 30 days").len(), 30);
    for i in 0..40 {
        let name = format!("gpt-model-{i:02}   ");
        assert!(
            all.iter().any(|r| label(r).starts_with(&name)),
            "{name} missing"
        );
    }
    assert!(v.menu.iter().any(|r| label(r) == "39 more models…"));
    assert!(took < std::time::Duration::from_secs(1), "{took:?}");
}
