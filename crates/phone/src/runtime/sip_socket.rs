//! The account's SIP transport: a UDP socket, or one TCP connection to the server that
//! requests from the server also come back on (RFC 3261 §18.2.2: responses and the
//! server's own requests reuse the connection a phone registered over).

use std::net::{IpAddr, SocketAddr};

use sip::transaction::Peer;
use sip::{Frame, StreamFramer, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, UdpSocket};

pub(super) enum SipSocket {
    Udp(UdpSocket),
    Tcp {
        server: SocketAddr,
        read: OwnedReadHalf,
        write: OwnedWriteHalf,
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
    pub(super) async fn open(
        transport: Transport,
        ip: IpAddr,
        server: SocketAddr,
    ) -> std::io::Result<Self> {
        match transport {
            Transport::Tcp => {
                let socket = if server.is_ipv4() {
                    TcpSocket::new_v4()?
                } else {
                    TcpSocket::new_v6()?
                };
                socket.bind(SocketAddr::new(ip, 0))?;
                let stream = socket.connect(server).await?;
                stream.set_nodelay(true)?;
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

    pub(super) fn local_addr(&self) -> std::io::Result<SocketAddr> {
        match self {
            SipSocket::Udp(s) => s.local_addr(),
            SipSocket::Tcp { write, .. } => write.local_addr(),
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
            } => match read.read(buf).await {
                Ok(0) | Err(_) => Received::Lost,
                Ok(n) => {
                    framer.push(buf.get(..n).unwrap_or_default());
                    let peer = Peer {
                        transport: Transport::Tcp,
                        addr: *server,
                    };
                    let mut out = Vec::new();
                    while let Some(frame) = framer.next() {
                        match frame {
                            Ok(Frame::Message(m)) => out.push((peer, m)),
                            // RFC 5626 §4.4.1: a ping is answered with a pong.
                            Ok(Frame::Ping) => {
                                let _ = write.write_all(b"\r\n").await;
                            }
                            Ok(Frame::Pong) => {}
                            Err(_) => return Received::Lost,
                        }
                    }
                    Received::Messages(out)
                }
            },
        }
    }

    pub(super) async fn send(&mut self, dest: SocketAddr, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            SipSocket::Udp(s) => s.send_to(bytes, dest).await.map(|_| ()),
            SipSocket::Tcp { write, .. } => write.write_all(bytes).await,
        }
    }
}
