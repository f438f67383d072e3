//! `POST /api/music-on-hold?name=<file name>`: the owner's own music on hold, uploaded as
//! the raw file (WAV, MP3, Ogg or FLAC; the name's extension is only a hint), converted
//! and put in use for calls held from then on. A file that cannot be used is refused with
//! the reason on the `file` field, and the music in use stays. `GET` on the same path
//! serves the owner's music (404 while the bundled piece plays), for the page's player.
//!
//! A route of its own rather than a command: music is far larger than the commands'
//! request limit.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{middleware, Json, Router};

use crate::audio_file::{upload_extension, wav_response};
use crate::commands::music_on_hold::{reload, MusicOnHold};
use crate::http::{error_response, Shared};
use crate::{guard, ApiError};

/// Largest file accepted: ten minutes of CD-quality MP3, or a minute of WAV.
const MAX_UPLOAD_BYTES: usize = 40 * 1024 * 1024;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/music-on-hold", post(upload).get(audio))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .layer(middleware::from_fn(guard::loopback_only))
}

async fn upload(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    match save(&shared, query.as_deref(), body).await {
        Ok(state) => Json(state).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn save(shared: &Shared, query: Option<&str>, body: Bytes) -> Result<MusicOnHold, ApiError> {
    let ctx = &shared.ctx;
    if body.is_empty() {
        return Err(ApiError::field("file", "is empty: choose an audio file"));
    }
    let ext = upload_extension(query);
    let data_dir = ctx.data_dir().to_owned();
    let saved = tokio::task::spawn_blocking(move || {
        engine::music_upload::save_uploaded_music(&data_dir, &body, ext.as_deref())
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    match saved {
        Ok(()) => {}
        Err(e @ engine::music_upload::MusicUploadError::Io(_)) => {
            return Err(ApiError::Internal(format!("the music {e}")))
        }
        Err(e) => return Err(ApiError::field("file", e.to_string())),
    }
    reload(ctx).await;
    Ok(MusicOnHold::of(ctx.data_dir()))
}

async fn audio(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let not_found = || ApiError::NotFound {
        message: "the bundled music on hold plays; there is no uploaded music".to_owned(),
        field: "file",
    };
    let Some(path) = engine::music_upload::uploaded_music(shared.ctx.data_dir()) else {
        return error_response(&not_found());
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => wav_response(bytes, query.as_deref(), &headers, "music-on-hold.wav"),
        Err(_) => error_response(&not_found()),
    }
}
