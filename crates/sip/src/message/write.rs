//! Serialisation (RFC 3261 §7).

use std::io::Write;

use super::{Request, Response};
use crate::headers::Headers;

/// Writes the headers (except Content-Length), a Content-Length that matches `body`
/// (RFC 3261 §20.14), the blank line and the body.
fn write_rest(out: &mut Vec<u8>, headers: &Headers, body: &[u8]) {
    for (name, value) in headers.iter() {
        if name == "Content-Length" {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        push_line(out, value);
        out.extend_from_slice(b"\r\n");
    }
    // Writing into a Vec cannot fail.
    let _ = write!(out, "Content-Length: {}\r\n\r\n", body.len());
    out.extend_from_slice(body);
}

/// Writes text that must stay on one line: a CR or LF in a value built by hand would end
/// the header early and let its remainder pose as another header, so it becomes a space.
fn push_line(out: &mut Vec<u8>, text: &str) {
    if text.contains(['\r', '\n']) {
        out.extend(
            text.bytes()
                .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

fn header_size(headers: &Headers) -> usize {
    headers
        .iter()
        .map(|(n, v)| n.len() + v.len() + 4)
        .sum::<usize>()
        + 32
}

impl Request {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + header_size(&self.headers) + self.body.len());
        let _ = write!(out, "{} {} SIP/2.0\r\n", self.method, self.uri);
        write_rest(&mut out, &self.headers, &self.body);
        out
    }
}

impl Response {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + header_size(&self.headers) + self.body.len());
        let _ = write!(out, "SIP/2.0 {} ", self.status);
        push_line(&mut out, &self.reason);
        out.extend_from_slice(b"\r\n");
        write_rest(&mut out, &self.headers, &self.body);
        out
    }
}
