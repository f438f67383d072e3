//! A device that fails mid-call (a headset pulled out) is closed and the default one is
//! opened in its place; the call's microphone frames keep coming. A call that starts
//! with no device at all picks one up when one appears.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use media::tone::detect_tone;
use phone::audio::{
    AudioBackend, AudioError, CallDevices, Capture, DeviceInfo, FileBackend, FileSource, Playback,
    REOPEN_EVERY,
};

const RATE: u32 = 8_000;

/// Runs the call's side for up to 10 s until `done` says so; returns the frames read.
fn run_until(
    devices: &mut CallDevices,
    mut done: impl FnMut(&CallDevices, &[Vec<i16>]) -> bool,
) -> Vec<Vec<i16>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut frames = Vec::new();
    let mut frame = Vec::new();
    let silence = vec![0i16; 160];
    while !done(devices, &frames) {
        assert!(Instant::now() < deadline, "gave up waiting: {devices:?}");
        devices.check(Instant::now());
        if devices.read_frame(&mut frame) {
            frames.push(frame.clone());
            devices.write_frame(&silence);
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    frames
}

fn hears_tone(frames: &[Vec<i16>]) -> bool {
    frames
        .last()
        .is_some_and(|f| detect_tone(f, RATE, 1_000.0) > 0.9)
}

#[test]
fn an_unplugged_microphone_and_speaker_are_reopened_and_the_tone_goes_on() {
    let backend = FileBackend::new(FileSource::Tone(1_000.0), None, 48_000);
    let plug = backend.clone();
    let mut devices = CallDevices::open(Arc::new(backend), RATE, Instant::now());
    assert!(devices.has_capture() && devices.has_playback());
    let before = run_until(&mut devices, |_, f| f.len() >= 5);
    assert!(hears_tone(&before));
    assert_eq!(devices.reopened(), 0);

    plug.unplug();
    let after = run_until(&mut devices, |d, f| d.reopened() >= 2 && f.len() >= 5);
    assert!(hears_tone(&after), "no tone after the device came back");
    assert!(devices.has_capture() && devices.has_playback());
    assert_eq!(devices.reopened(), 2, "microphone and speaker each once");
}

/// A sound system with nothing plugged in until the test plugs a device.
struct Hotplug {
    plugged: AtomicBool,
    device: FileBackend,
}

impl AudioBackend for Hotplug {
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.device.input_devices()
    }
    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.device.output_devices()
    }
    fn open_capture(&self, device: Option<&str>, rate: u32) -> Result<Capture, AudioError> {
        if !self.plugged.load(Ordering::Relaxed) {
            return Err(AudioError::NoDevice);
        }
        self.device.open_capture(device, rate)
    }
    fn open_playback(&self, device: Option<&str>, rate: u32) -> Result<Playback, AudioError> {
        if !self.plugged.load(Ordering::Relaxed) {
            return Err(AudioError::NoDevice);
        }
        self.device.open_playback(device, rate)
    }
}

#[test]
fn a_call_without_devices_picks_up_a_headset_plugged_in_later() {
    let backend = Arc::new(Hotplug {
        plugged: AtomicBool::new(false),
        device: FileBackend::new(FileSource::Tone(1_000.0), None, 16_000),
    });
    let start = Instant::now();
    let mut devices = CallDevices::open(backend.clone(), RATE, start);
    assert!(!devices.has_capture() && !devices.has_playback());
    let mut frame = Vec::new();
    assert!(!devices.read_frame(&mut frame));
    devices.check(start + REOPEN_EVERY);
    assert!(!devices.has_capture(), "nothing to open yet");

    backend.plugged.store(true, Ordering::Relaxed);
    // Tried again only once the retry delay has passed since the last attempt.
    devices.check(start + REOPEN_EVERY + Duration::from_millis(10));
    assert!(!devices.has_capture());
    devices.check(start + REOPEN_EVERY * 2);
    assert!(devices.has_capture() && devices.has_playback());
    let frames = run_until(&mut devices, |_, f| f.len() >= 5);
    assert!(hears_tone(&frames));
}
