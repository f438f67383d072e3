//! SIP transports: UDP sockets and TCP connections. They turn bytes on the wire into
//! [`Inbound`] messages for the core loop and carry its [`Outbound`] messages back out.

mod tcp;
mod udp;

use std::net::SocketAddr;

pub use sip::Transport;
pub(crate) use tcp::{TcpConnections, TcpListenerTask};
pub(crate) use udp::UdpSockets;

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
    /// A TCP connection closed; responses for it can no longer be delivered.
    TcpClosed(SocketAddr),
}
