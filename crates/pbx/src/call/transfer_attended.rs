//! Attended transfer (REFER whose Refer-To carries Replaces, RFC 3891 §1 and RFC 5589
//! §7): the transferor talks to A in one call and to C in another, both through the PBX,
//! and asks that A and C be joined. The PBX joins them without the transferor:
//!
//! - the call with A survives; C's dialog moves into it, taking the transferor's place
//!   and relay socket, so A keeps its socket; A gets an UPDATE without SDP naming C
//!   (RFC 3311 §5.1), and a re-INVITE only if the transferor had left it on hold;
//! - C is re-INVITEd with A's last SDP anchored at that socket, with A's identity in
//!   P-Asserted-Identity and Remote-Party-ID (RFC 3325 §9.1; Remote-Party-ID for the
//!   phones that still read only that); its answer re-points the relay;
//! - the other call's relay is closed, the transferor gets the final NOTIFY and a BYE on
//!   both calls, and each original call gets its record ("transferred"); the joined call
//!   gets its own when it ends.
//!
//! When the transferor refers before the target answered (the consultation call still
//! rings), that call is cancelled and the target rung again for A, as a blind transfer.

use std::time::Instant;

use sip::Method;

use super::transfer::Referral;
use super::transfer_media::leg_key;
use super::transfer_target::Replaces;
use super::{CallId, Draft, Phase};
use crate::action::{Action, HangupBy, Outcome, PbxEvent, Side};
use crate::core::Pbx;

impl Pbx {
    /// The REFER came on call `id` from `referral.side`; `replaces` names the
    /// transferor's other dialog with the PBX.
    pub(super) fn attended_transfer(
        &mut self,
        now: Instant,
        id: CallId,
        referral: Referral,
        replaces: &Replaces,
        number: &str,
    ) {
        let found = self
            .find_replaced(replaces)
            .filter(|(other, _)| *other != id);
        let Some((other, t_side)) = found else {
            // RFC 3891 §3: no such dialog.
            return self.refer_failed(now, id, referral, 481, "Call/Transaction Does Not Exist");
        };
        let phase = self.calls.get(&other).map(|c| (c.phase, c.b.is_some()));
        match phase {
            Some((Phase::Answered, true)) => {}
            Some((Phase::Ringing, _)) if t_side == Side::A => {
                // Transfer while the consultation call still rings (RFC 5589 §7.2 done
                // by a B2BUA): the transferor's call is cancelled and the target rings
                // anew for the remaining party, as in a blind transfer.
                self.caller_cancelled(now, other);
                return self.blind_transfer(now, id, referral, number);
            }
            _ => return self.refer_failed(now, id, referral, 491, "Request Pending"),
        }
        let Some(offer) = self.party_sdp(id, referral.side.other()) else {
            return self.refer_failed(now, id, referral, 488, "Not Acceptable Here");
        };
        // The transferor's leg in each call, and C's dialog in the other call.
        let (Some(t1), Some(t2)) = (
            self.calls
                .get(&id)
                .and_then(|c| c.leg(referral.side).cloned()),
            self.calls.get(&other).and_then(|c| c.leg(t_side).cloned()),
        ) else {
            return;
        };
        let resume = !self.sends_and_receives(id, referral.side.other());
        self.reset_hold(id);
        self.join_calls(
            now,
            id,
            referral.side,
            other,
            t_side.other(),
            &offer,
            resume,
        );
        self.release_transferor(now, t1, referral.subscribe, 200, "OK");
        let bye = {
            let mut t2 = t2;
            let bye = t2.request(Method::Bye);
            (bye, t2.peer)
        };
        self.send_fire(now, bye.0, bye.1);
    }

    /// The call and side holding the dialog `replaces` names (RFC 3891 §3: the to-tag is
    /// ours, the from-tag the other party's).
    pub(super) fn find_replaced(&self, replaces: &Replaces) -> Option<(CallId, Side)> {
        let key = (replaces.call_id.clone(), replaces.to_tag.clone());
        let (id, side) = *self.by_dialog.get(&key)?;
        let call = self.calls.get(&id)?;
        let leg = call.leg(side);
        let tag_matches = match leg {
            Some(leg) => leg.remote_tag.as_deref() == Some(replaces.from_tag.as_str()),
            // An early dialog of a ringing fork: any fork's tag names the call.
            None => side == Side::B && call.phase == Phase::Ringing,
        };
        tag_matches.then_some((id, side))
    }

    /// Moves the party on `moving_side` of call `from` into call `into` in place of the
    /// party on `into_side` (whose leg is dropped; the caller BYEs it), re-INVITEs it with
    /// `offer` (the staying party's SDP), and ends call `from` with its record. With
    /// `resume`, the staying party (left held) is re-INVITEd with the answer.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn join_calls(
        &mut self,
        now: Instant,
        into: CallId,
        into_side: Side,
        from: CallId,
        moving_side: Side,
        offer: &(String, Vec<u8>),
        resume: bool,
    ) {
        let (Some(keep), Some(gone)) = (self.calls.get(&into), self.calls.get(&from)) else {
            return;
        };
        let Some(moving_leg) = gone.leg(moving_side).cloned() else {
            return;
        };
        let Some(moving_key) = leg_key(gone, moving_side) else {
            return;
        };
        let staying = into_side.other();
        let (stay_number, stay_name) = self.party(keep, staying);
        let (move_number, move_name) = self.party(gone, moving_side);
        let mut first = keep.record.clone();
        first.outcome = Some(Outcome::Answered);
        let first_record = self.finish_record(
            &keep.a.call_id,
            first.clone(),
            Some(HangupBy::System),
            &format!("transferred: {stay_number} joined to {move_number}"),
        );
        let identity = self.caller_uri(&stay_number, &stay_name);
        let moving_identity = self.caller_uri(&move_number, &move_name);
        let moving_extension = super::transfer_blind::party_extension(gone, moving_side);
        let staying_extension = super::transfer_blind::party_extension(keep, staying);

        // The call that ends: it must not take the moving dialog or its trunk line along.
        let Some(gone) = self.calls.get_mut(&from) else {
            return;
        };
        let lines = std::mem::take(&mut gone.lines);
        let gone_trunk = gone.trunk_media.clone();
        let gone_record = gone.record.clone();
        gone.record.outcome = Some(Outcome::Answered);
        match moving_side {
            Side::A => gone.index.a_dialog = (String::new(), String::new()),
            Side::B => {
                gone.index.b_dialog = (String::new(), String::new());
                gone.b = None;
            }
        }
        let unanswered: Vec<_> = gone.forwarded.drain(..).collect();
        for f in unanswered {
            self.by_client.remove(&f.client);
            self.respond(now, &f.server, &f.request, 487, "Request Terminated");
        }
        self.by_dialog.insert(moving_key.clone(), (into, into_side));
        self.finish_call(from, Some(HangupBy::System), "transferred");

        // The call that stays: the moving party takes the transferor's place.
        let Some(keep) = self.calls.get_mut(&into) else {
            return;
        };
        let leaving_key = match into_side {
            Side::A => std::mem::replace(&mut keep.index.a_dialog, moving_key),
            Side::B => std::mem::replace(&mut keep.index.b_dialog, moving_key),
        };
        match into_side {
            Side::A => keep.a = moving_leg,
            Side::B => keep.b = Some(moving_leg),
        }
        if into_side == Side::A {
            keep.caller_extension = moving_extension;
        }
        keep.lines.extend(lines);
        if keep.trunk_media.is_none() {
            keep.trunk_media = gone_trunk;
        }
        let unanswered: Vec<_> = keep.forwarded.drain(..).collect();
        keep.pending_ack = None;
        let (caller, callee) = match staying {
            Side::A => ((stay_number, stay_name), move_number.clone()),
            Side::B => ((move_number, move_name), stay_number.clone()),
        };
        keep.record = Draft {
            caller_number: caller.0,
            caller_name: caller.1,
            callee: callee.clone(),
            answered_by: Some(callee.clone()),
            started_at: self.unix_now,
            answered_at: Some(self.unix_now),
            outcome: Some(Outcome::Answered),
            business_name: first.business_name.or(gone_record.business_name),
            trunk: first.trunk.or(gone_record.trunk),
            direction: first.direction,
            lines_busy: false,
        };
        let call_id = keep.a.call_id.clone();
        for f in unanswered {
            self.by_client.remove(&f.client);
            self.respond(now, &f.server, &f.request, 487, "Request Terminated");
        }
        self.by_dialog.remove(&leaving_key);
        self.actions.push_back(Action::CallRecord(first_record));
        self.actions
            .push_back(Action::Event(PbxEvent::CallAnswered {
                call_id,
                answered_by: callee,
            }));
        self.reinvite_party(
            now,
            into,
            into_side,
            offer,
            identity_headers(&identity, staying),
            resume,
        );
        // The staying party's phone still shows the transferor: an UPDATE without an
        // offer (RFC 3311 §5.1 allows one) carries the new party's identity. Phones that
        // do not take it answer with an error and nothing changes; a trunk is left alone.
        if staying_extension.is_some() {
            self.send_identity_update(now, into, staying, &moving_identity, into_side);
        }
    }

    /// An UPDATE to the party on `to` naming `identity`, who is on side `of`.
    fn send_identity_update(
        &mut self,
        now: Instant,
        id: CallId,
        to: Side,
        identity: &str,
        of: Side,
    ) {
        let Some(leg) = self.calls.get_mut(&id).and_then(|c| c.leg_mut(to)) else {
            return;
        };
        let mut update = leg.request(Method::Update);
        let peer = leg.peer;
        for (name, value) in identity_headers(identity, of) {
            update.headers.push(name, value);
        }
        self.send_fire(now, update, peer);
    }
}

/// P-Asserted-Identity (RFC 3325 §9.1) and, for phones that read only that, the older
/// Remote-Party-ID, naming the party on side `of` of the call.
fn identity_headers(identity: &str, of: Side) -> Vec<(&'static str, String)> {
    let party = if of == Side::A { "calling" } else { "called" };
    vec![
        ("P-Asserted-Identity", identity.to_owned()),
        (
            "Remote-Party-ID",
            format!("{identity};party={party};screen=yes;privacy=off"),
        ),
    ]
}
