//! A tiny SIP phone on top of the `sip` crate: it registers with digest auth, places,
//! answers, rejects, cancels and hangs up calls, answers re-INVITEs, and remembers
//! everything it saw so tests can assert on it. It always sends to the PBX (its
//! outbound proxy), as office phones do.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use media::sdp::{Direction, SessionDescription};
use sip::auth::Challenge;
use sip::dialog::Dialog;
use sip::transaction::{ClientKey, Endpoint, EndpointConfig, Event, Peer, ServerKey};
use sip::{Host, Method, Request, Response, Transport, Uri};

use super::{addr, sdp, PBX_ADDR, REALM};

/// Where one call stands on this phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// INVITE sent or received, nothing else yet.
    Calling,
    /// 180/183 sent or received.
    Ringing,
    /// 2xx sent or received: the dialog is confirmed.
    Confirmed,
    /// A final non-2xx was sent or received (408 for a local timeout).
    Failed(u16),
    /// An incoming call was CANCELled and answered 487.
    Cancelled,
    /// BYE sent.
    HungUp,
    /// BYE received.
    RemoteHungUp,
}

/// One call as this phone sees it.
#[derive(Debug)]
pub struct PhoneCall {
    pub outgoing: bool,
    pub call_id: String,
    pub local_tag: String,
    /// Outgoing: the INVITE as last sent (after an auth retry, the retry). Incoming: as
    /// received.
    pub invite: Request,
    pub client: Option<ClientKey>,
    pub server: Option<ServerKey>,
    pub dialog: Option<Dialog>,
    pub state: CallState,
    /// Every response the transaction layer passed up for the initial INVITE(s).
    pub invite_responses: Vec<Response>,
    /// Every SDP this phone received in the call (offers and answers), in order.
    pub sdp_received: Vec<SessionDescription>,
    /// Requests received inside the call (BYE, re-INVITE, …).
    pub requests: Vec<Request>,
    /// Responses to requests sent inside the call (BYE, re-INVITE, CANCEL).
    pub responses: Vec<Response>,
    pub acks_received: usize,
    /// Whether a 2xx this phone sent was never acknowledged.
    pub ack_timeout: bool,
    /// The user hung up while ringing: a 2xx arriving anyway is ACKed and BYEd (§9.1, §15).
    pub cancel_requested: bool,
    cseq: u32,
    auth_tried: bool,
}

impl PhoneCall {
    /// How many 2xx the initial INVITE drew, counting each dialog (To tag) once.
    pub fn ok_count(&self) -> usize {
        let mut tags: Vec<Option<String>> = self
            .invite_responses
            .iter()
            .filter(|r| r.class() == 2)
            .map(|r| r.to().and_then(|t| t.tag().map(str::to_owned)))
            .collect();
        tags.dedup();
        tags.len()
    }

    /// The final status of the initial INVITE (the last one passed up).
    pub fn final_status(&self) -> Option<u16> {
        self.invite_responses
            .iter()
            .rev()
            .find(|r| r.status >= 200)
            .map(|r| r.status)
    }

    pub fn got_request(&self, method: Method) -> usize {
        self.requests.iter().filter(|r| r.method == method).count()
    }
}

#[derive(Debug, Clone, Copy)]
enum Pending {
    Register,
    Invite(usize),
    ReInvite(usize),
    InDialog(usize),
}

/// See the module docs.
pub struct SimPhone {
    pub user: String,
    pub password: String,
    pub addr: SocketAddr,
    /// Where this phone receives RTP.
    pub media: SocketAddr,
    pub ep: Endpoint,
    pbx: Peer,
    /// Answer digest challenges (turn off to see the bare 401).
    pub auto_auth: bool,
    /// Answer re-INVITEs at once (turn off to leave them pending, as a phone whose user
    /// is being asked something would).
    pub auto_answer_reinvite: bool,
    /// Send INVITEs without SDP and answer the offer in the ACK (RFC 3261 §13.2.1).
    pub delayed_offer: bool,
    /// ACK every 2xx (turn off for a phone that never confirms an answer).
    pub send_acks: bool,
    /// re-INVITEs left unanswered, by call.
    pub pending_reinvites: Vec<(usize, ServerKey)>,
    pub registered: bool,
    pub register_responses: Vec<Response>,
    pub calls: Vec<PhoneCall>,
    /// Requests that matched no call here, with the status they were answered.
    pub stray: Vec<(Request, u16)>,
    pending: HashMap<ClientKey, Pending>,
    reg_cseq: u32,
    reg_tries: u32,
    counter: u64,
    sdp_version: u64,
}

impl SimPhone {
    pub fn new(user: &str, password: &str, sip_addr: &str, media: &str, seed: u64) -> Self {
        let sip_addr = addr(sip_addr);
        let mut config = EndpointConfig::new(Host::from(sip_addr.ip()), Some(sip_addr.port()));
        config.seed = Some(seed);
        SimPhone {
            user: user.to_owned(),
            password: password.to_owned(),
            addr: sip_addr,
            media: addr(media),
            ep: Endpoint::new(config),
            pbx: Peer {
                transport: Transport::Udp,
                addr: addr(PBX_ADDR),
            },
            auto_auth: true,
            auto_answer_reinvite: true,
            send_acks: true,
            delayed_offer: false,
            pending_reinvites: Vec::new(),
            registered: false,
            register_responses: Vec::new(),
            calls: Vec::new(),
            stray: Vec::new(),
            pending: HashMap::new(),
            reg_cseq: 0,
            reg_tries: 0,
            counter: 0,
            sdp_version: 0,
        }
    }

    fn token(&mut self, what: &str) -> String {
        self.counter += 1;
        format!("{what}{}x{}", self.counter, self.addr.port())
    }

    fn contact(&self) -> String {
        format!("<sip:{}@{}>", self.user, self.addr)
    }

    fn sdp_body(&mut self, direction: Direction) -> Vec<u8> {
        self.sdp_version += 1;
        sdp::body(self.media, self.sdp_version, direction).into_bytes()
    }

    // --- registration -------------------------------------------------------------

    /// Sends a REGISTER for an hour; a 401 is answered once when `auto_auth` is on.
    pub fn register(&mut self, now: Instant) {
        self.reg_tries = 0;
        self.send_register(now, None);
    }

    fn send_register(&mut self, now: Instant, challenge: Option<&Challenge>) {
        self.reg_cseq += 1;
        let uri: Uri = format!("sip:{REALM}").parse().expect("uri");
        let mut req = Request::new(Method::Register, uri);
        let h = &mut req.headers;
        h.push("Max-Forwards", "70");
        h.push(
            "From",
            format!("<sip:{}@{REALM}>;tag=r{}", self.user, self.addr.port()),
        );
        h.push("To", format!("<sip:{}@{REALM}>", self.user));
        h.push("Call-ID", format!("reg-{}-{}", self.user, self.addr));
        h.push("CSeq", format!("{} REGISTER", self.reg_cseq));
        h.push("Contact", self.contact());
        h.push("Expires", "3600");
        if let Some(ch) = challenge {
            let cnonce = format!("c{}", self.reg_cseq);
            let auth = ch.authorization(
                &self.user,
                &self.password,
                "REGISTER",
                &format!("sip:{REALM}"),
                1,
                &cnonce,
            );
            req.headers.push("Authorization", auth);
        }
        let key = self.ep.send_request(now, req, self.pbx).expect("REGISTER");
        self.pending.insert(key, Pending::Register);
    }

    // --- placing calls ------------------------------------------------------------

    /// Dials `number`; returns the call's index in [`SimPhone::calls`].
    pub fn call(&mut self, now: Instant, number: &str) -> usize {
        let call_id = self.token("call");
        let local_tag = self.token("tag");
        let uri: Uri = format!("sip:{number}@{}", self.pbx.addr.ip())
            .parse()
            .expect("uri");
        let mut invite = Request::new(Method::Invite, uri);
        let h = &mut invite.headers;
        h.push("Max-Forwards", "70");
        h.push(
            "From",
            format!("<sip:{}@{REALM}>;tag={local_tag}", self.user),
        );
        h.push("To", format!("<sip:{number}@{REALM}>"));
        h.push("Call-ID", call_id.as_str());
        h.push("CSeq", "1 INVITE");
        h.push("Contact", self.contact());
        if !self.delayed_offer {
            h.push("Content-Type", "application/sdp");
            invite.body = self.sdp_body(Direction::SendRecv);
        }
        let idx = self.calls.len();
        self.calls.push(PhoneCall {
            outgoing: true,
            call_id,
            local_tag,
            invite: invite.clone(),
            client: None,
            server: None,
            dialog: None,
            state: CallState::Calling,
            invite_responses: Vec::new(),
            sdp_received: Vec::new(),
            requests: Vec::new(),
            responses: Vec::new(),
            acks_received: 0,
            ack_timeout: false,
            cancel_requested: false,
            cseq: 1,
            auth_tried: false,
        });
        self.send_invite(now, idx, invite);
        idx
    }

    fn send_invite(&mut self, now: Instant, idx: usize, invite: Request) {
        let key = self
            .ep
            .send_request(now, invite.clone(), self.pbx)
            .expect("INVITE");
        self.pending.insert(key, Pending::Invite(idx));
        let call = &mut self.calls[idx];
        call.client = Some(key);
        call.invite = invite;
    }

    /// The user hangs up a ringing outgoing call: CANCEL (RFC 3261 §9.1). False when
    /// the call had already been answered or failed.
    pub fn cancel(&mut self, now: Instant, idx: usize) -> bool {
        let call = &mut self.calls[idx];
        if !matches!(call.state, CallState::Calling | CallState::Ringing) {
            return false;
        }
        call.cancel_requested = true;
        let key = call.client.expect("an outgoing call");
        match self.ep.cancel(now, &key) {
            Ok(cancel) => {
                self.pending.insert(cancel, Pending::InDialog(idx));
                true
            }
            Err(_) => false,
        }
    }

    // --- answering calls ----------------------------------------------------------

    /// Picks up a ringing incoming call with an SDP answer. False when it stopped
    /// ringing first (cancelled).
    pub fn answer(&mut self, now: Instant, idx: usize) -> bool {
        if self.calls[idx].state != CallState::Ringing {
            return false;
        }
        let offer_dir = self.calls[idx]
            .sdp_received
            .last()
            .and_then(sdp::direction)
            .unwrap_or(Direction::SendRecv);
        let body = self.sdp_body(offer_dir.reversed());
        let contact = self.contact();
        let call = &mut self.calls[idx];
        let mut ok = reply(&call.invite, 200, &call.local_tag, Some(contact));
        ok.headers.push("Content-Type", "application/sdp");
        ok.body = body;
        call.dialog = Dialog::from_uas(&call.invite, &ok).ok();
        call.state = CallState::Confirmed;
        let key = call.server.expect("an incoming call");
        self.ep.send_response(now, &key, ok).expect("200 sent");
        true
    }

    /// Refuses a ringing incoming call (486 Busy Here, 603 Decline, …).
    pub fn reject(&mut self, now: Instant, idx: usize, status: u16) {
        let call = &mut self.calls[idx];
        assert_eq!(
            call.state,
            CallState::Ringing,
            "only a ringing call is rejected"
        );
        let response = reply(&call.invite, status, &call.local_tag, None);
        call.state = CallState::Failed(status);
        let key = call.server.expect("an incoming call");
        self.ep
            .send_response(now, &key, response)
            .expect("final sent");
    }

    // --- inside a call ------------------------------------------------------------

    pub fn hang_up(&mut self, now: Instant, idx: usize) {
        let call = &mut self.calls[idx];
        let dialog = call.dialog.as_mut().expect("a confirmed call");
        let bye = dialog.create_request(Method::Bye);
        call.state = CallState::HungUp;
        let key = self.ep.send_request(now, bye, self.pbx).expect("BYE");
        self.pending.insert(key, Pending::InDialog(idx));
    }

    /// A re-INVITE with a new offer: `SendOnly` puts the other side on hold. `media`
    /// moves this phone's RTP socket (as a phone changing network would).
    pub fn reinvite(&mut self, now: Instant, idx: usize, direction: Direction, media: SocketAddr) {
        self.media = media;
        let body = self.sdp_body(direction);
        let call = &mut self.calls[idx];
        let dialog = call.dialog.as_mut().expect("a confirmed call");
        let mut invite = dialog.create_request(Method::Invite);
        invite.headers.push("Content-Type", "application/sdp");
        invite.body = body;
        let key = self
            .ep
            .send_request(now, invite, self.pbx)
            .expect("re-INVITE");
        self.pending.insert(key, Pending::ReInvite(idx));
    }

    // --- events from the transaction layer ----------------------------------------

    pub fn on_event(&mut self, now: Instant, event: Event) {
        match event {
            Event::Request { key, request, .. } => self.on_request(now, key, request),
            Event::Ack { request, .. } => {
                if let Some(call) = self.call_in_dialog(&request) {
                    call.acks_received += 1;
                    if let Some(sdp) = sdp_of(&request.body) {
                        call.sdp_received.push(sdp);
                    }
                }
            }
            Event::Cancelled { invite, .. } => {
                let Some(call) = self.calls.iter_mut().find(|c| c.server == Some(invite)) else {
                    return;
                };
                let terminated = reply(&call.invite, 487, &call.local_tag, None);
                if self.ep.send_response(now, &invite, terminated).is_ok() {
                    call.state = CallState::Cancelled;
                }
            }
            Event::Response { key, response, .. } => self.on_response(now, key, response),
            Event::Timeout { key } | Event::TransportError { key } => {
                if let Some(Pending::Invite(idx)) = self.pending.get(&key).copied() {
                    self.calls[idx].state = CallState::Failed(408);
                }
            }
            Event::AckTimeout { key } => {
                if let Some(call) = self.calls.iter_mut().find(|c| c.server == Some(key)) {
                    call.ack_timeout = true;
                }
            }
        }
    }

    fn call_in_dialog(&mut self, request: &Request) -> Option<&mut PhoneCall> {
        self.calls
            .iter_mut()
            .find(|c| c.dialog.as_ref().is_some_and(|d| d.matches(request)))
    }

    fn on_request(&mut self, now: Instant, key: ServerKey, request: Request) {
        let has_to_tag = request.to().is_some_and(|t| t.tag().is_some());
        if request.method == Method::Invite && !has_to_tag {
            return self.incoming_call(now, key, request);
        }
        let contact = self.contact();
        let auto_answer = self.auto_answer_reinvite;
        let offer = sdp_of(&request.body);
        // A re-INVITE's offer is answered reversing its direction (RFC 3264 §6.1).
        let answer = (request.method == Method::Invite).then(|| {
            let dir = offer.as_ref().and_then(sdp::direction);
            self.sdp_body(dir.unwrap_or(Direction::SendRecv).reversed())
        });
        let idx = self
            .calls
            .iter()
            .position(|c| c.dialog.as_ref().is_some_and(|d| d.matches(&request)));
        let Some(call) = self.call_in_dialog(&request) else {
            let response = Response::for_request(&request, 481, "Call/Transaction Does Not Exist");
            let _ = self.ep.send_response(now, &key, response);
            self.stray.push((request, 481));
            return;
        };
        let dialog = call.dialog.as_mut().expect("matched a dialog");
        if let Err(e) = dialog.on_request(&request) {
            let response = Response::for_request(&request, e.status(), "Refused");
            let _ = self.ep.send_response(now, &key, response);
            return;
        }
        if request.method == Method::Bye {
            call.state = CallState::RemoteHungUp;
        }
        if let Some(offer) = offer {
            call.sdp_received.push(offer);
        }
        call.requests.push(request.clone());
        if request.method == Method::Invite && !auto_answer {
            if let Some(idx) = idx {
                self.pending_reinvites.push((idx, key));
            }
            return;
        }
        let mut ok = Response::for_request(&request, 200, "OK");
        if let Some(body) = answer {
            ok.headers.push("Contact", contact);
            ok.headers.push("Content-Type", "application/sdp");
            ok.body = body;
        }
        let _ = self.ep.send_response(now, &key, ok);
    }

    /// A new call rings here: 180 at once, the user decides later.
    fn incoming_call(&mut self, now: Instant, key: ServerKey, request: Request) {
        let local_tag = self.token("tag");
        let ringing = reply(&request, 180, &local_tag, Some(self.contact()));
        let sdp_received = sdp_of(&request.body).into_iter().collect();
        self.calls.push(PhoneCall {
            outgoing: false,
            call_id: request.call_id().unwrap_or_default().to_owned(),
            local_tag,
            invite: request,
            client: None,
            server: Some(key),
            dialog: None,
            state: CallState::Ringing,
            invite_responses: Vec::new(),
            sdp_received,
            requests: Vec::new(),
            responses: Vec::new(),
            acks_received: 0,
            ack_timeout: false,
            cancel_requested: false,
            cseq: 0,
            auth_tried: false,
        });
        let _ = self.ep.send_response(now, &key, ringing);
    }

    fn on_response(&mut self, now: Instant, key: ClientKey, response: Response) {
        let Some(pending) = self.pending.get(&key).copied() else {
            return;
        };
        match pending {
            Pending::Register => self.register_response(now, response),
            Pending::Invite(idx) => self.invite_response(now, idx, key, response),
            Pending::ReInvite(idx) => {
                let call = &mut self.calls[idx];
                if response.class() == 2 {
                    if let Some(sdp) = sdp_of(&response.body) {
                        call.sdp_received.push(sdp);
                    }
                    if let Some(dialog) = call.dialog.as_mut() {
                        dialog.on_response(&response);
                        let ack = dialog.create_request(Method::Ack);
                        let _ = self.ep.send_ack(now, &key, ack, self.pbx);
                    }
                }
                call.responses.push(response);
            }
            Pending::InDialog(idx) => self.calls[idx].responses.push(response),
        }
    }

    fn register_response(&mut self, now: Instant, response: Response) {
        let status = response.status;
        let challenge = (status == 401)
            .then(|| Challenge::first_supported(response.headers.get_all("WWW-Authenticate")))
            .flatten();
        self.register_responses.push(response);
        match (status, challenge) {
            (200..=299, _) => self.registered = true,
            (401, Some(ch)) if self.auto_auth && self.reg_tries < 2 => {
                self.reg_tries += 1;
                self.send_register(now, Some(&ch));
            }
            _ => {}
        }
    }

    fn invite_response(&mut self, now: Instant, idx: usize, key: ClientKey, response: Response) {
        if response.status == 100 {
            return;
        }
        let auto_auth = self.auto_auth;
        let send_acks = self.send_acks;
        // Delayed offer: the 2xx carries the offer and the ACK the answer.
        let ack_answer = (response.class() == 2
            && self.calls[idx].invite.body.is_empty()
            && !response.body.is_empty())
        .then(|| self.sdp_body(Direction::SendRecv));
        let call = &mut self.calls[idx];
        call.invite_responses.push(response.clone());
        if let Some(sdp) = sdp_of(&response.body) {
            call.sdp_received.push(sdp);
        }
        match response.status {
            101..=199 => {
                if call.state == CallState::Calling {
                    call.state = CallState::Ringing;
                }
            }
            200..=299 => {
                let same = call.dialog.as_ref().is_some_and(|d| {
                    Some(d.id().remote_tag.as_str()) == response.to().as_ref().and_then(|t| t.tag())
                });
                if !same {
                    call.dialog = Dialog::from_uac(&call.invite, &response).ok();
                }
                let Some(dialog) = call.dialog.as_mut() else {
                    return;
                };
                let mut ack = dialog.create_request(Method::Ack);
                if let Some(body) = ack_answer {
                    ack.headers.push("Content-Type", "application/sdp");
                    ack.body = body;
                }
                if send_acks {
                    let _ = self.ep.send_ack(now, &key, ack, self.pbx);
                }
                if call.cancel_requested {
                    // RFC 3261 §9.1/§15: the CANCEL lost the race; end the call with BYE.
                    let bye = dialog.create_request(Method::Bye);
                    call.state = CallState::HungUp;
                    let bye_key = self.ep.send_request(now, bye, self.pbx).expect("BYE");
                    self.pending.insert(bye_key, Pending::InDialog(idx));
                } else {
                    call.state = CallState::Confirmed;
                }
            }
            401 | 407 if auto_auth && !call.auth_tried => {
                let header = if response.status == 401 {
                    "WWW-Authenticate"
                } else {
                    "Proxy-Authenticate"
                };
                let Some(ch) = Challenge::first_supported(response.headers.get_all(header)) else {
                    call.state = CallState::Failed(response.status);
                    return;
                };
                call.auth_tried = true;
                call.cseq += 1;
                let mut invite = call.invite.clone();
                invite.headers.remove("Via");
                invite.headers.set("CSeq", format!("{} INVITE", call.cseq));
                let uri = invite.uri.to_string();
                let auth = ch.authorization(&self.user, &self.password, "INVITE", &uri, 1, "c1");
                let name = if response.status == 401 {
                    "Authorization"
                } else {
                    "Proxy-Authorization"
                };
                invite.headers.push(name, auth);
                self.send_invite(now, idx, invite);
            }
            status => call.state = CallState::Failed(status),
        }
    }

    /// The incoming call whose INVITE arrived `n`-th (0 first).
    pub fn incoming(&self, n: usize) -> Option<usize> {
        self.calls
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.outgoing)
            .nth(n)
            .map(|(i, _)| i)
    }
}

/// A response to `request` with our To tag, and Contact when it sets up a dialog.
fn reply(request: &Request, status: u16, tag: &str, contact: Option<String>) -> Response {
    let mut response = Response::for_request(request, status, sip::default_reason(status));
    if let Some(to) = response.to() {
        response.headers.set("To", to.with_tag(tag).to_string());
    }
    if let Some(contact) = contact {
        response.headers.push("Contact", contact);
    }
    response
}

fn sdp_of(body: &[u8]) -> Option<SessionDescription> {
    if body.is_empty() {
        return None;
    }
    Some(sdp::parse(body))
}
