//! The softphone's call history: each call placed, taken or missed, with whom and for how
//! long. It feeds the phone screen's recent calls (and contacts to call back) and the
//! missed-call count the tray shows until the person has looked.

use rusqlite::params;

use crate::{Result, Store};

/// How many calls are kept; older ones go as new ones come.
pub const PHONE_HISTORY_KEEP: i64 = 500;

/// Which way a call went, as the history shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneCallKind {
    /// Placed from this phone.
    Out,
    /// Taken (answered) here.
    In,
    /// Came in and was not answered: given up by the caller, declined, or refused by
    /// do-not-disturb or a busy phone.
    Missed,
}

impl PhoneCallKind {
    fn as_str(self) -> &'static str {
        match self {
            PhoneCallKind::Out => "out",
            PhoneCallKind::In => "in",
            PhoneCallKind::Missed => "missed",
        }
    }

    fn parse(s: &str) -> PhoneCallKind {
        match s {
            "out" => PhoneCallKind::Out,
            "in" => PhoneCallKind::In,
            _ => PhoneCallKind::Missed,
        }
    }
}

/// One call of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneHistoryEntry {
    pub id: i64,
    pub kind: PhoneCallKind,
    pub number: String,
    pub name: Option<String>,
    /// Unix seconds when it started ringing or was dialled.
    pub started_at: i64,
    /// Seconds talked; 0 when never answered.
    pub duration_s: i64,
    /// A missed call the person has not looked at yet.
    pub unseen: bool,
}

/// A call to add to the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPhoneCall {
    pub kind: PhoneCallKind,
    pub number: String,
    pub name: Option<String>,
    pub started_at: i64,
    pub duration_s: i64,
    /// Missed calls count as unseen unless the person already saw them (declined).
    pub unseen: bool,
}

impl Store {
    /// Adds a finished call and drops the oldest beyond [`PHONE_HISTORY_KEEP`].
    pub fn add_phone_call(&self, call: &NewPhoneCall) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO phone_history (kind, number, name, started_at, duration_s, unseen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                call.kind.as_str(),
                call.number,
                call.name,
                call.started_at,
                call.duration_s.max(0),
                call.unseen && call.kind == PhoneCallKind::Missed,
            ],
        )?;
        let id = self.conn.last_insert_rowid();
        self.conn.execute(
            "DELETE FROM phone_history WHERE id <= ?1",
            params![id - PHONE_HISTORY_KEEP],
        )?;
        Ok(id)
    }

    /// The latest `limit` calls, newest first.
    pub fn phone_history(&self, limit: u32) -> Result<Vec<PhoneHistoryEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, number, name, started_at, duration_s, unseen
             FROM phone_history ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit], |r| {
            Ok(PhoneHistoryEntry {
                id: r.get(0)?,
                kind: PhoneCallKind::parse(&r.get::<_, String>(1)?),
                number: r.get(2)?,
                name: r.get(3)?,
                started_at: r.get(4)?,
                duration_s: r.get(5)?,
                unseen: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Missed calls not looked at yet.
    pub fn unseen_missed_calls(&self) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM phone_history WHERE unseen = 1",
            [],
            |r| r.get(0),
        )?)
    }

    /// The person has seen the missed calls.
    pub fn mark_missed_calls_seen(&self) -> Result<()> {
        self.conn
            .execute("UPDATE phone_history SET unseen = 0 WHERE unseen = 1", [])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(kind: PhoneCallKind, number: &str, at: i64) -> NewPhoneCall {
        NewPhoneCall {
            kind,
            number: number.into(),
            name: Some(format!("Person {number}")),
            started_at: at,
            duration_s: if kind == PhoneCallKind::Missed { 0 } else { 42 },
            unseen: true,
        }
    }

    #[test]
    fn calls_are_listed_newest_first_and_missed_ones_count_until_seen() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        store
            .add_phone_call(&call(PhoneCallKind::Out, "101", 10))
            .expect("add");
        store
            .add_phone_call(&call(PhoneCallKind::Missed, "102", 20))
            .expect("add");
        store
            .add_phone_call(&call(PhoneCallKind::In, "103", 30))
            .expect("add");
        let mut declined = call(PhoneCallKind::Missed, "104", 40);
        declined.unseen = false;
        store.add_phone_call(&declined).expect("add");
        let list = store.phone_history(10).expect("list");
        let numbers: Vec<&str> = list.iter().map(|c| c.number.as_str()).collect();
        assert_eq!(numbers, ["104", "103", "102", "101"]);
        assert_eq!(list[1].kind, PhoneCallKind::In);
        assert_eq!(list[1].duration_s, 42);
        assert!(!list[1].unseen, "only missed calls are unseen");
        assert_eq!(store.unseen_missed_calls().expect("count"), 1);
        store.mark_missed_calls_seen().expect("seen");
        assert_eq!(store.unseen_missed_calls().expect("count"), 0);
        assert_eq!(store.phone_history(2).expect("list").len(), 2);
    }

    #[test]
    fn the_history_keeps_only_the_latest_calls() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        for i in 0..PHONE_HISTORY_KEEP + 3 {
            store
                .add_phone_call(&call(PhoneCallKind::Out, &i.to_string(), i))
                .expect("add");
        }
        let list = store.phone_history(1000).expect("list");
        assert_eq!(list.len() as i64, PHONE_HISTORY_KEEP);
        assert_eq!(list.last().map(|c| c.number.as_str()), Some("3"));
    }
}
