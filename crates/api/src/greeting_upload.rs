//! `POST /api/greetings/<number>?name=<file name>`: an owner's own voicemail greeting,
//! uploaded as the raw file (WAV, MP3, Ogg or FLAC; the name's extension is only a hint),
//! converted to what the PBX plays and used for the next caller at once. A file that
//! cannot be read is refused with the reason on the `file` field, and the greeting in use
//! stays. `GET` on the same path serves the greeting in use (the owner's own; 404 when
//! the mailbox plays the default), for the page's player.
//!
//! A route of its own rather than a command because a greeting is far larger than the
//! commands' request limit; JSON would also have to carry it as text.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{middleware, Json, Router};

use crate::audio_file::{safe, upload_extension, wav_response};
use crate::commands::greetings::{mailbox_exists, GreetingState};
use crate::events::Event;
use crate::http::{error_response, Shared};
use crate::{guard, ApiError};

/// Largest greeting file accepted: two minutes of CD-quality WAV.
const MAX_UPLOAD_BYTES: usize = 24 * 1024 * 1024;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/greetings/{number}", post(upload).get(audio))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .layer(middleware::from_fn(guard::loopback_only))
}

async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    match save(&shared, number, query.as_deref(), body).await {
        Ok(state) => Json(state).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn save(
    shared: &Shared,
    number: String,
    query: Option<&str>,
    body: Bytes,
) -> Result<GreetingState, ApiError> {
    let ctx = &shared.ctx;
    let n = number.clone();
    if !ctx.store(move |s| mailbox_exists(s, &n)).await? {
        return Err(ApiError::NotFound {
            message: format!("there is no extension or ring group {number}"),
            field: "number",
        });
    }
    if body.is_empty() {
        return Err(ApiError::field("file", "is empty: choose an audio file"));
    }
    let ext = upload_extension(query);
    let data_dir = ctx.data_dir().to_owned();
    let n = number.clone();
    let saved = tokio::task::spawn_blocking(move || {
        engine::media_endpoint::save_uploaded_greeting(&data_dir, &n, &body, ext.as_deref())
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    match saved {
        Ok(()) => {}
        Err(engine::media_endpoint::GreetingError::Io(e)) => {
            return Err(ApiError::Internal(format!(
                "the greeting could not be saved: {e}"
            )))
        }
        Err(e) => return Err(ApiError::field("file", e.to_string())),
    }
    ctx.publish(Event::VoicemailChanged {
        mailbox: number.clone(),
    });
    Ok(GreetingState::of(ctx.data_dir(), number))
}

async fn audio(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let not_found = || ApiError::NotFound {
        message: format!("mailbox {number} plays the default greeting"),
        field: "number",
    };
    let Some(path) = engine::media_endpoint::greeting_path(shared.ctx.data_dir(), &number) else {
        return error_response(&not_found());
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let name = format!("greeting-{}.wav", safe(&number));
            wav_response(bytes, query.as_deref(), &headers, &name)
        }
        Err(_) => error_response(&not_found()),
    }
}
