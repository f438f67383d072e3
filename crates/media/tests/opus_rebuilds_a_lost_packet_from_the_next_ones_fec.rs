//! A lost Opus packet is rebuilt from the in-band FEC of the packet after it; without
//! that packet the decoder's own concealment fills the gap; garbage never panics.

use media::codec::{Codec, Opus};
use media::tone::{detect_tone, Tone, ToneGenerator};
use proptest::prelude::*;

const RATE: u32 = 16000;
const FRAME: usize = 320;

/// 50 packets: 500 Hz for the first 30 frames, 1200 Hz from frame 30 on, so a frame
/// guessed from the past (concealment) and one rebuilt from data (FEC) differ.
fn packets() -> Vec<Vec<u8>> {
    let mut low = ToneGenerator::new(Tone::continuous(500.0), RATE);
    let mut high = ToneGenerator::new(Tone::continuous(1200.0), RATE);
    let mut encoder = Opus::new().expect("opus");
    let mut pcm = vec![0i16; FRAME];
    (0..50)
        .map(|i| {
            if i < 30 {
                low.fill(&mut pcm);
            } else {
                high.fill(&mut pcm);
            }
            let mut payload = Vec::new();
            encoder.encode(&pcm, &mut payload);
            payload
        })
        .collect()
}

/// Decodes packets 0..=lost-1, then the frame for `lost` by `conceal`.
fn frame_for_lost(
    packets: &[Vec<u8>],
    lost: usize,
    conceal: impl Fn(&mut Opus, &[u8], &mut Vec<i16>),
) -> Vec<i16> {
    let mut decoder = Opus::new().expect("opus");
    let mut sink = Vec::new();
    for packet in &packets[..lost] {
        decoder.decode(Some(packet), &mut sink);
    }
    let mut frame = Vec::new();
    conceal(&mut decoder, &packets[lost + 1], &mut frame);
    frame
}

#[test]
fn fec_brings_back_what_concealment_cannot_guess() {
    let packets = packets();
    // The frame lost is the first at 1200 Hz (plus a little for the codec's delay).
    let lost = 31;
    let rebuilt = frame_for_lost(&packets, lost, |d, next, out| {
        d.decode_lost_before(next, out)
    });
    let guessed = frame_for_lost(&packets, lost, |d, _, out| d.decode(None, out));
    assert_eq!(rebuilt.len(), FRAME);
    assert_eq!(guessed.len(), FRAME);
    let rebuilt_1200 = detect_tone(&rebuilt, RATE, 1200.0);
    let guessed_1200 = detect_tone(&guessed, RATE, 1200.0);
    assert!(rebuilt_1200 > 0.5, "FEC frame at 1200 Hz: {rebuilt_1200}");
    assert!(
        rebuilt_1200 > guessed_1200 + 0.3,
        "FEC {rebuilt_1200} vs concealment {guessed_1200}"
    );
}

#[test]
fn concealment_continues_the_tone_then_fades() {
    let packets = packets();
    let mut decoder = Opus::new().expect("opus");
    let mut sink = Vec::new();
    for packet in &packets[..20] {
        decoder.decode(Some(packet), &mut sink);
    }
    let mut first = Vec::new();
    decoder.decode(None, &mut first);
    assert_eq!(first.len(), FRAME, "one frame of the last packet's length");
    assert!(detect_tone(&first, RATE, 500.0) > 0.8);
    let mut later = Vec::new();
    for _ in 0..10 {
        later.clear();
        decoder.decode(None, &mut later);
    }
    let energy = |s: &[i16]| s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>();
    assert!(energy(&later) < energy(&first) / 10.0);
}

#[test]
fn fec_without_a_next_packet_falls_back_to_concealment() {
    let packets = packets();
    let mut decoder = Opus::new().expect("opus");
    decoder.decode(Some(&packets[0]), &mut Vec::new());
    let mut out = Vec::new();
    decoder.decode_lost_before(&[], &mut out);
    assert_eq!(out.len(), FRAME);
}

proptest! {
    #[test]
    fn random_payloads_decode_to_some_frame_without_panicking(
        payload in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut decoder = Opus::new().expect("opus");
        let mut out = Vec::new();
        decoder.decode(Some(&payload), &mut out);
        decoder.decode_lost_before(&payload, &mut out);
        // Every call gives audio: a decoded packet or a concealment frame.
        prop_assert!(out.len() >= 2 * 40, "{}", out.len());
        prop_assert!(out.len() <= 2 * 16 * 120);
    }
}
