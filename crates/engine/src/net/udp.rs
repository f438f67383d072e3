//! UDP sockets (RFC 3261 §18.1.1 / §18.2.1): one per listen address, a receive task each.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::{Blocklist, Inbound, NetEvent, Transport};

/// Datagrams larger than this are not SIP we accept; the read buffer is one larger so an
/// oversized datagram shows up as too long rather than silently truncated.
const MAX_DATAGRAM: usize = 65_535;

/// Kernel buffers large enough to ride out a burst of registrations while the core is busy.
const SOCKET_BUFFER: usize = 4 << 20;

/// The bound UDP sockets, by local address, as handles for sending.
///
/// Sends go through a plain non-blocking clone of each socket rather than tokio's
/// `try_send_to`, which refuses to send until the reactor has seen the socket become
/// writable and would silently drop the first datagrams after start.
#[derive(Clone, Default)]
pub(crate) struct UdpSockets {
    sockets: Vec<(SocketAddr, Arc<std::net::UdpSocket>)>,
}

impl UdpSockets {
    /// Serves a socket from [`bind_udp`]: spawns its receive task feeding `events`.
    pub fn adopt(
        &mut self,
        socket: std::net::UdpSocket,
        events: mpsc::Sender<NetEvent>,
        blocked: Blocklist,
    ) -> io::Result<SocketAddr> {
        let sender = Arc::new(socket.try_clone()?);
        let socket = Arc::new(UdpSocket::from_std(socket)?);
        let local = socket.local_addr()?;
        tokio::spawn(receive_loop(socket, events, blocked));
        self.sockets.push((local, sender));
        Ok(local)
    }

    /// Sends from the socket of the same address family as `dest` (RFC 3261 §18.2.2:
    /// responses leave from the address and port the request arrived on; with one socket
    /// per family and port that is the same socket).
    pub fn send(&self, dest: SocketAddr, bytes: &[u8]) {
        let Some((_, socket)) = self
            .sockets
            .iter()
            .find(|(local, _)| local.is_ipv4() == dest.is_ipv4())
        else {
            tracing::debug!(%dest, "no UDP socket for this address family");
            return;
        };
        // UDP send on a non-blocking socket only fails when the kernel buffer is full;
        // SIP recovers by retransmission, so a dropped datagram is logged, not retried.
        if let Err(e) = socket.send_to(bytes, dest) {
            tracing::debug!(%dest, error = %e, "UDP send failed");
        }
    }
}

/// A non-blocking UDP socket bound to `addr`, with large kernel buffers.
pub(crate) fn bind_udp(addr: SocketAddr) -> io::Result<std::net::UdpSocket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        // Serve IPv4 and IPv6 on separate sockets so both can bind the same port.
        socket.set_only_v6(true)?;
    }
    // Best effort: a kernel limit lower than we ask for is not an error.
    let _ = socket.set_recv_buffer_size(SOCKET_BUFFER);
    let _ = socket.set_send_buffer_size(SOCKET_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

async fn receive_loop(socket: Arc<UdpSocket>, events: mpsc::Sender<NetEvent>, blocked: Blocklist) {
    let mut buf = vec![0u8; MAX_DATAGRAM + 1];
    loop {
        let received = tokio::select! {
            // The core has stopped: let the port go now, not when the process ends, so the
            // desktop app can switch to phone-only (or start the PBX again) in place.
            () = events.closed() => return,
            r = socket.recv_from(&mut buf) => r,
        };
        let (len, remote) = match received {
            Ok(r) => r,
            // ICMP port unreachable surfaces as an error on some systems; keep serving.
            Err(e) => {
                tracing::trace!(error = %e, "UDP receive error");
                continue;
            }
        };
        // A banned source costs a map lookup: nothing is copied, parsed or queued.
        if len > MAX_DATAGRAM || blocked.blocks(remote.ip()) {
            continue;
        }
        let inbound = Inbound {
            transport: Transport::Udp,
            remote,
            bytes: buf[..len].to_vec(),
        };
        if events.send(NetEvent::Message(inbound)).await.is_err() {
            return; // the core has stopped
        }
    }
}
