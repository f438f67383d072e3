//! Simulated phones' audio: G.711 RTP every 20 ms, and what arrives back through the relay.
//!
//! One [`MediaSocket`] carries the streams of many calls (told apart by SSRC), as a
//! gateway would; the PBX still gives each call its own relay ports. Each packet carries
//! its send time in the first 8 payload bytes, so the receiver measures the one-way delay
//! through the relay without clock sync (sender and receiver share this process's clock).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use socket2::SockAddr;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::histogram::Histogram;
use crate::wire;

/// G.711 at 8 kHz in 20 ms packets (RFC 3551 §4.5.14).
pub const PAYLOAD: usize = 160;
const HEADER: usize = 12;
const PACKET: usize = HEADER + PAYLOAD;
pub const PACKET_INTERVAL: Duration = Duration::from_millis(20);
/// µ-law silence, so the payload is valid audio apart from the timestamp bytes.
const SILENCE: u8 = 0xff;

/// The clock all send stamps count from.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn stamp_ns(now: Instant) -> u64 {
    u64::try_from(now.saturating_duration_since(epoch()).as_nanos()).unwrap_or(u64::MAX)
}

/// The measurement phase, set by the orchestrator for every media socket at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Calls are being set up; nothing is sent.
    Idle,
    Sending,
    /// Sending stopped; late packets are still counted.
    Draining,
    /// Report and end.
    Done,
}

pub enum Command {
    /// Start a stream (it sends only while the phase is `Sending`).
    Start {
        ssrc: u32,
        dest: SocketAddr,
    },
    Stop {
        ssrc: u32,
    },
}

/// Where a call's audio goes in, and how to start its stream.
#[derive(Clone)]
pub struct MediaHandle {
    pub addr: SocketAddr,
    pub commands: mpsc::UnboundedSender<Command>,
}

/// A received stream's counters.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub packets: u64,
    pub duplicates: u64,
    /// RFC 3550 §6.4.1 interarrival jitter, in µs, over the delay measured from the send
    /// stamp (so the sender's own timing errors do not count).
    pub jitter_us: f64,
    last_transit_us: Option<f64>,
    first_seq: Option<u16>,
    seen: Vec<u64>,
}

impl Received {
    /// Counts a packet; returns false for a duplicate.
    fn add(&mut self, seq: u16, transit_us: f64) -> bool {
        let first = *self.first_seq.get_or_insert(seq);
        let offset = usize::from(seq.wrapping_sub(first));
        let (word, bit) = (offset / 64, offset % 64);
        if self.seen.len() <= word {
            self.seen.resize(word + 1, 0);
        }
        let Some(w) = self.seen.get_mut(word) else {
            return false;
        };
        if *w & (1 << bit) != 0 {
            self.duplicates += 1;
            return false;
        }
        *w |= 1 << bit;
        self.packets += 1;
        if let Some(last) = self.last_transit_us {
            let d = (transit_us - last).abs();
            self.jitter_us += (d - self.jitter_us) / 16.0;
        }
        self.last_transit_us = Some(transit_us);
        true
    }
}

/// What one media socket saw.
#[derive(Debug, Clone, Default)]
pub struct MediaReport {
    /// Packets sent, per SSRC.
    pub sent: HashMap<u32, u64>,
    pub received: HashMap<u32, Received>,
    /// One-way delay through the relay of every packet received.
    pub delay: Histogram,
    pub send_errors: u64,
    /// Send ticks that ran more than 10 ms late (the tool itself was starved of CPU).
    pub late_ticks: u64,
    pub foreign: u64,
}

struct Stream {
    dest: SockAddr,
    seq: u16,
    timestamp: u32,
    sent: u64,
}

/// Binds a media socket and starts its task. `offset` staggers the sockets' send ticks
/// over the 20 ms period, as independent phones would be.
pub async fn spawn(
    bind: SocketAddr,
    offset: Duration,
    phase: watch::Receiver<Phase>,
) -> std::io::Result<(MediaHandle, JoinHandle<MediaReport>)> {
    let socket = UdpSocket::bind(bind).await?;
    let addr = socket.local_addr()?;
    let (commands, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(socket, offset, phase, rx));
    Ok((MediaHandle { addr, commands }, task))
}

async fn run(
    socket: UdpSocket,
    offset: Duration,
    mut phase: watch::Receiver<Phase>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) -> MediaReport {
    wire::set_buffers(&socket, 4 << 20);
    let mut report = MediaReport::default();
    let mut streams: HashMap<u32, Stream> = HashMap::new();
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, PACKET_INTERVAL);
    let mut out = Vec::new();
    let mut dests = Vec::new();
    let mut bufs = wire::RecvBuffers::new(2048);
    let mut current = *phase.borrow();
    loop {
        tokio::select! {
            scheduled = tick.tick() => {
                if current != Phase::Sending {
                    continue;
                }
                let now = Instant::now();
                if now.saturating_duration_since(scheduled.into_std()) > Duration::from_millis(10) {
                    report.late_ticks += 1;
                }
                send_tick(&socket, &mut streams, &mut out, &mut dests, &mut report);
            }
            ready = socket.readable() => {
                if ready.is_err() {
                    continue;
                }
                // Drain what is queued, a batch per system call.
                for _ in 0..16 {
                    match wire::recv_many(&socket, &mut bufs) {
                        Ok(n) => {
                            for i in 0..n {
                                receive(&mut report, bufs.get(i));
                            }
                            if n < wire::BATCH {
                                break;
                            }
                        }
                        Err(_) => break,
                    }
                }
            }
            Some(cmd) = commands.recv() => match cmd {
                Command::Start { ssrc, dest } => {
                    streams.insert(ssrc, Stream { dest: SockAddr::from(dest), seq: rand::random(), timestamp: rand::random(), sent: 0 });
                }
                Command::Stop { ssrc } => {
                    if let Some(s) = streams.remove(&ssrc) {
                        *report.sent.entry(ssrc).or_default() += s.sent;
                    }
                }
            },
            changed = phase.changed() => {
                current = if changed.is_ok() { *phase.borrow() } else { Phase::Done };
                if current == Phase::Done {
                    break;
                }
            }
        }
    }
    for (ssrc, s) in streams {
        *report.sent.entry(ssrc).or_default() += s.sent;
    }
    report
}

/// One packet for every stream of the socket, sent in batches.
fn send_tick(
    socket: &UdpSocket,
    streams: &mut HashMap<u32, Stream>,
    out: &mut Vec<u8>,
    dests: &mut Vec<SockAddr>,
    report: &mut MediaReport,
) {
    out.clear();
    dests.clear();
    let now = Instant::now();
    for (&ssrc, s) in streams.iter() {
        write_packet(out, ssrc, s, now);
        dests.push(s.dest.clone());
    }
    let sent = wire::send_many(socket, out, PACKET, dests);
    for (i, s) in streams.values_mut().enumerate() {
        if i < sent {
            s.sent += 1;
            s.seq = s.seq.wrapping_add(1);
            s.timestamp = s.timestamp.wrapping_add(PAYLOAD as u32);
        }
    }
    report.send_errors += (dests.len() - sent) as u64;
}

/// Appends an RFC 3550 §5.1 packet (V=2, PT 0 = PCMU): the send stamp, then silence.
fn write_packet(out: &mut Vec<u8>, ssrc: u32, s: &Stream, now: Instant) {
    out.extend_from_slice(&[0x80, 0]);
    out.extend_from_slice(&s.seq.to_be_bytes());
    out.extend_from_slice(&s.timestamp.to_be_bytes());
    out.extend_from_slice(&ssrc.to_be_bytes());
    out.extend_from_slice(&stamp_ns(now).to_be_bytes());
    out.extend_from_slice(&[SILENCE; PAYLOAD - 8]);
}

fn receive(report: &mut MediaReport, data: &[u8]) {
    let now_ns = stamp_ns(Instant::now());
    let Ok(rtp) = media::rtp::RtpPacket::parse(data) else {
        report.foreign += 1;
        return;
    };
    let Some(sent_ns) = rtp
        .payload
        .first_chunk::<8>()
        .map(|b| u64::from_be_bytes(*b))
    else {
        report.foreign += 1;
        return;
    };
    let transit_ns = now_ns.saturating_sub(sent_ns);
    let stream = report.received.entry(rtp.ssrc).or_default();
    if stream.add(rtp.sequence, transit_ns as f64 / 1000.0) {
        report.delay.record_us(transit_ns / 1000);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_not_counted_twice_and_steady_delay_has_no_jitter() {
        let mut r = Received::default();
        assert!(r.add(65_534, 100.0));
        assert!(r.add(65_535, 100.0));
        assert!(r.add(0, 100.0));
        assert!(!r.add(65_535, 100.0));
        assert_eq!((r.packets, r.duplicates), (3, 1));
        assert_eq!(r.jitter_us, 0.0);
        r.add(1, 260.0);
        assert!((r.jitter_us - 10.0).abs() < 1e-9);
    }
}
