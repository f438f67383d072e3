//! The 24-tap quadrature mirror filters of G.722, transmit and receive:
//! 16 kHz audio split into a 0–4 kHz and a 4–8 kHz band at 8 kHz each, and joined again.
//!
//! Both keep the last 24 values in `history`, oldest first, two new ones per step, so
//! even and odd slots hold the two polyphase branches. The odd taps are the even ones
//! reversed (the filter is symmetric), which is why one coefficient table serves.

use super::band::saturate;
use super::tables::QMF_EVEN;

/// Splits pairs of 16 kHz samples into one lower and one higher band sample.
#[derive(Debug, Clone, Default)]
pub(super) struct Analysis {
    history: [i32; 24],
}

impl Analysis {
    /// Takes the samples x(j-1), x(j) and gives (xL, xH) at 15-bit scale.
    pub(super) fn split(&mut self, first: i16, second: i16) -> (i32, i32) {
        self.history.copy_within(2.., 0);
        self.history[22] = i32::from(first);
        self.history[23] = i32::from(second);
        // xA = Σ h(2i)·x(j-2i) over the newest-first odd slots, xB = Σ h(2i+1)·x(j-2i-1)
        // over the even slots; the sum is the lower band, the difference the higher.
        let mut xa = 0i32;
        let mut xb = 0i32;
        for i in 0..12 {
            xb += self.history[2 * i] * QMF_EVEN[i];
            xa += self.history[2 * i + 1] * QMF_EVEN[11 - i];
        }
        ((xa + xb) >> 14, (xa - xb) >> 14)
    }
}

/// Joins one lower and one higher band sample into two 16 kHz samples.
#[derive(Debug, Clone, Default)]
pub(super) struct Synthesis {
    history: [i32; 24],
}

impl Synthesis {
    /// Takes rL, rH and gives xout(j), xout(j+1).
    pub(super) fn join(&mut self, low: i32, high: i32) -> (i16, i16) {
        self.history.copy_within(2.., 0);
        // Even slots hold xs = rL + rH, odd slots xd = rL - rH.
        self.history[22] = low + high;
        self.history[23] = low - high;
        let mut first = 0i32;
        let mut second = 0i32;
        for i in 0..12 {
            second += self.history[2 * i] * QMF_EVEN[i];
            first += self.history[2 * i + 1] * QMF_EVEN[11 - i];
        }
        // ×2 for the interpolation, ÷2^13 for the coefficient scale.
        (saturate(first >> 11) as i16, saturate(second >> 11) as i16)
    }
}
