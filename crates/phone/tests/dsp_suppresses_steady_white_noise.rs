//! Steady white noise on the microphone (a fan, a hiss) is turned down by the noise
//! suppressor.

mod dsp_signals;

use dsp_signals::{energy_db, frame_len, Noise};
use phone::dsp::{DspSettings, VoiceProcessor};

#[test]
fn white_noise_is_reduced_at_each_call_rate() {
    for rate in [8_000, 16_000, 48_000] {
        let len = frame_len(rate);
        let settings = DspSettings {
            noise_suppression: true,
            ..DspSettings::OFF
        };
        let mut dsp = VoiceProcessor::new(rate, settings).expect("processor");
        let mut noise = Noise::new(11, 0.05);
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for i in 0..200 {
            let mut frame = noise.frame(len);
            let captured = frame.clone();
            dsp.capture(&mut frame);
            if i >= 100 {
                before.extend(captured);
                after.extend(frame);
            }
        }
        let reduction = energy_db(&before) - energy_db(&after);
        assert!(
            reduction >= 6.0,
            "{rate} Hz: noise reduced by {reduction:.1} dB only"
        );
    }
}
