//! DTMF keys are found once per press: in-band tones (through G.711, at both rates, with
//! twist) and RFC 4733 telephone-events (updates, triple end packets, reordering, long
//! presses), and a phone sending both gives each key once. Speech-like audio, noise and
//! stray tones give none.

use media::codec::{ulaw_decode, ulaw_encode};
use media::dtmf_detect::{DtmfDetector, EventReceiver, InbandDetector};
use media::rtp::TelephoneEvent;
use media::tone::{Cadence, Tone, ToneGenerator};
use proptest::prelude::*;

const RATE: u32 = 8000;
const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
const COLUMNS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYPAD: &str = "123A456B789C*0#D";

fn frequencies(key: char) -> [f64; 2] {
    let i = KEYPAD.find(key).unwrap_or(0);
    [ROWS[i / 4], COLUMNS[i % 4]]
}

/// `ms` milliseconds of a continuous tone pair at the given peak amplitudes.
fn tones(freqs: [f64; 2], amplitudes: [f64; 2], ms: u32, rate: u32) -> Vec<i16> {
    let n = (rate * ms / 1000) as usize;
    let mut out = vec![0i32; n];
    for (f, a) in freqs.iter().zip(amplitudes) {
        let mut part = vec![0i16; n];
        let tone = Tone {
            frequencies: [*f, 0.0],
            amplitude: a,
            cadence: Cadence {
                on_ms: 1000,
                off_ms: 0,
            },
        };
        ToneGenerator::new(tone, rate).fill(&mut part);
        for (o, p) in out.iter_mut().zip(part) {
            *o += i32::from(p);
        }
    }
    out.into_iter().map(|s| s as i16).collect()
}

fn key(key: char, ms: u32) -> Vec<i16> {
    tones(frequencies(key), [0.2, 0.2], ms, RATE)
}

fn silence(ms: u32) -> Vec<i16> {
    vec![0; (RATE * ms / 1000) as usize]
}

fn through_g711(pcm: &[i16]) -> Vec<i16> {
    pcm.iter().map(|s| ulaw_decode(ulaw_encode(*s))).collect()
}

/// Feeds audio in 20 ms frames and collects the keys found.
fn inband(pcm: &[i16], rate: u32) -> String {
    let mut d = InbandDetector::new(rate);
    let mut found = String::new();
    for frame in pcm.chunks((rate / 50) as usize) {
        d.process(frame);
        while let Some(k) = d.poll_digit() {
            found.push(k);
        }
    }
    found
}

#[test]
fn every_key_is_heard_once_through_g711() {
    let mut audio = silence(100);
    for k in KEYPAD.chars() {
        audio.extend(key(k, 60));
        audio.extend(silence(60));
    }
    assert_eq!(inband(&through_g711(&audio), RATE), KEYPAD);
}

#[test]
fn fast_dialling_and_repeated_keys_are_each_heard() {
    // 40 ms on, 40 ms off: the fastest dialling ITU-T Q.24 asks receivers to follow.
    let mut audio = Vec::new();
    for k in "5550#".chars() {
        audio.extend(key(k, 40));
        audio.extend(silence(40));
    }
    assert_eq!(inband(&audio, RATE), "5550#");
}

#[test]
fn a_long_press_with_a_drop_out_is_one_key() {
    let mut audio = key('7', 1000);
    // 10 ms of the tone missing, as a lost and concealed packet can leave.
    for s in &mut audio[4000..4080] {
        *s = 0;
    }
    assert_eq!(inband(&audio, RATE), "7");
}

#[test]
fn wideband_audio_works_too() {
    let mut audio = Vec::new();
    for k in "29*".chars() {
        audio.extend(tones(frequencies(k), [0.2, 0.2], 60, 16_000));
        audio.extend(vec![0; 960]);
    }
    assert_eq!(inband(&audio, 16_000), "29*");
}

#[test]
fn moderate_twist_is_accepted_and_excessive_twist_refused() {
    let f = frequencies('8');
    // Column 6 dB above the row (normal twist), row 3 dB above the column (reverse).
    assert_eq!(inband(&tones(f, [0.1, 0.2], 100, RATE), RATE), "8");
    assert_eq!(inband(&tones(f, [0.2, 0.141], 100, RATE), RATE), "8");
    // Row 10 dB above the column: not a keypad.
    assert_eq!(inband(&tones(f, [0.3, 0.095], 100, RATE), RATE), "");
}

#[test]
fn short_bursts_quiet_tones_and_stray_tones_are_ignored() {
    let mut burst = silence(50);
    burst.extend(key('1', 15));
    burst.extend(silence(50));
    assert_eq!(inband(&burst, RATE), "", "a 15 ms burst");
    assert_eq!(
        inband(&tones(frequencies('1'), [0.005, 0.005], 200, RATE), RATE),
        ""
    );
    assert_eq!(
        inband(&tones([697.0, 0.0], [0.3, 0.0], 200, RATE), RATE),
        ""
    );
    assert_eq!(
        inband(&tones([1000.0, 1500.0], [0.2, 0.2], 200, RATE), RATE),
        ""
    );
    // Two row tones together are not a key either.
    assert_eq!(
        inband(&tones([697.0, 852.0], [0.2, 0.2], 200, RATE), RATE),
        ""
    );
}

#[test]
fn noise_and_voice_like_sounds_give_no_keys() {
    // Seeded white noise.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<i16> = (0..RATE * 2)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 48) as i16 / 4
        })
        .collect();
    assert_eq!(inband(&noise, RATE), "");
    // A buzzy vowel-like sound: 30 harmonics of a 116 Hz voice, one of them at 697 Hz.
    let voice: Vec<i16> = (0..RATE * 2)
        .map(|n| {
            let t = f64::from(n) / f64::from(RATE);
            let s: f64 = (1..=30)
                .map(|h| (std::f64::consts::TAU * 116.2 * f64::from(h) * t).sin() / f64::from(h))
                .sum();
            (s * 4000.0) as i16
        })
        .collect();
    assert_eq!(inband(&voice, RATE), "");
}

/// The packets a phone sends for one press (RFC 4733 §2.5.1): updates every 20 ms with
/// the duration so far, then the end packet three times.
fn press(event: u8, timestamp: u32, updates: u16) -> Vec<(u32, [u8; 4])> {
    let mut packets = Vec::new();
    for i in 1..=updates {
        let e = TelephoneEvent {
            event,
            end: false,
            volume: 10,
            duration: i * 160,
        };
        packets.push((timestamp, e.to_bytes()));
    }
    for _ in 0..3 {
        let e = TelephoneEvent {
            event,
            end: true,
            volume: 10,
            duration: (updates + 1) * 160,
        };
        packets.push((timestamp, e.to_bytes()));
    }
    packets
}

fn events(packets: &[(u32, [u8; 4])]) -> String {
    let mut r = EventReceiver::new();
    packets
        .iter()
        .filter_map(|(ts, p)| r.on_packet(*ts, p))
        .collect()
}

#[test]
fn each_telephone_event_press_is_one_key() {
    let mut packets = press(1, 1000, 5);
    packets.extend(press(1, 3000, 5));
    packets.extend(press(11, 5000, 3));
    packets.extend(press(10, 7000, 8));
    assert_eq!(events(&packets), "11#*");
}

#[test]
fn a_press_seen_only_by_its_end_packets_still_counts() {
    let packets: Vec<_> = press(4, 1000, 6).into_iter().skip(6).collect();
    assert_eq!(packets.len(), 3);
    assert_eq!(events(&packets), "4");
}

#[test]
fn stragglers_of_an_earlier_press_are_ignored() {
    let mut packets = press(2, 1000, 4);
    let late = packets[2];
    packets.extend(press(3, 3000, 4));
    packets.insert(9, late);
    packets.push(late);
    assert_eq!(events(&packets), "23");
}

#[test]
fn a_press_longer_than_the_duration_field_is_one_key() {
    // RFC 4733 §2.5.1.5: at 0xFFFF the sender starts a new segment at the old timestamp
    // plus the full duration.
    let mut r = EventReceiver::new();
    let update = |duration: u16, end: bool| {
        TelephoneEvent {
            event: 9,
            end,
            volume: 10,
            duration,
        }
        .to_bytes()
    };
    let mut found = String::new();
    found.extend(r.on_packet(100, &update(160, false)));
    found.extend(r.on_packet(100, &update(0xFF00, false)));
    found.extend(r.on_packet(100, &update(0xFFFF, false)));
    found.extend(r.on_packet(100 + 0xFFFF, &update(160, false)));
    found.extend(r.on_packet(100 + 0xFFFF, &update(800, true)));
    // A separate press of the same key afterwards is a new key.
    found.extend(r.on_packet(100 + 0xFFFF + 4000, &update(160, false)));
    assert_eq!(found, "99");
}

#[test]
fn malformed_and_non_digit_events_give_nothing() {
    let mut r = EventReceiver::new();
    assert_eq!(r.on_packet(1, &[]), None);
    assert_eq!(r.on_packet(1, &[5, 0]), None);
    let flash = TelephoneEvent {
        event: 16,
        end: false,
        volume: 10,
        duration: 160,
    };
    assert_eq!(r.on_packet(2, &flash.to_bytes()), None);
}

/// A phone sending each key both ways: telephone-events and the tones in its audio.
#[test]
fn a_phone_sending_both_gives_each_key_once() {
    let mut d = DtmfDetector::new(RATE);
    let mut found = String::new();
    let mut ts = 0u32;
    for (i, k) in "147".chars().enumerate() {
        let event = TelephoneEvent::event_for_digit(k).unwrap_or(0);
        let mut audio = key(k, 100);
        audio.extend(silence(100));
        let packets = press(event, ts, 5);
        for (n, frame) in audio.chunks(160).enumerate() {
            // The first key's tones reach the detector before its first event does.
            if i > 0 || n >= 3 {
                if let Some((t, p)) = packets.get(if i > 0 { n } else { n - 3 }) {
                    d.on_telephone_event(*t, p);
                }
            }
            d.on_audio(frame);
            while let Some(k) = d.poll_digit() {
                found.push(k);
            }
        }
        ts += 1600;
    }
    assert_eq!(found, "147");
}

#[test]
fn in_band_only_and_events_only_both_reach_the_detector() {
    let mut tones_only = DtmfDetector::new(RATE);
    let mut audio = key('6', 80);
    audio.extend(silence(80));
    audio.extend(key('6', 80));
    audio.extend(silence(80));
    for frame in audio.chunks(160) {
        tones_only.on_audio(frame);
    }
    let found: String = std::iter::from_fn(|| tones_only.poll_digit()).collect();
    assert_eq!(found, "66");

    let mut events_only = DtmfDetector::new(RATE);
    for (t, p) in press(0, 10, 4).iter().chain(&press(12, 2000, 4)) {
        events_only.on_telephone_event(*t, p);
        events_only.on_audio(&silence(20));
    }
    let found: String = std::iter::from_fn(|| events_only.poll_digit()).collect();
    assert_eq!(found, "0A");
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics(
        payloads in proptest::collection::vec((any::<u32>(), proptest::collection::vec(any::<u8>(), 0..8)), 0..50),
        audio in proptest::collection::vec(any::<i16>(), 0..2000),
        rate in proptest::prop_oneof![0u32..50_000, proptest::prelude::Just(u32::MAX)],
    ) {
        let mut d = DtmfDetector::new(rate);
        for (ts, p) in &payloads {
            d.on_telephone_event(*ts, p);
        }
        d.on_audio(&audio);
        let keys: Vec<char> = std::iter::from_fn(|| d.poll_digit()).collect();
        prop_assert!(keys.iter().all(|k| KEYPAD.contains(*k)));
    }
}

#[test]
fn tones_off_by_the_allowed_deviation_are_still_keys() {
    // ITU-T Q.24: frequencies within 1.5 % of nominal must be recognised.
    for k in KEYPAD.chars() {
        for factor in [0.985, 1.015] {
            let [row, column] = frequencies(k);
            let audio = tones([row * factor, column * factor], [0.2, 0.2], 100, RATE);
            assert_eq!(inband(&audio, RATE), k.to_string(), "{k} at {factor}");
        }
    }
}

#[test]
fn keys_are_heard_over_background_noise() {
    // Each tone about 12 dB above seeded white noise.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut audio = Vec::new();
    for k in "369".chars() {
        audio.extend(key(k, 80));
        audio.extend(silence(80));
    }
    for s in &mut audio {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = ((state >> 53) as i32 - 1024) * 2;
        *s = (i32::from(*s) + noise) as i16;
    }
    assert_eq!(inband(&through_g711(&audio), RATE), "369");
}
