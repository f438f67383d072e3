//! One trunk's registration with its provider (RFC 3261 §10.2), as a state machine
//! that never sends anything itself: it says when a REGISTER is due, builds it, and
//! reads the answer. Retries follow RFC 5626 §4.5.

use std::net::SocketAddr;
use std::time::Instant;

use rand::Rng;
use sip::auth::{Challenge, ChallengeOrigin};
use sip::transaction::{ClientKey, Peer};
use sip::Request;

use crate::trunk::account::{Account, RegisterRequest};
use crate::trunk::nat;
use crate::trunk::status::TrunkStatus;

mod reply;

/// The longest Retry-After we obey; a provider asking for more is asked again a day
/// later rather than never.
const MAX_RETRY_AFTER: u64 = 24 * 3600;

/// Where the registration stands, named for what it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// No address for the provider yet.
    Resolving,
    /// No registration in place; a REGISTER is due or on its way.
    Registering,
    Registered {
        granted: u32,
    },
    Failing {
        reason: String,
        retry_in: u64,
    },
    Rejected {
        reason: String,
    },
    /// The trunk is gone: our binding is being removed (Expires: 0).
    Unregistering,
    /// Nothing left to do; the registration can be dropped.
    Done,
}

/// The challenge we answer with, and how often we used its nonce.
#[derive(Debug, Clone)]
struct Credentials {
    origin: ChallengeOrigin,
    challenge: Challenge,
    nc: u32,
    cnonce: String,
}

/// A REGISTER on its way.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    /// Set once the transaction layer took it.
    key: Option<ClientKey>,
    /// It answered a challenge of this origin from the previous response: a new
    /// challenge of the same origin now means the password was refused, unless it
    /// says the nonce was only stale.
    fresh_credentials: Option<ChallengeOrigin>,
    /// Our address towards the provider when it was sent.
    local: SocketAddr,
    /// The Contact it registered.
    contact: SocketAddr,
    /// It was sent to correct the Contact; its answer may not correct it again, so a
    /// NAT that changes its mapping per request cannot make us loop.
    corrects_contact: bool,
}

pub(crate) struct Registration {
    /// Names this registration among all, also after its trunk is gone.
    serial: u64,
    account: Account,
    target: Option<Peer>,
    state: State,
    /// When the next REGISTER is due; `None` while one is in flight or none is wanted.
    send_at: Option<Instant>,
    in_flight: Option<InFlight>,
    /// Consecutive failures, for the backoff (RFC 5626 §4.5).
    failures: u32,
    /// One per origin: a proxy on the way and the registrar may both challenge
    /// (RFC 3261 §22.3).
    credentials: Vec<Credentials>,
    /// The next REGISTER answers a challenge of this origin just received.
    answer_fresh: Option<ChallengeOrigin>,
    /// The lifetime we ask for; raised by a 423 (RFC 3261 §10.2.8).
    expires: u32,
    call_id: String,
    from_tag: String,
    cseq: u32,
    /// The provider may hold a binding of ours, so removing the trunk must remove it.
    bound: bool,
    /// The Contact address registered last, so that a moved Contact or the removal
    /// takes that binding off the provider.
    last_contact: Option<SocketAddr>,
    /// Behind NAT: our local address and the address the provider saw it as.
    nat: Option<nat::Mapping>,
    /// The next REGISTER corrects the Contact after a NAT was found.
    correcting_contact: bool,
    /// Behind NAT over UDP: when to send the next keep-alive, so that the NAT keeps
    /// the mapping the provider's calls come in through.
    keepalive_at: Option<Instant>,
}

impl Registration {
    pub fn new(
        now: Instant,
        serial: u64,
        account: Account,
        target: Option<Peer>,
        rng: &mut impl Rng,
    ) -> Self {
        let expires = account.expires;
        let mut reg = Registration {
            serial,
            account,
            target: None,
            state: State::Resolving,
            send_at: None,
            in_flight: None,
            failures: 0,
            credentials: Vec::new(),
            answer_fresh: None,
            expires,
            call_id: crate::util::token(rng),
            from_tag: crate::util::token(rng),
            cseq: 0,
            bound: false,
            last_contact: None,
            nat: None,
            correcting_contact: false,
            keepalive_at: None,
        };
        reg.set_target(now, target);
        reg
    }

    pub fn serial(&self) -> u64 {
        self.serial
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    pub fn status(&self) -> TrunkStatus {
        match &self.state {
            State::Resolving => TrunkStatus::Resolving,
            State::Registering | State::Unregistering | State::Done => TrunkStatus::Registering,
            State::Registered { granted } => TrunkStatus::Registered {
                expires_in: u64::from(*granted),
            },
            State::Failing { reason, retry_in } => TrunkStatus::Failing {
                reason: reason.clone(),
                retry_in: *retry_in,
            },
            State::Rejected { reason } => TrunkStatus::Rejected {
                reason: reason.clone(),
            },
        }
    }

    /// When a REGISTER or a keep-alive is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.send_at, self.keepalive_at]
            .into_iter()
            .flatten()
            .min()
    }

    /// The provider to send a keep-alive to, if one is due at `now`. Only while
    /// registered through a NAT over UDP; streams keep their own connection alive.
    pub fn poll_keepalive(&mut self, now: Instant) -> Option<Peer> {
        if self.keepalive_at.is_none_or(|at| at > now) {
            return None;
        }
        let target = self.target.filter(|t| t.transport == sip::Transport::Udp);
        let wanted = matches!(self.state, State::Registered { .. }) && self.nat.is_some();
        match target {
            Some(target) if wanted => {
                self.keepalive_at = Some(now + nat::KEEPALIVE);
                Some(target)
            }
            _ => {
                self.keepalive_at = None;
                None
            }
        }
    }

    /// Whether `key` is the REGISTER this registration waits for.
    pub fn owns(&self, key: ClientKey) -> bool {
        self.in_flight.is_some_and(|f| f.key == Some(key))
    }

    /// The provider's address changed (or became known).
    pub fn set_target(&mut self, now: Instant, target: Option<Peer>) {
        if target == self.target && self.state != State::Resolving {
            return;
        }
        self.target = target;
        match (&self.state, target) {
            (State::Rejected { .. } | State::Unregistering | State::Done, _) => {}
            (_, None) => {
                self.state = State::Resolving;
                self.send_at = None;
                self.in_flight = None;
            }
            (_, Some(_)) => self.restart(now),
        }
    }

    /// RFC 5626 §4.4.1: when the network comes back, register again at once rather
    /// than waiting out a backoff or a refresh. A refused login stays refused.
    pub fn network_changed(&mut self, now: Instant) {
        match self.state {
            State::Registering | State::Registered { .. } | State::Failing { .. } => {
                self.restart(now)
            }
            State::Resolving | State::Rejected { .. } | State::Unregistering | State::Done => {}
        }
    }

    /// Registers again now, forgetting any REGISTER still in flight (its answer will
    /// be ignored) and the failure count.
    fn restart(&mut self, now: Instant) {
        self.in_flight = None;
        // A NAT mapping found earlier stays while our local address is the same (see
        // `nat::contact_for`); if the NAT changed, the next answer corrects it.
        self.failures = 0;
        self.send_at = Some(now);
        if !matches!(self.state, State::Registered { .. }) {
            self.state = State::Registering;
        }
    }

    /// The trunk was removed, disabled or changed: take our binding off the provider
    /// (RFC 3261 §10.2.2, Expires: 0) if it may have one, else finish.
    pub fn unregister(&mut self, now: Instant) {
        self.in_flight = None;
        self.answer_fresh = None;
        if self.bound && self.target.is_some() {
            self.state = State::Unregistering;
            self.send_at = Some(now);
        } else {
            self.state = State::Done;
            self.send_at = None;
        }
    }

    /// The REGISTER that is due at `now`, to go to the returned peer. `local` is our
    /// address towards it. Afterwards report what happened with [`Self::sent`] or
    /// [`Self::send_failed`].
    pub fn poll_request(
        &mut self,
        now: Instant,
        local: impl FnOnce(Peer) -> Option<SocketAddr>,
        user_agent: &str,
    ) -> Option<Result<(Request, Peer), String>> {
        if self.send_at.is_none_or(|at| at > now) || self.in_flight.is_some() {
            return None;
        }
        self.send_at = None;
        let Some(target) = self.target else {
            return Some(Err("the provider's address is not known".to_owned()));
        };
        let removing = self.state == State::Unregistering;
        let Some(local) = local(target) else {
            return Some(Err(format!(
                "no local address to reach the provider over {}",
                target.transport.as_str()
            )));
        };
        self.cseq = self.cseq.wrapping_add(1).max(1);
        let request_uri = self.account.registrar_uri().to_string();
        let authorization = self
            .credentials
            .iter_mut()
            .map(|c| {
                c.nc = c.nc.wrapping_add(1);
                let value = c.challenge.authorization(
                    self.account.digest_user(),
                    &self.account.password,
                    "REGISTER",
                    &request_uri,
                    c.nc,
                    &c.cnonce,
                );
                (c.origin.answer_header(), value)
            })
            .collect();
        let contact = match (removing, self.last_contact) {
            // The removal names the binding we made, wherever we are now.
            (true, Some(last)) => last,
            _ => nat::contact_for(self.nat, local),
        };
        // RFC 3261 §10.2.2: a Contact that moved (new network, NAT found) takes the
        // old binding off in the same REGISTER.
        let stale = self
            .last_contact
            .filter(|last| self.bound && *last != contact);
        let request = self.account.register(RegisterRequest {
            call_id: &self.call_id,
            from_tag: &self.from_tag,
            cseq: self.cseq,
            expires: if removing { 0 } else { self.expires },
            local,
            contact,
            stale_contact: stale,
            user_agent,
            authorization,
        });
        self.in_flight = Some(InFlight {
            key: None,
            fresh_credentials: self.answer_fresh.take(),
            local,
            contact,
            corrects_contact: std::mem::take(&mut self.correcting_contact),
        });
        Some(Ok((request, target)))
    }

    /// The transaction layer took the REGISTER.
    pub fn sent(&mut self, key: ClientKey) {
        if let Some(f) = &mut self.in_flight {
            f.key = Some(key);
        }
    }

    /// The REGISTER could not be sent at all. A removal is not retried: the binding
    /// expires at the provider on its own.
    pub fn send_failed(&mut self, now: Instant, reason: String, rng: &mut impl Rng) {
        self.in_flight = None;
        if self.state == State::Unregistering {
            self.state = State::Done;
            self.send_at = None;
            return;
        }
        self.fail(now, reason, None, rng);
    }
}
