//! Transport protocols the engine has sockets for (RFC 3261 §18).

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;

/// A transport we can send and receive on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    /// The upper-case name used in Via (`SIP/2.0/UDP`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
        }
    }

    /// Reliable transports have no retransmission timers (RFC 3261 §17.1.1.2).
    pub fn is_reliable(&self) -> bool {
        !matches!(self, Transport::Udp)
    }

    /// The port used when a URI or Via names none (RFC 3261 §19.1.2).
    pub fn default_port(&self) -> u16 {
        match self {
            Transport::Tls => 5061,
            _ => 5060,
        }
    }
}

impl FromStr for Transport {
    type Err = ParseError;

    /// Case-insensitive, as `transport=` URI parameters are (RFC 3261 §19.1.4).
    fn from_str(s: &str) -> Result<Self, ParseError> {
        if s.eq_ignore_ascii_case("udp") {
            Ok(Transport::Udp)
        } else if s.eq_ignore_ascii_case("tcp") {
            Ok(Transport::Tcp)
        } else if s.eq_ignore_ascii_case("tls") {
            Ok(Transport::Tls)
        } else {
            Err(ParseError::Header("Via"))
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
