//! The seam between the call model and the runtime's RTP relay. Port allocation is
//! synchronous because the allocated port goes straight into the SDP we are writing.

use std::net::{IpAddr, SocketAddr};

/// Names one relayed call's pair of sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelayId(pub u64);

/// The two sockets of a relay: the caller ("A") sends to `a`, the callee ("B") to `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayPorts {
    pub id: RelayId,
    pub a: SocketAddr,
    pub b: SocketAddr,
}

impl RelayPorts {
    /// The relay socket a side's phone sends its audio to.
    pub fn addr_for(&self, side: crate::Side) -> SocketAddr {
        match side {
            crate::Side::A => self.a,
            crate::Side::B => self.b,
        }
    }
}

/// Allocates relay sockets; the runtime binds them, tests hand out fake ports.
pub trait MediaRelay {
    /// Binds a socket pair whose advertised addresses use `a_ip` (towards the caller) and
    /// `b_ip` (towards the callee). `None` when the port range is exhausted.
    fn allocate(&mut self, a_ip: IpAddr, b_ip: IpAddr) -> Option<RelayPorts>;
}
