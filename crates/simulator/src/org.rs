//! The simulated organization's projects and API keys (ids, names, owners, redacted values).

use super::scenario::hash_str;
use super::{DEMO_KEY_ID, DEMO_PROJECT_ID};

pub(crate) const BATCH_KEY: &str = "key_demoBatch02";
pub(crate) const OTHER_PROJECT: &str = "proj_otherTeam03";
pub(crate) const OTHER_KEY: &str = "key_otherTeam03";
pub(crate) const DEMO_USER: &str = "user_demoOwner01";
pub(crate) const OTHER_USER: &str = "user_otherTeam03";

/// A project and its API keys.
pub(crate) struct ProjectInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub archived_at: Option<i64>,
    pub keys: Vec<KeyInfo>,
}

pub(crate) struct KeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub redacted: String,
    pub owner: Owner,
}

pub(crate) enum Owner {
    User {
        id: String,
        name: String,
        email: String,
    },
    ServiceAccount {
        id: String,
        name: String,
    },
}

fn redacted(seed: u64, key: &str) -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let h = hash_str(seed, key);
    let tail: String = (0..4)
        .map(|i| ALNUM[((h >> (8 * i)) % 62) as usize] as char)
        .collect();
    format!("sk-proj-...{tail}")
}

pub(crate) fn projects(seed: u64, extra: usize) -> Vec<ProjectInfo> {
    let user = |id: &str, name: &str, email: &str| Owner::User {
        id: id.to_owned(),
        name: name.to_owned(),
        email: email.to_owned(),
    };
    let key = |id: &str, name: &str, created_at: i64, owner: Owner| KeyInfo {
        id: id.to_owned(),
        name: name.to_owned(),
        created_at,
        redacted: redacted(seed, id),
        owner,
    };
    let project = |id: &str, name: &str, created_at: i64, archived_at, keys| ProjectInfo {
        id: id.to_owned(),
        name: name.to_owned(),
        created_at,
        archived_at,
        keys,
    };
    let mut list = vec![
        project(
            DEMO_PROJECT_ID,
            "Demo app",
            1_717_200_000,
            None,
            vec![
                key(
                    DEMO_KEY_ID,
                    "Production backend",
                    1_717_300_000,
                    user(DEMO_USER, "Dana Demo", "dana@example.com"),
                ),
                key(
                    BATCH_KEY,
                    "Nightly batch jobs",
                    1_718_000_000,
                    Owner::ServiceAccount {
                        id: "svc_acct_demoBatch02".to_owned(),
                        name: "batch-runner".to_owned(),
                    },
                ),
            ],
        ),
        project(
            OTHER_PROJECT,
            "Other team",
            1_719_000_000,
            None,
            vec![key(
                OTHER_KEY,
                "Other team service",
                1_719_100_000,
                user(OTHER_USER, "Omar Other", "omar@example.com"),
            )],
        ),
        project(
            "proj_oldPrototype04",
            "Old prototype",
            1_700_000_000,
            Some(1_710_000_000),
            vec![],
        ),
    ];
    for i in 1..=extra {
        let created = 1_720_000_000 + i as i64 * 86_400;
        list.push(project(
            &format!("proj_filler{i:04}"),
            &format!("Filler project {i}"),
            created,
            None,
            vec![key(
                &format!("key_filler{i:04}"),
                &format!("Filler key {i}"),
                created + 3_600,
                user(
                    &format!("user_filler{i:04}"),
                    &format!("Filler User {i}"),
                    &format!("filler{i}@example.com"),
                ),
            )],
        ));
    }
    list
}
