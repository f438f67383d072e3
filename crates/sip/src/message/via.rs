//! The Via header (RFC 3261 §20.42, §18.2.2) and CSeq (§20.16).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::error::ParseError;
use crate::host::Host;
use crate::method::Method;
use crate::params::Params;
use crate::scan::{is_token, parse_u32, split_outside, trim_ws};
use crate::transport::Transport;

/// The transport named in a Via. Other transports (SCTP, WS, …) still parse, because a
/// message may have passed through them before it reached us (RFC 4475 §3.1.1.12).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ViaTransport {
    Known(Transport),
    /// Upper-cased.
    Other(String),
}

impl ViaTransport {
    pub fn known(&self) -> Option<Transport> {
        match self {
            ViaTransport::Known(t) => Some(*t),
            ViaTransport::Other(_) => None,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ViaTransport::Known(t) => t.as_str(),
            ViaTransport::Other(s) => s,
        }
    }
}

impl PartialEq<Transport> for ViaTransport {
    fn eq(&self, other: &Transport) -> bool {
        self.known() == Some(*other)
    }
}

impl From<Transport> for ViaTransport {
    fn from(t: Transport) -> Self {
        ViaTransport::Known(t)
    }
}

/// One Via entry: `SIP/2.0/<transport> <host>[:<port>];params`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub transport: ViaTransport,
    pub host: Host,
    pub port: Option<u16>,
    pub params: Params,
}

impl Via {
    pub fn new(transport: Transport, host: Host, port: Option<u16>, branch: &str) -> Via {
        let mut params = Params::new();
        params.push("branch", Some(branch));
        Via {
            transport: transport.into(),
            host,
            port,
            params,
        }
    }

    /// The port responses go to when `rport` did not say (RFC 3261 §18.2.2, §19.1.2).
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(match self.transport.known() {
            Some(t) => t.default_port(),
            None => 5060,
        })
    }

    pub fn branch(&self) -> Option<&str> {
        self.params.get("branch").filter(|b| !b.is_empty())
    }

    /// The `received` address, bracketed or not (RFC 5118 §4.5).
    pub fn received(&self) -> Option<IpAddr> {
        let r = self.params.get("received")?;
        let r = r
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .unwrap_or(r);
        r.parse().ok()
    }

    /// The `rport` value once filled in (RFC 3581 §4).
    pub fn rport(&self) -> Option<u16> {
        self.params.get("rport").and_then(|p| p.parse().ok())
    }

    /// The client asked for `rport` to be filled in (RFC 3581 §4).
    pub fn has_rport(&self) -> bool {
        self.params.contains("rport")
    }

    pub fn set_received(&mut self, ip: IpAddr) {
        self.params.set("received", Some(&ip.to_string()));
    }

    pub fn set_rport(&mut self, port: u16) {
        self.params.set("rport", Some(&port.to_string()));
    }

    pub(crate) fn parse(s: &str) -> Option<Via> {
        let mut parts = split_outside(s, b';');
        let head = parts.next()?;
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport, where
        // SLASH allows whitespace on both sides.
        let mut slash = head.splitn(3, '/');
        let name = trim_ws(slash.next()?);
        let version = trim_ws(slash.next()?);
        let rest = trim_ws(slash.next()?);
        if !name.eq_ignore_ascii_case("SIP") || version != "2.0" {
            return None;
        }
        let (transport, sent_by) = rest.split_once([' ', '\t'])?;
        if !is_token(transport) {
            return None;
        }
        let sent_by = trim_ws(sent_by);
        if sent_by.contains([' ', '\t']) {
            return None;
        }
        let (host, port) = Host::parse_with_port(sent_by).ok()?;
        let transport = match transport.parse::<Transport>() {
            Ok(t) => ViaTransport::Known(t),
            Err(_) => ViaTransport::Other(transport.to_ascii_uppercase()),
        };
        let params = Params::parse_header_params(s.get(head.len()..)?)?;
        Some(Via {
            transport,
            host,
            port,
            params,
        })
    }

    /// Parses a comma-separated Via value.
    pub(crate) fn parse_list(s: &str) -> Option<Vec<Via>> {
        split_outside(s, b',').map(Via::parse).collect()
    }
}

impl FromStr for Via {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Via::parse(s).ok_or(ParseError::Header("Via"))
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/2.0/{} {}", self.transport.as_str(), self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.params)
    }
}

/// `CSeq: <seq> <method>` (RFC 3261 §20.16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    pub seq: u32,
    pub method: Method,
}

impl FromStr for CSeq {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        let err = ParseError::Header("CSeq");
        let (seq, method) = trim_ws(s).split_once([' ', '\t']).ok_or(err.clone())?;
        Ok(CSeq {
            seq: parse_u32(seq).ok_or(err.clone())?,
            method: trim_ws(method).parse().map_err(|_| err)?,
        })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_sent_protocol() {
        let v: Via = "SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw"
            .parse()
            .unwrap();
        assert_eq!(v.transport, Transport::Udp);
        assert_eq!(v.branch(), Some("390skdjuw"));
        assert_eq!(v.to_string(), "SIP/2.0/UDP 192.0.2.2;branch=390skdjuw");
    }

    #[test]
    fn list_and_unknown_transport() {
        let l = Via::parse_list(
            "SIP/2.0/TCP spindle.example.com ; branch = z9hG4bK9ikj8 , SIP/2.0/SCTP b;rport",
        )
        .unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].transport, ViaTransport::Other("SCTP".into()));
        assert!(l[1].has_rport());
        assert_eq!(l[1].rport(), None);
    }

    #[test]
    fn received_with_and_without_brackets() {
        let a: Via = "SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255"
            .parse()
            .unwrap();
        let b: Via = "SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]"
            .parse()
            .unwrap();
        assert!(a.received().is_some());
        assert_eq!(a.received(), b.received());
    }

    #[test]
    fn extra_separators_are_refused() {
        assert!(Via::parse_list("SIP/2.0/UDP 192.0.2.15;;,;,,").is_none());
        assert!("SIP/7.0/UDP c.example.com".parse::<Via>().is_err());
    }

    #[test]
    fn cseq_forms() {
        let c: CSeq = "0009 INVITE".parse().unwrap();
        assert_eq!((c.seq, c.method), (9, Method::Invite));
        assert!("36893488147419103232 REGISTER".parse::<CSeq>().is_err());
        assert!("1".parse::<CSeq>().is_err());
    }
}
