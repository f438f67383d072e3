//! `*70` dialled as a call of its own: a phone that holds a call (its Hold key, then a
//! new call to `*70`, as desk phones park) parks that call's other party. The `*70` call
//! is answered with the announcement of the slot and then hung up, and the held call's
//! dialog with the parker ends at once: the parker's phone is left with nothing.
//!
//! The parking itself is `park`'s; here the `*70` dialog takes the place of the held
//! dialog as the one hearing the slot (the relay's parker-side socket is pointed at the
//! `*70` call's media, and the answer carries the waiting party's codecs narrowed to the
//! offer's, as for a retrieval).

use std::time::Instant;

use sip::transaction::{Peer, ServerKey};
use sip::{Method, Request, Response};

use super::anchor::{reanchor, sdp_of};
use super::transfer_blind::party_extension;
use super::transfer_media::{narrow_pair, request_sdp};
use super::{CallId, Phase};
use crate::action::Side;
use crate::core::Pbx;
use crate::util::{self, ALLOW};

impl Pbx {
    /// The INVITE from `caller` dialling `*70`. Returns whether a held call was parked
    /// (the INVITE is then answered); false leaves the refusal to the caller.
    pub(super) fn park_held_call(
        &mut self,
        now: Instant,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        caller: &str,
    ) -> bool {
        let Some((id, side)) = self.held_by(caller) else {
            return false;
        };
        let waiting = self
            .party_sdp(id, side.other())
            .and_then(|(ct, body)| sdp_of(Some(&ct), &body).ok().flatten());
        let (Some(mut waiting_sdp), Some(mut offer)) = (waiting, request_sdp(request)) else {
            return false;
        };
        if narrow_pair(&mut waiting_sdp, &mut offer).is_none() {
            return false;
        }
        // Parking turns the call so the parker is its B side.
        self.park(now, id, side);
        let Some(pos) = self
            .features
            .park
            .announcing
            .iter()
            .position(|a| a.call == id)
        else {
            return false; // every slot was taken: the held call goes on
        };
        let tag = util::token(&mut self.rng);
        let leg = self.caller_leg(request, source, tag.clone());
        let new_key = (leg.call_id.clone(), leg.local_tag.clone());
        let Some(announcing) = self.features.park.announcing.get_mut(pos) else {
            return false;
        };
        let mut held_leg = std::mem::replace(&mut announcing.leg, leg);
        let old_key = (held_leg.call_id.clone(), held_leg.local_tag.clone());
        // The held dialog ends now; the `*70` call hears the slot.
        let bye = held_leg.request(Method::Bye);
        self.send_fire(now, bye, held_leg.peer);
        if self.by_dialog.get(&old_key) == Some(&(id, Side::B)) {
            self.by_dialog.remove(&old_key);
        }
        self.by_dialog.insert(new_key.clone(), (id, Side::B));
        let Some(call) = self.calls.get_mut(&id) else {
            return true;
        };
        call.index.b_dialog = new_key;
        if let Some(trunk) = &call.trunk_media {
            trunk.shape(&mut waiting_sdp);
        }
        if let Some(relay) = call.relay {
            waiting_sdp.anchor(relay.addr_for(Side::B), None);
        }
        // Points the parker-side socket (with the announcement on it) at this call.
        let _ = reanchor(
            &mut self.actions,
            call.relay,
            call.trunk_media.as_ref(),
            Side::B,
            request.content_type(),
            &request.body,
        );
        let contact = self
            .features
            .park
            .announcing
            .get(pos)
            .map(|a| a.leg.contact.clone())
            .unwrap_or_default();
        let mut ok = Response::for_request(request, 200, "OK");
        if let Some(mut to) = request.to() {
            to.set_tag(&tag);
            ok.headers.set("To", to.to_string());
        }
        ok.headers.push("Contact", contact);
        ok.headers.push("Allow", ALLOW);
        // RFC 4568 §6.1: the held party's key is for its own leg and never passed on; an
        // encrypting parker is answered SRTP with the PBX's key for its leg.
        if let Some(media) = waiting_sdp
            .audio()
            .map(|a| a.index)
            .and_then(|i| waiting_sdp.media.get_mut(i))
        {
            media.set_crypto(None);
        }
        let answer = (
            "application/sdp".to_owned(),
            waiting_sdp.to_string().into_bytes(),
        );
        let relay = self.calls.get(&id).and_then(|c| c.relay);
        let parker_offer = request_sdp(request);
        let (content_type, body) =
            super::srtp::secure_answer(relay, Side::B, parker_offer.as_ref(), Some(answer.clone()))
                .unwrap_or(answer);
        ok.headers.push("Content-Type", content_type);
        ok.body = body;
        self.send_response(now, key, ok);
        true
    }

    /// The newest answered call in which extension `caller` holds the other party (its
    /// last description is sendonly, inactive or 0.0.0.0, RFC 3264 §8.4), and its side.
    fn held_by(&self, caller: &str) -> Option<(CallId, Side)> {
        self.calls
            .values()
            .filter(|c| c.phase == Phase::Answered && c.b.is_some())
            .filter_map(|c| {
                let side = [Side::A, Side::B]
                    .into_iter()
                    .find(|s| party_extension(c, *s).as_deref() == Some(caller))?;
                let holds = self
                    .last_sdp(c.id, side)
                    .and_then(|(ct, body)| sdp_of(Some(&ct), &body).ok().flatten())
                    .and_then(|sdp| sdp.audio().map(|a| a.is_hold()))
                    .unwrap_or(false);
                holds.then_some((c.id, side))
            })
            .max_by_key(|(id, _)| *id)
    }
}
