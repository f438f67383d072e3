//! Loopback "phones" for relay tests: plain UDP sockets that send and receive RTP.

#![allow(dead_code)] // each test file uses a different part

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use media::rtp::RtpPacket;
use tokio::net::UdpSocket;

pub const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Another loopback address: on Linux all of 127/8 is local, so this plays a stranger.
pub const STRANGER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// Bound on any wait, so a broken relay fails the test instead of hanging it.
pub const PATIENCE: Duration = Duration::from_secs(5);

pub async fn socket_on(ip: IpAddr) -> UdpSocket {
    UdpSocket::bind(SocketAddr::new(ip, 0))
        .await
        .expect("bind test socket")
}

pub fn addr_of(socket: &UdpSocket) -> SocketAddr {
    socket.local_addr().expect("local addr")
}

/// An RTP packet whose sequence number identifies it.
pub fn rtp(sequence: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = Vec::new();
    RtpPacket::new(0, sequence, u32::from(sequence) * 160, 0x5eed, payload).write(&mut buf);
    buf
}

pub async fn send(from: &UdpSocket, to: SocketAddr, packet: &[u8]) {
    from.send_to(packet, to).await.expect("send");
}

/// Receives the next datagram, returning its RTP sequence number and its source.
pub async fn recv_sequence(socket: &UdpSocket) -> (u16, SocketAddr) {
    let mut buf = [0u8; 2048];
    let (len, from) = tokio::time::timeout(PATIENCE, socket.recv_from(&mut buf))
        .await
        .expect("a packet arrives")
        .expect("recv");
    let packet = RtpPacket::parse(&buf[..len]).expect("relayed packet is RTP");
    (packet.sequence, from)
}

/// Receives the next datagram's payload.
pub async fn recv_payload(socket: &UdpSocket) -> Vec<u8> {
    let mut buf = [0u8; 2048];
    let (len, _) = tokio::time::timeout(PATIENCE, socket.recv_from(&mut buf))
        .await
        .expect("a packet arrives")
        .expect("recv");
    let packet = RtpPacket::parse(&buf[..len]).expect("relayed packet is RTP");
    packet.payload.to_vec()
}
