//! SDP session descriptions (RFC 4566) and the offer/answer helpers (RFC 3264) the PBX needs.
//!
//! The model keeps every line it does not interpret (`Field`, `Attribute`) so that a
//! description can be rewritten — e.g. to anchor media at the relay — without losing what
//! the phone said. Addresses are kept as text: RFC 4566 §5.7 allows FQDNs and multicast
//! suffixes, and IPv6 addresses appear without brackets (RFC 5118 §5 / RFC 4566 §9 grammar).

mod anchor;
mod attribute;
mod build;
mod crypto;
mod negotiate;
mod parse;
mod restrict;
mod transcoding;
mod write;

use std::net::IpAddr;

pub use anchor::AudioEndpoint;
pub use attribute::{Attribute, Direction};
pub use crypto::CryptoAttribute;
pub use negotiate::{negotiate, CodecSpec, PayloadFormat, G722, OPUS, PCMA, PCMU, TELEPHONE_EVENT};
pub use restrict::AudioRestriction;
pub use transcoding::{is_transcodable, same_codec};

/// One parsed SDP body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=`: identifies the session and, through `version`, tells a changed offer from a
    /// repeated one (RFC 3264 §8).
    pub origin: Origin,
    /// `s=`: free text, kept as written (many phones send "-" or a product name).
    pub session_name: String,
    /// Session-level `c=`, the default for every media section lacking its own.
    pub connection: Option<Connection>,
    /// Session-level lines we do not model (`i= u= e= p= b= t= r= z= k=` and unknown
    /// letters), kept in order so a rewrite loses nothing.
    pub fields: Vec<Field>,
    /// Session-level `a=` lines in order.
    pub attributes: Vec<Attribute>,
    /// `m=` sections in order; offer and answer match them by position (RFC 3264 §6).
    pub media: Vec<MediaDescription>,
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub username: String,
    /// Kept as text: some phones send ids wider than 64 bits.
    pub session_id: String,
    /// RFC 3264 §8: must grow by one each time the description changes.
    pub session_version: u64,
    pub connection: Connection,
}

/// `c=<nettype> <addrtype> <connection-address>`, also reused for the address part of `o=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Always "IN" in practice.
    pub net_type: String,
    /// "IP4" or "IP6".
    pub addr_type: String,
    /// The address as written: an IP literal (IPv6 without brackets), an FQDN, or a
    /// multicast address with `/ttl` suffixes.
    pub address: String,
}

impl Connection {
    /// A unicast `IN IP4`/`IN IP6` connection for `ip`.
    pub fn new(ip: IpAddr) -> Self {
        let addr_type = if ip.is_ipv4() { "IP4" } else { "IP6" };
        Connection {
            net_type: "IN".to_owned(),
            addr_type: addr_type.to_owned(),
            address: ip.to_string(),
        }
    }

    /// The address as an IP, ignoring any multicast `/ttl/count` suffix; `None` for FQDNs.
    pub fn ip(&self) -> Option<IpAddr> {
        let literal = self.address.split('/').next().unwrap_or_default();
        literal.parse().ok()
    }
}

/// An SDP line kept verbatim: its type letter and the text after `=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub kind: char,
    pub value: String,
}

/// One `m=` section and the lines under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// "audio", "video", "application", …
    pub media: String,
    /// Port 0 means the stream is rejected or disabled (RFC 3264 §6, §8.2).
    pub port: u16,
    /// The optional `/<number of ports>` after the port.
    pub port_count: Option<u16>,
    /// "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVPF", …
    pub proto: String,
    /// Payload type numbers for RTP protocols, opaque tokens otherwise.
    pub formats: Vec<String>,
    /// Media-level `c=`, overriding the session-level one.
    pub connection: Option<Connection>,
    /// Media-level lines we do not model (`i= b= k=`, extra `c=` lines, unknown letters).
    pub fields: Vec<Field>,
    pub attributes: Vec<Attribute>,
}

impl SessionDescription {
    /// Parses an SDP body; accepts CRLF or bare LF line ends (RFC 4566 §5 asks parsers to).
    pub fn parse(text: &str) -> Result<Self, crate::Error> {
        parse::parse(text)
    }

    /// The connection that applies to `media`: its own `c=`, else the session's.
    pub fn connection_for<'a>(&'a self, media: &'a MediaDescription) -> Option<&'a Connection> {
        media.connection.as_ref().or(self.connection.as_ref())
    }

    /// The direction that applies to `media`: its own attribute, else the session's, else
    /// sendrecv (RFC 3264 §5.1).
    pub fn direction_for(&self, media: &MediaDescription) -> Direction {
        media
            .direction()
            .or_else(|| attribute::direction_in(&self.attributes))
            .unwrap_or(Direction::SendRecv)
    }
}

impl std::fmt::Display for SessionDescription {
    /// Serialises with CRLF line ends in the order RFC 4566 §5 prescribes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write::write_session(self, f)
    }
}

impl MediaDescription {
    /// The section's own direction attribute, if any.
    pub fn direction(&self) -> Option<Direction> {
        attribute::direction_in(&self.attributes)
    }

    /// Replaces the section's direction attribute (or adds one).
    pub fn set_direction(&mut self, direction: Direction) {
        self.attributes.retain(|a| a.direction().is_none());
        self.attributes.push(Attribute::Direction(direction));
    }

    /// `a=ptime` in milliseconds, if present.
    pub fn ptime(&self) -> Option<u32> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Ptime(ms) => Some(*ms),
            _ => None,
        })
    }

    /// Whether the section carries `a=rtcp-mux` (RFC 5761 §5.1.1): in an offer, the
    /// offerer can take RTCP on its RTP port; in an answer, both sides will.
    pub fn rtcp_mux(&self) -> bool {
        self.attributes.iter().any(is_rtcp_mux)
    }

    /// Adds `a=rtcp-mux` (once) or removes it.
    pub fn set_rtcp_mux(&mut self, mux: bool) {
        self.attributes.retain(|a| !is_rtcp_mux(a));
        if mux {
            self.attributes.push(Attribute::Other {
                name: RTCP_MUX.to_owned(),
                value: None,
            });
        }
    }

    /// The `a=rtcp` port (RFC 3605), if present.
    pub fn rtcp_port(&self) -> Option<u16> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Rtcp { port, .. } => Some(*port),
            _ => None,
        })
    }
}

/// RFC 5761 §5.1.1: the attribute that offers and accepts RTP and RTCP on one port.
const RTCP_MUX: &str = "rtcp-mux";

fn is_rtcp_mux(attribute: &Attribute) -> bool {
    matches!(attribute, Attribute::Other { name, value: None } if name == RTCP_MUX)
}
