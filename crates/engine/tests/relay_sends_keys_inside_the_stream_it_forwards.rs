//! Keys the relay sends a phone on its own (pressed by SIP INFO on the other side) are
//! RFC 4733 events inside the stream it forwards to that phone: same SSRC, the next
//! sequence numbers, and the forwarded packets after them renumbered, so the phone sees
//! one unbroken stream.

mod relay_support;

use std::collections::HashSet;

use engine::relay::{KeyPress, RelayPool, Side};
use media::dtmf_detect::EventReceiver;
use media::rtp::RtpPacket;
use relay_support::*;
use tokio::net::UdpSocket;

async fn recv_packet(socket: &UdpSocket) -> Vec<u8> {
    let mut buf = [0u8; 2048];
    let (len, _) = tokio::time::timeout(PATIENCE, socket.recv_from(&mut buf))
        .await
        .expect("a packet arrives")
        .expect("recv");
    buf[..len].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_joins_the_forwarded_stream_and_later_audio_is_renumbered() {
    let pool = RelayPool::new(25400..=25499);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay_for_a = ports.local_addr(Side::A);
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    // A's audio reaches B unchanged.
    for seq in 10..13u16 {
        send(&phone_a, relay_for_a, &rtp(seq, &[0xff; 160])).await;
        let got = recv_packet(&phone_b).await;
        assert_eq!(RtpPacket::parse(&got).expect("RTP").sequence, seq);
    }

    relay.send_dtmf(
        Side::B,
        KeyPress {
            key: '7',
            millis: 100,
            payload_type: 101,
            clock_rate: 8000,
        },
    );
    let mut receiver = EventReceiver::new();
    let mut keys = String::new();
    let mut sequences = Vec::new();
    let mut ends = 0;
    while ends < 3 {
        let packet = recv_packet(&phone_b).await;
        let rtp = RtpPacket::parse(&packet).expect("RTP");
        assert_eq!(
            rtp.payload_type, 101,
            "only the key's events while A is silent"
        );
        assert_eq!(rtp.ssrc, 0x5eed, "in A's stream");
        assert_eq!(rtp.timestamp, 12 * 160, "starting where A's audio is");
        sequences.push(rtp.sequence);
        if rtp.payload.get(1).is_some_and(|b| b & 0x80 != 0) {
            ends += 1;
        }
        if let Some(k) = receiver.on_packet(rtp.timestamp, rtp.payload) {
            keys.push(k);
        }
    }
    assert_eq!(keys, "7");
    let expected: Vec<u16> = (13..13 + sequences.len() as u16).collect();
    assert_eq!(sequences, expected, "the next numbers of A's stream");
    let distinct: HashSet<u16> = sequences.iter().copied().collect();
    assert_eq!(distinct.len(), sequences.len());

    // A's next packet (its own number 13) follows the events.
    send(&phone_a, relay_for_a, &rtp(13, &[0xff; 160])).await;
    let after = recv_packet(&phone_b).await;
    let after = RtpPacket::parse(&after).expect("RTP");
    assert_eq!(after.sequence, 13 + sequences.len() as u16);
    assert_eq!(after.payload, &[0xff; 160][..]);
    relay.close().await;
}
