//! What the person at the phone asks for: call, answer, decline, hang up, hold, keys.

use std::time::Instant;

use media::sdp::Direction;
use rand::Rng;
use sip::dialog::Dialog;
use sip::{CSeq, Method, NameAddr, Request, Response, Uri};

use super::auth::token;
use super::call::{Call, Purpose, State};
use super::media::{LocalSdp, Refusal};
use super::types::{CallHandle, EndReason, Event, LocalMedia};
use super::UserAgent;
use crate::Error;

impl UserAgent {
    /// Calls `target` (a number, or a `sip:`/`tel:` URI) offering `media`.
    pub fn place_call(
        &mut self,
        now: Instant,
        target: &str,
        media: LocalMedia,
    ) -> Result<CallHandle, Error> {
        let uri = self.target_uri(target)?;
        let policy = self.srtp_policy();
        if policy.required && !policy.keys_allowed {
            return Err(Error::SrtpNeedsTls);
        }
        let handle = CallHandle(self.next_call);
        self.next_call += 1;
        let call_id = format!("{}@{}", token(&mut self.rng, 20), self.local.ip());
        let session_id = self.rng.gen_range(1..u32::MAX.into());
        // RFC 4568 §8.3: keys are offered only over TLS.
        let mut sdp = LocalSdp::new(media, session_id, policy.keys_allowed);
        let body = sdp.write(Direction::SendRecv);

        let domain = self.account.domain();
        let mut from = NameAddr::new(Uri::sip(
            Some(&self.account.user),
            domain.parse().unwrap_or(sip::Host::Domain(domain)),
        ));
        from.display_name = self.account.display_name.clone();
        let from = from.with_tag(&token(&mut self.rng, 10));
        let mut invite = Request::new(Method::Invite, uri.clone());
        let h = &mut invite.headers;
        h.push("Max-Forwards", "70");
        h.push("From", from.to_string());
        h.push("To", NameAddr::new(uri).to_string());
        h.push("Call-ID", call_id);
        h.push("CSeq", "0 INVITE");
        h.push("Contact", self.contact().to_string());
        h.push("Allow", ALLOW);
        h.push("Content-Type", "application/sdp");
        invite.body = body;

        let mut call = Call::new(handle, State::Calling);
        call.sdp = Some(sdp);
        call.invite = Some(invite);
        self.calls.insert(handle, call);
        self.resend_invite(now, handle)?;
        Ok(handle)
    }

    /// Sends the call's INVITE with the next CSeq and every credential we hold
    /// (RFC 3261 §22.2: a new request of the same Call-ID, CSeq one higher).
    /// If the transaction layer refuses it, the call is gone.
    pub(super) fn resend_invite(&mut self, now: Instant, handle: CallHandle) -> Result<(), Error> {
        let server = self.server();
        let user = self.account.auth_user().to_owned();
        let password = self.account.password.clone();
        let call = self.calls.get_mut(&handle).ok_or(Error::UnknownCall)?;
        let invite = call.invite.as_mut().ok_or(Error::WrongState)?;
        let seq = invite.cseq().map_or(1, |c| c.seq.wrapping_add(1));
        invite.headers.set(
            "CSeq",
            CSeq {
                seq,
                method: Method::Invite,
            }
            .to_string(),
        );
        invite.headers.remove("Via");
        call.auth.authorize(invite, &user, &password);
        call.answered = [
            sip::auth::ChallengeOrigin::Server,
            sip::auth::ChallengeOrigin::Proxy,
        ]
        .into_iter()
        .filter(|o| call.auth.has(*o))
        .collect();
        let request = invite.clone();
        match self.endpoint.send_request(now, request, server) {
            Ok(key) => {
                call.invite_key = Some(key);
                self.pending.insert(key, (handle, Purpose::Invite));
                Ok(())
            }
            Err(err) => {
                self.calls.remove(&handle);
                Err(err.into())
            }
        }
    }

    /// Answers a ringing incoming call with `media` (200 with our SDP answer, or our
    /// offer when the INVITE had none, RFC 3261 §13.2.1). No codec in common answers
    /// 488 (§13.3.1.3) and ends the call.
    pub fn answer(
        &mut self,
        now: Instant,
        handle: CallHandle,
        media: LocalMedia,
    ) -> Result<(), Error> {
        let contact = self.contact();
        let policy = self.srtp_policy();
        let session_id = self.rng.gen_range(1..u32::MAX.into());
        let call = self.calls.get_mut(&handle).ok_or(Error::UnknownCall)?;
        if call.state != State::Incoming {
            return Err(Error::WrongState);
        }
        let (key, invite) = call.incoming.clone().ok_or(Error::WrongState)?;
        let mut sdp = LocalSdp::new(media, session_id, policy.keys_allowed);
        let body = match super::media::parse(&invite.body) {
            Some(offer) => match sdp.answer(&offer, false, policy) {
                Ok((body, remote)) => {
                    call.remote = Some(remote);
                    body
                }
                Err(why) => {
                    let refusal = self.response_to(handle, &invite, 488);
                    let _ = self.endpoint.send_response(now, &key, refusal);
                    self.calls.remove(&handle);
                    self.emit(Event::Ended {
                        call: handle,
                        reason: EndReason::Local,
                    });
                    return Err(match why {
                        Refusal::NoCommonCodec => Error::NoCommonCodec,
                        Refusal::Encryption => Error::EncryptionRefused,
                    });
                }
            },
            None => {
                call.late_offer = true;
                sdp.write(Direction::SendRecv)
            }
        };
        let mut ok = self.response_to(handle, &invite, 200);
        ok.headers.push("Contact", contact.to_string());
        ok.headers.push("Allow", ALLOW);
        ok.headers.push("Content-Type", "application/sdp");
        ok.body = body;
        let dialog = Dialog::from_uas(&invite, &ok).map_err(|_| Error::WrongState)?;
        self.endpoint.send_response(now, &key, ok)?;
        let call = self.calls.get_mut(&handle).ok_or(Error::UnknownCall)?;
        call.dialog = Some(dialog);
        call.sdp = Some(sdp);
        call.state = State::Established;
        call.incoming = None;
        call.awaiting_ack = Some(key);
        let media = call.remote.clone();
        self.emit(Event::Answered {
            call: handle,
            media,
        });
        Ok(())
    }

    /// Refuses a ringing incoming call: 486 Busy Here when `busy`, else 603 Decline
    /// (RFC 3261 §21.4.24, §21.6.2).
    pub fn decline(&mut self, now: Instant, handle: CallHandle, busy: bool) -> Result<(), Error> {
        let call = self.calls.get(&handle).ok_or(Error::UnknownCall)?;
        if call.state != State::Incoming {
            return Err(Error::WrongState);
        }
        let (key, invite) = call.incoming.clone().ok_or(Error::WrongState)?;
        let response = self.response_to(handle, &invite, if busy { 486 } else { 603 });
        self.endpoint.send_response(now, &key, response)?;
        self.calls.remove(&handle);
        self.emit(Event::Ended {
            call: handle,
            reason: EndReason::Local,
        });
        Ok(())
    }

    /// Ends the call: CANCEL before an answer (RFC 3261 §9.1), BYE after (§15.1),
    /// 603 to a call still ringing here.
    pub fn hang_up(&mut self, now: Instant, handle: CallHandle) -> Result<(), Error> {
        let call = self.calls.get_mut(&handle).ok_or(Error::UnknownCall)?;
        match call.state {
            State::Incoming => self.decline(now, handle, false),
            State::Calling | State::Ringing => {
                let invite = call.invite_key.ok_or(Error::WrongState)?;
                let key = self.endpoint.cancel(now, &invite)?;
                call.state = State::Cancelling;
                self.pending.insert(key, (handle, Purpose::Cancel));
                Ok(())
            }
            State::Cancelling => Err(Error::WrongState),
            State::Established => {
                let dialog = call.dialog.as_mut().ok_or(Error::WrongState)?;
                let bye = dialog.create_request(Method::Bye);
                self.send_in_dialog(now, handle, Purpose::Bye, bye)?;
                self.calls.remove(&handle);
                self.emit(Event::Ended {
                    call: handle,
                    reason: EndReason::Local,
                });
                Ok(())
            }
        }
    }

    /// Puts the call on hold: a re-INVITE offering a=sendonly (RFC 3264 §8.4).
    pub fn hold(&mut self, now: Instant, handle: CallHandle) -> Result<(), Error> {
        self.reinvite(now, handle, true)
    }

    /// Takes the call off hold: a re-INVITE offering a=sendrecv.
    pub fn resume(&mut self, now: Instant, handle: CallHandle) -> Result<(), Error> {
        self.reinvite(now, handle, false)
    }

    fn reinvite(&mut self, now: Instant, handle: CallHandle, hold: bool) -> Result<(), Error> {
        let call = self.calls.get_mut(&handle).ok_or(Error::UnknownCall)?;
        if call.state != State::Established || call.reinviting || call.late_offer {
            return Err(Error::WrongState);
        }
        let (Some(dialog), Some(sdp)) = (call.dialog.as_mut(), call.sdp.as_mut()) else {
            return Err(Error::WrongState);
        };
        let direction = if hold {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        };
        let mut request = dialog.create_request(Method::Invite);
        request.headers.push("Content-Type", "application/sdp");
        request.body = sdp.write(direction);
        self.send_in_dialog(now, handle, Purpose::Hold(hold), request)?;
        if let Some(call) = self.calls.get_mut(&handle) {
            call.reinviting = true;
            call.retry_reinvite = None;
        }
        Ok(())
    }

    /// Moves the call's audio to `rtp` (a new network, a new socket): a re-INVITE with
    /// the new address and our current Contact, keeping hold as it is (RFC 3264 §8.3.1).
    pub fn move_media(
        &mut self,
        now: Instant,
        handle: CallHandle,
        rtp: std::net::SocketAddr,
    ) -> Result<(), Error> {
        let call = self.calls.get_mut(&handle).ok_or(Error::UnknownCall)?;
        if call.state != State::Established || call.reinviting || call.late_offer {
            return Err(Error::WrongState);
        }
        let held = call.held;
        let sdp = call.sdp.as_mut().ok_or(Error::WrongState)?;
        let previous = (sdp.media.rtp, sdp.media.rtcp_port);
        sdp.media.rtp = rtp;
        // The call loop takes RTCP on the port above the new socket's.
        sdp.media.rtcp_port = None;
        let sent = self.reinvite(now, handle, held);
        if sent.is_err() {
            if let Some(sdp) = self.calls.get_mut(&handle).and_then(|c| c.sdp.as_mut()) {
                (sdp.media.rtp, sdp.media.rtcp_port) = previous;
            }
        }
        sent
    }

    /// Sends the re-INVITEs whose 491 wait is over.
    pub(super) fn retry_reinvites(&mut self, now: Instant) {
        let due: Vec<(CallHandle, bool)> = self
            .calls
            .values()
            .filter_map(|c| match c.retry_reinvite {
                Some((at, hold)) if at <= now => Some((c.handle, hold)),
                _ => None,
            })
            .collect();
        for (handle, hold) in due {
            if let Some(call) = self.calls.get_mut(&handle) {
                call.retry_reinvite = None;
            }
            if let Err(err) = self.reinvite(now, handle, hold) {
                tracing::debug!(%err, "re-INVITE not retried");
            }
        }
    }

    /// Sends a key by SIP INFO (application/dtmf-relay), for servers that do not take
    /// RFC 4733 events in the media.
    pub fn send_dtmf_info(
        &mut self,
        now: Instant,
        handle: CallHandle,
        key: char,
        duration_ms: u32,
    ) -> Result<(), Error> {
        if !matches!(key, '0'..='9' | '*' | '#' | 'A'..='D') {
            return Err(Error::BadKey);
        }
        let call = self.calls.get_mut(&handle).ok_or(Error::UnknownCall)?;
        if call.state != State::Established {
            return Err(Error::WrongState);
        }
        let dialog = call.dialog.as_mut().ok_or(Error::WrongState)?;
        let mut info = dialog.create_request(Method::Info);
        info.headers.push("Content-Type", "application/dtmf-relay");
        info.body = format!("Signal={key}\r\nDuration={duration_ms}\r\n").into_bytes();
        self.send_in_dialog(now, handle, Purpose::Info, info)?;
        Ok(())
    }

    /// A response to an incoming INVITE of `handle`, with our To tag.
    pub(super) fn response_to(
        &self,
        handle: CallHandle,
        invite: &Request,
        status: u16,
    ) -> Response {
        let mut response = Response::for_request(invite, status, sip::default_reason(status));
        if let Some(to) = self.calls.get(&handle).and_then(|c| c.local_to.clone()) {
            response.headers.set("To", to);
        }
        response
    }

    pub(super) fn target_uri(&self, target: &str) -> Result<Uri, Error> {
        let target = target.trim();
        if target.contains(':') {
            return target.parse().map_err(|_| Error::BadTarget);
        }
        if target.is_empty() || target.contains(['@', '<', '>', ' ']) {
            return Err(Error::BadTarget);
        }
        let domain = self.account.domain();
        Ok(Uri::sip(
            Some(target),
            domain.parse().unwrap_or(sip::Host::Domain(domain)),
        ))
    }
}

/// The methods we take (RFC 3261 §20.5).
pub(super) const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY";
