//! `switchboard backup …`: make, list and restore backups of the whole office (database and
//! audio files); and the report `serve` prints when the database is damaged.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use store::{BackupInfo, BackupTrigger, Store};

use crate::{now_unix, time_format, InvalidInput};

#[derive(Subcommand)]
pub enum Command {
    /// Back up now (safe while Switchboard runs)
    Create {
        /// Folder for backups [default: the saved setting, else DATA/backups]
        #[arg(long, value_name = "DIR")]
        folder: Option<PathBuf>,
        /// Print the backup as JSON
        #[arg(long)]
        json: bool,
    },
    /// List backups, newest first
    List {
        #[arg(long, value_name = "DIR")]
        folder: Option<PathBuf>,
        /// Print a JSON array
        #[arg(long)]
        json: bool,
    },
    /// Put a backup back: checked against its manifest and staged now, swapped into place
    /// when Switchboard next starts (what it replaces is kept in DATA/replaced-…)
    Restore {
        /// The backup's name, as `backup list` shows it, or `newest`
        name: String,
        #[arg(long, value_name = "DIR")]
        folder: Option<PathBuf>,
        /// Swap it into place at once instead of at the next start; only while Switchboard
        /// is stopped
        #[arg(long)]
        now: bool,
    },
}

pub fn run(command: Command, data_dir: &Path) -> anyhow::Result<()> {
    match command {
        Command::Create { folder, json } => {
            let root = root(data_dir, folder);
            let b = store::create_backup(data_dir, &root, BackupTrigger::Manual, now_unix())
                .context("cannot make the backup")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&Listed::from(&b))?);
            } else {
                println!(
                    "Backed up {} files ({}) to {}",
                    b.manifest.files.len(),
                    size_text(b.size()),
                    b.path.display()
                );
            }
        }
        Command::List { folder, json } => {
            let backups = store::list_backups(&root(data_dir, folder))?;
            if json {
                let listed: Vec<Listed> = backups.iter().map(Listed::from).collect();
                println!("{}", serde_json::to_string_pretty(&listed)?);
            } else if backups.is_empty() {
                println!("No backups yet. Make one with: switchboard backup create");
            } else {
                for b in &backups {
                    println!(
                        "{}  {}  {:>9}  {} files  {}",
                        b.name,
                        time_format::utc(b.manifest.created_at),
                        size_text(b.size()),
                        b.manifest.files.len(),
                        trigger_text(b.manifest.trigger)
                    );
                }
            }
        }
        Command::Restore { name, folder, now } => {
            let root = root(data_dir, folder);
            let backup = if name == "newest" {
                store::list_backups(&root)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| InvalidInput(format!("no backups in {}", root.display())))?
            } else {
                store::open_backup(&root, &name)
                    .map_err(|_| InvalidInput(format!("no backup {name} in {}", root.display())))?
            };
            let pending = store::stage_restore(data_dir, &backup, &root, now_unix())
                .context("cannot restore that backup")?;
            let replaced = data_dir.join(&pending.replaced);
            if now {
                store::apply_pending_restore(data_dir).context("cannot finish the restore")?;
                println!(
                    "Restored {}. What it replaced is in {}.",
                    backup.name,
                    replaced.display()
                );
            } else {
                println!(
                    "{} is checked and ready. It replaces the database and audio files when \
                     Switchboard next starts (restart it now); what it replaces is kept in {}.",
                    backup.name,
                    replaced.display()
                );
            }
        }
    }
    Ok(())
}

/// The backups folder: the one given, else the saved setting (when the database can be
/// read), else `DATA/backups`.
pub fn root(data_dir: &Path, folder: Option<PathBuf>) -> PathBuf {
    if let Some(f) = folder {
        return f;
    }
    let saved = store::check_database(data_dir)
        .ok()
        .and_then(|()| Store::open(data_dir).ok())
        .and_then(|s| s.backup_schedule().ok());
    saved.unwrap_or_default().root(data_dir)
}

/// The database failed its check at start: what to tell the owner, and exit status 3.
#[derive(Debug)]
pub struct Damaged(pub String);

impl fmt::Display for Damaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Damaged {}

/// Finishes a restore staged before this start, then checks the database. A damaged file
/// is left untouched and explained, with the newest backup and the command that restores it.
pub fn check_at_start(data_dir: &Path) -> anyhow::Result<()> {
    if let Some(done) = store::apply_pending_restore(data_dir)? {
        println!(
            "Restored backup {}; what it replaced is in {}.",
            done.backup,
            done.replaced.display()
        );
    }
    match store::check_database(data_dir) {
        Err(e @ store::Error::Damaged { .. }) => {
            let root = root(data_dir, None);
            let newest = store::list_backups(&root)
                .ok()
                .and_then(|b| b.into_iter().next());
            Err(Damaged(damaged_text(&e, data_dir, &root, newest.as_ref())).into())
        }
        other => Ok(other?),
    }
}

fn damaged_text(
    e: &store::Error,
    data_dir: &Path,
    root: &Path,
    newest: Option<&BackupInfo>,
) -> String {
    let data = data_dir.display();
    let mut text = format!("{e}\nNothing was changed; Switchboard did not start.\n");
    match newest {
        Some(b) => text.push_str(&format!(
            "The newest backup is {} (made {}) in {}.\nTo restore it (the damaged file is \
             kept): switchboard --data \"{data}\" backup restore {} --now\nthen start \
             Switchboard again.",
            b.name,
            time_format::utc(b.manifest.created_at),
            root.display(),
            b.name
        )),
        None => text.push_str(&format!(
            "There is no backup in {}. Keep a copy of the damaged file; the sqlite3 tool's \
             .recover command may save most of it.",
            root.display()
        )),
    }
    text
}

#[derive(Serialize)]
struct Listed<'a> {
    name: &'a str,
    path: String,
    created_at: i64,
    trigger: BackupTrigger,
    files: usize,
    bytes: u64,
}

impl<'a> From<&'a BackupInfo> for Listed<'a> {
    fn from(b: &'a BackupInfo) -> Self {
        Listed {
            name: &b.name,
            path: b.path.display().to_string(),
            created_at: b.manifest.created_at,
            trigger: b.manifest.trigger,
            files: b.manifest.files.len(),
            bytes: b.size(),
        }
    }
}

fn trigger_text(t: BackupTrigger) -> &'static str {
    match t {
        BackupTrigger::Manual => "by hand",
        BackupTrigger::Scheduled => "scheduled",
    }
}

fn size_text(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}
