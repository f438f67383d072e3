//! A simulated SIP server and network for the user agent tests: a virtual clock, 10 ms
//! of latency, a loss rule chosen by each test, and a registrar that challenges every
//! REGISTER without credentials (401) and then grants it. Other requests reaching the
//! server wait in `inbox` for the test to answer.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::sdp::{PCMA, PCMU, TELEPHONE_EVENT};
use phone::ua::{Account, Event, LocalMedia, UserAgent};
use sip::auth::{DigestConfig, DigestServer, Secret, Verdict};
use sip::dialog::Dialog;
use sip::transaction::{
    ClientKey, Endpoint, EndpointConfig, Event as TxEvent, Peer, ServerKey, Transmit,
};
use sip::{Method, Request, Response, Transport};

pub const REALM: &str = "office.example";
pub const PASSWORD: &str = "secret";
const LATENCY: Duration = Duration::from_millis(10);

/// Decides whether a packet is lost: (towards the server?, its bytes).
pub type LossRule = Box<dyn FnMut(bool, &[u8]) -> bool>;

pub struct Registrar {
    digest: DigestServer,
    /// The lifetime granted.
    pub granted: u32,
    /// While false the server does not answer REGISTER at all.
    pub answering: bool,
    /// Every REGISTER the registrar read (not retransmissions), in order.
    pub registers: Vec<Request>,
    /// REGISTERs that passed the digest check.
    pub accepted: Vec<Request>,
}

pub struct Sim {
    pub now: Instant,
    pub ua: UserAgent,
    pub server: Endpoint,
    pub server_addr: SocketAddr,
    pub ua_addr: SocketAddr,
    pub transport: Transport,
    in_flight: Vec<(Instant, bool, Transmit)>,
    /// Decides whether a packet is lost: (towards the server?, its bytes).
    pub lose: LossRule,
    pub events: Vec<Event>,
    pub inbox: VecDeque<TxEvent>,
    pub registrar: Registrar,
    /// Every packet the server received, retransmissions included.
    pub server_received: Vec<String>,
    /// When set, the phone sits behind a NAT that shows it to the server at this
    /// address: what the phone sends comes from it, and only what is sent to it reaches
    /// the phone.
    pub nat: Option<SocketAddr>,
    /// When each keep-alive (a bare CRLF ping) reached the server.
    pub keepalives: Vec<Instant>,
}

pub fn account(transport: Transport) -> Account {
    Account {
        server: "192.0.2.1:5060".parse().unwrap(),
        transport,
        domain: Some(REALM.to_owned()),
        user: "201".to_owned(),
        auth_user: None,
        password: PASSWORD.to_owned(),
        display_name: Some("Front Desk".to_owned()),
        expires: 120,
    }
}

pub fn local_media() -> LocalMedia {
    LocalMedia {
        rtp: "198.51.100.7:40000".parse().unwrap(),
        rtcp_port: None,
        codecs: vec![PCMU, PCMA, TELEPHONE_EVENT],
    }
}

/// An SDP body the server side writes.
pub fn server_sdp(port: u16, formats: &str, direction: &str) -> Vec<u8> {
    let mut rtpmap = String::new();
    for pt in formats.split(' ') {
        let line = match pt {
            "0" => "a=rtpmap:0 PCMU/8000\r\n".to_owned(),
            "8" => "a=rtpmap:8 PCMA/8000\r\n".to_owned(),
            other => format!("a=rtpmap:{other} telephone-event/8000\r\n"),
        };
        rtpmap.push_str(&line);
    }
    format!(
        "v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {formats}\r\n{rtpmap}a={direction}\r\n"
    )
    .into_bytes()
}

impl Sim {
    pub fn new(transport: Transport) -> Sim {
        let now = Instant::now();
        let server_addr: SocketAddr = "192.0.2.1:5060".parse().unwrap();
        let ua_addr: SocketAddr = "198.51.100.7:5062".parse().unwrap();
        let mut config = EndpointConfig::new(server_addr.ip().into(), Some(5060));
        config.seed = Some(7);
        Sim {
            now,
            ua: UserAgent::new(account(transport), ua_addr, Some(3)),
            server: Endpoint::new(config),
            server_addr,
            ua_addr,
            transport,
            in_flight: Vec::new(),
            lose: Box::new(|_, _| false),
            events: Vec::new(),
            inbox: VecDeque::new(),
            registrar: Registrar {
                digest: DigestServer::with_secret(now, DigestConfig::default(), [9; 32]),
                granted: 120,
                answering: true,
                registers: Vec::new(),
                accepted: Vec::new(),
            },
            server_received: Vec::new(),
            nat: None,
            keepalives: Vec::new(),
        }
    }

    pub fn ua_peer(&self) -> Peer {
        Peer {
            transport: self.transport,
            addr: self.ua_addr,
        }
    }

    /// Runs the network and both ends for `d` of virtual time.
    pub fn run(&mut self, d: Duration) {
        let end = self.now + d;
        for _ in 0..1_000_000 {
            self.collect();
            let next = self
                .in_flight
                .iter()
                .map(|(at, _, _)| *at)
                .chain(self.ua.poll_timeout())
                .chain(self.server.poll_timeout())
                .min();
            let Some(next) = next.filter(|n| *n <= end) else {
                self.now = end;
                return;
            };
            self.now = self.now.max(next);
            let now = self.now;
            let (due, later): (Vec<_>, Vec<_>) =
                self.in_flight.drain(..).partition(|(at, _, _)| *at <= now);
            self.in_flight = later;
            for (_, to_server, t) in due {
                let ua_seen_at = self.nat.unwrap_or(self.ua_addr);
                if to_server {
                    self.server_received
                        .push(String::from_utf8_lossy(&t.bytes).into_owned());
                    if t.bytes.iter().all(|b| matches!(b, b'\r' | b'\n')) {
                        self.keepalives.push(now);
                        // RFC 5626 §4.4.1: a stream's ping is answered with a pong.
                        if t.transport.is_reliable() {
                            let pong = Transmit {
                                transport: t.transport,
                                dest: ua_seen_at,
                                bytes: b"\r\n".to_vec(),
                            };
                            self.in_flight.push((now + LATENCY, false, pong));
                        }
                        continue;
                    }
                    let from = Peer {
                        transport: t.transport,
                        addr: ua_seen_at,
                    };
                    self.server.handle_datagram(now, from, &t.bytes);
                } else if t.dest == ua_seen_at {
                    let from = Peer {
                        transport: t.transport,
                        addr: self.server_addr,
                    };
                    self.ua.handle_input(now, from, &t.bytes);
                }
            }
            if self.ua.poll_timeout().is_some_and(|t| t <= now) {
                self.ua.handle_timeout(now);
            }
            if self.server.poll_timeout().is_some_and(|t| t <= now) {
                self.server.handle_timeout(now);
            }
        }
        panic!("the simulation did not settle");
    }

    fn collect(&mut self) {
        loop {
            let mut any = false;
            while let Some(t) = self.ua.poll_transmit() {
                any = true;
                if !(self.lose)(true, &t.bytes) {
                    self.in_flight.push((self.now + LATENCY, true, t));
                }
            }
            while let Some(t) = self.server.poll_transmit() {
                any = true;
                if !(self.lose)(false, &t.bytes) {
                    self.in_flight.push((self.now + LATENCY, false, t));
                }
            }
            while let Some(e) = self.ua.poll_event() {
                self.events.push(e);
            }
            while let Some(e) = self.server.poll_event() {
                any = true;
                self.on_server_event(e);
            }
            if !any {
                return;
            }
        }
    }

    fn on_server_event(&mut self, event: TxEvent) {
        match event {
            TxEvent::Request { key, request, .. } if request.method == Method::Register => {
                self.on_register(key, request)
            }
            other => self.inbox.push_back(other),
        }
    }

    fn on_register(&mut self, key: ServerKey, request: Request) {
        self.registrar.registers.push(request.clone());
        if !self.registrar.answering {
            return;
        }
        let now = self.now;
        let authorization = request.headers.get("Authorization").map(str::to_owned);
        let verdict = authorization.map(|a| {
            self.registrar
                .digest
                .verify(now, "REGISTER", &a, |user, _| {
                    (user == "201").then(|| Secret::Password(PASSWORD.to_owned()))
                })
        });
        let response = match verdict {
            Some(Verdict::Authorized { .. }) => {
                self.registrar.accepted.push(request.clone());
                let mut ok = Response::for_request(&request, 200, "OK");
                if let Some(contact) = request.headers.get("Contact") {
                    ok.headers.push(
                        "Contact",
                        format!("{contact};expires={}", self.registrar.granted),
                    );
                }
                ok
            }
            _ => {
                let mut challenge = Response::for_request(&request, 401, "Unauthorized");
                for value in self.registrar.digest.challenge(now, REALM, false) {
                    challenge.headers.push("WWW-Authenticate", value);
                }
                challenge
            }
        };
        self.server.send_response(now, &key, response).unwrap();
    }

    /// The first request of `method` that reached the server and is not yet answered.
    pub fn take_request(&mut self, method: Method) -> Option<(ServerKey, Request)> {
        let i = self.inbox.iter().position(
            |e| matches!(e, TxEvent::Request { request, .. } if request.method == method),
        )?;
        match self.inbox.remove(i) {
            Some(TxEvent::Request { key, request, .. }) => Some((key, request)),
            _ => None,
        }
    }

    /// The first response to a request the server sent.
    pub fn take_response(&mut self) -> Option<(ClientKey, Response)> {
        let i = self
            .inbox
            .iter()
            .position(|e| matches!(e, TxEvent::Response { .. }))?;
        match self.inbox.remove(i) {
            Some(TxEvent::Response { key, response, .. }) => Some((key, response)),
            _ => None,
        }
    }

    /// Answers a request the server received, with a To tag on everything but 100.
    pub fn respond(
        &mut self,
        key: ServerKey,
        request: &Request,
        status: u16,
        body: Option<Vec<u8>>,
    ) -> Response {
        let mut response = Response::for_request(request, status, sip::default_reason(status));
        if status > 100 && request.to().is_some_and(|t| t.tag().is_none()) {
            let to = request.to().unwrap().with_tag("srv1");
            response.headers.set("To", to.to_string());
        }
        if status / 100 == 2 {
            response.headers.push("Contact", "<sip:pbx@192.0.2.1:5060>");
        }
        if let Some(body) = body {
            response.headers.push("Content-Type", "application/sdp");
            response.body = body;
        }
        self.server
            .send_response(self.now, &key, response.clone())
            .unwrap();
        response
    }

    /// The server sends `request` to the phone.
    pub fn send(&mut self, request: Request) -> ClientKey {
        let peer = self.ua_peer();
        self.server.send_request(self.now, request, peer).unwrap()
    }

    /// The server ACKs the 2xx `response` to its INVITE `invite` sent as `key`.
    pub fn ack(&mut self, key: ClientKey, invite: &Request, response: &Response) -> Dialog {
        let mut dialog = Dialog::from_uac(invite, response).unwrap();
        let ack = dialog.create_request(Method::Ack);
        let peer = self.ua_peer();
        self.server.send_ack(self.now, &key, ack, peer).unwrap();
        dialog
    }

    /// Moves the events the phone has queued into `events` and returns them all.
    pub fn ua_events_now(&mut self) -> Vec<Event> {
        while let Some(e) = self.ua.poll_event() {
            self.events.push(e);
        }
        self.events.clone()
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Registers the phone and clears what that produced.
    pub fn registered(transport: Transport) -> Sim {
        let mut sim = Sim::new(transport);
        let now = sim.now;
        sim.ua.register(now);
        sim.run(Duration::from_secs(1));
        assert!(matches!(
            sim.events.as_slice(),
            [Event::Registration(
                phone::ua::RegistrationEvent::Registered { .. }
            )]
        ));
        sim.events.clear();
        sim.server_received.clear();
        sim
    }
}
