//! Phones that place calls: INVITE (answering the digest challenge) → 200 → ACK → BYE.
//!
//! One [`CallerLane`] owns a UDP socket and the calls of its phones. A phone answers the
//! last challenge it got with a rising nonce-count, so only its first call (and one after
//! each nonce expiry) is challenged, as with real phones.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sip::{Message, Method, Request};
use tokio::net::UdpSocket;
use tokio::sync::watch;

mod plan;
mod responses;

pub use plan::{CallPlan, CallStats, Control, Hold, Pacing, Progress};

use crate::auth::Credentials;
use crate::media::{Command, MediaHandle};
use crate::message::{self, RequestSpec};
use crate::retransmit::{Due, Outstanding};
use crate::sdp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Inviting { authed: bool },
    Answered,
    Ending,
}

struct Call {
    phone: usize,
    request_uri: String,
    from: String,
    to: String,
    remote_target: String,
    cseq: u32,
    branch: String,
    state: State,
    started: Instant,
    offer: Option<Vec<u8>>,
    tx: Option<Outstanding>,
    ack: Option<Vec<u8>>,
    hang_up_at: Option<Instant>,
    stream: Option<(MediaHandle, u32)>,
}

/// Callers sharing one socket.
pub struct CallerLane {
    pub socket: UdpSocket,
    pub local: SocketAddr,
    pub server: SocketAddr,
    pub phones: Vec<Credentials>,
    /// Numbers to call, taken in turn.
    pub callees: Arc<Vec<String>>,
    /// Where in `callees` and the media sockets this lane starts, so lanes spread out.
    pub first: usize,
    pub plan: CallPlan,
    pub control: watch::Receiver<Control>,
    pub progress: Arc<Progress>,
    pub stats: CallStats,
    calls: HashMap<String, Call>,
    counter: usize,
    next_start: Option<Instant>,
}

impl CallerLane {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        socket: UdpSocket,
        local: SocketAddr,
        server: SocketAddr,
        phones: Vec<Credentials>,
        callees: Arc<Vec<String>>,
        first: usize,
        plan: CallPlan,
        control: watch::Receiver<Control>,
        progress: Arc<Progress>,
    ) -> Self {
        CallerLane {
            socket,
            local,
            server,
            phones,
            callees,
            first,
            plan,
            control,
            progress,
            stats: CallStats::default(),
            calls: HashMap::new(),
            counter: 0,
            next_start: None,
        }
    }

    pub async fn run(mut self) -> CallStats {
        let mut buf = vec![0u8; 65_536];
        let period = match self.plan.pacing {
            Pacing::Rate(_) => Duration::from_millis(2),
            Pacing::Window(_) => Duration::from_millis(20),
        };
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut hanging_up = false;
        loop {
            let now = Instant::now();
            let may_start = !hanging_up && self.may_start(now);
            if may_start {
                self.start_due(now);
            }
            if !may_start && self.calls.is_empty() {
                break;
            }
            tokio::select! {
                r = self.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = r {
                        self.on_datagram(buf.get(..n).unwrap_or_default(), from);
                    }
                    for _ in 0..256 {
                        match self.socket.try_recv_from(&mut buf) {
                            Ok((n, from)) => self.on_datagram(buf.get(..n).unwrap_or_default(), from),
                            Err(_) => break,
                        }
                    }
                }
                _ = tick.tick() => self.check_timers(Instant::now()),
                changed = self.control.changed(), if !hanging_up => {
                    if changed.is_err() || *self.control.borrow() == Control::HangUp {
                        hanging_up = true;
                        self.hang_up_all(Instant::now());
                    }
                }
            }
        }
        self.stats
    }

    fn may_start(&self, now: Instant) -> bool {
        self.plan.stop_at.is_none_or(|t| now < t)
            && self.plan.max_calls.is_none_or(|m| self.stats.started < m)
            && !self.phones.is_empty()
            && !self.callees.is_empty()
    }

    fn start_due(&mut self, now: Instant) {
        match self.plan.pacing {
            Pacing::Window(n) => {
                while self.calls.len() < n && self.may_start(now) {
                    self.start_call(now);
                }
            }
            Pacing::Rate(rate) => {
                let gap = Duration::from_secs_f64(1.0 / rate.max(1e-3));
                let next = self.next_start.get_or_insert(now);
                // A lane that fell more than a second behind does not try to catch up.
                if now.saturating_duration_since(*next) > Duration::from_secs(1) {
                    *next = now;
                }
                while self.next_start.is_some_and(|t| t <= now) && self.may_start(now) {
                    self.start_call(now);
                    self.next_start = self.next_start.map(|t| t + gap);
                }
            }
        }
    }

    fn start_call(&mut self, now: Instant) {
        let n = self.counter;
        self.counter += 1;
        let phone = n % self.phones.len();
        let callee = &self.callees[(self.first + n) % self.callees.len()];
        let request_uri = message::sip_uri(Some(callee), self.server);
        let caller = &self.phones[phone].username;
        let from = format!(
            "<{}>;tag={}",
            message::sip_uri(Some(caller), self.server),
            message::token()
        );
        let stream = self.plan.media.as_ref().and_then(|m| {
            let handle = m.get((self.first + n) % m.len())?;
            Some((handle.clone(), rand::random::<u32>()))
        });
        let audio_at = stream.as_ref().map_or(self.local, |(h, _)| h.addr);
        let offer = self
            .plan
            .sdp
            .then(|| sdp::description(audio_at, rand::random::<u32>().into()).into_bytes());
        let call = Call {
            phone,
            to: format!("<{request_uri}>"),
            remote_target: request_uri.clone(),
            request_uri,
            from,
            cseq: 0,
            branch: String::new(),
            state: State::Inviting { authed: false },
            started: now,
            offer,
            tx: None,
            ack: None,
            hang_up_at: None,
            stream,
        };
        let call_id = format!("{}@bench", message::token());
        self.stats.started += 1;
        self.calls.insert(call_id.clone(), call);
        self.send_invite(&call_id, now);
    }

    fn send_invite(&mut self, call_id: &str, now: Instant) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        call.cseq += 1;
        call.branch = message::branch();
        let creds = &mut self.phones[call.phone];
        let authorization = creds.authorize("INVITE", &call.request_uri);
        call.state = State::Inviting {
            authed: authorization.is_some(),
        };
        let contact = format!("<{}>", message::sip_uri(Some(&creds.username), self.local));
        let mut extra = vec![
            ("Contact", contact.as_str()),
            ("User-Agent", "switchboard-bench"),
        ];
        if let Some(a) = &authorization {
            extra.push(("Authorization", a.as_str()));
        }
        let body = call.offer.clone().map(|o| ("application/sdp", o));
        let bytes = spec(
            call,
            Method::Invite,
            &call.request_uri,
            &call.branch,
            self.local,
            call_id,
        )
        .build(&extra, body);
        let _ = crate::wire::send(&self.socket, &bytes, self.server);
        call.tx = Some(Outstanding::new(bytes, now, true, self.plan.timeout));
    }

    fn on_datagram(&mut self, data: &[u8], from: SocketAddr) {
        match sip::parse(data) {
            Ok(Message::Response(r)) => self.on_response(r),
            Ok(Message::Request(r)) => self.on_request(r, from),
            Err(_) => {}
        }
    }

    fn on_request(&mut self, request: Request, from: SocketAddr) {
        if request.method == Method::Ack {
            return;
        }
        let call_id = request.call_id().unwrap_or_default().to_owned();
        // BYE from the PBX ends our call; anything else in or out of a dialog gets a 200.
        if request.method == Method::Bye {
            if let Some(call) = self.calls.remove(&call_id) {
                self.stats.remote_hangups += 1;
                stop_stream(&call);
            }
        }
        let resp = message::response(&request, 200, &message::token());
        let _ = crate::wire::send(&self.socket, &resp.to_bytes(), from);
    }

    fn hang_up_all(&mut self, now: Instant) {
        let answered: Vec<String> = self
            .calls
            .iter()
            .filter(|(_, c)| c.state == State::Answered)
            .map(|(id, _)| id.clone())
            .collect();
        for id in answered {
            self.send_bye(&id, now);
        }
    }

    fn check_timers(&mut self, now: Instant) {
        let mut hang_up = Vec::new();
        let mut dead = Vec::new();
        for (id, call) in self.calls.iter_mut() {
            if call.hang_up_at.is_some_and(|t| t <= now) {
                hang_up.push(id.clone());
            }
            let Some(tx) = call.tx.as_mut() else {
                continue;
            };
            match tx.poll(now) {
                Due::Nothing => {}
                Due::Resend => {
                    self.stats.retransmits += 1;
                    let _ = crate::wire::send(&self.socket, &tx.bytes, self.server);
                }
                Due::GiveUp => dead.push(id.clone()),
            }
        }
        for id in dead {
            if let Some(call) = self.calls.remove(&id) {
                stop_stream(&call);
                if call.state == State::Ending {
                    self.stats.bye_timeouts += 1;
                } else {
                    self.stats.invite_timeouts += 1;
                    self.progress.failed.fetch_add(1, Relaxed);
                }
            }
        }
        for id in hang_up {
            self.send_bye(&id, now);
        }
    }
}

fn spec<'a>(
    call: &'a Call,
    method: Method,
    uri: &'a str,
    branch: &'a str,
    local: SocketAddr,
    call_id: &'a str,
) -> RequestSpec<'a> {
    RequestSpec {
        method,
        uri,
        local,
        branch,
        from: &call.from,
        to: &call.to,
        call_id,
        cseq: call.cseq,
    }
}

fn stop_stream(call: &Call) {
    if let Some((handle, ssrc)) = &call.stream {
        let _ = handle.commands.send(Command::Stop { ssrc: *ssrc });
    }
}
