//! Keeps the list of recordings: lists each one once its file is complete, raises an
//! alert when one fails or is refused for lack of disk space, and deletes recordings older
//! than the retention setting once a day.
//!
//! A recording's row is written unfinished when it starts and marked complete only after
//! the writer has synced and renamed the file into place, so the list never names a half
//! file. The daily clean-up deletes complete rows only, so it can never touch a recording
//! still being written (a hidden `.part` file whose row is unfinished). At start, rows the
//! last stop left unfinished are listed when start-up salvaged their file, else removed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pbx::{PbxEvent, RecordingInfo, RecordingTrigger};
use store::{NewRecording, Store};
use tokio::sync::broadcast;

use super::record::Recording;

/// How often old recordings are looked for.
const CLEAN_UP_EVERY: Duration = Duration::from_secs(24 * 3600);

/// The first clean-up after start: soon, but not while the PBX is still starting up.
const FIRST_CLEAN_UP: Duration = Duration::from_secs(60);

/// Bytes of one second of a recording: 8 kHz, 16-bit, two channels.
const BYTES_PER_SECOND: u64 = 8000 * 2 * 2;

/// A WAV file's header as the recorder writes it.
const WAV_HEADER: u64 = 44;

/// Lists finished recordings and reports failures. Cheap to clone.
#[derive(Clone)]
pub struct RecordKeeper {
    data_dir: PathBuf,
    store: Arc<Mutex<Store>>,
    events: broadcast::Sender<PbxEvent>,
}

impl RecordKeeper {
    /// A keeper writing to its own connection to the data folder's database, telling
    /// `events`' subscribers (the screens) what happened. Settles the recordings the last
    /// stop left unfinished and starts the daily clean-up.
    pub fn start(
        data_dir: &Path,
        events: broadcast::Sender<PbxEvent>,
    ) -> Result<RecordKeeper, store::Error> {
        let keeper = RecordKeeper {
            data_dir: data_dir.to_owned(),
            store: Arc::new(Mutex::new(Store::open(data_dir)?)),
            events,
        };
        keeper.settle_unfinished();
        // The clean-up holds the database only weakly: it ends once the engine has let its
        // keeper go.
        let store = Arc::downgrade(&keeper.store);
        let (data_dir, events) = (keeper.data_dir.clone(), keeper.events.clone());
        tokio::spawn(async move {
            let first = tokio::time::Instant::now() + FIRST_CLEAN_UP;
            let mut every = tokio::time::interval_at(first, CLEAN_UP_EVERY);
            loop {
                every.tick().await;
                let Some(store) = store.upgrade() else { break };
                let keeper = RecordKeeper {
                    data_dir: data_dir.clone(),
                    store,
                    events: events.clone(),
                };
                let _ = tokio::task::spawn_blocking(move || keeper.clean_up(unix_now())).await;
            }
        });
        Ok(keeper)
    }

    /// Why a new recording must not start now (too little free space), as the alert says.
    pub fn refusal(&self) -> Option<String> {
        let min_free_mb = match self.lock().recording_policy() {
            Ok(policy) => policy.min_free_mb,
            Err(e) => {
                tracing::warn!(error = %e, "recording settings unreadable; the default applies");
                store::DEFAULT_MIN_FREE_MB
            }
        };
        let free_mb = free_mb(&self.data_dir)?;
        (free_mb < min_free_mb).then(|| {
            format!(
                "A call was not recorded: only {free_mb} MB free on the data folder's disk \
                 (recording needs at least {min_free_mb} MB). Free some space, delete old \
                 recordings, or lower the limit on Recordings."
            )
        })
    }

    /// Tells the screens something went wrong with recording, and keeps it for pages
    /// opened later.
    pub fn alert(&self, message: String) {
        tracing::error!(%message, "recording alert");
        let at = i64::try_from(unix_now()).unwrap_or(i64::MAX);
        if let Err(e) = self.lock().save_recording_alert(&message, at) {
            tracing::warn!(error = %e, "recording alert not kept");
        }
        let _ = self.events.send(PbxEvent::RecordingAlert { message });
    }

    /// Writes `recording`'s row now (unlisted, so a crash keeps who was on the call), lists
    /// it once its file is complete, or forgets it and raises an alert when it fails.
    pub fn watch(&self, recording: Recording, info: RecordingInfo) {
        let keeper = self.clone();
        let new = self.new_recording(recording.path(), &info);
        tokio::spawn(async move {
            let begun = {
                let (keeper, new) = (keeper.clone(), new.clone());
                tokio::task::spawn_blocking(move || keeper.lock().begin_recording(&new)).await
            };
            if !matches!(begun, Ok(Ok(_))) {
                tracing::warn!(
                    "a recording's row was not written at its start; it is listed at its end"
                );
            }
            let finished = recording.finished().await;
            let settle = keeper.clone();
            let file = new.file.clone();
            let listed = tokio::task::spawn_blocking(move || match &finished {
                Ok(path) => settle.list(path, &new).map(|()| None),
                Err(e) => {
                    if let Err(e) = settle.lock().abandon_recording(&file) {
                        tracing::warn!(error = %e, "a failed recording's row was not removed");
                    }
                    Ok(Some(e.to_string()))
                }
            })
            .await;
            match listed {
                Ok(Ok(None)) => {
                    let _ = keeper.events.send(PbxEvent::RecordingsChanged);
                }
                Ok(Ok(Some(e))) => keeper.alert(format!(
                    "A call's recording stopped because it could not be written ({e}); \
                     earlier recordings are intact. Check that the data folder's disk has \
                     space and can be written to."
                )),
                Ok(Err(e)) => keeper.alert(format!(
                    "A finished recording could not be listed ({e}); its file is in the \
                     recordings folder."
                )),
                Err(e) => keeper.alert(format!("A finished recording was not listed ({e}).")),
            }
        });
    }

    /// The row of a recording to `path` (absolute, under the data folder).
    fn new_recording(&self, path: &Path, info: &RecordingInfo) -> NewRecording {
        let file = path
            .strip_prefix(&self.data_dir)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let (trigger, trigger_name) = match &info.trigger {
            RecordingTrigger::OnDemand => (store::RecordingTrigger::OnDemand, None),
            RecordingTrigger::Extension(n) => (store::RecordingTrigger::Extension, Some(n)),
            RecordingTrigger::RingGroup(n) => (store::RecordingTrigger::RingGroup, Some(n)),
            RecordingTrigger::BusinessName(n) => (store::RecordingTrigger::BusinessName, Some(n)),
        };
        NewRecording {
            call_id: info.call_id.clone(),
            caller: info.caller.clone(),
            callee: info.callee.clone(),
            started_at: i64::try_from(info.started_at).unwrap_or(i64::MAX),
            duration_ms: 0,
            trigger,
            trigger_name: trigger_name.cloned(),
            file,
            size_bytes: 0,
        }
    }

    /// Lists a complete recording: completes its row, or writes one if its start's was
    /// not written.
    fn list(&self, path: &Path, new: &NewRecording) -> Result<(), String> {
        let size_bytes = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
        let duration_ms = duration_ms(size_bytes);
        let store = self.lock();
        let finished = store
            .finish_recording(&new.file, duration_ms, size_bytes)
            .map_err(|e| e.to_string())?;
        if !finished {
            let new = NewRecording {
                duration_ms,
                size_bytes,
                ..new.clone()
            };
            store.insert_recording(&new).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Settles recordings begun before the program last stopped: listed when start-up
    /// salvaged their file (cut short where the crash came), else forgotten.
    fn settle_unfinished(&self) {
        let store = self.lock();
        let files = match store.unfinished_recordings() {
            Ok(files) => files,
            Err(e) => return tracing::warn!(error = %e, "unfinished recordings not read"),
        };
        for file in files {
            let outcome = match std::fs::metadata(self.data_dir.join(&file)) {
                Ok(meta) => store
                    .finish_recording(&file, duration_ms(meta.len()), meta.len())
                    .map(|_| "listed"),
                Err(_) => store.abandon_recording(&file).map(|()| "forgotten"),
            };
            match outcome {
                Ok(what) => tracing::warn!(file, what, "a recording the last stop cut short"),
                Err(e) => {
                    tracing::warn!(file, error = %e, "an unfinished recording was not settled")
                }
            }
        }
    }

    /// Deletes recordings older than the retention setting (rows first, then files).
    /// Returns how many were deleted.
    pub fn clean_up(&self, now_unix: u64) -> usize {
        let store = self.lock();
        let days = match store.recording_policy() {
            Ok(policy) => policy.retention_days,
            Err(e) => {
                tracing::warn!(error = %e, "recording settings unreadable; nothing deleted");
                return 0;
            }
        };
        if days == 0 {
            return 0;
        }
        let cutoff = now_unix.saturating_sub(u64::from(days) * 24 * 3600);
        let files = match store.delete_recordings_before(i64::try_from(cutoff).unwrap_or(0)) {
            Ok(files) => files,
            Err(e) => {
                tracing::warn!(error = %e, "old recordings could not be deleted");
                return 0;
            }
        };
        drop(store);
        for file in &files {
            remove_listed_file(&self.data_dir, file);
        }
        if !files.is_empty() {
            tracing::info!(deleted = files.len(), days, "old recordings deleted");
            let _ = self.events.send(PbxEvent::RecordingsChanged);
        }
        files.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Removes a file a recording row named (relative to the data folder), only inside the
/// recordings folder: a row is data, and data never names a file elsewhere to delete.
pub fn remove_listed_file(data_dir: &Path, file: &str) {
    let relative = Path::new(file);
    let plain = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain || !relative.starts_with(pbx::RECORDINGS_DIR) {
        tracing::warn!(
            file,
            "a recording row names a file outside recordings/; left alone"
        );
        return;
    }
    if let Err(e) = std::fs::remove_file(data_dir.join(relative)) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(file, error = %e, "recording file not deleted");
        }
    }
}

/// Free megabytes (10^6 bytes) for an unprivileged writer on the disk holding `dir` (or
/// its nearest existing parent); `None` when it cannot be told.
pub fn free_mb(dir: &Path) -> Option<u64> {
    let existing = dir.ancestors().find(|d| d.exists())?;
    let stat = rustix::fs::statvfs(existing).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize) / 1_000_000)
}

/// A recording's length from its file size (8 kHz 16-bit stereo after the header).
fn duration_ms(size_bytes: u64) -> u64 {
    size_bytes.saturating_sub(WAV_HEADER) * 1000 / BYTES_PER_SECOND
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
