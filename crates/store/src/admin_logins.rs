//! Logins for the admin pages once the owner opens them to the office network: the owner's
//! (one) and a web password per staff extension. Only Argon2id hashes (PHC strings with their
//! own salt) are kept, so a copy of the database gives nobody a password.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension};

use crate::{Error, Result, Store};

/// Who a login belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminLogin {
    /// Manages everything.
    Owner { username: String },
    /// Sees only what belongs to their extension.
    Staff { extension: String },
}

impl Store {
    /// Sets (or replaces) the owner's login. Checking the password's strength is the
    /// caller's; only its hash is kept.
    pub fn set_owner_login(&self, username: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM admin_logins WHERE role = 'owner'", [])?;
        tx.execute(
            "INSERT INTO admin_logins (username, role, extension, password_hash)
             VALUES (?1, 'owner', NULL, ?2)",
            params![username, hash],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The owner's user name, when an owner password has been set.
    pub fn owner_login(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT username FROM admin_logins WHERE role = 'owner'",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets (or replaces) the web password of the staff member at extension `number`, whose
    /// user name is the number itself.
    pub fn set_staff_login(&self, number: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        let changed = self.conn.execute(
            "INSERT INTO admin_logins (username, role, extension, password_hash)
             SELECT number, 'staff', number, ?2 FROM extensions WHERE number = ?1
             ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash
             WHERE admin_logins.role = 'staff'",
            params![number, hash],
        )?;
        if changed == 0 {
            return Err(Error::field("number", "no such extension"));
        }
        Ok(())
    }

    /// Removes a staff member's web password; they can no longer log in.
    pub fn remove_staff_login(&self, number: &str) -> Result<bool> {
        Ok(self.conn.execute(
            "DELETE FROM admin_logins WHERE role = 'staff' AND extension = ?1",
            [number],
        )? > 0)
    }

    /// Extensions that have a web password.
    pub fn staff_logins(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT extension FROM admin_logins WHERE role = 'staff' ORDER BY extension",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    /// Whose login `username` with `password` is, or `None`. An unknown user name costs as
    /// much time as a wrong password (a hash is computed either way), so the answer's timing
    /// does not tell which user names exist.
    pub fn check_admin_login(&self, username: &str, password: &str) -> Result<Option<AdminLogin>> {
        let row: Option<(String, Option<String>, String)> = self
            .conn
            .query_row(
                "SELECT role, extension, password_hash FROM admin_logins WHERE username = ?1",
                [username],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((role, extension, hash)) = row else {
            let _ = hash_password(password);
            return Ok(None);
        };
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return Ok(None);
        };
        if Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_err()
        {
            return Ok(None);
        }
        Ok(match (role.as_str(), extension) {
            ("owner", _) => Some(AdminLogin::Owner {
                username: username.to_owned(),
            }),
            ("staff", Some(extension)) => Some(AdminLogin::Staff { extension }),
            _ => None,
        })
    }
}

fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::field("password", format!("cannot be hashed: {e}")))
}
