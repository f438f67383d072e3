//! The delay the softphone adds to a call, measured end to end on a loopback: a click
//! goes into the file-backed microphone (a device thread running on its own 10 ms clock,
//! like a sound card's callback), through the capture ring and resampler, Opus or G.711
//! encoding, RTP, the receiving side's jitter buffer and decoder, the playback resampler
//! and ring, and out of the file-backed speaker, whose output is recorded. The time
//! from each click going in to its onset in the recording is the added mouth-to-ear
//! delay of two copies of the app with no network between them: capture to send on
//! one, receive to play on the other.
//!
//! Two pacings of the call loop are measured: the runtime's (`call_media::Pacer`: the
//! devices polled every 5 ms, a frame sent as soon as it is captured, one decoded when
//! the speaker's queue falls below a device period, and a poll more once it ran dry)
//! and, for comparison, a fixed 20 ms tick that reads one frame and writes one. Each line also gives the parts measured
//! one by one: the capture backlog when frames are read, the resamplers' delays, the
//! codec's own delay (a click through encoder and decoder alone), the jitter buffer's
//! target and the audio queued for the speaker before each write.
//!
//! A third run loads the loop like a busy machine does: the runtime's pacing with the
//! loop stalled for 30 ms every 250 ms between 1 and 2.5 s, so the speaker runs dry,
//! then left alone; it reports the delay of the clicks during and after the stalls
//! and what the call played out faster to win the delay back.
//!
//! A measurement, it asserts nothing. Run with
//! `cargo bench -p phone --bench mouth_to_ear_delay`.

use std::path::Path;
use std::time::{Duration, Instant};

use phone::audio::{AudioBackend, FileBackend, FileSource};
use phone::call_media::{CallMedia, CodecSpec, Pacer, POLL};

const DEVICE_RATE: u32 = 48_000;
/// A click every this many samples (300 ms): far longer than any delay measured.
const PERIOD: usize = DEVICE_RATE as usize * 3 / 10;
const RUN: Duration = Duration::from_secs(5);
const FRAME: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pacing {
    /// The runtime's: see `call_media::Pacer`.
    Poll,
    /// A fixed 20 ms tick: one frame read (silence if none), one written.
    Tick,
    /// The runtime's, with the loop stalled now and then for a while (a loaded machine).
    Stalled,
}

/// When the stalled run stalls: 30 ms every 250 ms, from 1 s to 2.5 s.
fn stall(elapsed: Duration) -> Option<Duration> {
    let ms = elapsed.as_millis();
    (1_000..2_500)
        .contains(&ms)
        .then_some(Duration::from_millis(30))
}

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
    for i in 0..PERIOD * 40 {
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

/// Onsets in `samples`: the first sample above a threshold after `quiet_needed` quiet ones.
fn onsets(samples: &[i16], quiet_needed: usize) -> Vec<usize> {
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

/// The codec's own delay: the same clicks at the call's rate through a fresh sender's
/// encoder and a receiver's decoder, frame by frame with nothing between them.
fn codec_delay_ms(spec: &CodecSpec) -> f64 {
    let mut sender = CallMedia::new(spec).expect("codec");
    let rate = sender.sample_rate() as usize;
    let n = sender.frame_samples();
    let mut decoder = media::codec::by_rtpmap(&spec.encoding, spec.clock_rate).expect("codec");
    let period = rate * 3 / 10;
    let mut out = Vec::new();
    for f in 0..period * 6 / n {
        let pcm: Vec<i16> = (f * n..(f + 1) * n)
            .map(|i| {
                let at = i % period;
                if at < rate / 200 {
                    ((at as f64 / rate as f64) * 1000.0 * std::f64::consts::TAU).sin() as f32
                        * 16_000.0
                } else {
                    0.0
                }
            })
            .map(|s| s as i16)
            .collect();
        for packet in sender.send_frame(Instant::now(), &pcm) {
            let payload = packet.get(12..).unwrap_or_default();
            decoder.decode(Some(payload), &mut out);
        }
    }
    let delays: Vec<f64> = onsets(&out, rate / 10)
        .into_iter()
        .skip(1)
        .map(|at| (at % period) as f64 * 1000.0 / rate as f64)
        .collect();
    delays.iter().sum::<f64>() / delays.len().max(1) as f64
}

fn median<T: Copy + PartialOrd>(v: &mut [T]) -> Option<T> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v.get(v.len() / 2).copied()
}

fn measure(dir: &Path, clicks: &Path, spec: &CodecSpec, pacing: Pacing) {
    let out = dir.join(format!("{}-{pacing:?}.wav", spec.encoding));
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
    let resamplers = capture.resampler_delay() + playback.resampler_delay();
    let silence = vec![0i16; sender.frame_samples()];
    let mut frame = Vec::new();
    let mut pacer = Pacer::new();
    let mut backlog = Vec::new();
    let mut queued = Vec::new();
    let start = Instant::now();
    let step = match pacing {
        Pacing::Poll | Pacing::Stalled => POLL,
        Pacing::Tick => FRAME,
    };
    let run = match pacing {
        Pacing::Stalled => RUN * 2,
        _ => RUN,
    };
    let mut polls = 1u32;
    let mut next_stall = Duration::ZERO;
    while start.elapsed() < run {
        let now = Instant::now();
        let mut send = |pcm: &[i16], receiver: &mut CallMedia| {
            for packet in sender.send_frame(now, pcm) {
                receiver.receive_rtp(now, &packet);
            }
        };
        if pacing == Pacing::Stalled && start.elapsed() >= next_stall {
            if let Some(pause) = stall(start.elapsed()) {
                std::thread::sleep(pause);
            }
            next_stall = start.elapsed() + Duration::from_millis(250);
        }
        match pacing {
            Pacing::Poll | Pacing::Stalled => {
                while capture.read_frame(&mut frame) {
                    backlog.push(capture.backlog_ms());
                    pacer.captured(now);
                    send(&frame, &mut receiver);
                }
                if pacer.silence_due(now) {
                    send(&silence, &mut receiver);
                }
                while pacer.speaker_wants(
                    now,
                    playback.queued_ms(),
                    playback.period_ms(),
                    playback.underruns(),
                ) {
                    queued.push(playback.queued_ms());
                    receiver.note_speaker_queue(pacer.speaker_excess(
                        now,
                        playback.queued_ms(),
                        playback.period_ms(),
                    ));
                    playback.write_frame(receiver.next_frame(now));
                }
            }
            Pacing::Tick => {
                if capture.read_frame(&mut frame) {
                    backlog.push(capture.backlog_ms());
                    send(&frame, &mut receiver);
                } else {
                    send(&silence, &mut receiver);
                }
                queued.push(playback.queued_ms());
                playback.write_frame(receiver.next_frame(now));
            }
        }
        std::thread::sleep((start + step * polls).saturating_duration_since(Instant::now()));
        polls += 1;
    }
    let target = receiver.stats().target_delay;
    let won_back = receiver.stats().won_back;
    let underruns = playback.underruns();
    let period = playback.period_ms();
    drop(capture);
    drop(playback);
    let recorded: Vec<i16> = hound::WavReader::open(&out)
        .expect("recording")
        .into_samples::<i16>()
        .map(|s| s.unwrap_or(0))
        .collect();
    let mut delays: Vec<f64> = onsets(&recorded, DEVICE_RATE as usize / 10)
        .into_iter()
        .map(|at| (at % PERIOD) as f64 * 1000.0 / f64::from(DEVICE_RATE))
        .collect();
    if pacing == Pacing::Stalled {
        // Clicks every 300 ms from the start: list them all, by when they were heard.
        let heard: Vec<String> = delays.iter().map(|d| format!("{d:.0}")).collect();
        println!(
            "{:<5} stalled delay of each click (every 300 ms; stalls from 1 to 2.5 s): {} ms; \
             last five median {:.1} ms; won back {} ms; underruns {}",
            spec.encoding,
            heard.join(" "),
            median(&mut delays.iter().rev().take(5).copied().collect::<Vec<_>>())
                .unwrap_or(f64::NAN),
            won_back.as_millis(),
            underruns,
        );
        return;
    }
    // The first clicks land while the jitter buffer still fills at its initial delay.
    let mut settled = delays.split_off(delays.len().min(3));
    let (lo, hi) = (
        settled.iter().copied().fold(f64::INFINITY, f64::min),
        settled.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    println!(
        "{:<5} {:<4} clicks {:>2}  delay median {:>5.1} ms (min {:>5.1}, max {:>5.1})  parts: \
         frame 20, capture backlog median {} ms, resamplers {:.1} ms, codec {:.1} ms, \
         jitter buffer target {} ms, speaker queue before a write median {} ms \
         (device period {} ms), underruns {}",
        spec.encoding,
        format!("{pacing:?}").to_lowercase(),
        settled.len(),
        median(&mut settled).unwrap_or(f64::NAN),
        lo,
        hi,
        median(&mut backlog).unwrap_or(0),
        resamplers.as_secs_f64() * 1000.0,
        codec_delay_ms(spec),
        target.as_millis(),
        median(&mut queued).unwrap_or(0),
        period,
        underruns,
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clicks = dir.path().join("clicks.wav");
    write_clicks(&clicks);
    for s in [spec("opus", 111, 48_000), spec("PCMU", 0, 8000)] {
        for pacing in [Pacing::Poll, Pacing::Tick, Pacing::Stalled] {
            measure(dir.path(), &clicks, &s, pacing);
        }
    }
}
