//! The switches on the Phone page reach a call under way: a processor following the
//! shared switches stops touching the microphone at the frame after they are all turned
//! off, and works on it again once they are back on. A device that allows no processing
//! keeps it off whatever the switches say.

mod dsp_signals;

use dsp_signals::{frame_len, Voice};
use phone::dsp::{DspSettings, SharedDsp, VoiceProcessor, VoiceSwitches};

const RATE: u32 = 16_000;

/// Whether any of `frames` microphone frames left the processor changed.
fn changes_any(dsp: &mut VoiceProcessor, voice: &mut Voice, frames: usize) -> bool {
    let len = frame_len(RATE);
    let mut changed = false;
    for _ in 0..frames {
        let mut frame = voice.frame(len);
        let captured = frame.clone();
        dsp.render(&captured);
        dsp.capture(&mut frame);
        changed |= frame != captured;
    }
    changed
}

#[test]
fn turning_the_shared_switches_off_and_on_applies_to_the_running_call() {
    let shared = SharedDsp::new(DspSettings::default());
    let mut dsp = VoiceProcessor::new(RATE, VoiceSwitches::shared(shared.clone())).expect("dsp");
    let mut voice = Voice::new(RATE, 200.0, 0.006);
    assert!(
        changes_any(&mut dsp, &mut voice, 50),
        "on: nothing processed"
    );

    shared.set(DspSettings::OFF);
    assert!(
        !changes_any(&mut dsp, &mut voice, 50),
        "switched off during the call, frames were still changed"
    );
    assert_eq!(dsp.settings(), DspSettings::OFF);

    let gain_only = DspSettings {
        auto_gain: true,
        ..DspSettings::OFF
    };
    shared.set(gain_only);
    assert!(
        changes_any(&mut dsp, &mut voice, 50),
        "back on: nothing processed"
    );
    assert_eq!(dsp.settings(), gain_only);
}

#[test]
fn a_device_that_allows_no_processing_keeps_it_off_whatever_the_switches_say() {
    let shared = SharedDsp::new(DspSettings::default());
    let switches = VoiceSwitches::shared(shared.clone()).and(DspSettings::OFF);
    let mut dsp = VoiceProcessor::new(RATE, switches).expect("dsp");
    let mut voice = Voice::new(RATE, 200.0, 0.006);
    assert!(!changes_any(&mut dsp, &mut voice, 50));
    shared.set(DspSettings::default());
    assert!(!changes_any(&mut dsp, &mut voice, 20));
    assert_eq!(dsp.settings(), DspSettings::OFF);
}
