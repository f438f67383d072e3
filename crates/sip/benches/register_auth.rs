//! The registrar's hot path: a REGISTER through the transaction layer, and digest
//! verification. Not a test; numbers go in BENCHMARKS.md.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use sip::auth::{Challenge, DigestConfig, DigestServer, Secret, Verdict};
use sip::transaction::{Endpoint, EndpointConfig, Event, Peer};
use sip::{Response, Transport};

fn register(i: u64) -> Vec<u8> {
    format!(
        "REGISTER sip:office.example SIP/2.0\r\n\
         Via: SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bK{i:016x}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:201@office.example>;tag=f{i}\r\n\
         To: <sip:201@office.example>\r\n\
         Call-ID: reg{i}@10.0.0.5\r\n\
         CSeq: 1 REGISTER\r\n\
         Contact: <sip:201@10.0.0.5:5060>;expires=3600\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn endpoint_round_trip(c: &mut Criterion) {
    let mut config = EndpointConfig::new("192.0.2.20".parse().expect("host"), Some(5060));
    config.seed = Some(1);
    let mut ep = Endpoint::new(config);
    let source = Peer {
        transport: Transport::Udp,
        addr: "198.51.100.7:40123".parse().expect("addr"),
    };
    let t0 = Instant::now();
    let i = std::cell::Cell::new(0u64);
    c.bench_function("register_request_to_response", |b| {
        b.iter_batched(
            || {
                i.set(i.get() + 1);
                register(i.get())
            },
            |bytes| {
                // 8,000 a second: time moves 125 µs per request, so Timer J keeps about
                // 32 s worth of transactions alive, as in production.
                let now = t0 + Duration::from_micros(125 * i.get());
                ep.handle_timeout(now);
                ep.handle_datagram(now, source, &bytes);
                if let Some(Event::Request { key, request, .. }) = ep.poll_event() {
                    let resp = Response::for_request(&request, 200, "OK");
                    let _ = ep.send_response(now, &key, resp);
                }
                ep.poll_transmit()
            },
            BatchSize::SmallInput,
        )
    });
}

fn digest_verify(c: &mut Criterion) {
    let t0 = Instant::now();
    let mut server = DigestServer::new(t0, DigestConfig::default());
    let challenge = server.challenge(t0, "office.example", false);
    let parsed = Challenge::parse(&challenge[0]).expect("challenge");
    let mut nc = 0u32;
    c.bench_function("digest_challenge", |b| {
        b.iter(|| server.challenge(t0, "office.example", false))
    });
    c.bench_function("digest_verify_sha256", |b| {
        b.iter_batched(
            || {
                nc += 1;
                parsed.authorization("201", "pw", "REGISTER", "sip:office.example", nc, "c0ffee")
            },
            |auth| {
                let verdict = server.verify(t0, "REGISTER", &auth, |_, _| {
                    Some(Secret::Password("pw".to_owned()))
                });
                assert!(matches!(verdict, Verdict::Authorized { .. }));
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, endpoint_round_trip, digest_verify);
criterion_main!(benches);
