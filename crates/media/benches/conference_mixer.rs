//! Cost of one 20 ms tick of a 20-participant G.711 conference at 8 kHz.
//!
//! `mix_*` times the mixer alone; `g711_tick` adds decoding every participant's packet
//! and encoding what each hears; `full_tick` adds each participant's jitter buffer (one
//! packet in, one frame out). Two mixes: three talkers over a quiet room (the usual
//! meeting) and everyone loud at once (the limiter busy on every output).
//! `room_tick_20_pcmu_at_16k` is the path the PBX's rooms take: each PCMU participant
//! decoded, resampled to the room's 16 kHz, mixed, and resampled back for its encoder.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use media::codec::{ulaw_encode, Codec, Pcmu, Resampler};
use media::jitter::{JitterBuffer, JitterConfig, Playout};
use media::mixer::{Mixer, ParticipantId};
use media::rtp::RtpPacket;
use media::tone::{Tone, ToneGenerator};

const RATE: u32 = 8000;
const FRAME: usize = 160;
const PARTICIPANTS: usize = 20;

/// One 20 ms frame per participant: the first `talkers` speak a tone at `amplitude`,
/// the others send near-silence (line noise of a few units).
fn frames(talkers: usize, amplitude: f64) -> Vec<Vec<i16>> {
    (0..PARTICIPANTS)
        .map(|i| {
            let mut frame = vec![0i16; FRAME];
            if i < talkers {
                let tone = Tone {
                    amplitude,
                    ..Tone::continuous(300.0 + 97.0 * i as f64)
                };
                ToneGenerator::new(tone, RATE).fill(&mut frame);
            } else {
                for (n, s) in frame.iter_mut().enumerate() {
                    *s = ((n * 7 + i) % 5) as i16 - 2;
                }
            }
            frame
        })
        .collect()
}

fn room() -> (Mixer, Vec<ParticipantId>) {
    let mut mixer = Mixer::new(RATE, FRAME);
    let ids = (0..PARTICIPANTS).map(|_| mixer.join()).collect();
    (mixer, ids)
}

fn mix_only(c: &mut Criterion, name: &str, input: &[Vec<i16>]) {
    let (mut mixer, ids) = room();
    c.bench_function(name, |b| {
        b.iter(|| {
            for (id, frame) in ids.iter().zip(input) {
                mixer.push(*id, black_box(frame));
            }
            mixer.mix();
            black_box(mixer.output(ids[0]).map(|o| o[0]))
        })
    });
}

fn bench(c: &mut Criterion) {
    let meeting = frames(3, 0.2);
    let loud = frames(PARTICIPANTS, 0.3);
    mix_only(c, "mix_20_three_talkers", &meeting);
    mix_only(c, "mix_20_all_loud", &loud);

    let payloads: Vec<Vec<u8>> = meeting
        .iter()
        .map(|f| f.iter().map(|s| ulaw_encode(*s)).collect())
        .collect();

    c.bench_function("g711_tick_20", |b| {
        let (mut mixer, ids) = room();
        let mut decoders: Vec<Pcmu> = (0..PARTICIPANTS).map(|_| Pcmu::new()).collect();
        let mut encoders: Vec<Pcmu> = (0..PARTICIPANTS).map(|_| Pcmu::new()).collect();
        let mut pcm = Vec::with_capacity(FRAME);
        let mut out = Vec::with_capacity(FRAME);
        b.iter(|| {
            for ((id, payload), decoder) in ids.iter().zip(&payloads).zip(&mut decoders) {
                pcm.clear();
                decoder.decode(Some(black_box(payload)), &mut pcm);
                mixer.push(*id, &pcm);
            }
            mixer.mix();
            for (id, encoder) in ids.iter().zip(&mut encoders) {
                out.clear();
                encoder.encode(mixer.output(*id).unwrap_or_default(), &mut out);
                black_box(&out);
            }
        })
    });

    c.bench_function("full_tick_20", |b| {
        let (mut mixer, ids) = room();
        let mut buffers: Vec<JitterBuffer> = (0..PARTICIPANTS)
            .map(|_| JitterBuffer::new(JitterConfig::new(RATE)))
            .collect();
        let mut decoders: Vec<Pcmu> = (0..PARTICIPANTS).map(|_| Pcmu::new()).collect();
        let mut encoders: Vec<Pcmu> = (0..PARTICIPANTS).map(|_| Pcmu::new()).collect();
        let mut pcm = Vec::with_capacity(FRAME);
        let mut out = Vec::with_capacity(FRAME);
        let start = Instant::now();
        let mut tick: u32 = 0;
        b.iter(|| {
            let now = start + Duration::from_millis(20) * tick;
            for (i, ((id, payload), (jb, decoder))) in ids
                .iter()
                .zip(&payloads)
                .zip(buffers.iter_mut().zip(&mut decoders))
                .enumerate()
            {
                let packet =
                    RtpPacket::new(0, tick as u16, tick.wrapping_mul(160), i as u32, payload);
                jb.push(now, &packet);
                pcm.clear();
                match jb.pop(now) {
                    Playout::Packet { payload, .. } => decoder.decode(Some(payload), &mut pcm),
                    Playout::Lost => decoder.decode(None, &mut pcm),
                    Playout::Waiting | Playout::Silence => pcm.resize(FRAME, 0),
                }
                mixer.push(*id, &pcm);
            }
            mixer.mix();
            for (id, encoder) in ids.iter().zip(&mut encoders) {
                out.clear();
                encoder.encode(mixer.output(*id).unwrap_or_default(), &mut out);
                black_box(&out);
            }
            tick = tick.wrapping_add(1);
        })
    });

    c.bench_function("room_tick_20_pcmu_at_16k", |b| {
        const ROOM_RATE: u32 = 16_000;
        let mut mixer = Mixer::new(ROOM_RATE, FRAME * 2);
        let ids: Vec<ParticipantId> = (0..PARTICIPANTS).map(|_| mixer.join()).collect();
        let resampler = |from, to| Resampler::new(from, to, 20).expect("8 and 16 kHz resample");
        let mut up: Vec<Resampler> = (0..PARTICIPANTS)
            .map(|_| resampler(RATE, ROOM_RATE))
            .collect();
        let mut down: Vec<Resampler> = (0..PARTICIPANTS)
            .map(|_| resampler(ROOM_RATE, RATE))
            .collect();
        let mut decoders: Vec<Pcmu> = (0..PARTICIPANTS).map(|_| Pcmu::new()).collect();
        let mut encoders: Vec<Pcmu> = (0..PARTICIPANTS).map(|_| Pcmu::new()).collect();
        let (mut pcm, mut wide, mut narrow, mut out) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        b.iter(|| {
            for (((id, payload), decoder), up) in
                ids.iter().zip(&payloads).zip(&mut decoders).zip(&mut up)
            {
                pcm.clear();
                decoder.decode(Some(black_box(payload)), &mut pcm);
                wide.clear();
                up.process(&pcm, &mut wide);
                mixer.push(*id, &wide);
            }
            mixer.mix();
            for ((id, encoder), down) in ids.iter().zip(&mut encoders).zip(&mut down) {
                narrow.clear();
                down.process(mixer.output(*id).unwrap_or_default(), &mut narrow);
                out.clear();
                encoder.encode(&narrow, &mut out);
                black_box(&out);
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
