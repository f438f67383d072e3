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

/// A device that allows everything, to see the user's switches alone.
struct Room;

impl phone::audio::AudioBackend for Room {
    fn input_devices(&self) -> Result<Vec<phone::audio::DeviceInfo>, phone::audio::AudioError> {
        Ok(Vec::new())
    }
    fn output_devices(&self) -> Result<Vec<phone::audio::DeviceInfo>, phone::audio::AudioError> {
        Ok(Vec::new())
    }
    fn open_capture(
        &self,
        _: Option<&str>,
        _: u32,
    ) -> Result<phone::audio::Capture, phone::audio::AudioError> {
        Err(phone::audio::AudioError::NoDevice)
    }
    fn open_playback(
        &self,
        _: Option<&str>,
        _: u32,
    ) -> Result<phone::audio::Playback, phone::audio::AudioError> {
        Err(phone::audio::AudioError::NoDevice)
    }
}

#[test]
fn a_file_device_runs_calls_unprocessed_and_a_user_switch_turns_one_feature_off() {
    use phone::audio::{AudioBackend, FileBackend, FileSource, Selected};
    use std::sync::Arc;

    let file = FileBackend::new(FileSource::Tone(1_000.0), None, 8_000);
    assert_eq!(file.voice_processing().current(), DspSettings::OFF);
    let chosen = Selected::new(Arc::new(file), None, None);
    assert_eq!(chosen.voice_processing().current(), DspSettings::OFF);

    assert_eq!(Room.voice_processing().current(), DspSettings::default());
    let no_echo_cancelling = DspSettings {
        echo_cancellation: false,
        ..DspSettings::default()
    };
    let chosen = Selected::new(Arc::new(Room), None, None).with_processing(no_echo_cancelling);
    assert_eq!(chosen.voice_processing().current(), no_echo_cancelling);
}
