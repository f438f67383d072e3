//! CPU for one Opus call, per 20 ms frame, both directions as the softphone runs them:
//! the microphone resampled from a 48 kHz device to the codec's 16 kHz and Opus-encoded
//! into an RTP packet ([`CallMedia::send_frame`]); a packet received through the jitter
//! buffer, Opus-decoded ([`CallMedia::next_frame`]) and resampled to 48 kHz for the
//! speaker. One iteration is one 20 ms tick of a call, so its time over 20 ms is the
//! share of a core one call takes.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use media::codec::Resampler;
use phone::call_media::{CallMedia, CodecSpec};

const DEVICE_RATE: u32 = 48_000;

fn opus_spec(seed: u64) -> CodecSpec {
    CodecSpec {
        encoding: "opus".into(),
        payload_type: 111,
        clock_rate: 48_000,
        telephone_event: None,
        ssrc_seed: seed,
    }
}

/// A 48 kHz "voice": two tones with a slow amplitude swing, so Opus codes sound, not silence.
fn voice(frame: usize, n: usize) -> Vec<i16> {
    (0..n)
        .map(|i| {
            let t = (frame * n + i) as f64 / f64::from(DEVICE_RATE);
            let env = 0.5 + 0.5 * (t * 3.0 * std::f64::consts::TAU).sin();
            let s = (t * 220.0 * std::f64::consts::TAU).sin() * 0.6
                + (t * 1330.0 * std::f64::consts::TAU).sin() * 0.3;
            (s * env * 12_000.0) as i16
        })
        .collect()
}

fn one_call_tick(c: &mut Criterion) {
    let mut sender = CallMedia::new(&opus_spec(1)).expect("opus");
    let mut receiver = CallMedia::new(&opus_spec(2)).expect("opus");
    let rate = sender.sample_rate();
    let mut mic = Resampler::new(DEVICE_RATE, rate, 20).expect("resampler");
    let mut speaker = Resampler::new(rate, DEVICE_RATE, 20).expect("resampler");
    let frames: Vec<Vec<i16>> = (0..50).map(|f| voice(f, mic.input_chunk())).collect();
    let mut captured = Vec::with_capacity(rate as usize / 50 * 2);
    let mut played = Vec::with_capacity(DEVICE_RATE as usize / 50 * 2);
    // Virtual time: the jitter buffer sees packets arriving every 20 ms, as on a LAN.
    let mut now = Instant::now();
    let mut tick = 0usize;
    c.bench_function(
        "opus call: one 20 ms tick (resample, encode, jitter, decode, resample)",
        |b| {
            b.iter(|| {
                captured.clear();
                mic.process(&frames[tick % frames.len()], &mut captured);
                for packet in sender.send_frame(now, &captured) {
                    receiver.receive_rtp(now, &packet);
                }
                let pcm = receiver.next_frame(now);
                played.clear();
                speaker.process(pcm, &mut played);
                now += Duration::from_millis(20);
                tick += 1;
                played.len()
            })
        },
    );
}

criterion_group!(benches, one_call_tick);
criterion_main!(benches);
