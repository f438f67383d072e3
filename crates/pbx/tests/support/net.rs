//! A seeded, sans-IO network: each datagram may be lost, duplicated and delayed by a
//! random amount (more jitter than the gap between packets means reordering). Packets
//! are delivered by destination address; nothing moves until the world's clock does.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sip::transaction::Transmit;
use sip::Transport;

#[derive(Debug, Clone, Copy)]
pub struct LinkConfig {
    pub loss: f64,
    pub duplicate: f64,
    pub delay: Duration,
    /// Extra random delay, up to this much.
    pub jitter: Duration,
}

impl LinkConfig {
    /// A LAN that never loses or reorders: every datagram takes exactly `delay`.
    pub fn perfect(delay: Duration) -> Self {
        LinkConfig {
            loss: 0.0,
            duplicate: 0.0,
            delay,
            jitter: Duration::ZERO,
        }
    }
}

/// A datagram on its way.
#[derive(Debug, Clone)]
pub struct Packet {
    pub at: Instant,
    order: u64,
    pub transport: Transport,
    pub from: SocketAddr,
    pub to: SocketAddr,
    pub bytes: Vec<u8>,
}

impl Packet {
    /// The first line, for failure messages and for counting messages on the wire.
    pub fn first_line(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        text.lines().next().unwrap_or_default().to_owned()
    }

    pub fn parse(&self) -> Option<sip::Message> {
        sip::parse(&self.bytes).ok()
    }
}

pub struct Net {
    rng: StdRng,
    pub config: LinkConfig,
    in_flight: Vec<Packet>,
    order: u64,
    /// Every datagram handed to the network, lost or not, in sending order.
    pub sent: Vec<Packet>,
    pub lost: usize,
}

impl Net {
    pub fn new(seed: u64, config: LinkConfig) -> Self {
        Net {
            rng: StdRng::seed_from_u64(seed),
            config,
            in_flight: Vec::new(),
            order: 0,
            sent: Vec::new(),
            lost: 0,
        }
    }

    pub fn send(&mut self, now: Instant, from: SocketAddr, t: Transmit) {
        self.order += 1;
        let packet = Packet {
            at: now + self.config.delay,
            order: self.order,
            transport: t.transport,
            from,
            to: t.dest,
            bytes: t.bytes,
        };
        self.sent.push(packet.clone());
        if self.config.loss > 0.0 && self.rng.gen_bool(self.config.loss) {
            self.lost += 1;
            return;
        }
        let copies = if self.config.duplicate > 0.0 && self.rng.gen_bool(self.config.duplicate) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let mut p = packet.clone();
            p.at += self.config.jitter.mul_f64(self.rng.gen_range(0.0..1.0));
            self.order += 1;
            p.order = self.order;
            self.in_flight.push(p);
        }
    }

    pub fn next_delivery(&self) -> Option<Instant> {
        self.in_flight.iter().map(|p| p.at).min()
    }

    /// Packets due by `now`, earliest first (ties in sending order).
    pub fn take_due(&mut self, now: Instant) -> Vec<Packet> {
        let (mut due, rest): (Vec<_>, Vec<_>) = self.in_flight.drain(..).partition(|p| p.at <= now);
        self.in_flight = rest;
        due.sort_by_key(|p| (p.at, p.order));
        due
    }

    /// Datagrams sent from `from` to `to` whose first line contains `needle`.
    pub fn count_sent(&self, from: SocketAddr, to: SocketAddr, needle: &str) -> usize {
        self.sent
            .iter()
            .filter(|p| p.from == from && p.to == to && p.first_line().contains(needle))
            .count()
    }
}
