//! RFC 4733 keys sent by one end arrive at the other once each, even over a lossy
//! network that loses some of their packets; mute sends coded silence, hold sends
//! nothing, and resuming starts a new talkspurt.

mod call_media_sim;

use std::time::Instant;

use call_media_sim::{spec, Network, Sine, TICK};
use media::rtp::{RtpPacket, TelephoneEvent};
use media::tone::detect_tone;
use phone::call_media::CallMedia;

/// Sends `keys` (100 ms each, a pause between) from a to b over `net`; returns the keys
/// b reported, every packet a sent and the loss b counted.
fn send_keys(
    encoding: &str,
    pt: u8,
    clock: u32,
    keys: &str,
    loss: f64,
) -> (String, Vec<Vec<u8>>, u64) {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec(encoding, pt, clock, 9)).expect("codec");
    let mut b = CallMedia::new(&spec(encoding, pt, clock, 10)).expect("codec");
    let mut net = Network::new(31, start, loss, 30, 20);
    let mut sine = Sine::new(440.0, a.sample_rate());
    let (mut got, mut sent) = (String::new(), Vec::new());
    let mut pending = keys.chars();
    for i in 0..400u32 {
        let now = start + TICK * i;
        if i >= 20 && i % 25 == 0 {
            if let Some(key) = pending.next() {
                assert!(a.send_dtmf(key, 100));
            }
        }
        for p in a.send_frame(now, &sine.frame(a.frame_samples())) {
            sent.push(p.clone());
            net.send(now, p);
        }
        for (at, p) in net.deliver(now) {
            b.receive_rtp(at, &p);
        }
        b.next_frame(now);
        while let Some(key) = b.poll_key() {
            got.push(key);
        }
    }
    (got, sent, b.stats().lost)
}

#[test]
fn a_key_arrives_once() {
    let (got, _, lost) = send_keys("PCMU", 0, 8000, "5", 0.0);
    assert_eq!(got, "5");
    assert_eq!(lost, 0, "event packets count as received, not lost");
}

#[test]
fn keys_arrive_once_each_in_order_over_a_lossy_network() {
    let (got, _, _) = send_keys("opus", 111, 48_000, "1#9*0", 0.10);
    assert_eq!(got, "1#9*0");
}

#[test]
fn an_event_starts_with_the_marker_keeps_its_timestamp_and_ends_three_times() {
    let (_, sent, _) = send_keys("PCMU", 0, 8000, "7", 0.0);
    let events: Vec<_> = sent
        .iter()
        .filter_map(|d| RtpPacket::parse(d).ok())
        .filter(|p| p.payload_type == 101)
        .map(|p| {
            (
                p.marker,
                p.timestamp,
                p.sequence,
                TelephoneEvent::parse(p.payload).ok(),
            )
        })
        .collect();
    assert!(events.len() >= 5 + 2, "{} event packets", events.len());
    let (first_marker, ts, _, first) = events[0];
    assert!(first_marker);
    assert_eq!(first.map(|e| e.event), Some(7));
    assert!(events.iter().skip(1).all(|e| !e.0 && e.1 == ts));
    let ends: Vec<_> = events
        .iter()
        .filter(|e| e.3.is_some_and(|t| t.end))
        .collect();
    assert_eq!(ends.len(), 3);
    // 100 ms at 8 kHz.
    assert!(ends.iter().all(|e| e.3.map(|t| t.duration) == Some(800)));
    let seqs: Vec<u16> = events.iter().map(|e| e.2).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)));
}

#[test]
fn keys_are_refused_without_telephone_events_or_for_other_characters() {
    let mut no_events = spec("PCMU", 0, 8000, 1);
    no_events.telephone_event = None;
    let mut media = CallMedia::new(&no_events).expect("codec");
    assert!(!media.send_dtmf('1', 100));
    let mut media = CallMedia::new(&spec("PCMU", 0, 8000, 1)).expect("codec");
    assert!(!media.send_dtmf('x', 100));
    assert!(media.send_dtmf('d', 100));
}

#[test]
fn mute_sends_silence_and_hold_sends_nothing_until_resumed_with_a_marker() {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec("PCMU", 0, 8000, 11)).expect("codec");
    let mut b = CallMedia::new(&spec("PCMU", 0, 8000, 12)).expect("codec");
    let mut sine = Sine::new(1000.0, 8000);
    let mut heard = Vec::new();
    let mut packets = Vec::new();
    for i in 0..300u32 {
        let now = start + TICK * i;
        match i {
            100 => a.set_muted(true),
            150 => a.set_muted(false),
            200 => a.set_held(true),
            250 => a.set_held(false),
            _ => {}
        }
        let out = a.send_frame(now, &sine.frame(160));
        packets.push(out.len());
        for p in &out {
            if i == 250 {
                assert!(RtpPacket::parse(p).expect("rtp").marker, "resume marks");
            }
            b.receive_rtp(now, p);
        }
        heard.push(b.next_frame(now).to_vec());
    }
    let during = |from: usize, to: usize| heard[from..to].concat();
    let level = |pcm: &[i16]| pcm.iter().map(|s| i64::from(*s).abs()).max().unwrap_or(0);
    assert!(detect_tone(&during(60, 100), 8000, 1000.0) > 0.9);
    assert!(level(&during(110, 150)) < 50, "muted frames are silent");
    assert!(
        packets[110..150].iter().all(|n| *n == 1),
        "muted frames are sent"
    );
    assert!(detect_tone(&during(160, 200), 8000, 1000.0) > 0.9);
    assert!(
        packets[200..250].iter().all(|n| *n == 0),
        "nothing sent while held"
    );
    assert!(detect_tone(&during(270, 300), 8000, 1000.0) > 0.9);
}
