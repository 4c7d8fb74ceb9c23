//! The By key and By project sections: the top keys by cost with the rest under `N more…`,
//! usage without a key as its own row, rows that add up to the total, the dormant keys, names
//! from the key list (ids until it loads), and the sections only when several keys count.

use super::super::*;
use super::{NOW_MS, model, snapshot, state, submenu};
use crate::usage::{Owner, OwnerFigure};

const NOW: i64 = NOW_MS / 1000;

fn fig(key: Option<&str>, project: &str, model: &str, tokens: u64, cost: f64) -> OwnerFigure {
    OwnerFigure {
        owner: Owner::new(key.map(Into::into), Some(project.into())),
        total_tokens: tokens,
        requests: 10,
        cost_usd: cost,
        models: vec![(model.into(), tokens, Some(cost))],
        kinds: vec![],
    }
}

/// The whole organization: seven keys in two projects and usage without a key, $72.90 in all
/// (completions $70.90, images $2.00 made with the production key).
pub(super) fn org_snapshot() -> Snapshot {
    let mut prod = fig(Some("key_prod"), "proj_alpha", "gpt-4o", 1_000_000, 40.0);
    prod.cost_usd = 42.0;
    prod.kinds = vec![("Images", Some(2.0))];
    let mut owners = vec![
        prod,
        fig(
            Some("key_batch"),
            "proj_beta",
            "gpt-4o-mini",
            2_000_000,
            12.40,
        ),
        fig(None, "proj_alpha", "gpt-4o", 50_000, 3.50),
    ];
    for (i, k) in ["key_c", "key_d", "key_e", "key_f", "key_g"]
        .iter()
        .enumerate()
    {
        let n = 5 - i as u64;
        owners.push(fig(
            Some(k),
            "proj_alpha",
            "gpt-4o-mini",
            n * 100_000,
            n as f64,
        ));
    }
    owners.sort_by(|a, b| b.cost_usd.total_cmp(&a.cost_usd));
    let mut s = (*snapshot(
        vec![
            model("gpt-4o", 1_050_000, 0, Some(43.50)),
            model("gpt-4o-mini", 3_500_000, 0, Some(27.40)),
        ],
        Vec::new(),
    ))
    .clone();
    s.api_key_ids = vec![];
    s.owners = owners;
    s.other.cost_usd = 2.0;
    s
}

fn key(id: &str, name: Option<&str>, project: (&str, &str), used: Option<i64>) -> KeyChoice {
    KeyChoice {
        id: id.into(),
        name: name.map(Into::into),
        project: project.1.into(),
        project_id: project.0.into(),
        last_used_at: used,
    }
}

pub(super) fn org_keys() -> KeyList {
    let alpha = ("proj_alpha", "Alpha Web App");
    let beta = ("proj_beta", "Batch jobs");
    let mut keys = vec![
        key("key_prod", Some("Prod backend"), alpha, Some(NOW - 60)),
        key("key_batch", Some("Batch"), beta, Some(NOW - 3600)),
        key("key_old", Some("Old CI"), beta, Some(NOW - 60 * 86_400)),
        key("key_never", None, beta, None),
    ];
    for k in ["key_c", "key_d", "key_e", "key_f", "key_g"] {
        keys.push(key(k, None, alpha, Some(NOW - 86_400)));
    }
    KeyList::Loaded(keys)
}

fn org_state() -> TrayState {
    let mut s = state();
    s.choices.api_key_ids = vec![];
    s.snapshot = Some(Arc::new(org_snapshot()));
    s.keys = org_keys();
    s
}

fn label(n: &Node) -> &str {
    match n {
        Node::Info(t) | Node::Submenu { text: t, .. } => t,
        Node::Item { text, .. } | Node::Check { text, .. } => text,
        Node::Separator => "",
    }
}

fn top_row<'a>(menu: &'a [Node], starts: &str) -> &'a Node {
    menu.iter()
        .find(|n| label(n).starts_with(starts))
        .unwrap_or_else(|| panic!("no row starting {starts:?} in {menu:#?}"))
}

fn children(n: &Node) -> &[Node] {
    match n {
        Node::Submenu { children, .. } => children,
        _ => panic!("not a submenu: {n:?}"),
    }
}

/// The cents of a row's trailing `$12.40`.
fn cents(text: &str) -> i64 {
    let (_, usd) = text.rsplit_once('$').unwrap_or_else(|| panic!("{text}"));
    (usd.replace(',', "").parse::<f64>().unwrap() * 100.0).round() as i64
}

/// The key (project) rows of a section, those under `N more…` too.
fn owner_rows(section: &[Node]) -> Vec<&str> {
    let mut out = Vec::new();
    for n in section {
        match n {
            Node::Submenu { text, children } if text.ends_with("more…") => {
                out.extend(children.iter().map(label))
            }
            Node::Submenu { text, .. } if !text.contains("unused") => out.push(text),
            _ => {}
        }
    }
    out
}

#[test]
fn by_key_shows_the_top_five_by_cost_the_rest_under_more_and_usage_without_a_key() {
    let v = tray_view(&org_state(), NOW_MS);
    let section = top_row(&v.menu, "By key");
    assert_eq!(
        label(section),
        "By key  7 keys · top: Prod backend $42.00 · 2 unused"
    );
    let rows: Vec<&str> = children(section).iter().map(label).collect();
    assert_eq!(
        rows[..6],
        [
            "Prod backend (Alpha Web App)  $42.00",
            "Batch (Batch jobs)  $12.40",
            "key_c (Alpha Web App)  $5.00",
            "key_d (Alpha Web App)  $4.00",
            "No key  $3.50",
            "3 more…",
        ]
    );
    let more: Vec<&str> = submenu(&v.menu, "3 more…").iter().map(label).collect();
    assert_eq!(
        more,
        [
            "key_e (Alpha Web App)  $3.00",
            "key_f (Alpha Web App)  $2.00",
            "key_g (Alpha Web App)  $1.00",
        ]
    );
    // Each key a submenu of its id and counts, its models and its other kinds of usage.
    let prod: Vec<&str> = submenu(&v.menu, "Prod backend (Alpha Web App)  $42.00")
        .iter()
        .map(label)
        .collect();
    assert_eq!(
        prod,
        [
            "key_prod · 1,000,000 tokens · 10 requests",
            "gpt-4o   1.0M tok · $40.00",
            "Images  $2.00",
        ]
    );
    let no_key: Vec<&str> = submenu(&v.menu, "No key  $3.50")
        .iter()
        .map(label)
        .collect();
    assert_eq!(
        no_key,
        [
            "usage made without an API key · 50,000 tokens · 10 requests",
            "gpt-4o   50.0k tok · $3.50",
        ]
    );
}

#[test]
fn the_rows_of_each_section_add_up_to_the_total() {
    let s = org_state();
    let total = s.snapshot.as_ref().unwrap().total_cost_usd();
    assert_eq!(format::usd(total), "$72.90");
    let v = tray_view(&s, NOW_MS);
    for name in ["By key", "By project"] {
        let rows = owner_rows(children(top_row(&v.menu, name)));
        assert_eq!(rows.len(), if name == "By key" { 8 } else { 2 }, "{rows:?}");
        let sum: i64 = rows.iter().map(|r| cents(r)).sum();
        assert_eq!(sum, 7290, "{name}: {rows:?}");
    }
    let projects: Vec<&str> = children(top_row(&v.menu, "By project"))
        .iter()
        .map(label)
        .collect();
    assert_eq!(
        projects,
        ["Alpha Web App  $60.50", "Batch jobs  $12.40"],
        "sorted by cost, named from the key list"
    );
    assert_eq!(
        label(top_row(&v.menu, "By project")),
        "By project  2 projects · top: Alpha Web App $60.50"
    );
    let alpha: Vec<&str> = submenu(&v.menu, "Alpha Web App  $60.50")
        .iter()
        .map(label)
        .collect();
    assert_eq!(
        alpha,
        [
            "proj_alpha · 2,550,000 tokens · 70 requests",
            "gpt-4o   1.1M tok · $43.50",
            "gpt-4o-mini   1.5M tok · $15.00",
            "Images  $2.00",
        ]
    );
}

#[test]
fn keys_unused_for_30_days_or_never_are_listed_under_by_key() {
    let v = tray_view(&org_state(), NOW_MS);
    let section = children(top_row(&v.menu, "By key"));
    assert_eq!(section[section.len() - 2], Node::Separator);
    assert_eq!(
        label(&section[section.len() - 1]),
        "2 keys unused for 30 days"
    );
    let dormant: Vec<&str> = submenu(&v.menu, "2 keys unused for 30 days")
        .iter()
        .map(label)
        .collect();
    assert_eq!(
        dormant,
        [
            "key_never · Batch jobs · never used",
            "Old CI (key_old) · Batch jobs · last used 2025-09-25",
        ]
    );
    // Nobody dormant: no such row, and the section's row does not mention it.
    let mut s = org_state();
    if let KeyList::Loaded(keys) = &mut s.keys {
        keys.retain(|k| k.id != "key_old" && k.id != "key_never");
    }
    let v = tray_view(&s, NOW_MS);
    assert_eq!(
        label(top_row(&v.menu, "By key")),
        "By key  7 keys · top: Prod backend $42.00"
    );
    assert!(
        !flatten(&v.menu)
            .iter()
            .any(|n| label(n).contains("unused for 30 days"))
    );
}

#[test]
fn before_the_key_list_loads_keys_and_projects_are_shown_by_id() {
    let mut s = org_state();
    s.keys = KeyList::Loading;
    let v = tray_view(&s, NOW_MS);
    let section = top_row(&v.menu, "By key");
    assert_eq!(label(section), "By key  7 keys · top: key_prod $42.00");
    assert_eq!(
        label(&children(section)[0]),
        "key_prod (proj_alpha)  $42.00"
    );
    assert_eq!(
        label(&children(top_row(&v.menu, "By project"))[0]),
        "proj_alpha  $60.50"
    );
}

#[test]
fn the_sections_come_after_the_other_usage_only_when_several_keys_count() {
    let v = tray_view(&org_state(), NOW_MS);
    let at = |starts: &str| v.menu.iter().position(|n| label(n).starts_with(starts));
    let key = at("By key").unwrap();
    assert_eq!(at("By project"), Some(key + 1));
    assert!(
        at("Not included").unwrap() < key,
        "after the models and other usage"
    );
    // The biggest model only is a row of its own beside the sections.
    assert!(at("gpt-4o   ").unwrap() < key);
    assert_eq!(at("1 more models…"), None, "two models: both rows");
    // One tracked key: one key in the figure, no sections.
    let mut one = org_state();
    let mut snap = org_snapshot();
    snap.api_key_ids = vec!["key_prod".into()];
    one.snapshot = Some(Arc::new(snap));
    let v = tray_view(&one, NOW_MS);
    assert!(!v.menu.iter().any(|n| label(n).starts_with("By ")));
    // No usage in the window: nothing to break down.
    let mut empty = org_state();
    let mut snap = org_snapshot();
    snap.owners.clear();
    empty.snapshot = Some(Arc::new(snap));
    let v = tray_view(&empty, NOW_MS);
    assert!(!v.menu.iter().any(|n| label(n).starts_with("By ")));
}

#[test]
fn a_refresh_changes_the_figures_in_place() {
    let s = org_state();
    let a = tray_view(&s, NOW_MS);
    let mut later = s.clone();
    let mut snap = org_snapshot();
    snap.owners[0].cost_usd = 45.0;
    snap.fetched_at_ms += 15_000;
    later.snapshot = Some(Arc::new(snap));
    let b = tray_view(&later, NOW_MS + 15_000);
    assert_ne!(a.menu, b.menu);
    assert!(same_shape(&a.menu, &b.menu));
    assert_eq!(
        label(top_row(&b.menu, "By key")),
        "By key  7 keys · top: Prod backend $45.00 · 2 unused"
    );
}
