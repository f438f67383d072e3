//! One socket's worth of phones registering: the REGISTER / 401 / REGISTER-with-credentials
//! exchange, refreshes with a rising nonce-count, and retransmission over UDP.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::{Message, Method, Response};
use tokio::net::UdpSocket;

use super::{RegisterStats, Until};
use crate::auth::{ChallengeKind, Credentials};
use crate::extensions::Extension;
use crate::message::{self, RequestSpec};
use crate::retransmit::{Due, Outstanding};

struct Phone {
    creds: Credentials,
    call_id: String,
    from: String,
    to: String,
    contact: String,
    cseq: u32,
    pending: Option<Pending>,
}

struct Pending {
    cseq: u32,
    authed: bool,
    tx: Outstanding,
}

/// Phones sharing one socket.
pub struct RegisterLane {
    server: SocketAddr,
    /// Request-URI and digest uri (RFC 3261 §10.2: the registrar's domain).
    uri: String,
    local: SocketAddr,
    phones: Vec<Phone>,
    by_call_id: HashMap<String, usize>,
    idle: VecDeque<usize>,
    in_flight: usize,
    window: usize,
    expires: String,
    timeout: Duration,
    pub stats: RegisterStats,
}

impl RegisterLane {
    /// Phones for `extensions`, each with Contact `sip:NUMBER@local`, at most `window`
    /// REGISTERs outstanding at once.
    pub fn new(
        server: SocketAddr,
        local: SocketAddr,
        extensions: &[Extension],
        window: usize,
        expires: u32,
        timeout: Duration,
    ) -> Self {
        let phones: Vec<Phone> = extensions
            .iter()
            .map(|e| {
                let aor = format!("<{}>", message::sip_uri(Some(&e.number), server));
                Phone {
                    creds: Credentials::new(&e.number, &e.password),
                    call_id: format!("{}@bench", message::token()),
                    from: format!("{aor};tag={}", message::token()),
                    to: aor,
                    // RFC 5626 §4.1: a stable instance id per phone, so a run from a new
                    // port replaces the previous run's binding instead of adding a fork.
                    contact: format!(
                        "<{}>;+sip.instance=\"<urn:uuid:{}>\"",
                        message::sip_uri(Some(&e.number), local),
                        instance_uuid(&e.number)
                    ),
                    cseq: 0,
                    pending: None,
                }
            })
            .collect();
        let by_call_id = phones
            .iter()
            .enumerate()
            .map(|(i, p)| (p.call_id.clone(), i))
            .collect();
        RegisterLane {
            server,
            uri: message::sip_uri(None, server),
            local,
            idle: (0..phones.len()).collect(),
            phones,
            by_call_id,
            in_flight: 0,
            window: window.max(1),
            expires: expires.to_string(),
            timeout,
            stats: RegisterStats::default(),
        }
    }

    /// The phones' credentials, with the nonce each last received, in extension order.
    pub fn into_credentials(self) -> Vec<Credentials> {
        self.phones.into_iter().map(|p| p.creds).collect()
    }

    pub async fn run(&mut self, socket: &UdpSocket, until: Until) {
        let mut buf = vec![0u8; 65_536];
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let now = Instant::now();
            let sending = match until {
                Until::Once => true,
                Until::Deadline(d) => now < d,
            };
            if sending {
                self.fill(socket, now);
            }
            if self.in_flight == 0 && (!sending || self.idle.is_empty()) {
                break;
            }
            tokio::select! {
                r = socket.recv_from(&mut buf) => {
                    if let Ok((n, _)) = r {
                        self.on_datagram(socket, buf.get(..n).unwrap_or_default(), until);
                    }
                    // Take whatever else is queued before looking at timers again.
                    for _ in 0..256 {
                        match socket.try_recv_from(&mut buf) {
                            Ok((n, _)) => self.on_datagram(socket, buf.get(..n).unwrap_or_default(), until),
                            Err(_) => break,
                        }
                    }
                }
                _ = tick.tick() => self.check_timers(socket, Instant::now(), until),
            }
        }
    }

    fn fill(&mut self, socket: &UdpSocket, now: Instant) {
        while self.in_flight < self.window {
            let Some(i) = self.idle.pop_front() else {
                return;
            };
            self.send_register(socket, i, now);
            self.in_flight += 1;
        }
    }

    fn send_register(&mut self, socket: &UdpSocket, i: usize, now: Instant) {
        let Some(phone) = self.phones.get_mut(i) else {
            return;
        };
        phone.cseq += 1;
        let authorization = phone.creds.authorize("REGISTER", &self.uri);
        let branch = message::branch();
        let spec = RequestSpec {
            method: Method::Register,
            uri: &self.uri,
            local: self.local,
            branch: &branch,
            from: &phone.from,
            to: &phone.to,
            call_id: &phone.call_id,
            cseq: phone.cseq,
        };
        let mut extra = vec![
            ("Contact", phone.contact.as_str()),
            ("Expires", self.expires.as_str()),
            ("User-Agent", "switchboard-bench"),
        ];
        if let Some(a) = &authorization {
            extra.push(("Authorization", a.as_str()));
        }
        let bytes = spec.build(&extra, None);
        let _ = crate::wire::send(socket, &bytes, self.server);
        phone.pending = Some(Pending {
            cseq: phone.cseq,
            authed: authorization.is_some(),
            tx: Outstanding::new(bytes, now, false, self.timeout),
        });
    }

    fn on_datagram(&mut self, socket: &UdpSocket, data: &[u8], until: Until) {
        let Ok(Message::Response(response)) = sip::parse(data) else {
            return;
        };
        let Some(&i) = response.call_id().and_then(|c| self.by_call_id.get(c)) else {
            return;
        };
        let cseq = response.cseq().map(|c| c.seq);
        let Some(phone) = self.phones.get_mut(i) else {
            return;
        };
        let matches = phone.pending.as_ref().is_some_and(|p| Some(p.cseq) == cseq);
        if !matches || response.status < 200 {
            return; // a late retransmission, or a provisional response
        }
        let Some(pending) = phone.pending.take() else {
            return;
        };
        let now = Instant::now();
        match response.status {
            401 | 407 => {
                if self.on_challenge(i, &response, pending.authed) {
                    // Answer the challenge right away: same phone, next CSeq.
                    self.send_register(socket, i, now);
                    return;
                }
            }
            200..=299 if pending.authed => {
                self.stats.ok += 1;
                self.stats.latency.record(now - pending.tx.first_sent);
            }
            status => *self.stats.other.entry(status).or_default() += 1,
        }
        self.finished(i, until);
    }

    /// Takes a 401's challenge; false when the phone should not retry.
    fn on_challenge(&mut self, i: usize, response: &Response, authed: bool) -> bool {
        let Some(phone) = self.phones.get_mut(i) else {
            return false;
        };
        match (phone.creds.accept(response), authed) {
            (ChallengeKind::Unusable, _) => {
                *self.stats.other.entry(response.status).or_default() += 1;
                false
            }
            (ChallengeKind::Stale, true) => {
                self.stats.stale += 1;
                true
            }
            (_, false) => {
                self.stats.challenged += 1;
                true
            }
            (ChallengeKind::Fresh, true) => {
                // Wrong credentials: retrying would be refused again.
                self.stats.rejected += 1;
                phone.creds.forget();
                false
            }
        }
    }

    /// The phone's REGISTER is over: free its slot, and queue its next refresh.
    fn finished(&mut self, i: usize, until: Until) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if matches!(until, Until::Deadline(_)) {
            self.idle.push_back(i);
        }
    }

    fn check_timers(&mut self, socket: &UdpSocket, now: Instant, until: Until) {
        let mut gave_up = Vec::new();
        for (i, phone) in self.phones.iter_mut().enumerate() {
            let Some(pending) = phone.pending.as_mut() else {
                continue;
            };
            match pending.tx.poll(now) {
                Due::Nothing => {}
                Due::Resend => {
                    self.stats.retransmits += 1;
                    let _ = crate::wire::send(socket, &pending.tx.bytes, self.server);
                }
                Due::GiveUp => {
                    phone.pending = None;
                    self.stats.timeouts += 1;
                    gave_up.push(i);
                }
            }
        }
        for i in gave_up {
            self.finished(i, until);
        }
    }
}

/// A UUID (RFC 4122 form) that is the same for an extension in every run.
fn instance_uuid(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_alphanumeric).collect();
    let tail = format!("{digits:0>12}");
    let tail = tail.get(tail.len().saturating_sub(12)..).unwrap_or("0");
    format!("5b0a4d1e-0000-4000-8000-{tail}")
}
