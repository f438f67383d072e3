//! Backups of the whole office: the database, copied with SQLite's online backup API (a
//! consistent snapshot taken while the PBX keeps writing), and every audio file of the data
//! folder, with a manifest of sizes and SHA-256 checksums.
//!
//! A backup is built in `<root>/.partial-<name>` and renamed to `<root>/<name>` only once
//! every file is in place and synced, so a folder with a backup's name is always complete;
//! a crash leaves a `.partial-` folder that the next backup removes.
//!
//! The database is copied first and the files after: a voicemail or recording file is
//! renamed into place before its row is inserted, so every row in the copy has its file.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use crate::backup_files::{self, checksum, copy_synced, manifest_path, sync_dir, ManifestFile};
use crate::db::DB_FILE_NAME;
use crate::{Error, Result};

/// Name of the manifest inside a backup folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// What every backup folder's name starts with; other folders in the root are not ours.
const NAME_PREFIX: &str = "switchboard-";
const PARTIAL_PREFIX: &str = ".partial-";
/// A `.partial-` folder older than this belongs to a backup that crashed, not to one that
/// another process is still writing.
const STALE_PARTIAL: Duration = Duration::from_secs(3600);

/// Why a backup was made: scheduled ones are pruned to the newest N, the owner's own never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupTrigger {
    Manual,
    Scheduled,
}

/// The contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version of this manifest.
    pub format: u32,
    /// When the snapshot was taken, unix seconds.
    pub created_at: i64,
    pub trigger: BackupTrigger,
    /// The database's schema version (`PRAGMA user_version`).
    pub schema_version: u32,
    /// The database first, then the audio files, sorted.
    pub files: Vec<ManifestFile>,
}

/// A complete backup found in a backups folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// The folder name (`switchboard-20261127-030000`), which is also how commands name it.
    pub name: String,
    pub path: PathBuf,
    pub manifest: Manifest,
}

impl BackupInfo {
    /// Total bytes of the files the backup holds.
    pub fn size(&self) -> u64 {
        self.manifest.files.iter().map(|f| f.size).sum()
    }
}

/// Makes a backup of `data_dir` in `root` (created if needed) and returns it. Safe while the
/// PBX runs: the database snapshot does not block its writes.
pub fn create_backup(
    data_dir: &Path,
    root: &Path,
    trigger: BackupTrigger,
    now_unix: i64,
) -> Result<BackupInfo> {
    fs::create_dir_all(root)?;
    remove_stale_partials(root);
    let name = free_name(root, now_unix);
    let partial = root.join(format!("{PARTIAL_PREFIX}{name}"));
    let result = fill(data_dir, root, &partial, trigger, now_unix);
    let manifest = match result {
        Ok(m) => m,
        Err(e) => {
            let _ = fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    let path = root.join(&name);
    fs::rename(&partial, &path)?;
    sync_dir(root);
    tracing::info!(backup = %path.display(), files = manifest.files.len(), "backup made");
    Ok(BackupInfo {
        name,
        path,
        manifest,
    })
}

fn fill(
    data_dir: &Path,
    root: &Path,
    partial: &Path,
    trigger: BackupTrigger,
    now_unix: i64,
) -> Result<Manifest> {
    fs::create_dir(partial)?;
    let db_copy = partial.join(DB_FILE_NAME);
    let schema_version = snapshot_database(&data_dir.join(DB_FILE_NAME), &db_copy)?;
    let mut files = Vec::new();
    let (size, sha256) = checksum(&db_copy)?;
    files.push(ManifestFile {
        path: DB_FILE_NAME.to_owned(),
        size,
        sha256,
    });
    let skip = root.starts_with(data_dir).then_some(root);
    for rel in backup_files::data_files(data_dir, skip)? {
        let to = partial.join(&rel);
        copy_synced(&data_dir.join(&rel), &to)?;
        let (size, sha256) = checksum(&to)?;
        files.push(ManifestFile {
            path: manifest_path(&rel),
            size,
            sha256,
        });
    }
    let manifest = Manifest {
        format: 1,
        created_at: now_unix,
        trigger,
        schema_version,
        files,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Backup(e.to_string()))?;
    backup_files::write_atomically(&partial.join(MANIFEST_FILE), &json)?;
    sync_tree(partial);
    Ok(manifest)
}

/// Copies the live database into `to` in one step of the online backup API, then checks
/// the copy. One step reads the whole file in a single read transaction, so the copy is one
/// consistent moment; in WAL mode the PBX's writers carry on meanwhile.
fn snapshot_database(from: &Path, to: &Path) -> Result<u32> {
    // Read-write without create: a read-only connection cannot set up the WAL index when
    // no other connection has the file open, and a missing database must not be made up.
    let src = Connection::open_with_flags(
        from,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.busy_timeout(Duration::from_secs(5))?;
    let mut dst = Connection::open(to)?;
    {
        let backup = Backup::new(&src, &mut dst)?;
        // -1: every page in one step. Busy or locked (another connection checkpointing)
        // is worth a short wait; a healthy PBX never holds those for long.
        let mut waits = 0;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More | StepResult::Busy | StepResult::Locked if waits < 200 => {
                    waits += 1;
                    std::thread::sleep(Duration::from_millis(25));
                }
                _ => return Err(Error::Backup("the database stayed busy".to_owned())),
            }
        }
    }
    let check: String = dst.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(Error::Backup(format!("the copy failed its check: {check}")));
    }
    let version: u32 = dst.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    dst.close().map_err(|(_, e)| e)?;
    fs::File::open(to)?.sync_all()?;
    Ok(version)
}

/// Syncs every file and folder of a new backup.
fn sync_tree(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.is_dir() {
                sync_tree(&path);
            } else if let Ok(f) = fs::File::open(&path) {
                let _ = f.sync_all();
            }
        }
    }
    sync_dir(dir);
}

/// `switchboard-YYYYMMDD-HHMMSS` (UTC), with `-2`, `-3`, … when taken in the same second.
fn free_name(root: &Path, now_unix: i64) -> String {
    let stamp = jiff::Timestamp::from_second(now_unix)
        .map(|t| t.strftime("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_else(|_| now_unix.to_string());
    let base = format!("{NAME_PREFIX}{stamp}");
    let taken =
        |n: &str| root.join(n).exists() || root.join(format!("{PARTIAL_PREFIX}{n}")).exists();
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|i| format!("{base}-{i}"))
        .find(|n| !taken(n))
        .unwrap_or(base)
}

fn remove_stale_partials(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let partial = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(PARTIAL_PREFIX));
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_PARTIAL);
        if partial && stale {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The complete backups in `root`, newest first. A missing folder has none; a folder whose
/// manifest cannot be read is not a backup and is skipped.
pub fn list_backups(root: &Path) -> Result<Vec<BackupInfo>> {
    let entries = match fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for entry in entries.filter_map(|e| e.ok()) {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !name.starts_with(NAME_PREFIX) {
            continue;
        }
        if let Ok(info) = open_backup(root, &name) {
            out.push(info);
        }
    }
    out.sort_by(|a, b| (b.manifest.created_at, &b.name).cmp(&(a.manifest.created_at, &a.name)));
    Ok(out)
}

/// The backup called `name` in `root`.
pub fn open_backup(root: &Path, name: &str) -> Result<BackupInfo> {
    if !name.starts_with(NAME_PREFIX) || backup_files::safe_relative(name).is_none() {
        return Err(Error::NotFound(format!("backup {name}")));
    }
    let path = root.join(name);
    let bytes = fs::read(path.join(MANIFEST_FILE))
        .map_err(|_| Error::NotFound(format!("backup {name}")))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Backup(format!("{name}: unreadable manifest: {e}")))?;
    Ok(BackupInfo {
        name: name.to_owned(),
        path,
        manifest,
    })
}

/// Checks every file of a backup against its manifest (size and SHA-256).
pub fn verify_backup(backup: &BackupInfo) -> Result<()> {
    for f in &backup.manifest.files {
        let rel = backup_files::safe_relative(&f.path)
            .ok_or_else(|| Error::Backup(format!("{}: bad path {:?}", backup.name, f.path)))?;
        let (size, sha256) = checksum(&backup.path.join(rel))
            .map_err(|e| Error::Backup(format!("{}: {}: {e}", backup.name, f.path)))?;
        if size != f.size || sha256 != f.sha256 {
            return Err(Error::Backup(format!(
                "{}: {} does not match its checksum",
                backup.name, f.path
            )));
        }
    }
    Ok(())
}

/// Removes scheduled backups beyond the newest `keep` (the owner's own are kept); returns
/// the names removed.
pub fn prune_scheduled(root: &Path, keep: usize) -> Result<Vec<String>> {
    let scheduled: Vec<BackupInfo> = list_backups(root)?
        .into_iter()
        .filter(|b| b.manifest.trigger == BackupTrigger::Scheduled)
        .collect();
    let mut removed = Vec::new();
    for old in scheduled.into_iter().skip(keep) {
        fs::remove_dir_all(&old.path)?;
        removed.push(old.name);
    }
    Ok(removed)
}
