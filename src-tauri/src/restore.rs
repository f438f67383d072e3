//! A damaged database at start: instead of the admin screens the window shows what is
//! wrong, the newest backup (date, size) and two buttons — put that backup back (the app
//! then starts normally) or open the data folder. The damaged file is moved aside into a
//! `replaced-…` folder by the restore, never deleted.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::{AppHandle, Manager};

use crate::backend::{self, Backend};
use crate::Launch;

/// What the restore page shows; `None` when the database is fine.
pub struct Damaged(pub Mutex<Option<Report>>);

/// A damaged database and the backup that can replace it.
#[derive(Debug, Clone)]
pub struct Report {
    /// The damaged file.
    pub file: PathBuf,
    /// What SQLite's check said.
    pub detail: String,
    /// The sentence `switchboard serve` prints too (with the command to restore).
    pub explanation: String,
    pub data_dir: PathBuf,
    /// Where backups are looked for: the default folder (the database, which names the
    /// chosen one, cannot be trusted now).
    pub backups_dir: PathBuf,
    pub newest: Option<store::BackupInfo>,
}

impl Report {
    /// The report for a start that failed because the database is damaged.
    pub fn of(e: &anyhow::Error) -> Option<Report> {
        let store::Error::Damaged { path, detail } = e.downcast_ref::<store::Error>()? else {
            return None;
        };
        let data_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let backups_dir = store::BackupSchedule::default().root(&data_dir);
        let newest = store::list_backups(&backups_dir)
            .ok()
            .and_then(|b| b.into_iter().next());
        Some(Report {
            file: path.clone(),
            detail: detail.clone(),
            explanation: backend::explain(e),
            data_dir,
            backups_dir,
            newest,
        })
    }

    /// What the page gets (`damaged_database`).
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "file": self.file.display().to_string(),
            "detail": self.detail,
            "explanation": self.explanation,
            "data_dir": self.data_dir.display().to_string(),
            "backups_dir": self.backups_dir.display().to_string(),
            "backup": self.newest.as_ref().map(|b| serde_json::json!({
                "name": b.name,
                "created_at": b.manifest.created_at,
                "size_bytes": b.size(),
            })),
        })
    }
}

/// The restore page asks what is wrong: `null` when nothing is (the admin screens load).
#[tauri::command]
pub fn damaged_database(state: tauri::State<'_, Damaged>) -> serde_json::Value {
    state
        .0
        .lock()
        .ok()
        .and_then(|d| d.as_ref().map(Report::to_json))
        .unwrap_or(serde_json::Value::Null)
}

/// "Restore this backup": puts the backup the page showed in place (the damaged files go
/// to a `replaced-…` folder) and starts the phone system. Errors come back as a sentence.
#[tauri::command]
pub async fn restore_backup(app: AppHandle, name: String) -> Result<(), String> {
    let report = app
        .try_state::<Damaged>()
        .and_then(|d| d.0.lock().ok().and_then(|r| r.clone()))
        .ok_or_else(|| "the database is not damaged; nothing to restore".to_owned())?;
    // Only the backup the page listed: the name comes from the page, never a path.
    let backup = report
        .newest
        .filter(|b| b.name == name)
        .ok_or_else(|| format!("{name} is not the backup this page offers"))?;
    let data_dir = report.data_dir.clone();
    let root = report.backups_dir.clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    tauri::async_runtime::spawn_blocking(move || {
        store::stage_restore(&data_dir, &backup, &root, now)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("cannot restore {name}: {e}"))?;
    let launch = app
        .try_state::<Launch>()
        .ok_or_else(|| "the app is still starting".to_owned())?;
    match Backend::start(&launch.options, &launch.data_dir, launch.logging.clone()).await {
        Ok(backend) => {
            tracing::warn!(backup = %name, "restored after a damaged database; starting");
            if let Some(d) = app.try_state::<Damaged>() {
                if let Ok(mut d) = d.0.lock() {
                    *d = None;
                }
            }
            crate::started(&app, backend);
            crate::window::reload(&app);
            Ok(())
        }
        Err(e) => {
            tracing::error!(
                error = format!("{e:#}"),
                "the phone system could not start after the restore"
            );
            if let (Some(report), Some(d)) = (Report::of(&e), app.try_state::<Damaged>()) {
                if let Ok(mut d) = d.0.lock() {
                    *d = Some(report);
                }
            }
            Err(backend::explain(&e))
        }
    }
}

/// "Open the data folder": the system's file manager on it, e.g. to copy the damaged file.
#[tauri::command]
pub fn open_data_folder(state: tauri::State<'_, Damaged>) -> Result<(), String> {
    let dir = state
        .0
        .lock()
        .ok()
        .and_then(|d| d.as_ref().map(|r| r.data_dir.clone()))
        .ok_or_else(|| "the database is not damaged".to_owned())?;
    open_folder(&dir).map_err(|e| format!("cannot open {}: {e}", dir.display()))
}

fn open_folder(dir: &Path) -> std::io::Result<()> {
    let opener = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    // Not waited for: the file manager keeps running on its own.
    std::process::Command::new(opener)
        .arg(dir)
        .spawn()
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_the_file_and_the_newest_backup() {
        let data =
            std::env::temp_dir().join(format!("switchboard-restore-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        store::Store::open(&data).expect("open");
        let root = data.join(store::BACKUPS_DIR);
        let backup =
            store::create_backup(&data, &root, store::BackupTrigger::Manual, 1_800_000_000)
                .expect("backup");
        let e = anyhow::Error::from(store::Error::Damaged {
            path: data.join(store::DB_FILE_NAME),
            detail: "database disk image is malformed".to_owned(),
        });
        let report = Report::of(&e).expect("a damaged database is reported");
        let json = report.to_json();
        let _ = std::fs::remove_dir_all(&data);
        assert_eq!(json["backup"]["name"], backup.name.as_str());
        assert_eq!(json["backup"]["created_at"], 1_800_000_000);
        assert!(
            json["backup"]["size_bytes"].as_u64().unwrap_or(0) > 0,
            "{json}"
        );
        assert_eq!(json["detail"], "database disk image is malformed");
        assert!(
            json["file"]
                .as_str()
                .unwrap_or("")
                .ends_with("switchboard.db"),
            "{json}"
        );
    }

    #[test]
    fn other_failures_are_not_a_damaged_database() {
        let e = anyhow::anyhow!("cannot create the data folder");
        assert!(Report::of(&e).is_none());
    }
}
