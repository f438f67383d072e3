//! The owner's recording settings: which extensions, ring groups and business names have
//! every call recorded (a column of their rows, so removing one removes its flag), how long
//! recordings are kept, the free space below which new ones are refused, and the latest
//! recording problem (kept so a page opened later still shows it).

use rusqlite::{params, OptionalExtension};

use crate::{Error, Result, Store};

/// Longest retention accepted: ten years.
pub const RETENTION_MAX_DAYS: u32 = 3650;

/// Free space below which new recordings are refused, unless the owner chose otherwise.
pub const DEFAULT_MIN_FREE_MB: u64 = 500;

/// Largest free-space threshold accepted (1 TB), to catch a typo of extra zeros.
pub const MIN_FREE_MAX_MB: u64 = 1_000_000;

/// Which extensions, ring groups and business names have every call recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AlwaysRecord {
    /// Extension numbers.
    pub extensions: Vec<String>,
    /// Ring group numbers.
    pub ring_groups: Vec<String>,
    /// Business names (`sales.acme`).
    pub business_names: Vec<String>,
}

/// The kind of thing an "always record" flag is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlwaysRecordKind {
    Extension,
    RingGroup,
    BusinessName,
}

/// How long recordings are kept and when new ones are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RecordingPolicy {
    /// Recordings older than this many days are deleted daily; 0 keeps them forever.
    pub retention_days: u32,
    /// New recordings are refused while the recordings folder's disk has less free space.
    pub min_free_mb: u64,
}

impl Default for RecordingPolicy {
    fn default() -> Self {
        RecordingPolicy {
            retention_days: 0,
            min_free_mb: DEFAULT_MIN_FREE_MB,
        }
    }
}

const RETENTION_KEY: &str = "recording_retention_days";
const MIN_FREE_KEY: &str = "recording_min_free_mb";
const ALERT_KEY: &str = "recording_last_alert";
const ALERT_AT_KEY: &str = "recording_last_alert_at";

impl Store {
    /// Which extensions, ring groups and business names have every call recorded.
    pub fn always_record(&self) -> Result<AlwaysRecord> {
        let list = |sql: &str| -> Result<Vec<String>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok(AlwaysRecord {
            extensions: list(
                "SELECT number FROM extensions WHERE record_always = 1 ORDER BY number",
            )?,
            ring_groups: list(
                "SELECT number FROM ring_groups WHERE record_always = 1 ORDER BY number",
            )?,
            business_names: list(
                "SELECT name FROM business_names WHERE record_always = 1 ORDER BY name",
            )?,
        })
    }

    /// Turns "always record" on or off for one extension (by number), ring group (by
    /// number) or business name (by name).
    pub fn set_always_record(&self, kind: AlwaysRecordKind, key: &str, on: bool) -> Result<()> {
        let (sql, what) = match kind {
            AlwaysRecordKind::Extension => (
                "UPDATE extensions SET record_always = ?2 WHERE number = ?1",
                "extension",
            ),
            AlwaysRecordKind::RingGroup => (
                "UPDATE ring_groups SET record_always = ?2 WHERE number = ?1",
                "ring group",
            ),
            AlwaysRecordKind::BusinessName => (
                "UPDATE business_names SET record_always = ?2 WHERE name = ?1",
                "business name",
            ),
        };
        if self.conn.execute(sql, params![key, on])? == 0 {
            return Err(Error::NotFound(format!("{what} {key}")));
        }
        Ok(())
    }

    /// The retention and free-space settings, with defaults for those never saved.
    pub fn recording_policy(&self) -> Result<RecordingPolicy> {
        let mut policy = RecordingPolicy::default();
        let value = |key: &str| -> Result<Option<String>> {
            Ok(self
                .conn
                .query_row(
                    "SELECT value FROM recording_settings WHERE key = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?)
        };
        if let Some(days) = value(RETENTION_KEY)?.and_then(|v| v.parse().ok()) {
            policy.retention_days = days;
        }
        if let Some(mb) = value(MIN_FREE_KEY)?.and_then(|v| v.parse().ok()) {
            policy.min_free_mb = mb;
        }
        Ok(policy)
    }

    /// Keeps the latest recording problem (a failed or refused recording), so a page opened
    /// later still shows it.
    pub fn save_recording_alert(&self, message: &str, at_unix: i64) -> Result<()> {
        let tx = self.write_tx()?;
        for (key, value) in [
            (ALERT_KEY, message.to_owned()),
            (ALERT_AT_KEY, at_unix.to_string()),
        ] {
            tx.execute(
                "INSERT INTO recording_settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The latest recording problem and when it happened (Unix seconds), if any.
    pub fn last_recording_alert(&self) -> Result<Option<(String, i64)>> {
        let value = |key: &str| -> Result<Option<String>> {
            Ok(self
                .conn
                .query_row(
                    "SELECT value FROM recording_settings WHERE key = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?)
        };
        let at = value(ALERT_AT_KEY)?.and_then(|v| v.parse().ok());
        Ok(value(ALERT_KEY)?.zip(at))
    }

    /// Saves both settings, or neither when one is out of range (field errors).
    pub fn save_recording_policy(&self, policy: &RecordingPolicy) -> Result<()> {
        if policy.retention_days > RETENTION_MAX_DAYS {
            return Err(Error::field(
                "retention_days",
                format!("must be 0 (keep forever) to {RETENTION_MAX_DAYS} days"),
            ));
        }
        if policy.min_free_mb > MIN_FREE_MAX_MB {
            return Err(Error::field(
                "min_free_mb",
                format!("must be at most {MIN_FREE_MAX_MB} MB"),
            ));
        }
        let tx = self.write_tx()?;
        for (key, value) in [
            (RETENTION_KEY, policy.retention_days.to_string()),
            (MIN_FREE_KEY, policy.min_free_mb.to_string()),
        ] {
            tx.execute(
                "INSERT INTO recording_settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
