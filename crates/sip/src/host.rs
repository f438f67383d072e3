//! Hosts as they appear in URIs and Via (RFC 3261 §25.1 `hostport`, RFC 5118).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::error::ParseError;

/// A host name or an IP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A domain name as written (compare with [`Host::matches`], which ignores case).
    Domain(String),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl Host {
    /// Compares hosts the way RFC 3261 §19.1.4 compares URIs: domains case-insensitively.
    pub fn matches(&self, other: &Host) -> bool {
        match (self, other) {
            (Host::Domain(a), Host::Domain(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        }
    }

    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Domain(_) => None,
            Host::V4(a) => Some(IpAddr::V4(*a)),
            Host::V6(a) => Some(IpAddr::V6(*a)),
        }
    }

    /// Parses `host [":" port]`. An IPv6 address must be bracketed; `[2001:db8::10:5070]` is
    /// one address, not an address and a port (RFC 5118 §4.4).
    pub fn parse_with_port(s: &str) -> Result<(Host, Option<u16>), ParseError> {
        let (host, port) = if let Some(inner) = s.strip_prefix('[') {
            let close = inner.find(']').ok_or(ParseError::Host)?;
            let addr = parse_v6(inner.get(..close).unwrap_or_default())?;
            let after = inner.get(close + 1..).unwrap_or_default();
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or(ParseError::Host)?),
            };
            (Host::V6(addr), port)
        } else {
            let (h, p) = match s.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            };
            (parse_name_or_v4(h)?, p)
        };
        let port = match port {
            None => None,
            Some(p) => Some(parse_port(p)?),
        };
        Ok((host, port))
    }
}

fn parse_port(p: &str) -> Result<u16, ParseError> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::Host);
    }
    p.parse().map_err(|_| ParseError::Host)
}

/// Parses the inside of `[...]`. RFC 5118 §4.3: tolerate the `:::` form that an ABNF bug in
/// RFC 3261 allowed before an embedded IPv4 address.
fn parse_v6(s: &str) -> Result<Ipv6Addr, ParseError> {
    if let Ok(a) = s.parse() {
        return Ok(a);
    }
    if s.contains(":::") {
        if let Ok(a) = s.replacen(":::", "::", 1).parse() {
            return Ok(a);
        }
    }
    Err(ParseError::Host)
}

fn parse_name_or_v4(s: &str) -> Result<Host, ParseError> {
    if s.is_empty() {
        return Err(ParseError::Host);
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return s.parse().map(Host::V4).map_err(|_| ParseError::Host);
    }
    // hostname = *( domainlabel "." ) toplabel [ "." ]; underscores are tolerated because
    // deployed devices use them.
    let ok = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        && !s.starts_with('.')
        && !s.contains("..");
    if ok {
        Ok(Host::Domain(s.to_owned()))
    } else {
        Err(ParseError::Host)
    }
}

impl FromStr for Host {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        match Host::parse_with_port(s)? {
            (h, None) => Ok(h),
            (_, Some(_)) => Err(ParseError::Host),
        }
    }
}

impl From<IpAddr> for Host {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(a) => Host::V4(a),
            IpAddr::V6(a) => Host::V6(a),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::V4(a) => write!(f, "{a}"),
            Host::V6(a) => write!(f, "[{a}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracketed_v6_with_and_without_port() {
        let (h, p) = Host::parse_with_port("[2001:db8::10]:5070").unwrap();
        assert_eq!(h, Host::V6("2001:db8::10".parse().unwrap()));
        assert_eq!(p, Some(5070));
        let (h, p) = Host::parse_with_port("[2001:db8::10:5070]").unwrap();
        assert_eq!(h, Host::V6("2001:db8::10:5070".parse().unwrap()));
        assert_eq!(p, None);
    }

    #[test]
    fn unbracketed_v6_is_refused() {
        assert!(Host::parse_with_port("2001:db8::10").is_err());
    }

    #[test]
    fn three_colon_v4_in_v6_is_tolerated() {
        let (h, _) = Host::parse_with_port("[2001:db8:::192.0.2.1]").unwrap();
        assert_eq!(h, Host::V6("2001:db8::192.0.2.1".parse().unwrap()));
    }

    #[test]
    fn bad_ports_are_refused() {
        assert!(Host::parse_with_port("a.example:").is_err());
        assert!(Host::parse_with_port("a.example:70000").is_err());
        assert!(Host::parse_with_port("a.example:+5").is_err());
    }
}
