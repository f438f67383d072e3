//! The input level meter: peak and RMS of the last captured frame, in dBFS.
//!
//! The call side measures each 20 ms frame it hands out and stores the result in atomics,
//! so the UI (another thread) reads the level at any time without a lock and without
//! touching the real-time callback.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// The floor reported for digital silence: a 16-bit sample's smallest step is about
/// -90 dBFS, so nothing real is quieter.
pub const SILENCE_DBFS: f32 = -96.0;

/// Peak and RMS level of one frame, relative to full scale (0 dBFS = 32768).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub peak_dbfs: f32,
    pub rms_dbfs: f32,
}

impl Level {
    /// The level of a silent (or empty) frame.
    pub const SILENT: Level = Level {
        peak_dbfs: SILENCE_DBFS,
        rms_dbfs: SILENCE_DBFS,
    };

    /// Measures `frame`.
    pub fn of(frame: &[i16]) -> Level {
        if frame.is_empty() {
            return Level::SILENT;
        }
        let mut peak = 0u32;
        let mut sum_squares = 0f64;
        for &s in frame {
            peak = peak.max(u32::from(s.unsigned_abs()));
            sum_squares += f64::from(s) * f64::from(s);
        }
        let rms = (sum_squares / frame.len() as f64).sqrt();
        Level {
            peak_dbfs: to_dbfs(f64::from(peak)),
            rms_dbfs: to_dbfs(rms),
        }
    }
}

fn to_dbfs(amplitude: f64) -> f32 {
    if amplitude <= 0.0 {
        return SILENCE_DBFS;
    }
    ((20.0 * (amplitude / 32768.0).log10()) as f32).max(SILENCE_DBFS)
}

/// A shared, lock-free view of the latest [`Level`]; clones read the same meter.
#[derive(Debug, Clone)]
pub struct LevelMeter {
    /// `f32` bits of the peak and RMS levels.
    peak: Arc<AtomicU32>,
    rms: Arc<AtomicU32>,
}

impl Default for LevelMeter {
    fn default() -> Self {
        LevelMeter {
            peak: Arc::new(AtomicU32::new(SILENCE_DBFS.to_bits())),
            rms: Arc::new(AtomicU32::new(SILENCE_DBFS.to_bits())),
        }
    }
}

impl LevelMeter {
    /// The level of the last frame measured (silence before the first).
    pub fn level(&self) -> Level {
        Level {
            peak_dbfs: f32::from_bits(self.peak.load(Ordering::Relaxed)),
            rms_dbfs: f32::from_bits(self.rms.load(Ordering::Relaxed)),
        }
    }

    pub(crate) fn store(&self, level: Level) {
        self.peak
            .store(level.peak_dbfs.to_bits(), Ordering::Relaxed);
        self.rms.store(level.rms_dbfs.to_bits(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_scale_square_is_zero_dbfs_peak_and_rms() {
        let frame: Vec<i16> = (0..160)
            .map(|i| if i % 2 == 0 { i16::MAX } else { i16::MIN })
            .collect();
        let level = Level::of(&frame);
        assert!(level.peak_dbfs.abs() < 0.01, "{level:?}");
        assert!(level.rms_dbfs.abs() < 0.01, "{level:?}");
    }

    #[test]
    fn half_scale_sine_peaks_at_minus_6_and_averages_3_db_lower() {
        let frame: Vec<i16> = (0..320)
            .map(|i| (16384.0 * (std::f64::consts::TAU * i as f64 / 32.0).sin()) as i16)
            .collect();
        let level = Level::of(&frame);
        assert!((level.peak_dbfs + 6.02).abs() < 0.1, "{level:?}");
        assert!((level.rms_dbfs + 9.03).abs() < 0.1, "{level:?}");
    }

    #[test]
    fn silence_reads_as_the_floor_and_the_meter_shares_its_last_value() {
        assert_eq!(Level::of(&[0; 160]), Level::SILENT);
        assert_eq!(Level::of(&[]), Level::SILENT);
        let meter = LevelMeter::default();
        let reader = meter.clone();
        assert_eq!(reader.level(), Level::SILENT);
        meter.store(Level::of(&[1000; 160]));
        assert!((reader.level().peak_dbfs - to_dbfs(1000.0)).abs() < 1e-6);
    }
}
