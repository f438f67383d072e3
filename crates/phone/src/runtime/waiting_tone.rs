//! The call-waiting tone mixed into the call one is talking on while another call rings:
//! a 440 Hz beep of 300 ms, again every 5 s (the North American call-waiting tone,
//! repeated more often so it is not missed), quiet enough to talk over.

use std::f32::consts::TAU;

const HZ: f32 = 440.0;
const ON_MS: u32 = 300;
const PERIOD_MS: u32 = 5_000;
/// About -16 dBFS: heard over the voice, not louder than it.
const AMPLITUDE: f32 = 5_000.0;

/// Where the tone is in its cadence; reset when it starts again.
#[derive(Debug, Default)]
pub(super) struct WaitingTone {
    on: bool,
    /// Samples played since the cadence began.
    sample: u64,
}

impl WaitingTone {
    pub(super) fn set(&mut self, on: bool) {
        if on && !self.on {
            self.sample = 0;
        }
        self.on = on;
    }

    pub(super) fn is_on(&self) -> bool {
        self.on
    }

    /// Adds the tone to `frame` (mono samples at `rate`), where the cadence has it.
    pub(super) fn mix(&mut self, frame: &mut [i16], rate: u32) {
        if !self.on || rate == 0 {
            return;
        }
        let period = u64::from(rate) * u64::from(PERIOD_MS) / 1000;
        let on = u64::from(rate) * u64::from(ON_MS) / 1000;
        for s in frame.iter_mut() {
            let at = self.sample % period.max(1);
            if at < on {
                let t = at as f32 / rate as f32;
                let tone = (AMPLITUDE * (TAU * HZ * t).sin()) as i32;
                *s = (i32::from(*s) + tone).clamp(i16::MIN.into(), i16::MAX.into()) as i16;
            }
            self.sample += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_beep_sounds_then_stays_silent_until_the_next_period() {
        let mut tone = WaitingTone::default();
        let mut frame = vec![0i16; 160];
        tone.mix(&mut frame, 8000);
        assert!(frame.iter().all(|s| *s == 0), "off: nothing is added");
        tone.set(true);
        tone.mix(&mut frame, 8000);
        assert!(
            frame.iter().any(|s| s.abs() > 4000),
            "the beep starts at once"
        );
        // 300 ms in, the beep is over for the rest of the 5 s period.
        for _ in 0..14 {
            frame.fill(0);
            tone.mix(&mut frame, 8000);
        }
        frame.fill(0);
        tone.mix(&mut frame, 8000);
        assert!(frame.iter().all(|s| *s == 0));
        tone.set(false);
        assert!(!tone.is_on());
    }
}
