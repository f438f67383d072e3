//! The PBX and its phones on one virtual clock. Like quinn's `Pair::drive()`, time only
//! moves by jumping to the next thing that happens: a datagram arriving or someone's
//! timer firing.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pbx::{Action, CallRecord, Pbx, RelayPorts, Side};
use sip::transaction::Peer;

use super::net::{LinkConfig, Net};
use super::{addr, config, directory, FakeRelay, SimPhone, PBX_ADDR, UNIX_START};

/// A simple LAN: 5 ms each way, nothing lost.
pub const LAN: Duration = Duration::from_millis(5);

/// Steps at one instant before the world is declared stuck (a timer that never clears).
const MAX_STEPS_AT_ONE_INSTANT: usize = 10_000;

pub struct World {
    pub t0: Instant,
    pub now: Instant,
    pub net: Net,
    pub pbx: Pbx,
    pub pbx_addr: SocketAddr,
    /// Other addresses the PBX receives at: its socket listens on a wildcard address of
    /// a host with more than one network.
    pub pbx_also_at: Vec<SocketAddr>,
    pub phones: Vec<SimPhone>,
    /// Everything the PBX asked the runtime to do, in order.
    pub actions: Vec<Action>,
    /// Every port pair the relay handed out.
    pub relays: Arc<Mutex<Vec<RelayPorts>>>,
    steps_at_now: usize,
}

impl World {
    /// The office PBX on a link with `link`'s behaviour; `seed` drives the link and the
    /// PBX's tags and branches.
    pub fn new(seed: u64, link: LinkConfig) -> World {
        let t0 = Instant::now();
        let (relay, relays) = FakeRelay::new();
        let pbx = Pbx::new(t0, config(), directory(), Box::new(relay), Some(seed));
        World {
            t0,
            now: t0,
            net: Net::new(seed, link),
            pbx,
            pbx_addr: addr(PBX_ADDR),
            pbx_also_at: Vec::new(),
            phones: Vec::new(),
            actions: Vec::new(),
            relays,
            steps_at_now: 0,
        }
    }

    pub fn lan(seed: u64) -> World {
        World::new(seed, LinkConfig::perfect(LAN))
    }

    pub fn unix_now(&self) -> u64 {
        UNIX_START + (self.now - self.t0).as_secs()
    }

    /// Adds a phone; returns its index in [`World::phones`].
    pub fn add(&mut self, phone: SimPhone) -> usize {
        self.phones.push(phone);
        self.phones.len() - 1
    }

    /// Runs `f` on a phone at the current instant (a person pressing a button), then
    /// lets the phone's output out.
    pub fn with<R>(&mut self, phone: usize, f: impl FnOnce(&mut SimPhone, Instant) -> R) -> R {
        let now = self.now;
        let r = f(&mut self.phones[phone], now);
        self.flush();
        r
    }

    /// Registers every phone, answering the challenge; panics if one fails.
    pub fn register_all(&mut self) {
        for i in 0..self.phones.len() {
            self.with(i, |p, now| p.register(now));
        }
        let done = self.run_until(Duration::from_secs(40), |w| {
            w.phones.iter().all(|p| p.registered)
        });
        assert!(done, "every phone registers");
    }

    /// Moves every pending output into the network (or the action log) and every event
    /// into its phone, until nothing more comes out.
    pub fn flush(&mut self) {
        loop {
            let mut busy = false;
            while let Some(t) = self.pbx.poll_transmit() {
                self.net.send(self.now, self.pbx_addr, t);
                busy = true;
            }
            while let Some(a) = self.pbx.poll_action() {
                self.actions.push(a);
                busy = true;
            }
            for phone in &mut self.phones {
                while let Some(t) = phone.ep.poll_transmit() {
                    self.net.send(self.now, phone.addr, t);
                    busy = true;
                }
                while let Some(e) = phone.ep.poll_event() {
                    phone.on_event(self.now, e);
                    busy = true;
                }
            }
            if !busy {
                break;
            }
        }
    }

    /// Jumps to the next delivery or timer, if there is one by `limit`, and handles it.
    pub fn step(&mut self, limit: Instant) -> bool {
        self.flush();
        let next = std::iter::once(self.net.next_delivery())
            .chain(std::iter::once(self.pbx.poll_timeout()))
            .chain(self.phones.iter().map(|p| p.ep.poll_timeout()))
            .flatten()
            .min();
        let Some(next) = next.filter(|n| *n <= limit) else {
            return false;
        };
        if next <= self.now {
            self.steps_at_now += 1;
            assert!(
                self.steps_at_now < MAX_STEPS_AT_ONE_INSTANT,
                "the world is stuck at {:?}",
                self.now - self.t0
            );
        } else {
            self.now = next;
            self.steps_at_now = 0;
        }
        let unix = self.unix_now();
        for p in self.net.take_due(self.now) {
            if std::env::var_os("SIM_TRACE").is_some() {
                let text = String::from_utf8_lossy(&p.bytes);
                eprintln!("{:?} {} -> {}\n{text}", self.now - self.t0, p.from, p.to);
            }
            let from = Peer {
                transport: p.transport,
                addr: p.from,
            };
            if p.to == self.pbx_addr || self.pbx_also_at.contains(&p.to) {
                self.pbx.handle_input(self.now, unix, from, &p.bytes);
            } else if let Some(phone) = self.phones.iter_mut().find(|ph| ph.addr == p.to) {
                phone.ep.handle_datagram(self.now, from, &p.bytes);
            }
            self.flush();
        }
        if self.pbx.poll_timeout().is_some_and(|t| t <= self.now) {
            self.pbx.handle_timeout(self.now, unix);
        }
        for phone in &mut self.phones {
            if phone.ep.poll_timeout().is_some_and(|t| t <= self.now) {
                phone.ep.handle_timeout(self.now);
            }
        }
        self.flush();
        true
    }

    /// Steps until `done` holds or nothing happens within `limit` from now; says
    /// whether `done` held.
    pub fn run_until(&mut self, limit: Duration, done: impl Fn(&World) -> bool) -> bool {
        let deadline = self.now + limit;
        loop {
            if done(self) {
                return true;
            }
            if !self.step(deadline) {
                return done(self);
            }
        }
    }

    /// Lets `d` of virtual time pass, handling everything that happens in it.
    pub fn run_for(&mut self, d: Duration) {
        let deadline = self.now + d;
        while self.step(deadline) {}
        self.now = deadline;
        self.steps_at_now = 0;
    }

    /// Runs long enough for every transaction to finish (64·T1 plus a margin).
    pub fn settle(&mut self) {
        self.run_for(Duration::from_secs(40));
    }

    // --- what the PBX did ---------------------------------------------------------

    pub fn records(&self) -> Vec<&CallRecord> {
        super::records(&self.actions)
    }

    /// The peers the relay was told for `side`, in order.
    pub fn relay_peers(&self, side: Side) -> Vec<SocketAddr> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                Action::RelayPeer { side: s, peer, .. } if *s == side => Some(*peer),
                _ => None,
            })
            .collect()
    }

    pub fn relays_allocated(&self) -> Vec<RelayPorts> {
        self.relays.lock().expect("relay log").clone()
    }

    /// Whether every relay the PBX allocated was also closed.
    pub fn relays_all_closed(&self) -> bool {
        self.relays_allocated().iter().all(|r| {
            self.actions
                .iter()
                .any(|a| matches!(a, Action::RelayClose { id } if *id == r.id))
        })
    }
}
