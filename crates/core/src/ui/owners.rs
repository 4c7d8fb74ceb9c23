//! The window's usage by key and by project, named: the rows of `once --by key|project`, the
//! JSON's `by_key`, `by_project` and `dormant_keys`, and the data a menu section would show.
//! Pure: the snapshot's [`OwnerFigure`]s, the organization's projects and keys as listed
//! ([`Directory`], `None` when they could not be listed) and the bill.
//!
//! Usage made without an API key (`api_key_id` null when asked by key) is the row
//! [`NO_KEY`], never dropped, so the rows add up to the total.

use crate::bill::{Bill, utc_month_start};
use crate::openai::scope;
use crate::openai::wire::{Project, ProjectApiKey};
use crate::snapshot::Snapshot;
use crate::ui::format;
use crate::ui::table::{self, Align, Column, Row, col};
use crate::usage::OwnerFigure;
use serde::Serialize;

/// The row of usage made without an API key.
pub const NO_KEY: &str = "No key";
/// The row of usage the API attributed to no project.
pub const NO_PROJECT: &str = "No project";
/// A key unused this long (or never) is dormant.
pub const DORMANT_SECS: i64 = 30 * 86_400;

/// The organization's projects, each with its API keys, as `usage-tracker keys` lists them.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    pub projects: Vec<(Project, Vec<ProjectApiKey>)>,
}

impl Directory {
    fn key(&self, id: &str) -> Option<(&Project, &ProjectApiKey)> {
        self.projects
            .iter()
            .find_map(|(p, keys)| keys.iter().find(|k| k.id == id).map(|k| (p, k)))
    }

    fn project(&self, id: &str) -> Option<&Project> {
        self.projects.iter().map(|(p, _)| p).find(|p| p.id == id)
    }
}

/// How `once` groups its table (`--by`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum By {
    #[default]
    Model,
    Key,
    Project,
}

impl By {
    /// `b` in `watch`: model → key → project → model.
    pub fn next(self) -> By {
        match self {
            By::Model => By::Key,
            By::Key => By::Project,
            By::Project => By::Model,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            By::Model => "model",
            By::Key => "key",
            By::Project => "project",
        }
    }
}

/// The per-model table's view with its rows by key or by project instead (unnamed: ids, and
/// [`NO_KEY`]), each in the model table's columns (name, —, —, —, requests, total, est. cost
/// of every kind of usage); the TOTAL row's cost is the whole estimate, which they add up to.
/// `watch`'s `b`. `By::Model` leaves `view` as it is.
pub fn regroup(view: &mut table::TableView, s: &Snapshot, by: By) {
    let row = |name: String, requests: u64, tokens: u64, cost: f64| -> Row {
        vec![
            name,
            String::new(),
            String::new(),
            String::new(),
            format::tokens(requests),
            format::tokens(tokens),
            format::usd(cost),
        ]
    };
    view.rows = match by {
        By::Model => return,
        By::Key => by_key(s, None, None, 0)
            .into_iter()
            .map(|k| {
                let name = match k.project_id {
                    Some(p) if k.api_key_id.is_some() => format!("{} ({p})", k.name),
                    _ => k.name,
                };
                row(name, k.requests, k.total_tokens, k.cost_usd)
            })
            .collect(),
        By::Project => by_project(s, None, None, 0)
            .into_iter()
            .map(|p| row(p.name, p.requests, p.total_tokens, p.cost_usd))
            .collect(),
    };
    let t = &s.summary.totals;
    view.total = row(
        "TOTAL".to_owned(),
        t.requests,
        t.total_tokens,
        s.total_cost_usd(),
    );
}

/// One key's usage in the window (`by_key`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyRow {
    /// `null`: usage made without an API key.
    pub api_key_id: Option<String>,
    /// The key's name; [`NO_KEY`]; the id when the key could not be named.
    pub name: String,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub total_tokens: u64,
    pub requests: u64,
    #[serde(serialize_with = "crate::ui::json::money::amount")]
    pub cost_usd: f64,
    /// This UTC month's bill for the key; `null` when the Costs API cannot split it (no bill).
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub billed_usd: Option<f64>,
}

/// One project's usage in the window (`by_project`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjectRow {
    pub project_id: Option<String>,
    pub name: String,
    pub total_tokens: u64,
    pub requests: u64,
    #[serde(serialize_with = "crate::ui::json::money::amount")]
    pub cost_usd: f64,
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub billed_usd: Option<f64>,
}

/// A key of the tracked scope unused for [`DORMANT_SECS`] or never used (`dormant_keys`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DormantKey {
    pub api_key_id: String,
    pub name: Option<String>,
    pub project_id: String,
    pub last_used_at: Option<i64>,
}

/// The JSON fields this module adds to `once --format json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OwnersReport {
    pub by_key: Vec<KeyRow>,
    pub by_project: Vec<ProjectRow>,
    /// `null` when the keys could not be listed.
    pub dormant_keys: Option<Vec<DormantKey>>,
}

impl OwnersReport {
    pub fn new(s: &Snapshot, dir: Option<&Directory>, bill: Option<&Bill>, now: i64) -> Self {
        OwnersReport {
            by_key: by_key(s, dir, bill, now),
            by_project: by_project(s, dir, bill, now),
            dormant_keys: dir.map(|d| dormant(s, d, now)),
        }
    }
}

/// The month's billed USD of the items `owned` picks: `None` without a bill.
fn billed(
    bill: Option<&Bill>,
    now: i64,
    owned: impl Fn(&crate::bill::LineItem) -> bool,
) -> Option<f64> {
    let bill = bill?;
    let month = utc_month_start(now);
    Some(
        bill.days
            .iter()
            .filter(|d| d.start_time >= month && d.start_time <= now)
            .flat_map(|d| &d.items)
            .filter(|i| i.amount.currency == "usd" && owned(i))
            .map(|i| i.amount.value)
            .sum(),
    )
}

/// Whether the snapshot's rows were asked by key and project (else one key's, unattributed).
fn grouped(s: &Snapshot) -> bool {
    scope::many_keys(&scope::tracked(&s.api_key_ids, &s.project_ids))
}

/// The project of an owner: as the API grouped it, or the listed key's.
pub(crate) fn project_of(f: &OwnerFigure, dir: Option<&Directory>) -> Option<String> {
    f.owner
        .project_id
        .as_deref()
        .map(str::to_owned)
        .or_else(|| {
            let key = f.owner.api_key_id.as_deref()?;
            dir?.key(key).map(|(p, _)| p.id.clone())
        })
}

/// Tokens, requests and estimated cost summed over owners.
type Sums = (u64, u64, f64);

fn add(into: &mut Sums, f: &OwnerFigure) {
    into.0 += f.total_tokens;
    into.1 += f.requests;
    into.2 += f.cost_usd;
}

/// Every key with usage in the window (and one [`NO_KEY`] row), highest cost first.
pub fn by_key(s: &Snapshot, dir: Option<&Directory>, bill: Option<&Bill>, now: i64) -> Vec<KeyRow> {
    let split = grouped(s);
    let mut rows: Vec<(Option<String>, Option<String>, Sums)> = Vec::new();
    for f in &s.owners {
        let key = f.owner.api_key_id.as_deref().map(str::to_owned);
        let project = project_of(f, dir);
        match rows.iter_mut().find(|r| r.0 == key) {
            Some(r) => {
                // Usage without a key in several projects: one row, no one project.
                if r.1 != project {
                    r.1 = None;
                }
                add(&mut r.2, f);
            }
            None => {
                let mut sums = (0, 0, 0.0);
                add(&mut sums, f);
                rows.push((key, project, sums));
            }
        }
    }
    let mut out: Vec<KeyRow> = rows
        .into_iter()
        .map(|(key, project, (tokens, requests, cost))| {
            let listed = key.as_deref().and_then(|k| dir?.key(k));
            let name = match (&key, listed) {
                (None, _) => NO_KEY.to_owned(),
                (Some(_), Some((_, k))) if k.name.is_some() => k.name.clone().unwrap_or_default(),
                (Some(id), _) => id.clone(),
            };
            let project_name = project
                .as_deref()
                .and_then(|p| dir?.project(p))
                .map(|p| p.name.clone().unwrap_or_else(|| p.id.clone()));
            let billed_usd = if split {
                billed(bill, now, |i| i.api_key_id == key)
            } else {
                billed(bill, now, |_| true)
            };
            KeyRow {
                api_key_id: key,
                name,
                project_id: project,
                project_name,
                total_tokens: tokens,
                requests,
                cost_usd: cost,
                billed_usd,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.cost_usd
            .total_cmp(&a.cost_usd)
            .then(b.total_tokens.cmp(&a.total_tokens))
            .then(a.api_key_id.cmp(&b.api_key_id))
    });
    out
}

/// Every project with usage in the window, highest cost first.
pub fn by_project(
    s: &Snapshot,
    dir: Option<&Directory>,
    bill: Option<&Bill>,
    now: i64,
) -> Vec<ProjectRow> {
    let split = grouped(s);
    let mut rows: Vec<(Option<String>, Sums)> = Vec::new();
    for f in &s.owners {
        let project = project_of(f, dir);
        match rows.iter_mut().find(|r| r.0 == project) {
            Some(r) => add(&mut r.1, f),
            None => {
                let mut sums = (0, 0, 0.0);
                add(&mut sums, f);
                rows.push((project, sums));
            }
        }
    }
    let mut out: Vec<ProjectRow> = rows
        .into_iter()
        .map(|(project, (tokens, requests, cost))| {
            let name = match project.as_deref() {
                None => NO_PROJECT.to_owned(),
                Some(p) => dir
                    .and_then(|d| d.project(p))
                    .and_then(|p| p.name.clone())
                    .unwrap_or_else(|| p.to_owned()),
            };
            let billed_usd = if split {
                billed(bill, now, |i| i.project_id == project)
            } else {
                billed(bill, now, |_| true)
            };
            ProjectRow {
                project_id: project,
                name,
                total_tokens: tokens,
                requests,
                cost_usd: cost,
                billed_usd,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.cost_usd
            .total_cmp(&a.cost_usd)
            .then(b.total_tokens.cmp(&a.total_tokens))
            .then(a.project_id.cmp(&b.project_id))
    });
    out
}

/// The keys of the tracked scope (the tracked keys; else the tracked projects' keys; else
/// every key) unused for [`DORMANT_SECS`] or never used, longest unused first.
pub fn dormant(s: &Snapshot, dir: &Directory, now: i64) -> Vec<DormantKey> {
    let mut out: Vec<DormantKey> = dir
        .projects
        .iter()
        .filter(|(p, _)| s.project_ids.is_empty() || s.project_ids.contains(&p.id))
        .flat_map(|(p, keys)| keys.iter().map(move |k| (p, k)))
        .filter(|(_, k)| s.api_key_ids.is_empty() || s.api_key_ids.contains(&k.id))
        .filter(|(_, k)| k.last_used_at.is_none_or(|t| t < now - DORMANT_SECS))
        .map(|(p, k)| DormantKey {
            api_key_id: k.id.clone(),
            name: k.name.clone(),
            project_id: p.id.clone(),
            last_used_at: k.last_used_at,
        })
        .collect();
    out.sort_by(|a, b| {
        a.last_used_at
            .cmp(&b.last_used_at)
            .then(a.api_key_id.cmp(&b.api_key_id))
    });
    out
}

/// `7 keys unused for 30 days: Old CI (key_…), ...`, or nothing when none is.
pub fn dormant_line(keys: &[DormantKey]) -> Option<String> {
    if keys.is_empty() {
        return None;
    }
    let named: Vec<String> = keys
        .iter()
        .map(|k| match &k.name {
            Some(n) => format!("{n} ({})", k.api_key_id),
            None => k.api_key_id.clone(),
        })
        .collect();
    Some(format!(
        "{} unused for 30 days: {}",
        format::count(keys.len(), "key"),
        named.join(", ")
    ))
}

const KEY_COLUMNS: [Column; 6] = [
    col("Key", Align::Left, 0, Some(12)),
    col("Project", Align::Left, 3, Some(10)),
    col("Requests", Align::Right, 4, None),
    col("Total", Align::Right, 0, None),
    col("Est. cost", Align::Right, 1, None),
    col("Billed (month)", Align::Right, 2, None),
];

const PROJECT_COLUMNS: [Column; 5] = [
    col("Project", Align::Left, 0, Some(12)),
    col("Requests", Align::Right, 4, None),
    col("Total", Align::Right, 0, None),
    col("Est. cost", Align::Right, 1, None),
    col("Billed (month)", Align::Right, 2, None),
];

fn billed_cell(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), format::usd)
}

/// The table of `once --by key` or `--by project` (tokens and cost of every row, a TOTAL that
/// is their sum) in `width` characters.
pub fn table(report: &OwnersReport, by: By, width: Option<usize>) -> String {
    let total = |rows: &mut dyn Iterator<Item = Sums>| {
        rows.fold((0, 0, 0.0), |a, r| (a.0 + r.0, a.1 + r.1, a.2 + r.2))
    };
    match by {
        By::Key | By::Model => {
            let rows: Vec<Row> = report
                .by_key
                .iter()
                .map(|k| {
                    vec![
                        match &k.api_key_id {
                            Some(id) if *id != k.name => format!("{} ({id})", k.name),
                            _ => k.name.clone(),
                        },
                        k.project_name
                            .clone()
                            .or_else(|| k.project_id.clone())
                            .unwrap_or_default(),
                        format::tokens(k.requests),
                        format::tokens(k.total_tokens),
                        format::usd(k.cost_usd),
                        billed_cell(k.billed_usd),
                    ]
                })
                .collect();
            let (t, r, c) = total(
                &mut report
                    .by_key
                    .iter()
                    .map(|k| (k.total_tokens, k.requests, k.cost_usd)),
            );
            let foot = vec![
                "TOTAL".to_owned(),
                String::new(),
                format::tokens(r),
                format::tokens(t),
                format::usd(c),
                String::new(),
            ];
            table::to_text(
                &KEY_COLUMNS,
                &rows,
                &[foot],
                "(no usage in this window)",
                width,
            )
        }
        By::Project => {
            let rows: Vec<Row> = report
                .by_project
                .iter()
                .map(|p| {
                    vec![
                        match &p.project_id {
                            Some(id) if *id != p.name => format!("{} ({id})", p.name),
                            _ => p.name.clone(),
                        },
                        format::tokens(p.requests),
                        format::tokens(p.total_tokens),
                        format::usd(p.cost_usd),
                        billed_cell(p.billed_usd),
                    ]
                })
                .collect();
            let (t, r, c) = total(
                &mut report
                    .by_project
                    .iter()
                    .map(|p| (p.total_tokens, p.requests, p.cost_usd)),
            );
            let foot = vec![
                "TOTAL".to_owned(),
                format::tokens(r),
                format::tokens(t),
                format::usd(c),
                String::new(),
            ];
            table::to_text(
                &PROJECT_COLUMNS,
                &rows,
                &[foot],
                "(no usage in this window)",
                width,
            )
        }
    }
}
