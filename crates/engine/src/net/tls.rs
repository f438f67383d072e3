//! SIP over TLS (RFC 3261 §26.3.1, RFC 5630 §3): a TCP listener whose connections are
//! wrapped in TLS before they are framed like TCP (RFC 3261 §18.3).
//!
//! Connections are only accepted, never opened: a phone registered over TLS is reached
//! down the connection it registered on (RFC 5626 §5.3), which is the only way in to a
//! phone behind NAT. With no such connection a message fails at once as a transport error,
//! so its transaction ends without waiting for a timeout.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

use super::tcp::read_frames;
use super::{Blocklist, NetEvent, Transport};

/// Messages a connection may queue for writing before we consider the peer stuck.
const WRITE_QUEUE: usize = 256;

/// A client that has not finished its handshake by then is dropped; it holds no slot the
/// accept loop needs, but it should not hold a socket for ever either.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Open TLS connections by remote address, shared by the core (writes) and the tasks.
#[derive(Clone, Default)]
pub(crate) struct TlsConnections {
    writers: Arc<Mutex<HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>>>,
}

impl TlsConnections {
    /// Queues `bytes` on the connection from `dest`. Without one the message cannot be
    /// delivered, and the core hears so (as for a refused TCP connection).
    pub fn send(&self, dest: SocketAddr, bytes: Vec<u8>, events: &mpsc::Sender<NetEvent>) {
        let writer = self.lock().get(&dest).cloned();
        match writer {
            Some(w) => {
                if w.try_send(bytes).is_err() {
                    tracing::debug!(%dest, "TLS write queue full or closed; message dropped");
                }
            }
            None => {
                tracing::debug!(%dest, "no TLS connection to this address");
                let events = events.clone();
                tokio::spawn(async move {
                    let _ = events.send(NetEvent::TlsClosed(dest)).await;
                });
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>> {
        // A poisoned map only means a task panicked mid-insert; the map itself is intact.
        self.writers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers an established TLS stream and spawns its reader and writer.
    fn adopt<S>(&self, stream: S, remote: SocketAddr, events: mpsc::Sender<NetEvent>)
    where
        S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let (reader, mut writer) = tokio::io::split(stream);
        let (tx, mut rx) = mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
        self.lock().insert(remote, tx);
        tokio::spawn(async move {
            while let Some(bytes) = rx.recv().await {
                if writer.write_all(&bytes).await.is_err() || writer.flush().await.is_err() {
                    break;
                }
            }
            // RFC 8446 §6.1: say goodbye properly when we are the ones closing.
            let _ = writer.shutdown().await;
        });
        let conns = self.clone();
        tokio::spawn(async move {
            let pong = |bytes| conns.send(remote, bytes, &events);
            // Ends with the core too: the connection closes with the PBX.
            tokio::select! {
                () = read_frames(reader, remote, Transport::Tls, &events, pong) => {}
                () = events.closed() => {}
            }
            conns.lock().remove(&remote);
            let _ = events.send(NetEvent::TlsClosed(remote)).await;
        });
    }
}

/// Accepts TLS connections on one address.
pub(crate) struct TlsListenerTask;

impl TlsListenerTask {
    /// Serves a listener from [`super::bind_tcp`]: spawns its accept loop. Each handshake
    /// runs in its own task, so a slow or broken client never holds up the others.
    pub fn adopt(
        listener: std::net::TcpListener,
        acceptor: TlsAcceptor,
        conns: TlsConnections,
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
                    // A banned source's connection is closed before the handshake.
                    Ok((_, remote)) if blocked.blocks(remote.ip()) => {}
                    Ok((stream, remote)) => {
                        let (acceptor, conns, events) =
                            (acceptor.clone(), conns.clone(), events.clone());
                        tokio::spawn(handshake(stream, remote, acceptor, conns, events));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "TLS accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        });
        Ok(local)
    }
}

async fn handshake(
    stream: TcpStream,
    remote: SocketAddr,
    acceptor: TlsAcceptor,
    conns: TlsConnections,
    events: mpsc::Sender<NetEvent>,
) {
    let _ = stream.set_nodelay(true);
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => conns.adopt(tls, remote, events),
        Ok(Err(e)) => tracing::debug!(%remote, error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!(%remote, "TLS handshake timed out"),
    }
}
