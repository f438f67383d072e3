//! Addresses: which local address the server sees us at.

use std::net::{IpAddr, SocketAddr};

use tokio::net::UdpSocket;

/// The local IP address packets to `server` leave from (a connected UDP socket sends
/// nothing, it only asks the routing table).
pub(super) async fn local_ip_towards(server: SocketAddr) -> std::io::Result<IpAddr> {
    let any: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().map_err(std::io::Error::other)?
    } else {
        "[::]:0".parse().map_err(std::io::Error::other)?
    };
    let probe = UdpSocket::bind(any).await?;
    probe.connect(server).await?;
    Ok(probe.local_addr()?.ip())
}
