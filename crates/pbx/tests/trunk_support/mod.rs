//! A simulated provider for the trunk tests: a digest registrar (the `sip` crate's own
//! server) that can be told to answer otherwise, and the PBX, on one virtual clock.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use pbx::dialplan::{Destination, DialPlan, DtmfMode, Trunk, TrunkAuth, TrunkTransport};
use pbx::registrar::{Directory, RegistrarConfig};
use pbx::{Action, MediaRelay, Pbx, PbxConfig, PbxEvent, RelayPorts, TrunkState, TrunkStatus};
use sip::auth::{Algorithm, DigestConfig, DigestServer, Secret, Verdict};
use sip::transaction::Peer;
use sip::{Message, Request, Response, Transport};

pub const PBX_ADDR: &str = "192.168.1.1:5060";
pub const PROVIDER_ADDR: &str = "203.0.113.5:5060";
pub const REALM: &str = "provider.example";
pub const USERNAME: &str = "acme-4410";
pub const PASSWORD: &str = "trunk-secret";
pub const CONTACT_USER: &str = "tk7f3q9x";
/// Wall-clock seconds at the start (2024-11-01).
pub const UNIX_START: u64 = 1_730_419_200;

pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

pub fn provider_peer() -> Peer {
    Peer {
        transport: Transport::Udp,
        addr: addr(PROVIDER_ADDR),
    }
}

/// A registration trunk to the provider, by IP address so no resolution is needed.
pub fn trunk(id: i64) -> Trunk {
    Trunk {
        id,
        name: format!("Provider {id}"),
        enabled: true,
        host: addr(PROVIDER_ADDR).ip().to_string(),
        port: None,
        transport: TrunkTransport::Udp,
        outbound_proxy: None,
        auth: TrunkAuth::Registration {
            username: USERNAME.to_owned(),
            password: PASSWORD.to_owned(),
            auth_username: None,
            contact_user: CONTACT_USER.to_owned(),
            expires: 3600,
        },
        channels: 2,
        codecs: vec!["PCMU".to_owned()],
        dtmf: DtmfMode::Rfc4733,
        from_user: None,
        caller_id: None,
        trust_pai: false,
        overflow: None,
        default_destination: Destination::Hangup,
    }
}

pub fn plan(trunks: Vec<Trunk>) -> DialPlan {
    DialPlan {
        trunks,
        ..DialPlan::default()
    }
}

/// How the provider answers the next REGISTER instead of its usual digest dance.
#[derive(Debug, Clone)]
pub enum Forced {
    /// A final response with these extra headers.
    Status(u16, &'static str, Vec<(&'static str, String)>),
    /// No answer at all (the PBX's transaction times out).
    Silence,
}

/// One REGISTER as the provider saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Time since the start.
    pub at: Duration,
    pub request: Request,
    /// The provider's digest verdict on its Authorization, if it had one.
    pub verdict: Option<Verdict>,
    /// The status the provider answered with; `None`: it kept silent.
    pub answered: Option<u16>,
}

impl Seen {
    pub fn expires(&self) -> Option<u32> {
        self.request.expires()
    }

    pub fn authorization(&self) -> Option<&str> {
        self.request.headers.get("Authorization")
    }
}

struct NoRelay;

impl MediaRelay for NoRelay {
    fn allocate(&mut self, _a: IpAddr, _b: IpAddr) -> Option<RelayPorts> {
        None
    }
}

pub struct Office {
    pub t0: Instant,
    pub now: Instant,
    pub pbx: Pbx,
    digest: DigestServer,
    /// The password the provider expects.
    pub provider_password: String,
    /// Seconds the provider grants.
    pub granted: u32,
    /// Answers to use before the usual ones, in order.
    pub forced: VecDeque<Forced>,
    /// Every REGISTER the provider received.
    pub seen: Vec<Seen>,
    /// Every trunk status event, with its time since the start.
    pub events: Vec<(Duration, TrunkState)>,
    /// The PBX is behind a NAT: the provider sees its requests from here, and says so in
    /// `received`/`rport` (RFC 3581).
    pub nat_as: Option<SocketAddr>,
    /// The NAT gives every request a new port (a symmetric NAT with a short memory).
    pub nat_port_changes: bool,
    /// When the provider received a keep-alive (an empty datagram of line ends).
    pub keepalives: Vec<Duration>,
}

impl Office {
    /// The PBX and a provider whose registrar challenges with `algorithms`.
    pub fn new(seed: u64, algorithms: Vec<Algorithm>) -> Office {
        let t0 = Instant::now();
        let config = PbxConfig::new(
            vec![(Transport::Udp, addr(PBX_ADDR))],
            RegistrarConfig::new("office.example"),
        );
        let pbx = Pbx::new(t0, config, Directory::new(), Box::new(NoRelay), Some(seed));
        let digest_config = DigestConfig {
            algorithms,
            ..DigestConfig::default()
        };
        Office {
            t0,
            now: t0,
            pbx,
            digest: DigestServer::with_secret(t0, digest_config, [9; 32]),
            provider_password: PASSWORD.to_owned(),
            granted: 120,
            forced: VecDeque::new(),
            seen: Vec::new(),
            events: Vec::new(),
            nat_as: None,
            nat_port_changes: false,
            keepalives: Vec::new(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.t0
    }

    fn unix(&self) -> u64 {
        UNIX_START + self.elapsed().as_secs()
    }

    pub fn set_plan(&mut self, plan: DialPlan) {
        self.pbx.set_dial_plan(self.now, plan);
        self.exchange();
    }

    pub fn network_changed(&mut self) {
        self.pbx.network_changed(self.now);
        self.exchange();
    }

    /// Runs the world until `at` (time since the start).
    pub fn run_until(&mut self, at: Duration) {
        let end = self.t0 + at;
        self.exchange();
        let mut steps = 0;
        while let Some(next) = self.pbx.poll_timeout() {
            if next > end {
                break;
            }
            steps += 1;
            assert!(steps < 100_000, "the PBX never settles");
            self.now = self.now.max(next);
            self.pbx.handle_timeout(self.now, self.unix());
            self.exchange();
        }
        self.now = self.now.max(end);
    }

    /// Delivers what the PBX sent (instantly) and the provider's answers, until quiet.
    fn exchange(&mut self) {
        loop {
            self.collect_events();
            let Some(transmit) = self.pbx.poll_transmit() else {
                break;
            };
            assert_eq!(transmit.dest, addr(PROVIDER_ADDR), "sent elsewhere");
            if transmit.bytes.iter().all(|b| matches!(b, b'\r' | b'\n')) {
                self.keepalives.push(self.elapsed());
                continue;
            }
            let Ok(Message::Request(request)) = sip::parse(&transmit.bytes) else {
                continue; // retransmissions of a request parse too; responses do not occur
            };
            assert_eq!(request.method, sip::Method::Register);
            if let Some(answer) = self.answer(request) {
                let bytes = Message::Response(answer).to_bytes();
                let source = provider_peer();
                self.pbx.handle_input(self.now, self.unix(), source, &bytes);
            }
        }
        self.collect_events();
    }

    fn collect_events(&mut self) {
        let at = self.elapsed();
        while let Some(action) = self.pbx.poll_action() {
            if let Action::Event(PbxEvent::TrunkStatus(state)) = action {
                self.events.push((at, state));
            }
        }
    }

    /// The provider's registrar, seen through the NAT if there is one.
    fn answer(&mut self, request: Request) -> Option<Response> {
        let mut response = self.registrar(request)?;
        if let Some(seen) = self.seen.last_mut() {
            seen.answered = Some(response.status);
        }
        if let Some(public) = self.nat_as {
            if let Some(via) = response.headers.get("Via").map(str::to_owned) {
                let via = via.replace(
                    ";rport",
                    &format!(";received={};rport={}", public.ip(), public.port()),
                );
                response.headers.set("Via", via);
            }
            if self.nat_port_changes {
                self.nat_as = Some(SocketAddr::new(public.ip(), public.port() + 1));
            }
        }
        Some(response)
    }

    fn registrar(&mut self, request: Request) -> Option<Response> {
        let authorization = request.headers.get("Authorization").map(str::to_owned);
        let verdict = authorization.as_deref().map(|a| {
            let password = self.provider_password.clone();
            self.digest.verify(self.now, "REGISTER", a, |user, _realm| {
                (user == USERNAME).then_some(Secret::Password(password))
            })
        });
        let retransmission = self.seen.last().is_some_and(|s| {
            s.request.headers.get("Via") == request.headers.get("Via")
                && s.request.headers.get("CSeq") == request.headers.get("CSeq")
        });
        if retransmission {
            return None;
        }
        self.seen.push(Seen {
            at: self.elapsed(),
            request: request.clone(),
            verdict: verdict.clone(),
            answered: None,
        });
        if let Some(forced) = self.forced.pop_front() {
            return match forced {
                Forced::Silence => None,
                Forced::Status(status, reason, headers) => {
                    let mut response = Response::for_request(&request, status, reason);
                    for (name, value) in headers {
                        response.headers.push(name, value);
                    }
                    Some(with_tag(response))
                }
            };
        }
        let response = match verdict {
            Some(Verdict::Authorized { .. }) => {
                let mut ok = Response::for_request(&request, 200, "OK");
                if let Some(contact) = request.headers.get("Contact") {
                    let expires = request.expires().unwrap_or(3600).min(self.granted);
                    ok.headers
                        .push("Contact", format!("{contact};expires={expires}"));
                }
                ok
            }
            Some(Verdict::Stale) => self.challenge(&request, true),
            Some(Verdict::Rejected) | None => self.challenge(&request, false),
        };
        Some(with_tag(response))
    }

    fn challenge(&mut self, request: &Request, stale: bool) -> Response {
        let mut response = Response::for_request(request, 401, "Unauthorized");
        for value in self.digest.challenge(self.now, REALM, stale) {
            response.headers.push("WWW-Authenticate", value);
        }
        response
    }

    /// The latest status of trunk `id`.
    pub fn status(&self, id: i64) -> Option<TrunkStatus> {
        self.pbx
            .trunk_states()
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| s.status)
    }

    /// REGISTERs sent with an expiry above zero (attempts to register).
    pub fn attempts(&self) -> Vec<&Seen> {
        self.seen
            .iter()
            .filter(|s| s.expires() != Some(0))
            .collect()
    }
}

fn with_tag(mut response: Response) -> Response {
    if let Some(to) = response.to() {
        if to.tag().is_none() {
            response.headers.set("To", to.with_tag("prov1").to_string());
        }
    }
    response
}
