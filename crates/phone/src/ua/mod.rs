//! The softphone's SIP user agent, one per account. Sans-IO like the `sip` crate: the
//! runtime hands it what arrived and the time, and drains what to send and what
//! happened.
//!
//! ```text
//! ua.handle_input(now, source, &bytes);      // or handle_timeout(now)
//! while let Some(t) = ua.poll_transmit() { /* send t.bytes to t.dest */ }
//! while let Some(e) = ua.poll_event() { /* show it */ }
//! let wake_at = ua.poll_timeout();
//! ```
//!
//! Every request goes to the account's server (it is the phone's outbound proxy).

mod auth;
mod call;
mod commands;
mod dialog_auth;
mod identity;
mod incoming;
mod media;
mod nat;
mod register;
mod responses;
mod transfer;
mod types;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::SeedableRng;
use sip::transaction::{ClientKey, Endpoint, EndpointConfig, Peer, Transmit};
use sip::{NameAddr, Transport, Uri};

use call::{Call, Purpose};
use nat::Mapping;
use register::Registration;

pub use nat::{KEEPALIVE_INTERVAL, KEEPALIVE_PING};

pub use types::{
    Account, CallHandle, EndReason, Event, LocalMedia, Party, RefuseReason, RegistrationEvent,
    RemoteMedia, TransferProgress,
};

/// The calls the phone takes at once: one to talk on and one waiting (or being consulted
/// for a transfer). A new call beyond that is refused with 486 Busy Here, so the caller
/// hears busy instead of ringing a phone that cannot take it.
pub const MAX_CALLS: usize = 2;

/// The user agent of one account. See the module docs.
pub struct UserAgent {
    account: Account,
    /// Our address towards the server (Via, Contact).
    local: SocketAddr,
    endpoint: Endpoint,
    rng: StdRng,
    registration: Registration,
    calls: BTreeMap<CallHandle, Call>,
    next_call: u64,
    /// What each client transaction we started is for.
    pending: HashMap<ClientKey, (CallHandle, Purpose)>,
    events: VecDeque<Event>,
    /// The NAT mapping the server revealed, for the local address it was learnt on.
    nat: Option<Mapping>,
    /// The REGISTER under way puts the public address in our Contact.
    correcting_contact: bool,
    /// The Contact registered before the public address was known, removed by the
    /// REGISTERs that correct it.
    stale_contact: Option<NameAddr>,
    keepalive_at: Option<Instant>,
    keepalives: VecDeque<Transmit>,
    /// BYEs, re-INVITEs and INFOs under way, for answering their challenges.
    in_dialog: dialog_auth::InDialogRequests,
    /// Do not disturb: new calls are refused with 486 Busy Here.
    dnd: bool,
    /// Whether calls encrypt their audio (SRTP with SDES keys).
    srtp: crate::call_media::SrtpMode,
}

impl UserAgent {
    /// `local` is the address our socket towards the server has. `seed` makes tags,
    /// Call-IDs and branches reproducible in simulations; production passes `None`.
    pub fn new(account: Account, local: SocketAddr, seed: Option<u64>) -> Self {
        let mut config = EndpointConfig::new(local.ip().into(), Some(local.port()));
        config.seed = seed;
        let mut rng = match seed {
            Some(s) => StdRng::seed_from_u64(s.wrapping_add(1)),
            None => StdRng::from_entropy(),
        };
        let registration = Registration::new(&mut rng, account.expires);
        UserAgent {
            account,
            local,
            endpoint: Endpoint::new(config),
            rng,
            registration,
            calls: BTreeMap::new(),
            next_call: 1,
            pending: HashMap::new(),
            events: VecDeque::new(),
            nat: None,
            correcting_contact: false,
            stale_contact: None,
            keepalive_at: None,
            keepalives: VecDeque::new(),
            in_dialog: HashMap::new(),
            dnd: false,
            srtp: crate::call_media::SrtpMode::default(),
        }
    }

    /// Sets whether calls encrypt their audio ([`crate::call_media::SrtpMode`]; auto by
    /// default: over TLS).
    pub fn set_srtp(&mut self, mode: crate::call_media::SrtpMode) {
        self.srtp = mode;
    }

    /// What SDES allows on this account: keys only where the signalling is encrypted
    /// (RFC 4568 §8.3), SRTP only when not turned off.
    pub(crate) fn srtp_policy(&self) -> self::media::SrtpPolicy {
        use crate::call_media::SrtpMode;
        self::media::SrtpPolicy {
            keys_allowed: self.account.transport == Transport::Tls && self.srtp != SrtpMode::Off,
            required: self.srtp == SrtpMode::Required,
        }
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    /// Bytes that arrived from `source` (a datagram, or one framed message of a stream).
    /// A keep-alive's answer (RFC 5626 §4.4.1 pong) is taken and needs nothing.
    pub fn handle_input(&mut self, now: Instant, source: Peer, bytes: &[u8]) {
        if nat::is_keepalive(bytes) {
            return;
        }
        self.endpoint.handle_datagram(now, source, bytes);
        self.drain(now);
    }

    /// The runtime could not deliver to the server (connection refused or lost, ICMP
    /// unreachable): requests under way fail as if answered 503 (RFC 3261 §8.1.3.1),
    /// so the registration backs off and calls being set up fail.
    pub fn handle_transport_error(&mut self, now: Instant) {
        let server = self.server();
        self.endpoint.handle_transport_error(now, server);
        self.drain(now);
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        self.endpoint.handle_timeout(now);
        self.drain(now);
        self.retry_reinvites(now);
        self.send_register(now);
        self.send_keepalive(now);
    }

    /// What to send next: SIP messages, then keep-alives.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.endpoint
            .poll_transmit()
            .or_else(|| self.keepalives.pop_front())
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`UserAgent::handle_timeout`] is next due; may be early, never late.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let retries = self
            .calls
            .values()
            .filter_map(|c| c.retry_reinvite.map(|(at, _)| at));
        [
            self.endpoint.poll_timeout(),
            self.registration.poll_timeout(),
            self.keepalive_at,
        ]
        .into_iter()
        .flatten()
        .chain(retries)
        .min()
    }

    /// Registers the account now, and keeps it registered.
    pub fn register(&mut self, now: Instant) {
        self.registration.start(now);
        self.send_register(now);
    }

    /// Removes our registration from the server (Expires: 0).
    pub fn unregister(&mut self, now: Instant) {
        self.registration.stop(now);
        self.send_register(now);
    }

    /// The machine moved to another network and `local` is its new address: requests
    /// from now on carry it, and the registration is renewed at once (RFC 5626 §4.4.1).
    /// Calls in progress then need [`UserAgent::move_media`] with their new RTP address.
    pub fn network_changed(&mut self, now: Instant, local: SocketAddr) {
        self.local = local;
        self.endpoint.set_via(local.ip().into(), Some(local.port()));
        // Calls keep going: their next target refresh (see `UserAgent::move_media`)
        // carries the new Contact (RFC 3261 §12.2.1.1).
        let contact = self.contact();
        for call in self.calls.values_mut() {
            if let Some(dialog) = call.dialog.as_mut() {
                dialog.set_local_contact(contact.clone());
            }
        }
        self.correcting_contact = false;
        self.stale_contact = None;
        self.registration.network_changed(now);
        self.send_register(now);
    }

    /// Do not disturb: while on, new calls are refused (486 Busy Here) and reported as
    /// [`Event::Refused`]; calls already here go on.
    pub fn set_dnd(&mut self, on: bool) {
        self.dnd = on;
    }

    pub fn dnd(&self) -> bool {
        self.dnd
    }

    /// The number of calls alive (ringing, answered or being torn down).
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    fn server(&self) -> Peer {
        Peer {
            transport: self.account.transport,
            addr: self.account.server,
        }
    }

    /// Our Contact: where the server reaches us.
    fn contact(&self) -> NameAddr {
        let addr = self.contact_addr();
        let mut uri = Uri::sip(Some(&self.account.user), addr.ip().into());
        uri.port = Some(addr.port());
        if self.account.transport != Transport::Udp {
            let name = self.account.transport.as_str().to_ascii_lowercase();
            uri.params.set("transport", Some(&name));
        }
        NameAddr::new(uri)
    }

    fn send_register(&mut self, now: Instant) {
        let contact = self.contact();
        let Some(mut request) = self.registration.due(now, &self.account, &contact) else {
            return;
        };
        if let Some(stale) = &self.stale_contact {
            // RFC 3261 §10.2.2: the binding at the address the NAT hides goes away.
            let mut stale = stale.clone();
            stale.params.set("expires", Some("0"));
            request.headers.push("Contact", stale.to_string());
        }
        match self.endpoint.send_request(now, request, self.server()) {
            Ok(key) => self.registration.sent(key),
            Err(err) => tracing::warn!(%err, "REGISTER not sent"),
        }
    }

    fn drain(&mut self, now: Instant) {
        while let Some(event) = self.endpoint.poll_event() {
            self.on_transaction_event(now, event);
        }
        self.send_register(now);
    }

    fn emit(&mut self, event: Event) {
        self.events.push_back(event);
    }
}

impl std::fmt::Debug for UserAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserAgent")
            .field("user", &self.account.user)
            .field("calls", &self.calls.len())
            .finish_non_exhaustive()
    }
}
