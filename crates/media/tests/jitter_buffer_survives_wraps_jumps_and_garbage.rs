//! The jitter buffer across sequence and timestamp wrap-around, timestamp jumps, a new
//! SSRC and silence suppression, and with arbitrary packets thrown at it.

#[path = "support/netsim.rs"]
mod netsim;

use std::time::{Duration, Instant};

use media::jitter::{Arrival, JitterBuffer, JitterConfig, Playout};
use media::rtp::RtpPacket;
use netsim::{run, Out, Profile, Sender, FRAME, FRAME_TS};
use proptest::prelude::*;

fn buffer() -> JitterBuffer {
    JitterBuffer::new(JitterConfig::new(8000))
}

/// What one pop gave, with the payload's first byte standing for the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    Waiting,
    Packet(u8),
    Lost,
    Silence,
}

fn pop(jb: &mut JitterBuffer, now: Instant) -> Got {
    match jb.pop(now) {
        Playout::Waiting => Got::Waiting,
        Playout::Packet { payload, .. } => Got::Packet(payload.first().copied().unwrap_or(0)),
        Playout::Lost => Got::Lost,
        Playout::Silence => Got::Silence,
    }
}

/// Sends packets (seq, ts, ssrc, tag) one per 20 ms with 5 ms of network delay, popping
/// in between, and returns every pop's result.
fn drive(jb: &mut JitterBuffer, packets: &[(u16, u32, u32, u8)], extra_pops: u32) -> Vec<Got> {
    let start = Instant::now();
    let mut got = Vec::new();
    for (k, (seq, ts, ssrc, tag)) in packets.iter().enumerate() {
        let sent = start + FRAME * k as u32;
        let payload = [*tag];
        jb.push(
            sent + Duration::from_millis(5),
            &RtpPacket::new(0, *seq, *ts, *ssrc, &payload),
        );
        got.push(pop(jb, sent + Duration::from_millis(10)));
    }
    for k in 0..extra_pops {
        let at = start + FRAME * (packets.len() as u32 + k) + Duration::from_millis(10);
        got.push(pop(jb, at));
    }
    got
}

fn tags(got: &[Got]) -> Vec<u8> {
    got.iter()
        .filter_map(|g| match g {
            Got::Packet(t) => Some(*t),
            _ => None,
        })
        .collect()
}

#[test]
fn sequence_and_timestamp_wrap_around_unnoticed() {
    let sender = Sender {
        ssrc: 7,
        first_seq: u16::MAX - 40,
        first_ts: u32::MAX - 30 * FRAME_TS,
    };
    let lossy = Profile {
        loss: 0.03,
        jitter: Duration::from_millis(40),
        ..Profile::lan()
    };
    let mut jb = buffer();
    let r = run(&mut jb, sender, lossy, 400, 11, Duration::from_millis(3));
    let played = r.played();
    assert!(played.windows(2).all(|w| w[0] < w[1]));
    assert!(
        played.contains(&35) && played.contains(&45),
        "frames around the wrap"
    );
    let stats = jb.stats();
    assert_eq!(stats.resyncs, 0);
    assert!(stats.lost <= r.dropped.len() as u64 && stats.lost + 2 >= r.dropped.len() as u64);
    assert!(played.len() + r.dropped.len() + 12 >= 400, "{stats:?}");
}

#[test]
fn a_timestamp_jump_restarts_playout_on_the_new_timeline() {
    let mut packets = Vec::new();
    for k in 0..100u32 {
        // Sequence numbers run on; at packet 50 the timestamps leap by ten minutes.
        let ts = if k < 50 {
            k * FRAME_TS
        } else {
            4_800_000 + k * FRAME_TS
        };
        packets.push((k as u16, ts, 1, k as u8));
    }
    let mut jb = buffer();
    let got = drive(&mut jb, &packets, 10);
    let played = tags(&got);
    assert!(played.windows(2).all(|w| w[0] < w[1]));
    assert!(played.contains(&45) && played.contains(&60) && played.contains(&99));
    assert_eq!(jb.stats().resyncs, 1);
}

#[test]
fn a_new_ssrc_restarts_playout() {
    let mut packets = Vec::new();
    for k in 0..100u32 {
        let (ssrc, seq, ts) = if k < 50 {
            (1, k as u16, k * FRAME_TS)
        } else {
            (2, 30_000 + k as u16, 123_456 + k * FRAME_TS)
        };
        packets.push((seq, ts, ssrc, k as u8));
    }
    let mut jb = buffer();
    let got = drive(&mut jb, &packets, 10);
    let played = tags(&got);
    assert!(played.windows(2).all(|w| w[0] < w[1]));
    assert!(played.contains(&70) && played.contains(&99));
    assert_eq!(jb.stats().resyncs, 1);
    assert_eq!(jb.stats().lost, 0);
}

#[test]
fn silence_suppression_is_silence_not_loss() {
    // Packets 0..50, then the sender pauses for 40 frames (sequence numbers continue
    // without a gap, timestamps jump), then talks again.
    let mut jb = buffer();
    let start = Instant::now();
    let mut got = Vec::new();
    for tick in 0..160u32 {
        let now = start + FRAME * tick;
        let talking = !(50..90).contains(&tick) && tick < 150;
        if talking {
            let seq = if tick < 50 { tick } else { tick - 40 } as u16;
            let mut packet = RtpPacket::new(0, seq, tick * FRAME_TS, 3, &[1]);
            // RFC 3551 §4.1: the first packet after silence carries the marker bit.
            packet.marker = tick == 90;
            assert_eq!(
                jb.push(now + Duration::from_millis(4), &packet),
                Arrival::Buffered
            );
        }
        got.push(pop(&mut jb, now + Duration::from_millis(8)));
    }
    let stats = jb.stats();
    assert_eq!(stats.lost, 0);
    // Every packet plays, bar the frames dropped as the delay settles from its start
    // (60 ms) to the measured one (20 ms): at most two.
    assert_eq!(tags(&got).len() as u64 + stats.discarded, 110);
    assert!(stats.discarded <= 2, "{stats:?}");
    // Until the next packet shows the sequence unbroken, a pause looks like loss and is
    // concealed (fading out); once it does, the rest of the gap is silence.
    assert!(got.contains(&Got::Silence), "the pause was not recognised");
    let resumed = got.iter().position(|g| *g == Got::Silence).unwrap_or(0);
    assert!(
        !got[resumed..150].contains(&Got::Lost),
        "talk after the pause is lost"
    );
}

#[test]
fn duplicates_and_late_packets_are_told_apart() {
    let mut jb = buffer();
    let start = Instant::now();
    let packet = |k: u32| RtpPacket::new(0, k as u16, k * FRAME_TS, 9, &[0u8; 4]);
    for k in 0..20 {
        jb.push(start + FRAME * k, &packet(k));
    }
    assert_eq!(jb.push(start + FRAME * 20, &packet(19)), Arrival::Duplicate);
    for tick in 0..20 {
        jb.pop(start + FRAME * (20 + tick));
    }
    // Packet 3 shows up long after its frame was played.
    let mut jb2 = buffer();
    for k in (0..20).filter(|k| *k != 3) {
        jb2.push(start + FRAME * k, &packet(k));
    }
    for tick in 0..15 {
        jb2.pop(start + FRAME * (5 + tick));
    }
    assert_eq!(jb2.push(start + FRAME * 20, &packet(3)), Arrival::Late);
    assert_eq!(jb2.stats().late, 1);
    assert_eq!(jb.stats().duplicates, 1);
    let huge = vec![0u8; 5000];
    assert_eq!(
        jb.push(start, &RtpPacket::new(0, 21, 21 * FRAME_TS, 9, &huge)),
        Arrival::Refused
    );
}

#[test]
fn nothing_is_played_before_the_first_packet() {
    let mut jb = buffer();
    let now = Instant::now();
    assert_eq!(pop(&mut jb, now), Got::Waiting);
    assert_eq!(jb.stats(), Default::default());
    let r = run(
        &mut jb,
        Sender {
            ssrc: 1,
            first_seq: 0,
            first_ts: 0,
        },
        Profile::lan(),
        10,
        1,
        FRAME,
    );
    assert_eq!(r.outs.first(), Some(&Out::Waiting));
}

proptest! {
    #[test]
    fn arbitrary_packets_and_pops_never_panic(
        steps in proptest::collection::vec(
            (any::<bool>(), 0u64..200_000, any::<u16>(), any::<u32>(), 0u32..3, 0usize..2000),
            1..300,
        )
    ) {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        let mut now = Instant::now();
        let payload = vec![0u8; 2000];
        let mut seen = Vec::new();
        for (is_pop, advance_us, seq, ts, ssrc, len) in steps {
            now += Duration::from_micros(advance_us);
            if is_pop {
                if let Playout::Packet { sequence, .. } = jb.pop(now) {
                    seen.push(sequence);
                }
            } else {
                let _ = jb.push(now, &RtpPacket::new(0, seq, ts, ssrc, &payload[..len]));
            }
        }
        let stats = jb.stats();
        prop_assert!(seen.len() as u64 <= stats.received);

        // Whatever came before, a clean stream from a new source plays within a second.
        let mut played = 0;
        for k in 0..50u32 {
            now += FRAME;
            let packet = RtpPacket::new(0, k as u16, k * FRAME_TS, 99, &[7]);
            jb.push(now, &packet);
            if let Playout::Packet { payload, .. } = jb.pop(now) {
                prop_assert_eq!(payload, &[7u8][..]);
                played += 1;
            }
        }
        prop_assert!(played >= 40, "only {} of 50 played", played);
    }
}

#[test]
fn a_leap_ahead_before_playout_starts_does_not_stall_it() {
    // The second packet's timestamp is 800 ms ahead of the first: more than the buffer
    // holds, less than a jump. Playout must start from the packets that follow.
    let mut jb = buffer();
    let start = Instant::now();
    jb.push(start, &RtpPacket::new(0, 0, 0, 5, &[0]));
    let mut played = Vec::new();
    for k in 0..50u32 {
        let now = start + FRAME * (k + 1);
        let tag = [k as u8];
        let packet = RtpPacket::new(0, 1 + k as u16, (40 + k) * FRAME_TS, 5, &tag);
        jb.push(now, &packet);
        if let Got::Packet(tag) = pop(&mut jb, now) {
            played.push(tag);
        }
    }
    assert!(played.len() >= 30, "{played:?}");
    assert!(played.windows(2).all(|w| w[0] < w[1]));
    // Having caught up with the leap (dropping frames to shed the delay the first
    // packet's odd timing asked for), it plays every frame again.
    let tail = &played[played.len() - 10..];
    assert!(tail.windows(2).all(|w| w[1] == w[0] + 1), "{played:?}");
}

#[test]
fn frames_carry_their_packets_own_sequence_numbers_and_timestamps() {
    let mut jb = buffer();
    let start = Instant::now();
    let first_seq = u16::MAX - 5;
    let first_ts = u32::MAX - 3 * FRAME_TS;
    let mut seen = Vec::new();
    for k in 0..30u32 {
        let now = start + FRAME * k;
        let seq = first_seq.wrapping_add(k as u16);
        let ts = first_ts.wrapping_add(k * FRAME_TS);
        let mut packet = RtpPacket::new(0, seq, ts, 4, &[1]);
        packet.marker = k == 0;
        jb.push(now, &packet);
        if let Playout::Packet {
            sequence,
            timestamp,
            marker,
            ..
        } = jb.pop(now + Duration::from_millis(5))
        {
            seen.push((sequence, timestamp, marker));
        }
    }
    assert!(seen.len() > 20);
    // A frame may be dropped while the delay settles, so match each frame to the packet
    // its sequence number names.
    assert_eq!(seen.first(), Some(&(first_seq, first_ts, true)));
    for (sequence, timestamp, marker) in &seen {
        let k = u32::from(sequence.wrapping_sub(first_seq));
        assert!(k < 30);
        assert_eq!(*timestamp, first_ts.wrapping_add(k * FRAME_TS));
        assert_eq!(*marker, k == 0);
    }
}

#[test]
fn a_sequence_jump_is_followed_after_two_packets_in_a_row() {
    let mut packets = Vec::new();
    for k in 0..100u32 {
        // At packet 50 the numbering leaps by 30000; timestamps run on. A lone stray
        // packet numbered far off comes in between and must not disturb anything.
        let seq = if k < 50 { k } else { 30_000 + k } as u16;
        packets.push((seq, k * FRAME_TS, 6, k as u8));
        if k == 20 {
            packets.push((50_000, (k + 1) * FRAME_TS, 6, 200));
        }
    }
    let mut jb = buffer();
    let got = drive(&mut jb, &packets, 10);
    let played = tags(&got);
    assert!(!played.contains(&200), "the stray packet was played");
    assert!(played.windows(2).all(|w| w[0] < w[1]));
    assert!(played.contains(&45) && played.contains(&60) && played.contains(&99));
    assert_eq!(jb.stats().resyncs, 1);
}

#[test]
fn nonsense_configurations_still_give_a_working_buffer() {
    for config in [
        JitterConfig {
            frame: Duration::ZERO,
            ..JitterConfig::new(48_000)
        },
        JitterConfig {
            max_delay: Duration::from_secs(3600),
            min_delay: Duration::from_secs(7200),
            ..JitterConfig::new(8000)
        },
        JitterConfig::new(0),
    ] {
        let mut jb = JitterBuffer::new(config);
        run(
            &mut jb,
            Sender {
                ssrc: 1,
                first_seq: 0,
                first_ts: 0,
            },
            Profile::lan(),
            20,
            1,
            FRAME,
        );
        assert_eq!(jb.stats().received, 20, "{config:?}");
        assert!(jb.target_delay() <= Duration::from_secs(11), "{config:?}");
    }
}
