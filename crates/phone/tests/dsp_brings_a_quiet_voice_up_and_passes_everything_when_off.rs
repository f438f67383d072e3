//! A voice captured far too quietly (a microphone turned down) is brought up by the
//! automatic gain; with every switch off the microphone goes out untouched.

mod dsp_signals;

use dsp_signals::{energy_db, frame_len, Voice};
use phone::dsp::{DspSettings, VoiceProcessor};

const RATE: u32 = 16_000;

#[test]
fn a_quiet_voice_is_raised_by_ten_db_or_more() {
    let len = frame_len(RATE);
    let settings = DspSettings {
        auto_gain: true,
        ..DspSettings::OFF
    };
    let mut dsp = VoiceProcessor::new(RATE, settings).expect("processor");
    // About -50 dBFS RMS.
    let mut voice = Voice::new(RATE, 200.0, 0.006);
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for i in 0..300 {
        let mut frame = voice.frame(len);
        let captured = frame.clone();
        dsp.capture(&mut frame);
        if i >= 200 {
            before.extend(captured);
            after.extend(frame);
        }
    }
    let gain = energy_db(&after) - energy_db(&before);
    assert!(gain >= 10.0, "quiet voice raised by {gain:.1} dB only");
}

#[test]
fn switched_off_the_frames_pass_unchanged_and_switched_on_they_do_not() {
    let len = frame_len(RATE);
    let mut dsp = VoiceProcessor::new(RATE, DspSettings::OFF).expect("processor");
    let mut voice = Voice::new(RATE, 200.0, 0.006);
    for _ in 0..50 {
        let mut frame = voice.frame(len);
        let captured = frame.clone();
        dsp.render(&captured);
        dsp.capture(&mut frame);
        assert_eq!(frame, captured);
    }
    dsp.set_settings(DspSettings::default());
    assert_eq!(dsp.settings(), DspSettings::default());
    let mut changed = false;
    for _ in 0..50 {
        let mut frame = voice.frame(len);
        let captured = frame.clone();
        dsp.capture(&mut frame);
        changed |= frame != captured;
    }
    assert!(changed, "processing on left every frame as it was");
}

#[test]
fn a_rate_calls_do_not_use_is_refused() {
    assert!(VoiceProcessor::new(44_100, DspSettings::default()).is_err());
}
