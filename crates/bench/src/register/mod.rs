//! Phones that register over and over: the REGISTER/s measurement, and the one-off
//! registration every other measurement starts with.
//!
//! One [`RegisterLane`] drives a few hundred phones on one UDP socket. Each phone keeps
//! its Call-ID and raises CSeq per refresh (RFC 3261 §10.2.4); the first REGISTER is
//! challenged and later ones reuse the nonce with a rising nonce-count until it goes stale.

mod lane;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;

pub use lane::RegisterLane;

use crate::extensions::Extension;
use crate::histogram::Histogram;
use crate::process::{Cost, CostMeter};

/// Counters of a registration run.
#[derive(Debug, Clone, Default)]
pub struct RegisterStats {
    /// Authenticated REGISTERs answered 200.
    pub ok: u64,
    /// 401s to REGISTERs sent without credentials (expected once per phone).
    pub challenged: u64,
    /// 401 `stale=true` to credentials with an expired or replayed nonce.
    pub stale: u64,
    /// 401 without `stale` to credentials: the password was refused.
    pub rejected: u64,
    /// Other final responses, by status.
    pub other: BTreeMap<u16, u64>,
    /// REGISTERs never answered within the timeout.
    pub timeouts: u64,
    pub retransmits: u64,
    /// Request to 200, for authenticated REGISTERs.
    pub latency: Histogram,
}

impl RegisterStats {
    pub fn merge(&mut self, o: &RegisterStats) {
        self.ok += o.ok;
        self.challenged += o.challenged;
        self.stale += o.stale;
        self.rejected += o.rejected;
        for (s, n) in &o.other {
            *self.other.entry(*s).or_default() += n;
        }
        self.timeouts += o.timeouts;
        self.retransmits += o.retransmits;
        self.latency.merge(&o.latency);
    }

    /// Requests that did not end in a 200 or an expected challenge.
    pub fn failures(&self) -> u64 {
        self.rejected + self.other.values().sum::<u64>() + self.timeouts
    }
}

/// How long a lane keeps registering.
#[derive(Debug, Clone, Copy)]
pub enum Until {
    /// Each phone once, successfully or not.
    Once,
    /// Refresh continuously; no new REGISTER starts at or after this instant.
    Deadline(Instant),
}

/// Binds a UDP socket on the loopback or wildcard address of `server`'s family.
pub async fn bind_near(server: SocketAddr) -> std::io::Result<UdpSocket> {
    let ip = server.ip();
    let local: SocketAddr = if ip.is_loopback() {
        SocketAddr::new(ip, 0)
    } else if ip.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let socket = UdpSocket::bind(local).await?;
    // A few hundred phones' responses arrive in bursts while the tool shares the CPU.
    crate::wire::set_buffers(&socket, 4 << 20);
    Ok(socket)
}

/// Parameters of the REGISTER/s measurement.
#[derive(Debug, Clone)]
pub struct RegisterLoad {
    pub server: SocketAddr,
    pub extensions: Vec<Extension>,
    pub duration: Duration,
    /// REGISTERs outstanding at once, across all phones.
    pub concurrency: usize,
    pub phones_per_socket: usize,
    pub expires: u32,
    pub timeout: Duration,
    /// The daemon, to report its CPU use during the run.
    pub server_pid: Option<u32>,
}

/// The measurement's outcome.
#[derive(Debug, Clone)]
pub struct RegisterReport {
    pub stats: RegisterStats,
    pub elapsed: Duration,
    pub phones: usize,
    pub sockets: usize,
    pub cost: Cost,
}

impl RegisterReport {
    pub fn per_second(&self) -> f64 {
        self.stats.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs the phones of `load` against the server until the duration is over.
pub async fn run(load: RegisterLoad) -> anyhow::Result<RegisterReport> {
    let chunks: Vec<Vec<Extension>> = load
        .extensions
        .chunks(load.phones_per_socket.max(1))
        .map(<[Extension]>::to_vec)
        .collect();
    let total = load.extensions.len().max(1);
    let meter = CostMeter::start(load.server_pid);
    let started = Instant::now();
    let deadline = started + load.duration;
    let mut tasks = Vec::new();
    for chunk in &chunks {
        let socket = bind_near(load.server).await?;
        let local = local_addr_for(&socket, load.server)?;
        let window = (load.concurrency * chunk.len()).div_ceil(total);
        let mut lane = RegisterLane::new(
            load.server,
            local,
            chunk,
            window,
            load.expires,
            load.timeout,
        );
        tasks.push(tokio::spawn(async move {
            lane.run(&socket, Until::Deadline(deadline)).await;
            lane.stats
        }));
    }
    let mut stats = RegisterStats::default();
    for t in tasks {
        stats.merge(&t.await?);
    }
    Ok(RegisterReport {
        stats,
        elapsed: started.elapsed(),
        phones: load.extensions.len(),
        sockets: chunks.len(),
        cost: meter.finish(),
    })
}

/// The address the server sees us at: the socket's own, with a wildcard replaced by the
/// loopback of the same family.
pub fn local_addr_for(socket: &UdpSocket, server: SocketAddr) -> std::io::Result<SocketAddr> {
    let mut local = socket.local_addr()?;
    if local.ip().is_unspecified() {
        local.set_ip(server.ip());
    }
    Ok(local)
}
