//! Call recordings: the files written to the data folder's `recordings/` (the settings are
//! in `recording_settings.rs`).
//!
//! A listed row names a file that is already complete: the recorder writes under a
//! temporary name, fsyncs and renames before it marks the row complete, so a listed row
//! never names a half file and the retention clean-up (which deletes complete rows only)
//! can never touch a recording still being written. The row is written unfinished when
//! recording starts, so a recording a crash cut short (and start-up salvaged) keeps who
//! was on the call. Deleting removes the row first and the caller removes the file
//! afterwards.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Error, Result, Store};

/// What made a call be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingTrigger {
    /// Someone pressed Record (in the pages, or by feature code).
    OnDemand,
    /// An extension taking part has "always record" on.
    Extension,
    /// The call rang a ring group with "always record" on.
    RingGroup,
    /// The call came in on a business name with "always record" on.
    BusinessName,
}

impl RecordingTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingTrigger::OnDemand => "on_demand",
            RecordingTrigger::Extension => "extension",
            RecordingTrigger::RingGroup => "ring_group",
            RecordingTrigger::BusinessName => "business_name",
        }
    }

    fn parse(s: &str) -> RecordingTrigger {
        match s {
            "extension" => RecordingTrigger::Extension,
            "ring_group" => RecordingTrigger::RingGroup,
            "business_name" => RecordingTrigger::BusinessName,
            _ => RecordingTrigger::OnDemand,
        }
    }
}

/// A finished recording.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recording {
    pub id: i64,
    /// The caller's Call-ID: the call record with the same Call-ID is this call.
    pub call_id: String,
    /// The caller's number (left channel).
    pub caller: String,
    /// Who answered, or the number dialled (right channel).
    pub callee: String,
    /// When recording started, seconds since the Unix epoch.
    pub started_at: i64,
    pub duration_ms: u64,
    pub trigger: RecordingTrigger,
    /// The extension, ring group number or business name that triggered it (none for
    /// on-demand recordings).
    pub trigger_name: Option<String>,
    /// Path relative to the data folder (`recordings/…wav`).
    pub file: String,
    pub size_bytes: u64,
    /// The call's record in the history (the first with the same Call-ID), once written.
    pub call: Option<CallLink>,
}

/// What the call history says about a recorded call.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallLink {
    /// The call record's id.
    pub cdr_id: i64,
    pub caller_name: Option<String>,
    /// The business name the call came in on.
    pub business_name: Option<String>,
    /// How long the call was connected, in seconds.
    pub duration_s: i64,
}

/// What the recorder knows about a recording it has finished writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecording {
    pub call_id: String,
    pub caller: String,
    pub callee: String,
    pub started_at: i64,
    pub duration_ms: u64,
    pub trigger: RecordingTrigger,
    pub trigger_name: Option<String>,
    /// Relative to the data folder, complete and fsynced under that name.
    pub file: String,
    pub size_bytes: u64,
}

const COLUMNS: &str = "r.id, r.call_id, r.caller, r.callee, r.started_at, r.duration_ms, \
                       r.trigger, r.trigger_name, r.file, r.size_bytes, \
                       c.id, c.caller_name, c.business_name, c.duration_s";

/// Each recording with the first call record of its Call-ID.
const FROM: &str = "recordings r LEFT JOIN cdr c ON c.id = \
                    (SELECT MIN(id) FROM cdr WHERE cdr.call_id = r.call_id)";

impl Store {
    /// Recordings, newest first, at most `limit`.
    pub fn recordings(&self, limit: u32) -> Result<Vec<Recording>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE r.complete = 1
              ORDER BY r.started_at DESC, r.id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One recording, if it exists.
    pub fn recording(&self, id: i64) -> Result<Option<Recording>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = ?1 AND r.complete = 1"),
                [id],
                from_row,
            )
            .optional()?)
    }

    /// Lists a recording whose file is complete under its final name. Returns its id.
    pub fn insert_recording(&self, new: &NewRecording) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO recordings
                (call_id, caller, callee, started_at, duration_ms, trigger, trigger_name,
                 file, size_bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                new.call_id,
                new.caller,
                new.callee,
                new.started_at,
                i64::try_from(new.duration_ms).unwrap_or(i64::MAX),
                new.trigger.as_str(),
                new.trigger_name,
                new.file,
                i64::try_from(new.size_bytes).unwrap_or(i64::MAX),
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Writes the row of a recording that has just started (not listed until
    /// [`Store::finish_recording`]). Returns its id.
    pub fn begin_recording(&self, new: &NewRecording) -> Result<i64> {
        let id = self.insert_recording(new)?;
        self.conn
            .execute("UPDATE recordings SET complete = 0 WHERE id = ?1", [id])?;
        Ok(id)
    }

    /// Lists the recording begun with `file` now that the file is complete; false when no
    /// unfinished row has that file.
    pub fn finish_recording(&self, file: &str, duration_ms: u64, size_bytes: u64) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE recordings SET complete = 1, duration_ms = ?2, size_bytes = ?3
              WHERE file = ?1 AND complete = 0",
            params![
                file,
                i64::try_from(duration_ms).unwrap_or(i64::MAX),
                i64::try_from(size_bytes).unwrap_or(i64::MAX)
            ],
        )?;
        Ok(changed > 0)
    }

    /// Forgets the unfinished recording with `file` (it failed; there is no file).
    pub fn abandon_recording(&self, file: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM recordings WHERE file = ?1 AND complete = 0",
            [file],
        )?;
        Ok(())
    }

    /// The files of recordings begun but never finished (the program stopped meanwhile).
    pub fn unfinished_recordings(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT file FROM recordings WHERE complete = 0 ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes a recording's row and returns its file (relative to the data folder) for
    /// the caller to remove.
    pub fn delete_recording(&self, id: i64) -> Result<String> {
        let tx = self.write_tx()?;
        let file: Option<String> = tx
            .query_row(
                "SELECT file FROM recordings WHERE id = ?1 AND complete = 1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(file) = file else {
            return Err(Error::NotFound(format!("recording {id}")));
        };
        tx.execute("DELETE FROM recordings WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(file)
    }

    /// Deletes the rows of recordings started before `before_unix` and returns their files
    /// for the caller to remove.
    pub fn delete_recordings_before(&self, before_unix: i64) -> Result<Vec<String>> {
        let tx = self.write_tx()?;
        let files = {
            let mut stmt =
                tx.prepare("SELECT file FROM recordings WHERE started_at < ?1 AND complete = 1")?;
            let rows = stmt.query_map([before_unix], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()?
        };
        tx.execute(
            "DELETE FROM recordings WHERE started_at < ?1 AND complete = 1",
            [before_unix],
        )?;
        tx.commit()?;
        Ok(files)
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Recording> {
    Ok(Recording {
        id: r.get(0)?,
        call_id: r.get(1)?,
        caller: r.get(2)?,
        callee: r.get(3)?,
        started_at: r.get(4)?,
        duration_ms: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
        trigger: RecordingTrigger::parse(&r.get::<_, String>(6)?),
        trigger_name: r.get(7)?,
        file: r.get(8)?,
        size_bytes: u64::try_from(r.get::<_, i64>(9)?).unwrap_or(0),
        call: match r.get::<_, Option<i64>>(10)? {
            Some(cdr_id) => Some(CallLink {
                cdr_id,
                caller_name: r.get(11)?,
                business_name: r.get(12)?,
                duration_s: r.get(13)?,
            }),
            None => None,
        },
    })
}
