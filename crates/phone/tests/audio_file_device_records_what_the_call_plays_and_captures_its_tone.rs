//! The file device runs a call's audio headless: its microphone hears a tone or a WAV
//! file, and what the call plays lands in a WAV file.

use std::time::{Duration, Instant};

use media::tone::{detect_tone, Tone, ToneGenerator};
use media::wav::{write_wav, Channels};
use phone::audio::{AudioBackend, AudioError, Capture, FileBackend, FileSource};

/// Reads `count` frames, waiting for the device's clock; fails after 10 s.
fn read_frames(capture: &mut Capture, count: usize) -> Vec<Vec<i16>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut frames = Vec::new();
    let mut frame = Vec::new();
    while frames.len() < count {
        assert!(
            Instant::now() < deadline,
            "the file device stopped capturing"
        );
        if capture.read_frame(&mut frame) {
            frames.push(frame.clone());
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    frames
}

#[test]
fn a_tone_microphone_is_heard_at_the_call_rate_and_metered() {
    let backend = FileBackend::new(FileSource::Tone(1_000.0), None, 48_000);
    let mut capture = backend.open_capture(None, 8_000).expect("capture");
    assert_eq!(capture.device_rate(), 48_000);
    let frames = read_frames(&mut capture, 10);
    let last = frames.last().expect("frames");
    assert_eq!(last.len(), 160);
    assert!(detect_tone(last, 8_000, 1_000.0) > 0.9);
    assert!(capture.level().peak_dbfs > -20.0, "{:?}", capture.level());
}

#[test]
fn a_wav_microphone_is_looped_and_what_is_played_is_written_to_a_wav() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("mic.wav");
    let sink = dir.path().join("speaker.wav");
    // 100 ms of 600 Hz at 16 kHz, stereo: the device mixes it down and loops it.
    let mut mono = vec![0i16; 1_600];
    ToneGenerator::new(Tone::continuous(600.0), 16_000).fill(&mut mono);
    let stereo: Vec<i16> = mono.iter().flat_map(|&s| [s, s]).collect();
    let file = std::fs::File::create(&source).expect("create");
    write_wav(
        std::io::BufWriter::new(file),
        16_000,
        Channels::Stereo,
        &stereo,
    )
    .expect("wav");

    let backend = FileBackend::new(FileSource::Wav(source), Some(sink.clone()), 48_000);
    let mut capture = backend
        .open_capture(Some("file input"), 16_000)
        .expect("capture");
    let mut playback = backend
        .open_playback(Some("file output"), 16_000)
        .expect("playback");
    // 400 ms: four times round the 100 ms file.
    let frames = read_frames(&mut capture, 20);
    assert!(detect_tone(&frames[15], 16_000, 600.0) > 0.8);

    // Play 300 ms of 1.5 kHz, keeping the device's queue short as a call would.
    let mut tone = ToneGenerator::new(Tone::continuous(1_500.0), 16_000);
    let mut frame = vec![0i16; 320];
    let deadline = Instant::now() + Duration::from_secs(10);
    for _ in 0..15 {
        while playback.queued_ms() > 60 {
            assert!(Instant::now() < deadline, "the file device stopped playing");
            std::thread::sleep(Duration::from_millis(5));
        }
        tone.fill(&mut frame);
        playback.write_frame(&frame);
    }
    while playback.queued_ms() > 0 {
        assert!(Instant::now() < deadline, "the file device stopped playing");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!playback.device_failed());
    drop(playback);

    let mut reader = hound::WavReader::open(&sink).expect("speaker.wav");
    assert_eq!(reader.spec().sample_rate, 48_000);
    assert_eq!(reader.spec().channels, 1);
    let played: Vec<i16> = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    let loud: Vec<usize> = (0..played.len() / 960)
        .filter(|&i| detect_tone(&played[i * 960..(i + 1) * 960], 48_000, 1_500.0) > 0.9)
        .collect();
    // 300 ms of tone went in, less the resampler's start-up and hold-back.
    assert!(loud.len() >= 12, "{} tone frames of 20 ms", loud.len());
}

#[test]
fn the_null_device_offers_one_input_and_one_output_and_refuses_other_names() {
    let backend = FileBackend::null();
    let inputs = backend.input_devices().expect("inputs");
    assert_eq!(inputs.len(), 1);
    assert!(inputs[0].is_default);
    assert_eq!(backend.output_devices().expect("outputs").len(), 1);
    assert_eq!(
        backend.open_capture(Some("USB headset"), 8_000).err(),
        Some(AudioError::DeviceNotFound("USB headset".to_string()))
    );
    assert_eq!(
        backend.open_playback(None, 22_050).err(),
        Some(AudioError::UnsupportedCallRate(22_050))
    );
    let mut capture = backend.open_capture(None, 48_000).expect("capture");
    let frames = read_frames(&mut capture, 3);
    assert!(frames
        .iter()
        .all(|f| f.len() == 960 && f.iter().all(|&s| s == 0)));
}
