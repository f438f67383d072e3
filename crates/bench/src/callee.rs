//! The answering side: extensions registered on one socket that pick up every call at once
//! with a 200 and an SDP answer, and hang up when the BYE comes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::{Message, Method, Request, Response};
use tokio::net::UdpSocket;
use tokio::sync::watch;

use crate::media::{Command, MediaHandle};
use crate::message;
use crate::retransmit::{Due, Outstanding};
use crate::sdp;

/// How the answering side behaves.
#[derive(Clone, Default)]
pub struct AnswerPlan {
    /// Send 180 Ringing before the 200, as a desk phone would.
    pub ringing: bool,
    /// Answer with SDP; without it the 200 has no body.
    pub sdp: bool,
    pub timeout: Duration,
    /// Media sockets for the answering side's audio, if RTP is exchanged.
    pub media: Option<Vec<MediaHandle>>,
}

#[derive(Debug, Clone, Default)]
pub struct CalleeStats {
    pub invites: u64,
    /// 2xx acknowledged.
    pub acked: u64,
    /// BYEs for calls we answered.
    pub byes: u64,
    /// BYEs for calls we do not know (retransmissions after we answered one).
    pub unknown_byes: u64,
    /// 2xx never acknowledged within the timeout.
    pub ack_timeouts: u64,
    /// ACKs for no call we know, or repeated.
    pub stray_acks: u64,
}

impl CalleeStats {
    pub fn merge(&mut self, o: &CalleeStats) {
        self.invites += o.invites;
        self.acked += o.acked;
        self.byes += o.byes;
        self.unknown_byes += o.unknown_byes;
        self.ack_timeouts += o.ack_timeouts;
        self.stray_acks += o.stray_acks;
    }
}

struct Dialog {
    /// The final response, resent for a retransmitted INVITE.
    answer: Vec<u8>,
    /// 2xx retransmission until the ACK (RFC 3261 §13.3.1.4).
    tx: Option<Outstanding>,
    peer: SocketAddr,
    stream: Option<(MediaHandle, u32, Option<SocketAddr>)>,
}

pub struct CalleeLane {
    pub socket: UdpSocket,
    pub local: SocketAddr,
    pub plan: AnswerPlan,
    /// Where in the media sockets this lane starts.
    pub first: usize,
    pub stats: CalleeStats,
    dialogs: HashMap<String, Dialog>,
    counter: usize,
}

impl CalleeLane {
    pub fn new(socket: UdpSocket, local: SocketAddr, plan: AnswerPlan, first: usize) -> Self {
        CalleeLane {
            socket,
            local,
            plan,
            first,
            stats: CalleeStats::default(),
            dialogs: HashMap::new(),
            counter: 0,
        }
    }

    /// Answers until `stop` turns true (or its sender is gone).
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) -> CalleeStats {
        let mut buf = vec![0u8; 65_536];
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !*stop.borrow() {
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
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
        // The PBX answers the caller's BYE and sends its own BYE here at the same moment,
        // so the last BYEs may still be on their way: take what arrives until it is quiet.
        while let Ok(Ok((n, from))) =
            tokio::time::timeout(Duration::from_millis(100), self.socket.recv_from(&mut buf)).await
        {
            self.on_datagram(buf.get(..n).unwrap_or_default(), from);
        }
        self.stats
    }

    fn on_datagram(&mut self, data: &[u8], from: SocketAddr) {
        let Ok(Message::Request(request)) = sip::parse(data) else {
            return;
        };
        let call_id = request.call_id().unwrap_or_default().to_owned();
        match request.method {
            Method::Invite => self.on_invite(call_id, &request, from),
            Method::Ack => match self.dialogs.get_mut(&call_id) {
                Some(d) if d.tx.is_some() => {
                    d.tx = None;
                    self.stats.acked += 1;
                    if let Some((handle, ssrc, Some(dest))) = &d.stream {
                        let _ = handle.commands.send(Command::Start {
                            ssrc: *ssrc,
                            dest: *dest,
                        });
                    }
                }
                _ => self.stats.stray_acks += 1,
            },
            Method::Bye => {
                match self.dialogs.remove(&call_id) {
                    Some(d) => {
                        self.stats.byes += 1;
                        stop_stream(&d);
                    }
                    None => self.stats.unknown_byes += 1,
                }
                self.reply(&request, 200, &message::token(), from);
            }
            // We answer at once, so a CANCEL always finds the call answered (§9.2: 200 to
            // the CANCEL, the INVITE keeps its 2xx).
            _ => self.reply(&request, 200, &message::token(), from),
        }
    }

    fn on_invite(&mut self, call_id: String, request: &Request, from: SocketAddr) {
        if let Some(d) = self.dialogs.get(&call_id) {
            // A retransmission: the same answer again (RFC 3261 §17.2.1).
            let _ = crate::wire::send(&self.socket, &d.answer, d.peer);
            return;
        }
        self.stats.invites += 1;
        let tag = message::token();
        if self.plan.ringing {
            self.reply(request, 180, &tag, from);
        }
        let user = request.uri.user().unwrap_or("bench").to_owned();
        let stream = self.plan.media.as_ref().and_then(|m| {
            let handle = m.get((self.first + self.counter) % m.len())?;
            Some((
                handle.clone(),
                rand::random::<u32>(),
                sdp::audio_address(&request.body),
            ))
        });
        self.counter += 1;
        let mut ok: Response = message::response(request, 200, &tag);
        let contact = format!("<{}>", message::sip_uri(Some(&user), self.local));
        ok.headers.push("Contact", contact);
        if self.plan.sdp && !request.body.is_empty() {
            let audio_at = stream.as_ref().map_or(self.local, |(h, _, _)| h.addr);
            ok.headers.push("Content-Type", "application/sdp");
            ok.body = sdp::description(audio_at, rand::random::<u32>().into()).into_bytes();
        }
        let answer = ok.to_bytes();
        let _ = crate::wire::send(&self.socket, &answer, from);
        let tx = Outstanding::new(answer.clone(), Instant::now(), false, self.plan.timeout);
        self.dialogs.insert(
            call_id,
            Dialog {
                answer,
                tx: Some(tx),
                peer: from,
                stream,
            },
        );
    }

    fn reply(&self, request: &Request, status: u16, tag: &str, to: SocketAddr) {
        let resp = message::response(request, status, tag);
        let _ = crate::wire::send(&self.socket, &resp.to_bytes(), to);
    }

    fn check_timers(&mut self, now: Instant) {
        let mut dead = Vec::new();
        for (id, d) in self.dialogs.iter_mut() {
            let Some(tx) = d.tx.as_mut() else {
                continue;
            };
            match tx.poll(now) {
                Due::Nothing => {}
                Due::Resend => {
                    let _ = crate::wire::send(&self.socket, &tx.bytes, d.peer);
                }
                Due::GiveUp => dead.push(id.clone()),
            }
        }
        for id in dead {
            if let Some(d) = self.dialogs.remove(&id) {
                self.stats.ack_timeouts += 1;
                stop_stream(&d);
            }
        }
    }
}

fn stop_stream(d: &Dialog) {
    if let Some((handle, ssrc, _)) = &d.stream {
        let _ = handle.commands.send(Command::Stop { ssrc: *ssrc });
    }
}
