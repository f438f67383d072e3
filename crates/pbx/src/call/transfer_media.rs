//! Media bookkeeping for transfer and pickup: the SDP each party last sent (a party
//! joined to someone new offers them exactly that, re-anchored), codec narrowing when two
//! offers meet, and the PBX's own re-INVITEs that move a party onto another relay side.

use std::time::Instant;

use media::sdp::{Attribute, Direction, SessionDescription};
use sip::transaction::{ClientKey, Event};
use sip::{Method, Request, Response};

use super::anchor::{reanchor, sdp_of};
use super::transcoding::rejoined;
use super::transfer::{DialogKey, Reinvite};
use super::transfer_blind::party_extension;
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
            self.transfer.ringing.retain(|id, _| calls.contains_key(id));
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

    /// The latest SDP of the party on `side` of call `id` (noted from its messages, or
    /// the caller's INVITE when it has sent nothing since), as a new party is offered it
    /// when the one on the other side leaves: two-way, since a hold belonged to the
    /// exchange with the party who is leaving (see [`two_way`]), and with the codecs the
    /// leaving party's last SDP named first, so the newcomer most likely answers with the
    /// codec this party already sends (RFC 3264 §6.1: the answerer's choice follows the
    /// offer's order), and this party needs no re-INVITE.
    pub(super) fn party_sdp(&self, id: CallId, side: Side) -> Option<(String, Vec<u8>)> {
        let own = self.last_sdp(id, side)?;
        let in_use = self.last_sdp(id, side.other());
        Some(two_way(in_use_first(own, in_use.as_ref())))
    }

    pub(super) fn last_sdp(&self, id: CallId, side: Side) -> Option<(String, Vec<u8>)> {
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

    /// Sends the party on `side` of call `id` a re-INVITE offering `offer` (the raw SDP
    /// of whoever it will talk to; anchored here at that party's relay socket) plus
    /// `extra` headers (the new party's identity). With `resume`, the answer is then
    /// offered to the other party too (see [`Pbx::transfer_response`]).
    pub(super) fn reinvite_party(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        offer: &(String, Vec<u8>),
        extra: Vec<(&'static str, String)>,
        resume: bool,
    ) {
        // A party whose own last description asked for SRTP keeps it (the PBX's key for
        // its leg); the other party's keys are never passed on.
        let encrypts = self
            .last_sdp(id, side)
            .and_then(|(ct, body)| sdp_of(Some(&ct), &body).ok().flatten())
            .is_some_and(|sdp| super::srtp::wants_srtp(&sdp));
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let mut body = anchored(call, side, offer);
        if let (true, Some(ports)) = (encrypts, call.relay) {
            body = super::srtp::secure_offer(ports, side, body);
        }
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
        invite.headers.push("Content-Type", body.0);
        invite.body = body.1;
        match self.endpoint.send_request(now, invite, peer) {
            Ok(client) => {
                self.by_client.insert(client, ClientOwner::Transfer(id));
                self.transfer.reinvites.insert(
                    client,
                    Reinvite {
                        call: id,
                        side,
                        seq,
                        resume,
                    },
                );
            }
            Err(e) => tracing::debug!(error = %e, "re-INVITE not sent"),
        }
    }

    /// The codec the party on `side` sends, as far as the SDP noted tells: the first of
    /// the other party's voice codecs that it listed too.
    pub(super) fn codec_in_use(&self, id: CallId, side: Side) -> Option<String> {
        let codecs = |side| {
            let (ct, body) = self.last_sdp(id, side)?;
            sdp_of(Some(&ct), &body)
                .ok()
                .flatten()
                .map(|s| voice_codecs(&s))
        };
        let own = codecs(side)?;
        codecs(side.other())?.into_iter().find(|c| own.contains(c))
    }

    /// Whether the party on `side` last agreed to send and receive. A party the leaving
    /// one held (its answer `recvonly`) or that held it (`sendonly`) sends or hears
    /// nothing until asked again, so it needs a re-INVITE; anyone else keeps its session
    /// as it is.
    pub(super) fn sends_and_receives(&self, id: CallId, side: Side) -> bool {
        let Some((ct, body)) = self.last_sdp(id, side) else {
            return true; // nothing known: nothing to put right
        };
        let Ok(Some(sdp)) = sdp_of(Some(&ct), &body) else {
            return true;
        };
        sdp.audio().is_none_or(|a| {
            a.direction == Direction::SendRecv && !a.address.is_some_and(|ip| ip.is_unspecified())
        })
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
            // The party cannot take the new media (488), or will not now (491: RFC 3261
            // §14.1 would retry; the transfer does not wait). Ringing for a blind
            // transfer stops (the party is sent BYE); a joined call ends.
            tracing::info!(call = id, status = response.status, "re-INVITE refused");
            if call.phase == Phase::Ringing {
                let reason = format!("{} {} to the re-INVITE", response.status, response.reason);
                return self.stop_ringing(now, id, crate::Outcome::Failed, &reason);
            }
            return self.end_answered(now, id, None, crate::HangupBy::System);
        }
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        // The party it now talks to, as last described (none while a target rings).
        let other = self.last_sdp(id, reinvite.side.other());
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let Some(leg) = call.leg(reinvite.side) else {
            return;
        };
        let ack = leg.request_with_cseq(Method::Ack, reinvite.seq);
        let peer = leg.peer;
        if let Err(e) = self.endpoint.send_ack(now, &key, ack, peer) {
            tracing::debug!(error = %e, "ACK not sent");
        }
        // The RelayPeer matters most: nobody else hears of this answer as it is.
        let _ = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            reinvite.side,
            response.content_type(),
            &response.body,
        );
        let ct = response
            .content_type()
            .unwrap_or("application/sdp")
            .to_owned();
        let mut answer = (ct, response.body.clone());
        // Two parties a transfer joined may share no codec (transcoded from now on), or
        // share one again (transcoding stops).
        if let (Some(other), Some(call)) = (&other, self.calls.get_mut(&id)) {
            if matches!(sdp_of(Some(&answer.0), &answer.1), Ok(Some(_))) {
                answer = rejoined(&mut self.actions, call, reinvite.side, other, answer);
            }
        }
        if reinvite.resume {
            // The other party was left held: it gets this party's media, two-way (in its
            // own codec when the two are transcoded).
            let answer = two_way(answer);
            self.reinvite_party(now, id, reinvite.side.other(), &answer, Vec::new(), false);
        }
    }
}

/// A description with its streams `sendrecv` (RFC 3264 §6.1): a party that was held,
/// or was holding, when the other one left is described as it will be with the new
/// party, who holds nobody. Bodies that do not parse pass unchanged.
pub(super) fn two_way((content_type, body): (String, Vec<u8>)) -> (String, Vec<u8>) {
    let Ok(Some(mut sdp)) = sdp_of(Some(&content_type), &body) else {
        return (content_type, body);
    };
    let not_direction = |a: &Attribute| !matches!(a, Attribute::Direction(_));
    sdp.attributes.retain(not_direction);
    for media in &mut sdp.media {
        media.attributes.retain(not_direction);
        media
            .attributes
            .push(Attribute::Direction(Direction::SendRecv));
    }
    (content_type, sdp.to_string().into_bytes())
}

/// `offer` with its voice codecs reordered: those named in `in_use` first (in that
/// order), then the rest as they were. Nothing is dropped.
fn in_use_first(offer: (String, Vec<u8>), in_use: Option<&(String, Vec<u8>)>) -> (String, Vec<u8>) {
    let Some(in_use) = in_use.and_then(|(ct, body)| sdp_of(Some(ct), body).ok().flatten()) else {
        return offer;
    };
    let Ok(Some(mut sdp)) = sdp_of(Some(&offer.0), &offer.1) else {
        return offer;
    };
    let own = voice_codecs(&sdp);
    let mut order: Vec<String> = voice_codecs(&in_use)
        .into_iter()
        .filter(|n| own.contains(n))
        .collect();
    if order.is_empty() {
        return offer;
    }
    for n in own {
        if !order.contains(&n) {
            order.push(n);
        }
    }
    sdp.restrict_audio(&order, true);
    (offer.0, sdp.to_string().into_bytes())
}

/// `offer` (another party's SDP) as the party on `side` receives it: pointing at that
/// party's relay socket, narrowed to the call's trunk towards its provider and widened
/// with transcodable codecs towards a phone, without re-pointing the relay (the
/// offerer's address is not where this party's audio goes yet).
fn anchored(call: &Call, side: Side, offer: &(String, Vec<u8>)) -> (String, Vec<u8>) {
    let Ok(Some(mut sdp)) = sdp_of(Some(&offer.0), &offer.1) else {
        return offer.clone();
    };
    let relayed = call.relay.is_some();
    let to_trunk = call.trunk_media.is_some() && party_extension(call, side).is_none();
    match &call.trunk_media {
        // The provider is offered the trunk's codecs only: those the offerer shares with
        // it, else those the relay transcodes to.
        Some(trunk) if to_trunk => {
            let offerer = sdp.clone();
            trunk.offer(&mut sdp, Some(&offerer), relayed);
        }
        Some(trunk) => {
            trunk.shape(&mut sdp);
            if relayed {
                sdp.add_transcodable_codecs();
            }
        }
        // A phone is offered the codecs the relay transcodes to after the offerer's, so
        // one sharing none with it can still answer (see `transcoding`).
        None if relayed => {
            sdp.add_transcodable_codecs();
        }
        None => {}
    }
    if let Some(relay) = call.relay {
        sdp.anchor(relay.addr_for(side), None);
    }
    // RFC 4568 §6.1: a key is for the leg it was offered on; another party's never
    // leaves the PBX.
    if let Some(media) = sdp
        .audio()
        .map(|a| a.index)
        .and_then(|i| sdp.media.get_mut(i))
    {
        media.set_crypto(None);
    }
    ("application/sdp".to_owned(), sdp.to_string().into_bytes())
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
    let theirs = voice_codecs(second);
    let common: Vec<String> = voice_codecs(first)
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

/// The voice codecs of the audio stream, lower-cased, in the description's order.
pub(super) fn voice_codecs(sdp: &SessionDescription) -> Vec<String> {
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
}
