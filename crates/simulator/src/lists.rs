//! `GET /organization/projects` and `GET /organization/projects/{id}/api_keys`: list objects
//! with `first_id`/`last_id`/`has_more` and an `after` cursor, as in the spec's examples
//! (fields in the examples' order, hence structs rather than `json!`, which sorts keys).

use super::org::{KeyInfo, Owner, ProjectInfo};
use super::query::ApiErrorResponse;
use super::scenario::Scenario;
use serde::Serialize;

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

#[derive(Serialize)]
struct List<T> {
    object: &'static str,
    data: Vec<T>,
    first_id: Option<String>,
    last_id: Option<String>,
    has_more: bool,
}

fn list_body<T: Serialize>(
    data: Vec<T>,
    ids: (Option<&str>, Option<&str>),
    has_more: bool,
) -> Vec<u8> {
    let body = List {
        object: "list",
        data,
        first_id: ids.0.map(str::to_owned),
        last_id: ids.1.map(str::to_owned),
        has_more,
    };
    serde_json::to_vec_pretty(&body).expect("plain data serializes")
}

#[derive(Serialize)]
struct ProjectJson<'a> {
    id: &'a str,
    object: &'static str,
    name: &'a str,
    created_at: i64,
    archived_at: Option<i64>,
    status: &'static str,
    external_key_id: Option<&'a str>,
}

pub(crate) fn projects_json(scn: &Scenario, raw_query: &str) -> Result<Vec<u8>, ApiErrorResponse> {
    let p = parse(raw_query)?;
    let visible: Vec<&ProjectInfo> = scn
        .projects
        .iter()
        .filter(|pr| p.include_archived || pr.archived_at.is_none())
        .collect();
    let (page, has_more) = paginate(&visible, |pr| &pr.id, &p)?;
    let ids = (
        page.first().map(|pr| pr.id.as_str()),
        page.last().map(|pr| pr.id.as_str()),
    );
    let data: Vec<ProjectJson> = page
        .iter()
        .map(|pr| ProjectJson {
            id: &pr.id,
            object: "organization.project",
            name: &pr.name,
            created_at: pr.created_at,
            archived_at: pr.archived_at,
            status: if pr.archived_at.is_some() {
                "archived"
            } else {
                "active"
            },
            external_key_id: None,
        })
        .collect();
    Ok(list_body(data, ids, has_more))
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
    let ids = (
        page.first().map(|k| k.id.as_str()),
        page.last().map(|k| k.id.as_str()),
    );
    let data: Vec<KeyJson> = page.iter().map(|k| key_json(scn, k, now)).collect();
    Ok(list_body(data, ids, has_more))
}

#[derive(Serialize)]
struct KeyJson<'a> {
    object: &'static str,
    redacted_value: &'a str,
    name: &'a str,
    created_at: i64,
    last_used_at: Option<i64>,
    id: &'a str,
    owner_project_access: &'static str,
    owner: OwnerJson<'a>,
}

#[derive(Serialize)]
struct OwnerJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_account: Option<UserJson<'a>>,
}

/// A user (with an email) or a service account (without).
#[derive(Serialize)]
struct UserJson<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    role: &'static str,
    created_at: i64,
}

fn key_json<'a>(scn: &Scenario, k: &'a KeyInfo, now: i64) -> KeyJson<'a> {
    // Keys with traffic were last used this minute; the filler keys never.
    let used = scn.streams.iter().any(|s| s.key == k.id);
    let owner = match &k.owner {
        Owner::User { id, name, email } => OwnerJson {
            kind: "user",
            user: Some(UserJson {
                id,
                name,
                email: Some(email),
                role: "owner",
                created_at: k.created_at - 86_400,
            }),
            service_account: None,
        },
        Owner::ServiceAccount { id, name } => OwnerJson {
            kind: "service_account",
            user: None,
            service_account: Some(UserJson {
                id,
                name,
                email: None,
                role: "member",
                created_at: k.created_at,
            }),
        },
    };
    KeyJson {
        object: "organization.project.api_key",
        redacted_value: &k.redacted,
        name: &k.name,
        created_at: k.created_at,
        last_used_at: used.then_some(now - now.rem_euclid(60)),
        id: &k.id,
        owner_project_access: "active",
        owner,
    }
}
