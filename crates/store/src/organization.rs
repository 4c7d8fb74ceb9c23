//! Whose history: the organization an open store reads and writes. Two organizations (two
//! admin keys) over one data folder never mix, and a new admin key of the same organization
//! keeps its history.
//!
//! An organization is identified by its project ids (`GET /organization/projects` with
//! `include_archived=true`): OpenAI's ids are unique, and a project "can be created and
//! archived, but cannot be deleted" (the spec), so every admin key of one organization lists
//! every project ever seen by another, and no key of another organization lists any of them
//! (README "History"). The file remembers each admin key it has seen as a salted SHA-256 (the
//! salt random per file; never the key), so a launch with a known key knows its organization
//! before any request and shows the stored figures at once; only a key the file has not seen
//! costs a request for the project list first.
//!
//! Every key set column holds `org<N>:<key set>`: the store's own organization prefixes every
//! [`KeySet`] it is given ([`Store::scoped`]), so no caller can read another organization's
//! rows. A store opened without identifying one (tests, seeding, `export` and `report`, which
//! ask nothing) uses the organization last identified in the file, or `org0` in a file where
//! none was.

use crate::error::StoreError;
use crate::handle::{KeySet, OrganizationId, Store};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

/// What identifying an admin key's organization found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identified {
    pub organization: OrganizationId,
    /// No organization of this file had any of the project ids: a new history starts.
    pub new: bool,
}

/// The meta row naming the organization last identified, read by stores that ask nothing.
const CURRENT: &str = "current_organization";

impl Store {
    /// The organization this store reads and writes.
    pub fn organization(&self) -> OrganizationId {
        self.organization
    }

    /// The key set as stored: prefixed by this store's organization.
    pub(crate) fn scoped(&self, keys: &KeySet) -> String {
        format!("{}:{}", self.organization, keys.as_str())
    }

    /// The organization last identified in this file, if any.
    pub(crate) fn last_identified(&self) -> Result<Option<OrganizationId>, StoreError> {
        let v: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE name = ?1", [CURRENT], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(v.and_then(|v| v.parse().ok()).map(OrganizationId))
    }

    /// `admin_key`'s fingerprint in this file: the hex SHA-256 of the file's salt and the key.
    fn fingerprint(&self, admin_key: &str) -> Result<String, StoreError> {
        let salt: String = self
            .conn
            .query_row("SELECT value FROM meta WHERE name = 'key_salt'", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))?;
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update([0]);
        h.update(admin_key.as_bytes());
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The organization `admin_key` was identified as before, from this file alone (an admin
    /// key belongs to one organization for its whole life).
    pub fn organization_of_key(
        &self,
        admin_key: &str,
    ) -> Result<Option<OrganizationId>, StoreError> {
        let fp = self.fingerprint(admin_key)?;
        self.conn
            .query_row(
                "SELECT organization_id FROM admin_key WHERE fingerprint = ?1",
                [fp],
                |r| r.get(0).map(OrganizationId),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Identifies `admin_key`'s organization by the project ids it lists: the organization of
    /// this file that has any of them (the most of them, should two), else a new one. Keeps
    /// the ids and the key's fingerprint. An empty list identifies nothing (every organization
    /// has its default project): an error.
    pub fn identify(
        &mut self,
        admin_key: &str,
        project_ids: &[String],
        now: i64,
    ) -> Result<Identified, StoreError> {
        if project_ids.is_empty() {
            return Err(StoreError::Off(
                "the admin key lists no project, so its organization cannot be told apart from another's".to_owned(),
            ));
        }
        let fp = self.fingerprint(admin_key)?;
        let (path, busy) = (self.path.clone(), self.options.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, busy, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut found: Option<(i64, usize)> = None;
        {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT organization_id FROM organization_project WHERE project_id = ?1",
                )
                .map_err(err)?;
            let mut counts = std::collections::BTreeMap::<i64, usize>::new();
            for p in project_ids {
                if let Some(org) = stmt
                    .query_row([p], |r| r.get::<_, i64>(0))
                    .optional()
                    .map_err(err)?
                {
                    *counts.entry(org).or_default() += 1;
                }
            }
            for (org, n) in counts {
                if found.is_none_or(|(_, most)| n > most) {
                    found = Some((org, n));
                }
            }
        }
        let (org, new) = match found {
            Some((org, _)) => (org, false),
            None => {
                let org: i64 = tx
                    .query_row(
                        // Never 0: that is the unidentified organization's.
                        "INSERT INTO organization (id, first_seen)
                         VALUES ((SELECT max(1, coalesce(max(id), 0) + 1) FROM organization), ?1)
                         RETURNING id",
                        [now],
                        |r| r.get(0),
                    )
                    .map_err(err)?;
                (org, true)
            }
        };
        {
            let mut keep = tx
                .prepare_cached(
                    "INSERT INTO organization_project (project_id, organization_id) VALUES (?1, ?2)
                     ON CONFLICT (project_id) DO NOTHING",
                )
                .map_err(err)?;
            for p in project_ids {
                keep.execute(params![p, org]).map_err(err)?;
            }
        }
        tx.execute(
            "INSERT INTO admin_key (fingerprint, organization_id, last_seen) VALUES (?1, ?2, ?3)
             ON CONFLICT (fingerprint) DO UPDATE
               SET organization_id = excluded.organization_id, last_seen = excluded.last_seen",
            params![fp, org, now],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(Identified {
            organization: OrganizationId(org),
            new,
        })
    }

    /// Reads and writes `org`'s history from now on, and names it the file's last identified
    /// organization (for the stores that ask nothing: `export`, `report`).
    pub fn use_organization(&mut self, org: OrganizationId) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![CURRENT, org.0.to_string()],
            )
            .map_err(|e| self.err(e))?;
        self.organization = org;
        Ok(())
    }
}
