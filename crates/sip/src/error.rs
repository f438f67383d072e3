//! Errors of the message layer.
//!
//! A [`ParseError`] means the peer sent something malformed: the caller answers 400 (505 for
//! a version we do not speak) or drops it, never panics. A [`FramingError`] means a stream
//! can no longer be split into messages and the connection must be closed.

/// Why bytes from the network are not a SIP message we can handle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty message")]
    Empty,
    #[error("header section not terminated")]
    Unterminated,
    #[error("malformed start line")]
    StartLine,
    #[error("unsupported sip version")]
    Version,
    #[error("invalid method")]
    Method,
    #[error("invalid status code")]
    Status,
    #[error("invalid uri")]
    Uri,
    #[error("invalid host")]
    Host,
    #[error("malformed header line")]
    HeaderLine,
    #[error("malformed {0} header")]
    Header(&'static str),
    #[error("invalid content-length")]
    ContentLength,
    #[error("body shorter than content-length")]
    Truncated,
}

impl ParseError {
    /// The status a UAS answers a request with when it fails this way (RFC 3261 §21.4.1,
    /// §21.5.6).
    pub fn status(&self) -> u16 {
        match self {
            ParseError::Version => 505,
            _ => 400,
        }
    }
}

/// Why a byte stream cannot be split into messages any more (RFC 3261 §18.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    #[error("message exceeds the size limit")]
    TooLarge,
    #[error("missing content-length on a stream")]
    MissingContentLength,
    #[error("invalid content-length")]
    BadContentLength,
}
