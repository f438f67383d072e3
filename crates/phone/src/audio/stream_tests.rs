//! The call side driven by hand: the tests play the device callback themselves, so they
//! run without a clock or a sound card.

use media::tone::{detect_tone, Tone, ToneGenerator};

use super::stream::{capture_ring, playback_ring, DeviceGuard};
use super::{AudioError, Capture, Playback, SILENCE_DBFS};

#[test]
fn capture_at_44_1_khz_stereo_gives_20_ms_frames_at_16_khz_with_the_tone_and_its_level() {
    let device_rate = 44_100;
    let (mut feed, consumer, stats) = capture_ring(device_rate);
    let mut capture = Capture::new(consumer, stats, device_rate, 16_000, DeviceGuard::default())
        .expect("capture");
    let meter = capture.meter();
    let mut tone = ToneGenerator::new(Tone::continuous(1_000.0), device_rate);
    let mut mono = vec![0i16; 441];
    let mut stereo = vec![0i16; 882];
    let mut frames = Vec::new();
    let mut frame = Vec::new();
    for _ in 0..50 {
        // 10 ms device buffers, the same tone on both channels.
        tone.fill(&mut mono);
        for (pair, s) in stereo.chunks_mut(2).zip(&mono) {
            pair.fill(*s);
        }
        feed.push_device(&stereo, 2);
        while capture.read_frame(&mut frame) {
            assert_eq!(frame.len(), 320, "20 ms at 16 kHz");
            frames.push(frame.clone());
        }
    }
    // 500 ms went in; the resampler holds back less than two of its chunks.
    assert!(frames.len() >= 22 && frames.len() <= 25, "{}", frames.len());
    let last = frames.last().expect("frames");
    assert!(detect_tone(last, 16_000, 1_000.0) > 0.9);
    // The tone's peak is 0.2 of full scale: about -14 dBFS, RMS 3 dB lower.
    let level = meter.level();
    assert!((level.peak_dbfs + 14.0).abs() < 0.5, "{level:?}");
    assert!((level.rms_dbfs + 17.0).abs() < 0.5, "{level:?}");
    assert_eq!(capture.overruns(), 0);
}

#[test]
fn capture_read_late_keeps_a_bounded_backlog_and_counts_what_it_dropped() {
    let (mut feed, consumer, stats) = capture_ring(8_000);
    let mut capture =
        Capture::new(consumer, stats, 8_000, 8_000, DeviceGuard::default()).expect("capture");
    let mut frame = Vec::new();
    assert!(!capture.read_frame(&mut frame), "nothing captured yet");
    assert_eq!(capture.level().peak_dbfs, SILENCE_DBFS);
    // 2 s of device audio in 100 ms buffers, read only at the end: the 300 ms ring drops
    // the rest in the callback.
    for _ in 0..20 {
        feed.push_device(&[100i16; 800], 1);
    }
    let mut read = 0;
    while capture.read_frame(&mut frame) {
        read += 1;
    }
    assert_eq!(read, 10, "300 ms ring holds 15 frames, 10 are kept");
    assert_eq!(capture.overruns(), 16_000 - 2_400 + 800);
}

#[test]
fn playback_resamples_8_khz_frames_to_48_khz_and_pads_an_underrun_with_silence() {
    let device_rate = 48_000;
    let (mut feed, producer, stats) = playback_ring(device_rate);
    let mut playback = Playback::new(producer, stats, device_rate, 8_000, DeviceGuard::default())
        .expect("playback");
    let mut tone = ToneGenerator::new(Tone::continuous(440.0), 8_000);
    let mut frame = vec![0i16; 160];
    for _ in 0..5 {
        tone.fill(&mut frame);
        playback.write_frame(&frame);
    }
    // Five 20 ms frames queued, less the resampler's held-back chunk.
    let queued = playback.queued_ms();
    assert!((60..=100).contains(&queued), "{queued} ms");
    // A stereo f32 device takes 10 ms periods until the ring runs dry.
    let mut out = vec![0f32; 960];
    let mut played = Vec::new();
    while playback.queued_ms() >= 10 {
        feed.fill_device(&mut out, 2);
        played.extend(out.chunks(2).map(|p| {
            assert_eq!(p[0], p[1], "mono on both channels");
            (p[0] * 32768.0) as i16
        }));
    }
    assert_eq!(playback.underruns(), 0);
    let tail = &played[played.len() - 960..];
    assert!(detect_tone(tail, 48_000, 440.0) > 0.9);

    feed.fill_device(&mut out, 2);
    feed.fill_device(&mut out, 2);
    assert_eq!(playback.underruns(), 2);
    assert!(out.iter().all(|&s| s == 0.0), "an underrun plays silence");
    assert_eq!(playback.dropped(), 0);
}

#[test]
fn playback_written_faster_than_played_drops_and_counts_the_excess() {
    let (_feed, producer, stats) = playback_ring(8_000);
    let mut playback =
        Playback::new(producer, stats, 8_000, 8_000, DeviceGuard::default()).expect("playback");
    for _ in 0..20 {
        playback.write_frame(&[1000i16; 160]);
    }
    assert_eq!(playback.queued_ms(), 300);
    assert_eq!(playback.dropped(), 20 * 160 - 2_400);
}

#[test]
fn a_call_rate_other_than_8_16_or_48_khz_is_refused() {
    let (_feed, consumer, stats) = capture_ring(48_000);
    let refused = Capture::new(consumer, stats, 48_000, 44_100, DeviceGuard::default());
    assert_eq!(refused.err(), Some(AudioError::UnsupportedCallRate(44_100)));
}
