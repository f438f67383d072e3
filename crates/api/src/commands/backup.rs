//! Settings → Backups: the list, "Back up now", the schedule, and restoring one.
//!
//! A restore cannot swap the database under the running PBX, so `restore_backup` checks the
//! backup and stages it; it is swapped into place, whole, when Switchboard next starts, and
//! the page asks the owner to restart. Until then nothing in use changes, and
//! `cancel_restore` drops it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use ts_rs::TS;

use crate::command::{now_unix, Command, Ctx};
use crate::ApiError;

/// One backup at a time: the scheduler and "Back up now" may meet.
static RUNNING: Mutex<()> = Mutex::new(());

/// How often the scheduler asks whether a backup is due.
const SCHEDULE_POLL: Duration = Duration::from_secs(5 * 60);

/// A backup in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackupSummary {
    /// Its name, which `restore_backup` takes.
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Made by the schedule (pruned to the newest `keep`) rather than by hand.
    pub scheduled: bool,
    pub files: u32,
    #[ts(type = "number")]
    pub bytes: u64,
}

impl From<&store::BackupInfo> for BackupSummary {
    fn from(b: &store::BackupInfo) -> Self {
        BackupSummary {
            name: b.name.clone(),
            created_at: b.manifest.created_at,
            scheduled: b.manifest.trigger == store::BackupTrigger::Scheduled,
            files: u32::try_from(b.manifest.files.len()).unwrap_or(u32::MAX),
            bytes: b.size(),
        }
    }
}

/// When backups are made by themselves. Also the request of `save_backup_schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct BackupSchedule {
    pub enabled: bool,
    /// Local hour, 0–23.
    pub hour: u8,
    /// Scheduled backups kept (the newest); backups made by hand are never removed.
    pub keep: u32,
    /// Another folder for backups (a full path), or null for the data folder's `backups`.
    pub folder: Option<String>,
}

/// A restore waiting for the restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PendingRestore {
    pub backup: String,
    pub backup_created_at: i64,
    /// Where what it replaces will be kept.
    pub replaced_folder: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListBackupsRequest {}

/// Everything the Backups section shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackupsResponse {
    /// Newest first.
    pub backups: Vec<BackupSummary>,
    /// Where they are.
    pub folder: String,
    pub schedule: BackupSchedule,
    pub pending_restore: Option<PendingRestore>,
}

impl Command for ListBackupsRequest {
    const NAME: &'static str = "list_backups";
    type Response = BackupsResponse;

    async fn run(self, ctx: &Ctx) -> Result<BackupsResponse, ApiError> {
        overview(ctx).await
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CreateBackupRequest {}

impl Command for CreateBackupRequest {
    const NAME: &'static str = "create_backup";
    type Response = BackupSummary;

    async fn run(self, ctx: &Ctx) -> Result<BackupSummary, ApiError> {
        let schedule = ctx.store(|s| Ok(s.backup_schedule()?)).await?;
        let data_dir = ctx.data_dir().to_path_buf();
        let made = blocking(move || {
            let _one = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
            store::create_backup(
                &data_dir,
                &schedule.root(&data_dir),
                store::BackupTrigger::Manual,
                now_unix(),
            )
        })
        .await?;
        Ok(BackupSummary::from(&made))
    }
}

impl Command for BackupSchedule {
    const NAME: &'static str = "save_backup_schedule";
    type Response = BackupsResponse;

    async fn run(self, ctx: &Ctx) -> Result<BackupsResponse, ApiError> {
        let schedule = store::BackupSchedule {
            enabled: self.enabled,
            hour: self.hour,
            keep: self.keep,
            folder: self
                .folder
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .map(PathBuf::from),
        };
        ctx.store(move |s| Ok(s.save_backup_schedule(&schedule, now_unix())?))
            .await?;
        overview(ctx).await
    }
}

/// Checks the backup and stages it to replace the database and audio files at the next
/// start.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RestoreBackupRequest {
    pub name: String,
}

impl Command for RestoreBackupRequest {
    const NAME: &'static str = "restore_backup";
    type Response = BackupsResponse;

    async fn run(self, ctx: &Ctx) -> Result<BackupsResponse, ApiError> {
        let schedule = ctx.store(|s| Ok(s.backup_schedule()?)).await?;
        let data_dir = ctx.data_dir().to_path_buf();
        blocking(move || {
            let root = schedule.root(&data_dir);
            let backup = store::open_backup(&root, &self.name)?;
            store::stage_restore(&data_dir, &backup, &root, now_unix())
        })
        .await
        .map_err(|e| ApiError::from_store(e, "name"))?;
        overview(ctx).await
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CancelRestoreRequest {}

impl Command for CancelRestoreRequest {
    const NAME: &'static str = "cancel_restore";
    type Response = BackupsResponse;

    async fn run(self, ctx: &Ctx) -> Result<BackupsResponse, ApiError> {
        let data_dir = ctx.data_dir().to_path_buf();
        blocking(move || store::cancel_pending_restore(&data_dir)).await?;
        overview(ctx).await
    }
}

async fn overview(ctx: &Ctx) -> Result<BackupsResponse, ApiError> {
    let schedule = ctx.store(|s| Ok(s.backup_schedule()?)).await?;
    let data_dir = ctx.data_dir().to_path_buf();
    let root = schedule.root(&data_dir);
    let (backups, pending) = {
        let root = root.clone();
        blocking(move || {
            Ok((
                store::list_backups(&root)?,
                store::pending_restore(&data_dir)?,
            ))
        })
        .await?
    };
    Ok(BackupsResponse {
        backups: backups.iter().map(BackupSummary::from).collect(),
        folder: root.display().to_string(),
        schedule: BackupSchedule {
            enabled: schedule.enabled,
            hour: schedule.hour,
            keep: schedule.keep,
            folder: schedule.folder.map(|f| f.display().to_string()),
        },
        pending_restore: pending.map(|p| PendingRestore {
            replaced_folder: ctx.data_dir().join(&p.replaced).display().to_string(),
            backup: p.backup,
            backup_created_at: p.backup_created_at,
        }),
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> store::Result<T> + Send + 'static,
) -> Result<T, store::Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| store::Error::Backup(format!("the backup task failed: {e}")))?
}

/// Makes the scheduled backups while the API runs: every few minutes, if the hour has come
/// and no backup was made since, back up and remove scheduled backups beyond `keep`.
pub(crate) async fn run_schedule(data_dir: PathBuf, mut stopping: watch::Receiver<bool>) {
    // The first look comes a few minutes after start, not at once: a start is often a
    // restart after a change, and the backup can wait until the PBX has settled.
    loop {
        tokio::select! {
            _ = stopping.wait_for(|stop| *stop) => return,
            () = tokio::time::sleep(SCHEDULE_POLL) => {}
        }
        let dir = data_dir.clone();
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || scheduled_backup(&dir)).await {
            tracing::warn!(error = %e, "scheduled backup failed");
        }
    }
}

fn scheduled_backup(data_dir: &Path) -> store::Result<()> {
    let schedule = store::Store::open(data_dir)?.backup_schedule()?;
    let root = schedule.root(data_dir);
    let _one = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
    let last = store::list_backups(&root)?
        .first()
        .map(|b| b.manifest.created_at);
    if !schedule.due_now(last) {
        return Ok(());
    }
    store::create_backup(data_dir, &root, store::BackupTrigger::Scheduled, now_unix())?;
    let removed = store::prune_scheduled(&root, schedule.keep as usize)?;
    if !removed.is_empty() {
        tracing::info!(removed = removed.len(), "old scheduled backups removed");
    }
    Ok(())
}
