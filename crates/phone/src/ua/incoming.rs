//! Requests the server sends us: new calls, re-INVITEs, BYE, INFO, OPTIONS, and the
//! ACK, CANCEL and missing-ACK reports of the transaction layer.

use std::time::Instant;

use media::sdp::Direction;
use sip::transaction::{ServerKey, Source};
use sip::{Method, Request, Response};

use super::auth::token;
use super::call::{Call, State};
use super::commands::ALLOW;
use super::identity::caller;
use super::media::{parse, Refusal};
use super::types::{CallHandle, EndReason, Event, RefuseReason};
use super::UserAgent;

impl UserAgent {
    pub(super) fn on_request(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        source: Source,
    ) {
        // Only the account's server may reach us: a softphone on a public address
        // otherwise rings for every scanner that sends it an INVITE (RFC 3261 §8.2:
        // a UAS may refuse by its own policy).
        if source.addr.ip() != self.account.server.ip() {
            let response = Response::for_request(&request, 403, sip::default_reason(403));
            return self.reply(now, key, response);
        }
        let in_dialog = request.to().is_some_and(|to| to.tag().is_some());
        if in_dialog {
            return self.on_dialog_request(now, key, request);
        }
        match request.method {
            Method::Invite => self.on_new_invite(now, key, request),
            Method::Options => {
                let mut ok = Response::for_request(&request, 200, "OK");
                ok.headers.push("Allow", ALLOW);
                self.reply(now, key, ok);
            }
            // RFC 3261 §12.2.2: a request for a dialog we do not have.
            Method::Bye | Method::Info => {
                let response = Response::for_request(&request, 481, sip::default_reason(481));
                self.reply(now, key, response);
            }
            _ => self.not_allowed(now, key, &request),
        }
    }

    pub(super) fn reply(&mut self, now: Instant, key: ServerKey, response: Response) {
        if let Err(err) = self.endpoint.send_response(now, &key, response) {
            tracing::debug!(%err, "response not sent");
        }
    }

    /// RFC 3261 §8.2.1: 405 with the methods we take.
    fn not_allowed(&mut self, now: Instant, key: ServerKey, request: &Request) {
        let mut response = Response::for_request(request, 405, sip::default_reason(405));
        response.headers.push("Allow", ALLOW);
        self.reply(now, key, response);
    }

    /// A new call: ring (180 with our tag, which starts the early dialog, §12.1.1) and
    /// tell the application who calls.
    fn on_new_invite(&mut self, now: Instant, key: ServerKey, request: Request) {
        let handle = CallHandle(self.next_call);
        self.next_call += 1;
        if request.call_id().is_none() {
            return;
        }
        let mut to = match request.to() {
            Some(to) => to,
            None => return,
        };
        to.set_tag(&token(&mut self.rng, 10));
        // Do not disturb, or no room for another call: busy at once (RFC 3261 §21.4.24),
        // and the application is told so the call shows as missed.
        let refused = if self.dnd {
            Some(RefuseReason::DoNotDisturb)
        } else if self.calls.len() >= super::MAX_CALLS {
            Some(RefuseReason::TooManyCalls)
        } else {
            None
        };
        if let Some(reason) = refused {
            let mut busy = Response::for_request(&request, 486, sip::default_reason(486));
            busy.headers.set("To", to.to_string());
            self.reply(now, key, busy);
            self.emit(Event::Refused {
                caller: caller(&request),
                reason,
            });
            return;
        }
        // An offer whose encryption we cannot take is refused before it rings
        // (RFC 4568 §7.1.3, §8.3: 488).
        if let Some(offer) = parse(&request.body) {
            if !self.srtp_policy().accepts(&offer) {
                let mut refusal = Response::for_request(&request, 488, sip::default_reason(488));
                refusal.headers.set("To", to.to_string());
                return self.reply(now, key, refusal);
            }
        }
        let mut call = Call::new(handle, State::Incoming);
        call.local_to = Some(to.to_string());
        let remote = parse(&request.body).map(|offer| {
            let formats = offer
                .audio()
                .and_then(|a| offer.media.get(a.index))
                .map(|m| m.payload_formats())
                .unwrap_or_default();
            super::media::remote_media(&offer, &formats)
        });
        call.incoming = Some((key, request.clone()));
        self.calls.insert(handle, call);
        let mut ringing = self.response_to(handle, &request, 180);
        ringing.headers.push("Contact", self.contact().to_string());
        self.reply(now, key, ringing);
        self.emit(Event::Incoming {
            call: handle,
            caller: caller(&request),
            media: remote,
        });
    }

    fn find_call(&self, request: &Request) -> Option<CallHandle> {
        self.calls
            .values()
            .find(|c| c.dialog.as_ref().is_some_and(|d| d.matches(request)))
            .map(|c| c.handle)
    }

    fn on_dialog_request(&mut self, now: Instant, key: ServerKey, request: Request) {
        let Some(handle) = self.find_call(&request) else {
            let response = Response::for_request(&request, 481, sip::default_reason(481));
            return self.reply(now, key, response);
        };
        let checked = self
            .calls
            .get_mut(&handle)
            .and_then(|c| c.dialog.as_mut())
            .map(|d| d.on_request(&request));
        if let Some(Err(err)) = checked {
            let status = err.status();
            let response = Response::for_request(&request, status, sip::default_reason(status));
            return self.reply(now, key, response);
        }
        match request.method {
            Method::Bye => {
                self.reply(now, key, Response::for_request(&request, 200, "OK"));
                self.calls.remove(&handle);
                self.emit(Event::Ended {
                    call: handle,
                    reason: EndReason::Remote,
                });
            }
            Method::Invite => self.on_reinvite(now, key, handle, &request),
            Method::Info => {
                self.reply(now, key, Response::for_request(&request, 200, "OK"));
                if let Some(k) = dtmf_relay_key(&request) {
                    self.emit(Event::Dtmf {
                        call: handle,
                        key: k,
                    });
                }
            }
            Method::Options => {
                let mut ok = Response::for_request(&request, 200, "OK");
                ok.headers.push("Allow", ALLOW);
                self.reply(now, key, ok);
            }
            Method::Notify => self.on_notify(now, key, handle, &request),
            // We do not act as a transfer target (placing a call because the far end
            // asks): RFC 3515 §2.4.2 lets a UA refuse a REFER it will not act on.
            Method::Refer => {
                let mut response = Response::for_request(&request, 501, sip::default_reason(501));
                response.headers.push("Allow", ALLOW);
                self.reply(now, key, response);
            }
            _ => self.not_allowed(now, key, &request),
        }
    }

    /// The far end changes the session (hold, resume, new address): answer its offer
    /// keeping our own hold (RFC 3264 §8). A re-INVITE crossing ours gets 491 (RFC 3261
    /// §14.2). One without an offer gets ours in the 200, and its ACK answers
    /// (RFC 3261 §14.2, §13.2.1): a B2BUA sends these when it joins us to someone new.
    fn on_reinvite(&mut self, now: Instant, key: ServerKey, handle: CallHandle, request: &Request) {
        let contact = self.contact();
        let policy = self.srtp_policy();
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        if call.reinviting || call.late_offer {
            let response = Response::for_request(request, 491, sip::default_reason(491));
            return self.reply(now, key, response);
        }
        let Some(sdp) = call.sdp.as_mut() else {
            let response = Response::for_request(request, 488, sip::default_reason(488));
            return self.reply(now, key, response);
        };
        let (body, remote) = if request.body.is_empty() {
            let direction = if call.held {
                Direction::SendOnly
            } else {
                Direction::SendRecv
            };
            call.late_offer = true;
            (sdp.write(direction), None)
        } else {
            let answer = parse(&request.body)
                .ok_or(Refusal::NoCommonCodec)
                .and_then(|offer| sdp.answer(&offer, call.held, policy));
            match answer {
                Ok((body, remote)) => (body, Some(remote)),
                Err(_) => {
                    let response = Response::for_request(request, 488, sip::default_reason(488));
                    return self.reply(now, key, response);
                }
            }
        };
        if remote.is_some() {
            call.remote = remote.clone();
        }
        call.awaiting_ack = Some(key);
        let held = call.held;
        let mut ok = Response::for_request(request, 200, "OK");
        ok.headers.push("Contact", contact.to_string());
        ok.headers.push("Content-Type", "application/sdp");
        ok.body = body;
        self.reply(now, key, ok);
        if let Some(remote) = remote {
            self.emit(Event::MediaChanged {
                call: handle,
                media: Some(remote),
                held_locally: held,
            });
        }
    }

    /// The ACK for our 200. After a late offer it carries the answer (§13.2.1).
    pub(super) fn on_ack(&mut self, request: &Request) {
        let Some(handle) = self.find_call(request) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        call.awaiting_ack = None;
        if !call.late_offer {
            return;
        }
        call.late_offer = false;
        if let Some(remote) = call
            .sdp
            .as_mut()
            .and_then(|sdp| sdp.read_answer(&request.body))
        {
            call.remote = Some(remote.clone());
            let held = call.held;
            self.emit(Event::MediaChanged {
                call: handle,
                media: Some(remote),
                held_locally: held,
            });
        }
    }

    /// The caller gave up before we answered: 487 to its INVITE (RFC 3261 §9.2).
    pub(super) fn on_cancelled(&mut self, now: Instant, invite: ServerKey) {
        let Some((handle, request)) = self.calls.values().find_map(|c| match &c.incoming {
            Some((k, r)) if *k == invite => Some((c.handle, r.clone())),
            _ => None,
        }) else {
            return;
        };
        let response = self.response_to(handle, &request, 487);
        self.reply(now, invite, response);
        self.calls.remove(&handle);
        self.emit(Event::Ended {
            call: handle,
            reason: EndReason::Cancelled,
        });
    }

    /// Our 200 was never acknowledged: the call is ended with BYE (RFC 3261 §13.3.1.4).
    pub(super) fn on_ack_timeout(&mut self, now: Instant, key: ServerKey) {
        let server = self.server();
        let Some(handle) = self
            .calls
            .values()
            .find(|c| c.awaiting_ack == Some(key))
            .map(|c| c.handle)
        else {
            return;
        };
        let Some(mut call) = self.calls.remove(&handle) else {
            return;
        };
        if let Some(dialog) = call.dialog.as_mut() {
            let bye = dialog.create_request(Method::Bye);
            if let Ok(k) = self.endpoint.send_request(now, bye, server) {
                self.pending.insert(k, (handle, super::call::Purpose::Bye));
            }
        }
        self.emit(Event::Ended {
            call: handle,
            reason: EndReason::NoAck,
        });
    }
}

/// The key of an `application/dtmf-relay` body (`Signal=5`).
fn dtmf_relay_key(request: &Request) -> Option<char> {
    let text = std::str::from_utf8(&request.body).ok()?;
    let signal = text.lines().find_map(|l| {
        let (name, value) = l.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("signal")
            .then(|| value.trim())
    })?;
    let key = signal.chars().next()?;
    matches!(key, '0'..='9' | '*' | '#' | 'A'..='D' | 'a'..='d').then(|| key.to_ascii_uppercase())
}
