//! Extensions: the numbers staff are reached at, and the credentials their phones log in with.

use std::fmt;

use rusqlite::{params, ErrorCode, OptionalExtension, Row};

use crate::error::{FieldError, ValidationErrors};
use crate::secret::{generate_secret, ha1_md5, ha1_sha256};
use crate::{destination, ring_groups};
use crate::{Error, Result, Store};

/// Longest display name accepted, in characters.
pub const NAME_MAX_CHARS: usize = 64;

/// A stored extension. The SIP username is the number.
#[derive(Clone, PartialEq, Eq)]
pub struct Extension {
    /// 2 to 10 ASCII digits; also the SIP username.
    pub number: String,
    /// Shown on the phones it calls.
    pub name: String,
    /// Realm the HA1 values were computed with; a digest challenge with another realm cannot
    /// be checked against them.
    pub realm: String,
    /// `MD5(number:realm:password)`, lower-case hex.
    pub ha1_md5: String,
    /// `SHA-256(number:realm:password)`, lower-case hex.
    pub ha1_sha256: String,
    /// Unix seconds.
    pub created_at: i64,
    /// May call numbers outside the office through a trunk (emergency numbers always can).
    pub outbound_allowed: bool,
    /// Its calls must be encrypted (SRTP) whatever the office-wide rule says.
    pub srtp_required: bool,
}

/// The HA1 values are password equivalents for the realm; keep them out of logs.
impl fmt::Debug for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extension")
            .field("number", &self.number)
            .field("name", &self.name)
            .field("realm", &self.realm)
            .field("created_at", &self.created_at)
            .field("outbound_allowed", &self.outbound_allowed)
            .field("srtp_required", &self.srtp_required)
            .finish_non_exhaustive()
    }
}

/// A new extension and its password, which exists only here: the store keeps hashes.
pub struct CreatedExtension {
    pub extension: Extension,
    pub password: String,
}

impl Store {
    /// Creates an extension with a generated password, hashed for `realm`. Refuses a number
    /// that is not 2 to 10 digits, an empty or overlong name, and a number already taken.
    pub fn create_extension(
        &self,
        number: &str,
        name: &str,
        realm: &str,
        now_unix: i64,
    ) -> Result<CreatedExtension> {
        let mut errors = Vec::new();
        errors.extend(check_number(number));
        errors.extend(check_name(name));
        errors.extend(check_realm(realm));
        if !errors.is_empty() {
            return Err(Error::Invalid(ValidationErrors(errors)));
        }
        let name = name.trim();
        let password = generate_secret();
        let extension = Extension {
            number: number.to_owned(),
            name: name.to_owned(),
            realm: realm.to_owned(),
            ha1_md5: ha1_md5(number, realm, &password),
            ha1_sha256: ha1_sha256(number, realm, &password),
            created_at: now_unix,
            outbound_allowed: false,
            srtp_required: false,
        };
        if crate::destination::ring_group_exists(&self.conn, number)? {
            return Err(Error::field(
                "number",
                format!("ring group {number} already has this number"),
            ));
        }
        if crate::destination::conference_room_exists(&self.conn, number)? {
            return Err(Error::field(
                "number",
                format!("conference room {number} already has this number"),
            ));
        }
        let inserted = self.conn.execute(
            "INSERT INTO extensions (number, name, realm, ha1_md5, ha1_sha256, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                extension.number,
                extension.name,
                extension.realm,
                extension.ha1_md5,
                extension.ha1_sha256,
                extension.created_at
            ],
        );
        match inserted {
            Ok(_) => Ok(CreatedExtension {
                extension,
                password,
            }),
            // The primary key is the number: a constraint failure here means it is taken.
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::ConstraintViolation =>
            {
                Err(Error::field(
                    "number",
                    format!("extension {number} already exists"),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The extension with this number, if any.
    pub fn extension(&self, number: &str) -> Result<Option<Extension>> {
        Ok(self
            .conn
            .query_row(
                "SELECT number, name, realm, ha1_md5, ha1_sha256, created_at, outbound_allowed,
                        srtp_required
                 FROM extensions WHERE number = ?1",
                [number],
                from_row,
            )
            .optional()?)
    }

    /// All extensions, ordered by number (shorter numbers first, as people read them).
    pub fn extensions(&self) -> Result<Vec<Extension>> {
        let mut stmt = self.conn.prepare(
            "SELECT number, name, realm, ha1_md5, ha1_sha256, created_at, outbound_allowed,
                        srtp_required
             FROM extensions ORDER BY length(number), number",
        )?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Changes the display name.
    pub fn rename_extension(&self, number: &str, name: &str) -> Result<()> {
        if let Some(e) = check_name(name) {
            return Err(Error::Invalid(ValidationErrors(vec![e])));
        }
        let changed = self.conn.execute(
            "UPDATE extensions SET name = ?2 WHERE number = ?1",
            params![number, name.trim()],
        )?;
        if changed == 0 {
            return Err(Error::ExtensionNotFound(number.to_owned()));
        }
        Ok(())
    }

    /// Replaces the password with a new generated one, hashed for `realm` (also the way to
    /// move an extension to a new realm). Returns the new password.
    pub fn reset_password(&self, number: &str, realm: &str) -> Result<String> {
        if let Some(e) = check_realm(realm) {
            return Err(Error::Invalid(ValidationErrors(vec![e])));
        }
        let password = generate_secret();
        let changed = self.conn.execute(
            "UPDATE extensions SET realm = ?2, ha1_md5 = ?3, ha1_sha256 = ?4 WHERE number = ?1",
            params![
                number,
                realm,
                ha1_md5(number, realm, &password),
                ha1_sha256(number, realm, &password)
            ],
        )?;
        if changed == 0 {
            return Err(Error::ExtensionNotFound(number.to_owned()));
        }
        Ok(password)
    }

    /// Allows or forbids calls out through trunks from this extension.
    pub fn set_outbound_allowed(&self, number: &str, allowed: bool) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE extensions SET outbound_allowed = ?2 WHERE number = ?1",
            params![number, allowed],
        )?;
        if changed == 0 {
            return Err(Error::ExtensionNotFound(number.to_owned()));
        }
        Ok(())
    }

    /// Makes this extension's calls always encrypted (SRTP), or leaves them to the office
    /// rule.
    pub fn set_srtp_required(&self, number: &str, required: bool) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE extensions SET srtp_required = ?2 WHERE number = ?1",
            params![number, required],
        )?;
        if changed == 0 {
            return Err(Error::ExtensionNotFound(number.to_owned()));
        }
        Ok(())
    }

    /// Deletes the extension and, through the foreign key, all its registrations. Call
    /// records keep the number as text. Refused while a ring group, business name, trunk
    /// or schedule still sends calls to it.
    pub fn remove_extension(&self, number: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let mut by = destination::referrers(&tx, destination::EXTENSION, number)?;
        by.extend(destination::referrers(&tx, destination::VOICEMAIL, number)?);
        by.extend(ring_groups::member_of(&tx, number)?);
        destination::refuse_if_used(format!("extension {number}"), by)?;
        let changed = tx.execute("DELETE FROM extensions WHERE number = ?1", [number])?;
        if changed == 0 {
            return Err(Error::ExtensionNotFound(number.to_owned()));
        }
        tx.commit()?;
        Ok(())
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Extension> {
    Ok(Extension {
        number: row.get(0)?,
        name: row.get(1)?,
        realm: row.get(2)?,
        ha1_md5: row.get(3)?,
        ha1_sha256: row.get(4)?,
        created_at: row.get(5)?,
        outbound_allowed: row.get(6)?,
        srtp_required: row.get(7)?,
    })
}

/// Numbers are dialled on keypads and used as SIP usernames: digits only.
pub(crate) fn check_number(number: &str) -> Option<FieldError> {
    let ok = (2..=10).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
    (!ok).then(|| FieldError {
        field: "number",
        message: "must be 2 to 10 digits".to_owned(),
    })
}

/// The name travels in SIP From headers and on phone screens: one printable line.
fn check_name(name: &str) -> Option<FieldError> {
    let trimmed = name.trim();
    let len = trimmed.chars().count();
    let message = if !(1..=NAME_MAX_CHARS).contains(&len) {
        format!("must be 1 to {NAME_MAX_CHARS} characters")
    } else if trimmed.chars().any(char::is_control) {
        "must not contain control characters".to_owned()
    } else {
        return None;
    };
    Some(FieldError {
        field: "name",
        message,
    })
}

/// The realm is sent as a quoted-string in WWW-Authenticate (RFC 7616 §3.3) and typed into
/// phones: one line, nothing that needs escaping.
fn check_realm(realm: &str) -> Option<FieldError> {
    let ok = !realm.is_empty()
        && realm.len() <= 128
        && !realm
            .chars()
            .any(|c| c.is_control() || c == '"' || c == '\\');
    (!ok).then(|| FieldError {
        field: "realm",
        message: "must be 1 to 128 characters without quotes or backslashes".to_owned(),
    })
}
