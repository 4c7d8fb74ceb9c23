use super::*;

mod billed;
mod choices;
mod fits;
mod owners;
mod stored;

use crate::alerts::{AlertKind, BudgetAlert};
use crate::pricing::Tier;
use crate::snapshot::FetchStats;
use crate::usage::{BucketWidth, Summary, Window};
use chrono::{Local, TimeZone};

pub(super) const NOW_MS: i64 = 1_764_000_000_000;

pub(super) fn model(name: &str, input: u64, output: u64, cost: Option<f64>) -> ModelSummary {
    ModelSummary {
        model: name.into(),
        input_tokens: input,
        cached_input_tokens: input / 10,
        output_tokens: output,
        total_tokens: input + output,
        requests: 1234,
        cost_usd: cost,
        price_source: Some(crate::pricing::Source::Table),
        tiers: vec![Tier::Standard, Tier::Batch],
        unpriced_tiers: vec![],
    }
}

pub(super) fn snapshot(models: Vec<ModelSummary>, alerts: Vec<Alert>) -> Arc<Snapshot> {
    let mut totals = Totals::default();
    for m in &models {
        totals.input_tokens += m.input_tokens;
        totals.output_tokens += m.output_tokens;
        totals.total_tokens += m.total_tokens;
        match m.cost_usd {
            Some(c) => totals.cost_usd += c,
            None => totals.unpriced_models += 1,
        }
    }
    Arc::new(Snapshot {
        window: Window::ending_at(NOW_MS / 1000, 6 * 3600, BucketWidth::Hour),
        owners: vec![],
        project_ids: vec![],
        api_key_ids: vec!["key_a".into()],
        tier: TierChoice::Auto,
        fetched_at_ms: NOW_MS,
        summary: Summary { models, totals },
        other: Default::default(),
        buckets: Vec::new(),
        alerts,
        new_alerts: Vec::new(),
        fetch: FetchStats::default(),
        prices_compiled: "2026-01-01".into(),
        price_checks: Vec::new(),
        price_mode: crate::pricing::PriceMode::Bill,
    })
}

pub(super) fn two_models() -> Arc<Snapshot> {
    snapshot(
        vec![
            model("gpt-4o", 700_000, 112_000, Some(2.10)),
            model("gpt-4o-mini", 350_000, 38_000, Some(1.35)),
        ],
        Vec::new(),
    )
}

pub(super) fn state() -> TrayState {
    TrayState {
        has_key: true,
        reading_key: false,
        snapshot: None,
        failure: None,
        refreshing: false,
        waiting: false,
        key_set: Vec::new(),
        choices: Choices {
            title: TitleFormat::TokensAndCost,
            lookback_hours: 6.0,
            calendar: None,
            tier: TierChoice::Auto,
            api_key_ids: vec!["key_a".into()],
        },
        keys: KeyList::Loading,
        login_item: Some(false),
        login_needs_approval: false,
        startup_options: Vec::new(),
        interval_secs: 15,
        budget: None,
        bill: None,
        monthly_budget: None,
        glance: None,
        report_unavailable: None,
        stored: Default::default(),
        version: "0.1.0".into(),
        demo: false,
    }
}

pub(super) fn infos(nodes: &[Node]) -> Vec<&str> {
    nodes
        .iter()
        .filter_map(|n| match n {
            Node::Info(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// The children of the submenu labelled `text`, at any depth (the choices sit in Settings).
pub(super) fn submenu<'a>(nodes: &'a [Node], text: &str) -> &'a [Node] {
    fn find<'a>(nodes: &'a [Node], text: &str) -> Option<&'a [Node]> {
        nodes.iter().find_map(|n| match n {
            Node::Submenu { text: t, children } if t == text => Some(&children[..]),
            Node::Submenu { children, .. } => find(children, text),
            _ => None,
        })
    }
    find(nodes, text).unwrap_or_else(|| panic!("no submenu {text:?}"))
}

pub(super) fn checked(nodes: &[Node]) -> Vec<&str> {
    nodes
        .iter()
        .filter_map(|n| match n {
            Node::Check {
                text,
                checked: true,
                ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn title_for_each_state_and_format() {
    let mut s = state();
    s.has_key = false;
    assert_eq!(title(&s, NOW_MS), "Set admin key…");
    s.has_key = true;
    assert_eq!(title(&s, NOW_MS), "…");
    s.snapshot = Some(two_models());
    assert_eq!(title(&s, NOW_MS), "1.2M · $3.45");
    s.choices.title = TitleFormat::Cost;
    assert_eq!(title(&s, NOW_MS), "$3.45");
    s.choices.title = TitleFormat::Tokens;
    assert_eq!(title(&s, NOW_MS), "1.2M");
    s.choices.title = TitleFormat::TokensAndCost;
    // Stale: three intervals without a refresh.
    assert_eq!(title(&s, NOW_MS + 45_000), "1.2M · $3.45");
    assert_eq!(title(&s, NOW_MS + 45_001), "⚠ 1.2M · $3.45");
    s.failure = Some(FailureView {
        kind: ErrorKind::InvalidKey,
        retry_at: None,
    });
    assert_eq!(title(&s, NOW_MS), "⚠ 1.2M · $3.45");
    s.snapshot = None;
    assert_eq!(title(&s, NOW_MS), "⚠ invalid key");
}

#[test]
fn unpriced_models_show_in_the_title() {
    let mut s = state();
    s.snapshot = Some(snapshot(
        vec![
            model("mystery", 1000, 0, None),
            model("gpt-4o", 500, 0, Some(0.5)),
        ],
        Vec::new(),
    ));
    assert_eq!(title(&s, NOW_MS), "1.5k · $0.50+");
    s.snapshot = Some(snapshot(vec![model("mystery", 1000, 0, None)], Vec::new()));
    assert_eq!(title(&s, NOW_MS), "1.0k · —");
    // The header says what the title's mark means.
    assert_eq!(
        infos(&tray_view(&s, NOW_MS).menu)[0],
        "Estimate —, last 6 h: completions $0.00 (1.0k tokens) + other usage $0.00; \
1 unpriced row not included"
    );
}

#[test]
fn a_model_row_and_its_submenu_show_the_same_money() {
    let mut s = state();
    s.snapshot = Some(snapshot(
        vec![
            model("gpt-4o", 3_000_000, 0, Some(0.2486)),
            model("tiny", 100, 0, Some(0.0042)),
        ],
        Vec::new(),
    ));
    let v = tray_view(&s, NOW_MS);
    assert_eq!(title(&s, NOW_MS), "3.0M · $0.25");
    assert!(infos(submenu(&v.menu, "gpt-4o   3.0M tok · $0.25")).contains(&"Cost: $0.25"));
    assert!(infos(submenu(&v.menu, "tiny   100 tok · $0.0042")).contains(&"Cost: $0.0042"));
}

#[test]
fn the_title_and_the_header_say_the_headlines_estimate() {
    let mut s = state();
    let mut snap = (*two_models()).clone();
    snap.other.cost_usd = 30.0;
    s.snapshot = Some(Arc::new(snap));
    let h = headline(&s, NOW_MS).unwrap();
    assert_eq!(h.window_amount(), "$33.45");
    assert_eq!(title(&s, NOW_MS), "1.2M · $33.45");
    assert_eq!(
        infos(&tray_view(&s, NOW_MS).menu)[0],
        "Estimate $33.45, last 6 h: completions $3.45 (1.2M tokens) + other usage $30.00"
    );
}

#[test]
fn header_rows_carry_totals_key_update_time_and_budget() {
    let mut s = state();
    s.snapshot = Some(two_models());
    s.keys = KeyList::Loaded(vec![KeyChoice {
        id: "key_a".into(),
        name: Some("Primary".into()),
        project: "App".into(),
        ..Default::default()
    }]);
    s.budget = Some((1.5, 5.0));
    s.refreshing = true;
    let v = tray_view(&s, NOW_MS);
    let rows = infos(&v.menu);
    // The headline: the whole estimate with its part named, today and the month (no glance
    // nor bill yet), the pace loading.
    assert_eq!(
        rows[0],
        "Estimate $3.45, last 6 h: completions $3.45 (1.2M tokens) + other usage $0.00"
    );
    assert_eq!(
        rows[1],
        "Today (UTC) not known yet · month so far not known yet"
    );
    assert_eq!(rows[2], super::glance::PACE_LOADING);
    assert_eq!(rows[3], "Key: Primary (key_a)");
    assert_eq!(
        rows[4],
        format!("Updated {} · refreshing…", format::local_hm(NOW_MS / 1000))
    );
    assert_eq!(rows[5], "Today (local): $1.50 of $5.00 daily budget");
}

#[test]
fn error_header_names_the_kind_and_the_retry_time() {
    let t = Local
        .with_ymd_and_hms(2026, 3, 2, 14, 5, 0)
        .earliest()
        .unwrap()
        .timestamp();
    let f = |kind, retry_at| FailureView { kind, retry_at };
    assert_eq!(
        failure_text(&f(ErrorKind::RateLimited, Some(t))),
        "rate limited until 14:05"
    );
    assert_eq!(failure_text(&f(ErrorKind::InvalidKey, None)), "invalid key");
    assert_eq!(
        failure_text(&f(ErrorKind::Offline, Some(t))),
        "offline · retry at 14:05"
    );
    assert_eq!(
        failure_text(&f(ErrorKind::MissingPermission, None)),
        "missing permission"
    );
    assert_eq!(
        failure_text(&f(ErrorKind::BadResponse, None)),
        "bad response"
    );
    let mut s = state();
    s.snapshot = Some(two_models());
    s.failure = Some(f(ErrorKind::RateLimited, Some(t)));
    let v = tray_view(&s, NOW_MS);
    assert!(infos(&v.menu).contains(&"⚠ Last refresh failed: rate limited until 14:05"));
}

#[test]
fn one_row_per_model_with_a_detail_submenu() {
    let mut s = state();
    s.snapshot = Some(two_models());
    let v = tray_view(&s, NOW_MS);
    let rows = submenu(&v.menu, "gpt-4o   812k tok · $2.10");
    assert_eq!(
        infos(rows),
        [
            "Input: 700,000 tokens",
            "Cached input: 70,000 tokens",
            "Output: 112,000 tokens",
            "Requests: 1,234",
            "Cost: $2.10",
            "Priced at: standard, batch",
        ]
    );
    submenu(&v.menu, "gpt-4o-mini   388k tok · $1.35");
    s.snapshot = Some(snapshot(Vec::new(), Vec::new()));
    assert!(infos(&tray_view(&s, NOW_MS).menu).contains(&"No usage in this window"));
}

/// Issue 16: a model unpriced because of its tier says so in its submenu; the tiers that were
/// priced are still listed as such.
#[test]
fn an_unpriced_tier_is_named_in_the_models_submenu() {
    let ultrafast = Tier::of_row(None, Some("ultrafast"));
    let mut m = model("gpt-5-mini", 1_000_000, 0, None);
    m.tiers = vec![Tier::Standard, ultrafast];
    m.unpriced_tiers = vec![ultrafast];
    let mut s = state();
    s.snapshot = Some(snapshot(vec![m.clone()], Vec::new()));
    let v = tray_view(&s, NOW_MS);
    let rows = infos(submenu(&v.menu, "gpt-5-mini   1.0M tok · —"));
    assert_eq!(
        rows[4..],
        ["Cost: —", "Priced at: standard", "ultrafast tier: no price"]
    );
    let fast = Tier::of_row(None, Some("fast"));
    m.tiers = vec![fast, ultrafast];
    m.unpriced_tiers = vec![fast, ultrafast];
    s.snapshot = Some(snapshot(vec![m], Vec::new()));
    let v = tray_view(&s, NOW_MS);
    let rows = infos(submenu(&v.menu, "gpt-5-mini   1.0M tok · —"));
    assert_eq!(rows[4..], ["Cost: —", "fast, ultrafast tiers: no price"]);
}

#[test]
fn a_price_from_the_bill_and_the_prices_it_contradicts_are_said_in_the_menu() {
    // 2026-12-06
    const DAY: i64 = 1_796_515_200;
    let mut m = model("gpt-6.9-preview", 1_000_000, 0, Some(3.0));
    m.tiers = vec![Tier::Standard];
    m.price_source = Some(crate::pricing::Source::Bill { day: DAY });
    let mut snap = (*snapshot(vec![m], Vec::new())).clone();
    snap.price_checks = vec![crate::pricing::PriceCheck {
        model: "gpt-4.1-2025-04-14".into(),
        kind: "input".into(),
        table_per_unit: 2.0,
        bill_per_unit: 2.2,
        unit: "1M tokens",
        differs_pct: 10.0,
        day: DAY,
    }];
    let mut s = state();
    s.snapshot = Some(Arc::new(snap.clone()));
    let v = tray_view(&s, NOW_MS);
    let rows = infos(submenu(&v.menu, "gpt-6.9-preview   1.0M tok · $3.00"));
    assert_eq!(
        rows[4..],
        [
            "Cost: $3.00",
            "Priced at: standard, priced from your bill of 6 Dec"
        ]
    );
    let checks = infos(submenu(
        &v.menu,
        "Prices: 1 model billed differently from the table",
    ));
    assert_eq!(
        checks,
        [
            "gpt-4.1-2025-04-14: input $2.20 billed vs $2.00 (+10.0 %) per 1M tokens, 6 Dec",
            "The estimate uses the bill's prices (--prices bill)"
        ]
    );
    // Nothing contradicted: no row at all.
    snap.price_checks.clear();
    s.snapshot = Some(Arc::new(snap));
    let v = tray_view(&s, NOW_MS);
    assert!(!format!("{:?}", v.menu).contains("Prices:"));
}

#[test]
fn active_alerts_are_listed() {
    let mut s = state();
    s.snapshot = Some(snapshot(
        Vec::new(),
        vec![Alert {
            kind: AlertKind::TokenRate,
            per_minute: 48_210.4,
            threshold: 10_000.0,
            top_model: Some("gpt-4o".into()),
        }],
    ));
    let v = tray_view(&s, NOW_MS);
    assert!(v.menu.iter().any(|n| matches!(n, Node::Submenu { text, .. }
        if text == "⚡ Token spike: 48,210 tokens/min (threshold 10,000)")));
}

#[test]
fn choices_are_checked() {
    let mut s = state();
    s.choices.lookback_hours = 24.0;
    s.choices.tier = TierChoice::Fixed(Tier::Flex);
    s.choices.title = TitleFormat::Cost;
    s.keys = KeyList::Loaded(vec![
        KeyChoice {
            id: "key_a".into(),
            name: Some("Primary".into()),
            project: "App".into(),
            ..Default::default()
        },
        KeyChoice {
            id: "key_b".into(),
            name: None,
            project: "Batch jobs".into(),
            ..Default::default()
        },
    ]);
    s.login_item = Some(true);
    let v = tray_view(&s, NOW_MS);
    assert_eq!(checked(submenu(&v.menu, "Lookback")), ["24 h"]);
    assert_eq!(checked(submenu(&v.menu, "Pricing tier")), ["flex"]);
    assert_eq!(checked(submenu(&v.menu, "Show in menu bar")), ["Cost only"]);
    let keys = submenu(&v.menu, "Track key");
    assert_eq!(checked(keys), ["App › Primary (key_a)"]);
    assert!(keys.iter().any(|n| matches!(n, Node::Check { text, checked: false, .. } if text == "Batch jobs › (unnamed) (key_b)")));
    assert!(checked(submenu(&v.menu, "Settings")).contains(&"Launch at login"));
    s.choices.api_key_ids.clear();
    let v = tray_view(&s, NOW_MS);
    assert_eq!(
        checked(submenu(&v.menu, "Track key")),
        ["All keys (whole organization)"]
    );
}

/// Issue 17: several tracked keys are named too, each once the key list has it.
#[test]
fn several_tracked_keys_are_named_in_the_key_row() {
    let mut s = state();
    s.choices.api_key_ids = vec!["key_a".into(), "key_b".into(), "key_c".into()];
    s.keys = KeyList::Loaded(vec![
        KeyChoice {
            id: "key_a".into(),
            name: Some("Primary".into()),
            project: "App".into(),
            ..Default::default()
        },
        KeyChoice {
            id: "key_b".into(),
            name: None,
            project: "Batch jobs".into(),
            ..Default::default()
        },
    ]);
    let text = format!("{:?}", tray_view(&s, NOW_MS).menu);
    assert!(
        text.contains("Keys: Primary (key_a), key_b, key_c"),
        "{text}"
    );
}

#[test]
fn login_item_waiting_for_approval_says_where_to_allow_it() {
    let mut s = state();
    s.login_needs_approval = true;
    let text = format!("{:?}", tray_view(&s, NOW_MS).menu);
    assert!(
        text.contains("Launch at login (allow it in System Settings)"),
        "{text}"
    );
    s.login_needs_approval = false;
    let text = format!("{:?}", tray_view(&s, NOW_MS).menu);
    assert!(!text.contains("allow it in System Settings"), "{text}");
}

#[test]
fn login_item_of_unknown_state_is_disabled_and_keys_loading_is_said() {
    let mut s = state();
    s.login_item = None;
    let v = tray_view(&s, NOW_MS);
    assert!(flatten(&v.menu).into_iter().any(|n| matches!(
        n,
        Node::Check {
            action: Action::LoginItem,
            enabled: false,
            checked: false,
            ..
        }
    )));
    let keys = submenu(&v.menu, "Track key");
    // The tracked key stays checked while the list loads.
    assert_eq!(checked(keys), ["key_a"]);
    assert!(infos(keys).contains(&"Loading keys…"));
}

#[test]
fn without_a_key_the_menu_says_what_to_do() {
    let mut s = state();
    s.has_key = false;
    let v = tray_view(&s, NOW_MS);
    assert_eq!(infos(&v.menu)[0], "No admin key: choose Set Admin Key…");
    assert!(v.menu.iter().any(|n| matches!(
        n,
        Node::Item {
            action: Action::Refresh,
            enabled: false,
            ..
        }
    )));
    assert!(v.menu.iter().any(|n| matches!(
        n,
        Node::Item {
            action: Action::SetAdminKey,
            enabled: true,
            ..
        }
    )));
}

#[test]
fn every_action_id_round_trips() {
    let s = state();
    let mut actions = Vec::new();
    fn walk(nodes: &[Node], out: &mut Vec<Action>) {
        for n in nodes {
            match n {
                Node::Item { action, .. } | Node::Check { action, .. } => out.push(action.clone()),
                Node::Submenu { children, .. } => walk(children, out),
                _ => {}
            }
        }
    }
    walk(&tray_view(&s, NOW_MS).menu, &mut actions);
    assert!(actions.len() >= 20);
    for a in actions {
        assert_eq!(Action::parse(&a.id()), Some(a));
    }
    assert_eq!(Action::parse("lookback:x"), None);
    assert_eq!(Action::parse("nope"), None);
}

#[test]
fn notification_texts() {
    let a = Alert {
        kind: AlertKind::TokenRate,
        per_minute: 48_210.0,
        threshold: 10_000.0,
        top_model: Some("gpt-4o".into()),
    };
    let n = spike_notice(&a, "key_a");
    assert_eq!(n.summary, "Token spike on key_a: 48,210 tokens/min");
    assert_eq!(n.body, "threshold 10,000 tokens/min · gpt-4o grew most");
    let r = spike_notice(
        &Alert {
            kind: AlertKind::RequestRate,
            per_minute: 150.0,
            threshold: 120.0,
            top_model: None,
        },
        "key_a",
    );
    assert_eq!(r.summary, "Request spike on key_a: 150 requests/min");
    assert_eq!(r.body, "threshold 120 requests/min");
    let b = budget_notice(
        &BudgetAlert {
            spent: 5.2,
            budget: 5.0,
        },
        "key_a",
    );
    assert_eq!(b.summary, "Daily budget reached: $5.20");
    assert!(key_rejected_notice().body.contains("Set Admin Key…"));
}

#[test]
fn notices_name_the_tracked_key_as_the_menu_knows_it() {
    let mut s = state();
    assert_eq!(subject(&s), "key_a");
    s.keys = KeyList::Loaded(vec![KeyChoice {
        id: "key_a".into(),
        name: Some("Primary".into()),
        project: "App".into(),
        ..Default::default()
    }]);
    assert_eq!(subject(&s), "Primary (key_a)");
    s.choices.api_key_ids = Vec::new();
    assert_eq!(subject(&s), "the organization");
    s.choices.api_key_ids = vec!["key_a".into(), "key_b".into()];
    assert_eq!(subject(&s), "2 keys: key_a, key_b");
}

#[test]
fn one_notice_per_spike_whatever_the_kinds() {
    let alert = |kind, per_minute, threshold| Alert {
        kind,
        per_minute,
        threshold,
        top_model: Some("gpt-4o".into()),
    };
    let both = [
        alert(AlertKind::TokenRate, 313_186.0, 10_000.0),
        alert(AlertKind::RequestRate, 1_057.0, 120.0),
    ];
    let n = spike_start_notice(false, &both, "key_a").unwrap();
    assert_eq!(n.summary, "Token spike on key_a: 313,186 tokens/min");
    assert_eq!(
        n.body,
        "threshold 10,000 tokens/min · gpt-4o grew most · also 1,057 requests/min (threshold 120)"
    );
    // A second kind starting during the same spike, or nothing new: no notification.
    assert_eq!(spike_start_notice(true, &both[1..], "key_a"), None);
    assert_eq!(spike_start_notice(false, &[], "key_a"), None);
}

#[test]
fn open_report_sits_with_the_actions_and_says_why_it_is_off() {
    let mut s = state();
    let find = |s: &TrayState| {
        let menu = tray_view(s, NOW_MS).menu;
        let at = menu
            .iter()
            .position(|n| {
                matches!(
                    n,
                    Node::Item {
                        action: Action::OpenReport,
                        ..
                    }
                )
            })
            .expect("an Open report row");
        let dashboard = menu
            .iter()
            .position(|n| {
                matches!(
                    n,
                    Node::Item {
                        action: Action::Dashboard,
                        ..
                    }
                )
            })
            .unwrap();
        assert_eq!(at, dashboard + 1, "beside the dashboard");
        match &menu[at] {
            Node::Item { text, enabled, .. } => (text.clone(), *enabled),
            _ => unreachable!(),
        }
    };
    assert_eq!(find(&s), ("Open report…".to_owned(), true));
    s.report_unavailable = Some("history is off".into());
    assert_eq!(
        find(&s),
        ("Open report… (history is off)".to_owned(), false)
    );
}
