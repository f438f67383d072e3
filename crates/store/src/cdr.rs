//! Call detail records: one row per call, written when it ends, for the call history.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{params, Row, ToSql};
use serde::Serialize;

use crate::{Result, Store};

/// How a call ended, as the history shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    /// Every destination was busy (486/600).
    Busy,
    /// It rang and nobody answered before the timeout.
    NoAnswer,
    /// The extension exists but no phone was registered or reachable.
    Unavailable,
    /// The dialled number matched nothing.
    NotFound,
    /// The caller hung up before anyone answered.
    Cancelled,
    /// Anything else: errors from a trunk, timeouts, internal errors.
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Answered,
        Outcome::Busy,
        Outcome::NoAnswer,
        Outcome::Unavailable,
        Outcome::NotFound,
        Outcome::Cancelled,
        Outcome::Failed,
    ];

    /// The snake_case name stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Busy => "busy",
            Outcome::NoAnswer => "no_answer",
            Outcome::Unavailable => "unavailable",
            Outcome::NotFound => "not_found",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed => "failed",
        }
    }
}

/// Who ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HangupBy {
    Caller,
    Callee,
    /// The PBX: timeout, failure, shutdown.
    System,
}

impl HangupBy {
    pub const ALL: [HangupBy; 3] = [HangupBy::Caller, HangupBy::Callee, HangupBy::System];

    /// The snake_case name stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            HangupBy::Caller => "caller",
            HangupBy::Callee => "callee",
            HangupBy::System => "system",
        }
    }
}

/// Which way a call went, relative to the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Between the office's own extensions and groups.
    Internal,
    /// From a trunk into the office.
    Inbound,
    /// From an extension out through a trunk.
    Outbound,
}

impl Direction {
    pub const ALL: [Direction; 3] = [Direction::Internal, Direction::Inbound, Direction::Outbound];

    /// The snake_case name stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Internal => "internal",
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// Text conversions and SQL mapping for a fieldless enum with `ALL` and `as_str`.
macro_rules! text_enum {
    ($ty:ty) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = ();
            fn from_str(s: &str) -> std::result::Result<Self, ()> {
                <$ty>::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
            }
        }
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|()| FromSqlError::InvalidType)
            }
        }
    };
}
text_enum!(Outcome);
text_enum!(HangupBy);
text_enum!(Direction);

/// A finished call, as the engine reports it. Times are unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCdr {
    pub call_id: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    /// The number as dialled.
    pub callee: String,
    /// Extension that picked up (differs from `callee` for ring groups), if any.
    pub answered_by: Option<String>,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: i64,
    pub outcome: Outcome,
    pub hangup_by: HangupBy,
    /// Free text: SIP status and reason phrase, Q.850 cause, …
    pub reason: Option<String>,
    /// The business name the caller dialled (`sales.acme`), for trunk calls to one.
    pub business_name: Option<String>,
    /// The name of the trunk the call came in or went out by.
    pub trunk: Option<String>,
    pub direction: Direction,
    /// The call found every channel of its trunk busy (it went to overflow or was refused),
    /// so the owner can see when to buy more lines.
    pub lines_busy: bool,
}

/// A stored call record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cdr {
    pub id: i64,
    pub call_id: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    pub callee: String,
    pub answered_by: Option<String>,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: i64,
    /// Talk time: from answer to end, 0 when unanswered.
    pub duration_s: i64,
    pub outcome: Outcome,
    pub hangup_by: HangupBy,
    pub reason: Option<String>,
    pub business_name: Option<String>,
    pub trunk: Option<String>,
    pub direction: Direction,
    pub lines_busy: bool,
}

/// Which records to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdrFilter {
    /// Only calls where this number is the caller, the dialled number or who answered.
    pub number: Option<String>,
    pub outcome: Option<Outcome>,
    pub direction: Option<Direction>,
    /// Only calls by the trunk with this name.
    pub trunk: Option<String>,
    /// Only calls to this business name.
    pub business_name: Option<String>,
    /// Only calls that found every line busy (`Some(true)`), or only the others.
    pub lines_busy: Option<bool>,
    pub limit: u32,
}

impl Default for CdrFilter {
    fn default() -> Self {
        CdrFilter {
            number: None,
            outcome: None,
            direction: None,
            trunk: None,
            business_name: None,
            lines_busy: None,
            limit: 100,
        }
    }
}

impl Store {
    /// Saves a finished call; returns its id.
    pub fn insert_cdr(&self, cdr: &NewCdr) -> Result<i64> {
        insert_on(&self.conn, cdr)
    }

    /// Inserts several records in one transaction: one fsync for the lot.
    pub fn insert_cdrs(&mut self, cdrs: &[NewCdr]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for cdr in cdrs {
            insert_on(&tx, cdr)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// One INSERT on `conn` (the store's connection or an open transaction).
fn insert_on(conn: &rusqlite::Connection, cdr: &NewCdr) -> Result<i64> {
    {
        // Talk time counts from the answer; a clock step backwards must not make it negative.
        let duration_s = cdr
            .answered_at
            .map_or(0, |answered| (cdr.ended_at - answered).max(0));
        conn.prepare_cached(
            "INSERT INTO cdr (call_id, caller_number, caller_name, callee, answered_by,
                                  started_at, answered_at, ended_at, duration_s, outcome,
                                  hangup_by, reason, business_name, trunk, direction,
                                  lines_busy)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?
        .execute(params![
            cdr.call_id,
            cdr.caller_number,
            cdr.caller_name,
            cdr.callee,
            cdr.answered_by,
            cdr.started_at,
            cdr.answered_at,
            cdr.ended_at,
            duration_s,
            cdr.outcome,
            cdr.hangup_by,
            cdr.reason,
            cdr.business_name,
            cdr.trunk,
            cdr.direction,
            cdr.lines_busy
        ])?;
        Ok(conn.last_insert_rowid())
    }
}

impl Store {
    /// Call records matching `filter`, newest first.
    pub fn list_cdrs(&self, filter: &CdrFilter) -> Result<Vec<Cdr>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, call_id, caller_number, caller_name, callee, answered_by, started_at,
                    answered_at, ended_at, duration_s, outcome, hangup_by, reason,
                    business_name, trunk, direction, lines_busy
             FROM cdr
             WHERE (?1 IS NULL OR caller_number = ?1 OR callee = ?1 OR answered_by = ?1)
               AND (?2 IS NULL OR outcome = ?2)
               AND (?4 IS NULL OR direction = ?4)
               AND (?5 IS NULL OR trunk = ?5)
               AND (?6 IS NULL OR business_name = ?6)
               AND (?7 IS NULL OR lines_busy = ?7)
             ORDER BY started_at DESC, id DESC
             LIMIT ?3",
        )?;
        let rows = stmt.query_map(
            params![
                filter.number,
                filter.outcome,
                filter.limit,
                filter.direction,
                filter.trunk,
                filter.business_name,
                filter.lines_busy
            ],
            from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Cdr> {
    Ok(Cdr {
        id: row.get(0)?,
        call_id: row.get(1)?,
        caller_number: row.get(2)?,
        caller_name: row.get(3)?,
        callee: row.get(4)?,
        answered_by: row.get(5)?,
        started_at: row.get(6)?,
        answered_at: row.get(7)?,
        ended_at: row.get(8)?,
        duration_s: row.get(9)?,
        outcome: row.get(10)?,
        hangup_by: row.get(11)?,
        reason: row.get(12)?,
        business_name: row.get(13)?,
        trunk: row.get(14)?,
        direction: row.get(15)?,
        lines_busy: row.get(16)?,
    })
}
