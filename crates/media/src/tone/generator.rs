//! Sine and dual-tone generators with on/off cadences (ITU-T E.180 / national plans).

use std::f64::consts::TAU;

/// On/off timing of a tone in milliseconds; `off_ms == 0` means a continuous tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub on_ms: u32,
    pub off_ms: u32,
}

/// A tone: one or two frequencies, a level and a cadence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tone {
    /// Frequencies in Hz; a second of 0.0 means a single tone.
    pub frequencies: [f64; 2],
    /// Peak amplitude of each component, as a fraction of full scale.
    pub amplitude: f64,
    pub cadence: Cadence,
}

/// Per-component level of the presets: about -13 dBm0 each, so two together stay
/// well clear of G.711 clipping.
const LEVEL: f64 = 0.2;

impl Tone {
    /// Ringback in most of Europe (ITU-T E.180 Annex): 425 Hz, 1 s on, 4 s off.
    pub fn ringback_europe() -> Self {
        Tone::cadenced([425.0, 0.0], 1000, 4000)
    }

    /// North American ringback: 440 + 480 Hz, 2 s on, 4 s off.
    pub fn ringback_north_america() -> Self {
        Tone::cadenced([440.0, 480.0], 2000, 4000)
    }

    /// European busy: 425 Hz, 0.5 s on, 0.5 s off.
    pub fn busy_europe() -> Self {
        Tone::cadenced([425.0, 0.0], 500, 500)
    }

    /// North American busy: 480 + 620 Hz, 0.5 s on, 0.5 s off.
    pub fn busy_north_america() -> Self {
        Tone::cadenced([480.0, 620.0], 500, 500)
    }

    /// A continuous single tone, e.g. a test tone.
    pub fn continuous(frequency: f64) -> Self {
        Tone::cadenced([frequency, 0.0], 1000, 0)
    }

    fn cadenced(frequencies: [f64; 2], on_ms: u32, off_ms: u32) -> Self {
        Tone {
            frequencies,
            amplitude: LEVEL,
            cadence: Cadence { on_ms, off_ms },
        }
    }
}

/// Produces a tone's samples frame after frame without phase jumps.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    tone: Tone,
    sample_rate: u32,
    /// Samples produced so far; phase and cadence position both derive from it, so
    /// long runs do not accumulate floating-point drift.
    position: u64,
}

impl ToneGenerator {
    pub fn new(tone: Tone, sample_rate: u32) -> Self {
        ToneGenerator {
            tone,
            sample_rate: sample_rate.max(1),
            position: 0,
        }
    }

    /// Fills `out` with the next samples.
    pub fn fill(&mut self, out: &mut [i16]) {
        let rate = u64::from(self.sample_rate);
        let on = u64::from(self.tone.cadence.on_ms) * rate / 1000;
        let period = on + u64::from(self.tone.cadence.off_ms) * rate / 1000;
        for sample in out.iter_mut() {
            let sounding = period == 0 || on == period || self.position % period < on;
            *sample = if sounding {
                self.value_at(self.position)
            } else {
                0
            };
            self.position += 1;
        }
    }

    fn value_at(&self, position: u64) -> i16 {
        let rate = f64::from(self.sample_rate);
        let sum: f64 = self
            .tone
            .frequencies
            .iter()
            .filter(|f| **f > 0.0)
            .map(|f| {
                // Only the fractional cycle matters for the phase.
                let cycles = (position as f64 * f / rate).fract();
                (TAU * cycles).sin()
            })
            .sum();
        let value = sum * self.tone.amplitude * f64::from(i16::MAX);
        value.clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
    }
}
