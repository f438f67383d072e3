//! Destinations in the database: a kind and a target in two columns, so that everything
//! pointing at one ring group, schedule or extension is found with one query, both to refuse
//! removing it while in use and to follow it when a ring group changes number.

use pbx::dialplan::Destination;
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension};

use crate::{Error, Result};

pub(crate) const EXTENSION: &str = "extension";
pub(crate) const RING_GROUP: &str = "ring_group";
pub(crate) const CONFERENCE: &str = "conference";
pub(crate) const VOICEMAIL: &str = "voicemail";
pub(crate) const HOURS: &str = "hours";
pub(crate) const HANGUP: &str = "hangup";

/// Every pair of destination columns: table, kind column, target column, and how a person
/// names the row holding it (an SQL expression over that row).
const COLUMNS: &[(&str, &str, &str, &str)] = &[
    (
        "business_names",
        "dest_kind",
        "dest_target",
        "'business name ' || name",
    ),
    (
        "trunks",
        "overflow_kind",
        "overflow_target",
        "'trunk \"' || name || '\" (overflow)'",
    ),
    (
        "trunks",
        "default_kind",
        "default_target",
        "'trunk \"' || name || '\"'",
    ),
    (
        "ring_groups",
        "final_kind",
        "final_target",
        "'ring group ' || number",
    ),
    (
        "schedules",
        "open_kind",
        "open_target",
        "'business hours \"' || name || '\"'",
    ),
    (
        "schedules",
        "closed_kind",
        "closed_target",
        "'business hours \"' || name || '\"'",
    ),
];

/// The two column values for `dest`.
pub(crate) fn encode(dest: &Destination) -> (&'static str, Option<String>) {
    match dest {
        Destination::Extension(n) => (EXTENSION, Some(n.clone())),
        Destination::RingGroup(n) => (RING_GROUP, Some(n.clone())),
        Destination::Conference(n) => (CONFERENCE, Some(n.clone())),
        Destination::Voicemail(n) => (VOICEMAIL, Some(n.clone())),
        Destination::Hours(id) => (HOURS, Some(id.to_string())),
        Destination::Hangup => (HANGUP, None),
    }
}

/// Like [`encode`], for an optional destination (both columns NULL when `None`).
pub(crate) fn encode_opt(dest: Option<&Destination>) -> (Option<&'static str>, Option<String>) {
    match dest.map(encode) {
        Some((kind, target)) => (Some(kind), target),
        None => (None, None),
    }
}

/// Reads the destination in columns `col` (kind) and `col + 1` (target) of `row`.
pub(crate) fn decode(row: &rusqlite::Row<'_>, col: usize) -> rusqlite::Result<Destination> {
    let kind: String = row.get(col)?;
    let target: Option<String> = row.get(col + 1)?;
    parse(&kind, target).ok_or_else(|| bad_column(col, &kind))
}

/// Like [`decode`], where a NULL kind means no destination.
pub(crate) fn decode_opt(
    row: &rusqlite::Row<'_>,
    col: usize,
) -> rusqlite::Result<Option<Destination>> {
    let Some(kind) = row.get::<_, Option<String>>(col)? else {
        return Ok(None);
    };
    let target: Option<String> = row.get(col + 1)?;
    parse(&kind, target)
        .map(Some)
        .ok_or_else(|| bad_column(col, &kind))
}

fn parse(kind: &str, target: Option<String>) -> Option<Destination> {
    Some(match kind {
        EXTENSION => Destination::Extension(target?),
        RING_GROUP => Destination::RingGroup(target?),
        CONFERENCE => Destination::Conference(target?),
        VOICEMAIL => Destination::Voicemail(target?),
        HOURS => Destination::Hours(target?.parse().ok()?),
        HANGUP => Destination::Hangup,
        _ => return None,
    })
}

/// A stored value this version cannot read: reported as a conversion failure of its column.
pub(crate) fn bad_column(col: usize, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        col,
        Type::Text,
        format!("unknown stored value {value:?}").into(),
    )
}

/// Refuses a destination that names an extension, ring group or schedule that does not
/// exist, as a field error on `field`. A voicemail box belongs to an extension or a ring group.
pub(crate) fn check_exists(
    conn: &Connection,
    field: &'static str,
    dest: &Destination,
) -> Result<()> {
    let missing = match dest {
        Destination::Extension(n) => {
            (!extension_exists(conn, n)?).then(|| format!("no extension {n}"))
        }
        Destination::RingGroup(n) => {
            (!ring_group_exists(conn, n)?).then(|| format!("no ring group {n}"))
        }
        Destination::Voicemail(n) => (!extension_exists(conn, n)? && !ring_group_exists(conn, n)?)
            .then(|| format!("no extension or ring group {n} for voicemail")),
        Destination::Hours(id) => {
            (!schedule_exists(conn, *id)?).then(|| format!("no business hours schedule {id}"))
        }
        Destination::Conference(n) => {
            (!conference_room_exists(conn, n)?).then(|| format!("no conference room {n}"))
        }
        Destination::Hangup => None,
    };
    match missing {
        Some(message) => Err(Error::field(field, message)),
        None => Ok(()),
    }
}

pub(crate) fn extension_exists(conn: &Connection, number: &str) -> Result<bool> {
    exists(conn, "SELECT 1 FROM extensions WHERE number = ?1", number)
}

pub(crate) fn ring_group_exists(conn: &Connection, number: &str) -> Result<bool> {
    exists(conn, "SELECT 1 FROM ring_groups WHERE number = ?1", number)
}

pub(crate) fn conference_room_exists(conn: &Connection, number: &str) -> Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM conference_rooms WHERE number = ?1",
        number,
    )
}

pub(crate) fn schedule_exists(conn: &Connection, id: i64) -> Result<bool> {
    exists(conn, "SELECT 1 FROM schedules WHERE id = ?1", id)
}

pub(crate) fn trunk_exists(conn: &Connection, id: i64) -> Result<bool> {
    exists(conn, "SELECT 1 FROM trunks WHERE id = ?1", id)
}

fn exists(conn: &Connection, sql: &str, key: impl rusqlite::ToSql) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row([key], |_| Ok(()))
        .optional()?
        .is_some())
}

/// How a person names every row whose destination is `kind`/`target`.
pub(crate) fn referrers(conn: &Connection, kind: &str, target: &str) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (table, kind_col, target_col, label) in COLUMNS {
        let sql =
            format!("SELECT {label} FROM {table} WHERE {kind_col} = ?1 AND {target_col} = ?2");
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![kind, target], |r| r.get::<_, String>(0))?;
        for row in rows {
            found.push(row?);
        }
    }
    Ok(found)
}

/// Points every destination `kind`/`old` at `new` instead (a ring group changed number).
pub(crate) fn retarget(conn: &Connection, kind: &str, old: &str, new: &str) -> Result<()> {
    for (table, kind_col, target_col, _) in COLUMNS {
        let sql = format!(
            "UPDATE {table} SET {target_col} = ?3 WHERE {kind_col} = ?1 AND {target_col} = ?2"
        );
        conn.prepare_cached(&sql)?
            .execute(params![kind, old, new])?;
    }
    Ok(())
}

/// Refuses with [`Error::InUse`] when anything refers to `what`.
pub(crate) fn refuse_if_used(what: String, mut by: Vec<String>) -> Result<()> {
    if by.is_empty() {
        return Ok(());
    }
    by.dedup();
    Err(Error::InUse {
        what,
        by: by.join(", "),
    })
}
