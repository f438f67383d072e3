//! The delay the softphone adds to a call, measured end to end on a loopback: a click
//! goes into the file-backed microphone (a device thread running on its own 10 ms clock,
//! like a sound card's callback), through the capture ring and resampler, Opus or G.711
//! encoding, RTP, the receiving side's jitter buffer and decoder, the playback resampler
//! and ring, and out of the file-backed speaker, whose output is recorded. The time
//! from each click going in to its onset in the recording is the added mouth-to-ear
//! delay of two copies of the app with no network between them: capture to send on
//! one, receive to play on the other.
//!
//! The call loop is paced like the runtime's (a 20 ms tick on deadlines). Prints one
//! line per codec; a measurement, it asserts nothing. Run with
//! `cargo bench -p phone --bench mouth_to_ear_delay`.

use std::path::Path;
use std::time::{Duration, Instant};

use phone::audio::{AudioBackend, FileBackend, FileSource};
use phone::call_media::{CallMedia, CodecSpec};

const DEVICE_RATE: u32 = 48_000;
/// A click every this many samples (300 ms): far longer than any delay measured.
const PERIOD: usize = DEVICE_RATE as usize * 3 / 10;
const TICKS: u32 = 250;

fn spec(encoding: &str, payload_type: u8, clock_rate: u32) -> CodecSpec {
    CodecSpec {
        encoding: encoding.into(),
        payload_type,
        clock_rate,
        telephone_event: None,
        ssrc_seed: u64::from(payload_type),
    }
}

/// 5 ms of a 1 kHz tone at the start of every period, silence between.
fn write_clicks(path: &Path) {
    let mut w = hound::WavWriter::create(
        path,
        hound::WavSpec {
            channels: 1,
            sample_rate: DEVICE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        },
    )
    .expect("click file");
    // Longer than the run: the file is never looped.
    for i in 0..PERIOD * 20 {
        let in_period = i % PERIOD;
        let s = if in_period < DEVICE_RATE as usize / 200 {
            let t = in_period as f64 / f64::from(DEVICE_RATE);
            (t * 1000.0 * std::f64::consts::TAU).sin() * 16_000.0
        } else {
            0.0
        };
        w.write_sample(s as i16).expect("write");
    }
    w.finalize().expect("finalize");
}

/// Onsets in `samples`: the first sample above a threshold after 100 ms of quiet.
fn onsets(samples: &[i16]) -> Vec<usize> {
    let quiet_needed = DEVICE_RATE as usize / 10;
    let mut quiet = quiet_needed;
    let mut found = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        if s.unsigned_abs() > 3000 {
            if quiet >= quiet_needed {
                found.push(i);
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    found
}

fn measure(dir: &Path, clicks: &Path, spec: &CodecSpec) {
    let out = dir.join(format!("{}.wav", spec.encoding));
    let backend = FileBackend::new(
        FileSource::Wav(clicks.to_path_buf()),
        Some(out.clone()),
        DEVICE_RATE,
    );
    let mut sender = CallMedia::new(spec).expect("codec");
    let mut receiver = CallMedia::new(spec).expect("codec");
    let rate = sender.sample_rate();
    let mut capture = backend.open_capture(None, rate).expect("capture");
    let mut playback = backend.open_playback(None, rate).expect("playback");
    let silence = vec![0i16; sender.frame_samples()];
    let mut frame = Vec::new();
    let start = Instant::now();
    let mut queued = Vec::new();
    for tick in 1..=TICKS {
        let now = Instant::now();
        let pcm = if capture.read_frame(&mut frame) {
            &frame
        } else {
            &silence
        };
        for packet in sender.send_frame(now, pcm) {
            receiver.receive_rtp(now, &packet);
        }
        playback.write_frame(receiver.next_frame(now));
        queued.push(playback.queued_ms());
        std::thread::sleep(
            (start + Duration::from_millis(20) * tick).saturating_duration_since(Instant::now()),
        );
    }
    let target = receiver.stats().target_delay;
    drop(capture);
    drop(playback);
    let recorded: Vec<i16> = hound::WavReader::open(&out)
        .expect("recording")
        .into_samples::<i16>()
        .map(|s| s.unwrap_or(0))
        .collect();
    let mut delays: Vec<f64> = onsets(&recorded)
        .into_iter()
        .map(|at| (at % PERIOD) as f64 * 1000.0 / f64::from(DEVICE_RATE))
        .collect();
    // The first clicks land while the jitter buffer still fills at its initial delay.
    let settled = delays.split_off(delays.len().min(3));
    let mut settled = settled;
    settled.sort_by(f64::total_cmp);
    queued.sort_unstable();
    let median = |v: &[f64]| v.get(v.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "{:<5} clicks {:>2}  delay median {:>5.1} ms  min {:>5.1}  max {:>5.1}  \
         (jitter buffer target {} ms, playback ring median {} ms)",
        spec.encoding,
        settled.len(),
        median(&settled),
        settled.first().copied().unwrap_or(f64::NAN),
        settled.last().copied().unwrap_or(f64::NAN),
        target.as_millis(),
        queued.get(queued.len() / 2).copied().unwrap_or(0),
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clicks = dir.path().join("clicks.wav");
    write_clicks(&clicks);
    for s in [spec("opus", 111, 48_000), spec("PCMU", 0, 8000)] {
        measure(dir.path(), &clicks, &s);
    }
}
