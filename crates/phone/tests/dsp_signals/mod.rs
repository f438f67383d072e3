//! Test signals for the voice processing: a speech-like voice (tones whose loudness
//! rises and falls at syllable rate), white noise, and an echo path (a delay and a loss).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::f64::consts::TAU;

/// Call frames are 20 ms.
pub fn frame_len(rate: u32) -> usize {
    rate as usize / 50
}

/// A few harmonics of a pitch, loudness swinging at 4 Hz like syllables, at `peak` of
/// full scale.
pub struct Voice {
    rate: f64,
    pitch: f64,
    peak: f64,
    n: u64,
}

impl Voice {
    pub fn new(rate: u32, pitch: f64, peak: f64) -> Self {
        Voice {
            rate: f64::from(rate),
            pitch,
            peak,
            n: 0,
        }
    }

    pub fn frame(&mut self, len: usize) -> Vec<i16> {
        (0..len)
            .map(|_| {
                let t = self.n as f64 / self.rate;
                self.n += 1;
                let envelope = 0.55 + 0.45 * (TAU * 4.0 * t).sin();
                let mut x = 0.0;
                for (k, weight) in [(1.0, 1.0), (2.0, 0.6), (3.0, 0.4), (5.0, 0.25)] {
                    x += weight * (TAU * self.pitch * k * t).sin();
                }
                (x / 2.25 * envelope * self.peak * 32767.0) as i16
            })
            .collect()
    }
}

/// Uniform white noise from a fixed seed (xorshift), at `peak` of full scale.
pub struct Noise {
    state: u64,
    peak: f64,
}

impl Noise {
    pub fn new(seed: u64, peak: f64) -> Self {
        Noise {
            state: seed | 1,
            peak,
        }
    }

    pub fn frame(&mut self, len: usize) -> Vec<i16> {
        (0..len)
            .map(|_| {
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                let unit = (self.state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
                (unit * self.peak * 32767.0) as i16
            })
            .collect()
    }
}

/// The room between the speaker and the microphone: what is played comes back
/// `delay_ms` later, `loss_db` quieter.
pub struct EchoPath {
    line: VecDeque<i16>,
    gain: f64,
}

impl EchoPath {
    pub fn new(rate: u32, delay_ms: u32, loss_db: f64) -> Self {
        let delay = (rate * delay_ms / 1000) as usize;
        EchoPath {
            line: std::iter::repeat_n(0, delay).collect(),
            gain: 10f64.powf(-loss_db / 20.0),
        }
    }

    /// Plays `frame`, returns what the microphone picks up of the speaker now.
    pub fn play(&mut self, frame: &[i16]) -> Vec<i16> {
        self.line.extend(frame.iter().copied());
        (0..frame.len())
            .map(|_| (f64::from(self.line.pop_front().unwrap_or(0)) * self.gain) as i16)
            .collect()
    }
}

/// Adds two signals sample by sample.
pub fn mix(a: &[i16], b: &[i16]) -> Vec<i16> {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| x.saturating_add(y))
        .collect()
}

/// Energy in dB (relative to one LSB²), of a whole stretch of samples.
pub fn energy_db(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    10.0 * (sum / samples.len().max(1) as f64 + 1e-9).log10()
}
