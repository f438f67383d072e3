//! A seeded, sans-IO network between two endpoints: each datagram may be lost,
//! duplicated and delayed by a random amount (so later ones can overtake it). Time only
//! moves when the world jumps to the next delivery or timer.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sip::transaction::{Endpoint, Event, Peer, Transmit};

#[derive(Debug, Clone, Copy)]
pub struct NetConfig {
    pub loss: f64,
    pub duplicate: f64,
    pub min_delay: Duration,
    /// Extra random delay up to this much; larger than the gap between packets means
    /// reordering.
    pub jitter: Duration,
}

struct Packet {
    at: Instant,
    order: u64,
    from: Peer,
    to: SocketAddr,
    bytes: Vec<u8>,
}

pub struct Net {
    rng: StdRng,
    config: NetConfig,
    in_flight: Vec<Packet>,
    order: u64,
    pub sent: usize,
    pub lost: usize,
}

impl Net {
    pub fn new(seed: u64, config: NetConfig) -> Self {
        Net {
            rng: StdRng::seed_from_u64(seed),
            config,
            in_flight: Vec::new(),
            order: 0,
            sent: 0,
            lost: 0,
        }
    }

    fn send(&mut self, now: Instant, from: SocketAddr, t: Transmit) {
        self.sent += 1;
        if self.rng.gen_bool(self.config.loss) {
            self.lost += 1;
            return;
        }
        let copies = if self.rng.gen_bool(self.config.duplicate) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let jitter = self.config.jitter.mul_f64(self.rng.gen_range(0.0..1.0));
            self.order += 1;
            self.in_flight.push(Packet {
                at: now + self.config.min_delay + jitter,
                order: self.order,
                from: Peer {
                    transport: t.transport,
                    addr: from,
                },
                to: t.dest,
                bytes: t.bytes.clone(),
            });
        }
    }

    fn next_delivery(&self) -> Option<Instant> {
        self.in_flight.iter().map(|p| p.at).min()
    }

    fn take_due(&mut self, now: Instant) -> Vec<Packet> {
        let (mut due, rest): (Vec<_>, Vec<_>) = self.in_flight.drain(..).partition(|p| p.at <= now);
        self.in_flight = rest;
        due.sort_by_key(|p| (p.at, p.order));
        due
    }
}

/// The transaction user at one node: reacts to events by calling the endpoint.
pub trait Tu {
    fn on_event(&mut self, now: Instant, ep: &mut Endpoint, event: Event);
}

pub struct Node<T> {
    pub ep: Endpoint,
    pub addr: SocketAddr,
    pub tu: T,
}

pub struct World<A, B> {
    pub now: Instant,
    pub net: Net,
    pub a: Node<A>,
    pub b: Node<B>,
}

impl<A: Tu, B: Tu> World<A, B> {
    pub fn new(now: Instant, net: Net, a: Node<A>, b: Node<B>) -> Self {
        World { now, net, a, b }
    }

    /// Moves every pending output into the network and every event into its TU, until
    /// nothing more comes out.
    pub fn flush(&mut self) {
        loop {
            let mut busy = false;
            busy |= pump(self.now, &mut self.net, &mut self.a);
            busy |= pump(self.now, &mut self.net, &mut self.b);
            if !busy {
                break;
            }
        }
    }

    /// Advances to the next delivery or timer. Returns false when nothing is pending
    /// before `limit`.
    pub fn step(&mut self, limit: Instant) -> bool {
        self.flush();
        let next = [
            self.net.next_delivery(),
            self.a.ep.poll_timeout(),
            self.b.ep.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next.filter(|n| *n <= limit) else {
            return false;
        };
        self.now = self.now.max(next);
        for p in self.net.take_due(self.now) {
            let node_ep = if p.to == self.a.addr {
                &mut self.a.ep
            } else if p.to == self.b.addr {
                &mut self.b.ep
            } else {
                continue;
            };
            node_ep.handle_datagram(self.now, p.from, &p.bytes);
        }
        self.a.ep.handle_timeout(self.now);
        self.b.ep.handle_timeout(self.now);
        self.flush();
        true
    }

    /// Steps until `done` holds or nothing is left to do before `limit`.
    pub fn run(&mut self, limit: Instant, done: impl Fn(&Self) -> bool) {
        while !done(self) && self.step(limit) {}
    }
}

fn pump<T: Tu>(now: Instant, net: &mut Net, node: &mut Node<T>) -> bool {
    let mut busy = false;
    while let Some(t) = node.ep.poll_transmit() {
        net.send(now, node.addr, t);
        busy = true;
    }
    while let Some(e) = node.ep.poll_event() {
        node.tu.on_event(now, &mut node.ep, e);
        busy = true;
    }
    busy
}
