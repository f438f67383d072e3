//! `GET /api/voicemail/<id>/audio`: a message's WAV file, for the page's audio player and
//! its download link (`?download`).
//!
//! Only ids the database knows are served, and only from the data folder's `voicemail/`
//! folder, so the route can never be made to read another file. Byte ranges
//! (RFC 9110 §14) are answered because browsers ask for them to seek in a recording.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

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

    let download = query.is_some_and(|q| {
        q.split('&')
            .any(|p| p == "download" || p.starts_with("download="))
    });
    let name = file_name(&message);
    let disposition = format!(
        "{}; filename=\"{name}\"",
        if download { "attachment" } else { "inline" }
    );
    let total = bytes.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| byte_range(v, total));

    let mut response = match range {
        // No Range header, or one we do not take (several ranges, other units): the whole file.
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
    // A voicemail is personal: no shared cache keeps it, and browsers re-ask each time.
    insert(&mut response, header::CACHE_CONTROL, "private, no-store");
    insert(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    Ok(response)
}

pub(crate) fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// Whether the store's `file` is a bare name inside the folder (no `..`, no directories).
pub(crate) fn plain_file_name(file: &str) -> bool {
    let mut parts = Path::new(file).components();
    matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(_)), None)
    )
}

/// `file` when it lies in `folder` (a relative name is taken as inside it); `None` for a
/// path that climbs out of it.
pub(crate) fn inside(folder: &Path, file: &Path) -> Option<PathBuf> {
    let full = if file.is_absolute() {
        file.to_path_buf()
    } else {
        folder.join(file)
    };
    let rest = full.strip_prefix(folder).ok()?;
    let plain = rest
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    (plain && rest.components().next().is_some()).then_some(full)
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

fn safe(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '_'))
        .take(32)
        .collect()
}

/// `(YYYYMMDD, HHMM)` in UTC for unix seconds (the days-from-civil algorithm, inverted).
pub(crate) fn civil(unix: i64) -> (String, String) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}{month:02}{day:02}"),
        format!("{:02}{:02}", secs / 3600, secs % 3600 / 60),
    )
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Range {
    /// First and last byte, inclusive.
    Bytes(usize, usize),
    Unsatisfiable,
    /// Not a single byte range: answered with the whole file (RFC 9110 §14.2 allows it).
    Ignore,
}

/// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n` for a file of `total` bytes.
pub(crate) fn byte_range(value: &str, total: usize) -> Range {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Range::Ignore;
    };
    if spec.contains(',') {
        return Range::Ignore;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Range::Ignore;
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |s: &str| s.parse::<usize>().ok();
    let (start, end) = match (first.is_empty(), last.is_empty()) {
        // The last n bytes.
        (true, false) => match parse(last) {
            Some(0) => return Range::Unsatisfiable,
            Some(n) => (total.saturating_sub(n), total.saturating_sub(1)),
            None => return Range::Ignore,
        },
        (false, true) => match parse(first) {
            Some(start) => (start, total.saturating_sub(1)),
            None => return Range::Ignore,
        },
        (false, false) => match (parse(first), parse(last)) {
            (Some(start), Some(end)) if start <= end => (start, end.min(total.saturating_sub(1))),
            _ => return Range::Ignore,
        },
        (true, true) => return Range::Ignore,
    };
    if total == 0 || start >= total {
        Range::Unsatisfiable
    } else {
        Range::Bytes(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_are_read_as_browsers_send_them() {
        assert_eq!(byte_range("bytes=0-", 100), Range::Bytes(0, 99));
        assert_eq!(byte_range("bytes=10-19", 100), Range::Bytes(10, 19));
        assert_eq!(byte_range("bytes=90-200", 100), Range::Bytes(90, 99));
        assert_eq!(byte_range("bytes=-10", 100), Range::Bytes(90, 99));
        assert_eq!(byte_range("bytes=-500", 100), Range::Bytes(0, 99));
        assert_eq!(byte_range("bytes=100-", 100), Range::Unsatisfiable);
        assert_eq!(byte_range("bytes=-0", 100), Range::Unsatisfiable);
        assert_eq!(byte_range("bytes=0-1,5-6", 100), Range::Ignore);
        assert_eq!(byte_range("items=0-1", 100), Range::Ignore);
        assert_eq!(byte_range("bytes=5-2", 100), Range::Ignore);
        assert_eq!(byte_range("bytes=x-", 100), Range::Ignore);
    }

    #[test]
    fn only_files_inside_the_folder_are_served() {
        let folder = Path::new("/data/voicemail");
        assert_eq!(
            inside(folder, Path::new("7.wav")),
            Some(PathBuf::from("/data/voicemail/7.wav"))
        );
        assert_eq!(
            inside(folder, Path::new("/data/voicemail/201/7.wav")),
            Some(PathBuf::from("/data/voicemail/201/7.wav"))
        );
        assert_eq!(inside(folder, Path::new("../switchboard.db")), None);
        assert_eq!(inside(folder, Path::new("/etc/passwd")), None);
        assert_eq!(inside(folder, Path::new("/data/voicemail")), None);
    }

    #[test]
    fn dates_in_file_names_are_utc_calendar_dates() {
        assert_eq!(civil(0), ("19700101".to_owned(), "0000".to_owned()));
        // 2026-11-26 23:03:35 UTC
        assert_eq!(
            civil(1_795_734_215),
            ("20261126".to_owned(), "2303".to_owned())
        );
        assert_eq!(
            civil(951_782_400),
            ("20000229".to_owned(), "0000".to_owned())
        );
    }
}
