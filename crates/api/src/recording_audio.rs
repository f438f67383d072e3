//! `GET /api/recordings/<id>/audio`: a call recording's WAV, for the page's audio player
//! and its download link (`?download`).
//!
//! Only ids the database lists are served, and only from the data folder's `recordings/`,
//! so the route can never be made to read another file. Answered as every audio file is
//! (see [`crate::audio_file`]).

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::audio_file::{civil, inside, safe, wav_response};
use crate::http::{error_response, Shared};
use crate::ApiError;

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
        message: format!("there is no recording {id}"),
        field: "id",
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let ctx = &shared.ctx;
    let recording = ctx
        .store(move |s| Ok(s.recording(id)?))
        .await?
        .ok_or_else(not_found)?;
    let file = Path::new(&recording.file)
        .strip_prefix(pbx::RECORDINGS_DIR)
        .map_err(|_| not_found())?;
    let folder = ctx.data_dir().join(pbx::RECORDINGS_DIR);
    let file = inside(&folder, file).ok_or_else(not_found)?;
    let bytes = match tokio::fs::read(&file).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::NotFound {
                message: format!("the file of recording {id} is missing"),
                field: "id",
            })
        }
        Err(e) => return Err(ApiError::Internal(format!("reading a recording: {e}"))),
    };
    Ok(wav_response(bytes, query, headers, &file_name(&recording)))
}

/// `recording-20261126-2303-201-to-202.wav`: sorts by time, names both parties, plain
/// ASCII so every system keeps it.
fn file_name(r: &store::Recording) -> String {
    let (date, time) = civil(r.started_at);
    format!(
        "recording-{date}-{time}-{}-to-{}.wav",
        safe(&r.caller),
        safe(&r.callee)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_name_is_plain_and_names_both_parties() {
        let r = store::Recording {
            id: 1,
            call_id: "x".into(),
            caller: "+1 (555) 0100/..".into(),
            callee: "202".into(),
            started_at: 1_764_198_180,
            duration_ms: 1,
            trigger: store::RecordingTrigger::OnDemand,
            trigger_name: None,
            file: "recordings/a.wav".into(),
            size_bytes: 1,
            call: None,
        };
        assert_eq!(
            file_name(&r),
            "recording-20251126-2303-+15550100..-to-202.wav"
        );
    }
}
