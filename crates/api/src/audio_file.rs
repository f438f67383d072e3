//! Audio files served to the pages' players and download links: voicemail messages,
//! call recordings, greetings and music on hold. One way to answer them all: byte ranges
//! (RFC 9110 §14), because browsers ask for them to seek; `?download` for a save dialog;
//! never cached by anyone else, as the audio is personal.

use std::path::{Path, PathBuf};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A WAV file's answer to `GET`: the whole file, or the byte range asked for, named
/// `file_name` when saved (`?download` makes the browser save it rather than play it).
pub(crate) fn wav_response(
    bytes: Vec<u8>,
    query: Option<&str>,
    headers: &HeaderMap,
    file_name: &str,
) -> Response {
    let download = query.is_some_and(|q| {
        q.split('&')
            .any(|p| p == "download" || p.starts_with("download="))
    });
    let disposition = format!(
        "{}; filename=\"{file_name}\"",
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
    // Personal audio: no shared cache keeps it, and browsers re-ask each time.
    insert(&mut response, header::CACHE_CONTROL, "private, no-store");
    insert(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    response
}

/// The extension of an upload's `name=` query parameter (`greeting.mp3` → `mp3`): a hint
/// for the decoder, nothing more.
pub(crate) fn upload_extension(query: Option<&str>) -> Option<String> {
    let name = query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("name="))?;
    let ext = name.rsplit_once('.')?.1;
    (!ext.is_empty() && ext.len() <= 5 && ext.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| ext.to_ascii_lowercase())
}

fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
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

/// A name or number as it may appear in a download's file name: plain ASCII.
pub(crate) fn safe(s: &str) -> String {
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
enum Range {
    /// First and last byte, inclusive.
    Bytes(usize, usize),
    Unsatisfiable,
    /// Not a single byte range: answered with the whole file (RFC 9110 §14.2 allows it).
    Ignore,
}

/// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n` for a file of `total` bytes.
fn byte_range(value: &str, total: usize) -> Range {
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

    #[test]
    fn an_uploads_file_name_extension_is_the_hint() {
        assert_eq!(
            upload_extension(Some("name=hello.MP3")).as_deref(),
            Some("mp3")
        );
        assert_eq!(
            upload_extension(Some("x=1&name=a.b.flac")).as_deref(),
            Some("flac")
        );
        assert_eq!(upload_extension(Some("name=noext")), None);
        assert_eq!(upload_extension(Some("name=a.toolongext")), None);
        assert_eq!(upload_extension(None), None);
    }
}
