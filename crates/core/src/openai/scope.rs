//! What a query is scoped to: the tracked keys and projects, carried through the engine as one
//! list of ids ("the tracked ids") and split back into the Admin API's `api_key_ids` and
//! `project_ids` filters where a request is built.
//!
//! One list keeps every path that already passes the tracked keys (the live tracker, the bill,
//! the glance, today's cost, the store's key set) scoping by project too without a second
//! parameter through each of them. The ids cannot be confused: OpenAI names a key `key_...`
//! and a project `proj_...`, and the settings accept nothing else for either.

/// The prefix of a project id.
pub const PROJECT_PREFIX: &str = "proj_";

pub fn is_project(id: &str) -> bool {
    id.starts_with(PROJECT_PREFIX)
}

/// The tracked ids split into `(api_key_ids, project_ids)`, each in the given order.
pub fn split(ids: &[String]) -> (Vec<String>, Vec<String>) {
    let (projects, keys): (Vec<String>, Vec<String>) =
        ids.iter().cloned().partition(|id| is_project(id));
    (keys, projects)
}

/// The tracked ids of `keys` within `projects`: the keys, then the projects.
pub fn tracked(keys: &[String], projects: &[String]) -> Vec<String> {
    keys.iter().chain(projects).cloned().collect()
}

/// Whether more than one key can be in the figure of `ids`: the whole organization, a
/// project, or several keys. Only then are usage and costs also asked by key and by project.
pub fn many_keys(ids: &[String]) -> bool {
    let (keys, _) = split(ids);
    keys.len() != 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_keys_from_projects_and_knows_when_several_keys_count() {
        let ids = vec!["key_a".to_owned(), "proj_x".to_owned(), "key_b".to_owned()];
        let (k, p) = split(&ids);
        assert_eq!(k, ["key_a", "key_b"]);
        assert_eq!(p, ["proj_x"]);
        assert!(many_keys(&ids));
        assert!(many_keys(&[]), "the whole organization");
        assert!(many_keys(&["proj_x".to_owned()]), "a project");
        assert!(!many_keys(&["key_a".to_owned()]));
        assert!(!many_keys(&["key_a".to_owned(), "proj_x".to_owned()]));
        assert_eq!(
            tracked(&["key_a".into()], &["proj_x".into()]),
            ["key_a", "proj_x"]
        );
    }
}
