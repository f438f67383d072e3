//! Answers to the requests we sent, and the transaction layer's stand-ins for them.

use std::time::{Duration, Instant};

use media::sdp::Direction;
use rand::Rng;

use sip::dialog::{Dialog, DialogId};
use sip::transaction::{ClientKey, Event as TxEvent};
use sip::{Method, Response};

use super::auth::{origin_of, ChallengeOutcome};
use super::call::{Purpose, State};
use super::types::{CallHandle, EndReason, Event, RegistrationEvent};
use super::UserAgent;

impl UserAgent {
    pub(super) fn on_transaction_event(&mut self, now: Instant, event: TxEvent) {
        match event {
            TxEvent::Response { key, response, .. } => self.on_response(now, key, &response),
            // RFC 3261 §8.1.3.1: no answer counts as 408, an unreachable server as 503.
            TxEvent::Timeout { key } => {
                self.on_response(now, key, &Response::new(408, "Request Timeout"))
            }
            TxEvent::TransportError { key } => {
                self.on_response(now, key, &Response::new(503, "Service Unavailable"))
            }
            TxEvent::Request {
                key,
                request,
                source,
            } => self.on_request(now, key, request, source),
            TxEvent::Ack { request, .. } => self.on_ack(&request),
            TxEvent::Cancelled { invite, .. } => self.on_cancelled(now, invite),
            TxEvent::AckTimeout { key } => self.on_ack_timeout(now, key),
        }
    }

    fn on_response(&mut self, now: Instant, key: ClientKey, response: &Response) {
        if self.registration.owns(key) {
            let contact = self.contact();
            if let Some(ev) = self
                .registration
                .on_response(now, response, &contact, &mut self.rng)
            {
                if matches!(ev, RegistrationEvent::Registered { .. }) {
                    self.learn_public_address(now, response);
                    self.schedule_keepalive(now);
                }
                self.emit(Event::Registration(ev));
            }
            return;
        }
        let Some(&(handle, purpose)) = self.pending.get(&key) else {
            return;
        };
        if response.status >= 200 {
            self.pending.remove(&key);
            let in_dialog = matches!(
                purpose,
                Purpose::Hold(_) | Purpose::Info | Purpose::Bye | Purpose::Refer
            );
            if in_dialog
                && matches!(response.status, 401 | 407)
                && self.answer_in_dialog_challenge(now, key, handle, purpose, response)
            {
                return;
            }
            self.in_dialog_done(key);
        }
        match purpose {
            Purpose::Invite => self.on_invite_response(now, handle, key, response),
            Purpose::Hold(hold) => self.on_reinvite_response(now, handle, key, hold, response),
            Purpose::Info if response.status >= 300 => self.emit(Event::RequestFailed {
                call: handle,
                status: response.status,
            }),
            Purpose::Refer => self.on_refer_response(handle, response),
            Purpose::Info | Purpose::Bye | Purpose::Cancel => {}
        }
    }

    fn on_invite_response(
        &mut self,
        now: Instant,
        handle: CallHandle,
        key: ClientKey,
        response: &Response,
    ) {
        let required = self.srtp_policy().required;
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        match response.status {
            101..=199 if matches!(call.state, State::Calling | State::Ringing) => {
                let early = call
                    .sdp
                    .as_mut()
                    .and_then(|s| s.read_answer(&response.body));
                let first = call.state == State::Calling;
                let new_media = early.is_some() && early != call.remote;
                call.state = State::Ringing;
                if early.is_some() {
                    call.remote = early.clone();
                }
                if first || new_media {
                    self.emit(Event::Ringing {
                        call: handle,
                        media: early,
                    });
                }
            }
            100..=199 => {}
            200..=299 => self.on_invite_ok(now, handle, key, response),
            // Our SRTP offer refused (RFC 4568 §7.1.3: 488): offered once more with plain
            // RTP, unless SRTP is required.
            488 if call.state != State::Cancelling
                && !required
                && call.sdp.as_ref().is_some_and(|s| s.is_secure()) =>
            {
                if let (Some(sdp), Some(invite)) = (call.sdp.as_mut(), call.invite.as_mut()) {
                    sdp.drop_srtp();
                    invite.body = sdp.write(Direction::SendRecv);
                }
                if self.resend_invite(now, handle).is_err() {
                    self.emit(Event::Failed {
                        call: handle,
                        status: response.status,
                        reason: response.reason.clone(),
                    });
                }
            }
            401 | 407 if call.state != State::Cancelling => {
                let answered = origin_of(response).is_some_and(|o| call.answered.contains(&o));
                match call.auth.on_challenge(response, answered, &mut self.rng) {
                    ChallengeOutcome::Retry => {
                        if self.resend_invite(now, handle).is_err() {
                            self.emit(Event::Failed {
                                call: handle,
                                status: response.status,
                                reason: response.reason.clone(),
                            });
                        }
                    }
                    ChallengeOutcome::Refused => self.fail_call(handle, response),
                }
            }
            _ if call.state == State::Cancelling => {
                self.calls.remove(&handle);
                self.emit(Event::Ended {
                    call: handle,
                    reason: EndReason::Local,
                });
            }
            _ => self.fail_call(handle, response),
        }
    }

    fn fail_call(&mut self, handle: CallHandle, response: &Response) {
        self.calls.remove(&handle);
        self.emit(Event::Failed {
            call: handle,
            status: response.status,
            reason: response.reason.clone(),
        });
    }

    /// A 2xx to our INVITE: ACK it (RFC 3261 §13.2.2.4). A second answer from another
    /// fork is ACKed and ended with BYE at once, as is an answer that crossed our CANCEL
    /// (§9.1: the call was set up anyway).
    fn on_invite_ok(
        &mut self,
        now: Instant,
        handle: CallHandle,
        key: ClientKey,
        response: &Response,
    ) {
        let server = self.server();
        let required = self.srtp_policy().required;
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let Some(invite) = call.invite.as_ref() else {
            return;
        };
        let Ok(mut dialog) = Dialog::from_uac(invite, response) else {
            return;
        };
        if let Some(existing) = &call.dialog {
            if DialogId::of_incoming_response(response).as_ref() != Some(existing.id()) {
                let ack = dialog.create_request(Method::Ack);
                let _ = self.endpoint.send_ack(now, &key, ack, server);
                let bye = dialog.create_request(Method::Bye);
                if let Ok(k) = self.endpoint.send_request(now, bye, server) {
                    self.pending.insert(k, (handle, Purpose::Bye));
                }
            }
            return;
        }
        let ack = dialog.create_request(Method::Ack);
        let _ = self.endpoint.send_ack(now, &key, ack, server);
        if call.state == State::Cancelling {
            let bye = dialog.create_request(Method::Bye);
            if let Ok(k) = self.endpoint.send_request(now, bye, server) {
                self.pending.insert(k, (handle, Purpose::Bye));
            }
            self.calls.remove(&handle);
            self.emit(Event::Ended {
                call: handle,
                reason: EndReason::Local,
            });
            return;
        }
        call.state = State::Established;
        // RFC 3261 §13.2.1: an answer given in a provisional response is repeated in
        // the 2xx; a 2xx without a body keeps it.
        if let Some(answer) = call
            .sdp
            .as_mut()
            .and_then(|s| s.read_answer(&response.body))
        {
            call.remote = Some(answer);
        }
        if required && call.remote.as_ref().is_some_and(|r| r.srtp.is_none()) {
            // An answer with plain RTP (or no key of ours) where SRTP is required: the call
            // is ended at once rather than sent in the clear.
            let bye = dialog.create_request(Method::Bye);
            if let Ok(k) = self.endpoint.send_request(now, bye, server) {
                self.pending.insert(k, (handle, Purpose::Bye));
            }
            self.calls.remove(&handle);
            self.emit(Event::Failed {
                call: handle,
                status: 488,
                reason: sip::default_reason(488).to_owned(),
            });
            return;
        }
        call.dialog = Some(dialog);
        let media = call.remote.clone();
        self.emit(Event::Answered {
            call: handle,
            media,
        });
    }

    fn on_reinvite_response(
        &mut self,
        now: Instant,
        handle: CallHandle,
        key: ClientKey,
        hold: bool,
        response: &Response,
    ) {
        let server = self.server();
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        if response.status < 200 {
            return;
        }
        call.reinviting = false;
        if response.status == 491 {
            // RFC 3261 §14.1: our re-INVITE crossed the far end's. The one who chose
            // the Call-ID waits 2.1–4 s, the other 0–2 s, then tries again.
            let ms = if call.outgoing {
                self.rng.gen_range(2100..=4000)
            } else {
                self.rng.gen_range(0..=2000)
            };
            call.retry_reinvite = Some((now + Duration::from_millis(ms), hold));
            return;
        }
        if response.class() != 2 {
            // RFC 3261 §14.1: a refused re-INVITE leaves the session as it was.
            self.emit(Event::RequestFailed {
                call: handle,
                status: response.status,
            });
            return;
        }
        let Some(dialog) = call.dialog.as_mut() else {
            return;
        };
        dialog.on_response(response);
        let ack = dialog.create_request(Method::Ack);
        let _ = self.endpoint.send_ack(now, &key, ack, server);
        call.held = hold;
        if let Some(remote) = call
            .sdp
            .as_mut()
            .and_then(|s| s.read_answer(&response.body))
        {
            call.remote = Some(remote);
        }
        let media = call.remote.clone();
        self.emit(Event::MediaChanged {
            call: handle,
            media,
            held_locally: hold,
        });
    }
}
