//! Working behind a NAT, as phones outside the office are. The server tells us the
//! address it saw our REGISTER come from (RFC 3581 §4: `received` and `rport` in the top
//! Via of its answer; our Via asks for `rport`). When that differs from our Contact we
//! register again with that public address, so calls reach us through the NAT's
//! mapping, and keep the mapping open with keep-alives (RFC 5626 §4.4.1).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::transaction::Transmit;
use sip::{Response, Transport};

use super::UserAgent;

/// How often a keep-alive goes out. UDP mappings in home and office routers commonly
/// last 30 s or more; RFC 5626 §4.4.1 suggests a little under that for streams too.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(25);

/// The keep-alive: a double CRLF "ping" (RFC 5626 §3.5.1), which SIP stacks ignore
/// between messages on streams and as a datagram.
pub const KEEPALIVE_PING: &[u8] = b"\r\n\r\n";

/// Our local address and the address the server saw it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mapping {
    pub(crate) local: SocketAddr,
    pub(crate) public: SocketAddr,
}

/// The address the server saw a request sent from `local` come from, when it differs
/// from `contact` (the address we registered). `None` when the Via says nothing new or
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

/// Whether `bytes` is a keep-alive (a ping or its single-CRLF pong), not a message.
pub(crate) fn is_keepalive(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|b| matches!(b, b'\r' | b'\n'))
}

impl UserAgent {
    /// The public address the server sees us at, when we are behind a NAT on the
    /// current network.
    pub fn public_address(&self) -> Option<SocketAddr> {
        self.nat.filter(|m| m.local == self.local).map(|m| m.public)
    }

    /// The address our Contact carries: the NAT's public side when we know it.
    pub(crate) fn contact_addr(&self) -> SocketAddr {
        self.public_address().unwrap_or(self.local)
    }

    /// Reads the Via of a 2xx to our REGISTER; registers again at once with the public
    /// address when the server saw another one. A REGISTER that was itself such a
    /// correction does not start another: a NAT giving every request a new port would
    /// otherwise keep us registering.
    pub(crate) fn learn_public_address(&mut self, now: Instant, response: &Response) {
        let correcting = std::mem::take(&mut self.correcting_contact);
        if correcting {
            self.stale_contact = None;
            return;
        }
        let Some(mapping) = found(response, self.local, self.contact_addr()) else {
            return;
        };
        tracing::info!(public = %mapping.public, "behind a NAT; registering the public address");
        self.stale_contact = Some(self.contact());
        self.nat = Some(mapping);
        self.correcting_contact = true;
        // Calls in progress are reached there too from their next target refresh.
        let contact = self.contact();
        for call in self.calls.values_mut() {
            if let Some(dialog) = call.dialog.as_mut() {
                dialog.set_local_contact(contact.clone());
            }
        }
        self.registration.start(now);
    }

    /// RFC 5626 §4.4.1: keep-alives while registered, over a stream always (the server
    /// reaches us only through our connection) and over UDP when behind a NAT (its
    /// mapping closes when idle).
    fn keepalive_wanted(&self) -> bool {
        self.registration.is_registered()
            && (self.account.transport != Transport::Udp || self.public_address().is_some())
    }

    /// Starts the keep-alive timer after a successful registration, if one is wanted.
    pub(crate) fn schedule_keepalive(&mut self, now: Instant) {
        if self.keepalive_wanted() && self.keepalive_at.is_none() {
            self.keepalive_at = Some(now + KEEPALIVE_INTERVAL);
        }
    }

    /// Queues a keep-alive when one is due; the timer stops once none is wanted.
    pub(crate) fn send_keepalive(&mut self, now: Instant) {
        if self.keepalive_at.is_none_or(|at| at > now) {
            return;
        }
        if !self.keepalive_wanted() {
            self.keepalive_at = None;
            return;
        }
        self.keepalive_at = Some(now + KEEPALIVE_INTERVAL);
        self.keepalives.push_back(Transmit {
            transport: self.account.transport,
            dest: self.account.server,
            bytes: KEEPALIVE_PING.to_vec(),
        });
    }
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
        let local: SocketAddr = "192.168.1.1:5060".parse().unwrap();
        let r = answered(
            "SIP/2.0/UDP 192.168.1.1:5060;rport=40123;received=198.51.100.20;branch=z9hG4bKx",
        );
        let m = found(&r, local, local).unwrap();
        assert_eq!(m.public, "198.51.100.20:40123".parse().unwrap());
        // Already registered there: nothing new.
        assert_eq!(found(&r, local, m.public), None);
    }

    #[test]
    fn no_nat_or_nonsense_changes_nothing() {
        let local: SocketAddr = "192.168.1.1:5060".parse().unwrap();
        let same = answered("SIP/2.0/UDP 192.168.1.1:5060;rport=5060;branch=z9hG4bKx");
        assert_eq!(found(&same, local, local), None);
        let plain = answered("SIP/2.0/UDP 192.168.1.1:5060;branch=z9hG4bKx");
        assert_eq!(found(&plain, local, local), None);
        let zero =
            answered("SIP/2.0/UDP 192.168.1.1:5060;rport=5060;received=0.0.0.0;branch=z9hG4bKx");
        assert_eq!(found(&zero, local, local), None);
        let v6 = answered("SIP/2.0/UDP 192.168.1.1:5060;rport=7;received=2001:db8::1;branch=z");
        assert_eq!(found(&v6, local, local), None);
    }

    #[test]
    fn only_line_ends_are_keepalives() {
        assert!(is_keepalive(b"\r\n\r\n"));
        assert!(is_keepalive(b"\r\n"));
        assert!(!is_keepalive(b""));
        assert!(!is_keepalive(b"\r\nOPTIONS"));
    }
}
