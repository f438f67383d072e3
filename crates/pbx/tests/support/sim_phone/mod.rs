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
use sip::transaction::{ClientKey, Endpoint, EndpointConfig, Peer, ServerKey};
use sip::{Host, Method, Request, Response, Transport, Uri};

use super::{addr, sdp, PBX_ADDR, REALM};

mod events;
mod info;
mod transfer;

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
    /// Where it sends everything, and over which transport.
    pub pbx: Peer,
    /// Answer digest challenges (turn off to see the bare 401).
    pub auto_auth: bool,
    /// Answer re-INVITEs at once (turn off to leave them pending, as a phone whose user
    /// is being asked something would).
    pub auto_answer_reinvite: bool,
    /// Send INVITEs without SDP and answer the offer in the ACK (RFC 3261 §13.2.1).
    pub delayed_offer: bool,
    /// ACK every 2xx (turn off for a phone that never confirms an answer).
    pub send_acks: bool,
    /// The display name in the From of calls this phone places.
    pub display_name: Option<String>,
    /// Headers added to the INVITEs of calls this phone places (P-Asserted-Identity…).
    pub call_headers: Vec<(String, String)>,
    /// The audio formats of every offer and answer this phone writes, in its order.
    pub audio_formats: Vec<(u8, String)>,
    /// This phone's SRTP master key and salt (RFC 4568 inline, base64): the calls it
    /// places offer RTP/SAVP with it, and an SRTP offer is answered RTP/SAVP naming the
    /// offer's first crypto line with it. `None`: a phone without SRTP (plain RTP/AVP).
    pub srtp_key: Option<String>,
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
        config.check.accept.push("application/dtmf".to_owned());
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
            display_name: None,
            call_headers: Vec::new(),
            audio_formats: sdp::g711_formats(),
            srtp_key: None,
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
        sdp::body_with(self.media, self.sdp_version, direction, &self.audio_formats).into_bytes()
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
        let mut from: sip::NameAddr = format!("<sip:{}@{REALM}>", self.user)
            .parse()
            .expect("From");
        from.display_name = self.display_name.clone();
        let h = &mut invite.headers;
        h.push("Max-Forwards", "70");
        h.push("From", format!("{from};tag={local_tag}"));
        h.push("To", format!("<sip:{number}@{REALM}>"));
        h.push("Call-ID", call_id.as_str());
        h.push("CSeq", "1 INVITE");
        h.push("Contact", self.contact());
        for (name, value) in &self.call_headers {
            h.push(name, value.as_str());
        }
        if !self.delayed_offer {
            h.push("Content-Type", "application/sdp");
            invite.body = self.sdp_body(Direction::SendRecv);
            if let Some(key) = &self.srtp_key {
                let text = String::from_utf8_lossy(&invite.body).replace("RTP/AVP", "RTP/SAVP");
                let line = format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{key}\r\n");
                invite.body = format!("{text}{line}").into_bytes();
            }
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
        let mut body = self.sdp_body(offer_dir.reversed());
        let offered = self.calls[idx].sdp_received.last().and_then(|offer| {
            let media = offer.media.get(offer.audio()?.index)?;
            media
                .is_secure_profile()
                .then(|| media.crypto().into_iter().next())?
        });
        if let (Some(key), Some(offered)) = (&self.srtp_key, offered) {
            let text = String::from_utf8_lossy(&body).replace("RTP/AVP", "RTP/SAVP");
            let line = format!(
                "a=crypto:{} {} inline:{key}\r\n",
                offered.tag,
                offered.suite.name()
            );
            body = format!("{text}{line}").into_bytes();
        }
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
        self.reject_with(now, idx, status, &[]);
    }

    /// Refuses a ringing incoming call with extra headers (a 407 with its
    /// Proxy-Authenticate challenge, as a provider asks for credentials).
    pub fn reject_with(&mut self, now: Instant, idx: usize, status: u16, headers: &[(&str, &str)]) {
        let call = &mut self.calls[idx];
        assert_eq!(
            call.state,
            CallState::Ringing,
            "only a ringing call is rejected"
        );
        let mut response = reply(&call.invite, status, &call.local_tag, None);
        for (name, value) in headers {
            response.headers.push(name, *value);
        }
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
