//! Per-packet cost of SRTP at the relay: protecting one 20 ms G.711 packet (160 bytes of
//! payload) and unprotecting one, AES_CM_128_HMAC_SHA1_80.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use media::rtp::RtpPacket;
use media::srtp::{SrtpContext, SrtpKey, SrtpSuite};

fn packet(seq: u16) -> Vec<u8> {
    let payload = [0x55u8; 160];
    let mut buf = Vec::new();
    RtpPacket::new(0, seq, u32::from(seq) * 160, 0x1234_5678, &payload).write(&mut buf);
    buf
}

fn bench(c: &mut Criterion) {
    let key = SrtpKey::random();
    let suite = SrtpSuite::AesCm128HmacSha1_80;
    let mut group = c.benchmark_group("srtp_per_packet");
    group.throughput(Throughput::Elements(1));
    group.bench_function("protect_rtp_160", |b| {
        let mut tx = SrtpContext::new(suite, &key);
        let plain = packet(1);
        let mut out = Vec::with_capacity(256);
        b.iter(|| tx.protect_rtp(black_box(&plain), &mut out))
    });
    group.bench_function("protect_and_unprotect_rtp_160", |b| {
        let mut tx = SrtpContext::new(suite, &key);
        let mut rx = SrtpContext::new(suite, &key);
        let (mut sealed, mut opened) = (Vec::with_capacity(256), Vec::with_capacity(256));
        let mut seq = 0u16;
        let mut plain = packet(0);
        b.iter(|| {
            // A fresh sequence number each time: the replay list refuses repeats.
            seq = seq.wrapping_add(1);
            plain[2..4].copy_from_slice(&seq.to_be_bytes());
            let _ = tx.protect_rtp(&plain, &mut sealed);
            rx.unprotect_rtp(black_box(&sealed), &mut opened)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
