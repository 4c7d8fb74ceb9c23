//! `usage-tracker keys`: every project with its API keys, so nobody needs curl to find an id.
//! A table that fits the terminal (names shorten, then the less useful columns go), or JSON
//! with `--format json`. Also lists them for `once` (names, projects, dormant keys).

use super::{CliError, Connection};
use crate::cli::Format;
use crate::openai::costs::CostsQuery;
use crate::openai::wire::{Project, ProjectApiKey};
use crate::openai::{AdminClient, ApiError};
use crate::settings::Settings;
use crate::ui::format;
use crate::ui::owners::Directory;
use crate::ui::table::{self, Align, Column, Row};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(settings: Settings, format: Format) -> Result<ExitCode, CliError> {
    let timeout = settings.timeout;
    let conn = Connection::open_without_history(settings, Some(super::print_retries())).await?;
    let (projects, spend) = super::within_deadline(timeout, conn.client.base_url(), async {
        let projects = directory(&conn.client).await?.projects;
        // The spend is a nicety: without the Costs API (no permission) the list still prints.
        let spend = month_spend(&conn.client, crate::engine::now_ms() / 1000).await;
        Ok((projects, spend))
    })
    .await?;
    let spend = spend
        .map_err(|e| tracing::debug!("no spend per key: {e}"))
        .ok();
    let out = match format {
        Format::Table => text(
            &projects,
            spend.as_ref(),
            crate::ui::terminal::stdout_width(),
        ),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json(&projects, spend.as_ref()))
                .map_err(|e| CliError::Other(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    Ok(ExitCode::SUCCESS)
}

/// This UTC month's bill per key id (USD), from one Costs API request grouped by key.
pub type Spend = HashMap<String, f64>;

/// This UTC month's billed USD per key, to `now` (unix seconds).
pub async fn month_spend(client: &AdminClient, now: i64) -> Result<Spend, ApiError> {
    let q = CostsQuery::new(crate::bill::utc_month_start(now), now, &[]);
    let fetched = client
        .costs(&q, |r| {
            let usd = r.currency.eq_ignore_ascii_case("usd");
            (r.api_key_id.map(|k| k.into_owned()), usd.then_some(r.value))
        })
        .await?;
    let mut spend = Spend::new();
    for (key, usd) in fetched.buckets.into_iter().flat_map(|b| b.rows) {
        if let (Some(key), Some(usd)) = (key, usd) {
            *spend.entry(key).or_default() += usd;
        }
    }
    Ok(spend)
}

/// Every project with its keys: the project list, then one request per project.
pub async fn directory(client: &AdminClient) -> Result<Directory, ApiError> {
    let listed = client.projects().await?;
    let mut projects = Vec::with_capacity(listed.len());
    for p in listed {
        let keys = client.project_api_keys(&p.id).await?;
        projects.push((p, keys));
    }
    Ok(Directory { projects })
}

/// The names of the keys `ids` (in no particular order), listing projects until each is found.
pub async fn names_of(
    client: &AdminClient,
    ids: &[String],
) -> Result<Vec<crate::ui::view::KeyChoice>, ApiError> {
    let mut found: Vec<crate::ui::view::KeyChoice> = Vec::new();
    if ids.is_empty() {
        return Ok(found);
    }
    for p in client.projects().await? {
        let project = p.name.clone().unwrap_or_else(|| p.id.clone());
        for k in client.project_api_keys(&p.id).await? {
            if ids.contains(&k.id) {
                found.push(crate::ui::view::KeyChoice {
                    id: k.id,
                    name: k.name,
                    project: project.clone(),
                    project_id: p.id.clone(),
                    last_used_at: k.last_used_at,
                });
            }
        }
        if ids.iter().all(|id| found.iter().any(|k| &k.id == id)) {
            break;
        }
    }
    Ok(found)
}

fn archived(p: &Project) -> bool {
    p.archived_at.is_some() || p.status.as_deref() == Some("archived")
}

const COLUMNS: [Column; 7] = [
    Column {
        header: "Project",
        align: Align::Left,
        rank: 0,
        shrink_to: Some(12),
    },
    Column {
        header: "Key name",
        align: Align::Left,
        rank: 1,
        shrink_to: Some(10),
    },
    Column {
        header: "Key id",
        align: Align::Left,
        rank: 0,
        shrink_to: None,
    },
    Column {
        header: "Key",
        align: Align::Left,
        rank: 4,
        shrink_to: None,
    },
    Column {
        header: "Created",
        align: Align::Left,
        rank: 3,
        shrink_to: None,
    },
    Column {
        header: "Last used",
        align: Align::Left,
        rank: 2,
        shrink_to: None,
    },
    Column {
        header: "This month",
        align: Align::Right,
        rank: 2,
        shrink_to: None,
    },
];

/// The table in `width` characters (no limit when `None`), and a closing line.
/// `spend`: this month's bill per key (`None`: not readable, shown as —).
pub fn text(
    projects: &[(Project, Vec<ProjectApiKey>)],
    spend: Option<&Spend>,
    width: Option<usize>,
) -> String {
    let mut rows: Vec<Row> = Vec::new();
    for (p, keys) in projects {
        let mut project = p.name.clone().unwrap_or_else(|| p.id.clone());
        if archived(p) {
            project.push_str(" (archived)");
        }
        if keys.is_empty() {
            rows.push(vec![project, "(no keys)".into()]);
            continue;
        }
        for k in keys {
            let date = |t: Option<i64>| t.map_or_else(|| "never".to_owned(), format::utc);
            rows.push(vec![
                project.clone(),
                k.name.clone().unwrap_or_default(),
                k.id.clone(),
                k.redacted_value.clone().unwrap_or_default(),
                date(k.created_at),
                date(k.last_used_at),
                spend.map_or_else(
                    || "—".to_owned(),
                    |s| format::usd(s.get(&k.id).copied().unwrap_or(0.0)),
                ),
            ]);
        }
    }
    let mut out = table::to_text(&COLUMNS, &rows, &[], "(no projects)", width);
    let close = format!(
        "{}. Track a key with --api-key-id KEY_ID (or OPENAI_API_KEY_ID).",
        format::count(projects.len(), "project")
    );
    out.push('\n');
    for l in width.map_or_else(|| vec![close.clone()], |w| table::wrap(&close, w)) {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

#[derive(Debug, Serialize)]
pub struct KeysReport<'a> {
    pub projects: Vec<ProjectReport<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ProjectReport<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub archived: bool,
    pub keys: Vec<KeyReport<'a>>,
}

#[derive(Debug, Serialize)]
pub struct KeyReport<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub redacted_value: Option<&'a str>,
    pub created_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// This UTC month's bill for the key; `null` when the Costs API is not readable.
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub month_billed_usd: Option<f64>,
}

/// `keys --format json`: `{"projects": [{"id", "name", "archived", "keys": [...]}]}`.
pub fn json<'a>(
    projects: &'a [(Project, Vec<ProjectApiKey>)],
    spend: Option<&Spend>,
) -> KeysReport<'a> {
    KeysReport {
        projects: projects
            .iter()
            .map(|(p, keys)| ProjectReport {
                id: &p.id,
                name: p.name.as_deref(),
                archived: archived(p),
                keys: keys
                    .iter()
                    .map(|k| KeyReport {
                        id: &k.id,
                        name: k.name.as_deref(),
                        redacted_value: k.redacted_value.as_deref(),
                        created_at: k.created_at,
                        last_used_at: k.last_used_at,
                        month_billed_usd: spend.map(|s| s.get(&k.id).copied().unwrap_or(0.0)),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(id: &str, name: &str, archived: bool) -> Project {
        Project {
            id: id.into(),
            name: Some(name.into()),
            status: Some(if archived { "archived" } else { "active" }.into()),
            created_at: None,
            archived_at: None,
        }
    }

    fn key(id: &str, name: &str, last_used: Option<i64>) -> ProjectApiKey {
        ProjectApiKey {
            id: id.into(),
            name: Some(name.into()),
            redacted_value: Some("sk-proj-…abcd".into()),
            created_at: Some(1_764_000_000),
            last_used_at: last_used,
            owner: None,
        }
    }

    fn sample() -> Vec<(Project, Vec<ProjectApiKey>)> {
        vec![
            (
                project("proj_1", "Customer support assistant (production)", false),
                vec![
                    key(
                        "key_demoPrimary01",
                        "support-bot-backend-eu",
                        Some(1_764_003_600),
                    ),
                    key("key_demoBatch02", "nightly batch", None),
                ],
            ),
            (project("proj_2", "Old experiments", true), Vec::new()),
        ]
    }

    #[test]
    fn the_table_fits_the_width_and_keeps_project_and_key_id() {
        let all = sample();
        let wide = text(&all, None, None);
        assert!(wide.lines().any(|l| l.chars().count() > 100), "{wide}");
        assert!(
            wide.lines()
                .any(|l| l.starts_with("Old experiments (archived) ") && l.ends_with(" (no keys)")),
            "{wide}"
        );
        assert!(wide.contains("\n2 projects. Track a key"), "{wide}");
        for width in [100, 80, 60, 40] {
            let t = text(&all, None, Some(width));
            for l in t.lines() {
                assert!(l.chars().count() <= width, "{width}: {l:?}\n{t}");
            }
            assert!(t.contains("key_demoPrimary01"), "{width}:\n{t}");
            assert!(t.contains("Customer"), "{width}:\n{t}");
        }
        let t = text(&all, None, Some(80));
        assert!(t.contains("Last used"), "{t}");
        assert!(!t.contains("Created"), "{t}");
    }

    #[test]
    fn json_lists_every_project_with_its_keys() {
        let all = sample();
        let v = serde_json::to_value(json(&all, None)).unwrap();
        assert_eq!(v["projects"][0]["id"], "proj_1");
        assert_eq!(v["projects"][0]["archived"], false);
        assert_eq!(v["projects"][0]["keys"][0]["id"], "key_demoPrimary01");
        assert_eq!(
            v["projects"][0]["keys"][0]["name"],
            "support-bot-backend-eu"
        );
        assert_eq!(
            v["projects"][0]["keys"][1]["last_used_at"],
            serde_json::Value::Null
        );
        assert_eq!(v["projects"][1]["archived"], true);
        assert_eq!(v["projects"][1]["keys"], serde_json::json!([]));
    }

    #[test]
    fn the_months_spend_is_a_column_and_a_field_and_unknown_without_the_costs_api() {
        let all = sample();
        let spend: Spend = [("key_demoPrimary01".to_owned(), 12.4)].into();
        let t = text(&all, Some(&spend), None);
        let row = t.lines().find(|l| l.contains("key_demoPrimary01")).unwrap();
        assert!(row.ends_with("$12.40"), "{t}");
        let batch = t.lines().find(|l| l.contains("key_demoBatch02")).unwrap();
        assert!(batch.ends_with("$0.00"), "{t}");
        let v = serde_json::to_value(json(&all, Some(&spend))).unwrap();
        assert_eq!(v["projects"][0]["keys"][0]["month_billed_usd"], 12.4);
        assert_eq!(v["projects"][0]["keys"][1]["month_billed_usd"], 0.0);
        let none = serde_json::to_value(json(&all, None)).unwrap();
        assert_eq!(
            none["projects"][0]["keys"][0]["month_billed_usd"],
            serde_json::Value::Null
        );
        assert!(text(&all, None, None).contains(" —"));
    }
}
