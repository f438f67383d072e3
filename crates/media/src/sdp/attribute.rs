//! `a=` lines: the few the PBX reasons about are typed, every other one is kept verbatim.

use std::fmt;

use super::Connection;

/// One `a=` line.
///
/// A known attribute whose value does not parse is kept as [`Attribute::Other`] rather than
/// rejected: phones send odd things, and passing them through is kinder than a 488.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribute {
    /// RFC 4566 §6: `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]`.
    RtpMap {
        payload_type: u8,
        encoding: String,
        clock_rate: u32,
        channels: Option<u16>,
    },
    /// RFC 4566 §6: `a=fmtp:<format> <format specific parameters>`.
    Fmtp { payload_type: u8, params: String },
    /// RFC 4566 §6: `a=ptime:<packet time in ms>`.
    Ptime(u32),
    /// RFC 4566 §6 / RFC 3264 §5.1: `a=sendrecv|sendonly|recvonly|inactive`.
    Direction(Direction),
    /// RFC 3605: `a=rtcp:<port> [<nettype> <addrtype> <address>]`.
    Rtcp {
        port: u16,
        connection: Option<Connection>,
    },
    /// Anything else, as written: `a=<name>` or `a=<name>:<value>`.
    Other { name: String, value: Option<String> },
}

/// Which way media flows, from the point of view of the side that wrote the description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    /// The direction an answer takes to agree with an offer (RFC 3264 §6.1): a sendonly
    /// offer is answered recvonly and vice versa.
    pub fn reversed(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        }
    }

    /// Whether the writer of the description intends to send media.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether the writer of the description wants to receive media.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    fn from_name(name: &str) -> Option<Direction> {
        match name {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }
}

impl Attribute {
    /// Reads the text after `a=`.
    pub(super) fn parse(text: &str) -> Attribute {
        let (name, value) = match text.split_once(':') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        let typed = match (name, value) {
            (_, None) => Direction::from_name(name).map(Attribute::Direction),
            ("rtpmap", Some(v)) => parse_rtpmap(v),
            ("fmtp", Some(v)) => parse_fmtp(v),
            ("ptime", Some(v)) => v.trim().parse().ok().map(Attribute::Ptime),
            ("rtcp", Some(v)) => parse_rtcp(v),
            _ => None,
        };
        typed.unwrap_or_else(|| Attribute::Other {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        })
    }

    /// The attribute name, e.g. "rtpmap", "sendonly" or an unknown name.
    pub fn name(&self) -> &str {
        match self {
            Attribute::RtpMap { .. } => "rtpmap",
            Attribute::Fmtp { .. } => "fmtp",
            Attribute::Ptime(_) => "ptime",
            Attribute::Direction(d) => d.as_str(),
            Attribute::Rtcp { .. } => "rtcp",
            Attribute::Other { name, .. } => name,
        }
    }

    /// The direction this attribute sets, if it is one of the four direction attributes.
    pub fn direction(&self) -> Option<Direction> {
        match self {
            Attribute::Direction(d) => Some(*d),
            _ => None,
        }
    }
}

/// The last direction attribute in a list wins, as most stacks do.
pub(super) fn direction_in(attributes: &[Attribute]) -> Option<Direction> {
    attributes.iter().rev().find_map(Attribute::direction)
}

fn parse_rtpmap(value: &str) -> Option<Attribute> {
    let (pt, rest) = value.trim().split_once(' ')?;
    let mut parts = rest.trim().split('/');
    let encoding = parts.next().filter(|e| !e.is_empty() && !e.contains(' '))?;
    let clock_rate = parts.next()?.parse().ok()?;
    let channels = match parts.next() {
        Some(c) => Some(c.parse().ok()?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Attribute::RtpMap {
        payload_type: parse_payload_type(pt)?,
        encoding: encoding.to_owned(),
        clock_rate,
        channels,
    })
}

fn parse_fmtp(value: &str) -> Option<Attribute> {
    let (pt, params) = value.split_once(' ').unwrap_or((value, ""));
    Some(Attribute::Fmtp {
        payload_type: parse_payload_type(pt)?,
        params: params.to_owned(),
    })
}

fn parse_rtcp(value: &str) -> Option<Attribute> {
    let mut parts = value.split_whitespace();
    let port = parts.next()?.parse().ok()?;
    let connection = match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => None,
        (Some(net), Some(addr), Some(address)) => Some(Connection {
            net_type: net.to_owned(),
            addr_type: addr.to_owned(),
            address: address.to_owned(),
        }),
        _ => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Attribute::Rtcp { port, connection })
}

/// RFC 3551 §3: RTP payload types are 7 bits.
pub(super) fn parse_payload_type(text: &str) -> Option<u8> {
    text.parse().ok().filter(|pt| *pt < 128)
}

impl fmt::Display for Attribute {
    /// Writes the text after `a=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attribute::RtpMap {
                payload_type,
                encoding,
                clock_rate,
                channels,
            } => {
                write!(f, "rtpmap:{payload_type} {encoding}/{clock_rate}")?;
                match channels {
                    Some(c) => write!(f, "/{c}"),
                    None => Ok(()),
                }
            }
            Attribute::Fmtp {
                payload_type,
                params,
            } if params.is_empty() => write!(f, "fmtp:{payload_type}"),
            Attribute::Fmtp {
                payload_type,
                params,
            } => write!(f, "fmtp:{payload_type} {params}"),
            Attribute::Ptime(ms) => write!(f, "ptime:{ms}"),
            Attribute::Direction(d) => f.write_str(d.as_str()),
            Attribute::Rtcp { port, connection } => match connection {
                Some(c) => write!(
                    f,
                    "rtcp:{port} {} {} {}",
                    c.net_type, c.addr_type, c.address
                ),
                None => write!(f, "rtcp:{port}"),
            },
            Attribute::Other { name, value } => match value {
                Some(v) => write!(f, "{name}:{v}"),
                None => f.write_str(name),
            },
        }
    }
}
