//! The device test: the microphone's level follows what it hears (a tone, then
//! silence), a loopback plays the microphone back to the speaker, and the speaker test
//! plays its tone.

use std::path::Path;
use std::time::{Duration, Instant};

use media::tone::detect_tone;
use phone::audio::{DeviceTest, FileBackend, FileSource, SILENCE_DBFS, TEST_TONE_HZ};

/// Waits up to 10 s for `test`'s level to satisfy `ok`; returns the last level's RMS.
fn wait_level(test: &DeviceTest, ok: impl Fn(f32) -> bool) -> f32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rms = test
            .level()
            .expect("a microphone test has a level")
            .rms_dbfs;
        if ok(rms) || Instant::now() > deadline {
            return rms;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read_wav(path: &Path) -> (u32, Vec<i16>) {
    let mut reader = hound::WavReader::open(path).expect("wav");
    let rate = reader.spec().sample_rate;
    let samples = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    (rate, samples)
}

#[test]
fn the_level_follows_a_tone_and_stays_at_the_floor_for_silence() {
    let tone = FileBackend::new(FileSource::Tone(700.0), None, 48_000);
    let test = DeviceTest::microphone(&tone, false).expect("microphone");
    let rms = wait_level(&test, |rms| rms > -30.0);
    assert!(rms > -30.0, "a tone at about -17 dBFS read as {rms} dBFS");
    drop(test);

    let silence = FileBackend::new(FileSource::Silence, None, 48_000);
    let test = DeviceTest::microphone(&silence, false).expect("microphone");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(test.level().map(|l| l.rms_dbfs), Some(SILENCE_DBFS));
}

#[test]
fn the_loopback_plays_the_microphone_back_on_the_speaker() {
    let dir = tempfile::tempdir().expect("dir");
    let sink = dir.path().join("speaker.wav");
    let backend = FileBackend::new(FileSource::Tone(700.0), Some(sink.clone()), 16_000);
    let test = DeviceTest::microphone(&backend, true).expect("microphone");
    std::thread::sleep(Duration::from_millis(1_200));
    drop(test);
    let (rate, played) = read_wav(&sink);
    let tail = &played[played.len().saturating_sub(3_200)..];
    assert!(
        detect_tone(tail, rate, 700.0) > 0.8,
        "the speaker did not play the microphone's tone back"
    );
}

#[test]
fn the_speaker_test_plays_its_tone() {
    let dir = tempfile::tempdir().expect("dir");
    let sink = dir.path().join("speaker.wav");
    let backend = FileBackend::new(FileSource::Silence, Some(sink.clone()), 48_000);
    let test = DeviceTest::speaker(&backend).expect("speaker");
    assert!(test.level().is_none());
    std::thread::sleep(Duration::from_millis(500));
    drop(test);
    let (rate, played) = read_wav(&sink);
    let tail = &played[played.len().saturating_sub(4_800)..];
    assert!(detect_tone(tail, rate, TEST_TONE_HZ) > 0.8);
}

#[test]
fn the_ringer_rings_on_the_device_it_is_given_and_nowhere_else() {
    let dir = tempfile::tempdir().expect("dir");
    let sink = dir.path().join("ringer.wav");
    let backend = FileBackend::new(FileSource::Silence, Some(sink.clone()), 16_000);
    assert!(DeviceTest::ringer(&backend, Some("a headset that is not there")).is_err());
    let ringer = DeviceTest::ringer(&backend, Some("file output")).expect("ringer");
    std::thread::sleep(Duration::from_millis(600));
    drop(ringer);
    let (rate, played) = read_wav(&sink);
    // The ring starts with its two seconds on: both of its tones are there.
    let tail = &played[played.len().saturating_sub(3_200)..];
    let (low, high) = (
        detect_tone(tail, rate, 440.0),
        detect_tone(tail, rate, 480.0),
    );
    assert!(low > 0.3 && high > 0.3, "ring tones {low:.2} and {high:.2}");
}
