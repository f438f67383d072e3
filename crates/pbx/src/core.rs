//! [`Pbx`]: the sans-IO heart. It owns the transaction layer, the registrar and the
//! calls, routes each transaction event to its owner, and queues transmits and actions.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::SeedableRng;
use sip::transaction::{ClientKey, Endpoint, EndpointConfig, Event, Peer, ServerKey, Transmit};
use sip::{Host, Method, Request, Response, Transport};

use crate::action::{Action, PbxEvent, Side};
use crate::call::{Call, CallId};
use crate::config::PbxConfig;
use crate::dialplan::{DialPlan, TrunkId};
use crate::media_relay::MediaRelay;
use crate::registrar::{self, Directory, Registrar};
use crate::trunk::Trunks;
use crate::util::{self, ALLOW};

/// Who owns a client transaction we started.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClientOwner {
    /// An INVITE fork of a call.
    Branch(CallId),
    /// A request forwarded from the other side, whose answer goes back to `ServerKey`.
    Forwarded(CallId),
    /// A request whose answer nobody waits for (BYE on teardown, CANCEL).
    Fire,
    /// A trunk's REGISTER to its provider.
    TrunkRegister(TrunkId),
    /// A re-INVITE the PBX sent itself to join a transferred party.
    Transfer(CallId),
    /// A NOTIFY of a message-waiting subscription.
    Notify,
}

/// The PBX. See the crate docs.
pub struct Pbx {
    pub(crate) config: PbxConfig,
    pub(crate) endpoint: Endpoint,
    pub(crate) registrar: Registrar,
    pub(crate) relay: Box<dyn MediaRelay + Send>,
    pub(crate) calls: HashMap<CallId, Call>,
    next_call: CallId,
    /// The caller's INVITE transaction → its call.
    pub(crate) by_server: HashMap<ServerKey, CallId>,
    pub(crate) by_client: HashMap<ClientKey, ClientOwner>,
    /// (Call-ID, our tag) → call and side, for in-dialog requests and ACKs.
    pub(crate) by_dialog: HashMap<(String, String), (CallId, Side)>,
    pub(crate) actions: VecDeque<Action>,
    pub(crate) rng: StdRng,
    /// The wall clock at the latest input, for call records.
    pub(crate) unix_now: u64,
    /// Trunks, business names, groups, hours and routes (see [`Pbx::set_dial_plan`]).
    pub(crate) plan: DialPlan,
    pub(crate) trunks: Trunks,
    /// Media and dialog bookkeeping of transfers and pickups.
    pub(crate) transfer: crate::call::TransferState,
    /// Mailboxes and the calls voicemail answered.
    pub(crate) voicemail: crate::call::VoicemailState,
    /// Conference rooms and the calls in them.
    pub(crate) conference: crate::call::ConferenceState,
    /// Message-waiting subscriptions.
    pub(crate) mwi: crate::mwi::Mwi,
    /// Do-not-disturb and call forwarding per extension.
    pub(crate) forwarding: crate::call::ForwardingState,
    /// Feature codes typed during calls, and parked calls.
    pub(crate) features: crate::call::FeatureState,
    /// Extensions, ring groups and business names whose calls are always recorded.
    pub(crate) always_record: crate::call::AlwaysRecord,
}

impl Pbx {
    pub fn new(
        now: Instant,
        config: PbxConfig,
        directory: Directory,
        relay: Box<dyn MediaRelay + Send>,
        seed: Option<u64>,
    ) -> Pbx {
        let (via_host, via_port) = via_of(&config.local);
        let mut endpoint_config = EndpointConfig::new(via_host, via_port);
        endpoint_config.seed = seed;
        // DTMF by SIP INFO comes as application/dtmf-relay or, from some providers, as
        // application/dtmf with the digit alone; both are relayed inside calls.
        endpoint_config
            .check
            .accept
            .push("application/dtmf".to_owned());
        // RFC 3891 (Replaces) and RFC 4488 (REFER without subscription) are understood.
        for tag in ["replaces", "norefersub"] {
            endpoint_config.check.supported.push(tag.to_owned());
        }
        let registrar = Registrar::new(now, config.registrar.clone(), directory);
        Pbx {
            config,
            endpoint: Endpoint::new(endpoint_config),
            registrar,
            relay,
            calls: HashMap::new(),
            next_call: 1,
            by_server: HashMap::new(),
            by_client: HashMap::new(),
            by_dialog: HashMap::new(),
            actions: VecDeque::new(),
            rng: match seed {
                Some(s) => StdRng::seed_from_u64(s),
                None => StdRng::from_entropy(),
            },
            unix_now: 0,
            plan: DialPlan::default(),
            trunks: Trunks::new(seed),
            transfer: Default::default(),
            voicemail: Default::default(),
            conference: Default::default(),
            mwi: Default::default(),
            forwarding: Default::default(),
            features: Default::default(),
            always_record: Default::default(),
        }
    }

    pub fn registrar(&self) -> &Registrar {
        &self.registrar
    }

    pub fn registrar_mut(&mut self) -> &mut Registrar {
        &mut self.registrar
    }

    /// Calls in progress (ringing or answered).
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// A datagram, or one framed stream message, from `source`.
    pub fn handle_input(&mut self, now: Instant, unix_now: u64, source: Peer, bytes: &[u8]) {
        self.unix_now = unix_now;
        self.endpoint.handle_datagram(now, source, bytes);
        self.drain_events(now);
    }

    /// The runtime could not reach `target` (TCP connect failed, connection closed).
    pub fn handle_transport_error(&mut self, now: Instant, unix_now: u64, target: Peer) {
        self.unix_now = unix_now;
        self.endpoint.handle_transport_error(now, target);
        self.drain_events(now);
    }

    pub fn handle_timeout(&mut self, now: Instant, unix_now: u64) {
        self.unix_now = unix_now;
        self.endpoint.handle_timeout(now);
        self.drain_events(now);
        let due: Vec<CallId> = self
            .calls
            .values()
            .filter(|c| c.ring_deadline.is_some_and(|d| d <= now))
            .map(|c| c.id)
            .collect();
        for id in due {
            self.ring_timeout(now, id);
        }
        self.pump_trunks(now);
        if self.mwi.next_expiry().is_some_and(|t| t <= now) {
            self.expire_subscriptions(now);
        }
        if self.feature_deadline().is_some_and(|t| t <= now) {
            self.feature_timeout(now);
        }
        if self.registrar.next_expiry().is_some_and(|t| t <= now) {
            for change in self.registrar.purge_expired(now, unix_now) {
                self.actions.push_back(Action::Binding(change));
            }
            self.drain_registration_events();
        }
        self.drain_events(now);
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        let calls = self.calls.values().filter_map(|c| c.ring_deadline).min();
        [
            self.endpoint.poll_timeout(),
            calls,
            self.registrar.next_expiry(),
            self.trunks.poll_timeout(),
            self.mwi.next_expiry(),
            self.feature_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.endpoint
            .poll_transmit()
            .or_else(|| self.trunks.poll_keepalive())
    }

    pub fn poll_action(&mut self) -> Option<Action> {
        let action = self.actions.pop_front()?;
        Some(self.transfer.translate(action))
    }

    fn drain_events(&mut self, now: Instant) {
        while let Some(event) = self.endpoint.poll_event() {
            self.handle_event(now, event);
        }
        self.drain_trunk_events();
    }

    fn handle_event(&mut self, now: Instant, event: Event) {
        self.note_sdp(&event);
        match event {
            Event::Request {
                key,
                request,
                source,
            } => self.handle_request(now, key, request, source),
            Event::Ack { request, .. } => self.handle_ack(now, &request),
            Event::Cancelled { invite, .. } => {
                if let Some(&id) = self.by_server.get(&invite) {
                    self.caller_cancelled(now, id);
                }
            }
            Event::Response { key, response, .. } => self.handle_response(now, key, response),
            Event::Timeout { key } => {
                self.handle_response(now, key, local_failure(408, "Request Timeout"))
            }
            Event::TransportError { key } => {
                self.handle_response(now, key, local_failure(503, "Service Unavailable"))
            }
            Event::AckTimeout { key } => {
                // RFC 3261 §13.3.1.4: a 2xx never acknowledged ends the call with BYE.
                if let Some(&id) = self.by_server.get(&key) {
                    self.end_answered(now, id, None, crate::HangupBy::System);
                }
            }
        }
    }

    fn handle_request(&mut self, now: Instant, key: ServerKey, request: Request, source: Peer) {
        // Subscriptions are dialogs of their own, new or refreshed (RFC 6665).
        if request.method == Method::Subscribe {
            return self.handle_subscribe(now, key, request, source);
        }
        let to_tag = request.to().and_then(|t| t.tag().map(str::to_owned));
        if let Some(tag) = to_tag {
            let call_id = request.call_id().unwrap_or_default().to_owned();
            match self.by_dialog.get(&(call_id, tag)).copied() {
                Some((id, side)) => self.in_dialog_request(now, id, side, key, request),
                // RFC 3261 §12.2.2: a request for a dialog we don't know.
                None => self.respond(now, &key, &request, 481, "Call/Transaction Does Not Exist"),
            }
            return;
        }
        match request.method {
            Method::Register => self.handle_register(now, key, &request, source),
            Method::Invite => self.new_call(now, key, request, source),
            Method::Options => {
                let mut response = Response::for_request(&request, 200, "OK");
                response.headers.push("Allow", ALLOW);
                response.headers.push("Accept", "application/sdp");
                self.send_response(now, &key, response);
            }
            // RFC 6665 §4.1.3: PUBLISH is for presence, which the PBX does not keep.
            Method::Publish => self.respond(now, &key, &request, 489, "Bad Event"),
            Method::Bye | Method::Notify | Method::Info | Method::Update | Method::Prack => {
                self.respond(now, &key, &request, 481, "Call/Transaction Does Not Exist")
            }
            // RFC 3515 §2.4.2 lets a REFER start a dialog; the PBX transfers only calls it
            // is part of, so one from outside a call is refused.
            Method::Refer => self.respond(now, &key, &request, 403, "Transfer Only Inside A Call"),
            _ => {
                let mut response = Response::for_request(&request, 405, "Method Not Allowed");
                response.headers.push("Allow", ALLOW);
                self.send_response(now, &key, response);
            }
        }
    }

    fn handle_register(&mut self, now: Instant, key: ServerKey, request: &Request, source: Peer) {
        let source = registrar::Source {
            transport: source.transport,
            addr: source.addr,
        };
        let outcome = self
            .registrar
            .handle_register(now, self.unix_now, request, source);
        self.send_response(now, &key, outcome.response);
        for change in outcome.changes {
            self.actions.push_back(Action::Binding(change));
        }
        self.drain_registration_events();
    }

    pub(crate) fn drain_registration_events(&mut self) {
        while let Some(event) = self.registrar.poll_event() {
            self.actions
                .push_back(Action::Event(PbxEvent::Registration(event)));
        }
    }

    fn handle_ack(&mut self, now: Instant, request: &Request) {
        let tag = request.to().and_then(|t| t.tag().map(str::to_owned));
        let call_id = request.call_id().unwrap_or_default().to_owned();
        if let Some(tag) = tag {
            if let Some(&(id, side)) = self.by_dialog.get(&(call_id, tag)) {
                self.in_dialog_ack(now, id, side, request);
            }
        }
    }

    fn handle_response(&mut self, now: Instant, key: ClientKey, response: Response) {
        let Some(owner) = self.by_client.get(&key).copied() else {
            return;
        };
        if response.status >= 200
            && !(response.class() == 2 && matches!(owner, ClientOwner::Branch(_)))
        {
            self.by_client.remove(&key);
        }
        match owner {
            ClientOwner::Branch(id) => {
                self.branch_response(now, id, key, response);
                self.transfer_answered(now, id);
            }
            ClientOwner::Forwarded(id) => self.forwarded_response(now, id, key, response),
            ClientOwner::Fire => {}
            ClientOwner::Transfer(id) => self.transfer_response(now, id, key, response),
            ClientOwner::Notify => self.notify_response(key, &response),
            ClientOwner::TrunkRegister(trunk) => {
                self.trunk_register_response(now, trunk, key, &response)
            }
        }
    }

    /// Answers `request` with a bodyless response, adding a To tag where the RFC wants one.
    pub(crate) fn respond(
        &mut self,
        now: Instant,
        key: &ServerKey,
        request: &Request,
        status: u16,
        reason: &str,
    ) {
        let response = Response::for_request(request, status, reason);
        self.send_response(now, key, response);
    }

    /// Sends a response, adding our To tag when it has none (RFC 3261 §8.2.6.2) and the
    /// Server header.
    pub(crate) fn send_response(&mut self, now: Instant, key: &ServerKey, mut response: Response) {
        if response.status > 100 {
            if let Some(mut to) = response.to() {
                if to.tag().is_none() {
                    to.set_tag(&util::token(&mut self.rng));
                    response.headers.set("To", to.to_string());
                }
            }
        }
        if !response.headers.contains("Server") {
            response
                .headers
                .push("Server", self.config.user_agent.as_str());
        }
        if let Err(e) = self.endpoint.send_response(now, key, response) {
            tracing::debug!(error = %e, "response not sent");
        }
    }

    pub(crate) fn allocate_call_id(&mut self) -> CallId {
        let id = self.next_call;
        self.next_call += 1;
        id
    }

    /// Replaces the extensions the registrar knows (after a change in the store).
    pub fn set_directory(&mut self, directory: Directory) {
        for change in self.registrar.set_directory(directory) {
            self.actions.push_back(Action::Binding(change));
        }
        self.drain_registration_events();
    }

    /// The host moved to another network: `local` replaces the addresses written into
    /// Via, Contact and SDP. Calls under way keep the Contact of their dialogs (RFC 3261
    /// §12.1: it was fixed when the dialog was made); new calls and requests use `local`.
    /// Every trunk is due to register again with the new Contact, which
    /// [`Pbx::network_changed`] (or the next timeout) sends.
    pub fn set_local_addresses(&mut self, now: Instant, local: Vec<(Transport, SocketAddr)>) {
        if local == self.config.local {
            return;
        }
        let (via_host, via_port) = via_of(&local);
        self.endpoint.set_via(via_host, via_port);
        self.config.set_local(local);
        self.trunks.network_changed(now);
        self.drain_trunk_events();
    }

    /// The office's public address for peers outside the LAN (see
    /// [`PbxConfig::public_ip`]); calls set up from now on use it.
    pub fn set_public_ip(&mut self, public: Option<IpAddr>) {
        self.config.public_ip = public;
    }
}

/// The Via sent-by of requests the endpoint completes: our first address.
fn via_of(local: &[(Transport, SocketAddr)]) -> (Host, Option<u16>) {
    match local.first() {
        Some((_, addr)) => (Host::from(addr.ip()), Some(addr.port())),
        None => (Host::Domain("localhost".into()), None),
    }
}

/// A final response we make up for a transaction that failed locally (§8.1.3.1).
fn local_failure(status: u16, reason: &str) -> Response {
    Response::new(status, reason)
}
