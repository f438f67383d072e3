//! What one transcoded call costs: every 20 ms, an Opus packet (16 kHz, complexity 5)
//! becomes PCMU for one phone and a PCMU packet becomes Opus for the other. Calls per
//! core = 20 ms / the `call_both_directions` time. `opus_encode_alone` is libopus's own
//! share, the floor under which no transcoder can go.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use media::codec::{Codec, Opus, Pcmu, Resampler};
use media::tone::{Tone, ToneGenerator};
use media::transcode::Transcoder;

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

fn bench(c: &mut Criterion) {
    let (Ok(mut opus), Ok(mut downlink), Ok(mut uplink)) = (
        Opus::new(),
        Transcoder::new("opus", 48000, "PCMU", 8000),
        Transcoder::new("PCMU", 8000, "opus", 48000),
    ) else {
        panic!("codecs set up");
    };
    let opus_packets = packets(&mut opus);
    let pcmu_packets = packets(&mut Pcmu::new());
    let pcm16 = signal(16000);

    let mut group = c.benchmark_group("transcode_per_20ms");
    group.throughput(Throughput::Elements(1));
    group.bench_function("opus_encode_alone", |b| {
        let mut encoder = Opus::new().unwrap_or_else(|_| panic!("opus"));
        let mut out = Vec::with_capacity(1500);
        let mut i = 0;
        b.iter(|| {
            out.clear();
            let frame = &pcm16[(i % 50) * 320..(i % 50 + 1) * 320];
            encoder.encode(black_box(frame), &mut out);
            i += 1;
            out.len()
        })
    });

    group.bench_function("resample_8k_to_16k", |b| {
        let Ok(mut resampler) = Resampler::new(8000, 16000, 20) else {
            panic!("resampler");
        };
        let pcm8 = signal(8000);
        let mut out = Vec::with_capacity(640);
        let mut i = 0;
        b.iter(|| {
            out.clear();
            let frame = &pcm8[(i % 50) * 160..(i % 50 + 1) * 160];
            resampler.process(black_box(frame), &mut out);
            i += 1;
            out.len()
        })
    });

    let mut sequence: u16 = 0;
    let mut out = Vec::with_capacity(1500);
    group.bench_function("opus_to_pcmu", |b| {
        b.iter(|| {
            let packet = &opus_packets[usize::from(sequence) % opus_packets.len()];
            downlink.push(sequence, black_box(packet));
            sequence = sequence.wrapping_add(1);
            out.clear();
            while downlink.poll_payload(&mut out) {}
            out.len()
        })
    });
    group.bench_function("pcmu_to_opus", |b| {
        b.iter(|| {
            let packet = &pcmu_packets[usize::from(sequence) % pcmu_packets.len()];
            uplink.push(sequence, black_box(packet));
            sequence = sequence.wrapping_add(1);
            out.clear();
            while uplink.poll_payload(&mut out) {}
            out.len()
        })
    });
    group.bench_function("call_both_directions", |b| {
        b.iter(|| {
            let index = usize::from(sequence) % 50;
            downlink.push(sequence, black_box(&opus_packets[index]));
            uplink.push(sequence, black_box(&pcmu_packets[index]));
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
