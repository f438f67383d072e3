//! Blind transfer (RFC 3515 REFER without Replaces; RFC 5589 §6): the transferor names a
//! number and leaves; the remaining party is rung through to it.
//!
//! The call is turned, in place, into a new call from the remaining party to the target:
//! the transferor's record is written ("transferred"), its leg gets the final NOTIFY and a
//! BYE, and the target rings exactly as if the remaining party had dialled it (extension,
//! ring group with its steps and final destination, or out through a trunk's routes when
//! the transferor may call out). The remaining party keeps its dialog and its relay
//! socket; the target is offered the remaining party's last SDP anchored at the other
//! relay socket, and its answer re-points the relay.
//!
//! The remaining party is re-INVITEd only when it must be: if the transferor held it (or
//! it held the transferor) it neither sends nor hears until asked again, so it gets its
//! own media offered back two-way from its relay socket; otherwise its media address and
//! codecs stay as agreed and nothing is sent to it. The target is offered the codec the
//! remaining party already sends first, so it answers with that codec when it has it; a
//! target that answers with another one has the remaining party re-INVITEd with that
//! answer once it picks up, so both send the same codec (the relay does not transcode).

use std::time::Instant;

use super::route::Target;
use super::transcoding::{translate, widened_offer};
use super::transfer::Referral;
use super::transfer_media::{two_way, voice_codecs};
use super::{Draft, Onward, Phase};
use crate::action::{Action, Direction, HangupBy, Outcome, PbxEvent, Side};
use crate::core::Pbx;
use crate::dialplan::Destination;
use crate::media_relay::RelayPorts;
use crate::util;

/// Where a transfer target rings, or why it cannot.
struct Routed {
    onward: Onward,
    outbound: bool,
}

impl Pbx {
    pub(super) fn blind_transfer(
        &mut self,
        now: Instant,
        id: super::CallId,
        referral: Referral,
        target: &str,
    ) {
        let t_side = referral.side;
        let r_side = t_side.other();
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let transferor = party_extension(call, t_side);
        // Everything is checked before the call is touched: a target that cannot ring
        // leaves the call as it was (RFC 3515 §2.4.5: the NOTIFY carries the failure).
        let routed = match self.transfer_route(now, target, transferor.as_deref()) {
            Ok(routed) => routed,
            Err((status, reason)) => return self.refer_failed(now, id, referral, status, reason),
        };
        let Some(offer) = self.party_sdp(id, r_side) else {
            // Without the remaining party's SDP the target would offer in its 2xx, and
            // that offer has nobody to answer it.
            return self.refer_failed(now, id, referral, 488, "Not Acceptable Here");
        };
        // A party the transferor held sends nothing until asked again (see below).
        let r_resume = !self.sends_and_receives(id, r_side);
        let in_use = self.codec_in_use(id, r_side);
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (r_number, r_name) = self.party(call, r_side);
        let r_extension = party_extension(call, r_side);
        let r_is_trunk = call.trunk_media.is_some() && r_extension.is_none();
        let b_from = if r_side == Side::A {
            call.b_from.clone() // as the caller was shown before, "[Sales] Jane Doe"
        } else {
            self.caller_uri(&r_number, &r_name)
        };
        let mut old = call.record.clone();
        old.outcome = Some(Outcome::Answered);
        let old_call_id = call.a.call_id.clone();
        let by = if t_side == Side::A {
            HangupBy::Caller
        } else {
            HangupBy::Callee
        };
        let record = self.finish_record(
            &old_call_id,
            old.clone(),
            Some(by),
            &format!("transferred to {target}"),
        );
        let b_dialog = (util::token(&mut self.rng), util::token(&mut self.rng));
        self.reset_hold(id);

        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        // The transferor's leg leaves the call; the remaining party is its caller now.
        let Some(b_leg) = call.b.take() else {
            return;
        };
        let t_leg = if t_side == Side::A {
            std::mem::replace(&mut call.a, b_leg)
        } else {
            b_leg
        };
        let t_key = if t_side == Side::A {
            std::mem::replace(&mut call.index.a_dialog, call.index.b_dialog.clone())
        } else {
            call.index.b_dialog.clone()
        };
        let r_key = call.index.a_dialog.clone();
        let old_b_key = std::mem::replace(&mut call.index.b_dialog, b_dialog.clone());
        if t_side == Side::A {
            // The remaining party keeps its relay socket, the runtime's "B": the call now
            // sees that socket as its caller's side.
            call.relay = call.relay.map(|p| RelayPorts {
                id: p.id,
                a: p.b,
                b: p.a,
            });
        }
        let swapped = call.relay.filter(|_| t_side == Side::A).map(|p| p.id);
        let mut a_request = call.a_request.clone();
        a_request.headers.set("Content-Type", offer.0.as_str());
        a_request.body = offer.1.clone();
        call.a_request = a_request;
        let old_branches: Vec<_> = call.branches.drain(..).map(|b| b.key).collect();
        let unanswered: Vec<_> = call.forwarded.drain(..).collect();
        let lines = if r_is_trunk {
            Vec::new()
        } else {
            // The trunk line was the transferor's; the remaining party is internal.
            call.trunk_media = None;
            std::mem::take(&mut call.lines)
        };
        call.phase = Phase::Ringing;
        call.a_invite = None;
        call.winner = None;
        call.ring_deadline = None;
        call.pending_ack = None;
        call.best_failure = None;
        call.onward = routed.onward;
        call.b_from = b_from;
        call.b_cseq = 0;
        call.codec_mismatches.clear();
        call.caller_extension = r_extension;
        call.rang = false;
        call.rang_out = false;
        call.record = Draft {
            caller_number: r_number,
            caller_name: r_name,
            callee: target.to_owned(),
            answered_by: None,
            started_at: self.unix_now,
            answered_at: None,
            outcome: None,
            business_name: old.business_name.filter(|_| r_is_trunk),
            trunk: old.trunk.filter(|_| r_is_trunk),
            direction: if routed.outbound {
                Direction::Outbound
            } else if r_is_trunk {
                old.direction
            } else {
                Direction::Internal
            },
            lines_busy: false,
        };
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        if let Some(relay) = swapped {
            self.swap_relay_sides(relay);
        }
        let b_offer = super::anchor::reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            Side::A,
            Some(&offer.0),
            &offer.1,
        )
        .map(|(ct, body)| {
            // A target sharing no codec with the remaining party is transcoded.
            let widened = widened_offer(relay.is_some(), Some(&ct), &body).into_owned();
            (ct, widened)
        });
        if let Some(call) = self.calls.get_mut(&id) {
            call.b_offer = b_offer;
        }
        for key in old_branches {
            self.by_client.remove(&key);
        }
        for f in unanswered {
            self.by_client.remove(&f.client);
            self.respond(now, &f.server, &f.request, 487, "Request Terminated");
        }
        for trunk in lines {
            self.trunks.release_line(trunk);
        }
        self.by_dialog.remove(&t_key);
        self.by_dialog.remove(&old_b_key);
        self.by_dialog.insert(r_key, (id, Side::A));
        self.by_dialog.insert(b_dialog, (id, Side::B));
        self.actions.push_back(Action::Event(PbxEvent::CallEnded {
            call_id: old_call_id,
            outcome: Outcome::Answered,
        }));
        self.actions.push_back(Action::CallRecord(record));
        self.transfer.ringing.insert(id, in_use);
        if routed.outbound {
            self.start_trunks(now, id);
        } else {
            self.ring_next(now, id);
        }
        let ringing = self
            .calls
            .get(&id)
            .is_some_and(|c| c.phase == Phase::Ringing);
        // A conference room answered at once and has re-INVITEd the party itself.
        let in_room = self.in_conference(id);
        if ringing && r_resume {
            // The remaining party was on hold: a re-INVITE offering its own media back
            // from the relay makes it send again, ready for the target's answer.
            self.reinvite_party(now, id, Side::A, &offer, Vec::new(), false);
        }
        let (status, reason) = if ringing || in_room {
            // The PBX takes the call over from here: the transfer has succeeded for the
            // transferor, who is released at once.
            (200, "OK")
        } else {
            (480, "Temporarily Unavailable")
        };
        self.release_transferor(now, t_leg, referral.subscribe, status, reason);
    }

    /// A transfer target never answered (the ring steps ran out, or the owner hung the
    /// call up): the remaining party, connected all along, gets a BYE.
    pub(crate) fn transfer_unanswered(&mut self, now: Instant, id: super::CallId) {
        if self.transfer.ringing.remove(&id).is_none() {
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let bye = call.a.request(sip::Method::Bye);
        let peer = call.a.peer;
        self.send_fire(now, bye, peer);
    }

    /// The remaining party hung up while its transfer target rang: the forks are
    /// CANCELled and the call ends. Not a transfer call: nothing to do.
    pub(crate) fn transferee_hung_up(&mut self, now: Instant, id: super::CallId) {
        let ringing = self
            .calls
            .get(&id)
            .is_some_and(|c| c.phase == Phase::Ringing);
        if !ringing || self.transfer.ringing.remove(&id).is_none() {
            return;
        }
        if let Some(call) = self.calls.get_mut(&id) {
            call.record.outcome = Some(Outcome::Cancelled);
        }
        self.cancel_all_branches(now, id);
        self.finish_call(
            id,
            Some(HangupBy::Caller),
            "hung up while the transfer rang",
        );
    }

    /// A fork of call `id` answered. When that answers a transfer and the target chose a
    /// codec other than the one the remaining party sends, the remaining party is
    /// re-INVITEd with the target's answer so it switches (RFC 3264 §8: a new offer may
    /// change the codec); when the target chose one the remaining party lacks, the relay
    /// transcodes and the remaining party keeps its own.
    pub(crate) fn transfer_answered(&mut self, now: Instant, id: super::CallId) {
        let answered = self
            .calls
            .get(&id)
            .is_some_and(|c| c.phase == Phase::Answered);
        if !answered {
            return;
        }
        let Some(in_use) = self.transfer.ringing.remove(&id) else {
            return;
        };
        let Some(answer) = self.last_sdp(id, Side::B) else {
            return;
        };
        if let Some(call) = self.calls.get(&id).filter(|c| c.transcoding.is_some()) {
            // Transcoded: the remaining party keeps its codec unless the one it was
            // answered with differs from the one it sends; then it is offered that one.
            let own = call
                .transcoding
                .as_ref()
                .map(|f| f.a.encoding.to_ascii_lowercase());
            if in_use.is_none() || own == in_use {
                return;
            }
            if let Some(offer) = translate(call, Side::B, Some(answer)) {
                self.reinvite_party(now, id, Side::A, &two_way(offer), Vec::new(), false);
            }
            return;
        }
        let chosen = super::anchor::sdp_of(Some(&answer.0), &answer.1)
            .ok()
            .flatten()
            .and_then(|sdp| voice_codecs(&sdp).into_iter().next());
        if in_use.is_none() || chosen.is_none() || chosen == in_use {
            return;
        }
        self.reinvite_party(now, id, Side::A, &two_way(answer), Vec::new(), false);
    }

    /// Where `target` rings for a transfer: an extension with a registered device, a
    /// ring group, or a number out (only for a transferor allowed to call it).
    fn transfer_route(
        &self,
        now: Instant,
        target: &str,
        transferor: Option<&str>,
    ) -> Result<Routed, (u16, &'static str)> {
        if self.registrar.directory().contains(target) {
            // The target's do-not-disturb and forwarding apply as to any call for it.
            let (steps, final_destination) = match self.extension_target(target, transferor) {
                Target::Ring {
                    steps,
                    final_destination,
                } => (steps, final_destination),
                Target::Refuse(refusal) => return Err((refusal.status, refusal.reason)),
            };
            let reachable = steps
                .iter()
                .flat_map(|s| s.extensions.iter())
                .any(|e| !self.registrar.lookup(e, now).is_empty());
            if !reachable && final_destination.is_none() {
                return Err((480, "Temporarily Unavailable"));
            }
            return Ok(Routed {
                onward: Onward::ring(steps, final_destination),
                outbound: false,
            });
        }
        if self.is_conference_room(target) {
            // The room answers once the call is turned round (`conference_instead`).
            let room = Destination::Conference(target.to_owned());
            return Ok(Routed {
                onward: Onward::ring(Vec::new(), Some(room)),
                outbound: false,
            });
        }
        if self.plan.ring_group(target).is_some() {
            let group = Destination::RingGroup(target.to_owned());
            return match self.target_of(&group, None) {
                Target::Ring {
                    steps,
                    final_destination,
                } => Ok(Routed {
                    onward: Onward::ring(steps, final_destination),
                    outbound: false,
                }),
                Target::Refuse(refusal) => Err((refusal.status, refusal.reason)),
            };
        }
        let Some(transferor) = transferor else {
            return Err((404, "Not Found"));
        };
        match self.outbound_onward(transferor, target) {
            Ok(onward) => Ok(Routed {
                onward,
                outbound: true,
            }),
            Err(refusal) => Err((refusal.status, refusal.reason)),
        }
    }

    /// The number and name of the party on `side`, as a record and a phone show them.
    pub(super) fn party(&self, call: &super::Call, side: Side) -> (String, Option<String>) {
        match side {
            Side::A => (
                call.record.caller_number.clone(),
                call.record.caller_name.clone(),
            ),
            Side::B => {
                let number = call
                    .record
                    .answered_by
                    .clone()
                    .unwrap_or_else(|| call.record.callee.clone());
                let name = self
                    .registrar
                    .directory()
                    .get(&number)
                    .map(|e| e.display_name.clone())
                    .filter(|n| !n.is_empty());
                (number, name)
            }
        }
    }
}

/// The extension on `side` of a call, when it is one (not a trunk's party).
pub(super) fn party_extension(call: &super::Call, side: Side) -> Option<String> {
    match side {
        Side::A => call.caller_extension.clone(),
        Side::B if call.record.direction != Direction::Outbound => call.record.answered_by.clone(),
        Side::B => None,
    }
}
