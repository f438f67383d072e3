//! Registrations ("bindings", RFC 3261 §10): where each extension's phones can be reached.
//! Saved so that a restart keeps every phone reachable without waiting for it to re-register.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use rusqlite::{params, Connection, Row};
use serde::Serialize;

use crate::{Result, Store};

/// Transport the REGISTER arrived on; requests to the phone go back the same way (and, behind
/// NAT, to the same source address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}

impl Transport {
    /// The lower-case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
            Transport::Ws => "ws",
            Transport::Wss => "wss",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Transport {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "udp" => Transport::Udp,
            "tcp" => Transport::Tcp,
            "tls" => Transport::Tls,
            "ws" => Transport::Ws,
            "wss" => Transport::Wss,
            _ => return Err(()),
        })
    }
}

/// One registered contact of an extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// Extension number (the address-of-record's user part).
    pub extension: String,
    /// Contact URI as the phone sent it.
    pub contact: String,
    /// `+sip.instance` of the Contact (RFC 5626 §4.1), when the phone sends one.
    pub instance: Option<String>,
    pub transport: Transport,
    /// Where the REGISTER came from: behind NAT this, not the Contact, reaches the phone.
    pub source: SocketAddr,
    pub user_agent: Option<String>,
    /// Unix seconds after which the binding no longer counts.
    pub expires_at: i64,
    /// Call-ID and CSeq of the last REGISTER, to discard stale or reordered ones
    /// (RFC 3261 §10.3 step 7).
    pub call_id: String,
    pub cseq: u32,
    /// Unix seconds of the last change.
    pub updated_at: i64,
}

impl Binding {
    /// What identifies a binding within its extension: the instance ID when present, since the
    /// same device keeps it across Contact changes (RFC 5626 §4.1), else the Contact URI
    /// (RFC 3261 §10.3).
    pub fn key(&self) -> &str {
        self.instance.as_deref().unwrap_or(&self.contact)
    }
}

impl Store {
    /// Inserts or replaces a binding right away (one transaction). For the REGISTER path use
    /// [`crate::BindingWriter`], which batches. Ignored when the extension does not exist.
    pub fn upsert_binding(&self, binding: &Binding) -> Result<()> {
        upsert(&self.conn, binding)
    }

    /// Removes one binding of an extension by its [`Binding::key`].
    pub fn remove_binding(&self, extension: &str, key: &str) -> Result<()> {
        remove(&self.conn, extension, key)
    }

    /// Removes every binding of an extension (REGISTER with `Contact: *`, RFC 3261 §10.3).
    pub fn remove_bindings(&self, extension: &str) -> Result<()> {
        remove_all(&self.conn, extension)
    }

    /// Deletes bindings that expired at or before `now_unix`; returns how many.
    pub fn purge_expired_bindings(&self, now_unix: i64) -> Result<usize> {
        purge_expired(&self.conn, now_unix)
    }

    /// The bindings of one extension, live or not, soonest expiry first.
    pub fn bindings(&self, extension: &str) -> Result<Vec<Binding>> {
        query(
            &self.conn,
            &format!("SELECT {COLUMNS} FROM bindings WHERE extension = ?1 ORDER BY expires_at"),
            params![extension],
        )
    }

    /// Every binding still valid after `now_unix`: what the registrar starts with after a
    /// restart.
    pub fn load_live_bindings(&self, now_unix: i64) -> Result<Vec<Binding>> {
        query(
            &self.conn,
            &format!(
                "SELECT {COLUMNS} FROM bindings WHERE expires_at > ?1
                 ORDER BY extension, expires_at"
            ),
            params![now_unix],
        )
    }
}

const COLUMNS: &str =
    "extension, contact, instance, transport, source, user_agent, expires_at, call_id, cseq, updated_at";

/// The insert only happens when the extension exists, so a registration that races with the
/// extension's removal is dropped instead of failing a whole batch on the foreign key.
pub(crate) fn upsert(conn: &Connection, b: &Binding) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO bindings (extension, binding_key, contact, instance, transport, source,
                               user_agent, expires_at, call_id, cseq, updated_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
         WHERE EXISTS (SELECT 1 FROM extensions WHERE number = ?1)
         ON CONFLICT (extension, binding_key) DO UPDATE SET
             contact = excluded.contact, instance = excluded.instance,
             transport = excluded.transport, source = excluded.source,
             user_agent = excluded.user_agent, expires_at = excluded.expires_at,
             call_id = excluded.call_id, cseq = excluded.cseq, updated_at = excluded.updated_at",
    )?
    .execute(params![
        b.extension,
        b.key(),
        b.contact,
        b.instance,
        b.transport.as_str(),
        b.source.to_string(),
        b.user_agent,
        b.expires_at,
        b.call_id,
        b.cseq,
        b.updated_at
    ])?;
    Ok(())
}

pub(crate) fn remove(conn: &Connection, extension: &str, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM bindings WHERE extension = ?1 AND binding_key = ?2")?
        .execute(params![extension, key])?;
    Ok(())
}

pub(crate) fn remove_all(conn: &Connection, extension: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM bindings WHERE extension = ?1")?
        .execute(params![extension])?;
    Ok(())
}

pub(crate) fn purge_expired(conn: &Connection, now_unix: i64) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM bindings WHERE expires_at <= ?1")?
        .execute(params![now_unix])?)
}

/// Runs a binding query; a row that no longer parses (hand-edited file) is skipped with a
/// warning rather than keeping the PBX from starting.
fn query(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Binding>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        match from_row(row)? {
            Some(b) => out.push(b),
            None => tracing::warn!("skipping a stored registration with an unreadable address"),
        }
    }
    Ok(out)
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Option<Binding>> {
    let transport: String = row.get(3)?;
    let source: String = row.get(4)?;
    let (Ok(transport), Ok(source)) = (transport.parse(), source.parse()) else {
        return Ok(None);
    };
    Ok(Some(Binding {
        extension: row.get(0)?,
        contact: row.get(1)?,
        instance: row.get(2)?,
        transport,
        source,
        user_agent: row.get(5)?,
        expires_at: row.get(6)?,
        call_id: row.get(7)?,
        cseq: row.get(8)?,
        updated_at: row.get(9)?,
    }))
}
