//! Best-effort answers to requests that failed to parse (RFC 3261 §8.2, §21.4.1).

use super::parse::{find_header_end, skip_leading_crlf};
use super::{default_reason, NameAddr, Response};
use crate::error::ParseError;
use crate::header_name::known;
use crate::scan::trim_ws;

/// Builds the 400 (505 for a SIP version we do not speak) that answers a malformed request,
/// copying whatever Via, From, To, Call-ID and CSeq can be read from `raw`.
///
/// Returns `None` when `raw` is a response (a malformed response is dropped, RFC 3261
/// §18.1.2), an ACK (never answered, §17.2.1), or when no Via can be recovered: without
/// one there is nowhere to send the answer (§18.2.2).
pub fn error_response(raw: &[u8], err: &ParseError) -> Option<Response> {
    let raw = skip_leading_crlf(raw);
    let head_end = find_header_end(raw).unwrap_or(raw.len());
    let head = String::from_utf8_lossy(raw.get(..head_end)?);
    let mut lines = head.split("\r\n");
    let start = lines.next()?;
    if start
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("SIP/"))
        || start.starts_with("ACK ")
    {
        return None;
    }

    let mut copied: Vec<(&'static str, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // Continuation of the previous header line (RFC 3261 §7.3.1).
            if let Some((_, v)) = copied.last_mut() {
                v.push(' ');
                v.push_str(trim_ws(line));
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            copied.push(("", String::new()));
            continue;
        };
        let name = known(name.trim_end_matches([' ', '\t']))
            .filter(|n| matches!(*n, "Via" | "From" | "To" | "Call-ID" | "CSeq"))
            .unwrap_or_default();
        copied.push((name, trim_ws(value).to_owned()));
    }
    copied.retain(|(n, v)| !n.is_empty() && !v.is_empty() && !v.contains(['\r', '\n']));
    if !copied.iter().any(|(n, _)| *n == "Via") {
        return None;
    }

    let status = err.status();
    let mut resp = Response::new(status, default_reason(status));
    let tag = stateless_tag(&copied);
    for (name, value) in copied {
        let value = match name {
            // RFC 3261 §8.2.6.2: a response without a To tag gets one.
            "To" => match NameAddr::parse(&value) {
                Some(to) if to.tag().is_none() => to.with_tag(&tag).to_string(),
                _ => value,
            },
            _ => value,
        };
        resp.headers.push(name, value);
    }
    Some(resp)
}

/// A To tag that is the same for retransmissions of the same bad request, so a stateless
/// answer stays consistent without keeping state (FNV-1a over the copied headers).
fn stateless_tag(headers: &[(&'static str, String)]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (_, v) in headers {
        for b in v.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}
