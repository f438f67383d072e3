//! Loading the torture messages of RFC 4475 and RFC 5118 as they would arrive on the wire.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sip::{parse, Message};

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/torture")
}

/// The bytes as they would arrive on the wire.
///
/// RFC 5118's files use bare LF and two lack the blank line that ends the header section,
/// so they are converted to CRLF and terminated. Their Content-Length values match neither
/// line ending (ipv6-in-sdp declares 268 bytes for a 242-byte body), so the Content-Length
/// is set to the body as sent, the way a sender would: these files test IPv6 syntax, and
/// RFC 4475's clerr covers a wrong Content-Length.
pub fn wire(name: &str) -> Vec<u8> {
    let raw = std::fs::read(dir().join(name)).unwrap();
    if !name.starts_with("rfc5118/") {
        return raw;
    }
    let text = String::from_utf8(raw).unwrap().replace('\n', "\r\n");
    let (head, body) = match text.split_once("\r\n\r\n") {
        Some((h, b)) => (h.to_owned(), b.to_owned()),
        None => (text.trim_end().to_owned(), String::new()),
    };
    let head: Vec<String> = head
        .split("\r\n")
        .map(|l| match l.split_once(':') {
            Some((n, _)) if n.eq_ignore_ascii_case("content-length") => {
                format!("Content-Length: {}", body.len())
            }
            _ => l.to_owned(),
        })
        .collect();
    format!("{}\r\n\r\n{body}", head.join("\r\n")).into_bytes()
}

pub fn request(name: &str) -> sip::Request {
    match parse(&wire(name)).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => panic!("{name} is a response"),
    }
}

pub fn response(name: &str) -> sip::Response {
    match parse(&wire(name)).unwrap() {
        Message::Response(r) => r,
        Message::Request(_) => panic!("{name} is a request"),
    }
}

/// All torture file names, `rfc4475/x.dat` style.
pub fn all() -> Vec<String> {
    let mut files = Vec::new();
    for sub in ["rfc4475", "rfc5118"] {
        for e in std::fs::read_dir(dir().join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "dat") {
                files.push(format!(
                    "{sub}/{}",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    files.sort();
    files
}
