//! SIP transports: UDP sockets, TCP and TLS connections. They turn bytes on the wire into
//! [`Inbound`] messages for the core loop and carry its [`Outbound`] messages back out.

mod blocklist;
mod tcp;
mod tls;
pub mod tls_cert;
mod udp;

use std::net::SocketAddr;

pub(crate) use blocklist::Blocklist;
pub use sip::Transport;
pub(crate) use tcp::{bind_tcp, TcpConnections, TcpListenerTask};
pub(crate) use tls::{TlsConnections, TlsListenerTask};
pub(crate) use udp::{bind_udp, UdpSockets};

/// Binds UDP and TCP on the same port (RFC 3261 §18: phones expect both at one
/// address). With port 0 the kernel picks the UDP port, which may already be taken for
/// TCP by another program; then another port is tried.
pub(crate) fn bind_sip_pair(
    addr: SocketAddr,
) -> std::io::Result<(std::net::UdpSocket, std::net::TcpListener)> {
    const ATTEMPTS: usize = 20;
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        let udp = bind_udp(addr)?;
        let port = udp.local_addr()?.port();
        match bind_tcp(SocketAddr::new(addr.ip(), port)) {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) if addr.port() == 0 && e.kind() == std::io::ErrorKind::AddrInUse => {
                last_error = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::AddrInUse)))
}

/// One framed SIP message (or a datagram) that arrived.
#[derive(Debug)]
pub(crate) struct Inbound {
    pub transport: Transport,
    pub remote: SocketAddr,
    pub bytes: Vec<u8>,
}

/// Something that happened to a transport the core should know about.
#[derive(Debug)]
pub(crate) enum NetEvent {
    Message(Inbound),
    /// A TCP connection closed, or could not be opened; messages for it can no longer be
    /// delivered.
    TcpClosed(SocketAddr),
    /// A TLS connection closed, or there was none to send on.
    TlsClosed(SocketAddr),
}
