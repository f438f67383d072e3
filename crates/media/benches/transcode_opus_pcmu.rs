//! What one transcoded call costs: every 20 ms, an Opus packet (16 kHz, complexity 5)
//! becomes PCMU for one phone and a PCMU packet becomes Opus for the other. Calls per
//! core = 20 ms / the `call_both_directions` time. `opus_encode_alone` is libopus's own
//! share, the floor under which no transcoder can go.
//!
//! Times are the thread's CPU time, so a machine busy with other work gives about the
//! same figures as an idle one (wall-clock time where that clock is missing).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Bencher, Criterion, Throughput};
use media::codec::{Codec, Opus, Pcmu, Resampler};
use media::tone::{Tone, ToneGenerator};
use media::transcode::Transcoder;

/// CPU time this thread has run (POSIX thread CPU clock).
fn thread_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given, which lives here.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if status != 0 {
        return None;
    }
    let seconds = u64::try_from(now.tv_sec).ok()?;
    let nanos = u32::try_from(now.tv_nsec).ok()?;
    Some(Duration::new(seconds, nanos))
}

/// Runs `step` as criterion asks, timed by CPU time when available.
fn timed(b: &mut Bencher, mut step: impl FnMut() -> usize) {
    b.iter_custom(|iterations| {
        let wall = Instant::now();
        let cpu = thread_cpu_time();
        for _ in 0..iterations {
            black_box(step());
        }
        match (cpu, thread_cpu_time()) {
            (Some(start), Some(end)) => end.saturating_sub(start),
            _ => wall.elapsed(),
        }
    })
}

/// One second of a voice-like test signal at `rate`: two tones with a slow on/off, plus
/// a little pseudo-random noise so the encoder never sees pure silence.
fn signal(rate: u32) -> Vec<i16> {
    let mut a = vec![0i16; rate as usize];
    let mut b = vec![0i16; rate as usize];
    ToneGenerator::new(Tone::ringback_north_america(), rate).fill(&mut a);
    ToneGenerator::new(Tone::continuous(1270.0), rate).fill(&mut b);
    let mut state: u32 = 7;
    a.iter()
        .zip(&b)
        .map(|(x, y)| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let noise = ((state >> 16) & 0x3ff) as i32 - 512;
            (i32::from(*x) + i32::from(*y) / 2 + noise).clamp(-32768, 32767) as i16
        })
        .collect()
}

fn packets(codec: &mut dyn Codec) -> Vec<Vec<u8>> {
    let rate = codec.sample_rate();
    signal(rate)
        .chunks(rate as usize / 50)
        .map(|frame| {
            let mut payload = Vec::new();
            codec.encode(frame, &mut payload);
            payload
        })
        .collect()
}

/// The `i`-th 20 ms frame of a one-second signal, cycling.
fn frame(signal: &[i16], i: usize) -> &[i16] {
    let len = signal.len() / 50;
    let start = (i % 50) * len;
    &signal[start..start + len]
}

fn bench(c: &mut Criterion) {
    let (Ok(mut opus), Ok(mut downlink), Ok(mut uplink), Ok(mut encoder), Ok(mut resampler)) = (
        Opus::new(),
        Transcoder::new("opus", 48000, "PCMU", 8000),
        Transcoder::new("PCMU", 8000, "opus", 48000),
        Opus::new(),
        Resampler::new(8000, 16000, 20),
    ) else {
        panic!("codecs set up");
    };
    let opus_packets = packets(&mut opus);
    let pcmu_packets = packets(&mut Pcmu::new());
    let pcm16 = signal(16000);
    let pcm8 = signal(8000);
    let mut out = Vec::with_capacity(1500);
    let mut pcm_out = Vec::with_capacity(640);
    let mut i = 0usize;
    let mut sequence: u16 = 0;

    let mut group = c.benchmark_group("transcode_per_20ms");
    group.throughput(Throughput::Elements(1));
    group.bench_function("opus_encode_alone", |b| {
        timed(b, || {
            out.clear();
            i += 1;
            encoder.encode(frame(&pcm16, i), &mut out);
            out.len()
        })
    });
    group.bench_function("resample_8k_to_16k", |b| {
        timed(b, || {
            pcm_out.clear();
            i += 1;
            resampler.process(frame(&pcm8, i), &mut pcm_out);
            pcm_out.len()
        })
    });
    group.bench_function("opus_to_pcmu", |b| {
        timed(b, || {
            let packet = &opus_packets[usize::from(sequence) % opus_packets.len()];
            downlink.push(sequence, packet);
            sequence = sequence.wrapping_add(1);
            out.clear();
            while downlink.poll_payload(&mut out) {}
            out.len()
        })
    });
    group.bench_function("pcmu_to_opus", |b| {
        timed(b, || {
            let packet = &pcmu_packets[usize::from(sequence) % pcmu_packets.len()];
            uplink.push(sequence, packet);
            sequence = sequence.wrapping_add(1);
            out.clear();
            while uplink.poll_payload(&mut out) {}
            out.len()
        })
    });
    group.bench_function("call_both_directions", |b| {
        timed(b, || {
            let index = usize::from(sequence) % 50;
            downlink.push(sequence, &opus_packets[index]);
            uplink.push(sequence, &pcmu_packets[index]);
            sequence = sequence.wrapping_add(1);
            out.clear();
            while downlink.poll_payload(&mut out) {}
            while uplink.poll_payload(&mut out) {}
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
