//! Music on hold in Settings: whether the owner's own music plays (uploaded through
//! `POST /api/music-on-hold`, see `music_upload.rs`) and going back to the bundled piece.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::ApiError;

/// Which music held callers hear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MusicOnHold {
    /// Whether the owner's own upload plays (else the music that ships with the program).
    pub custom: bool,
    /// Where the own music is served for the page's player, when there is one.
    pub audio_path: Option<String>,
}

impl MusicOnHold {
    pub(crate) fn of(data_dir: &Path) -> MusicOnHold {
        let custom = engine::music_upload::uploaded_music(data_dir).is_some();
        MusicOnHold {
            custom,
            audio_path: custom.then(|| "/api/music-on-hold".to_owned()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetMusicOnHoldRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GetMusicOnHoldResponse {
    pub music: MusicOnHold,
}

impl Command for GetMusicOnHoldRequest {
    const NAME: &'static str = "get_music_on_hold";
    type Response = GetMusicOnHoldResponse;

    async fn run(self, ctx: &Ctx) -> Result<GetMusicOnHoldResponse, ApiError> {
        Ok(GetMusicOnHoldResponse {
            music: MusicOnHold::of(ctx.data_dir()),
        })
    }
}

/// Removes the owner's music: held callers hear the bundled piece from the next hold on.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveMusicOnHoldRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoveMusicOnHoldResponse {
    pub music: MusicOnHold,
}

impl Command for RemoveMusicOnHoldRequest {
    const NAME: &'static str = "remove_music_on_hold";
    type Response = RemoveMusicOnHoldResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoveMusicOnHoldResponse, ApiError> {
        engine::music_upload::remove_uploaded_music(ctx.data_dir())
            .map_err(|e| ApiError::Internal(format!("the music could not be removed: {e}")))?;
        reload(ctx).await;
        Ok(RemoveMusicOnHoldResponse {
            music: MusicOnHold::of(ctx.data_dir()),
        })
    }
}

/// Puts the music now in the data folder in use (a stopped PBX reads it when it starts).
pub(crate) async fn reload(ctx: &Ctx) {
    if let Err(e) = ctx.engine.reload_music_on_hold().await {
        tracing::warn!(error = %e, "music on hold changed; the PBX will load it when it runs");
    }
}
