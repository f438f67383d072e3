//! The Goertzel algorithm: the power of one DFT bin, in O(n) with two state variables.

use std::f64::consts::TAU;

/// The share of the signal's energy that sits at `frequency`, from 0.0 to about 1.0.
///
/// A pure sine at `frequency` gives close to 1.0, each half of an equal dual tone about
/// 0.5, silence or other frequencies close to 0. The block should span many periods
/// (e.g. 20 ms or more) for the bin to be narrow.
pub fn detect_tone(samples: &[i16], sample_rate: u32, frequency: f64) -> f64 {
    let n = samples.len();
    if n == 0 || sample_rate == 0 {
        return 0.0;
    }
    let coefficient = 2.0 * (TAU * frequency / f64::from(sample_rate)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut energy = 0.0f64;
    for &sample in samples {
        let x = f64::from(sample);
        energy += x * x;
        let s0 = x + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    if energy == 0.0 {
        return 0.0;
    }
    let bin_power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    // For a sine of amplitude A over n samples, |X|² = (A·n/2)² and Σx² = A²·n/2, so
    // this ratio is 1 for a pure tone at the bin.
    2.0 * bin_power / (n as f64 * energy)
}
