//! Logged-in sessions of the admin pages, kept so a restart does not log everyone out.
//!
//! Only a SHA-256 hash of each session's cookie value is stored (the caller hashes it), so a
//! copy of the database cannot be replayed as a cookie; each row ends at `expires_at` (Unix
//! seconds), pushed on while the session is used, and expired rows are purged. A staff
//! session goes with its extension.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// Whose session it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionRole {
    Owner,
    Staff { extension: String },
}

/// A stored session that has not expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    pub role: SessionRole,
    /// The session's CSRF token (useless without the cookie, which is not stored).
    pub csrf: String,
    pub expires_at: i64,
}

fn columns(role: &SessionRole) -> (&'static str, Option<&str>) {
    match role {
        SessionRole::Owner => ("owner", None),
        SessionRole::Staff { extension } => ("staff", Some(extension.as_str())),
    }
}

impl Store {
    /// Stores a new session under the hash of its cookie value.
    pub fn save_admin_session(
        &self,
        token_hash: &str,
        role: &SessionRole,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        let (role, extension) = columns(role);
        self.conn.execute(
            "INSERT OR REPLACE INTO admin_sessions (token_hash, role, extension, csrf, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, role, extension, csrf, expires_at],
        )?;
        Ok(())
    }

    /// The session stored under `token_hash`, unless it has expired by `now_unix`.
    pub fn admin_session(&self, token_hash: &str, now_unix: i64) -> Result<Option<AdminSession>> {
        let row: Option<(String, Option<String>, String, i64)> = self
            .conn
            .query_row(
                "SELECT role, extension, csrf, expires_at FROM admin_sessions
                 WHERE token_hash = ?1 AND expires_at > ?2",
                params![token_hash, now_unix],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        Ok(row.and_then(|(role, extension, csrf, expires_at)| {
            let role = match (role.as_str(), extension) {
                ("owner", _) => SessionRole::Owner,
                ("staff", Some(extension)) => SessionRole::Staff { extension },
                _ => return None,
            };
            Some(AdminSession {
                role,
                csrf,
                expires_at,
            })
        }))
    }

    /// Pushes a session's end on (it was used).
    pub fn extend_admin_session(&self, token_hash: &str, expires_at: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE admin_sessions SET expires_at = ?2 WHERE token_hash = ?1",
            params![token_hash, expires_at],
        )?;
        Ok(())
    }

    /// Ends one session (logout).
    pub fn delete_admin_session(&self, token_hash: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM admin_sessions WHERE token_hash = ?1",
            [token_hash],
        )?;
        Ok(())
    }

    /// Ends every session of `role` but the one stored under `keep` (its password changed).
    pub fn delete_admin_sessions_of(&self, role: &SessionRole, keep: Option<&str>) -> Result<()> {
        let (role, extension) = columns(role);
        self.conn.execute(
            "DELETE FROM admin_sessions
             WHERE role = ?1 AND extension IS ?2 AND token_hash IS NOT ?3",
            params![role, extension, keep],
        )?;
        Ok(())
    }

    /// Removes the sessions that ended by `now_unix`; how many.
    pub fn purge_admin_sessions(&self, now_unix: i64) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM admin_sessions WHERE expires_at <= ?1",
            [now_unix],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_kept_until_they_expire_or_end() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .create_extension("201", "Ana", "switchboard", 0)
            .unwrap();
        let staff = SessionRole::Staff {
            extension: "201".to_owned(),
        };
        store
            .save_admin_session("a", &SessionRole::Owner, "c1", 100)
            .unwrap();
        store.save_admin_session("b", &staff, "c2", 100).unwrap();
        store.save_admin_session("c", &staff, "c3", 100).unwrap();
        let found = store.admin_session("b", 50).unwrap().unwrap();
        assert_eq!((found.role, found.csrf.as_str()), (staff.clone(), "c2"));
        assert!(store.admin_session("a", 100).unwrap().is_none(), "expired");
        store.extend_admin_session("a", 200).unwrap();
        assert!(store.admin_session("a", 150).unwrap().is_some());

        store.delete_admin_sessions_of(&staff, Some("c")).unwrap();
        assert!(store.admin_session("b", 50).unwrap().is_none());
        assert!(store.admin_session("c", 50).unwrap().is_some(), "kept");
        store.delete_admin_session("c").unwrap();
        assert!(store.admin_session("c", 50).unwrap().is_none());

        assert_eq!(store.purge_admin_sessions(250).unwrap(), 1);
        assert!(store.admin_session("a", 0).unwrap().is_none());
    }
}
