//! Music on hold over real sockets: the held phone hears the music (a WAV with a known
//! tone stands in for it) as a proper RTP stream of the relay's own, not the holder's
//! audio; when the hold ends it hears the other phone again.

mod relay_support;

use std::collections::HashSet;

use engine::relay::{Music, PlaySpec, RelayPool, Side};
use media::codec::{by_rtpmap, Codec, Pcma, Pcmu};
use media::rtp::RtpPacket;
use media::tone::{detect_tone, Tone, ToneGenerator};
use relay_support::*;
use tokio::net::UdpSocket;

/// The music's tone and the tone phone A talks in.
const MUSIC_HZ: f64 = 700.0;
const VOICE_HZ: f64 = 440.0;
const A_SSRC: u32 = 0x5eed;

/// A WAV of the music tone at 16 kHz, as the bundled music is, loaded like the real one.
fn music_from_wav() -> (tempfile::TempDir, Music) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(engine::relay::OWN_MUSIC);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&path, spec).expect("create WAV");
    let mut samples = vec![0i16; 16000];
    ToneGenerator::new(Tone::continuous(MUSIC_HZ), 16000).fill(&mut samples);
    for s in samples {
        writer.write_sample(s).expect("write");
    }
    writer.finalize().expect("finalize");
    let music = Music::from_file(&path).expect("the WAV loads");
    (dir, music)
}

fn spec(music: Music, encoding: &str, clock_rate: u32, payload_type: u8) -> PlaySpec {
    PlaySpec {
        music,
        encoding: encoding.into(),
        clock_rate,
        payload_type,
    }
}

struct Received {
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    marker: bool,
    payload_type: u8,
    payload: Vec<u8>,
}

async fn recv(socket: &UdpSocket) -> Received {
    let mut buf = [0u8; 2048];
    let (len, _) = tokio::time::timeout(PATIENCE, socket.recv_from(&mut buf))
        .await
        .expect("a packet arrives")
        .expect("recv");
    let p = RtpPacket::parse(&buf[..len]).expect("RTP");
    Received {
        ssrc: p.ssrc,
        sequence: p.sequence,
        timestamp: p.timestamp,
        marker: p.marker,
        payload_type: p.payload_type,
        payload: p.payload.to_vec(),
    }
}

/// One 20 ms frame of A's voice as PCMU.
fn voice_frame(generator: &mut ToneGenerator) -> Vec<u8> {
    let mut frame = [0i16; 160];
    generator.fill(&mut frame);
    let mut payload = Vec::new();
    Pcmu::new().encode(&frame, &mut payload);
    payload
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_held_side_hears_the_music_then_the_other_side_again() {
    let (_dir, music) = music_from_wav();
    let pool = RelayPool::new(26000..=26099);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay_for_a = ports.local_addr(Side::A);
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");
    let mut voice = ToneGenerator::new(Tone::continuous(VOICE_HZ), 8000);

    // A holds B: B hears music instead of whatever A still sends.
    relay
        .play(Side::B, spec(music, "PCMU", 8000, 0))
        .expect("PCMU plays");
    let mut heard = Vec::new();
    let mut packets = Vec::new();
    for seq in 0..50u16 {
        send(&phone_a, relay_for_a, &rtp(seq, &voice_frame(&mut voice))).await;
        let packet = recv(&phone_b).await;
        Pcmu::new().decode(Some(&packet.payload), &mut heard);
        packets.push(packet);
    }
    let ssrcs: HashSet<u32> = packets.iter().map(|p| p.ssrc).collect();
    assert_eq!(ssrcs.len(), 1, "one stream of the relay's own");
    assert!(!ssrcs.contains(&A_SSRC), "A's packets are not relayed to B");
    assert!(packets[0].marker, "the marker bit starts the stream");
    assert!(packets[1..].iter().all(|p| !p.marker));
    for pair in packets.windows(2) {
        assert_eq!(pair[1].sequence, pair[0].sequence.wrapping_add(1));
        assert_eq!(pair[1].timestamp, pair[0].timestamp.wrapping_add(160));
    }
    assert!(packets
        .iter()
        .all(|p| p.payload_type == 0 && p.payload.len() == 160));
    assert!(
        detect_tone(&heard, 8000, MUSIC_HZ) > 0.8,
        "B hears the music"
    );
    assert!(detect_tone(&heard, 8000, VOICE_HZ) < 0.05);
    assert!(relay.stats().played >= 50);
    assert!(relay.stats().replaced > 0);

    // Resume: A's audio reaches B again (music packets still in flight are skipped).
    relay.stop_playing(Side::B);
    let mut resumed = None;
    for seq in 100..400u16 {
        send(&phone_a, relay_for_a, &rtp(seq, &voice_frame(&mut voice))).await;
        let packet = recv(&phone_b).await;
        if packet.ssrc == A_SSRC {
            resumed = Some(packet);
            break;
        }
    }
    let first = resumed.expect("A's audio is relayed again after the hold");
    let mut back = Vec::new();
    Pcmu::new().decode(Some(&first.payload), &mut back);
    for seq in 400..420u16 {
        send(&phone_a, relay_for_a, &rtp(seq, &voice_frame(&mut voice))).await;
        let packet = recv(&phone_b).await;
        assert_eq!(packet.ssrc, A_SSRC, "no music after the hold ends");
        Pcmu::new().decode(Some(&packet.payload), &mut back);
    }
    assert!(detect_tone(&back, 8000, VOICE_HZ) > 0.8, "B hears A");
    relay.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn music_goes_in_the_listeners_codec_and_payload_type_without_any_audio_from_it() {
    let (_dir, music) = music_from_wav();
    let pool = RelayPool::new(26100..=26199);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay_for_b = ports.local_addr(Side::B);
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    // B holds A with an inactive stream: A sends nothing and is played A-law as type 8.
    relay
        .play(Side::A, spec(music, "PCMA", 8000, 8))
        .expect("PCMA plays");
    let mut heard = Vec::new();
    for _ in 0..25 {
        let packet = recv(&phone_a).await;
        assert_eq!(packet.payload_type, 8);
        Pcma::new().decode(Some(&packet.payload), &mut heard);
    }
    assert!(detect_tone(&heard, 8000, MUSIC_HZ) > 0.8);
    assert_eq!(relay.local_addr(Side::B), relay_for_b);
    relay.close().await;
}

/// Wideband phones hear the music in their own codec: G.722 (static type 9, 8 kHz RTP
/// clock for 16 kHz audio, RFC 3551 §4.5.2) and Opus (48 kHz clock, RFC 7587).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wideband_listeners_hear_the_music_in_g722_and_opus() {
    let (_dir, music) = music_from_wav();
    let pool = RelayPool::new(26200..=26299);
    for (encoding, clock_rate, payload_type, step) in
        [("G722", 8000, 9u8, 160u32), ("opus", 48_000, 111, 960)]
    {
        let phone_a = socket_on(LOOPBACK).await;
        let phone_b = socket_on(LOOPBACK).await;
        let ports = pool.allocate(LOOPBACK).expect("ports");
        let relay = pool
            .start(ports, addr_of(&phone_a), addr_of(&phone_b))
            .expect("start");
        relay
            .play(
                Side::B,
                spec(music.clone(), encoding, clock_rate, payload_type),
            )
            .expect("the codec plays");
        let mut decoder = by_rtpmap(encoding, clock_rate).expect("decoder");
        let rate = decoder.sample_rate();
        let mut heard = Vec::new();
        let mut previous: Option<u32> = None;
        for _ in 0..25 {
            let packet = recv(&phone_b).await;
            assert_eq!(packet.payload_type, payload_type);
            if let Some(ts) = previous {
                assert_eq!(packet.timestamp, ts.wrapping_add(step), "{encoding} clock");
            }
            previous = Some(packet.timestamp);
            decoder.decode(Some(&packet.payload), &mut heard);
        }
        // The codecs' start-up transient is left out.
        let settled = &heard[heard.len() / 4..];
        assert!(
            detect_tone(settled, rate, MUSIC_HZ) > 0.8,
            "{encoding}: the music's tone"
        );
        relay.close().await;
    }
}
