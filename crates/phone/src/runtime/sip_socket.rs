//! The account's SIP transport: a UDP socket, or one TCP or TLS connection to the server
//! that requests from the server also come back on (RFC 3261 §18.2.2: responses and the
//! server's own requests reuse the connection a phone registered over).

use std::net::{IpAddr, SocketAddr};

use sip::transaction::Peer;
use sip::{Frame, StreamFramer, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};
use tokio_rustls::client::TlsStream;

use super::tls::TlsTrust;

pub(super) enum SipSocket {
    Udp(UdpSocket),
    Tcp {
        server: SocketAddr,
        read: OwnedReadHalf,
        write: OwnedWriteHalf,
        framer: StreamFramer,
    },
    Tls {
        server: SocketAddr,
        local: SocketAddr,
        read: ReadHalf<TlsStream<TcpStream>>,
        write: WriteHalf<TlsStream<TcpStream>>,
        framer: StreamFramer,
    },
}

/// What a read gave.
pub(super) enum Received {
    Messages(Vec<(Peer, Vec<u8>)>),
    /// The connection is gone (or the socket failed).
    Lost,
}

impl SipSocket {
    /// Opens the transport to `server` from `ip`. `domain` is the account's SIP domain,
    /// the name a TLS server's certificate is checked against under web PKI.
    pub(super) async fn open(
        transport: Transport,
        ip: IpAddr,
        server: SocketAddr,
        trust: &TlsTrust,
        domain: Option<&str>,
    ) -> std::io::Result<Self> {
        match transport {
            Transport::Tls => {
                let stream = connect(ip, server).await?;
                let local = stream.local_addr()?;
                let tls = trust.connect(stream, server, domain).await?;
                let (read, write) = tokio::io::split(tls);
                Ok(SipSocket::Tls {
                    server,
                    local,
                    read,
                    write,
                    framer: StreamFramer::new(),
                })
            }
            Transport::Tcp => {
                let stream = connect(ip, server).await?;
                let (read, write) = stream.into_split();
                Ok(SipSocket::Tcp {
                    server,
                    read,
                    write,
                    framer: StreamFramer::new(),
                })
            }
            _ => Ok(SipSocket::Udp(
                UdpSocket::bind(SocketAddr::new(ip, 0)).await?,
            )),
        }
    }

    /// A UDP socket on a fixed address, where other phones can send their calls.
    pub(super) async fn bind_udp(addr: SocketAddr) -> std::io::Result<Self> {
        Ok(SipSocket::Udp(UdpSocket::bind(addr).await?))
    }

    /// A connection (TCP or TLS) rather than a datagram socket: once lost it must be made
    /// again.
    pub(super) fn is_stream(&self) -> bool {
        !matches!(self, SipSocket::Udp(_))
    }

    pub(super) fn local_addr(&self) -> std::io::Result<SocketAddr> {
        match self {
            SipSocket::Udp(s) => s.local_addr(),
            SipSocket::Tcp { write, .. } => write.local_addr(),
            SipSocket::Tls { local, .. } => Ok(*local),
        }
    }

    /// Waits for the next datagram, or for whole messages on the stream. Cancel-safe.
    pub(super) async fn recv(&mut self, buf: &mut [u8]) -> Received {
        match self {
            SipSocket::Udp(s) => match s.recv_from(buf).await {
                Ok((n, from)) => {
                    let peer = Peer {
                        transport: Transport::Udp,
                        addr: from,
                    };
                    let bytes = buf.get(..n).unwrap_or_default().to_vec();
                    Received::Messages(vec![(peer, bytes)])
                }
                Err(_) => Received::Lost,
            },
            SipSocket::Tcp {
                server,
                read,
                write,
                framer,
            } => {
                let n = read.read(buf).await;
                let peer = Peer {
                    transport: Transport::Tcp,
                    addr: *server,
                };
                frames(n, buf, framer, peer, write).await
            }
            SipSocket::Tls {
                server,
                read,
                write,
                framer,
                ..
            } => {
                let n = read.read(buf).await;
                let peer = Peer {
                    transport: Transport::Tls,
                    addr: *server,
                };
                frames(n, buf, framer, peer, write).await
            }
        }
    }

    pub(super) async fn send(&mut self, dest: SocketAddr, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            SipSocket::Udp(s) => s.send_to(bytes, dest).await.map(|_| ()),
            SipSocket::Tcp { write, .. } => write.write_all(bytes).await,
            SipSocket::Tls { write, .. } => {
                write.write_all(bytes).await?;
                write.flush().await
            }
        }
    }
}

/// A TCP connection to `server` from `ip`, without Nagle's delay (SIP messages are small
/// and each one is waited for).
async fn connect(ip: IpAddr, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = if server.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.bind(SocketAddr::new(ip, 0))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// What `read` gave on a stream: its whole messages, answering pings on `write`.
async fn frames<W: AsyncWriteExt + Unpin>(
    read: std::io::Result<usize>,
    buf: &[u8],
    framer: &mut StreamFramer,
    peer: Peer,
    write: &mut W,
) -> Received {
    let n = match read {
        Ok(0) | Err(_) => return Received::Lost,
        Ok(n) => n,
    };
    framer.push(buf.get(..n).unwrap_or_default());
    let mut out = Vec::new();
    while let Some(frame) = framer.next() {
        match frame {
            Ok(Frame::Message(m)) => out.push((peer, m)),
            // RFC 5626 §4.4.1: a ping is answered with a pong.
            Ok(Frame::Ping) => {
                let _ = write.write_all(b"\r\n").await;
                let _ = write.flush().await;
            }
            Ok(Frame::Pong) => {}
            Err(_) => return Received::Lost,
        }
    }
    Received::Messages(out)
}
