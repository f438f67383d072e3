//! Shared by the registrar tests: a registrar with two extensions and a simulated phone
//! that answers digest challenges the way desk phones do.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use pbx::registrar::{
    Directory, DirectoryEntry, RegisterOutcome, Registrar, RegistrarConfig, Source, Transport,
};
use sip::auth::Challenge;
use sip::{Message, Request, Response};

pub const REALM: &str = "office.example";
/// Wall-clock seconds at the start of every test (2024-11-01).
pub const UNIX_START: u64 = 1_730_419_200;

pub fn directory() -> Directory {
    [
        DirectoryEntry::with_password("100", "Alice", REALM, "alice-secret"),
        DirectoryEntry::with_password("101", "Bob", REALM, "bob-secret"),
    ]
    .into_iter()
    .collect()
}

pub fn registrar(t0: Instant) -> Registrar {
    Registrar::new(t0, RegistrarConfig::new(REALM), directory())
}

/// A virtual clock: `Instant` and Unix seconds that move together.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub t0: Instant,
    pub elapsed: Duration,
}

impl Clock {
    pub fn new() -> Self {
        Clock {
            t0: Instant::now(),
            elapsed: Duration::ZERO,
        }
    }
    pub fn now(&self) -> Instant {
        self.t0 + self.elapsed
    }
    pub fn unix(&self) -> u64 {
        UNIX_START + self.elapsed.as_secs()
    }
    pub fn advance(&mut self, secs: u64) {
        self.elapsed += Duration::from_secs(secs);
    }
}

pub fn udp(addr: &str) -> Source {
    Source {
        transport: Transport::Udp,
        addr: addr.parse::<SocketAddr>().unwrap(),
    }
}

pub fn parse_request(text: &str) -> Request {
    match sip::parse(text.as_bytes()).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => panic!("not a request"),
    }
}

/// Puts a header line right after the request line of a raw message.
pub fn with_header(raw: &str, name: &str, value: &str) -> String {
    let (first, rest) = raw.split_once("\r\n").unwrap();
    format!("{first}\r\n{name}: {value}\r\n{rest}")
}

/// The `WWW-Authenticate` values of a 401.
pub fn challenges(resp: &Response) -> Vec<&str> {
    resp.headers.get_all("WWW-Authenticate").collect()
}

/// Answers the first supported challenge of `resp` for `raw` (a REGISTER).
pub fn authorize(raw: &str, resp: &Response, user: &str, password: &str) -> String {
    let challenge = Challenge::first_supported(challenges(resp)).expect("a challenge");
    let uri = raw.split(' ').nth(1).unwrap();
    let value = challenge.authorization(user, password, "REGISTER", uri, 1, "0a4f113b");
    with_header(raw, "Authorization", &value)
}

/// The Contact values of a 200 OK.
pub fn contacts(resp: &Response) -> Vec<String> {
    resp.headers
        .get_all("Contact")
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .collect()
}

/// A phone: one Call-ID, increasing CSeq, and the last nonce kept for refreshes (as
/// phones do, RFC 7616 §3.4.5: a nonce is reused with an increasing nc).
#[derive(Debug, Clone)]
pub struct Phone {
    pub user: String,
    pub password: String,
    pub to_user: String,
    pub call_id: String,
    pub cseq: u32,
    /// The Contact header value, e.g. `<sip:100@192.168.1.20:5060>`.
    pub contact: String,
    pub source: Source,
    pub challenge: Option<Challenge>,
    pub nc: u32,
}

impl Phone {
    pub fn new(user: &str, password: &str, contact: &str, source: Source) -> Self {
        Phone {
            user: user.to_owned(),
            password: password.to_owned(),
            to_user: user.to_owned(),
            call_id: format!("{user}-{}@phone", source.addr.port()),
            cseq: 0,
            contact: contact.to_owned(),
            source,
            challenge: None,
            nc: 0,
        }
    }

    /// Extension 100 on the LAN at 192.168.1.20:5060.
    pub fn alice() -> Self {
        Phone::new(
            "100",
            "alice-secret",
            "<sip:100@192.168.1.20:5060>",
            udp("192.168.1.20:5060"),
        )
    }

    /// The REGISTER text for the next CSeq, with credentials for the kept nonce.
    pub fn request_text(&mut self, expires: Option<u32>) -> String {
        self.cseq += 1;
        let mut text = format!(
            "REGISTER sip:{REALM} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {addr};branch=z9hG4bK{call}{cseq}\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{user}@{REALM}>;tag=f{cseq}\r\n\
             To: <sip:{to}@{REALM}>\r\n\
             Call-ID: {call}\r\n\
             CSeq: {cseq} REGISTER\r\n\
             User-Agent: TestPhone/1.0\r\n",
            addr = self.source.addr,
            call = self.call_id,
            cseq = self.cseq,
            user = self.user,
            to = self.to_user,
        );
        if !self.contact.is_empty() {
            text.push_str(&format!("Contact: {}\r\n", self.contact));
        }
        if let Some(e) = expires {
            text.push_str(&format!("Expires: {e}\r\n"));
        }
        if let Some(ch) = &self.challenge {
            self.nc += 1;
            let auth = ch.authorization(
                &self.user,
                &self.password,
                "REGISTER",
                &format!("sip:{REALM}"),
                self.nc,
                &format!("cn{}", self.cseq),
            );
            text.push_str(&format!("Authorization: {auth}\r\n"));
        }
        text.push_str("Content-Length: 0\r\n\r\n");
        text
    }

    /// Sends one REGISTER, without retrying.
    pub fn send(
        &mut self,
        reg: &mut Registrar,
        clock: &Clock,
        expires: Option<u32>,
    ) -> RegisterOutcome {
        let text = self.request_text(expires);
        reg.handle_register(
            clock.now(),
            clock.unix(),
            &parse_request(&text),
            self.source,
        )
    }

    /// Sends a REGISTER and, on a 401, answers the challenge once (twice if stale).
    pub fn register(
        &mut self,
        reg: &mut Registrar,
        clock: &Clock,
        expires: Option<u32>,
    ) -> RegisterOutcome {
        let mut outcome = self.send(reg, clock, expires);
        for _ in 0..2 {
            if outcome.response.status != 401 {
                break;
            }
            self.challenge = Challenge::first_supported(challenges(&outcome.response));
            self.nc = 0;
            outcome = self.send(reg, clock, expires);
        }
        outcome
    }
}
