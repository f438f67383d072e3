//! Call pickup: an extension dials `*8` and a number to answer a call ringing at that
//! extension, or `*8` alone for a call ringing anyone in its ring groups. The picker
//! becomes the callee, exactly as if it had been one of the forks and answered: the
//! caller gets its 200, the forks still ringing are CANCELled (RFC 3261 §16.7 step 10
//! done by a B2BUA), and the relay is pointed at the picker.
//!
//! The picker's INVITE carries an offer and the caller's INVITE carried one too: each is
//! answered with the other's description, both narrowed to the codecs they share in the
//! caller's order, so the two phones send the same codec (RFC 3264 §6.1 lets an answer
//! list only formats of the offer).
//!
//! An INVITE with Replaces naming a ringing fork's early dialog (RFC 3891 §3, as phones
//! with a busy-lamp field pick up) comes here too, from `transfer_replaces`.

use std::time::Instant;

use sip::transaction::{Peer, ServerKey};
use sip::{Request, Response};

use super::anchor::{reanchor, sdp_of};
use super::setup::response_to_caller;
use super::transfer_media::{narrow_pair, request_sdp};
use super::{BranchState, CallId, Phase};
use crate::action::{Action, Direction, PbxEvent, Side};
use crate::core::Pbx;
use crate::feature_codes::PICKUP;
use crate::util::{self, ALLOW};

impl Pbx {
    /// A new INVITE from the authenticated extension `caller` that is not an ordinary
    /// call: a pickup code or a Replaces header. Returns whether it was handled here.
    pub(crate) fn feature_invite(
        &mut self,
        now: Instant,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        caller: &str,
    ) -> bool {
        if let Some(value) = request.headers.get("Replaces") {
            let value = value.to_owned();
            self.invite_replaces(now, key, request, source, caller, &value);
            return true;
        }
        let Some(dialled) = request.uri.user_unescaped().map(|u| u.into_owned()) else {
            return false;
        };
        if self.park_invite(now, key, request, source, caller, &dialled) {
            return true;
        }
        let Some(extension) = dialled.strip_prefix(PICKUP) else {
            return false;
        };
        let extension = Some(extension).filter(|e| !e.is_empty());
        match self.ringing_call_for(extension, caller) {
            Some(id) => self.answer_by_pickup(now, id, key, request, source, caller),
            None => self.respond(now, key, request, 404, "Nothing To Pick Up"),
        }
        true
    }

    /// The oldest call ringing at `extension` (or, without one, at a member of a ring
    /// group `picker` belongs to) that a pickup can answer.
    fn ringing_call_for(&self, extension: Option<&str>, picker: &str) -> Option<CallId> {
        let colleagues: Vec<&str> = self
            .plan
            .ring_groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m.number == picker))
            .flat_map(|g| g.members.iter().map(|m| m.number.as_str()))
            .collect();
        let rings_there = |callee: &str| match extension {
            Some(e) => callee == e,
            None => colleagues.contains(&callee),
        };
        self.calls
            .values()
            .filter(|c| c.phase == Phase::Ringing && c.a_invite.is_some() && c.b_offer.is_some())
            .filter(|c| c.caller_extension.as_deref() != Some(picker))
            // A call out rings at the far end, not at anyone's desk.
            .filter(|c| c.record.direction != Direction::Outbound)
            .filter(|c| {
                c.branches.iter().any(|b| {
                    matches!(b.state, BranchState::Calling | BranchState::Proceeding)
                        && rings_there(&b.callee)
                })
            })
            .map(|c| c.id)
            .min()
    }

    /// The INVITE `request` from `picker` answers ringing call `id`.
    pub(super) fn answer_by_pickup(
        &mut self,
        now: Instant,
        id: CallId,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        picker: &str,
    ) {
        let Some(call) = self.calls.get(&id) else {
            return self.respond(now, key, request, 481, "Call/Transaction Does Not Exist");
        };
        // Both offers are needed; a caller or picker without one (delayed offer) cannot
        // be joined without asking one of them again.
        let caller_offer = call
            .b_offer
            .as_ref()
            .and_then(|(ct, body)| sdp_of(Some(ct), body).ok().flatten());
        let (Some(mut caller_sdp), Some(mut picker_sdp)) = (caller_offer, request_sdp(request))
        else {
            return self.not_acceptable(now, key, request);
        };
        if narrow_pair(&mut caller_sdp, &mut picker_sdp).is_none() {
            return self.not_acceptable(now, key, request);
        }
        let tag = util::token(&mut self.rng);
        let leg = self.caller_leg(request, source, tag.clone());
        let picker_key = (leg.call_id.clone(), leg.local_tag.clone());
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let to_caller = reanchor(
            &mut self.actions,
            call.relay,
            call.trunk_media.as_ref(),
            Side::B,
            Some("application/sdp"),
            picker_sdp.to_string().as_bytes(),
        );
        // The picker may have chosen a codec the caller only got through transcoding.
        let to_caller = super::transcoding::answer_for_caller(&mut self.actions, call, to_caller);
        let mut ok = response_to_caller(call, 200, "OK");
        if let Some((content_type, body)) = to_caller {
            ok.headers.push("Content-Type", content_type);
            ok.body = body;
        }
        let mut to_picker = Response::for_request(request, 200, "OK");
        if let Some(mut to) = request.to() {
            to.set_tag(&tag);
            to_picker.headers.set("To", to.to_string());
        }
        to_picker.headers.push("Contact", leg.contact.as_str());
        to_picker.headers.push("Allow", ALLOW);
        // An encrypting picker is answered SRTP with the PBX's key for its leg (the relay
        // was given its key above); the caller's own key never leaves the PBX.
        if let Some(media) = caller_sdp
            .audio()
            .map(|a| a.index)
            .and_then(|i| caller_sdp.media.get_mut(i))
        {
            media.set_crypto(None);
        }
        let answer = (
            "application/sdp".to_owned(),
            caller_sdp.to_string().into_bytes(),
        );
        let (content_type, body) = super::srtp::secure_answer(
            call.relay,
            Side::B,
            Some(&picker_sdp),
            Some(answer.clone()),
        )
        .unwrap_or(answer);
        to_picker.headers.push("Content-Type", content_type);
        to_picker.body = body;
        let forks_key = std::mem::replace(&mut call.index.b_dialog, picker_key.clone());
        call.b = Some(leg);
        call.phase = Phase::Answered;
        call.ring_deadline = None;
        call.record.answered_at = Some(self.unix_now);
        call.record.answered_by = Some(picker.to_owned());
        let a_key = call.a_invite.take();
        let call_id = call.a.call_id.clone();
        self.by_dialog.remove(&forks_key);
        self.by_dialog.insert(picker_key.clone(), (id, Side::B));
        self.transfer.sdp.insert(
            picker_key,
            ("application/sdp".to_owned(), request.body.clone()),
        );
        self.cancel_all_branches(now, id);
        if let Some(a_key) = a_key {
            self.send_response(now, &a_key, ok);
        }
        self.send_response(now, key, to_picker);
        tracing::info!(call = id, "picked up");
        self.actions
            .push_back(Action::Event(PbxEvent::CallAnswered {
                call_id,
                answered_by: picker.to_owned(),
            }));
        self.record_if_always(now, id);
    }
}
