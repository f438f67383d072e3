//! Putting a backup back. The running PBX holds the database open, so a restore happens in
//! two steps:
//!
//! 1. [`stage_restore`] (any time, while the PBX runs): checks the backup against its
//!    manifest, copies it into `<data>/.restore-<name>` and writes `restore-pending.json`.
//!    Nothing in use is touched; the owner is asked to restart.
//! 2. [`apply_pending_restore`] (at start, before the database is opened): moves everything
//!    it replaces into `<data>/replaced-<stamp>` — kept, never deleted — and the staged files
//!    into place. Each move is a rename within one folder, and the marker records which half
//!    is done, so a crash at any point is finished by the next start: the data folder ends
//!    up wholly the backup, never a mix.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::backup::{verify_backup, BackupInfo};
use crate::backup_files::{
    self, copy_synced, sync_dir, write_atomically, PENDING_FILE, REPLACED_PREFIX,
};
use crate::db::DB_FILE_NAME;
use crate::{Error, Result};

const STAGING_PREFIX: &str = ".restore-";

/// Which half of applying a restore is under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Phase {
    /// Staged; moving the current files aside (or not begun).
    MovingOut,
    /// The current files are aside; moving the staged ones in.
    MovingIn,
}

/// A restore waiting for the next start (the contents of `restore-pending.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRestore {
    /// The backup's name.
    pub backup: String,
    /// The backup's creation time, unix seconds.
    pub backup_created_at: i64,
    /// Folder name inside the data folder that will keep what the restore replaces.
    pub replaced: String,
    /// The backups folder, left where it is by the restore.
    pub backups_root: PathBuf,
    phase: Phase,
}

/// What a finished restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRestore {
    pub backup: String,
    /// Where the replaced database and files now are.
    pub replaced: PathBuf,
}

fn staging_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(format!("{STAGING_PREFIX}pending"))
}

/// Checks `backup` and prepares it to replace the data folder at the next start. A restore
/// already pending is replaced by this one.
pub fn stage_restore(
    data_dir: &Path,
    backup: &BackupInfo,
    backups_root: &Path,
    now_unix: i64,
) -> Result<PendingRestore> {
    verify_backup(backup)?;
    let staging = staging_dir(data_dir);
    cancel_pending_restore(data_dir)?;
    fs::create_dir_all(&staging)?;
    for f in &backup.manifest.files {
        let rel = backup_files::safe_relative(&f.path)
            .ok_or_else(|| Error::Backup(format!("bad path {:?}", f.path)))?;
        copy_synced(&backup.path.join(&rel), &staging.join(&rel))?;
    }
    sync_dir(&staging);
    let stamp = jiff::Timestamp::from_second(now_unix)
        .map(|t| t.strftime("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_else(|_| now_unix.to_string());
    let pending = PendingRestore {
        backup: backup.name.clone(),
        backup_created_at: backup.manifest.created_at,
        replaced: format!("{REPLACED_PREFIX}{stamp}"),
        backups_root: backups_root.to_path_buf(),
        phase: Phase::MovingOut,
    };
    write_marker(data_dir, &pending)?;
    tracing::info!(backup = %backup.name, "restore staged for the next start");
    Ok(pending)
}

/// The restore waiting for the next start, if any.
pub fn pending_restore(data_dir: &Path) -> Result<Option<PendingRestore>> {
    let bytes = match fs::read(data_dir.join(PENDING_FILE)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::Backup(format!("unreadable {PENDING_FILE}: {e}")))
}

/// Drops a staged restore that has not begun; refuses one already half applied (the next
/// start must finish it).
pub fn cancel_pending_restore(data_dir: &Path) -> Result<bool> {
    let pending = pending_restore(data_dir)?;
    if pending.as_ref().is_some_and(|p| p.phase == Phase::MovingIn) {
        return Err(Error::Backup(
            "a restore is half applied; start Switchboard to finish it".to_owned(),
        ));
    }
    let _ = fs::remove_file(data_dir.join(PENDING_FILE));
    let staging = staging_dir(data_dir);
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    sync_dir(data_dir);
    Ok(pending.is_some())
}

/// Finishes a pending restore, if there is one. Call before opening the database.
pub fn apply_pending_restore(data_dir: &Path) -> Result<Option<AppliedRestore>> {
    let Some(mut pending) = pending_restore(data_dir)? else {
        return Ok(None);
    };
    let staging = staging_dir(data_dir);
    let replaced = data_dir.join(&pending.replaced);
    if pending.phase == Phase::MovingOut {
        if !staging.is_dir() {
            return Err(Error::Backup(format!(
                "the staged restore of {} is missing; remove {} and restore again",
                pending.backup,
                data_dir.join(PENDING_FILE).display()
            )));
        }
        fs::create_dir_all(&replaced)?;
        for entry in fs::read_dir(data_dir)?.filter_map(|e| e.ok()) {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let path = entry.path();
            let is_db = name == DB_FILE_NAME
                || name
                    .strip_prefix(DB_FILE_NAME)
                    .is_some_and(|r| r.starts_with('-'));
            let is_root = pending.backups_root.starts_with(&path);
            if (is_db || backup_files::is_data_entry(&name)) && !is_root {
                fs::rename(&path, replaced.join(&name))?;
            }
        }
        sync_dir(&replaced);
        sync_dir(data_dir);
        pending.phase = Phase::MovingIn;
        write_marker(data_dir, &pending)?;
    }
    for entry in fs::read_dir(&staging)?.filter_map(|e| e.ok()) {
        fs::rename(entry.path(), data_dir.join(entry.file_name()))?;
    }
    sync_dir(data_dir);
    fs::remove_dir(&staging)?;
    fs::remove_file(data_dir.join(PENDING_FILE))?;
    sync_dir(data_dir);
    tracing::warn!(backup = %pending.backup, replaced = %replaced.display(), "backup restored");
    Ok(Some(AppliedRestore {
        backup: pending.backup,
        replaced,
    }))
}

fn write_marker(data_dir: &Path, pending: &PendingRestore) -> Result<()> {
    let json = serde_json::to_vec_pretty(pending).map_err(|e| Error::Backup(e.to_string()))?;
    Ok(write_atomically(&data_dir.join(PENDING_FILE), &json)?)
}
