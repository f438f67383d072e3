//! What has to be looked up in DNS for each trunk, read from the dial plan: where its
//! requests go (the outbound proxy, else the provider's host) and which of its IP-mode
//! allowed entries are host names rather than addresses.

use std::net::{IpAddr, SocketAddr};

use pbx::dialplan::{DialPlan, Trunk, TrunkAuth, TrunkId, TrunkTransport};
use sip::Transport;

/// RFC 3261 §19.1.2: the default port of `sip:` URIs over UDP and TCP.
pub(crate) const DEFAULT_SIP_PORT: u16 = 5060;

/// A host name or address literal with the port to use.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct HostPort {
    pub host: String,
    pub port: u16,
}

/// An IP-mode allowed entry that names a host: every address it resolves to is allowed,
/// on `port` only when one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AllowedHost {
    pub host: String,
    pub port: Option<u16>,
}

/// Everything the engine resolves for one trunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrunkLookup {
    pub id: TrunkId,
    pub transport: Transport,
    /// `None` when the configured host cannot be read; the trunk then has no target.
    pub target: Option<HostPort>,
    /// Allowed entries that name hosts (addresses and ranges need no lookup).
    pub allowed_hosts: Vec<AllowedHost>,
}

/// The lookups for every enabled trunk of the plan. Disabled trunks send and accept nothing.
pub(crate) fn lookups(plan: &DialPlan) -> Vec<TrunkLookup> {
    plan.trunks
        .iter()
        .filter(|t| t.enabled)
        .map(trunk_lookup)
        .collect()
}

fn trunk_lookup(trunk: &Trunk) -> TrunkLookup {
    let target = match trunk.outbound_proxy.as_deref().map(str::trim) {
        // Every request goes through the proxy when there is one (RFC 3261 §8.1.2).
        Some(proxy) if !proxy.is_empty() => parse_host_port(proxy).map(|(host, port)| HostPort {
            host,
            port: port.unwrap_or(DEFAULT_SIP_PORT),
        }),
        _ => parse_host_port(&trunk.host).map(|(host, port)| HostPort {
            host,
            port: trunk.port.or(port).unwrap_or(DEFAULT_SIP_PORT),
        }),
    };
    let mut allowed_hosts = Vec::new();
    if let TrunkAuth::Ip { allowed } = &trunk.auth {
        for entry in allowed.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            if is_address_literal(entry) {
                continue; // the PBX reads addresses and ranges itself
            }
            if let Some((host, port)) = parse_host_port(entry) {
                allowed_hosts.push(AllowedHost { host, port });
            } else {
                tracing::warn!(trunk = trunk.id, entry, "allowed address cannot be read");
            }
        }
    }
    TrunkLookup {
        id: trunk.id,
        transport: match trunk.transport {
            TrunkTransport::Udp => Transport::Udp,
            TrunkTransport::Tcp => Transport::Tcp,
        },
        target,
        allowed_hosts,
    }
}

/// An address, `address:port` or CIDR range: nothing to look up.
fn is_address_literal(entry: &str) -> bool {
    entry.contains('/') || entry.parse::<IpAddr>().is_ok() || entry.parse::<SocketAddr>().is_ok()
}

/// Reads `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address, also when written
/// as a URI (`sip:proxy.example.com:5080;lr`, as providers often give it).
fn parse_host_port(text: &str) -> Option<(String, Option<u16>)> {
    let mut s = text.trim();
    if s.len() >= 4 && s[..4].eq_ignore_ascii_case("sip:") {
        s = &s[4..];
    }
    // RFC 3261 §19.1.1: URI parameters follow the host part.
    s = s.split(';').next().unwrap_or(s).trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some((ip.to_string(), None));
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        v6.parse::<std::net::Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?.parse::<u16>().ok()?),
        };
        (v6.to_owned(), port)
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p.parse::<u16>().ok()?)),
            None => (s.to_owned(), None),
        }
    };
    if port == Some(0) || !is_host(&host) {
        return None;
    }
    Some((host, port))
}

/// A host name (RFC 1123 labels) or an address literal.
fn is_host(host: &str) -> bool {
    if host.parse::<IpAddr>().is_ok() {
        return true;
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(s: &str) -> Option<(String, Option<u16>)> {
        parse_host_port(s)
    }

    #[test]
    fn reads_hosts_ports_and_uris() {
        assert_eq!(
            hp("sip.example.com"),
            Some(("sip.example.com".into(), None))
        );
        assert_eq!(
            hp(" sip.example.com:5080 "),
            Some(("sip.example.com".into(), Some(5080)))
        );
        assert_eq!(
            hp("SIP:proxy.example.com;lr"),
            Some(("proxy.example.com".into(), None))
        );
        assert_eq!(
            hp("sip:10.0.0.1:5070;transport=udp"),
            Some(("10.0.0.1".into(), Some(5070)))
        );
        assert_eq!(
            hp("[2001:db8::1]:5062"),
            Some(("2001:db8::1".into(), Some(5062)))
        );
        assert_eq!(hp("[2001:db8::1]"), Some(("2001:db8::1".into(), None)));
        assert_eq!(hp("2001:db8::1"), Some(("2001:db8::1".into(), None)));
        assert_eq!(hp("localhost"), Some(("localhost".into(), None)));
    }

    #[test]
    fn refuses_what_is_no_host() {
        for bad in [
            "",
            "  ",
            "host:port",
            "host:0",
            "host:70000",
            "bad host",
            "[::1",
            "[nope]:5060",
            "-a.example",
            "a..b",
            "sip:",
        ] {
            assert_eq!(hp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn literals_are_told_from_host_names() {
        for lit in [
            "203.0.113.5",
            "203.0.113.5:5060",
            "[2001:db8::1]:5060",
            "10.0.0.0/8",
            "2001:db8::/32",
            "::1",
        ] {
            assert!(is_address_literal(lit), "{lit}");
        }
        for name in ["sip.example.com", "sip.example.com:5060", "localhost"] {
            assert!(!is_address_literal(name), "{name}");
        }
    }
}
