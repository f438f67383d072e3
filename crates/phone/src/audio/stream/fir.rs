//! A low-delay resampler for the integer ratios between a 48 kHz device and an 8 or
//! 16 kHz call (6 and 3): a linear-phase FIR low-pass (a Kaiser-windowed sinc) run
//! polyphase, so it delays by half its length, about 1.5 ms at 16 kHz, where an FFT
//! resampler delays by half its block (5 ms for 10 ms blocks). Works sample by sample:
//! any input length gives every output sample it determines, at once.
//!
//! The filter passes the call's voice band and cuts above its Nyquist frequency: its
//! -6 dB point is 95 % of it (7.6 kHz at 16 kHz, 3.8 kHz at 8 kHz) with a transition of
//! about a fifth of it and some 60 dB of stop-band attenuation, which folds nothing
//! audible back into the band when decimating.

use std::f64::consts::PI;

/// Kaiser window β for about 60 dB of stop-band attenuation.
const BETA: f64 = 5.65;
/// -6 dB point as a share of the lower rate's Nyquist frequency.
const CUTOFF: f64 = 0.95;
/// Transition width as a share of the lower rate's Nyquist frequency.
const TRANSITION: f64 = 0.2;

/// Which way the rate changes, by an integer factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// From a rate `factor` times the target's: filter, keep every `factor`th sample.
    Down,
    /// To a rate `factor` times the source's: each input sample gives `factor` outputs.
    Up,
}

#[derive(Debug, Clone)]
pub(super) struct Fir {
    way: Way,
    factor: usize,
    /// Filter taps at the higher rate; odd length, symmetric.
    taps: Vec<f32>,
    /// The last `taps.len()` input samples (down) or `taps.len() / factor + 1` (up),
    /// newest last, in a buffer twice as long so a window is always contiguous.
    history: Vec<f32>,
    /// Samples held in `history`'s window; the window ends at `end`.
    window: usize,
    end: usize,
    /// Down: input samples since the last output (outputs fall on input samples
    /// 0, `factor`, 2·`factor`…, so an impulse comes out exactly `delay` late).
    phase: usize,
}

impl Fir {
    /// A resampler from `from` to `to` Hz when one is a whole multiple (2 to 12) of
    /// the other; `None` otherwise (or for equal rates).
    pub(super) fn new(from: u32, to: u32) -> Option<Self> {
        let (way, factor, low) = if from > to && from.is_multiple_of(to) {
            (Way::Down, from / to, to)
        } else if to > from && to.is_multiple_of(from) {
            (Way::Up, to / from, from)
        } else {
            return None;
        };
        let factor = factor as usize;
        if !(2..=12).contains(&factor) {
            return None;
        }
        let high = f64::from(low) * factor as f64;
        let nyquist = f64::from(low) / 2.0;
        // Kaiser's estimate of the length for the attenuation and transition asked.
        let width = TRANSITION * nyquist / high;
        let estimate = ((60.0 - 7.95) / (14.36 * width)).ceil() as usize;
        // Half a filter of whole output periods, so the delay is a whole number of
        // output samples when decimating.
        let half = (estimate / 2).div_ceil(factor) * factor;
        let len = 2 * half + 1;
        let fc = CUTOFF * nyquist / high;
        let mid = (len / 2) as f64;
        let i0_beta = bessel_i0(BETA);
        let gain = match way {
            Way::Down => 1.0,
            // Zero-stuffing spreads each sample's energy over `factor` outputs.
            Way::Up => factor as f64,
        };
        let taps = (0..len)
            .map(|n| {
                let x = n as f64 - mid;
                let sinc = if x == 0.0 {
                    2.0 * fc
                } else {
                    (2.0 * PI * fc * x).sin() / (PI * x)
                };
                let r = x / mid;
                let w = bessel_i0(BETA * (1.0 - r * r).max(0.0).sqrt()) / i0_beta;
                (sinc * w * gain) as f32
            })
            .collect::<Vec<_>>();
        let window = match way {
            Way::Down => len,
            Way::Up => len.div_ceil(factor),
        };
        Some(Fir {
            way,
            factor,
            taps,
            history: vec![0.0; window * 2],
            window,
            end: window,
            phase: factor - 1,
        })
    }

    /// Output samples by which the resampled signal lags the input: half the filter.
    pub(super) fn delay(&self) -> usize {
        let half = self.taps.len() / 2;
        match self.way {
            Way::Down => half / self.factor,
            Way::Up => half,
        }
    }

    /// Resamples `pcm`, appending to `out` every output sample it completes.
    pub(super) fn process(&mut self, pcm: &[i16], out: &mut Vec<i16>) {
        for &s in pcm {
            self.push(f32::from(s) / 32768.0);
            match self.way {
                Way::Down => {
                    self.phase += 1;
                    if self.phase == self.factor {
                        self.phase = 0;
                        out.push(to_i16(self.dot(0, 1)));
                    }
                }
                Way::Up => {
                    for p in 0..self.factor {
                        out.push(to_i16(self.dot(p, self.factor)));
                    }
                }
            }
        }
    }

    fn push(&mut self, sample: f32) {
        if self.end == self.history.len() {
            // Slide the window back to the start of the buffer: one copy per window.
            self.history.copy_within(self.end - self.window.., 0);
            self.end = self.window;
        }
        if let Some(slot) = self.history.get_mut(self.end) {
            *slot = sample;
        }
        self.end += 1;
    }

    /// Σ taps[first + k·step] · x[newest - k]: the output for phase `first`.
    fn dot(&self, first: usize, step: usize) -> f32 {
        let recent = self.history.get(..self.end).unwrap_or_default();
        self.taps
            .iter()
            .skip(first)
            .step_by(step)
            .zip(recent.iter().rev())
            .map(|(t, x)| t * x)
            .sum()
    }
}

fn to_i16(x: f32) -> i16 {
    (x * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

/// The modified Bessel function of the first kind, order zero (for the Kaiser window).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..50 {
        term *= half / k as f64;
        let t2 = term * term;
        sum += t2;
        if t2 < sum * 1e-12 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f64, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| ((i as f64 * hz / f64::from(rate) * 2.0 * PI).sin() * 10_000.0) as i16)
            .collect()
    }

    fn rms(x: &[i16]) -> f64 {
        (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
    }

    /// Runs `input` through in uneven pieces, as a device's buffers come.
    fn run(fir: &mut Fir, input: &[i16]) -> Vec<i16> {
        let mut out = Vec::new();
        for piece in input.chunks(137) {
            fir.process(piece, &mut out);
        }
        out
    }

    #[test]
    fn voice_passes_both_ways_at_the_right_length() {
        for (from, to) in [
            (48_000, 16_000),
            (48_000, 8_000),
            (16_000, 48_000),
            (8_000, 48_000),
        ] {
            let mut fir = Fir::new(from, to).expect("integer ratio");
            let input = tone(from, 1000.0, from as usize / 2);
            let out = run(&mut fir, &input);
            assert_eq!(out.len(), input.len() * to as usize / from as usize);
            let settled = out.get(out.len() / 4..).unwrap_or_default();
            let ratio = rms(settled) / rms(&input);
            assert!((ratio - 1.0).abs() < 0.03, "{from}->{to}: gain {ratio}");
        }
    }

    #[test]
    fn what_lies_above_the_lower_rates_band_is_cut_when_decimating() {
        let mut fir = Fir::new(48_000, 16_000).expect("integer ratio");
        let out = run(&mut fir, &tone(48_000, 10_000.0, 24_000));
        let settled = out.get(out.len() / 4..).unwrap_or_default();
        // 10 kHz would fold to 6 kHz, in the band: it must be 50 dB down.
        assert!(
            rms(settled) < 10_000.0 / 2f64.sqrt() / 316.0,
            "{}",
            rms(settled)
        );
    }

    #[test]
    fn the_delay_reported_is_where_an_impulse_comes_out() {
        for (from, to) in [(48_000, 16_000), (16_000, 48_000), (8_000, 48_000)] {
            let mut fir = Fir::new(from, to).expect("integer ratio");
            let mut input = vec![0i16; from as usize / 10];
            input[0] = 30_000;
            let out = run(&mut fir, &input);
            let peak = out
                .iter()
                .enumerate()
                .max_by_key(|(_, s)| s.unsigned_abs())
                .map(|(i, _)| i);
            assert_eq!(peak, Some(fir.delay()), "{from}->{to}");
            // About 1.5 ms at 16 kHz and 3 ms at 8 kHz: well below the 5 ms of an FFT
            // resampler on 10 ms blocks.
            assert!(fir.delay() as u32 * 1000 / to <= 3, "{}", fir.delay());
        }
    }

    #[test]
    fn other_ratios_are_left_to_the_general_resampler() {
        assert!(Fir::new(44_100, 16_000).is_none());
        assert!(Fir::new(16_000, 16_000).is_none());
        assert!(Fir::new(48_000, 1_000).is_none());
    }
}
