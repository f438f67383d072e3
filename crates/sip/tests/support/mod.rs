//! Shared helpers for the transaction and dialog tests: message builders, a virtual
//! clock driver for one endpoint, and a seeded simulated network.
#![allow(dead_code)]

pub mod netsim;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::transaction::{Endpoint, EndpointConfig, Event, Peer, Transmit};
use sip::{Host, Message, Request, Response, Transport};

pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

pub fn udp(s: &str) -> Peer {
    Peer {
        transport: Transport::Udp,
        addr: addr(s),
    }
}

pub fn tcp(s: &str) -> Peer {
    Peer {
        transport: Transport::Tcp,
        addr: addr(s),
    }
}

/// An endpoint whose Via says `host:port`, with a fixed seed.
pub fn endpoint(host: &str, port: u16, seed: u64) -> Endpoint {
    let mut config = EndpointConfig::new(host.parse::<Host>().expect("host"), Some(port));
    config.seed = Some(seed);
    Endpoint::new(config)
}

/// Parses a message written with `\n` line ends.
pub fn message(text: &str) -> Message {
    let wire = text.replace('\n', "\r\n");
    sip::parse(wire.as_bytes()).expect("test message parses")
}

pub fn request(text: &str) -> Request {
    match message(text) {
        Message::Request(r) => r,
        Message::Response(_) => panic!("expected a request"),
    }
}

pub fn response(bytes: &[u8]) -> Response {
    match sip::parse(bytes).expect("response parses") {
        Message::Response(r) => r,
        Message::Request(_) => panic!("expected a response"),
    }
}

pub fn parsed_request(bytes: &[u8]) -> Request {
    match sip::parse(bytes).expect("request parses") {
        Message::Request(r) => r,
        Message::Response(_) => panic!("expected a request"),
    }
}

/// A request from the UAC at 192.0.2.10 to the UAS at 192.0.2.20, without Via (the
/// endpoint adds one).
pub fn outgoing(method: &str, cseq: u32, call_id: &str) -> Request {
    request(&format!(
        "{method} sip:bob@192.0.2.20 SIP/2.0\n\
         Max-Forwards: 70\n\
         From: <sip:alice@192.0.2.10>;tag=a1\n\
         To: <sip:bob@192.0.2.20>\n\
         Call-ID: {call_id}\n\
         CSeq: {cseq} {method}\n\
         Contact: <sip:alice@192.0.2.10:5060>\n\
         Content-Length: 0\n\n"
    ))
}

/// A request as it arrives from a client at `via` with `branch`.
pub fn incoming(method: &str, via: &str, branch: &str, call_id: &str, cseq: u32) -> Vec<u8> {
    format!(
        "{method} sip:bob@192.0.2.20 SIP/2.0\r\n\
         Via: SIP/2.0/UDP {via};branch={branch}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:alice@192.0.2.10>;tag=a1\r\n\
         To: <sip:bob@192.0.2.20>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: {cseq} {method}\r\n\
         Contact: <sip:alice@192.0.2.10:5060>\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// The response `status` to `req`, with a To tag unless 100.
pub fn answer(req: &Request, status: u16) -> Response {
    let mut resp = Response::for_request(req, status, sip::default_reason(status));
    if status > 100 {
        if let Some(to) = resp.to() {
            resp.headers.set("To", to.with_tag("b2").to_string());
        }
    }
    resp
}

/// Drives one endpoint through virtual time, recording what it sends and when.
pub struct Driver {
    pub ep: Endpoint,
    pub t0: Instant,
    pub now: Instant,
    pub sent: Vec<(Duration, Transmit)>,
    pub events: Vec<(Duration, Event)>,
}

impl Driver {
    pub fn new(ep: Endpoint) -> Self {
        let t0 = Instant::now();
        Driver {
            ep,
            t0,
            now: t0,
            sent: Vec::new(),
            events: Vec::new(),
        }
    }

    pub fn at(&self, secs: f64) -> Instant {
        self.t0 + Duration::from_secs_f64(secs)
    }

    /// Collects output produced so far.
    pub fn drain(&mut self) {
        let elapsed = self.now - self.t0;
        while let Some(t) = self.ep.poll_transmit() {
            self.sent.push((elapsed, t));
        }
        while let Some(e) = self.ep.poll_event() {
            self.events.push((elapsed, e));
        }
    }

    /// Jumps from timer to timer up to `until` seconds after the start.
    pub fn run_until(&mut self, until: f64) {
        let end = self.at(until);
        self.drain();
        while let Some(next) = self.ep.poll_timeout() {
            if next > end {
                break;
            }
            self.now = self.now.max(next);
            self.ep.handle_timeout(self.now);
            self.drain();
        }
        self.now = self.now.max(end);
    }

    pub fn receive(&mut self, from: Peer, bytes: &[u8]) {
        self.ep.handle_datagram(self.now, from, bytes);
        self.drain();
    }

    /// Send times, in seconds, of transmits whose first line starts with `prefix`.
    pub fn send_times(&self, prefix: &str) -> Vec<f64> {
        self.sent
            .iter()
            .filter(|(_, t)| t.bytes.starts_with(prefix.as_bytes()))
            .map(|(at, _)| (at.as_secs_f64() * 1000.0).round() / 1000.0)
            .collect()
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        self.drain();
        self.events.drain(..).map(|(_, e)| e).collect()
    }

    pub fn take_sent(&mut self) -> Vec<Transmit> {
        self.drain();
        self.sent.drain(..).map(|(_, t)| t).collect()
    }
}
