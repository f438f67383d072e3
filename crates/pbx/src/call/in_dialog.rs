//! Requests inside an established call: BYE ends it, everything else (re-INVITE for
//! hold/resume, UPDATE, INFO, …) is passed to the other side with its SDP re-anchored,
//! and the answer comes back the same way.

use std::time::Instant;

use sip::transaction::{ClientKey, ServerKey};
use sip::{Method, Request, Response};

use super::anchor::reanchor;
use super::transcoding::translate;
use super::{CallId, Forwarded, PendingAck, Phase};
use crate::action::HangupBy;
use crate::core::{ClientOwner, Pbx};
use crate::Side;

impl Pbx {
    pub(crate) fn in_dialog_request(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        key: ServerKey,
        request: Request,
    ) {
        // A parker still hearing its slot, or a party of an attended transfer by keys.
        if self.feature_request(now, id, side, &key, &request) {
            return;
        }
        let Some(call) = self.calls.get(&id) else {
            return self.respond(now, &key, &request, 481, "Call/Transaction Does Not Exist");
        };
        // Every fork shares our From tag, so the index finds the call for a request from
        // any of them. Once one device has answered, only its dialog (its To tag, now
        // in the request's From) is the call's B leg; another fork that answered too
        // late may still send BYE or re-INVITE before our BYE reaches it (§12.2.2).
        if side == Side::B {
            if let Some(b) = &call.b {
                let from_tag = request.from().and_then(|f| f.tag().map(str::to_owned));
                if b.remote_tag != from_tag {
                    return if request.method == Method::Bye {
                        self.respond(now, &key, &request, 200, "OK")
                    } else {
                        self.respond(now, &key, &request, 481, "Call/Transaction Does Not Exist")
                    };
                }
            }
        }
        if request.method == Method::Refer {
            return self.refer_received(now, id, side, key, request);
        }
        if request.method == Method::Bye {
            let answered = call.phase == Phase::Answered;
            self.respond(now, &key, &request, 200, "OK");
            if !answered {
                self.transferee_hung_up(now, id);
            }
            if answered {
                let by = if side == Side::A {
                    HangupBy::Caller
                } else {
                    HangupBy::Callee
                };
                self.end_answered(now, id, Some(side), by);
            }
            return;
        }
        if self.voicemail_in_dialog(now, id, &key, &request) {
            return;
        }
        if self.conference_in_dialog(now, id, &key, &request) {
            return;
        }
        // A key by INFO that completes a feature code acts on the call instead of
        // reaching the other party (whom the code may just have sent elsewhere).
        if request.method == Method::Info && self.info_key(now, id, side, &request) {
            return self.respond(now, &key, &request, 200, "OK");
        }
        // A key by INFO reaches a phone that agreed to telephone-events as events.
        if request.method == Method::Info && self.info_as_events(id, side, &request) {
            return self.respond(now, &key, &request, 200, "OK");
        }
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.phase != Phase::Answered || call.b.is_none() {
            // §14.1 analogue: nothing to forward to yet (e.g. UPDATE before answer).
            return self.respond(now, &key, &request, 491, "Request Pending");
        }
        let invite_pending = call
            .forwarded
            .iter()
            .any(|f| f.request.method == Method::Invite);
        if request.method == Method::Invite && (invite_pending || call.pending_ack.is_some()) {
            // RFC 3261 §14.1: one re-INVITE at a time; the other side backs off and retries.
            return self.respond(now, &key, &request, 491, "Request Pending");
        }
        // RFC 3264 §8 / RFC 3261 §14.2: a new offer the trunk cannot carry is refused
        // with 488 and the session goes on as it was. On a transcoded call the phone's
        // offer is rewritten to the provider's agreed codec instead (`translate`).
        let offers = matches!(request.method, Method::Invite | Method::Update);
        if offers
            && call.transcoding.is_none()
            && call
                .trunk_media
                .as_ref()
                .is_some_and(|t| !t.accepts(request.content_type(), &request.body))
        {
            return self.not_acceptable(now, &key, &request);
        }
        self.forward_request(now, id, side, key, request);
    }

    fn forward_request(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        key: ServerKey,
        request: Request,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        let other = side.other();
        let Some(far) = call.leg_mut(other) else {
            return;
        };
        let mut out = far.request(request.method.clone());
        let seq = far.local_cseq;
        let target = far.peer;
        let offer = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            side,
            request.content_type(),
            &request.body,
        );
        let mut offer = translate(call, side, offer);
        if other == Side::A {
            // The caller encrypts (its INVITE offered SRTP): the re-offer it gets does too,
            // with the PBX's same key for that leg.
            let a_offer =
                super::anchor::sdp_of(call.a_request.content_type(), &call.a_request.body)
                    .ok()
                    .flatten();
            offer = super::srtp::secure_answer(relay, Side::A, a_offer.as_ref(), offer);
        } else if let (Some(ports), Some(body)) = (relay, offer.take()) {
            // The answering phone was offered SRTP and took it: its re-offers stay SRTP,
            // with the PBX's same key for that leg.
            offer = Some(if super::srtp::callee_runs_srtp(call) {
                super::srtp::secure_offer(ports, Side::B, body)
            } else {
                body
            });
        }
        if let Some((content_type, body)) = offer {
            out.headers.push("Content-Type", content_type);
            out.body = body;
        }
        // RFC 6086 §4.2.1: an INFO names its package; legacy DTMF INFO
        // (application/dtmf-relay) has none and travels on its body alone.
        for name in [
            "Event",
            "Subscription-State",
            "Info-Package",
            "Allow",
            "Supported",
        ] {
            for value in request.headers.get_all(name) {
                out.headers.push(name, value);
            }
        }
        let delayed_offer = request.method == Method::Invite && request.body.is_empty();
        match self.endpoint.send_request(now, out, target) {
            Ok(client) => {
                self.by_client.insert(client, ClientOwner::Forwarded(id));
                if let Some(call) = self.calls.get_mut(&id) {
                    if delayed_offer {
                        call.pending_ack = Some(PendingAck {
                            invite: client,
                            from: side,
                            seq,
                        });
                    }
                    call.forwarded.push(Forwarded {
                        client,
                        server: key,
                        request,
                        from: side,
                    });
                }
            }
            Err(_) => self.respond(now, &key, &request, 500, "Server Internal Error"),
        }
    }

    /// The far side answered a forwarded request: answer the originator alike.
    pub(crate) fn forwarded_response(
        &mut self,
        now: Instant,
        id: CallId,
        key: ClientKey,
        response: Response,
    ) {
        if response.status < 200 {
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(pos) = call.forwarded.iter().position(|f| f.client == key) else {
            return; // a retransmitted 2xx: already answered
        };
        let forwarded = call.forwarded.remove(pos);
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        let responder = forwarded.from.other();
        let mut reply =
            Response::for_request(&forwarded.request, response.status, &response.reason);
        if let Some(leg) = call.leg(forwarded.from) {
            if let Some(mut to) = reply.to() {
                to.set_tag(&leg.local_tag);
                reply.headers.set("To", to.to_string());
            }
            if forwarded.request.method == Method::Invite && response.class() == 2 {
                reply.headers.push("Contact", leg.contact.as_str());
            }
        }
        let answer = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            responder,
            response.content_type(),
            &response.body,
        );
        let answer = translate(call, responder, answer);
        // A re-offer with SRTP keeps it: the answer names the PBX's key for that leg.
        let offer =
            super::anchor::sdp_of(forwarded.request.content_type(), &forwarded.request.body)
                .ok()
                .flatten();
        let answer = super::srtp::secure_answer(relay, forwarded.from, offer.as_ref(), answer);
        if let Some((content_type, body)) = answer {
            reply.headers.push("Content-Type", content_type);
            reply.body = body;
        }
        // ACK the far side's 2xx at once unless its answer must wait for the
        // originator's ACK (delayed offer).
        let is_invite_2xx = forwarded.request.method == Method::Invite && response.class() == 2;
        let waits = call.pending_ack.as_ref().is_some_and(|p| p.invite == key);
        if is_invite_2xx && !waits {
            if let Some(far) = call.leg(responder) {
                let seq = response.cseq().map_or(far.local_cseq, |c| c.seq);
                let ack = far.request_with_cseq(Method::Ack, seq);
                let target = far.peer;
                if let Err(e) = self.endpoint.send_ack(now, &key, ack, target) {
                    tracing::debug!(error = %e, "ACK not sent");
                }
            }
        }
        if !is_invite_2xx {
            if let Some(call) = self.calls.get_mut(&id) {
                if call.pending_ack.as_ref().is_some_and(|p| p.invite == key) {
                    call.pending_ack = None;
                }
            }
        }
        self.send_response(now, &forwarded.server, reply);
        self.hold_after_answer(id, forwarded.from, &forwarded.request, &response);
    }

    /// An ACK for one of our 2xx responses.
    pub(crate) fn in_dialog_ack(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        request: &Request,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(pending) = call.pending_ack.take_if(|p| p.from == side) else {
            return; // the ACK of the initial 2xx or of a re-INVITE we already ACKed
        };
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        let other = side.other();
        let Some(far) = call.leg(other) else {
            return;
        };
        let mut ack = far.request_with_cseq(Method::Ack, pending.seq);
        let target = far.peer;
        let answer = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            side,
            request.content_type(),
            &request.body,
        );
        if let Some((content_type, body)) = translate(call, side, answer) {
            ack.headers.push("Content-Type", content_type);
            ack.body = body;
        }
        if let Err(e) = self.endpoint.send_ack(now, &pending.invite, ack, target) {
            tracing::debug!(error = %e, "ACK not sent");
        }
        self.hold_after_ack(id, side, request);
    }
}
