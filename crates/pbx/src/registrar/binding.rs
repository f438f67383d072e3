//! A registered contact and where to send requests for it.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use sip::{Host, Scheme, Transport, Uri};

/// Where a REGISTER came from: kept next to the contact because a phone behind NAT
/// advertises an address nobody can reach, while its source address and port are the
/// pinhole its own traffic opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Source {
    pub transport: Transport,
    pub addr: SocketAddr,
}

/// Where the engine sends a request (INVITE, MESSAGE, NOTIFY) for a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextHop {
    /// Back to the address and transport the REGISTER came from: the phone is behind
    /// NAT or sits on a connection that must be reused.
    Source(Source),
    /// The host and port the contact URI names; the phone is reachable where it says.
    Contact {
        transport: Transport,
        host: Host,
        port: u16,
    },
}

/// One contact of an extension: a phone, softphone or app that registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The extension number (the AOR user part).
    pub extension: String,
    /// The contact URI exactly as the phone printed it, escaped headers included
    /// (RFC 4475 §3.1.2.6 regescrt): this becomes the Request-URI of requests to it.
    pub contact: String,
    /// Contact header parameters other than `expires` (e.g. `;+sip.instance="<urn:…>";reg-id=1`),
    /// echoed in 200 OK responses so the phone recognises its binding (RFC 5626 §6).
    pub params: String,
    /// `+sip.instance` (RFC 5626 §4.1): identifies the device across contact changes.
    pub instance: Option<String>,
    /// `reg-id` (RFC 5626 §4.2): one of several flows of the same device.
    pub reg_id: Option<u32>,
    /// Call-ID and CSeq of the REGISTER that last wrote the binding, ordering updates
    /// (RFC 3261 §10.3 step 7).
    pub call_id: String,
    pub cseq: u32,
    pub source: Source,
    /// Whether requests go to `source` instead of the contact (see [`Binding::next_hop`]).
    pub nat: bool,
    pub user_agent: Option<String>,
    /// When the binding lapses, on the caller's monotonic clock.
    pub expires_at: Instant,
    /// The same moment on the wall clock (seconds since 1970), which is what survives a
    /// restart.
    pub expires_unix: u64,
}

impl Binding {
    /// Seconds left, rounded up so a binding that is still live never reports 0.
    pub fn remaining_secs(&self, now: Instant) -> u64 {
        let left = self.expires_at.saturating_duration_since(now);
        left.as_secs() + u64::from(left.subsec_nanos() > 0)
    }

    /// Where to send requests for this binding.
    pub fn next_hop(&self) -> NextHop {
        if self.nat {
            return NextHop::Source(self.source);
        }
        match ContactTarget::parse(&self.contact) {
            Some(t) => NextHop::Contact {
                transport: t.transport,
                host: t.host,
                port: t.port,
            },
            None => NextHop::Source(self.source),
        }
    }
}

/// The transport, host and port a contact URI points at (RFC 3261 §19.1.2 defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ContactTarget {
    transport: Transport,
    host: Host,
    port: u16,
}

impl ContactTarget {
    /// Only `sip:` and `sips:` contacts can be reached; `sips:` means TLS (RFC 3261 §26.2.2).
    fn parse(contact: &str) -> Option<Self> {
        let uri: Uri = contact.parse().ok()?;
        let transport = match (&uri.scheme, uri.transport()) {
            (Scheme::Sips, _) => Transport::Tls,
            (Scheme::Sip, Some(t)) => t,
            (Scheme::Sip, None) => Transport::Udp,
            _ => return None,
        };
        Some(ContactTarget {
            port: uri.port.unwrap_or_else(|| transport.default_port()),
            transport,
            host: uri.host,
        })
    }
}

/// Decides whether a phone must be reached through its source address.
///
/// - Stream transports: always the source, since the phone's connection is the only
///   way in (RFC 5626 §5.3; a phone behind NAT cannot accept a new connection).
/// - A contact whose host is an IP address: the contact when it equals the source
///   address and port (a phone on the LAN or with a public address), else the source
///   (the phone put its private address or an unmapped port in the Contact).
/// - A contact naming a host by DNS name: the contact; it is a server or gateway
///   registering on someone's behalf (RFC 4475 cparam01) that resolves on its own.
/// - A contact we cannot read: the source, the only address we know works.
pub(crate) fn is_nat(contact: &str, source: &Source) -> bool {
    if source.transport.is_reliable() {
        return true;
    }
    let Some(target) = ContactTarget::parse(contact) else {
        return true;
    };
    match target.host.ip() {
        Some(ip) => {
            let same_ip = canonical(ip) == canonical(source.addr.ip());
            !(same_ip && target.port == source.addr.port())
        }
        None => false,
    }
}

/// IPv4-mapped IPv6 addresses compare equal to their IPv4 form (dual-stack sockets).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udp(addr: &str) -> Source {
        Source {
            transport: Transport::Udp,
            addr: addr.parse().unwrap(),
        }
    }

    #[test]
    fn contact_target_reads_transport_port_and_ipv6() {
        let t = ContactTarget::parse("sip:100@[2001:db8::1]:5070;transport=tcp?X=1").unwrap();
        assert_eq!(t.host, Host::V6("2001:db8::1".parse().unwrap()));
        assert_eq!(t.port, 5070);
        assert_eq!(t.transport, Transport::Tcp);
        let t = ContactTarget::parse("sips:100@pbx.example.com").unwrap();
        assert_eq!((t.transport, t.port), (Transport::Tls, 5061));
        assert!(ContactTarget::parse("tel:+15551234").is_none());
        assert!(ContactTarget::parse("sip:100@host:notaport").is_none());
    }

    #[test]
    fn lan_phone_is_reached_at_its_contact() {
        let src = udp("192.168.1.20:5060");
        assert!(!is_nat("sip:100@192.168.1.20:5060", &src));
        assert!(!is_nat("sip:100@192.168.1.20", &src));
    }

    #[test]
    fn private_contact_or_rewritten_port_goes_to_source() {
        assert!(is_nat("sip:100@10.0.0.5:5060", &udp("203.0.113.7:40000")));
        assert!(is_nat(
            "sip:100@203.0.113.7:5060",
            &udp("203.0.113.7:40000")
        ));
        assert!(is_nat(
            "sip:100@192.168.1.20:5060",
            &Source {
                transport: Transport::Tcp,
                addr: "192.168.1.20:5060".parse().unwrap()
            }
        ));
    }

    #[test]
    fn named_host_contact_is_used_as_is() {
        assert!(!is_nat(
            "sip:+19725552222@gw1.example.net;unknownparam",
            &udp("198.51.100.1:5060")
        ));
    }
}
