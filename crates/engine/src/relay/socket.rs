//! Opening relay sockets with the options a media relay wants.

use std::io;
use std::net::{SocketAddr, UdpSocket};

use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};

/// RFC 4594 §4.1 / RFC 3246: Expedited Forwarding (DSCP 46) for telephony, in the TOS byte.
const DSCP_EF_TOS: u32 = 46 << 2;

/// Binds a non-blocking UDP socket on `addr` with `buffer` bytes of kernel buffers each way.
///
/// IPv6 sockets are v6-only so that an IPv4 port of the same number stays available to
/// another leg, and so a leg's address family is the one it announced in SDP.
pub(super) fn bind(addr: SocketAddr, buffer: usize) -> io::Result<UdpSocket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    // Bursts after a scheduling hiccup must not overflow the default ~200 KB buffers
    // when a thousand calls share two cores; the kernel caps these at rmem/wmem_max.
    let _ = socket.set_recv_buffer_size(buffer);
    let _ = socket.set_send_buffer_size(buffer);
    if addr.is_ipv4() {
        // Best effort: some platforms refuse it for unprivileged processes.
        let _ = socket.set_tos(DSCP_EF_TOS);
    }
    socket.set_nonblocking(true)?;
    socket.bind(&SockAddr::from(addr))?;
    Ok(socket.into())
}

/// Sends one datagram right away with a non-blocking syscall.
///
/// This bypasses tokio's readiness tracking on purpose: a full send buffer means the packet
/// is late anyway, and dropping it (as a router would) beats queueing audio.
pub(super) fn send_now(
    socket: &tokio::net::UdpSocket,
    data: &[u8],
    to: SocketAddr,
) -> io::Result<usize> {
    SockRef::from(socket).send_to(data, &SockAddr::from(to))
}
