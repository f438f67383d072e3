//! Voicemail: mailboxes (one per extension or ring group number, PIN-protected) and the
//! messages left in them.
//!
//! There is no default PIN: a mailbox takes messages only once its owner enables it with a
//! PIN of their own, and guessable ones (`1234`, `0000`, the extension's own number) are
//! refused, because the PIN guards listening by phone from any extension. Only an Argon2id
//! hash of the PIN (a PHC string carrying its own random salt) is stored.
//!
//! A message row names a file in the data folder's `voicemail/` directory. The recorder
//! writes and fsyncs the file under its final name *before* inserting the row, so a row never
//! names a missing or half-written file; deleting removes the row first and the caller removes
//! the file afterwards.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension, Row};

use crate::destination;
use crate::{Error, Result, Store};

/// Shortest PIN accepted.
pub const PIN_MIN_DIGITS: usize = 4;
/// Longest PIN accepted.
pub const PIN_MAX_DIGITS: usize = 10;

/// One mailbox as the admin screens list it: every extension and ring group has a line,
/// enabled or not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mailbox {
    /// The extension or ring group number the mailbox belongs to.
    pub number: String,
    /// Whether calls can leave messages (the owner has set a PIN).
    pub enabled: bool,
    /// Messages not yet heard.
    pub new_count: u32,
    /// Messages heard and kept.
    pub saved_count: u32,
}

/// A message left in a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VoicemailMessage {
    pub id: i64,
    /// The mailbox number.
    pub mailbox: String,
    /// Who called (the number as the PBX saw it, possibly `anonymous`).
    pub caller_number: String,
    pub caller_name: Option<String>,
    /// The business name the call arrived on, when it came in through a trunk.
    pub business_name: Option<String>,
    /// When the message was left, seconds since the Unix epoch.
    pub received_at: i64,
    /// Length of the recording.
    pub duration_ms: u64,
    /// Whether someone has listened to it (or marked it heard).
    pub heard: bool,
    /// File name inside the data folder's `voicemail/` directory (no directory part).
    pub file: String,
}

/// What the recorder knows about a message it has finished writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVoicemail {
    pub mailbox: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    pub business_name: Option<String>,
    pub received_at: i64,
    pub duration_ms: u64,
    /// File name inside `voicemail/`, already complete and fsynced under that name.
    pub file: String,
}

const MESSAGE_COLUMNS: &str = "id, mailbox, caller_number, caller_name, business_name, \
                               received_at, duration_ms, heard, file";

impl Store {
    /// Every extension and ring group number with its mailbox state and message counts,
    /// ordered by number.
    pub fn mailboxes(&self) -> Result<Vec<Mailbox>> {
        let mut stmt = self.conn.prepare(
            "SELECT n.number,
                    COALESCE(b.enabled, 0),
                    (SELECT COUNT(*) FROM voicemail_messages m
                      WHERE m.mailbox = n.number AND m.heard = 0),
                    (SELECT COUNT(*) FROM voicemail_messages m
                      WHERE m.mailbox = n.number AND m.heard = 1)
               FROM (SELECT number FROM extensions UNION SELECT number FROM ring_groups) n
               LEFT JOIN voicemail_boxes b ON b.number = n.number
              ORDER BY n.number",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Mailbox {
                number: r.get(0)?,
                enabled: r.get::<_, i64>(1)? != 0,
                new_count: r.get(2)?,
                saved_count: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The mailbox of `number` when it exists and is enabled: the PBX sends unanswered calls
    /// there only then.
    pub fn mailbox(&self, number: &str) -> Result<Option<Mailbox>> {
        Ok(self
            .mailboxes()?
            .into_iter()
            .find(|m| m.number == number && m.enabled))
    }

    /// Enables the mailbox of an extension or ring group with the owner's PIN, or changes
    /// the PIN of an enabled one. Refuses an unknown number and a weak PIN (field `pin`).
    pub fn enable_mailbox(&self, number: &str, pin: &str) -> Result<()> {
        check_pin(number, pin)?;
        let hash = hash_pin(pin)?;
        let tx = self.write_tx()?;
        if !destination::extension_exists(&tx, number)?
            && !destination::ring_group_exists(&tx, number)?
        {
            return Err(Error::NotFound(format!("extension or ring group {number}")));
        }
        tx.execute(
            "INSERT INTO voicemail_boxes (number, enabled, pin_hash) VALUES (?1, 1, ?2)
             ON CONFLICT(number) DO UPDATE SET enabled = 1, pin_hash = excluded.pin_hash",
            params![number, hash],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Stops calls from leaving messages and forgets the PIN; the messages already left stay
    /// listed. Disabling a mailbox that is not enabled does nothing.
    pub fn disable_mailbox(&self, number: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE voicemail_boxes SET enabled = 0, pin_hash = NULL WHERE number = ?1",
            [number],
        )?;
        Ok(())
    }

    /// Whether `pin` opens the enabled mailbox `number`. A disabled or unknown mailbox opens
    /// with no PIN at all.
    pub fn verify_mailbox_pin(&self, number: &str, pin: &str) -> Result<bool> {
        let hash: Option<String> = self
            .conn
            .query_row(
                "SELECT pin_hash FROM voicemail_boxes WHERE number = ?1 AND enabled = 1",
                [number],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let Some(hash) = hash else { return Ok(false) };
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return Ok(false);
        };
        Ok(Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok())
    }

    /// Messages, newest first: of one mailbox, or of all when `mailbox` is `None`.
    pub fn voicemail_messages(&self, mailbox: Option<&str>) -> Result<Vec<VoicemailMessage>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM voicemail_messages
              WHERE ?1 IS NULL OR mailbox = ?1
              ORDER BY received_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([mailbox], message_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a message whose file is already complete under its final name. Returns its id.
    pub fn insert_voicemail(&self, new: &NewVoicemail) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO voicemail_messages
                (mailbox, caller_number, caller_name, business_name, received_at,
                 duration_ms, heard, file)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
            params![
                new.mailbox,
                new.caller_number,
                new.caller_name,
                new.business_name,
                new.received_at,
                i64::try_from(new.duration_ms).unwrap_or(i64::MAX),
                new.file
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Marks a message heard (saved) or new again.
    pub fn mark_voicemail_heard(&self, id: i64, heard: bool) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE voicemail_messages SET heard = ?2 WHERE id = ?1",
            params![id, heard],
        )?;
        if changed == 0 {
            return Err(Error::NotFound(format!("voicemail message {id}")));
        }
        Ok(())
    }

    /// Deletes a message's row. The caller removes its file afterwards (a file without a
    /// row is harmless and is cleaned up on start; a row without a file is not).
    pub fn delete_voicemail(&self, id: i64) -> Result<()> {
        let changed = self
            .conn
            .execute("DELETE FROM voicemail_messages WHERE id = ?1", [id])?;
        if changed == 0 {
            return Err(Error::NotFound(format!("voicemail message {id}")));
        }
        Ok(())
    }

    /// The file name (inside `voicemail/`) of a message, if it exists.
    pub fn voicemail_file(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT file FROM voicemail_messages WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every file name the message rows refer to, so start-up can tell orphans from messages.
    pub fn voicemail_files(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT file FROM voicemail_messages")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn message_from_row(r: &Row<'_>) -> rusqlite::Result<VoicemailMessage> {
    Ok(VoicemailMessage {
        id: r.get(0)?,
        mailbox: r.get(1)?,
        caller_number: r.get(2)?,
        caller_name: r.get(3)?,
        business_name: r.get(4)?,
        received_at: r.get(5)?,
        duration_ms: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
        heard: r.get::<_, i64>(7)? != 0,
        file: r.get(8)?,
    })
}

/// Refuses a PIN that is not 4–10 digits or that a stranger would try first.
pub fn check_pin(number: &str, pin: &str) -> Result<()> {
    let digits: Vec<u8> = pin.bytes().collect();
    if digits.len() < PIN_MIN_DIGITS
        || digits.len() > PIN_MAX_DIGITS
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return Err(Error::field(
            "pin",
            format!("must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits"),
        ));
    }
    let first = digits.first().copied().unwrap_or(b'0');
    let repeated = digits.iter().all(|&d| d == first);
    // Runs up or down the keypad's digits (1234, 9876, 0123456789), wrapping 9→0 as
    // people type them.
    let step = |up: bool| {
        digits.windows(2).all(|w| match w {
            [a, b] if up => (a - b'0' + 1) % 10 == b - b'0',
            [a, b] => (b - b'0' + 1) % 10 == a - b'0',
            _ => true,
        })
    };
    let own_number = pin == number || pin.contains(number) && number.len() >= PIN_MIN_DIGITS;
    if repeated || step(true) || step(false) || own_number || pin == rev(number) {
        return Err(Error::field("pin", "is too easy to guess"));
    }
    Ok(())
}

fn rev(s: &str) -> String {
    s.chars().rev().collect()
}

fn hash_pin(pin: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::field("pin", format!("cannot be hashed: {e}")))
}
