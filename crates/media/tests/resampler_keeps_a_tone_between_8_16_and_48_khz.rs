//! Resampling between the codecs' rates keeps a tone's frequency and level and turns
//! every 20 ms in into 20 ms out, however the input is cut.

use media::codec::Resampler;
use media::tone::{detect_tone, Tone, ToneGenerator};

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

#[test]
fn every_pair_of_rates_keeps_a_tone() {
    for (from, to) in [
        (8000, 16000),
        (16000, 8000),
        (8000, 48000),
        (48000, 8000),
        (16000, 48000),
        (48000, 16000),
        (16000, 16000),
    ] {
        let mut resampler = Resampler::new(from, to, 20).expect("resampler");
        assert_eq!(resampler.input_chunk(), from as usize / 50);
        assert_eq!(resampler.output_chunk(), to as usize / 50);
        let mut input = vec![0i16; from as usize];
        ToneGenerator::new(Tone::continuous(1000.0), from).fill(&mut input);
        let mut output = Vec::new();
        // Uneven pieces (7 ms) to exercise the gathering of whole chunks.
        for piece in input.chunks(from as usize * 7 / 1000) {
            resampler.process(piece, &mut output);
        }
        assert_eq!(output.len(), to as usize, "{from} -> {to}");
        let steady = &output[output.len() / 4..];
        assert!(detect_tone(steady, to, 1000.0) > 0.95, "{from} -> {to}");
        let change = 20.0 * (rms(steady) / rms(&input)).log10();
        assert!(change.abs() < 0.5, "{from} -> {to}: {change:.2} dB");
    }
}

#[test]
fn downsampling_removes_what_the_lower_rate_cannot_carry() {
    // 6 kHz at 16 kHz must not fold back to 2 kHz at 8 kHz.
    let mut resampler = Resampler::new(16000, 8000, 20).expect("resampler");
    let mut input = vec![0i16; 16000];
    ToneGenerator::new(Tone::continuous(6000.0), 16000).fill(&mut input);
    let mut output = Vec::new();
    resampler.process(&input, &mut output);
    let steady = &output[output.len() / 4..];
    assert!(rms(steady) < rms(&input) / 30.0, "{}", rms(steady));
}

#[test]
fn rates_of_zero_are_refused() {
    assert!(Resampler::new(0, 8000, 20).is_err());
    assert!(Resampler::new(8000, 0, 20).is_err());
    assert!(Resampler::new(8000, 16000, 0).is_err());
}
