//! `GET /api/voicemail/<id>/audio`: a message's WAV file, for the page's audio player and
//! its download link (`?download`).
//!
//! Only ids the database knows are served, and only from the data folder's `voicemail/`
//! folder, so the route can never be made to read another file. Byte ranges
//! (RFC 9110 §14) are answered because browsers ask for them to seek in a recording.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::audio_file::{civil, inside, safe, wav_response};
use crate::http::{error_response, Shared};
use crate::ApiError;

/// The folder under the data folder that holds the recordings.
pub(crate) const FOLDER: &str = "voicemail";

pub(crate) async fn audio(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    match serve(&shared, &id, query.as_deref(), &headers).await {
        Ok(response) => response,
        Err(e) => error_response(&e),
    }
}

async fn serve(
    shared: &Shared,
    id: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound {
        message: format!("there is no voicemail message {id}"),
        field: "id",
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let ctx = &shared.ctx;
    let (message, file) = ctx
        .store(move |s| {
            let message = s.voicemail_messages(None)?.into_iter().find(|m| m.id == id);
            let file = match message {
                Some(_) => s.voicemail_file(id)?,
                None => None,
            };
            Ok((message, file))
        })
        .await?;
    let (Some(message), Some(file)) = (message, file) else {
        return Err(not_found());
    };
    let file = inside(&ctx.data_dir().join(FOLDER), Path::new(&file)).ok_or_else(not_found)?;
    let bytes = match tokio::fs::read(&file).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::NotFound {
                message: format!("the recording of voicemail message {id} is missing"),
                field: "id",
            })
        }
        Err(e) => return Err(ApiError::Internal(format!("reading a voicemail: {e}"))),
    };

    Ok(wav_response(bytes, query, headers, &file_name(&message)))
}

/// Whether the store's `file` is a bare name inside the folder (no `..`, no directories).
pub(crate) fn plain_file_name(file: &str) -> bool {
    let mut parts = Path::new(file).components();
    matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(_)), None)
    )
}

/// `voicemail-201-20261126-2303-from-5551234.wav`: sorts by time in a folder, says whose
/// box and who called, and is plain ASCII so every system keeps it.
fn file_name(m: &store::VoicemailMessage) -> String {
    let (date, time) = civil(m.received_at);
    let mut name = format!("voicemail-{}-{date}-{time}", safe(&m.mailbox));
    let caller = safe(&m.caller_number);
    if !caller.is_empty() {
        name.push_str("-from-");
        name.push_str(&caller);
    }
    name.push_str(".wav");
    name
}
