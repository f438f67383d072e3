//! Parsing a whole message from bytes (RFC 3261 §7).
//!
//! The parser is our own rather than a general-purpose one because the network sends
//! things that must be read exactly: folded lines, whitespace before the colon, compact
//! names, unknown methods, IPv6 hosts, tel URIs and a Content-Length that decides where the
//! body ends (RFC 4475).

use std::borrow::Cow;

use super::name_addr::{Contacts, NameAddr};
use super::via::{CSeq, Via};
use super::{Message, Request, Response};
use crate::error::ParseError;
use crate::header_name::canonical;
use crate::headers::Headers;
use crate::scan::{is_token, parse_u32, trim_ws};

/// Parses one message from a datagram or from a frame cut by [`crate::StreamFramer`].
///
/// With a Content-Length, the body is exactly that many bytes and anything after it is
/// ignored (RFC 3261 §18.3); a Content-Length larger than what arrived is an error. Without
/// one the body is the rest of the datagram (RFC 3261 §18.3 allows this for UDP only; the
/// framer insists on Content-Length for streams).
pub fn parse(data: &[u8]) -> Result<Message, ParseError> {
    let data = skip_leading_crlf(data);
    if data.is_empty() {
        return Err(ParseError::Empty);
    }
    let (head_len, body_start) = match find_header_end(data) {
        Some(end) => (end, end + 4),
        // A datagram that ends right after a header line lacks only the blank line
        // (RFC 3261 §7.5 requires it); read it as a message without a body.
        None if data.ends_with(b"\r\n") => (data.len() - 2, data.len()),
        None => return Err(ParseError::Unterminated),
    };
    let head_bytes = data.get(..head_len).unwrap_or_default();
    // Header text is UTF-8 (RFC 3261 §25.1 TEXT-UTF8); stray bytes from broken peers are
    // replaced rather than refused.
    let head = match std::str::from_utf8(head_bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(head_bytes),
    };

    let (start_line, header_text) = match head.split_once('\n') {
        Some((s, h)) => (s.strip_suffix('\r').ok_or(ParseError::StartLine)?, h),
        None => (head.as_ref(), ""),
    };
    if start_line.contains('\r') {
        return Err(ParseError::StartLine);
    }
    let start = parse_start_line(start_line)?;
    let headers = parse_headers(header_text)?;
    let content_length = validate(&headers)?;

    let rest = data.get(body_start..).unwrap_or_default();
    let body = match content_length {
        Some(n) => rest.get(..n as usize).ok_or(ParseError::Truncated)?,
        None => rest,
    }
    .to_vec();

    Ok(match start {
        StartLine::Request(method, uri) => Message::Request(Request {
            method,
            uri,
            headers,
            body,
        }),
        StartLine::Response(status, reason) => Message::Response(Response {
            status,
            reason,
            headers,
            body,
        }),
    })
}

/// RFC 3261 §7.5: CRLFs before the start line are ignored.
pub(crate) fn skip_leading_crlf(mut data: &[u8]) -> &[u8] {
    while let Some(rest) = data.strip_prefix(b"\r\n") {
        data = rest;
    }
    data
}

/// Offset of the CRLF CRLF that ends the header section.
pub(crate) fn find_header_end(data: &[u8]) -> Option<usize> {
    memchr::memmem::find(data, b"\r\n\r\n")
}

enum StartLine {
    Request(crate::Method, crate::Uri),
    Response(u16, String),
}

fn is_sip_version(v: &str) -> bool {
    v.eq_ignore_ascii_case("SIP/2.0")
}

fn looks_like_version(v: &str) -> bool {
    v.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("SIP/"))
}

fn parse_start_line(line: &str) -> Result<StartLine, ParseError> {
    if looks_like_version(line) {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
        let (version, rest) = line.split_once(' ').ok_or(ParseError::StartLine)?;
        if !is_sip_version(version) {
            return Err(ParseError::Version);
        }
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::Status);
        }
        let status: u16 = code.parse().map_err(|_| ParseError::Status)?;
        if !(100..=699).contains(&status) {
            return Err(ParseError::Status);
        }
        if reason.contains(['\r', '\n']) {
            return Err(ParseError::StartLine);
        }
        return Ok(StartLine::Response(status, reason.to_owned()));
    }
    // Request-Line = Method SP Request-URI SP SIP-Version. Trailing whitespace is
    // tolerated (RFC 4475 §3.1.2.9); extra spaces elsewhere are not.
    let line = line.trim_end_matches([' ', '\t']);
    let (method, rest) = line.split_once(' ').ok_or(ParseError::StartLine)?;
    let (uri, version) = rest.rsplit_once(' ').ok_or(ParseError::StartLine)?;
    if !is_sip_version(version) {
        return Err(if looks_like_version(version) {
            ParseError::Version
        } else {
            ParseError::StartLine
        });
    }
    let method = method.parse()?;
    let uri = uri.parse()?;
    Ok(StartLine::Request(method, uri))
}

/// Splits header lines, unfolds continuation lines (RFC 3261 §7.3.1) and canonicalises
/// names.
fn parse_headers(text: &str) -> Result<Headers, ParseError> {
    let mut headers = Headers::with_capacity(16);
    let mut current: Option<(Cow<'static, str>, String)> = None;
    if text.is_empty() {
        return Ok(headers);
    }
    // A bare CR or LF inside a header is malformed (RFC 3261 §7.3.1): every line but the
    // last must end in CR, and there may be no other CR.
    let bytes = text.as_bytes();
    if memchr::memchr_iter(b'\r', bytes).count() != memchr::memchr_iter(b'\n', bytes).count() {
        return Err(ParseError::HeaderLine);
    }
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let line = match lines.peek() {
            Some(_) => line.strip_suffix('\r').ok_or(ParseError::HeaderLine)?,
            None => line,
        };
        if line.starts_with([' ', '\t']) {
            let (_, value) = current.as_mut().ok_or(ParseError::HeaderLine)?;
            let more = trim_ws(line);
            if !more.is_empty() {
                if !value.is_empty() {
                    value.push(' ');
                }
                value.push_str(more);
            }
            continue;
        }
        if let Some((name, value)) = current.take() {
            headers.push_canonical(name, value);
        }
        // HCOLON = *( SP / HTAB ) ":" SWS
        let (name, value) = line.split_once(':').ok_or(ParseError::HeaderLine)?;
        let name = name.trim_end_matches([' ', '\t']);
        if !is_token(name) {
            return Err(ParseError::HeaderLine);
        }
        current = Some((canonical(name), trim_ws(value).to_owned()));
    }
    if let Some((name, value)) = current {
        headers.push_canonical(name, value);
    }
    Ok(headers)
}

/// Checks the syntax of the headers the typed accessors read, so that on a parsed message
/// they only return `None` for an absent header. Returns the Content-Length.
fn validate(headers: &Headers) -> Result<Option<u32>, ParseError> {
    let mut content_length = None;
    for (name, value) in headers.iter() {
        match name {
            "Content-Length" => {
                let n = parse_u32(value).ok_or(ParseError::ContentLength)?;
                // RFC 4475 §3.1.2.8: conflicting lengths cannot be framed.
                if content_length.is_some_and(|m| m != n) {
                    return Err(ParseError::ContentLength);
                }
                content_length = Some(n);
            }
            "Via" => {
                Via::parse_list(value).ok_or(ParseError::Header("Via"))?;
            }
            "From" => {
                NameAddr::parse(value).ok_or(ParseError::Header("From"))?;
            }
            "To" => {
                NameAddr::parse(value).ok_or(ParseError::Header("To"))?;
            }
            "CSeq" => {
                value.parse::<CSeq>()?;
            }
            "Call-ID" if value.is_empty() || value.contains([' ', '\t']) => {
                return Err(ParseError::Header("Call-ID"));
            }
            // RFC 3261 §20.22 and RFC 4475 §3.1.2.5: 0..=255.
            "Max-Forwards" if parse_u32(value).filter(|m| *m <= 255).is_none() => {
                return Err(ParseError::Header("Max-Forwards"));
            }
            "Route" => {
                NameAddr::parse_list(value).ok_or(ParseError::Header("Route"))?;
            }
            "Record-Route" => {
                NameAddr::parse_list(value).ok_or(ParseError::Header("Record-Route"))?;
            }
            _ => {}
        }
    }
    if headers.contains("Contact") {
        Contacts::parse(headers.get_all("Contact")).ok_or(ParseError::Header("Contact"))?;
    }
    Ok(content_length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_compact_request() {
        let raw = b"OPTIONS sip:a@example.com SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
            Subject: one\r\n two\r\nl: 3\r\n\r\nabcdef";
        let Message::Request(r) = parse(raw).unwrap() else {
            panic!("not a request")
        };
        assert_eq!(r.headers.get("subject"), Some("one two"));
        assert_eq!(r.body, b"abc");
        assert_eq!(r.top_via().unwrap().branch(), Some("z9hG4bK1"));
    }

    #[test]
    fn versions_and_status_codes() {
        assert_eq!(
            parse(b"OPTIONS sip:a@b SIP/7.0\r\n\r\n").unwrap_err(),
            ParseError::Version
        );
        assert_eq!(
            parse(b"SIP/2.0 4294967301 x\r\n\r\n").unwrap_err(),
            ParseError::Status
        );
        assert!(parse(b"SIP/2.0 100 \r\n\r\n").is_ok());
    }

    #[test]
    fn content_length_beyond_data_is_truncation() {
        let raw = b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nabc";
        assert_eq!(parse(raw).unwrap_err(), ParseError::Truncated);
    }
}
