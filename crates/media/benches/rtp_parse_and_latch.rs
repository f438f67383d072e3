//! Per-packet cost of the relay's hot path: read the RTP header, decide on the source.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use media::relay::{LatchConfig, Leg};
use media::rtp::RtpPacket;

fn packet() -> Vec<u8> {
    let payload = [0xffu8; 160];
    let mut buf = Vec::new();
    RtpPacket::new(0, 1, 160, 0x1234_5678, &payload).write(&mut buf);
    buf
}

fn bench(c: &mut Criterion) {
    let buf = packet();
    let phone: SocketAddr = "192.0.2.10:4000"
        .parse()
        .unwrap_or(SocketAddr::from(([0; 4], 0)));
    let stranger: SocketAddr = "198.51.100.7:4000".parse().unwrap_or(phone);
    let now = Instant::now();

    let mut group = c.benchmark_group("relay_per_packet");
    group.throughput(Throughput::Elements(1));
    group.bench_function("rtp_parse", |b| {
        b.iter(|| RtpPacket::parse(black_box(&buf)).map(|p| p.sequence))
    });
    group.bench_function("latch_latched_source", |b| {
        let mut leg = Leg::new(phone, LatchConfig::default());
        leg.on_packet(now, phone);
        b.iter(|| leg.on_packet(black_box(now), black_box(phone)))
    });
    group.bench_function("latch_foreign_source", |b| {
        let mut leg = Leg::new(phone, LatchConfig::default());
        b.iter(|| leg.on_packet(black_box(now), black_box(stranger)))
    });
    group.bench_function("parse_and_latch", |b| {
        let mut leg = Leg::new(phone, LatchConfig::default());
        b.iter(|| {
            let ok = RtpPacket::parse(black_box(&buf)).is_ok();
            (ok, leg.on_packet(black_box(now), black_box(phone)))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
