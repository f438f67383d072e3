//! SRTP terminated at the relay: phone A speaks SRTP with its own key, phone B plain RTP.
//! A's tone reaches B decrypted; B's tone reaches A encrypted under the PBX's key; a packet
//! from A that fails authentication is not forwarded.

mod relay_support;

use std::time::Duration;

use engine::relay::{RelayPool, Side, SrtpSpec};
use media::codec::{Codec, Pcmu};
use media::rtp::RtpPacket;
use media::srtp::{SrtpContext, SrtpKey, SrtpSuite};
use media::tone::{detect_tone, Tone, ToneGenerator};
use relay_support::*;

fn tone_frames(hz: f64, count: usize) -> Vec<Vec<u8>> {
    let mut generator = ToneGenerator::new(Tone::continuous(hz), 8000);
    let mut encoder = Pcmu::new();
    (0..count)
        .map(|_| {
            let mut frame = [0i16; 160];
            generator.fill(&mut frame);
            let mut payload = Vec::new();
            encoder.encode(&frame, &mut payload);
            payload
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_srtp_phones_tone_reaches_a_plain_phone_and_the_reply_is_encrypted() {
    let pool = RelayPool::new(25300..=25399);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");
    let (phone_key, pbx_key) = (SrtpKey::random(), SrtpKey::random());
    let suite = SrtpSuite::AesCm128HmacSha1_80;
    relay.srtp(
        Side::A,
        SrtpSpec {
            suite,
            inbound: phone_key.clone(),
            outbound: pbx_key.clone(),
        },
    );
    // The relay applies control messages before it reads the sockets, so the keys are in
    // place for the first packet.
    let mut a_send = SrtpContext::new(suite, &phone_key);
    let mut a_receive = SrtpContext::new(suite, &pbx_key);

    // A → B: encrypted on A's leg, plain on B's.
    let mut heard = Vec::new();
    let mut sealed = Vec::new();
    for (seq, payload) in tone_frames(425.0, 25).iter().enumerate() {
        let packet = rtp(seq as u16, payload);
        a_send.protect_rtp(&packet, &mut sealed).unwrap();
        assert_ne!(sealed[12..172], packet[12..]);
        send(&phone_a, relay_for_a, &sealed).await;
        Pcmu::new().decode(Some(&recv_payload(&phone_b).await), &mut heard);
    }
    assert!(detect_tone(&heard, 8000, 425.0) > 0.9);

    // B → A: plain on B's leg, encrypted for A under the PBX's key.
    let mut back = Vec::new();
    let mut on_the_wire = Vec::new();
    let mut plain = Vec::new();
    let mut buf = vec![0u8; 2048];
    for (seq, payload) in tone_frames(1000.0, 25).iter().enumerate() {
        send(&phone_b, relay_for_b, &rtp(seq as u16, payload)).await;
        let (n, _) = tokio::time::timeout(Duration::from_secs(2), phone_a.recv_from(&mut buf))
            .await
            .expect("a packet for A")
            .unwrap();
        let datagram = &buf[..n];
        assert_eq!(n, 12 + 160 + 10, "an 80-bit tag follows the payload");
        Pcmu::new().decode(Some(&datagram[12..172]), &mut on_the_wire);
        a_receive.unprotect_rtp(datagram, &mut plain).unwrap();
        let packet = RtpPacket::parse(&plain).unwrap();
        Pcmu::new().decode(Some(packet.payload), &mut back);
    }
    assert!(detect_tone(&back, 8000, 1000.0) > 0.9);
    assert!(detect_tone(&on_the_wire, 8000, 1000.0) < 0.1);

    // A forged packet from A is dropped, not forwarded.
    let mut forged = Vec::new();
    a_send
        .protect_rtp(&rtp(100, &tone_frames(425.0, 1)[0]), &mut forged)
        .unwrap();
    forged[20] ^= 0xFF;
    send(&phone_a, relay_for_a, &forged).await;
    let lost = tokio::time::timeout(Duration::from_millis(300), phone_b.recv_from(&mut buf)).await;
    assert!(lost.is_err(), "a forged packet was forwarded");
    relay.close().await;
}
