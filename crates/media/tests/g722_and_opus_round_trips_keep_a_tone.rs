//! A tone coded and decoded again is still that tone, at about the same level: 1 kHz
//! (G.722's lower band, and Opus wideband) and 6 kHz (G.722's higher band).

use media::codec::{Codec, Opus, OpusConfig, G722};
use media::tone::{detect_tone, Tone, ToneGenerator};

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

fn level_change_db(input: &[i16], output: &[i16]) -> f64 {
    20.0 * (rms(output) / rms(input)).log10()
}

/// One second of `frequency` through `codec` in 20 ms frames; returns input and output.
fn round_trip(codec: &mut dyn Codec, frequency: f64) -> (Vec<i16>, Vec<i16>) {
    let rate = codec.sample_rate();
    let frame = (rate / 50) as usize;
    let mut generator = ToneGenerator::new(Tone::continuous(frequency), rate);
    let mut input = vec![0i16; rate as usize];
    generator.fill(&mut input);
    let mut output = Vec::new();
    let mut payload = Vec::new();
    for chunk in input.chunks(frame) {
        payload.clear();
        codec.encode(chunk, &mut payload);
        assert!(!payload.is_empty(), "{} gave no payload", codec.name());
        codec.decode(Some(&payload), &mut output);
    }
    (input, output)
}

/// The steady part: the second half, past the codec's start-up and delay.
fn steady(samples: &[i16]) -> &[i16] {
    &samples[samples.len() / 2..]
}

#[test]
fn g722_keeps_a_low_band_tone() {
    let (input, output) = round_trip(&mut G722::new(), 1000.0);
    assert_eq!(output.len(), input.len());
    let out = steady(&output);
    assert!(detect_tone(out, 16000, 1000.0) > 0.95);
    assert!(level_change_db(steady(&input), out).abs() < 1.0);
}

#[test]
fn g722_keeps_a_high_band_tone() {
    let (input, output) = round_trip(&mut G722::new(), 6000.0);
    let out = steady(&output);
    assert!(detect_tone(out, 16000, 6000.0) > 0.9);
    // Not folded into the lower band by the QMF.
    assert!(detect_tone(out, 16000, 2000.0) < 0.05);
    assert!(level_change_db(steady(&input), out).abs() < 2.0);
}

#[test]
fn g722_payload_is_one_octet_per_two_samples() {
    let mut codec = G722::new();
    let mut payload = Vec::new();
    codec.encode(&[0i16; 320], &mut payload);
    assert_eq!(payload.len(), 160);
    let mut pcm = Vec::new();
    codec.decode(Some(&payload), &mut pcm);
    assert_eq!(pcm.len(), 320);
    assert_eq!((codec.clock_rate(), codec.sample_rate()), (8000, 16000));
    assert_eq!(codec.static_payload_type(), Some(9));
}

#[test]
fn g722_conceals_a_loss_with_a_frame_of_the_last_length() {
    let mut codec = G722::new();
    let mut none_yet = Vec::new();
    codec.decode(None, &mut none_yet);
    assert_eq!(none_yet.len(), 320, "20 ms at 16 kHz before any packet");
    let (_, _) = round_trip(&mut codec, 1000.0);
    let mut concealed = Vec::new();
    codec.decode(None, &mut concealed);
    assert_eq!(concealed.len(), 320);
    assert!(detect_tone(&concealed, 16000, 1000.0) > 0.9);
}

#[test]
fn opus_keeps_a_wideband_tone() {
    let mut codec = Opus::new().expect("opus");
    let (input, output) = round_trip(&mut codec, 1000.0);
    assert_eq!(output.len(), input.len());
    let out = steady(&output);
    assert!(detect_tone(out, 16000, 1000.0) > 0.9);
    assert!(level_change_db(steady(&input), out).abs() < 3.0);
    assert_eq!(codec.clock_rate(), 48000, "RFC 7587: always a 48 kHz clock");
    assert_eq!(codec.sample_rate(), 16000);
}

#[test]
fn opus_keeps_a_tone_above_narrowband() {
    // 6 kHz only survives if the encoder really codes wideband.
    let mut codec = Opus::new().expect("opus");
    let (input, output) = round_trip(&mut codec, 6000.0);
    let out = steady(&output);
    assert!(detect_tone(out, 16000, 6000.0) > 0.8);
    assert!(level_change_db(steady(&input), out).abs() < 3.0);
}

#[test]
fn opus_works_at_narrowband_too() {
    let config = OpusConfig {
        sample_rate: 8000,
        ..OpusConfig::default()
    };
    let mut codec = Opus::with_config(config).expect("opus");
    let (input, output) = round_trip(&mut codec, 440.0);
    let out = steady(&output);
    assert_eq!(output.len(), input.len());
    assert!(detect_tone(out, 8000, 440.0) > 0.9);
}

#[test]
fn opus_refuses_a_rate_it_does_not_have() {
    let config = OpusConfig {
        sample_rate: 44100,
        ..OpusConfig::default()
    };
    assert!(Opus::with_config(config).is_err());
}
