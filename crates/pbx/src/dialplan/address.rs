//! The addresses an IP-authenticated trunk's calls may come from.
//!
//! An IP trunk is not challenged (the provider cannot answer a digest challenge), so the
//! source address is the only thing that tells a provider's INVITE from anyone else's:
//! rules are exact, and a port, when given, must match too.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use super::DialPlanError;

/// One allowed source: an address with an optional port (`203.0.113.5`, `203.0.113.5:5060`,
/// `[2001:db8::1]:5060`), or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressRule {
    /// The network address, host bits cleared; IPv4-mapped IPv6 written as IPv4.
    net: IpAddr,
    /// Leading bits that must match: 32 or 128 for a single address.
    prefix: u8,
    port: Option<u16>,
}

/// An entry of an IP trunk's allowed list: either a rule usable at once, or a host name the
/// runtime resolves into rules (by DNS, which this crate never does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedEntry {
    Rule(AddressRule),
    Host { name: String, port: Option<u16> },
}

/// Reads one entry of [`super::TrunkAuth::Ip`]'s `allowed` list.
pub fn parse_allowed(entry: &str) -> Result<AllowedEntry, DialPlanError> {
    let s = entry.trim();
    if let Ok(rule) = s.parse::<AddressRule>() {
        return Ok(AllowedEntry::Rule(rule));
    }
    match split_host_port(s) {
        Some((host, port)) if is_host_name(host) => Ok(AllowedEntry::Host {
            name: host.to_ascii_lowercase(),
            port,
        }),
        _ => Err(DialPlanError::BadAllowedEntry(entry.to_string())),
    }
}

/// Splits `host[:port]`; `None` when the port is not a number from 1 to 65535.
pub(crate) fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    match s.rsplit_once(':') {
        // A second colon means an IPv6 address, which needs brackets with a port.
        Some((host, _)) if host.contains(':') => Some((s, None)),
        Some((host, port)) => match port.parse::<u16>() {
            Ok(p) if p != 0 && port.bytes().all(|b| b.is_ascii_digit()) => Some((host, Some(p))),
            _ => None,
        },
        None => Some((s, None)),
    }
}

/// RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens, at
/// most 63 characters each and 253 in all, a trailing dot allowed. The last label may not
/// be all digits, so a mistyped IPv4 address (`203.0.113.300`) is not taken for a name.
pub(crate) fn is_host_name(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    let labels_ok = s.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    let last_numeric = s
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    labels_ok && !last_numeric
}

/// Whether `s` names a host the PBX can send to: a host name, an IP address, or a
/// bracketed IPv6 address, optionally followed by `:port`.
pub(crate) fn is_host_with_port(s: &str) -> bool {
    if s.parse::<SocketAddr>().is_ok() {
        return true;
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok();
    }
    match split_host_port(s) {
        Some((host, _)) => host.parse::<IpAddr>().is_ok() || is_host_name(host),
        None => false,
    }
}

impl FromStr for AddressRule {
    type Err = DialPlanError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DialPlanError::BadAddress(s.to_string());
        let t = s.trim();
        if let Some((addr, bits)) = t.split_once('/') {
            let ip: IpAddr = addr.parse().map_err(|_| bad())?;
            if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let prefix: u8 = bits.parse().map_err(|_| bad())?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            if prefix > max {
                return Err(bad());
            }
            return Ok(AddressRule::network(ip, prefix, None));
        }
        if let Ok(ip) = t.parse::<IpAddr>() {
            return Ok(AddressRule::from(ip));
        }
        if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            let ip: Ipv6Addr = inner.parse().map_err(|_| bad())?;
            return Ok(AddressRule::from(IpAddr::V6(ip)));
        }
        match t.parse::<SocketAddr>() {
            Ok(sa) if sa.port() != 0 => Ok(AddressRule::from(sa)),
            _ => Err(bad()),
        }
    }
}

impl From<IpAddr> for AddressRule {
    /// Any port of exactly this address (what a resolved host name becomes).
    fn from(ip: IpAddr) -> Self {
        AddressRule::network(ip, if ip.is_ipv4() { 32 } else { 128 }, None)
    }
}

impl From<SocketAddr> for AddressRule {
    /// Exactly this address and port.
    fn from(sa: SocketAddr) -> Self {
        let ip = sa.ip();
        AddressRule::network(ip, if ip.is_ipv4() { 32 } else { 128 }, Some(sa.port()))
    }
}

impl AddressRule {
    /// Builds a rule with host bits cleared, mapping `::ffff:a.b.c.d/96+n` to `a.b.c.d/n`
    /// so a rule and a source compare in one family.
    fn network(ip: IpAddr, prefix: u8, port: Option<u16>) -> Self {
        let (ip, prefix) = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) if prefix >= 96 => (IpAddr::V4(v4), prefix - 96),
                _ => (ip, prefix),
            },
            IpAddr::V4(_) => (ip, prefix),
        };
        AddressRule {
            net: mask(ip, prefix),
            prefix,
            port,
        }
    }

    /// Whether a datagram or connection from `source` is covered by this rule. A dual-stack
    /// socket reports IPv4 peers as `::ffff:a.b.c.d`; they match IPv4 rules.
    pub fn matches(&self, source: SocketAddr) -> bool {
        if self.port.is_some_and(|p| p != source.port()) {
            return false;
        }
        let ip = source.ip().to_canonical();
        ip.is_ipv4() == self.net.is_ipv4() && mask(ip, self.prefix) == self.net
    }
}

/// Keeps the leading `prefix` bits of `ip`.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(bits & m))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(bits & m))
        }
    }
}

impl fmt::Display for AddressRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = if self.net.is_ipv4() { 32 } else { 128 };
        match (self.port, self.prefix == full) {
            (Some(port), _) => write!(f, "{}", SocketAddr::new(self.net, port)),
            (None, true) => write!(f, "{}", self.net),
            (None, false) => write!(f, "{}/{}", self.net, self.prefix),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_leading_bits() {
        let v4: IpAddr = "203.0.113.77".parse().expect("test address");
        assert_eq!(mask(v4, 24).to_string(), "203.0.113.0");
        assert_eq!(mask(v4, 0).to_string(), "0.0.0.0");
        assert_eq!(mask(v4, 32), v4);
        let v6: IpAddr = "2001:db8:abcd::1".parse().expect("test address");
        assert_eq!(mask(v6, 32).to_string(), "2001:db8::");
        assert_eq!(mask(v6, 128), v6);
        assert_eq!(mask(v6, 0).to_string(), "::");
    }

    #[test]
    fn host_names_follow_rfc_1123() {
        for ok in [
            "localhost",
            "sip.provider.example",
            "a-b.example.",
            "x1.example",
            "4.example",
        ] {
            assert!(is_host_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "a..b",
            "-a.example",
            "a-.example",
            "a_b.example",
            "1.2.3.4",
            "a b",
            "ü.example",
        ] {
            assert!(!is_host_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn ports_split_off_names_but_not_ipv6() {
        assert_eq!(
            split_host_port("h.example:5060"),
            Some(("h.example", Some(5060)))
        );
        assert_eq!(split_host_port("h.example"), Some(("h.example", None)));
        assert_eq!(split_host_port("2001:db8::1"), Some(("2001:db8::1", None)));
        assert_eq!(split_host_port("h.example:0"), None);
        assert_eq!(split_host_port("h.example:+5"), None);
        assert!(is_host_with_port("[2001:db8::1]:5060"));
        assert!(is_host_with_port("[2001:db8::1]"));
        assert!(!is_host_with_port("sip:h.example"));
    }
}
