//! `GET /api/recordings/<id>/audio`: a call recording's WAV, for the page's audio player
//! and its download link (`?download`).
//!
//! Only ids the database lists are served, and only from the data folder's `recordings/`,
//! so the route can never be made to read another file. Byte ranges are answered as for
//! voicemail (browsers ask for them to seek).

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::{error_response, Shared};
use crate::voicemail_audio::{byte_range, civil, insert, inside, Range};
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
    let download = query.is_some_and(|q| {
        q.split('&')
            .any(|p| p == "download" || p.starts_with("download="))
    });
    let disposition = format!(
        "{}; filename=\"{}\"",
        if download { "attachment" } else { "inline" },
        file_name(&recording)
    );
    let total = bytes.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| byte_range(v, total));
    let mut response = match range {
        None | Some(Range::Ignore) => (StatusCode::OK, bytes).into_response(),
        Some(Range::Unsatisfiable) => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            insert(&mut r, header::CONTENT_RANGE, &format!("bytes */{total}"));
            r
        }
        Some(Range::Bytes(start, end)) => {
            let part = bytes.get(start..=end).unwrap_or_default().to_vec();
            let mut r = (StatusCode::PARTIAL_CONTENT, part).into_response();
            insert(
                &mut r,
                header::CONTENT_RANGE,
                &format!("bytes {start}-{end}/{total}"),
            );
            r
        }
    };
    insert(&mut response, header::CONTENT_TYPE, "audio/wav");
    insert(&mut response, header::CONTENT_DISPOSITION, &disposition);
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    // A call recording is personal: no shared cache keeps it.
    insert(&mut response, header::CACHE_CONTROL, "private, no-store");
    insert(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    Ok(response)
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

fn safe(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '_'))
        .take(32)
        .collect()
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
