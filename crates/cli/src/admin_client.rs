//! Asks a running `switchboard serve` a question through its admin API, for commands whose
//! answer lives only in the running PBX (a trunk's registration, lines in use). Plain
//! HTTP/1.1 over loopback: one request, `Connection: close`, read to the end.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;

/// The API answers from memory; a server that takes longer is not a Switchboard.
const PATIENCE: Duration = Duration::from_secs(3);

/// Answers larger than this are not ours.
const MAX_RESPONSE: u64 = 16 << 20;

/// `POST /api/<command>` with an empty JSON object; the decoded JSON answer.
pub fn call(addr: SocketAddr, command: &str) -> anyhow::Result<Value> {
    let mut stream = TcpStream::connect_timeout(&addr, PATIENCE)
        .with_context(|| format!("no Switchboard is serving on {addr}"))?;
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    let request = format!(
        "POST /api/{command} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.take(MAX_RESPONSE).read_to_end(&mut raw)?;
    let (status, body) = parse_response(&raw)?;
    let json: Value = serde_json::from_slice(&body).context("the answer is not JSON")?;
    if status != 200 {
        let message = json
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("no reason given");
        bail!("{command}: {message} (HTTP {status})");
    }
    Ok(json)
}

/// The status code and body of an HTTP/1.1 response (plain or chunked).
fn parse_response(raw: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("incomplete HTTP response")?;
    let head = std::str::from_utf8(&raw[..split]).context("HTTP header is not text")?;
    let body = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .context("not an HTTP response")?;
    let chunked = lines.any(|l| {
        l.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("transfer-encoding")
                && value.trim().eq_ignore_ascii_case("chunked")
        })
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    Ok((status, body))
}

/// RFC 9112 §7.1: `size-in-hex [;ext] CRLF data CRLF`, until a zero size.
fn dechunk(mut rest: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("bad chunk")?;
        let line = std::str::from_utf8(&rest[..end]).context("bad chunk")?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).context("bad chunk size")?;
        rest = &rest[end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let data = rest.get(..size).context("truncated chunk")?;
        out.extend_from_slice(data);
        rest = rest.get(size + 2..).context("truncated chunk")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_and_chunked_bodies() {
        let plain = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parse_response(plain).ok(), Some((200, b"{}".to_vec())));
        let chunked =
            b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4;x=y\r\n\":1}\r\n0\r\n\r\n";
        assert_eq!(
            parse_response(chunked).ok(),
            Some((404, b"{\"a\":1}".to_vec()))
        );
    }

    #[test]
    fn refuses_what_is_not_http() {
        assert!(parse_response(b"SSH-2.0-OpenSSH\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 abc\r\n\r\n").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err()
        );
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nab")
                .is_err()
        );
    }
}
