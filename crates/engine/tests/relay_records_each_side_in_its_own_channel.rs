//! Recording over real sockets: each phone sends its own tone; the recording is a stereo
//! WAV with the caller's tone on the left and the callee's on the right, written under a
//! temporary name and renamed into place only once complete.

mod relay_support;

use std::path::Path;
use std::time::Duration;

use engine::relay::{RelayPool, Side};
use media::codec::{by_rtpmap, Codec, Pcmu, G722};
use media::sdp::PayloadFormat;
use media::tone::{detect_tone, Tone, ToneGenerator};
use relay_support::*;

const CALLER_HZ: f64 = 440.0;
const CALLEE_HZ: f64 = 1000.0;

/// One 20 ms frame of the generator's tone, encoded (the generator runs at the codec's
/// audio rate).
fn frame(generator: &mut ToneGenerator, codec: &mut dyn Codec) -> Vec<u8> {
    let mut pcm = vec![0i16; codec.sample_rate() as usize / 50];
    generator.fill(&mut pcm);
    let mut payload = Vec::new();
    codec.encode(&pcm, &mut payload);
    payload
}

/// An RTP packet of payload type `pt` from source `ssrc`.
fn packet(pt: u8, ssrc: u32, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = Vec::new();
    media::rtp::RtpPacket::new(pt, seq, u32::from(seq) * 160, ssrc, payload).write(&mut buf);
    buf
}

/// (left, right) samples of a stereo 8 kHz WAV.
fn channels(path: &Path) -> (Vec<i16>, Vec<i16>) {
    let mut reader = hound::WavReader::open(path).expect("the recording is a WAV");
    let spec = reader.spec();
    assert_eq!(spec.channels, 2);
    assert_eq!(spec.sample_rate, 8000);
    assert_eq!(spec.bits_per_sample, 16);
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    let left = samples.iter().step_by(2).copied().collect();
    let right = samples.iter().skip(1).step_by(2).copied().collect();
    (left, right)
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sides_tone_lands_in_its_own_channel() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("recordings").join("call.wav");
    let pool = RelayPool::new(27000..=27099);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    let recording = relay
        .start_recording(path.clone(), &[])
        .expect("recording starts");
    assert_eq!(recording.path(), &path);
    let mut caller = ToneGenerator::new(Tone::continuous(CALLER_HZ), 8000);
    let mut callee = ToneGenerator::new(Tone::continuous(CALLEE_HZ), 16000);
    let (mut pcmu, mut g722) = (Pcmu::new(), G722::new());
    let mut pace = tokio::time::interval(Duration::from_millis(20));
    for seq in 0..50u16 {
        pace.tick().await;
        // The caller talks PCMU, the callee G.722 (static type 9, 8 kHz RTP clock): each
        // direction is decoded on its own.
        send(
            &phone_a,
            relay_for_a,
            &packet(0, 0xa, seq, &frame(&mut caller, &mut pcmu)),
        )
        .await;
        send(
            &phone_b,
            relay_for_b,
            &packet(9, 0xb, seq, &frame(&mut callee, &mut g722)),
        )
        .await;
        // Relaying goes on as usual while recording.
        recv_payload(&phone_b).await;
        recv_payload(&phone_a).await;
    }
    assert!(
        !path.exists(),
        "no file under the final name before the end"
    );

    relay.stop_recording();
    let written = tokio::time::timeout(PATIENCE, recording.finished())
        .await
        .expect("the recording finishes")
        .expect("the recording is written");
    assert_eq!(written, path);
    assert_eq!(
        leftovers(&dir.path().join("recordings")),
        vec!["call.wav".to_owned()],
        "the temporary file was renamed, nothing else is left"
    );

    let (left, right) = channels(&path);
    assert_eq!(left.len(), right.len());
    assert!(left.len() >= 50 * 160, "the whole call is there");
    assert!(
        detect_tone(&left, 8000, CALLER_HZ) > 0.5,
        "caller on the left"
    );
    assert!(detect_tone(&left, 8000, CALLEE_HZ) < 0.05);
    assert!(
        detect_tone(&right, 8000, CALLEE_HZ) > 0.5,
        "callee on the right"
    );
    assert!(detect_tone(&right, 8000, CALLER_HZ) < 0.05);
    relay.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_side_is_recorded_as_silence_and_the_call_end_finishes_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("held.wav");
    let pool = RelayPool::new(27100..=27199);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay_for_a = ports.local_addr(Side::A);
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    let recording = relay
        .start_recording(path.clone(), &[])
        .expect("recording starts");
    let mut caller = ToneGenerator::new(Tone::continuous(CALLER_HZ), 8000);
    let mut pcmu = Pcmu::new();
    let mut pace = tokio::time::interval(Duration::from_millis(20));
    for seq in 0..25u16 {
        pace.tick().await;
        send(
            &phone_a,
            relay_for_a,
            &packet(0, 0xa, seq, &frame(&mut caller, &mut pcmu)),
        )
        .await;
        recv_payload(&phone_b).await;
    }
    // The call ends without a stop: the relay's end finishes the recording.
    relay.close().await;
    let written = tokio::time::timeout(PATIENCE, recording.finished())
        .await
        .expect("the recording finishes")
        .expect("the recording is written");
    let (left, right) = channels(&written);
    assert!(left.len() >= 25 * 160);
    assert!(detect_tone(&left, 8000, CALLER_HZ) > 0.5);
    assert!(right.iter().all(|s| *s == 0), "the callee said nothing");
}

/// Dynamic payload types are decoded by the formats the call's SDP gave them: here the
/// caller talks Opus (type 111, 48 kHz RTP clock, RFC 7587), the callee PCMA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dynamic_payload_type_is_decoded_by_the_calls_formats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("opus.wav");
    let pool = RelayPool::new(27200..=27299);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");
    let formats = [
        PayloadFormat {
            payload_type: 111,
            encoding: "opus".into(),
            clock_rate: 48_000,
            channels: Some(2),
            fmtp: None,
        },
        PayloadFormat {
            payload_type: 8,
            encoding: "PCMA".into(),
            clock_rate: 8000,
            channels: None,
            fmtp: None,
        },
    ];
    let recording = relay
        .start_recording(path.clone(), &formats)
        .expect("recording starts");
    let mut opus = by_rtpmap("opus", 48_000).expect("opus");
    let mut pcma = by_rtpmap("PCMA", 8000).expect("pcma");
    let mut caller = ToneGenerator::new(Tone::continuous(CALLER_HZ), opus.sample_rate());
    let mut callee = ToneGenerator::new(Tone::continuous(CALLEE_HZ), 8000);
    let mut pace = tokio::time::interval(Duration::from_millis(20));
    for seq in 0..50u16 {
        pace.tick().await;
        let mut a = Vec::new();
        media::rtp::RtpPacket::new(
            111,
            seq,
            u32::from(seq) * 960,
            0xa,
            &frame(&mut caller, opus.as_mut()),
        )
        .write(&mut a);
        send(&phone_a, relay_for_a, &a).await;
        send(
            &phone_b,
            relay_for_b,
            &packet(8, 0xb, seq, &frame(&mut callee, pcma.as_mut())),
        )
        .await;
        recv_payload(&phone_b).await;
        recv_payload(&phone_a).await;
    }
    relay.stop_recording();
    let written = tokio::time::timeout(PATIENCE, recording.finished())
        .await
        .expect("the recording finishes")
        .expect("the recording is written");
    let (left, right) = channels(&written);
    // Opus starts with a short transient: judge the second half.
    let settled = &left[left.len() / 2..];
    assert!(
        detect_tone(settled, 8000, CALLER_HZ) > 0.5,
        "Opus caller on the left"
    );
    assert!(
        detect_tone(&right, 8000, CALLEE_HZ) > 0.5,
        "PCMA callee on the right"
    );
    assert!(detect_tone(&right, 8000, CALLER_HZ) < 0.05);
    relay.close().await;
}

/// A recording that cannot be written (here its folder cannot be made; a full disk alike)
/// fails on its own: the call's audio goes on, and nothing half-written is left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_that_cannot_be_written_fails_alone_and_the_call_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"").expect("a file where the folder should be");
    let pool = RelayPool::new(27300..=27399);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay_for_a = ports.local_addr(Side::A);
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    let recording = relay
        .start_recording(blocker.join("call.wav"), &[])
        .expect("the writer starts");
    let failed = tokio::time::timeout(PATIENCE, recording.finished())
        .await
        .expect("the writer gives up at once");
    assert!(failed.is_err(), "the failure is reported");

    let mut caller = ToneGenerator::new(Tone::continuous(CALLER_HZ), 8000);
    let mut pcmu = Pcmu::new();
    for seq in 0..20u16 {
        send(
            &phone_a,
            relay_for_a,
            &packet(0, 0xa, seq, &frame(&mut caller, &mut pcmu)),
        )
        .await;
        assert_eq!(recv_sequence(&phone_b).await.0, seq, "relaying goes on");
    }
    assert_eq!(leftovers(dir.path()), vec!["not-a-folder".to_owned()]);
    relay.close().await;
}
