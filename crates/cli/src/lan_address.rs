//! The address phones on the office network should use to reach this computer.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};

/// The local IPv4 address the OS would send from towards the outside, found by `connect` on
/// an unbound UDP socket: that only consults the routing table and sends nothing. The target
/// is a documentation address (RFC 5737) that no host answers. `None` without a route.
pub fn guess() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 5060)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}
