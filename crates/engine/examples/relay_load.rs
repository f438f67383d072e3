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
    // The relay gets its own two threads so its CPU time can be told from the phones'.
    let relay_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("relay")
        .enable_all()
        .build()
        .expect("runtime");
    let phones_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("phones")
        .enable_all()
        .build()
        .expect("runtime");
    phones_runtime.block_on(run(relay_runtime.handle().clone(), calls, seconds));
}

async fn run(relay_runtime: tokio::runtime::Handle, calls: usize, seconds: u64) {
    let pool = RelayPool::new(10000..=29999);
    let received = Arc::new(AtomicU64::new(0));
    let mut relays = Vec::with_capacity(calls);
    let mut phones = Vec::with_capacity(calls);
    for _ in 0..calls {
        let (a, b) = (phone().await, phone().await);
        let ports = pool.allocate(LOOPBACK).expect("relay ports");
        let (to_a, to_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
        let peer = |s: &UdpSocket| s.local_addr().expect("addr");
        let _relay_context = relay_runtime.enter();
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
    let (cpu_before, relay_before) = (cpu_seconds("/proc/self/stat"), relay_cpu_seconds());
    let stop = started + Duration::from_secs(seconds);
    let sent = Arc::new(AtomicU64::new(0));
    // Twenty sender groups, each ticking every 20 ms at its own offset: the calls are
    // spread over the packet period as real calls would be, without a timer per call.
    const GROUPS: usize = 20;
    let phones = Arc::new(phones);
    let mut senders = Vec::new();
    for group in 0..GROUPS {
        let (phones, sent) = (Arc::clone(&phones), Arc::clone(&sent));
        senders.push(tokio::spawn(async move {
            let offset = Duration::from_micros(group as u64 * 20_000 / GROUPS as u64);
            tokio::time::sleep(offset).await;
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            let mut packet = [0xffu8; PACKET];
            packet[0] = 0x80;
            let mut seq: u16 = 0;
            while Instant::now() < stop {
                tick.tick().await;
                packet[2..4].copy_from_slice(&seq.to_be_bytes());
                seq = seq.wrapping_add(1);
                for (a, to_a, b, to_b) in phones.iter().skip(group).step_by(GROUPS) {
                    for (from, to) in [(a, *to_a), (b, *to_b)] {
                        if send(from, &packet, to) {
                            sent.fetch_add(1, Relaxed);
                        }
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
    let cpu = cpu_seconds("/proc/self/stat") - cpu_before;
    let relay_cpu = relay_cpu_seconds() - relay_before;
    println!(
        "calls {calls}  seconds {elapsed:.1}  sent {sent}  relayed {relayed}  received {got}  \
         lost {}  refused {refused}  undeliverable {undeliverable}  rate {:.0} pps  \
         cpu {cpu:.1} s, of which relay {relay_cpu:.1} s ({:.1} µs per relayed packet, \
         {:.2} cores)",
        sent.saturating_sub(got),
        relayed as f64 / elapsed,
        relay_cpu * 1e6 / relayed.max(1) as f64,
        relay_cpu / elapsed,
    );
}

/// CPU time of the threads named "relay".
fn relay_cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == "relay")
        })
        .map(|t| cpu_seconds(&t.path().join("stat").to_string_lossy()))
        .sum()
}

/// User plus system CPU time from a Linux `stat` file (100 ticks/s).
fn cpu_seconds(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// A phone socket with room to absorb bursts, so losses are the relay's, not the tool's.
async fn phone() -> UdpSocket {
    let socket = UdpSocket::bind((LOOPBACK, 0)).await.expect("bind phone");
    let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(1 << 20);
    socket
}

fn send(from: &UdpSocket, packet: &[u8], to: SocketAddr) -> bool {
    let to = socket2::SockAddr::from(to);
    socket2::SockRef::from(from).send_to(packet, &to).is_ok()
}
