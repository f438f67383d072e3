//! Load tool: N concurrent relayed G.711 calls on loopback, 50 packets/s each way.
//!
//! `cargo run --release -p engine --example relay_load -- [calls] [seconds]`
//!
//! Every call has two simulated phones sending 172-byte RTP packets every 20 ms; the tool
//! reports how many were relayed and lost. The phones run in the same process and share
//! the cores with the relay, so the numbers are a lower bound for the relay alone.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::relay::{RelayPool, Side};
use tokio::net::UdpSocket;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const PACKET: usize = 172;

fn main() {
    let mut args = std::env::args().skip(1);
    let calls: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1500);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(calls, seconds));
}

async fn run(calls: usize, seconds: u64) {
    let pool = RelayPool::new(10000..=29999);
    let received = Arc::new(AtomicU64::new(0));
    let mut relays = Vec::with_capacity(calls);
    let mut phones = Vec::with_capacity(calls);
    for _ in 0..calls {
        let (a, b) = (phone().await, phone().await);
        let ports = pool.allocate(LOOPBACK).expect("relay ports");
        let (to_a, to_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
        let peer = |s: &UdpSocket| s.local_addr().expect("addr");
        relays.push(pool.start(ports, peer(&a), peer(&b)).expect("start"));
        phones.push((Arc::new(a), to_a, Arc::new(b), to_b));
    }
    for (a, _, b, _) in &phones {
        for phone in [a, b] {
            let (phone, received) = (Arc::clone(phone), Arc::clone(&received));
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                while phone.recv_from(&mut buf).await.is_ok() {
                    received.fetch_add(1, Relaxed);
                }
            });
        }
    }

    let started = Instant::now();
    let stop = started + Duration::from_secs(seconds);
    let sent = Arc::new(AtomicU64::new(0));
    let mut senders = Vec::new();
    for (i, (a, to_a, b, to_b)) in phones.iter().enumerate() {
        let (a, b, to_a, to_b, sent) = (
            Arc::clone(a),
            Arc::clone(b),
            *to_a,
            *to_b,
            Arc::clone(&sent),
        );
        senders.push(tokio::spawn(async move {
            // Spread the calls over the 20 ms period as real calls would be.
            let offset = Duration::from_micros((i as u64 * 20_000) / calls.max(1) as u64);
            tokio::time::sleep(offset).await;
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            let mut packet = [0xffu8; PACKET];
            packet[0] = 0x80;
            let mut seq: u16 = 0;
            while Instant::now() < stop {
                tick.tick().await;
                packet[2..4].copy_from_slice(&seq.to_be_bytes());
                seq = seq.wrapping_add(1);
                for (from, to) in [(&a, to_a), (&b, to_b)] {
                    if send(from, &packet, to) {
                        sent.fetch_add(1, Relaxed);
                    }
                }
            }
        }));
    }
    for s in senders {
        let _ = s.await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let sent = sent.load(Relaxed);
    let got = received.load(Relaxed);
    let (mut relayed, mut refused, mut undeliverable) = (0, 0, 0);
    for r in &relays {
        let s = r.stats();
        relayed += s.a_to_b.packets + s.b_to_a.packets;
        refused += s.refused_a + s.refused_b;
        undeliverable += s.undeliverable;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "calls {calls}  seconds {elapsed:.1}  sent {sent}  relayed {relayed}  received {got}  \
         lost {}  refused {refused}  undeliverable {undeliverable}  rate {:.0} pps",
        sent.saturating_sub(got),
        relayed as f64 / elapsed,
    );
}

/// A phone socket with room to absorb bursts, so losses are the relay's, not the tool's.
async fn phone() -> UdpSocket {
    let socket = UdpSocket::bind((LOOPBACK, 0)).await.expect("bind phone");
    let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(1 << 20);
    socket
}

fn send(from: &UdpSocket, packet: &[u8], to: SocketAddr) -> bool {
    from.try_send_to(packet, to).is_ok()
}
