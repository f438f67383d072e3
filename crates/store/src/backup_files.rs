//! The file side of backups: which entries of the data folder belong in a backup, copying
//! them, checksums, and making renames durable.
//!
//! Files are copied, not hard-linked: a hard link would share its data with the live file,
//! and a single in-place write (an editor, a tool, a future feature) would change every
//! backup at once without a trace.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::DB_FILE_NAME;

/// Default folder for backups, inside the data folder.
pub const BACKUPS_DIR: &str = "backups";
/// Where a restore puts what it replaced, inside the data folder (`replaced-<stamp>`).
pub(crate) const REPLACED_PREFIX: &str = "replaced-";
/// The marker of a restore waiting for the next start.
pub(crate) const PENDING_FILE: &str = "restore-pending.json";

/// One file in a backup, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path inside the backup, `/`-separated (`voicemail/201-1700000000.wav`).
    pub path: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the contents.
    pub sha256: String,
}

/// Whether a top-level entry of the data folder is part of the office's data. Left out: the
/// database and its journals (the database is copied with SQLite's backup API instead),
/// backups themselves, what earlier restores replaced, and temporary files (a leading dot).
pub(crate) fn is_data_entry(name: &str) -> bool {
    let db_file = name == DB_FILE_NAME
        || name
            .strip_prefix(DB_FILE_NAME)
            .is_some_and(|rest| rest.starts_with('-'));
    !(db_file
        || name == BACKUPS_DIR
        || name == PENDING_FILE
        || name.starts_with(REPLACED_PREFIX)
        || name.starts_with('.'))
}

/// Every file under `root` that a backup holds, relative to `root`, skipping temporary files
/// (a leading dot: `.<name>.part`) at every level and `skip` (a backup folder the owner
/// chose inside the data folder).
pub(crate) fn data_files(root: &Path, skip: Option<&Path>) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !is_data_entry(&name) || skip.is_some_and(|s| s == entry.path()) {
            continue;
        }
        walk(root, Path::new(&name), skip, &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn walk(root: &Path, rel: &Path, skip: Option<&Path>, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let full = root.join(rel);
    let kind = fs::symlink_metadata(&full)?.file_type();
    if kind.is_file() {
        out.push(rel.to_path_buf());
    } else if kind.is_dir() && skip != Some(full.as_path()) {
        for entry in fs::read_dir(&full)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_str().is_some_and(|n| !n.starts_with('.')) {
                walk(root, &rel.join(name), skip, out)?;
            }
        }
    }
    Ok(())
}

/// Puts a synced copy of `from` at `to`, creating folders.
pub(crate) fn copy_synced(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut src = File::open(from)?;
    let mut dst = File::create(to)?;
    io::copy(&mut src, &mut dst)?;
    dst.flush()?;
    dst.sync_all()
}

/// Size and SHA-256 of a file.
pub(crate) fn checksum(path: &Path) -> io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// The manifest path of a relative path: `/`-separated whatever the platform.
pub(crate) fn manifest_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A manifest path back into a relative path, refusing anything that could leave the folder
/// (`..`, an absolute path) — the manifest is read from disk and may have been edited.
pub(crate) fn safe_relative(path: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return None;
        }
        out.push(part);
    }
    (!out.as_os_str().is_empty() && out.is_relative()).then_some(out)
}

/// Syncs a folder so the renames and new names in it survive a power loss (POSIX: a
/// directory entry is data of the directory). A no-op where folders cannot be opened.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `path` through a temporary name, synced, then renamed.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.part"));
    {
        let mut f = File::create(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&temp, path)?;
    if let Some(parent) = path.parent() {
        sync_dir(parent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_backups_and_temporary_files_are_not_data_entries() {
        assert!(is_data_entry("voicemail"));
        assert!(is_data_entry("music-on-hold.wav"));
        assert!(!is_data_entry("switchboard.db"));
        assert!(!is_data_entry("switchboard.db-wal"));
        assert!(!is_data_entry("backups"));
        assert!(!is_data_entry("replaced-20261127-030000"));
        assert!(!is_data_entry(".music-on-hold.wav.part"));
    }

    #[test]
    fn manifest_paths_cannot_leave_the_folder() {
        assert_eq!(
            safe_relative("voicemail/a.wav"),
            Some(PathBuf::from("voicemail").join("a.wav"))
        );
        assert_eq!(safe_relative("../etc/passwd"), None);
        assert_eq!(safe_relative("/etc/passwd"), None);
        assert_eq!(safe_relative("a//b"), None);
        assert_eq!(safe_relative(""), None);
    }
}
