//! The operating system's word that the network changed: on Linux the kernel multicasts
//! every address and route added or removed on a netlink socket (rtnetlink(7)), so a
//! laptop that moves from Wi-Fi to tethering re-registers at once instead of at the next
//! poll. What changed is not read: any such message only makes the account ask again
//! which address routes to its server (see `account/roaming.rs`), the same question the
//! poll asks, which stays as the fallback (other systems, a socket the kernel refuses).

use tokio::sync::mpsc;

/// Starts listening; each receive on the returned channel means "something changed since
/// the last one" (a burst of kernel messages is one wake-up). `None` where the system
/// tells nothing (or the socket cannot be opened): the caller polls only.
///
/// The socket is opened here, in the caller's network namespace, and read on a task of
/// the current tokio runtime, which ends (closing it) when the receiver is dropped.
pub(super) fn watch() -> Option<mpsc::Receiver<()>> {
    #[cfg(target_os = "linux")]
    {
        match linux::open() {
            Ok(socket) => {
                let (tx, rx) = mpsc::channel(1);
                tokio::spawn(linux::read(socket, tx));
                Some(rx)
            }
            Err(err) => {
                tracing::debug!(%err, "no network change events; polling only");
                None
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use netlink_sys::TokioSocket;
    use netlink_sys::{protocols::NETLINK_ROUTE, AsyncSocket, AsyncSocketExt, SocketAddr};
    use tokio::sync::mpsc;

    /// rtnetlink(7) multicast groups: IPv4 and IPv6 addresses and routes.
    const GROUPS: u32 = (libc::RTMGRP_IPV4_IFADDR
        | libc::RTMGRP_IPV4_ROUTE
        | libc::RTMGRP_IPV6_IFADDR
        | libc::RTMGRP_IPV6_ROUTE) as u32;

    /// Room for one read: the kernel's messages for one change are far smaller, and a
    /// longer one is truncated, which is fine as nothing in it is read.
    const BUF: usize = 16 * 1024;

    pub(super) fn open() -> std::io::Result<TokioSocket> {
        let mut socket = TokioSocket::new(NETLINK_ROUTE)?;
        socket.socket_mut().bind(&SocketAddr::new(0, GROUPS))?;
        Ok(socket)
    }

    pub(super) async fn read(socket: TokioSocket, changed: mpsc::Sender<()>) {
        let mut buf: Vec<u8> = Vec::with_capacity(BUF);
        loop {
            buf.clear();
            let received = tokio::select! {
                r = socket.recv(&mut buf) => r,
                // The account stopped: close the socket now, not at the next change.
                () = changed.closed() => return,
            };
            match received {
                Ok(()) => {}
                // The kernel dropped messages for us (a storm of changes): something
                // changed all the same.
                Err(err) if err.raw_os_error() == Some(libc::ENOBUFS) => {}
                Err(err) => {
                    tracing::debug!(%err, "network change events stopped; polling only");
                    return;
                }
            }
            match changed.try_send(()) {
                Ok(()) | Err(mpsc::error::TrySendError::Full(())) => {}
                Err(mpsc::error::TrySendError::Closed(())) => return,
            }
        }
    }
}
