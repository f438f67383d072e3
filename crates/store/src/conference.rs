//! Conference rooms: a number people dial (or a business name or transfer leads to), a
//! name, and an optional PIN every participant types before joining.
//!
//! A room's PIN keeps strangers out of a meeting much as a mailbox PIN keeps them out of
//! the messages, and a caller from outside can guess it by DTMF the same way, so it follows
//! the mailbox rule ([`crate::voicemail::check_pin`]): 4 to 10 digits, not one digit
//! repeated, not a run like 1234, not the room number. It is stored only as an Argon2id
//! hash (a PHC string with its own salt), since people reuse PINs. A room number must not
//! be an extension's or a ring group's: one number, one destination.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension};

use crate::destination::{self, CONFERENCE};
use crate::extensions::check_number;
use crate::{Error, Result, Store};

/// Shortest room PIN accepted (the mailbox rule's).
pub const ROOM_PIN_MIN_DIGITS: usize = crate::voicemail::PIN_MIN_DIGITS;
/// Longest room PIN accepted.
pub const ROOM_PIN_MAX_DIGITS: usize = crate::voicemail::PIN_MAX_DIGITS;
/// Longest room name.
const ROOM_NAME_MAX_CHARS: usize = 60;

/// A room as the admin screens list it (the PIN itself is never read back).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConferenceRoom {
    pub number: String,
    pub name: String,
    /// Whether callers must type a PIN to join.
    pub has_pin: bool,
}

/// A room as the PBX needs it: with the PIN's hash, to check what callers type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceRoomAccess {
    pub number: String,
    pub name: String,
    /// Argon2id PHC string of the PIN; `None` when the room is open.
    pub pin_hash: Option<String>,
}

/// What to do with a room's PIN when it is edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinChange {
    Keep,
    Remove,
    Set(String),
}

impl Store {
    /// Every room, ordered by number.
    pub fn conference_rooms(&self) -> Result<Vec<ConferenceRoom>> {
        Ok(self
            .conference_room_access()?
            .into_iter()
            .map(|r| ConferenceRoom {
                number: r.number,
                name: r.name,
                has_pin: r.pin_hash.is_some(),
            })
            .collect())
    }

    /// Every room with its PIN hash, for the PBX.
    pub fn conference_room_access(&self) -> Result<Vec<ConferenceRoomAccess>> {
        let mut stmt = self
            .conn
            .prepare("SELECT number, name, pin_hash FROM conference_rooms ORDER BY number")?;
        let rows = stmt.query_map([], |r| {
            Ok(ConferenceRoomAccess {
                number: r.get(0)?,
                name: r.get(1)?,
                pin_hash: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Creates a room. Refuses a number that is not 2 to 10 digits or already belongs to an
    /// extension, ring group or room, an empty name, and a PIN that is too short, too long
    /// or easy to guess.
    pub fn create_conference_room(
        &self,
        number: &str,
        name: &str,
        pin: Option<&str>,
    ) -> Result<ConferenceRoom> {
        let name = check_room_name(name)?;
        if let Some(e) = check_number(number) {
            return Err(Error::Invalid(crate::ValidationErrors(vec![e])));
        }
        let hash = pin.map(|pin| hash_room_pin(number, pin)).transpose()?;
        let tx = self.write_tx()?;
        if destination::extension_exists(&tx, number)? {
            return Err(Error::field(
                "number",
                format!("extension {number} already has this number"),
            ));
        }
        if destination::ring_group_exists(&tx, number)? {
            return Err(Error::field(
                "number",
                format!("ring group {number} already has this number"),
            ));
        }
        if destination::conference_room_exists(&tx, number)? {
            return Err(Error::field(
                "number",
                format!("conference room {number} already exists"),
            ));
        }
        tx.execute(
            "INSERT INTO conference_rooms (number, name, pin_hash) VALUES (?1, ?2, ?3)",
            params![number, name, hash],
        )?;
        tx.commit()?;
        Ok(ConferenceRoom {
            number: number.to_owned(),
            name,
            has_pin: hash.is_some(),
        })
    }

    /// Renames a room and sets, keeps or removes its PIN.
    pub fn edit_conference_room(
        &self,
        number: &str,
        name: &str,
        pin: &PinChange,
    ) -> Result<ConferenceRoom> {
        let name = check_room_name(name)?;
        let tx = self.write_tx()?;
        if !destination::conference_room_exists(&tx, number)? {
            return Err(Error::NotFound(format!("conference room {number}")));
        }
        tx.execute(
            "UPDATE conference_rooms SET name = ?2 WHERE number = ?1",
            params![number, name],
        )?;
        match pin {
            PinChange::Keep => {}
            PinChange::Remove => {
                tx.execute(
                    "UPDATE conference_rooms SET pin_hash = NULL WHERE number = ?1",
                    [number],
                )?;
            }
            PinChange::Set(pin) => {
                let hash = hash_room_pin(number, pin)?;
                tx.execute(
                    "UPDATE conference_rooms SET pin_hash = ?2 WHERE number = ?1",
                    params![number, hash],
                )?;
            }
        }
        let has_pin: bool = tx.query_row(
            "SELECT pin_hash IS NOT NULL FROM conference_rooms WHERE number = ?1",
            [number],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(ConferenceRoom {
            number: number.to_owned(),
            name,
            has_pin,
        })
    }

    /// Removes a room; refused while a business name, trunk, group or schedule leads to it.
    pub fn remove_conference_room(&self, number: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let name: String = tx
            .query_row(
                "SELECT name FROM conference_rooms WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("conference room {number}")))?;
        let by = destination::referrers(&tx, CONFERENCE, number)?;
        destination::refuse_if_used(format!("conference room {number} \"{name}\""), by)?;
        tx.execute("DELETE FROM conference_rooms WHERE number = ?1", [number])?;
        tx.commit()?;
        Ok(())
    }
}

/// Whether `pin` is the one hashed in `hash` (a PHC string from [`Store`]). A hash that
/// cannot be read matches nothing, so a damaged row locks the room rather than opening it.
pub fn verify_room_pin(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn check_room_name(name: &str) -> Result<String> {
    let trimmed = name.trim();
    let len = trimmed.chars().count();
    if !(1..=ROOM_NAME_MAX_CHARS).contains(&len) || trimmed.chars().any(char::is_control) {
        return Err(Error::field(
            "name",
            format!("must be 1 to {ROOM_NAME_MAX_CHARS} characters on one line"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Refuses a weak PIN for room `number` (on field `pin`), then hashes it.
fn hash_room_pin(number: &str, pin: &str) -> Result<String> {
    crate::voicemail::check_pin(number, pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::field("pin", format!("cannot be hashed: {e}")))
}
