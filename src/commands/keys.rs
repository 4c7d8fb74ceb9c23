//! `usage-tracker keys`: every project with its API keys, so nobody needs curl to find an id.

use super::{CliError, Connection};
use crate::settings::Settings;
use crate::ui::format;
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(settings: Settings) -> Result<ExitCode, CliError> {
    let timeout = settings.timeout;
    let conn = Connection::open_reporting(settings, Some(super::print_retries())).await?;
    let listed = super::within_deadline(timeout, conn.client.base_url(), async {
        let projects = conn.client.projects().await?;
        let mut out = Vec::with_capacity(projects.len());
        for p in projects {
            let keys = conn.client.project_api_keys(&p.id).await?;
            out.push((p, keys));
        }
        Ok(out)
    })
    .await?;
    let projects: Vec<_> = listed.iter().map(|(p, _)| p).collect();
    let mut rows: Vec<[String; 6]> = Vec::new();
    for (p, keys) in listed.iter().cloned() {
        let mut project = p.name.clone().unwrap_or_else(|| p.id.clone());
        if p.archived_at.is_some() || p.status.as_deref() == Some("archived") {
            project.push_str(" (archived)");
        }
        if keys.is_empty() {
            rows.push([
                project,
                "(no keys)".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        for k in keys {
            let date = |t: Option<i64>| t.map_or_else(|| "never".to_owned(), format::utc);
            rows.push([
                project.clone(),
                k.name.unwrap_or_default(),
                k.id,
                k.redacted_value.unwrap_or_default(),
                date(k.created_at),
                date(k.last_used_at),
            ]);
        }
    }
    let headers = [
        "Project",
        "Key name",
        "Key id",
        "Key",
        "Created",
        "Last used",
    ]
    .map(String::from);
    let mut widths = headers.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&headers).chain(&rows) {
        let mut line = String::new();
        for (c, w) in r.iter().zip(widths) {
            let _ = write!(line, "{c:<w$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n{} project(s). Track a key with --api-key-id KEY_ID (or OPENAI_API_KEY_ID).",
        projects.len()
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    Ok(ExitCode::SUCCESS)
}
