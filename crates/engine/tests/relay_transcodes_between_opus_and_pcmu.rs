//! Phones without a common codec hear each other: a tone phone A sends in Opus arrives at
//! phone B as PCMU, and B's PCMU tone arrives at A as Opus, each as a stream of the
//! relay's own (consecutive sequence numbers, timestamps at the receiver's clock);
//! RFC 4733 events pass with their payload type and clock mapped.

mod relay_support;

use std::net::SocketAddr;

use engine::relay::{RelayHandle, RelayPool, Side, TranscodeSpec};
use media::codec::{by_rtpmap, Codec};
use media::rtp::RtpPacket;
use media::sdp::PayloadFormat;
use media::tone::{detect_tone, Tone, ToneGenerator};
use relay_support::*;
use tokio::net::UdpSocket;

const OPUS_PT: u8 = 111;
const A_EVENTS: u8 = 101;
const B_EVENTS: u8 = 96;
const FRAMES: u16 = 50;

fn format(payload_type: u8, encoding: &str, clock_rate: u32) -> PayloadFormat {
    PayloadFormat {
        payload_type,
        encoding: encoding.to_owned(),
        clock_rate,
        channels: None,
        fmtp: None,
    }
}

struct Call {
    relay: RelayHandle,
    phone_a: UdpSocket,
    phone_b: UdpSocket,
    relay_for_a: SocketAddr,
    relay_for_b: SocketAddr,
}

async fn transcoded_call(ports: std::ops::RangeInclusive<u16>) -> Call {
    let pool = RelayPool::new(ports);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");
    relay
        .transcode(&TranscodeSpec {
            a: format(OPUS_PT, "opus", 48_000),
            b: format(0, "PCMU", 8000),
            a_events: Some(A_EVENTS),
            b_events: Some(B_EVENTS),
        })
        .expect("opus and PCMU transcode");
    Call {
        relay,
        phone_a,
        phone_b,
        relay_for_a,
        relay_for_b,
    }
}

/// Sends `FRAMES` 20 ms packets of a `frequency` tone in `codec` with payload type
/// `payload_type`.
async fn send_tone(
    from: &UdpSocket,
    to: SocketAddr,
    codec: &mut dyn Codec,
    payload_type: u8,
    frequency: f64,
) {
    let rate = codec.sample_rate();
    let mut generator = ToneGenerator::new(Tone::continuous(frequency), rate);
    let mut frame = vec![0i16; (rate / 50) as usize];
    let step = codec.clock_rate() / 50;
    for seq in 0..FRAMES {
        generator.fill(&mut frame);
        let mut payload = Vec::new();
        codec.encode(&frame, &mut payload);
        let mut packet = Vec::new();
        RtpPacket::new(payload_type, seq, u32::from(seq) * step, 0xa11ce, &payload)
            .write(&mut packet);
        send(from, to, &packet).await;
    }
}

/// Receives packets until `count` arrived; returns (payload type, sequence, timestamp,
/// payload) of each.
async fn receive(socket: &UdpSocket, count: usize) -> Vec<(u8, u16, u32, Vec<u8>)> {
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    while got.len() < count {
        let (len, _) = tokio::time::timeout(PATIENCE, socket.recv_from(&mut buf))
            .await
            .expect("a packet arrives")
            .expect("recv");
        let p = RtpPacket::parse(&buf[..len]).expect("RTP");
        got.push((p.payload_type, p.sequence, p.timestamp, p.payload.to_vec()));
    }
    got
}

/// Checks the stream is the relay's own: consecutive sequence numbers and timestamps
/// `step` apart.
fn assert_own_stream(packets: &[(u8, u16, u32, Vec<u8>)], payload_type: u8, step: u32) {
    for pair in packets.windows(2) {
        assert_eq!(pair[0].0, payload_type);
        assert_eq!(
            pair[1].1,
            pair[0].1.wrapping_add(1),
            "consecutive sequence numbers"
        );
        assert_eq!(
            pair[1].2,
            pair[0].2.wrapping_add(step),
            "timestamps one frame apart"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opus_tone_from_a_is_heard_as_pcmu_at_b() {
    let call = transcoded_call(25200..=25219).await;
    let mut opus = by_rtpmap("opus", 48_000).expect("opus");
    send_tone(
        &call.phone_a,
        call.relay_for_a,
        opus.as_mut(),
        OPUS_PT,
        1000.0,
    )
    .await;
    let packets = receive(&call.phone_b, usize::from(FRAMES) - 5).await;
    assert_own_stream(&packets, 0, 160);
    let mut pcmu = by_rtpmap("PCMU", 8000).expect("pcmu");
    let mut heard = Vec::new();
    for (_, _, _, payload) in &packets {
        assert_eq!(payload.len(), 160, "20 ms of PCMU");
        pcmu.decode(Some(payload), &mut heard);
    }
    // The first frames carry the codec's start-up; judge the steady part.
    let steady = &heard[heard.len() / 2..];
    assert!(detect_tone(steady, 8000, 1000.0) > 0.8, "1 kHz heard at B");
    call.relay.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pcmu_tone_from_b_is_heard_as_opus_at_a() {
    let call = transcoded_call(25220..=25239).await;
    let mut pcmu = by_rtpmap("PCMU", 8000).expect("pcmu");
    send_tone(&call.phone_b, call.relay_for_b, pcmu.as_mut(), 0, 600.0).await;
    let packets = receive(&call.phone_a, usize::from(FRAMES) - 5).await;
    assert_own_stream(&packets, OPUS_PT, 960);
    let mut opus = by_rtpmap("opus", 48_000).expect("opus");
    let mut heard = Vec::new();
    for (_, _, _, payload) in &packets {
        opus.decode(Some(payload), &mut heard);
    }
    let steady = &heard[heard.len() / 2..];
    let rate = opus.sample_rate();
    assert!(detect_tone(steady, rate, 600.0) > 0.8, "600 Hz heard at A");
    call.relay.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_telephone_event_keeps_its_digit_and_moves_to_the_other_clock() {
    let call = transcoded_call(25240..=25259).await;
    // RFC 4733 §2.3: digit 5, end bit clear, volume 10, 960 ticks (20 ms at 48 kHz).
    let event = [5u8, 10, 0x03, 0xc0];
    let mut packet = Vec::new();
    let mut rtp = RtpPacket::new(A_EVENTS, 7, 48_000, 0xa11ce, &event);
    rtp.marker = true;
    rtp.write(&mut packet);
    send(&call.phone_a, call.relay_for_a, &packet).await;
    let got = receive(&call.phone_b, 1).await;
    let (payload_type, _, _, payload) = &got[0];
    assert_eq!(*payload_type, B_EVENTS);
    assert_eq!(payload[0], 5, "the same digit");
    assert_eq!(
        u16::from_be_bytes([payload[2], payload[3]]),
        160,
        "20 ms at 8 kHz"
    );
    call.relay.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_after_an_event_goes_on_from_the_events_end() {
    let call = transcoded_call(25260..=25279).await;
    // Digit 1 lasting 100 ms at 8 kHz, its end packet (end bit set), from B.
    let event = [1u8, 0x80 | 10, 0x03, 0x20];
    let mut packet = Vec::new();
    RtpPacket::new(B_EVENTS, 3, 8000, 0xb0b, &event).write(&mut packet);
    send(&call.phone_b, call.relay_for_b, &packet).await;
    let got = receive(&call.phone_a, 1).await;
    let (payload_type, _, start, payload) = &got[0];
    assert_eq!(*payload_type, A_EVENTS);
    let duration = u16::from_be_bytes([payload[2], payload[3]]);
    assert_eq!(duration, 4800, "100 ms at 48 kHz");

    let mut pcmu = by_rtpmap("PCMU", 8000).expect("pcmu");
    send_tone(&call.phone_b, call.relay_for_b, pcmu.as_mut(), 0, 600.0).await;
    let audio = receive(&call.phone_a, 5).await;
    let after = audio[0].2.wrapping_sub(*start);
    assert!(
        (u32::from(duration)..u32::from(duration) + 960 * 2).contains(&after),
        "audio resumes after the event, not inside it: {after} ticks after its start"
    );
    call.relay.close().await;
}
