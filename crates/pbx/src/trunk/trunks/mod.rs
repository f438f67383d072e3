//! Every trunk of the dial plan at run time: registrations, resolved addresses, the
//! lines in use, and which trunk an inbound request came from.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::SeedableRng;
use sip::transaction::{ClientKey, Peer, Transmit};
use sip::{Request, Response};

use crate::dialplan::{AddressRule, Trunk, TrunkAuth, TrunkId};
use crate::trunk::account::{self, Account};
use crate::trunk::nat;
use crate::trunk::registration::Registration;
use crate::trunk::status::{TrunkState, TrunkStatus};

mod calls;

/// A REGISTER to hand to the transaction layer.
pub(crate) struct Outgoing {
    /// Report the outcome of sending with this.
    pub serial: u64,
    pub trunk: TrunkId,
    pub request: Request,
    pub target: Peer,
}

/// One trunk of the plan.
struct Entry {
    trunk: Trunk,
    /// Where its requests go: the runtime's resolution, or the address written in it.
    target: Option<Peer>,
    /// Allowed sources written as addresses or ranges in the trunk itself.
    literal_rules: Vec<AddressRule>,
    /// Allowed sources the runtime resolved from host names.
    resolved_rules: Vec<AddressRule>,
    /// Registration mode and enabled.
    registration: Option<Registration>,
}

impl Entry {
    fn status(&self) -> TrunkStatus {
        if !self.trunk.enabled {
            return TrunkStatus::Disabled;
        }
        match &self.registration {
            Some(reg) => reg.status(),
            None => TrunkStatus::Ip,
        }
    }

    fn contact_user(&self) -> Option<&str> {
        self.registration
            .as_ref()
            .map(|r| r.account().contact_user.as_str())
            .filter(|u| !u.is_empty())
    }
}

pub(crate) struct Trunks {
    /// In the plan's order, which is the order inbound matching tries them.
    entries: Vec<Entry>,
    /// Registrations of removed or changed trunks, taking their binding off the provider.
    leaving: Vec<(TrunkId, Registration)>,
    lines: HashMap<TrunkId, u32>,
    /// The state last reported per trunk, so that only changes become events.
    reported: HashMap<TrunkId, TrunkState>,
    events: VecDeque<TrunkState>,
    /// Keep-alives for trunks behind NAT, for the runtime to send.
    keepalives: VecDeque<Transmit>,
    next_serial: u64,
    /// Jitter, Call-IDs, tags and cnonces; seeded in simulations.
    rng: StdRng,
}

impl Trunks {
    pub fn new(seed: Option<u64>) -> Self {
        Trunks {
            entries: Vec::new(),
            leaving: Vec::new(),
            lines: HashMap::new(),
            reported: HashMap::new(),
            events: VecDeque::new(),
            keepalives: VecDeque::new(),
            next_serial: 0,
            rng: match seed {
                // Apart from the call model's stream, so adding a trunk does not change
                // the tags of calls in a simulation.
                Some(s) => StdRng::seed_from_u64(s ^ 0x7275_6e6b),
                None => StdRng::from_entropy(),
            },
        }
    }

    /// Takes a new set of trunks. New and changed registrations start at once; those
    /// of removed, disabled or re-addressed trunks are taken off the provider.
    pub fn configure(&mut self, now: Instant, trunks: &[Trunk]) {
        let mut old: HashMap<TrunkId, Entry> =
            self.entries.drain(..).map(|e| (e.trunk.id, e)).collect();
        let mut entries = Vec::with_capacity(trunks.len());
        for trunk in trunks {
            let previous = old.remove(&trunk.id);
            entries.push(self.entry_for(now, trunk, previous));
        }
        for (id, entry) in old {
            if let Some(mut reg) = entry.registration {
                reg.unregister(now);
                self.leaving.push((id, reg));
            }
        }
        self.entries = entries;
        self.tidy();
    }

    fn entry_for(&mut self, now: Instant, trunk: &Trunk, previous: Option<Entry>) -> Entry {
        let account = if trunk.enabled {
            Account::of(trunk)
        } else {
            None
        };
        let literal_rules = literal_rules(trunk);
        let Some(mut prev) = previous else {
            let target = account::literal_target(trunk);
            let registration = account.map(|a| self.start(now, a, target));
            return Entry {
                trunk: trunk.clone(),
                target,
                literal_rules,
                resolved_rules: Vec::new(),
                registration,
            };
        };
        if same_destination(&prev.trunk, trunk) {
            // Keep what the runtime resolved.
        } else {
            prev.target = account::literal_target(trunk);
        }
        if allowed_of(&prev.trunk) != allowed_of(trunk) {
            prev.resolved_rules.clear();
        }
        let unchanged = prev.registration.as_ref().map(|r| r.account()) == account.as_ref();
        if !unchanged {
            if let Some(mut reg) = prev.registration.take() {
                reg.unregister(now);
                self.leaving.push((trunk.id, reg));
            }
            prev.registration = account.map(|a| self.start(now, a, prev.target));
        }
        Entry {
            trunk: trunk.clone(),
            target: prev.target,
            literal_rules,
            resolved_rules: prev.resolved_rules,
            registration: prev.registration,
        }
    }

    fn start(&mut self, now: Instant, account: Account, target: Option<Peer>) -> Registration {
        self.next_serial += 1;
        Registration::new(now, self.next_serial, account, target, &mut self.rng)
    }

    /// The runtime resolved the trunk's host (or outbound proxy) to `target` and its
    /// allowed host names to `allowed`.
    pub fn set_target(
        &mut self,
        now: Instant,
        id: TrunkId,
        target: Option<Peer>,
        allowed: Vec<AddressRule>,
    ) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.trunk.id == id) {
            entry.target = target;
            entry.resolved_rules = allowed;
            if let Some(reg) = &mut entry.registration {
                reg.set_target(now, target);
            }
        }
        self.tidy();
    }

    pub fn network_changed(&mut self, now: Instant) {
        for reg in self
            .entries
            .iter_mut()
            .filter_map(|e| e.registration.as_mut())
        {
            reg.network_changed(now);
        }
        self.tidy();
    }

    /// The next REGISTER due at `now`. `local` gives our address towards a peer.
    pub fn poll_register(
        &mut self,
        now: Instant,
        local: impl Fn(Peer) -> Option<SocketAddr>,
        user_agent: &str,
    ) -> Option<Outgoing> {
        let regs = self
            .entries
            .iter_mut()
            .filter_map(|e| e.registration.as_mut().map(|r| (e.trunk.id, r)))
            .chain(self.leaving.iter_mut().map(|(id, r)| (*id, &mut *r)));
        for (trunk, reg) in regs {
            match reg.poll_request(now, &local, user_agent) {
                None => {}
                Some(Ok((request, target))) => {
                    return Some(Outgoing {
                        serial: reg.serial(),
                        trunk,
                        request,
                        target,
                    })
                }
                Some(Err(reason)) => reg.send_failed(now, reason, &mut self.rng),
            }
        }
        None
    }

    fn registration_mut(&mut self, serial: u64) -> Option<&mut Registration> {
        self.entries
            .iter_mut()
            .filter_map(|e| e.registration.as_mut())
            .chain(self.leaving.iter_mut().map(|(_, r)| r))
            .find(|r| r.serial() == serial)
    }

    pub fn register_sent(&mut self, serial: u64, key: ClientKey) {
        if let Some(reg) = self.registration_mut(serial) {
            reg.sent(key);
        }
    }

    pub fn register_not_sent(&mut self, now: Instant, serial: u64, reason: String) {
        let rng = &mut self.rng;
        let reg = self
            .entries
            .iter_mut()
            .filter_map(|e| e.registration.as_mut())
            .chain(self.leaving.iter_mut().map(|(_, r)| r))
            .find(|r| r.serial() == serial);
        if let Some(reg) = reg {
            reg.send_failed(now, reason, rng);
        }
        self.tidy();
    }

    /// A response (or the transaction layer's stand-in) for a REGISTER we sent.
    pub fn handle_response(&mut self, now: Instant, key: ClientKey, response: &Response) {
        let rng = &mut self.rng;
        let reg = self
            .entries
            .iter_mut()
            .filter_map(|e| e.registration.as_mut())
            .chain(self.leaving.iter_mut().map(|(_, r)| r))
            .find(|r| r.owns(key));
        if let Some(reg) = reg {
            reg.handle_response(now, response, rng);
        }
        self.tidy();
    }

    /// Queues the keep-alives due at `now`.
    pub fn queue_keepalives(&mut self, now: Instant) {
        for entry in &mut self.entries {
            let Some(reg) = &mut entry.registration else {
                continue;
            };
            if let Some(peer) = reg.poll_keepalive(now) {
                self.keepalives.push_back(Transmit {
                    transport: peer.transport,
                    dest: peer.addr,
                    bytes: nat::KEEPALIVE_BYTES.to_vec(),
                });
            }
        }
    }

    /// The next keep-alive to send.
    pub fn poll_keepalive(&mut self) -> Option<Transmit> {
        self.keepalives.pop_front()
    }

    /// When the next REGISTER or keep-alive is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.entries
            .iter()
            .filter_map(|e| e.registration.as_ref())
            .chain(self.leaving.iter().map(|(_, r)| r))
            .filter_map(Registration::poll_timeout)
            .min()
    }

    /// Drops finished de-registrations and queues an event for each trunk whose state
    /// changed.
    fn tidy(&mut self) {
        self.leaving.retain(|(_, r)| !r.is_done());
        let states = self.states();
        self.reported
            .retain(|id, _| states.iter().any(|s| s.id == *id));
        for state in states {
            if self.reported.get(&state.id) != Some(&state) {
                self.reported.insert(state.id, state.clone());
                self.events.push_back(state);
            }
        }
    }

    /// Whether a removed trunk's de-registration is still on its way.
    pub fn unregistering(&self) -> bool {
        !self.leaving.is_empty()
    }

    /// The next trunk state change, for `PbxEvent::TrunkStatus`.
    pub fn poll_event(&mut self) -> Option<TrunkState> {
        self.events.pop_front()
    }

    /// Every trunk's state, in the plan's order.
    pub fn states(&self) -> Vec<TrunkState> {
        self.entries
            .iter()
            .map(|e| TrunkState {
                id: e.trunk.id,
                name: e.trunk.name.clone(),
                status: e.status(),
                lines_in_use: self.lines_in_use(e.trunk.id),
                channels: e.trunk.channels,
            })
            .collect()
    }
}

fn same_destination(a: &Trunk, b: &Trunk) -> bool {
    a.host == b.host
        && a.port == b.port
        && a.transport == b.transport
        && a.outbound_proxy == b.outbound_proxy
}

fn allowed_of(trunk: &Trunk) -> &[String] {
    match &trunk.auth {
        TrunkAuth::Ip { allowed } => allowed,
        TrunkAuth::Registration { .. } => &[],
    }
}

/// The allowed entries that are addresses or ranges; host names wait for the runtime.
fn literal_rules(trunk: &Trunk) -> Vec<AddressRule> {
    allowed_of(trunk)
        .iter()
        .filter_map(|a| a.trim().parse().ok())
        .collect()
}
