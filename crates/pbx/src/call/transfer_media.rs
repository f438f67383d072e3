//! Media bookkeeping for transfer and pickup: the SDP each party last sent (a party
//! joined to someone new offers them exactly that, re-anchored), codec narrowing when two
//! offers meet, and the PBX's own re-INVITEs that move a party onto another relay side.

use std::time::Instant;

use media::sdp::SessionDescription;
use sip::transaction::{ClientKey, Event};
use sip::{Method, Request, Response};

use super::anchor::{reanchor, sdp_of};
use super::transfer::{DialogKey, Reinvite};
use super::{Call, CallId, Phase};
use crate::action::Side;
use crate::core::{ClientOwner, Pbx};

impl Pbx {
    /// Remembers the SDP in a message a party sent inside a call, before the call model
    /// handles it. Offers that end up refused are remembered too; the next exchange
    /// overwrites them, and a transfer offers what the party last proposed.
    pub(crate) fn note_sdp(&mut self, event: &Event) {
        let (key, content_type, body) = match event {
            Event::Request { request, .. } | Event::Ack { request, .. } => {
                if !matches!(
                    request.method,
                    Method::Invite | Method::Update | Method::Ack
                ) {
                    return;
                }
                let Some(tag) = request.to().and_then(|t| t.tag().map(str::to_owned)) else {
                    return;
                };
                let key = (request.call_id().unwrap_or_default().to_owned(), tag);
                if !self.by_dialog.contains_key(&key) {
                    return;
                }
                (key, request.content_type(), &request.body)
            }
            Event::Response { key, response, .. } => {
                let Some(dialog) = self.responder_dialog(*key, response) else {
                    return;
                };
                (dialog, response.content_type(), &response.body)
            }
            _ => return,
        };
        if !matches!(sdp_of(content_type, body), Ok(Some(_))) {
            return;
        }
        let value = (
            content_type.unwrap_or("application/sdp").to_owned(),
            body.clone(),
        );
        self.transfer.sdp.insert(key, value);
        // Forget the calls that are gone, now and then.
        if self.transfer.sdp.len() > 4 * self.calls.len() + 16 {
            let live = &self.by_dialog;
            self.transfer.sdp.retain(|k, _| live.contains_key(k));
            let calls = &self.calls;
            self.transfer.ringing.retain(|id| calls.contains_key(id));
        }
    }

    /// The dialog of the party whose response this is, when it may carry its SDP: the
    /// answering fork's 183/2xx while the call rings, a forwarded request's or our own
    /// re-INVITE's 2xx.
    fn responder_dialog(&self, key: ClientKey, response: &Response) -> Option<DialogKey> {
        if !(response.status == 183 || response.class() == 2) {
            return None;
        }
        match self.by_client.get(&key)? {
            ClientOwner::Branch(id) => {
                let call = self.calls.get(id)?;
                (call.phase == Phase::Ringing).then(|| call.index.b_dialog.clone())
            }
            ClientOwner::Forwarded(id) => {
                let call = self.calls.get(id)?;
                let f = call.forwarded.iter().find(|f| f.client == key)?;
                leg_key(call, f.from.other())
            }
            ClientOwner::Transfer(_) => {
                let r = self.transfer.reinvites.get(&key)?;
                leg_key(self.calls.get(&r.call)?, r.side)
            }
            _ => None,
        }
    }

    /// The latest SDP of the party on `side` of call `id`: noted from its messages, or
    /// the caller's INVITE when it has sent nothing since.
    pub(super) fn party_sdp(&self, id: CallId, side: Side) -> Option<(String, Vec<u8>)> {
        let call = self.calls.get(&id)?;
        let noted = leg_key(call, side).and_then(|k| self.transfer.sdp.get(&k).cloned());
        noted.or_else(|| {
            let request = &call.a_request;
            (side == Side::A
                && matches!(sdp_of(request.content_type(), &request.body), Ok(Some(_))))
            .then(|| {
                let ct = request
                    .content_type()
                    .unwrap_or("application/sdp")
                    .to_owned();
                (ct, request.body.clone())
            })
        })
    }

    /// Sends the party on `side` of call `id` a re-INVITE offering `offer` (from the other
    /// side, anchored here) plus `extra` headers (the new party's identity).
    pub(super) fn reinvite_party(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        offer: &(String, Vec<u8>),
        extra: Vec<(&'static str, String)>,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        let Some(leg) = call.leg_mut(side) else {
            return;
        };
        let mut invite = leg.request(Method::Invite);
        let seq = leg.local_cseq;
        let peer = leg.peer;
        invite.headers.push("Allow", crate::util::ALLOW);
        for (name, value) in extra {
            invite.headers.push(name, value);
        }
        if let Some((content_type, body)) = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            side.other(),
            Some(&offer.0),
            &offer.1,
        ) {
            invite.headers.push("Content-Type", content_type);
            invite.body = body;
        }
        match self.endpoint.send_request(now, invite, peer) {
            Ok(client) => {
                self.by_client.insert(client, ClientOwner::Transfer(id));
                self.transfer.reinvites.insert(
                    client,
                    Reinvite {
                        call: id,
                        side,
                        seq,
                    },
                );
            }
            Err(e) => tracing::debug!(error = %e, "re-INVITE not sent"),
        }
    }

    /// The answer to one of our re-INVITEs: ACK a 2xx (RFC 3261 §13.2.2.4) and point the
    /// relay at the party's media. A refusal leaves the party unable to hear anyone, so
    /// the call ends.
    pub(crate) fn transfer_response(
        &mut self,
        now: Instant,
        id: CallId,
        key: ClientKey,
        response: Response,
    ) {
        if response.status < 200 {
            return;
        }
        let Some(reinvite) = self.transfer.reinvites.remove(&key) else {
            return;
        };
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if response.class() != 2 {
            tracing::info!(call = id, status = response.status, "re-INVITE refused");
            return self.end_answered(now, id, None, crate::HangupBy::System);
        }
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        let Some(leg) = call.leg(reinvite.side) else {
            return;
        };
        let ack = leg.request_with_cseq(Method::Ack, reinvite.seq);
        let peer = leg.peer;
        if let Err(e) = self.endpoint.send_ack(now, &key, ack, peer) {
            tracing::debug!(error = %e, "ACK not sent");
        }
        // Only the RelayPeer matters: nobody else hears of this answer.
        let _ = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            reinvite.side,
            response.content_type(),
            &response.body,
        );
    }
}

/// The dialog key of the party on `side` of `call`.
pub(super) fn leg_key(call: &Call, side: Side) -> Option<DialogKey> {
    let leg = call.leg(side)?;
    Some((leg.call_id.clone(), leg.local_tag.clone()))
}

/// Narrows two descriptions that meet as offer and answer of one another (a picker's
/// offer and a caller's offer) to the voice codecs both list, in `first`'s order, so both
/// phones send the same codec. `None` when they share none.
pub(super) fn narrow_pair(
    first: &mut SessionDescription,
    second: &mut SessionDescription,
) -> Option<()> {
    let names = |sdp: &SessionDescription| -> Vec<String> {
        sdp.audio()
            .and_then(|a| sdp.media.get(a.index))
            .map(|m| {
                m.payload_formats()
                    .into_iter()
                    .map(|f| f.encoding.to_ascii_lowercase())
                    .filter(|e| e != "telephone-event")
                    .collect()
            })
            .unwrap_or_default()
    };
    let theirs = names(second);
    let common: Vec<String> = names(first)
        .into_iter()
        .filter(|n| theirs.contains(n))
        .collect();
    if common.is_empty() {
        return None;
    }
    first.restrict_audio(&common, true);
    second.restrict_audio(&common, true);
    Some(())
}

/// The SDP of a request, if it has a readable one.
pub(super) fn request_sdp(request: &Request) -> Option<SessionDescription> {
    sdp_of(request.content_type(), &request.body).ok().flatten()
}
