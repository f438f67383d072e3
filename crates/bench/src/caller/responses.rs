//! How a caller reacts to the PBX's responses: challenges, answers, and the end of a call.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use sip::{Method, Response};

use super::{spec, stop_stream, CallerLane, Hold, State};
use crate::auth::ChallengeKind;
use crate::media::Command;
use crate::message;
use crate::retransmit::Outstanding;
use crate::sdp;

impl CallerLane {
    pub(super) fn on_response(&mut self, response: Response) {
        let Some(call_id) = response.call_id().map(str::to_owned) else {
            return;
        };
        let Some(cseq) = response.cseq() else {
            return;
        };
        let now = Instant::now();
        let Some(call) = self.calls.get_mut(&call_id) else {
            return;
        };
        match (cseq.method, call.state) {
            (Method::Invite, State::Inviting { authed }) if cseq.seq == call.cseq => {
                self.invite_response(&call_id, response, authed, now)
            }
            // A retransmitted 200: our ACK was lost (RFC 3261 §13.2.2.4).
            (Method::Invite, _) if response.class() == 2 => {
                if let Some(ack) = &call.ack {
                    let _ = crate::wire::send(&self.socket, ack, self.server);
                }
            }
            (Method::Bye, State::Ending) if cseq.seq == call.cseq && response.status >= 200 => {
                if response.class() == 2 {
                    self.stats.completed += 1;
                } else {
                    *self.stats.bye_failed.entry(response.status).or_default() += 1;
                }
                self.calls.remove(&call_id);
            }
            _ => {}
        }
    }

    fn invite_response(&mut self, call_id: &str, response: Response, authed: bool, now: Instant) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        if response.status < 200 {
            if let Some(tx) = call.tx.as_mut() {
                tx.provisional();
            }
            return;
        }
        if let Some(to) = response.headers.get("To") {
            call.to = to.to_owned();
        }
        if response.class() == 2 {
            return self.answered(call_id, &response, now);
        }
        // RFC 3261 §17.1.1.3: a non-2xx final response is acknowledged in its transaction.
        let ack = spec(
            call,
            Method::Ack,
            &call.request_uri,
            &call.branch,
            self.local,
            call_id,
        )
        .build(&[], None);
        let _ = crate::wire::send(&self.socket, &ack, self.server);
        call.tx = None;
        let mut counted = false;
        if matches!(response.status, 401 | 407) {
            let kind = self.phones[call.phone].accept(&response);
            let retry = match (kind, authed) {
                (ChallengeKind::Unusable, _) => false,
                (_, false) => {
                    self.stats.challenged += 1;
                    true
                }
                (ChallengeKind::Stale, true) => {
                    self.stats.stale += 1;
                    true
                }
                (ChallengeKind::Fresh, true) => {
                    self.stats.rejected += 1;
                    self.phones[call.phone].forget();
                    counted = true;
                    false
                }
            };
            if retry {
                // Same Call-ID and From tag, next CSeq, no To tag (RFC 3261 §22.2).
                call.to = format!("<{}>", call.request_uri);
                return self.send_invite(call_id, now);
            }
        }
        if !counted {
            *self.stats.invite_failed.entry(response.status).or_default() += 1;
        }
        self.progress.failed.fetch_add(1, Relaxed);
        self.calls.remove(call_id);
    }

    fn answered(&mut self, call_id: &str, response: &Response, now: Instant) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        self.stats.answered += 1;
        self.stats.setup.record(now - call.started);
        self.progress.answered.fetch_add(1, Relaxed);
        if let Some(target) = response
            .contacts()
            .and_then(|c| c.addrs().first().map(|a| a.uri.to_string()))
        {
            call.remote_target = target;
        }
        // RFC 3261 §13.2.2.4: the ACK for a 2xx is its own transaction, to the remote target.
        let branch = message::branch();
        let ack = spec(
            call,
            Method::Ack,
            &call.remote_target,
            &branch,
            self.local,
            call_id,
        )
        .build(&[], None);
        let _ = crate::wire::send(&self.socket, &ack, self.server);
        call.ack = Some(ack);
        call.tx = None;
        call.state = State::Answered;
        if let Some((handle, ssrc)) = &call.stream {
            if let Some(dest) = sdp::audio_address(&response.body) {
                let _ = handle.commands.send(Command::Start { ssrc: *ssrc, dest });
            }
        }
        match self.plan.hold {
            Hold::For(d) if d.is_zero() => self.send_bye(call_id, now),
            Hold::For(d) => call.hang_up_at = Some(now + d),
            Hold::UntilHangUp => {}
        }
    }

    pub(super) fn send_bye(&mut self, call_id: &str, now: Instant) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        stop_stream(call);
        call.cseq += 1;
        call.state = State::Ending;
        call.hang_up_at = None;
        let branch = message::branch();
        let bytes = spec(
            call,
            Method::Bye,
            &call.remote_target,
            &branch,
            self.local,
            call_id,
        )
        .build(&[], None);
        let _ = crate::wire::send(&self.socket, &bytes, self.server);
        call.tx = Some(Outstanding::new(bytes, now, false, self.plan.timeout));
    }
}
