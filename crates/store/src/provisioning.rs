//! One-time links that set up a remote copy of the app for an extension.
//!
//! A link carries a random token; only its SHA-256 is stored, so the database never holds
//! a token that could be replayed (the token has ~139 bits of entropy, so a plain hash is
//! as good as a slow one). Redeeming burns the token in the same statement that checks
//! it, so two redemptions racing cannot both succeed; a new link for an extension revokes
//! the one before it.

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::secret::generate_secret;
use crate::{Error, Result, Store};

/// A link's state as the admin screen shows it (the token itself is never read back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisioningLink {
    pub extension: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// When the remote app redeemed it.
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ProvisioningLink {
    /// Whether the link can still be redeemed at `now_unix`.
    pub fn is_open(&self, now_unix: i64) -> bool {
        self.used_at.is_none() && self.revoked_at.is_none() && now_unix < self.expires_at
    }
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// A new link for `extension`, valid until `expires_at`; earlier open links for it are
    /// revoked. Returns the token, which exists only in the caller's hands from now on.
    pub fn create_provisioning_link(
        &self,
        extension: &str,
        now_unix: i64,
        expires_at: i64,
    ) -> Result<String> {
        if self.extension(extension)?.is_none() {
            return Err(Error::ExtensionNotFound(extension.to_owned()));
        }
        let token = generate_secret();
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE provisioning_links SET revoked_at = ?2
             WHERE extension = ?1 AND used_at IS NULL AND revoked_at IS NULL",
            params![extension, now_unix],
        )?;
        tx.execute(
            "INSERT INTO provisioning_links (extension, token_hash, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![extension, hash(&token), now_unix, expires_at],
        )?;
        tx.commit()?;
        Ok(token)
    }

    /// The latest link of each extension that has one.
    pub fn provisioning_links(&self) -> Result<Vec<ProvisioningLink>> {
        let mut stmt = self.conn.prepare(
            "SELECT extension, created_at, expires_at, used_at, revoked_at
             FROM provisioning_links p
             WHERE id = (SELECT MAX(id) FROM provisioning_links q WHERE q.extension = p.extension)
             ORDER BY extension",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ProvisioningLink {
                extension: r.get(0)?,
                created_at: r.get(1)?,
                expires_at: r.get(2)?,
                used_at: r.get(3)?,
                revoked_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Revokes the open link of `extension`; whether there was one.
    pub fn revoke_provisioning_link(&self, extension: &str, now_unix: i64) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE provisioning_links SET revoked_at = ?2
             WHERE extension = ?1 AND used_at IS NULL AND revoked_at IS NULL",
            params![extension, now_unix],
        )?;
        Ok(changed > 0)
    }

    /// Burns `token` and names its extension, when the token is known, unused, unrevoked
    /// and unexpired; `None` otherwise, the same for every reason so that a guesser
    /// learns nothing.
    pub fn redeem_provisioning_token(&self, token: &str, now_unix: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "UPDATE provisioning_links SET used_at = ?2
                 WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL
                   AND expires_at > ?2
                 RETURNING extension",
                params![hash(token), now_unix],
                |r| r.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        store
            .create_extension("201", "Remote Rita", "office", 0)
            .expect("extension");
        (dir, store)
    }

    #[test]
    fn a_token_is_redeemed_once() {
        let (_dir, store) = store();
        let token = store
            .create_provisioning_link("201", 100, 200)
            .expect("link");
        assert_eq!(
            store
                .redeem_provisioning_token(&token, 150)
                .expect("redeem"),
            Some("201".to_owned())
        );
        assert_eq!(
            store
                .redeem_provisioning_token(&token, 151)
                .expect("redeem"),
            None
        );
        let links = store.provisioning_links().expect("links");
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].used_at, Some(150));
        assert!(!links[0].is_open(151));
    }

    #[test]
    fn expired_revoked_replaced_and_unknown_tokens_are_refused() {
        let (_dir, store) = store();
        let expired = store
            .create_provisioning_link("201", 100, 200)
            .expect("link");
        assert_eq!(
            store
                .redeem_provisioning_token(&expired, 200)
                .expect("redeem"),
            None
        );

        let replaced = store
            .create_provisioning_link("201", 300, 400)
            .expect("link");
        let latest = store
            .create_provisioning_link("201", 301, 400)
            .expect("link");
        assert_eq!(
            store
                .redeem_provisioning_token(&replaced, 302)
                .expect("redeem"),
            None
        );

        assert!(store.revoke_provisioning_link("201", 303).expect("revoke"));
        assert_eq!(
            store
                .redeem_provisioning_token(&latest, 304)
                .expect("redeem"),
            None
        );
        assert!(!store.revoke_provisioning_link("201", 305).expect("revoke"));

        assert_eq!(
            store
                .redeem_provisioning_token("guess", 304)
                .expect("redeem"),
            None
        );
    }

    #[test]
    fn the_token_is_not_stored() {
        let (_dir, store) = store();
        let token = store
            .create_provisioning_link("201", 100, 200)
            .expect("link");
        let stored: String = store
            .conn
            .query_row("SELECT token_hash FROM provisioning_links", [], |r| {
                r.get(0)
            })
            .expect("row");
        assert_ne!(stored, token);
        assert_eq!(stored, hash(&token));
    }

    #[test]
    fn a_link_for_a_missing_extension_is_refused() {
        let (_dir, store) = store();
        assert!(matches!(
            store.create_provisioning_link("999", 100, 200),
            Err(Error::ExtensionNotFound(_))
        ));
    }
}
