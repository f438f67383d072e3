//! When backups are made by themselves, how many are kept, and where they go; and the
//! question the scheduler asks every few minutes: is one due now?

use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::backup_files::BACKUPS_DIR;
use crate::error::FieldError;
use crate::{Error, Result, Store, ValidationErrors};

/// Settings key of the schedule (JSON).
pub(crate) const BACKUP_SCHEDULE: &str = "backup_schedule";

/// Most scheduled backups kept.
pub const BACKUP_KEEP_MAX: u32 = 365;

/// The owner's backup settings. Defaults: every night at 03:00, the last 7 kept, in the
/// data folder's `backups/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupSchedule {
    pub enabled: bool,
    /// Local hour of the day, 0–23.
    pub hour: u8,
    /// Scheduled backups kept; older ones are removed (backups made by hand never are).
    pub keep: u32,
    /// Another folder for backups (say a second disk); `None` for `<data>/backups`.
    pub folder: Option<PathBuf>,
}

impl Default for BackupSchedule {
    fn default() -> Self {
        BackupSchedule {
            enabled: true,
            hour: 3,
            keep: 7,
            folder: None,
        }
    }
}

impl BackupSchedule {
    /// The folder backups go to.
    pub fn root(&self, data_dir: &Path) -> PathBuf {
        self.folder
            .clone()
            .unwrap_or_else(|| data_dir.join(BACKUPS_DIR))
    }

    fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.hour > 23 {
            errors.push(FieldError {
                field: "hour",
                message: "must be 0 to 23".to_owned(),
            });
        }
        if self.keep == 0 || self.keep > BACKUP_KEEP_MAX {
            errors.push(FieldError {
                field: "keep",
                message: format!("must be 1 to {BACKUP_KEEP_MAX}"),
            });
        }
        if self.folder.as_ref().is_some_and(|f| !f.is_absolute()) {
            errors.push(FieldError {
                field: "folder",
                message: "must be a full path, like /mnt/backup/switchboard".to_owned(),
            });
        }
        errors
    }

    /// Whether a scheduled backup is due at `now` in `tz`, given when the newest backup was
    /// made: the most recent `hour:00` at or before now has passed with no backup since. A
    /// computer that was off at that hour therefore backs up when it next runs.
    pub fn due(&self, last_backup_unix: Option<i64>, now: Timestamp, tz: &TimeZone) -> bool {
        if !self.enabled {
            return false;
        }
        let Some(slot) = last_slot(self.hour, now, tz) else {
            return false;
        };
        last_backup_unix.is_none_or(|last| last < slot.as_second())
    }
}

impl BackupSchedule {
    /// [`BackupSchedule::due`] at this moment in this computer's time zone.
    pub fn due_now(&self, last_backup_unix: Option<i64>) -> bool {
        self.due(last_backup_unix, Timestamp::now(), &TimeZone::system())
    }
}

/// The latest `hour:00` local time at or before `now`.
fn last_slot(hour: u8, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    let local = now.to_zoned_datetime(tz.clone());
    let today = local
        .date()
        .at(i8::try_from(hour).ok()?, 0, 0, 0)
        .to_zoned_datetime(tz.clone())
        .ok()?;
    if today.timestamp() <= now {
        Some(today.timestamp())
    } else {
        let yesterday = local.date().yesterday().ok()?;
        Some(
            yesterday
                .at(i8::try_from(hour).ok()?, 0, 0, 0)
                .to_zoned_datetime(tz.clone())
                .ok()?
                .timestamp(),
        )
    }
}

impl Store {
    /// The saved backup settings, or the defaults.
    pub fn backup_schedule(&self) -> Result<BackupSchedule> {
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [BACKUP_SCHEDULE],
                |r| r.get(0),
            )
            .optional()?;
        Ok(value
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// Saves the backup settings, or nothing when a field is refused.
    pub fn save_backup_schedule(&self, schedule: &BackupSchedule, now_unix: i64) -> Result<()> {
        let errors = schedule.check();
        if !errors.is_empty() {
            return Err(Error::Invalid(ValidationErrors(errors)));
        }
        let json = serde_json::to_string(schedule).map_err(|e| Error::Backup(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3 WHERE value IS NOT ?2",
            params![BACKUP_SCHEDULE, json, now_unix],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_backup_is_due_once_the_hour_passes_and_not_again_that_day() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let s = BackupSchedule::default(); // 03:00
        let yesterday = at("2026-11-26T02:00:00Z").as_second(); // 03:00 Paris
        assert!(!s.due(Some(yesterday), at("2026-11-27T01:59:00Z"), &tz));
        assert!(s.due(Some(yesterday), at("2026-11-27T02:00:00Z"), &tz));
        let made = at("2026-11-27T02:01:00Z").as_second();
        assert!(!s.due(Some(made), at("2026-11-27T20:00:00Z"), &tz));
        assert!(s.due(None, at("2026-11-27T20:00:00Z"), &tz));
        let off = BackupSchedule {
            enabled: false,
            ..s
        };
        assert!(!off.due(None, at("2026-11-27T20:00:00Z"), &tz));
    }

    #[test]
    fn bad_backup_settings_are_refused_per_field() {
        let s = BackupSchedule {
            enabled: true,
            hour: 24,
            keep: 0,
            folder: Some(PathBuf::from("relative/dir")),
        };
        let fields: Vec<_> = s.check().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["hour", "keep", "folder"]);
    }
}
