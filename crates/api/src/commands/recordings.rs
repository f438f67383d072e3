//! The recordings list (play, download, delete), always-on recording per extension, ring
//! group and business name, and how long recordings are kept.
//!
//! The audio is served by `GET /api/recordings/<id>/audio` (see `recording_audio.rs`).
//! A recording appears here once its file is complete; when one fails or is refused for
//! lack of disk space, the screens get [`Event::RecordingAlert`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::events::Event;
use crate::ApiError;

/// Most recordings one list answers with, unless asked for fewer.
const LIST_MAX: u32 = 500;

/// Why a call was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RecordingTrigger {
    /// Someone pressed Record.
    OnDemand,
    /// An extension on the call records every call.
    Extension,
    /// The ring group called records every call.
    RingGroup,
    /// The business name called records every call.
    BusinessName,
}

impl From<store::RecordingTrigger> for RecordingTrigger {
    fn from(t: store::RecordingTrigger) -> Self {
        match t {
            store::RecordingTrigger::OnDemand => RecordingTrigger::OnDemand,
            store::RecordingTrigger::Extension => RecordingTrigger::Extension,
            store::RecordingTrigger::RingGroup => RecordingTrigger::RingGroup,
            store::RecordingTrigger::BusinessName => RecordingTrigger::BusinessName,
        }
    }
}

/// One finished recording: a stereo WAV, the caller on the left, the callee on the right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Recording {
    pub id: i64,
    /// The call's Call-ID: the call history entry with the same Call-ID is this call.
    pub call_id: String,
    /// The caller's number (left channel).
    pub caller: String,
    /// Who answered, else the number dialled (right channel).
    pub callee: String,
    /// When recording started, Unix seconds.
    pub started_at: i64,
    pub duration_ms: u64,
    pub trigger: RecordingTrigger,
    /// The extension, ring group number or business name that records every call; none
    /// for a recording made on demand.
    pub trigger_name: Option<String>,
    pub size_bytes: u64,
    /// Where the WAV is served, relative to the API's address; add `?download` to save it.
    pub audio_path: String,
    /// The call's record in the call history, once written.
    pub call: Option<CallLink>,
}

/// What the call history says about a recorded call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallLink {
    /// The call record's id.
    pub cdr_id: i64,
    pub caller_name: Option<String>,
    /// The business name the caller dialled (`sales.acme`), for calls from a trunk.
    pub business_name: Option<String>,
    /// How long the call was connected, in seconds.
    pub duration_s: i64,
}

impl From<store::Recording> for Recording {
    fn from(r: store::Recording) -> Self {
        Recording {
            audio_path: format!("/api/recordings/{}/audio", r.id),
            id: r.id,
            call_id: r.call_id,
            caller: r.caller,
            callee: r.callee,
            started_at: r.started_at,
            duration_ms: r.duration_ms,
            trigger: r.trigger.into(),
            trigger_name: r.trigger_name,
            size_bytes: r.size_bytes,
            call: r.call.map(|c| CallLink {
                cdr_id: c.cdr_id,
                caller_name: c.caller_name,
                business_name: c.business_name,
                duration_s: c.duration_s,
            }),
        }
    }
}

/// The recordings, newest first.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListRecordingsRequest {
    /// At most this many (default and maximum 500).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListRecordingsResponse {
    pub recordings: Vec<Recording>,
}

impl Command for ListRecordingsRequest {
    const NAME: &'static str = "list_recordings";
    type Response = ListRecordingsResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListRecordingsResponse, ApiError> {
        let limit = self.limit.unwrap_or(LIST_MAX).min(LIST_MAX);
        let recordings = ctx
            .store(move |s| Ok(s.recordings(limit)?))
            .await?
            .into_iter()
            .map(Recording::from)
            .collect();
        Ok(ListRecordingsResponse { recordings })
    }
}

/// Deletes a recording: its row first (gone from every list at once), then its file.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeleteRecordingRequest {
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeleteRecordingResponse {}

impl Command for DeleteRecordingRequest {
    const NAME: &'static str = "delete_recording";
    type Response = DeleteRecordingResponse;

    async fn run(self, ctx: &Ctx) -> Result<DeleteRecordingResponse, ApiError> {
        let id = self.id;
        let data_dir = ctx.data_dir().to_owned();
        ctx.store(move |s| {
            let file = s
                .delete_recording(id)
                .map_err(|e| ApiError::from_store(e, "id"))?;
            engine::relay::remove_listed_file(&data_dir, &file);
            Ok(())
        })
        .await?;
        ctx.publish(Event::RecordingsChanged);
        Ok(DeleteRecordingResponse {})
    }
}

/// Which extensions, ring groups and business names have every call recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct AlwaysRecord {
    pub extensions: Vec<String>,
    pub ring_groups: Vec<String>,
    pub business_names: Vec<String>,
}

/// The recording settings and always-on flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RecordingSettings {
    /// Recordings older than this are deleted once a day; 0 keeps them forever.
    pub retention_days: u32,
    /// New recordings are refused (with an alert) while the data folder's disk has less
    /// free space than this, in megabytes.
    pub min_free_mb: u64,
    pub always: AlwaysRecord,
    /// Free space on the data folder's disk now, in megabytes (unknown on some systems).
    pub free_mb: Option<u64>,
    /// The latest recording that failed or was refused, and why.
    pub last_alert: Option<RecordingProblem>,
}

/// A recording that failed (disk full, write error) or was refused for lack of space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RecordingProblem {
    pub message: String,
    /// Unix seconds.
    pub at: i64,
}

/// Reads the recording settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetRecordingSettingsRequest {}

impl Command for GetRecordingSettingsRequest {
    const NAME: &'static str = "get_recording_settings";
    type Response = RecordingSettings;

    async fn run(self, ctx: &Ctx) -> Result<RecordingSettings, ApiError> {
        read_settings(ctx).await
    }
}

/// Saves the retention and free-space settings (applied from the next check: the daily
/// clean-up and the next recording).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveRecordingSettingsRequest {
    pub retention_days: u32,
    pub min_free_mb: u64,
}

impl Command for SaveRecordingSettingsRequest {
    const NAME: &'static str = "save_recording_settings";
    type Response = RecordingSettings;

    async fn run(self, ctx: &Ctx) -> Result<RecordingSettings, ApiError> {
        let policy = store::RecordingPolicy {
            retention_days: self.retention_days,
            min_free_mb: self.min_free_mb,
        };
        ctx.store(move |s| Ok(s.save_recording_policy(&policy)?))
            .await?;
        ctx.publish(Event::RecordingsChanged);
        read_settings(ctx).await
    }
}

/// What an always-on flag is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlwaysRecordKind {
    Extension,
    RingGroup,
    BusinessName,
}

/// Turns always-on recording on or off for an extension (by number), a ring group (by
/// number) or a business name (by name). Calls answered from then on follow it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetAlwaysRecordRequest {
    pub kind: AlwaysRecordKind,
    /// The extension or ring group number, or the business name.
    pub key: String,
    pub on: bool,
}

impl Command for SetAlwaysRecordRequest {
    const NAME: &'static str = "set_always_record";
    type Response = RecordingSettings;

    async fn run(self, ctx: &Ctx) -> Result<RecordingSettings, ApiError> {
        let kind = match self.kind {
            AlwaysRecordKind::Extension => store::AlwaysRecordKind::Extension,
            AlwaysRecordKind::RingGroup => store::AlwaysRecordKind::RingGroup,
            AlwaysRecordKind::BusinessName => store::AlwaysRecordKind::BusinessName,
        };
        let key = self.key.trim().to_owned();
        let on = self.on;
        ctx.store(move |s| {
            s.set_always_record(kind, &key, on)
                .map_err(|e| ApiError::from_store(e, "key"))
        })
        .await?;
        // The PBX reads the flags with the extensions; it would notice within a second.
        if let Err(e) = ctx.engine.reload_extensions().await {
            tracing::warn!(error = %e, "saved the recording flag; the PBX reads it when it runs");
        }
        ctx.publish(Event::RecordingsChanged);
        read_settings(ctx).await
    }
}

async fn read_settings(ctx: &Ctx) -> Result<RecordingSettings, ApiError> {
    let data_dir = ctx.data_dir().to_owned();
    ctx.store(move |s| {
        let policy = s.recording_policy()?;
        let always = s.always_record()?;
        let last_alert = s
            .last_recording_alert()?
            .map(|(message, at)| RecordingProblem { message, at });
        Ok(RecordingSettings {
            retention_days: policy.retention_days,
            min_free_mb: policy.min_free_mb,
            always: AlwaysRecord {
                extensions: always.extensions,
                ring_groups: always.ring_groups,
                business_names: always.business_names,
            },
            free_mb: engine::relay::free_mb(&data_dir),
            last_alert,
        })
    })
    .await
}
