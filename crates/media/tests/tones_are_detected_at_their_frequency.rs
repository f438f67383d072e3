//! The tone generator and the Goertzel detector agree with each other and with silence.

use media::codec::{ulaw_decode, ulaw_encode};
use media::tone::{detect_tone, Tone, ToneGenerator};

const RATE: u32 = 8000;

fn samples(tone: Tone, n: usize) -> Vec<i16> {
    let mut out = vec![0; n];
    ToneGenerator::new(tone, RATE).fill(&mut out);
    out
}

#[test]
fn single_tone_is_found_at_its_frequency_only() {
    let s = samples(Tone::continuous(425.0), 1600);
    assert!(detect_tone(&s, RATE, 425.0) > 0.9);
    assert!(detect_tone(&s, RATE, 1000.0) < 0.01);
    assert!(detect_tone(&s, RATE, 480.0) < 0.05);
}

#[test]
fn dual_tone_shares_its_energy_between_both_frequencies() {
    let s = samples(Tone::ringback_north_america(), 1600);
    let (low, high) = (detect_tone(&s, RATE, 440.0), detect_tone(&s, RATE, 480.0));
    assert!(low > 0.4 && high > 0.4, "{low} {high}");
    assert!(detect_tone(&s, RATE, 620.0) < 0.05);
}

#[test]
fn cadence_switches_between_tone_and_silence() {
    // Busy: 0.5 s on, 0.5 s off.
    let s = samples(Tone::busy_europe(), 8000);
    let on = &s[..4000];
    let off = &s[4000..];
    assert!(detect_tone(on, RATE, 425.0) > 0.9);
    assert!(off.iter().all(|x| *x == 0));
    // Ringback: 1 s on, 4 s off; the tone resumes at 5 s.
    let r = samples(Tone::ringback_europe(), 5 * 8000 + 800);
    assert!(r[8000..40000].iter().all(|x| *x == 0));
    assert!(detect_tone(&r[40000..], RATE, 425.0) > 0.9);
}

#[test]
fn frames_join_without_a_phase_jump() {
    let whole = samples(Tone::continuous(1000.0), 480);
    let mut generator = ToneGenerator::new(Tone::continuous(1000.0), RATE);
    let mut pieces = vec![0; 480];
    for chunk in pieces.chunks_mut(160) {
        generator.fill(chunk);
    }
    assert_eq!(whole, pieces);
}

#[test]
fn tone_survives_g711() {
    let s = samples(Tone::continuous(1004.0), 1600);
    let through: Vec<i16> = s.iter().map(|x| ulaw_decode(ulaw_encode(*x))).collect();
    assert!(detect_tone(&through, RATE, 1004.0) > 0.9);
}

#[test]
fn silence_and_empty_input_detect_nothing() {
    assert_eq!(detect_tone(&[0; 800], RATE, 425.0), 0.0);
    assert_eq!(detect_tone(&[], RATE, 425.0), 0.0);
}
