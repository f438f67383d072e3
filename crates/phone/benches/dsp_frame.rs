//! Cost of the microphone's voice processing for one 20 ms call frame: the far end's
//! frame taken as the echo reference, then the microphone's frame processed, with every
//! feature on (echo cancellation, noise suppression, automatic gain), at each call rate.
//! The echo path is a 60 ms delay, 10 dB down, with a near-end voice over it.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use phone::dsp::{DspSettings, VoiceProcessor};

/// A voice-like frame: a few harmonics of `pitch`, starting at sample `n`.
fn voice(rate: u32, pitch: f64, n: usize, len: usize, peak: f64) -> Vec<i16> {
    (n..n + len)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            let x: f64 = [1.0, 2.0, 3.0]
                .iter()
                .map(|k| (std::f64::consts::TAU * pitch * k * t).sin())
                .sum();
            (x / 3.0 * peak * 32767.0) as i16
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for (rate, name) in [(8_000u32, "8k"), (16_000, "16k"), (48_000, "48k")] {
        let len = rate as usize / 50;
        // One second of frames, cycled, so the processor sees a changing signal.
        let frames = 50;
        let far: Vec<Vec<i16>> = (0..frames)
            .map(|f| voice(rate, 180.0, f * len, len, 0.4))
            .collect();
        let delay = rate as usize * 60 / 1000;
        let mic: Vec<Vec<i16>> = (0..frames)
            .map(|f| {
                let start = (f * len + frames * len - delay) % (frames * len);
                let echo = voice(rate, 180.0, start, len, 0.4 / 3.16);
                let near = voice(rate, 260.0, f * len, len, 0.1);
                echo.iter().zip(&near).map(|(a, b)| a + b).collect()
            })
            .collect();
        let mut dsp = VoiceProcessor::new(rate, DspSettings::default()).expect("processor");
        // Let the canceller converge before timing.
        for i in 0..500 {
            dsp.render(&far[i % frames]);
            let mut frame = mic[i % frames].clone();
            dsp.capture(&mut frame);
        }
        let mut i = 0;
        let mut frame = vec![0i16; len];
        c.bench_function(&format!("voice_processing_20ms_frame_{name}"), |b| {
            b.iter(|| {
                dsp.render(black_box(&far[i % frames]));
                frame.copy_from_slice(&mic[i % frames]);
                dsp.capture(black_box(&mut frame));
                i += 1;
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
