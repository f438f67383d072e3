//! Offline sample-rate conversion for whole clips (uploads, prompts), any ratio.
//!
//! Uploaded audio arrives at 44.1 kHz, 48 kHz, 22.05 kHz or anything else, and the PBX
//! plays 8 or 16 kHz. This runs once per file, not per call, so it favours quality and
//! simplicity over speed: a windowed-sinc interpolator whose low-pass sits just under
//! the lower of the two Nyquist frequencies, so nothing above 4 kHz folds back into an
//! 8 kHz prompt. The real-time path resamples with fixed-ratio converters elsewhere.

use std::f64::consts::PI;

/// Zero crossings of the sinc on each side of the centre; 16 gives a stop band well
/// below what 16-bit telephony can carry.
const ZERO_CROSSINGS: usize = 16;
/// Kernel table entries per zero crossing; values in between are interpolated linearly.
const TABLE_RESOLUTION: usize = 256;
/// Pass band as a share of the lower Nyquist frequency: the remaining 8 % is the
/// transition band, so the stop band starts right at Nyquist.
const ROLLOFF: f64 = 0.92;

/// Converts `input` from `from` Hz to `to` Hz. Either rate being zero gives no samples.
pub(crate) fn resample(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == 0 || to == 0 || input.is_empty() {
        return Vec::new();
    }
    if from == to {
        return input.to_vec();
    }
    let kernel = kernel_table();
    // Below 1 when downsampling: the kernel widens to cut at the output's Nyquist.
    let scale = (f64::from(to) / f64::from(from)).min(1.0);
    let reach = ZERO_CROSSINGS as f64 / scale;
    let out_len = (input.len() as u64 * u64::from(to) / u64::from(from)) as usize;
    let mut out = Vec::with_capacity(out_len);
    let last = input.len() as i64 - 1;
    for n in 0..out_len as u64 {
        // Position of output sample n on the input's time axis, in input samples.
        let whole = n * u64::from(from) / u64::from(to);
        let fraction = (n * u64::from(from) % u64::from(to)) as f64 / f64::from(to);
        let centre = whole as f64 + fraction;
        let first = ((centre - reach).ceil() as i64).max(0);
        let end = ((centre + reach).floor() as i64).min(last);
        let (mut sum, mut weights) = (0.0f64, 0.0f64);
        for i in first..=end {
            let weight = kernel_at(&kernel, (i as f64 - centre).abs() * scale);
            if let Some(&x) = input.get(i as usize) {
                sum += f64::from(x) * weight;
                weights += weight;
            }
        }
        // Dividing by the weights keeps unity gain at DC, also at the clip's edges where
        // the kernel is cut short.
        out.push(if weights > 0.0 {
            (sum / weights) as f32
        } else {
            0.0
        });
    }
    out
}

/// One side of the windowed sinc, sampled at `TABLE_RESOLUTION` points per zero crossing.
fn kernel_table() -> Vec<f64> {
    let len = ZERO_CROSSINGS * TABLE_RESOLUTION + 2;
    (0..len)
        .map(|k| {
            let x = k as f64 / TABLE_RESOLUTION as f64;
            if x >= ZERO_CROSSINGS as f64 {
                return 0.0;
            }
            let sinc = if x == 0.0 {
                1.0
            } else {
                (PI * ROLLOFF * x).sin() / (PI * ROLLOFF * x)
            };
            sinc * blackman(x / ZERO_CROSSINGS as f64)
        })
        .collect()
}

/// The Blackman window on one side, `t` from 0 (centre) to 1 (edge).
fn blackman(t: f64) -> f64 {
    let phase = PI * (1.0 + t);
    0.42 - 0.5 * phase.cos() + 0.08 * (2.0 * phase).cos()
}

/// The kernel at distance `x` (in zero crossings), linearly interpolated.
fn kernel_at(table: &[f64], x: f64) -> f64 {
    let position = x * TABLE_RESOLUTION as f64;
    let index = position as usize;
    let fraction = position - index as f64;
    match (table.get(index), table.get(index + 1)) {
        (Some(a), Some(b)) => a + (b - a) * fraction,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(frequency: f64, rate: u32, seconds: f64) -> Vec<f32> {
        let n = (f64::from(rate) * seconds) as usize;
        (0..n)
            .map(|i| (0.5 * (2.0 * PI * frequency * i as f64 / f64::from(rate)).sin()) as f32)
            .collect()
    }

    fn rms(samples: &[f32]) -> f64 {
        let sum: f64 = samples.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
        (sum / samples.len().max(1) as f64).sqrt()
    }

    #[test]
    fn length_follows_the_ratio() {
        let input = vec![0.0f32; 44_100];
        assert_eq!(resample(&input, 44_100, 16_000).len(), 16_000);
        assert_eq!(resample(&input, 44_100, 8_000).len(), 8_000);
        assert_eq!(resample(&input[..11_025], 11_025, 16_000).len(), 16_000);
    }

    #[test]
    fn a_tone_in_the_pass_band_keeps_its_level() {
        let out = resample(&sine(1000.0, 44_100, 0.5), 44_100, 8_000);
        // Skip the edges, where the kernel is cut short.
        let middle = &out[400..out.len() - 400];
        let level = rms(middle);
        assert!((level - 0.5 / 2f64.sqrt()).abs() < 0.01, "rms {level}");
    }

    #[test]
    fn a_tone_above_the_new_nyquist_is_removed() {
        // 6 kHz would alias to 2 kHz at 8 kHz without the low-pass.
        let out = resample(&sine(6000.0, 48_000, 0.5), 48_000, 8_000);
        let middle = &out[400..out.len() - 400];
        assert!(rms(middle) < 0.005, "rms {}", rms(middle));
    }

    #[test]
    fn zero_rates_and_empty_input_give_nothing() {
        assert!(resample(&[1.0], 0, 8000).is_empty());
        assert!(resample(&[1.0], 8000, 0).is_empty());
        assert!(resample(&[], 8000, 16000).is_empty());
    }
}
