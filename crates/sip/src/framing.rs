//! Cutting a byte stream (TCP, TLS) into messages (RFC 3261 §18.3) and spotting keep-alives
//! (RFC 5626 §3.5.1).

use crate::error::FramingError;
use crate::message::parse::find_header_end;
use crate::scan::{parse_u32, trim_ws};

/// What the stream delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// One complete message, header and body, ready for [`crate::parse`].
    Message(Vec<u8>),
    /// A double CRLF: the peer wants a single CRLF back (RFC 5626 §3.5.1).
    Ping,
    /// A single CRLF: the answer to our ping, or padding before a message (RFC 3261 §7.5).
    Pong,
}

/// Buffers stream bytes and yields frames.
///
/// A message whose header section or declared length exceeds the limit is refused as soon
/// as that is known, before its body is buffered. A framing error is final: the stream can
/// no longer be split and the connection must be closed.
#[derive(Debug)]
pub struct StreamFramer {
    buf: Vec<u8>,
    max: usize,
    /// Where the search for the end of the header section resumes.
    scanned: usize,
    /// The last frame was a lone CRLF at the end of the buffer: if another CRLF follows it
    /// was a ping split across reads.
    after_lone_crlf: bool,
    failed: bool,
}

impl Default for StreamFramer {
    fn default() -> Self {
        StreamFramer::new()
    }
}

impl StreamFramer {
    /// The default message size limit.
    pub const DEFAULT_MAX: usize = 64 * 1024;

    pub fn new() -> Self {
        StreamFramer::with_max_size(Self::DEFAULT_MAX)
    }

    pub fn with_max_size(max: usize) -> Self {
        StreamFramer {
            buf: Vec::new(),
            max,
            scanned: 0,
            after_lone_crlf: false,
            failed: false,
        }
    }

    /// Appends bytes read from the stream. After a framing error, bytes are discarded.
    pub fn push(&mut self, data: &[u8]) {
        if !self.failed {
            self.buf.extend_from_slice(data);
        }
    }

    /// Bytes held back waiting for the rest of a message.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next frame; `None` when more bytes are needed (or after a framing error has
    /// been reported).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<Frame, FramingError>> {
        if self.failed {
            return None;
        }
        if let Some(frame) = self.keepalive() {
            return frame;
        }
        match self.message() {
            Ok(Some(m)) => Some(Ok(Frame::Message(m))),
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                self.buf = Vec::new();
                Some(Err(e))
            }
        }
    }

    /// `Some(None)` means "wait for more bytes"; `None` means "no keep-alive here".
    #[allow(clippy::option_option)]
    fn keepalive(&mut self) -> Option<Option<Result<Frame, FramingError>>> {
        if !self.buf.starts_with(b"\r") {
            if !self.buf.is_empty() {
                self.after_lone_crlf = false;
            }
            return None;
        }
        if self.buf.starts_with(b"\r\n\r\n") {
            self.consume(4);
            self.after_lone_crlf = false;
            return Some(Some(Ok(Frame::Ping)));
        }
        if self.buf.starts_with(b"\r\n") {
            if self.after_lone_crlf {
                self.consume(2);
                self.after_lone_crlf = false;
                return Some(Some(Ok(Frame::Ping)));
            }
            match self.buf.get(2) {
                // "\r\n\r": wait to see whether it is a ping.
                Some(b'\r') if self.buf.len() == 3 => return Some(None),
                None => self.after_lone_crlf = true,
                _ => self.after_lone_crlf = false,
            }
            self.consume(2);
            return Some(Some(Ok(Frame::Pong)));
        }
        if self.buf.len() == 1 {
            return Some(None);
        }
        None
    }

    fn consume(&mut self, n: usize) {
        self.buf.drain(..n.min(self.buf.len()));
        self.scanned = 0;
    }

    fn message(&mut self) -> Result<Option<Vec<u8>>, FramingError> {
        let from = self.scanned.saturating_sub(3);
        let window = self.buf.get(from..).unwrap_or_default();
        let Some(end) = find_header_end(window).map(|e| e + from) else {
            self.scanned = self.buf.len();
            if self.buf.len() > self.max {
                return Err(FramingError::TooLarge);
            }
            return Ok(None);
        };
        let head = self.buf.get(..end).unwrap_or_default();
        let length = content_length(head)?;
        let total = end + 4 + length;
        if total > self.max {
            return Err(FramingError::TooLarge);
        }
        if self.buf.len() < total {
            self.scanned = end;
            return Ok(None);
        }
        let rest = self.buf.split_off(total);
        let msg = std::mem::replace(&mut self.buf, rest);
        self.scanned = 0;
        Ok(Some(msg))
    }
}

/// Reads Content-Length (or `l`) from a header section, unfolding continuation lines.
/// On a stream it is mandatory and must be unambiguous (RFC 3261 §18.3, RFC 4475 §3.1.2.8).
fn content_length(head: &[u8]) -> Result<usize, FramingError> {
    let text = String::from_utf8_lossy(head);
    let mut found: Option<u32> = None;
    let mut lines = text.split("\r\n").skip(1).peekable();
    while let Some(line) = lines.next() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim_end_matches([' ', '\t']);
        if !(name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l")) {
            continue;
        }
        let mut value = trim_ws(value).to_owned();
        while let Some(cont) = lines.next_if(|l| l.starts_with([' ', '\t'])) {
            value.push_str(trim_ws(cont));
        }
        let n = parse_u32(&value).ok_or(FramingError::BadContentLength)?;
        if found.is_some_and(|m| m != n) {
            return Err(FramingError::BadContentLength);
        }
        found = Some(n);
    }
    let n = found.ok_or(FramingError::MissingContentLength)?;
    usize::try_from(n).map_err(|_| FramingError::TooLarge)
}
