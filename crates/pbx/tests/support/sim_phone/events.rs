//! How the simulated phone reacts to what its transaction layer tells it: new calls
//! ring, CANCEL is answered 487, in-dialog requests are answered, 2xx are ACKed, digest
//! challenges are answered once.

use std::time::Instant;

use media::sdp::Direction;
use sip::auth::Challenge;
use sip::dialog::Dialog;
use sip::transaction::{ClientKey, Event, ServerKey};
use sip::{Method, Request, Response};

use super::{reply, sdp_of, CallState, Pending, PhoneCall, SimPhone};
use crate::support::sdp;

impl SimPhone {
    pub fn on_event(&mut self, now: Instant, event: Event) {
        match event {
            Event::Request { key, request, .. } => self.on_request(now, key, request),
            Event::Ack { request, .. } => {
                if let Some(call) = self.call_in_dialog(&request) {
                    call.acks_received += 1;
                    if let Some(sdp) = sdp_of(&request.body) {
                        call.sdp_received.push(sdp);
                    }
                }
            }
            Event::Cancelled { invite, .. } => {
                let Some(call) = self.calls.iter_mut().find(|c| c.server == Some(invite)) else {
                    return;
                };
                let terminated = reply(&call.invite, 487, &call.local_tag, None);
                if self.ep.send_response(now, &invite, terminated).is_ok() {
                    call.state = CallState::Cancelled;
                }
            }
            Event::Response { key, response, .. } => self.on_response(now, key, response),
            Event::Timeout { key } | Event::TransportError { key } => {
                if let Some(Pending::Invite(idx)) = self.pending.get(&key).copied() {
                    self.calls[idx].state = CallState::Failed(408);
                }
            }
            Event::AckTimeout { key } => {
                if let Some(call) = self.calls.iter_mut().find(|c| c.server == Some(key)) {
                    call.ack_timeout = true;
                }
            }
        }
    }

    fn call_in_dialog(&mut self, request: &Request) -> Option<&mut PhoneCall> {
        self.calls
            .iter_mut()
            .find(|c| c.dialog.as_ref().is_some_and(|d| d.matches(request)))
    }

    fn on_request(&mut self, now: Instant, key: ServerKey, request: Request) {
        let has_to_tag = request.to().is_some_and(|t| t.tag().is_some());
        if request.method == Method::Invite && !has_to_tag {
            return self.incoming_call(now, key, request);
        }
        let contact = self.contact();
        let auto_answer = self.auto_answer_reinvite;
        // INFO and other requests carry bodies that are not SDP (DTMF, …).
        let is_sdp = request
            .content_type()
            .is_some_and(|ct| ct.starts_with("application/sdp"));
        let offer = is_sdp.then(|| sdp_of(&request.body)).flatten();
        // A re-INVITE's offer is answered reversing its direction (RFC 3264 §6.1).
        let answer = (request.method == Method::Invite).then(|| {
            let dir = offer.as_ref().and_then(sdp::direction);
            self.sdp_body(dir.unwrap_or(Direction::SendRecv).reversed())
        });
        let idx = self
            .calls
            .iter()
            .position(|c| c.dialog.as_ref().is_some_and(|d| d.matches(&request)));
        let Some(call) = self.call_in_dialog(&request) else {
            let response = Response::for_request(&request, 481, "Call/Transaction Does Not Exist");
            let _ = self.ep.send_response(now, &key, response);
            self.stray.push((request, 481));
            return;
        };
        let dialog = call.dialog.as_mut().expect("matched a dialog");
        if let Err(e) = dialog.on_request(&request) {
            let response = Response::for_request(&request, e.status(), "Refused");
            let _ = self.ep.send_response(now, &key, response);
            return;
        }
        if request.method == Method::Bye {
            call.state = CallState::RemoteHungUp;
        }
        if let Some(offer) = offer {
            call.sdp_received.push(offer);
        }
        call.requests.push(request.clone());
        if request.method == Method::Invite && !auto_answer {
            if let Some(idx) = idx {
                self.pending_reinvites.push((idx, key));
            }
            return;
        }
        let mut ok = Response::for_request(&request, 200, "OK");
        if let Some(body) = answer {
            ok.headers.push("Contact", contact);
            ok.headers.push("Content-Type", "application/sdp");
            ok.body = body;
        }
        let _ = self.ep.send_response(now, &key, ok);
    }

    /// A new call rings here: 180 at once, the user decides later.
    fn incoming_call(&mut self, now: Instant, key: ServerKey, request: Request) {
        let local_tag = self.token("tag");
        let ringing = reply(&request, 180, &local_tag, Some(self.contact()));
        let sdp_received = sdp_of(&request.body).into_iter().collect();
        self.calls.push(PhoneCall {
            outgoing: false,
            call_id: request.call_id().unwrap_or_default().to_owned(),
            local_tag,
            invite: request,
            client: None,
            server: Some(key),
            dialog: None,
            state: CallState::Ringing,
            invite_responses: Vec::new(),
            sdp_received,
            requests: Vec::new(),
            responses: Vec::new(),
            acks_received: 0,
            ack_timeout: false,
            cancel_requested: false,
            cseq: 0,
            auth_tried: false,
        });
        let _ = self.ep.send_response(now, &key, ringing);
    }

    fn on_response(&mut self, now: Instant, key: ClientKey, response: Response) {
        let Some(pending) = self.pending.get(&key).copied() else {
            return;
        };
        match pending {
            Pending::Register => self.register_response(now, response),
            Pending::Invite(idx) => self.invite_response(now, idx, key, response),
            Pending::ReInvite(idx) => {
                let call = &mut self.calls[idx];
                if response.class() == 2 {
                    if let Some(sdp) = sdp_of(&response.body) {
                        call.sdp_received.push(sdp);
                    }
                    if let Some(dialog) = call.dialog.as_mut() {
                        dialog.on_response(&response);
                        let ack = dialog.create_request(Method::Ack);
                        let _ = self.ep.send_ack(now, &key, ack, self.pbx);
                    }
                }
                call.responses.push(response);
            }
            Pending::InDialog(idx) => self.calls[idx].responses.push(response),
        }
    }

    fn register_response(&mut self, now: Instant, response: Response) {
        let status = response.status;
        let challenge = (status == 401)
            .then(|| Challenge::first_supported(response.headers.get_all("WWW-Authenticate")))
            .flatten();
        self.register_responses.push(response);
        match (status, challenge) {
            (200..=299, _) => self.registered = true,
            (401, Some(ch)) if self.auto_auth && self.reg_tries < 2 => {
                self.reg_tries += 1;
                self.send_register(now, Some(&ch));
            }
            _ => {}
        }
    }

    fn invite_response(&mut self, now: Instant, idx: usize, key: ClientKey, response: Response) {
        if response.status == 100 {
            return;
        }
        let auto_auth = self.auto_auth;
        let send_acks = self.send_acks;
        // Delayed offer: the 2xx carries the offer and the ACK the answer.
        let ack_answer = (response.class() == 2
            && self.calls[idx].invite.body.is_empty()
            && !response.body.is_empty())
        .then(|| self.sdp_body(Direction::SendRecv));
        let call = &mut self.calls[idx];
        call.invite_responses.push(response.clone());
        if let Some(sdp) = sdp_of(&response.body) {
            call.sdp_received.push(sdp);
        }
        match response.status {
            101..=199 => {
                if call.state == CallState::Calling {
                    call.state = CallState::Ringing;
                }
            }
            200..=299 => {
                let same = call.dialog.as_ref().is_some_and(|d| {
                    Some(d.id().remote_tag.as_str()) == response.to().as_ref().and_then(|t| t.tag())
                });
                if !same {
                    call.dialog = Dialog::from_uac(&call.invite, &response).ok();
                }
                let Some(dialog) = call.dialog.as_mut() else {
                    return;
                };
                let mut ack = dialog.create_request(Method::Ack);
                if let Some(body) = ack_answer {
                    ack.headers.push("Content-Type", "application/sdp");
                    ack.body = body;
                }
                if send_acks {
                    let _ = self.ep.send_ack(now, &key, ack, self.pbx);
                }
                if call.cancel_requested {
                    // RFC 3261 §9.1/§15: the CANCEL lost the race; end the call with BYE.
                    let bye = dialog.create_request(Method::Bye);
                    call.state = CallState::HungUp;
                    let bye_key = self.ep.send_request(now, bye, self.pbx).expect("BYE");
                    self.pending.insert(bye_key, Pending::InDialog(idx));
                } else {
                    call.state = CallState::Confirmed;
                }
            }
            401 | 407 if auto_auth && !call.auth_tried => {
                let header = if response.status == 401 {
                    "WWW-Authenticate"
                } else {
                    "Proxy-Authenticate"
                };
                let Some(ch) = Challenge::first_supported(response.headers.get_all(header)) else {
                    call.state = CallState::Failed(response.status);
                    return;
                };
                call.auth_tried = true;
                call.cseq += 1;
                let mut invite = call.invite.clone();
                invite.headers.remove("Via");
                invite.headers.set("CSeq", format!("{} INVITE", call.cseq));
                let uri = invite.uri.to_string();
                let auth = ch.authorization(&self.user, &self.password, "INVITE", &uri, 1, "c1");
                let name = if response.status == 401 {
                    "Authorization"
                } else {
                    "Proxy-Authorization"
                };
                invite.headers.push(name, auth);
                self.send_invite(now, idx, invite);
            }
            status => call.state = CallState::Failed(status),
        }
    }
}
