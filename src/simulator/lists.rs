//! `GET /organization/projects` and `GET /organization/projects/{id}/api_keys`: list objects
//! with `first_id`/`last_id`/`has_more` and an `after` cursor, as in the spec's examples.

use super::org::{KeyInfo, Owner, ProjectInfo};
use super::query::ApiErrorResponse;
use super::scenario::Scenario;
use serde_json::{Value, json};

struct ListParams {
    limit: usize,
    after: Option<String>,
    include_archived: bool,
    owner_project_access: Option<String>,
}

fn parse(raw: &str) -> Result<ListParams, ApiErrorResponse> {
    let mut p = ListParams {
        limit: 20,
        after: None,
        include_archived: false,
        owner_project_access: None,
    };
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        match &*k {
            "limit" => {
                p.limit = v.parse().ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| {
                    ApiErrorResponse::invalid("limit", format!("Invalid value for 'limit': '{v}'. It must be an integer between 1 and 100."))
                })?
            }
            "after" => p.after = Some(v.into_owned()),
            "include_archived" => {
                p.include_archived = match &*v {
                    "true" => true,
                    "false" => false,
                    _ => return Err(ApiErrorResponse::invalid("include_archived", format!("Invalid value for 'include_archived': '{v}'. Expected a boolean."))),
                }
            }
            "owner_project_access" => {
                if !["active", "inactive", "any"].contains(&&*v) {
                    return Err(ApiErrorResponse::invalid(
                        "owner_project_access",
                        format!("Invalid value for 'owner_project_access': '{v}'. Supported values are: 'active', 'inactive' and 'any'."),
                    ));
                }
                p.owner_project_access = Some(v.into_owned());
            }
            _ => {}
        }
    }
    Ok(p)
}

/// The items after `after` (an id in `items`), at most `limit` of them, and whether more follow.
fn paginate<'a, T>(
    items: &[&'a T],
    id: impl Fn(&T) -> &str,
    p: &ListParams,
) -> Result<(Vec<&'a T>, bool), ApiErrorResponse> {
    let from = match &p.after {
        None => 0,
        Some(after) => {
            items.iter().position(|t| id(t) == after).ok_or_else(|| {
                ApiErrorResponse::invalid(
                    "after",
                    format!("Invalid value for 'after': '{after}'. No such object in this list."),
                )
            })? + 1
        }
    };
    let page: Vec<&T> = items.iter().skip(from).take(p.limit).copied().collect();
    Ok((page, from + p.limit < items.len()))
}

fn list_body(data: Vec<Value>, first: Option<&str>, last: Option<&str>, has_more: bool) -> Vec<u8> {
    let body = json!({
        "object": "list",
        "data": data,
        "first_id": first,
        "last_id": last,
        "has_more": has_more,
    });
    serde_json::to_vec_pretty(&body).expect("plain data serializes")
}

pub(crate) fn projects_json(scn: &Scenario, raw_query: &str) -> Result<Vec<u8>, ApiErrorResponse> {
    let p = parse(raw_query)?;
    let visible: Vec<&ProjectInfo> = scn
        .projects
        .iter()
        .filter(|pr| p.include_archived || pr.archived_at.is_none())
        .collect();
    let (page, has_more) = paginate(&visible, |pr| &pr.id, &p)?;
    let data = page
        .iter()
        .map(|pr| {
            json!({
                "id": pr.id,
                "object": "organization.project",
                "name": pr.name,
                "created_at": pr.created_at,
                "archived_at": pr.archived_at,
                "status": if pr.archived_at.is_some() { "archived" } else { "active" },
                "external_key_id": null,
            })
        })
        .collect();
    let first = page.first().map(|pr| pr.id.as_str());
    let last = page.last().map(|pr| pr.id.as_str());
    Ok(list_body(data, first, last, has_more))
}

pub(crate) fn api_keys_json(
    scn: &Scenario,
    project_id: &str,
    raw_query: &str,
    now: i64,
) -> Result<Vec<u8>, ApiErrorResponse> {
    let project = scn
        .projects
        .iter()
        .find(|pr| pr.id == project_id)
        .ok_or_else(|| {
            ApiErrorResponse::new(
                404,
                "invalid_request_error",
                format!("No project found with id '{project_id}'."),
                None,
                Some("not_found"),
            )
        })?;
    let p = parse(raw_query)?;
    // Every simulated owner still has access to its project.
    let keys: Vec<&KeyInfo> = if p.owner_project_access.as_deref() == Some("inactive") {
        Vec::new()
    } else {
        project.keys.iter().collect()
    };
    let (page, has_more) = paginate(&keys, |k| &k.id, &p)?;
    let data = page.iter().map(|k| key_json(scn, k, now)).collect();
    let first = page.first().map(|k| k.id.as_str());
    let last = page.last().map(|k| k.id.as_str());
    Ok(list_body(data, first, last, has_more))
}

fn key_json(scn: &Scenario, k: &KeyInfo, now: i64) -> Value {
    // Keys with traffic were last used this minute; the filler keys never.
    let used = scn.streams.iter().any(|s| s.key == k.id);
    let owner = match &k.owner {
        Owner::User { id, name, email } => json!({
            "type": "user",
            "user": { "id": id, "name": name, "email": email, "role": "owner", "created_at": k.created_at - 86_400 },
        }),
        Owner::ServiceAccount { id, name } => json!({
            "type": "service_account",
            "service_account": { "id": id, "name": name, "role": "member", "created_at": k.created_at },
        }),
    };
    json!({
        "object": "organization.project.api_key",
        "redacted_value": k.redacted,
        "name": k.name,
        "created_at": k.created_at,
        "last_used_at": if used { Some(now - now.rem_euclid(60)) } else { None },
        "id": k.id,
        "owner_project_access": "active",
        "owner": owner,
    })
}
