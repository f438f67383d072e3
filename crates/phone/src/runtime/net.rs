//! Addresses: which local address the server sees us at.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;

/// Which local IP address packets to the server (its address given) leave from. The
/// runtime asks it at the start and every few seconds after, so a new network (Wi-Fi
/// to tethering) moves the account and its calls to the new address.
pub type LocalIp = Arc<dyn Fn(SocketAddr) -> std::io::Result<IpAddr> + Send + Sync>;

/// The routing table's answer: a connected UDP socket sends nothing, connecting it only
/// picks the route and with it the source address.
pub(super) fn routed_ip(server: SocketAddr) -> std::io::Result<IpAddr> {
    let any: SocketAddr = if server.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let probe = UdpSocket::bind(any)?;
    probe.connect(server)?;
    Ok(probe.local_addr()?.ip())
}
