//! The menu's **By key** and **By project** sections: whenever more than one key can be in the
//! figure (the whole organization, a project, several keys) and the window has usage, one
//! top-level submenu row each, placed after the models and the other usage:
//! `By key  8 keys · top: Prod backend $40.00 · 2 unused`, holding the top
//! [`TOP_OWNERS`] keys by estimated cost (`Prod backend (Alpha Web App)  $40.00`, each a
//! submenu of its models and kinds of usage), the rest under `3 more…`, and the keys unused
//! for 30 days. Usage made without a key is the row [`owners::NO_KEY`], never dropped: the
//! rows add up to the total. Names come from the key list the Track submenu loads; until it
//! has loaded (or when it cannot), keys and projects are shown by id. Pure: from the app's
//! state to menu nodes (the figures are `ui::owners`', as `once --by key|project` shows them).

use super::{KeyList, Node, TrayState};
use crate::openai::scope;
use crate::openai::wire::{Project, ProjectApiKey};
use crate::snapshot::Snapshot;
use crate::ui::format;
use crate::ui::owners::{self, Directory, DormantKey, KeyRow, ProjectRow};
use crate::usage::OwnerFigure;
use std::collections::BTreeMap;

/// The keys (projects) shown one row each in their section; the rest go under `N more…`.
pub const TOP_OWNERS: usize = 5;

/// Whether the menu has the By key and By project sections: more than one key can be in the
/// figure (so the usage was asked by key and project) and the window has usage.
pub fn shown(s: &Snapshot) -> bool {
    scope::many_keys(&scope::tracked(&s.api_key_ids, &s.project_ids)) && !s.owners.is_empty()
}

/// The organization's projects and keys as the Track submenu's key list has them: `None`
/// until it has loaded.
pub fn directory(keys: &KeyList) -> Option<Directory> {
    let KeyList::Loaded(keys) = keys else {
        return None;
    };
    let mut projects: Vec<(Project, Vec<ProjectApiKey>)> = Vec::new();
    for k in keys {
        let key = ProjectApiKey {
            id: k.id.clone(),
            name: k.name.clone(),
            redacted_value: None,
            created_at: None,
            last_used_at: k.last_used_at,
            owner: None,
        };
        match projects.iter_mut().find(|(p, _)| p.id == k.project_id) {
            Some((_, list)) => list.push(key),
            None => projects.push((
                Project {
                    id: k.project_id.clone(),
                    name: Some(k.project.clone()),
                    status: None,
                    created_at: None,
                    archived_at: None,
                },
                vec![key],
            )),
        }
    }
    Some(Directory { projects })
}

/// The two sections' rows (none when not [`shown`]). `now` (unix seconds) dates the dormant keys.
pub fn owner_rows(state: &TrayState, now: i64) -> Vec<Node> {
    let Some(s) = state.snapshot.as_deref() else {
        return Vec::new();
    };
    if !shown(s) {
        return Vec::new();
    }
    let dir = directory(&state.keys);
    let keys = owners::by_key(s, dir.as_ref(), None, now);
    let projects = owners::by_project(s, dir.as_ref(), None, now);
    let dormant = dir
        .as_ref()
        .map(|d| owners::dormant(s, d, now))
        .unwrap_or_default();
    vec![
        key_section(s, &keys, &dormant, dir.as_ref()),
        project_section(s, &projects, dir.as_ref()),
    ]
}

/// `N more…`: the submenu holding the rows past [`TOP_OWNERS`].
pub fn more_text(n: usize) -> String {
    format!("{n} more…")
}

/// `Prod backend (Alpha Web App)  $40.00`, `No key  $0.50`.
pub fn key_row_text(k: &KeyRow) -> String {
    let project = k.project_name.as_deref().or(k.project_id.as_deref());
    match (&k.api_key_id, project) {
        (Some(_), Some(p)) => format!("{} ({p})  {}", k.name, format::usd(k.cost_usd)),
        _ => format!("{}  {}", k.name, format::usd(k.cost_usd)),
    }
}

/// `Alpha Web App  $52.30`, `No project  $0.50`.
pub fn project_row_text(p: &ProjectRow) -> String {
    format!("{}  {}", p.name, format::usd(p.cost_usd))
}

/// `7 keys unused for 30 days`.
pub fn dormant_text(n: usize) -> String {
    format!("{} unused for 30 days", format::count(n, "key"))
}

/// The top rows one each, the rest in one submenu (one more than the top is a row of its own
/// rather than a submenu of one, as the models are).
fn top_and_more(mut rows: Vec<Node>) -> Vec<Node> {
    if rows.len() > TOP_OWNERS + 1 {
        let rest = rows.split_off(TOP_OWNERS);
        rows.push(Node::Submenu {
            text: more_text(rest.len()),
            children: rest,
        });
    }
    rows
}

fn key_section(
    s: &Snapshot,
    keys: &[KeyRow],
    dormant: &[DormantKey],
    dir: Option<&Directory>,
) -> Node {
    let named = keys.iter().filter(|k| k.api_key_id.is_some()).count();
    let mut text = format!("By key  {}", format::count(named, "key"));
    if let Some(top) = keys.first() {
        text.push_str(&format!(
            " · top: {} {}",
            top.name,
            format::usd(top.cost_usd)
        ));
    }
    if !dormant.is_empty() {
        text.push_str(&format!(" · {} unused", dormant.len()));
    }
    let rows = keys
        .iter()
        .map(|k| {
            let mine = |f: &&OwnerFigure| f.owner.api_key_id.as_deref() == k.api_key_id.as_deref();
            let id = k
                .api_key_id
                .as_deref()
                .unwrap_or("usage made without an API key");
            Node::Submenu {
                text: key_row_text(k),
                children: details(id, k.total_tokens, k.requests, s.owners.iter().filter(mine)),
            }
        })
        .collect();
    let mut children = top_and_more(rows);
    if !dormant.is_empty() {
        children.push(Node::Separator);
        children.push(Node::Submenu {
            text: dormant_text(dormant.len()),
            children: dormant.iter().map(|d| dormant_row(d, dir)).collect(),
        });
    }
    Node::Submenu { text, children }
}

/// `Old CI (key_old) · Batch jobs · last used 3 Nov 2026`, `key_x · App · never used`.
fn dormant_row(d: &DormantKey, dir: Option<&Directory>) -> Node {
    let key = match &d.name {
        Some(n) => format!("{n} ({})", d.api_key_id),
        None => d.api_key_id.clone(),
    };
    let project = dir
        .and_then(|dir| dir.projects.iter().find(|(p, _)| p.id == d.project_id))
        .and_then(|(p, _)| p.name.clone())
        .unwrap_or_else(|| d.project_id.clone());
    let used = match d.last_used_at {
        Some(t) => format!("last used {}", format::utc_date(t)),
        None => "never used".to_owned(),
    };
    Node::Info(format!("{key} · {project} · {used}"))
}

fn project_section(s: &Snapshot, projects: &[ProjectRow], dir: Option<&Directory>) -> Node {
    let named = projects.iter().filter(|p| p.project_id.is_some()).count();
    let mut text = format!("By project  {}", format::count(named, "project"));
    if let Some(top) = projects.first() {
        text.push_str(&format!(
            " · top: {} {}",
            top.name,
            format::usd(top.cost_usd)
        ));
    }
    let rows = projects
        .iter()
        .map(|p| {
            // The project as `owners::by_project` attributes it: as grouped, else the key's.
            let mine = |f: &&OwnerFigure| owners::project_of(f, dir) == p.project_id;
            let id = p.project_id.as_deref().unwrap_or("usage of no project");
            Node::Submenu {
                text: project_row_text(p),
                children: details(id, p.total_tokens, p.requests, s.owners.iter().filter(mine)),
            }
        })
        .collect();
    Node::Submenu {
        text,
        children: top_and_more(rows),
    }
}

/// A key's (project's) submenu: its id and counts, its models by cost
/// (`gpt-4o   1.2M tok · $10.00`), then its other kinds of usage (`Images  $2.00`).
fn details<'a>(
    id: &str,
    tokens: u64,
    requests: u64,
    figures: impl Iterator<Item = &'a OwnerFigure>,
) -> Vec<Node> {
    let mut models: BTreeMap<&str, (u64, Option<f64>)> = BTreeMap::new();
    let mut kinds: BTreeMap<&'static str, Option<f64>> = BTreeMap::new();
    for f in figures {
        for (m, t, c) in &f.models {
            let e = models.entry(m).or_insert((0, Some(0.0)));
            e.0 += t;
            e.1 = e.1.zip(*c).map(|(a, b)| a + b);
        }
        for (label, c) in &f.kinds {
            let e = kinds.entry(label).or_insert(Some(0.0));
            *e = e.zip(*c).map(|(a, b)| a + b);
        }
    }
    let mut models: Vec<_> = models.into_iter().collect();
    models.sort_by(|a, b| {
        b.1.1
            .unwrap_or(0.0)
            .total_cmp(&a.1.1.unwrap_or(0.0))
            .then(b.1.0.cmp(&a.1.0))
    });
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort_by(|a, b| b.1.unwrap_or(0.0).total_cmp(&a.1.unwrap_or(0.0)));
    let mut rows = vec![Node::Info(format!(
        "{id} · {} tokens · {} requests",
        format::tokens(tokens),
        format::tokens(requests)
    ))];
    rows.extend(models.into_iter().map(|(m, (t, c))| {
        Node::Info(format!(
            "{m}   {} tok · {}",
            format::tokens_short(t),
            format::cost(c)
        ))
    }));
    rows.extend(
        kinds
            .into_iter()
            .map(|(label, c)| Node::Info(format!("{label}  {}", format::cost(c)))),
    );
    rows
}
