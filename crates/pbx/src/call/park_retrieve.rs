//! Taking a parked call: dialling its slot answers the caller's INVITE with the waiting
//! party's media, and a call nobody took rings whoever parked it (see `park`).

use std::time::Instant;

use media::sdp::PayloadFormat;
use sip::transaction::{Peer, ServerKey};
use sip::{Request, Response};

use super::anchor::{reanchor, sdp_of};
use super::park::Parked;
use super::transfer_media::{narrow_pair, request_sdp};
use super::{CallId, Onward, Phase};
use crate::action::{Action, HangupBy, PbxEvent, Side};
use crate::core::Pbx;
use crate::dialplan::RingStep;
use crate::feature_codes::{is_park_slot, PARK};
use crate::util::{self, ALLOW};

impl Pbx {
    /// A new INVITE dialling a park code. Returns whether it was one (and was answered).
    pub(super) fn park_invite(
        &mut self,
        now: Instant,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        caller: &str,
        dialled: &str,
    ) -> bool {
        if dialled == PARK {
            // Dialled on its own, `*70` parks the call the phone holds; without one there
            // is nothing to park (it is pressed, or transferred to, in a call).
            if !self.park_held_call(now, key, request, source, caller) {
                self.respond(now, key, request, 403, "Nothing On Hold To Park");
            }
            return true;
        }
        if !is_park_slot(dialled) {
            return false;
        }
        let parked = self.features.park.slots.get(dialled).map(|p| p.call);
        match parked.filter(|id| self.is_parked(*id)) {
            Some(id) => self.retrieve(now, id, key, request, source, caller),
            None => self.respond(now, key, request, 404, "Nothing Parked There"),
        }
        true
    }

    /// `retriever`'s INVITE takes parked call `id`: it is answered with the waiting
    /// party's media at the relay's free socket, and the music stops.
    fn retrieve(
        &mut self,
        now: Instant,
        id: CallId,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        retriever: &str,
    ) {
        let waiting = self
            .party_sdp(id, Side::A)
            .and_then(|(ct, body)| sdp_of(Some(&ct), &body).ok().flatten());
        let (Some(mut waiting_sdp), Some(mut retriever_sdp)) = (waiting, request_sdp(request))
        else {
            return self.not_acceptable(now, key, request);
        };
        if narrow_pair(&mut waiting_sdp, &mut retriever_sdp).is_none() {
            return self.not_acceptable(now, key, request);
        }
        let tag = util::token(&mut self.rng);
        let leg = self.caller_leg(request, source, tag.clone());
        let retriever_key = (leg.call_id.clone(), leg.local_tag.clone());
        // A parker still hearing its slot is released now.
        let (announcing, going): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.features.park.announcing)
                .into_iter()
                .partition(|a| a.call == id);
        self.features.park.announcing = going;
        for a in announcing {
            self.release_parker(now, a);
        }
        if let Some(slot) = self.features.park.slot_of(id) {
            self.features.park.slots.remove(&slot);
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some(trunk) = &call.trunk_media {
            trunk.shape(&mut waiting_sdp);
        }
        // The waiting party and the retriever share the codec answered: whatever the
        // relay transcoded for the parker is over.
        let transcoded = call.transcoding.take().is_some();
        if let Some(relay) = call.relay {
            if transcoded {
                self.actions
                    .push_back(Action::TranscodeStop { id: relay.id });
            }
            waiting_sdp.anchor(relay.addr_for(Side::B), None);
            for to in [Side::A, Side::B] {
                self.actions
                    .push_back(Action::MediaStop { id: relay.id, to });
            }
        }
        // Points the relay's free socket at the retriever.
        let _ = reanchor(
            &mut self.actions,
            call.relay,
            call.trunk_media.as_ref(),
            Side::B,
            request.content_type(),
            &request.body,
        );
        let mut ok = Response::for_request(request, 200, "OK");
        if let Some(mut to) = request.to() {
            to.set_tag(&tag);
            ok.headers.set("To", to.to_string());
        }
        ok.headers.push("Contact", leg.contact.as_str());
        ok.headers.push("Allow", ALLOW);
        // RFC 4568 §6.1: the waiting party's key is for its own leg and never passed on; an
        // encrypting retriever is answered SRTP with the PBX's key for its leg.
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
        let offer = request_sdp(request);
        let (content_type, body) =
            super::srtp::secure_answer(call.relay, Side::B, offer.as_ref(), Some(answer.clone()))
                .unwrap_or(answer);
        ok.headers.push("Content-Type", content_type);
        ok.body = body;
        let old_b = std::mem::replace(&mut call.index.b_dialog, retriever_key.clone());
        call.b = Some(leg);
        call.record.answered_at = Some(self.unix_now);
        call.record.answered_by = Some(retriever.to_owned());
        let call_id = call.a.call_id.clone();
        if self.by_dialog.get(&old_b) == Some(&(id, Side::B)) {
            self.by_dialog.remove(&old_b);
        }
        self.by_dialog.insert(retriever_key.clone(), (id, Side::B));
        self.transfer.sdp.insert(
            retriever_key,
            ("application/sdp".to_owned(), request.body.clone()),
        );
        self.send_response(now, key, ok);
        tracing::info!(call = id, "parked call retrieved");
        self.actions
            .push_back(Action::Event(PbxEvent::CallAnswered {
                call_id,
                answered_by: retriever.to_owned(),
            }));
    }

    /// Nobody took the call from its slot: it rings the parker's phones like a blind
    /// transfer to the parker (no answer, or no phone registered, and the waiting party
    /// is sent a BYE).
    pub(super) fn ring_back(&mut self, now: Instant, parked: Parked) {
        let id = parked.call;
        let reachable = self.registrar.directory().contains(&parked.parker)
            && !self.registrar.lookup(&parked.parker, now).is_empty();
        if !reachable {
            tracing::info!(
                call = id,
                "parked call not taken and its parker is away; ended"
            );
            return self.end_answered(now, id, None, HangupBy::System);
        }
        let Some(offer) = self.party_sdp(id, Side::A) else {
            return self.end_answered(now, id, None, HangupBy::System);
        };
        let in_use = self
            .listen_format(id, Side::A)
            .map(|f| f.encoding.to_ascii_lowercase());
        let b_dialog = (util::token(&mut self.rng), util::token(&mut self.rng));
        let ring = self.config.ring_timeout;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (number, name) = (
            call.record.caller_number.clone(),
            call.record.caller_name.clone(),
        );
        let old_b = std::mem::replace(&mut call.index.b_dialog, b_dialog.clone());
        call.phase = Phase::Ringing;
        call.ring_deadline = None;
        call.best_failure = None;
        call.onward = Onward::ring(
            vec![RingStep {
                extensions: vec![parked.parker.clone()],
                ring,
            }],
            None,
        );
        call.b_cseq = 0;
        call.rang = false;
        call.rang_out = false;
        call.codec_mismatches.clear();
        call.record.callee = parked.parker.clone();
        let mut a_request = call.a_request.clone();
        a_request.headers.set("Content-Type", offer.0.as_str());
        a_request.body = offer.1.clone();
        call.a_request = a_request;
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        let b_from = self.caller_uri(&number, &name.map(|n| format!("[Parked] {n}")));
        if self.by_dialog.get(&old_b) == Some(&(id, Side::B)) {
            self.by_dialog.remove(&old_b);
        }
        self.by_dialog.insert(b_dialog, (id, Side::B));
        if let Some(relay) = relay {
            self.actions.push_back(Action::MediaStop {
                id: relay.id,
                to: Side::A,
            });
        }
        let b_offer = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            Side::A,
            Some(&offer.0),
            &offer.1,
        );
        if let Some(call) = self.calls.get_mut(&id) {
            call.b_offer = b_offer;
            call.b_from = b_from;
        }
        tracing::info!(call = id, "parked call rings its parker again");
        self.transfer.ringing.insert(id, in_use);
        self.ring_next(now, id);
    }

    /// The format to play to the party on `side`: the codec it receives now, with the
    /// payload type it gave it, else its first audio format.
    pub(super) fn listen_format(&self, id: CallId, side: Side) -> Option<PayloadFormat> {
        let (ct, body) = self.last_sdp(id, side)?;
        let sdp = sdp_of(Some(&ct), &body).ok().flatten()?;
        let formats = sdp.media.get(sdp.audio()?.index)?.payload_formats();
        let voice = |f: &&PayloadFormat| {
            !["telephone-event", "CN"]
                .iter()
                .any(|n| f.encoding.eq_ignore_ascii_case(n))
        };
        let in_use = self.codec_in_use(id, side);
        in_use
            .and_then(|c| {
                formats
                    .iter()
                    .filter(voice)
                    .find(|f| f.encoding.eq_ignore_ascii_case(&c))
            })
            .or_else(|| formats.iter().find(voice))
            .cloned()
    }
}
