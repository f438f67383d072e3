//! Finding our address behind a NAT from the provider's answer (RFC 3581 §4): the top
//! Via of a response carries `received` and `rport`, the address the request came from
//! as the provider saw it. Registering that address lets the provider's calls come in
//! through the NAT's mapping, as most SIP phones do.

use std::net::SocketAddr;
use std::time::Duration;

use sip::Response;

/// How often a trunk behind NAT sends a keep-alive over UDP. UDP mappings in home and
/// office routers commonly last 30 s or more; refreshes may be half an hour apart.
pub(crate) const KEEPALIVE: Duration = Duration::from_secs(25);

/// The keep-alive datagram: an empty line, which SIP stacks ignore between messages
/// (RFC 5626 §3.5.1 uses the same for streams).
pub(crate) const KEEPALIVE_BYTES: &[u8] = b"\r\n\r\n";

/// Our local address and the address the provider saw it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mapping {
    pub local: SocketAddr,
    pub public: SocketAddr,
}

/// The Contact address to register from `local`: the public side of a NAT mapping
/// found for that same local address, else `local` itself.
pub(crate) fn contact_for(mapping: Option<Mapping>, local: SocketAddr) -> SocketAddr {
    match mapping {
        Some(m) if m.local == local => m.public,
        _ => local,
    }
}

/// A mapping when the provider saw a REGISTER sent from `local` at an address other
/// than `contact`, the one it registered. `None` when the Via says nothing new or
/// something unusable.
pub(crate) fn found(
    response: &Response,
    local: SocketAddr,
    contact: SocketAddr,
) -> Option<Mapping> {
    let via = response.top_via()?;
    let (received, rport) = (via.received(), via.rport());
    if received.is_none() && rport.is_none() {
        return None;
    }
    let public = SocketAddr::new(
        received.unwrap_or(local.ip()),
        rport.unwrap_or(local.port()),
    );
    let usable = !public.ip().is_unspecified()
        && !public.ip().is_multicast()
        && public.port() != 0
        && public.is_ipv4() == local.is_ipv4();
    (usable && public != contact).then_some(Mapping { local, public })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(via: &str) -> Response {
        let mut r = Response::new(200, "OK");
        r.headers.push("Via", via);
        r
    }

    #[test]
    fn received_and_rport_reveal_the_nat() {
        let local: SocketAddr = "192.168.1.1:5060".parse().expect("addr");
        let r = answered(
            "SIP/2.0/UDP 192.168.1.1:5060;rport=40123;received=198.51.100.20;branch=z9hG4bKx",
        );
        let m = found(&r, local, local).expect("mapping");
        assert_eq!(m.public, "198.51.100.20:40123".parse().expect("addr"));
        assert_eq!(contact_for(Some(m), local), m.public);
        // Already registered there: nothing new.
        assert_eq!(found(&r, local, m.public), None);
        // Another local address (a new network) does not use the old mapping.
        let other: SocketAddr = "10.0.0.5:5060".parse().expect("addr");
        assert_eq!(contact_for(Some(m), other), other);
    }

    #[test]
    fn no_nat_or_nonsense_changes_nothing() {
        let local: SocketAddr = "192.168.1.1:5060".parse().expect("addr");
        let same = answered("SIP/2.0/UDP 192.168.1.1:5060;rport=5060;branch=z9hG4bKx");
        assert_eq!(found(&same, local, local), None);
        let plain = answered("SIP/2.0/UDP 192.168.1.1:5060;branch=z9hG4bKx");
        assert_eq!(found(&plain, local, local), None);
        let zero =
            answered("SIP/2.0/UDP 192.168.1.1:5060;rport=5060;received=0.0.0.0;branch=z9hG4bKx");
        assert_eq!(found(&zero, local, local), None);
    }
}
