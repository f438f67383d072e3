//! TCP (RFC 3261 §18.3): a listener per address, a reader and a writer task per connection.
//! Responses and requests to a peer reuse its open connection, which is what lets a phone
//! behind NAT receive calls over the connection it registered on (RFC 5626 §3.3).

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::{Blocklist, Inbound, NetEvent, Transport};

/// Bytes a connection may queue for writing before we consider the peer stuck.
const WRITE_QUEUE: usize = 256;

/// Open connections by remote address, shared by the core (writes) and the tasks.
#[derive(Clone, Default)]
pub(crate) struct TcpConnections {
    writers: Arc<Mutex<HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>>>,
}

impl TcpConnections {
    /// Queues `bytes` on the connection to `dest`, connecting first when there is none.
    pub fn send(&self, dest: SocketAddr, bytes: Vec<u8>, events: &mpsc::Sender<NetEvent>) {
        let writer = self.lock().get(&dest).cloned();
        match writer {
            Some(w) => {
                if w.try_send(bytes).is_err() {
                    tracing::debug!(%dest, "TCP write queue full or closed; message dropped");
                }
            }
            None => {
                let conns = self.clone();
                let events = events.clone();
                tokio::spawn(async move {
                    match TcpStream::connect(dest).await {
                        Ok(stream) => {
                            let w = conns.adopt(stream, dest, events);
                            let _ = w.send(bytes).await;
                        }
                        Err(e) => {
                            tracing::debug!(%dest, error = %e, "TCP connect failed");
                            // RFC 3261 §8.1.3.1: the request's transaction fails now (as
                            // a 503) instead of timing out, so a trunk fails over at once.
                            let _ = events.send(NetEvent::TcpClosed(dest)).await;
                        }
                    }
                });
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>> {
        // A poisoned map only means a task panicked mid-insert; the map itself is intact.
        self.writers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a connected stream and spawns its reader and writer.
    fn adopt(
        &self,
        stream: TcpStream,
        remote: SocketAddr,
        events: mpsc::Sender<NetEvent>,
    ) -> mpsc::Sender<Vec<u8>> {
        let _ = stream.set_nodelay(true);
        let (reader, mut writer) = stream.into_split();
        let (tx, mut rx) = mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
        self.lock().insert(remote, tx.clone());
        tokio::spawn(async move {
            while let Some(bytes) = rx.recv().await {
                if writer.write_all(&bytes).await.is_err() {
                    break;
                }
            }
        });
        let conns = self.clone();
        tokio::spawn(async move {
            // Ends with the core too: the connection (on the SIP port) closes with the PBX.
            tokio::select! {
                () = read_loop(reader, remote, &events, &conns) => {}
                () = events.closed() => {}
            }
            conns.lock().remove(&remote);
            let _ = events.send(NetEvent::TcpClosed(remote)).await;
        });
        tx
    }
}

/// Accepts connections on one address.
pub(crate) struct TcpListenerTask;

impl TcpListenerTask {
    /// Serves a listener from [`bind_tcp`]: spawns its accept loop.
    pub fn adopt(
        listener: std::net::TcpListener,
        conns: TcpConnections,
        events: mpsc::Sender<NetEvent>,
        blocked: Blocklist,
    ) -> io::Result<SocketAddr> {
        let listener = TcpListener::from_std(listener)?;
        let local = listener.local_addr()?;
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    // The core has stopped: close the listener and let the port go.
                    () = events.closed() => return,
                    a = listener.accept() => a,
                };
                match accepted {
                    // A banned source's connection is closed unread.
                    Ok((_, remote)) if blocked.blocks(remote.ip()) => {}
                    Ok((stream, remote)) => {
                        conns.adopt(stream, remote, events.clone());
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "TCP accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                }
            }
        });
        Ok(local)
    }
}

/// A non-blocking TCP listener on `addr`.
pub(crate) fn bind_tcp(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

async fn read_loop(
    reader: tokio::net::tcp::OwnedReadHalf,
    remote: SocketAddr,
    events: &mpsc::Sender<NetEvent>,
    conns: &TcpConnections,
) {
    let pong = |bytes| conns.send(remote, bytes, events);
    read_frames(reader, remote, Transport::Tcp, events, pong).await;
}

/// Reads a SIP stream (TCP, or TLS once decrypted) and hands each framed message to the
/// core until the peer closes it or breaks the framing. `pong` writes back on the same
/// connection.
pub(super) async fn read_frames<R: tokio::io::AsyncRead + Unpin>(
    mut reader: R,
    remote: SocketAddr,
    transport: Transport,
    events: &mpsc::Sender<NetEvent>,
    pong: impl Fn(Vec<u8>),
) {
    let mut framer = sip::StreamFramer::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        framer.push(&buf[..n]);
        while let Some(frame) = framer.next() {
            match frame {
                Ok(sip::Frame::Message(bytes)) => {
                    let inbound = Inbound {
                        transport,
                        remote,
                        bytes,
                    };
                    if events.send(NetEvent::Message(inbound)).await.is_err() {
                        return;
                    }
                }
                // RFC 5626 §3.5.1: answer a double-CRLF ping with a single CRLF pong.
                Ok(sip::Frame::Ping) => pong(b"\r\n".to_vec()),
                Ok(sip::Frame::Pong) => {}
                // RFC 3261 §18.3: a stream whose framing is lost cannot be resynchronised.
                Err(e) => {
                    tracing::debug!(%remote, %transport, error = %e, "closing connection");
                    return;
                }
            }
        }
    }
}
