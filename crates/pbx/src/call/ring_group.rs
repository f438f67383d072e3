//! Ringing step by step: an extension is one step; a ring group all at once is one step
//! with every member's devices; in order is one step per member, each for its own ring
//! time. When the steps are done the group's final destination takes over (another
//! group, an extension, a refusal), and with nothing left the caller gets the best
//! failure heard.

use std::time::Instant;

use sip::transaction::Peer;
use sip::{Host, NameAddr, Uri};

use super::fork::Fork;
use super::route::Refusal;
use super::setup::{next_hop_peer, response_to_caller};
use super::{CallId, Onward, Phase};
use crate::action::{Action, Outcome, PbxEvent};
use crate::core::Pbx;
use crate::dialplan::RingStep;

impl Pbx {
    /// Starts the next ring step that reaches a device, following final destinations
    /// when the steps run out; ends the call when nothing is left.
    pub(crate) fn ring_next(&mut self, now: Instant, id: CallId) {
        loop {
            let Some(call) = self.calls.get_mut(&id) else {
                return;
            };
            if call.phase != Phase::Ringing {
                return;
            }
            let step = match &mut call.onward {
                Onward::Ring { steps, .. } => steps.pop_front(),
                // A final destination forwarded out: its trunks are still to try.
                Onward::Trunks { targets, current } if current.is_none() && !targets.is_empty() => {
                    return self.start_trunks(now, id)
                }
                Onward::Trunks { .. } => return self.nothing_answered(now, id),
            };
            if let Some(step) = step {
                match self.ring_step(now, id, &step) {
                    Ok(true) => {
                        self.rang(id, now + step.ring);
                        return;
                    }
                    Ok(false) => continue,
                    Err(refusal) => return self.refuse_call(now, id, refusal),
                }
            }
            match self.follow_final(id) {
                Some(Ok(())) => continue,
                Some(Err(refusal)) => return self.refuse_call(now, id, refusal),
                None => return self.nothing_answered(now, id),
            }
        }
    }

    /// Forks to every registered device of the step's extensions. `Ok(false)` when none
    /// is registered.
    fn ring_step(&mut self, now: Instant, id: CallId, step: &RingStep) -> Result<bool, Refusal> {
        let mut targets: Vec<(String, Uri, Peer)> = Vec::new();
        for extension in &step.extensions {
            // A member in do-not-disturb is skipped (a lone extension in it never
            // gets here: its calls are refused or go to voicemail).
            if self.in_dnd(extension) {
                continue;
            }
            for binding in self.registrar.lookup(extension, now) {
                let Some(peer) = next_hop_peer(binding.next_hop(), binding.source) else {
                    continue;
                };
                let Ok(uri) = binding.contact.parse::<Uri>() else {
                    continue;
                };
                // One device serving two members rings once: a second INVITE with the
                // same Call-ID, tag and CSeq would be a merged request (RFC 3261 §8.2.2.2).
                if targets.iter().any(|(_, u, p)| *u == uri && *p == peer) {
                    continue;
                }
                targets.push((extension.clone(), uri, peer));
            }
        }
        let Some((_, _, first)) = targets.first() else {
            return Ok(false);
        };
        if self.anchor_media(id, *first).is_err() {
            return Err(Refusal::new(
                503,
                "Service Unavailable",
                Outcome::Failed,
                "503 Service Unavailable: no RTP ports left",
            ));
        }
        if let Some(call) = self.calls.get_mut(&id) {
            call.b_cseq += 1;
        }
        let mut sent = false;
        for (extension, uri, peer) in targets {
            let Some(local) = self.config.local_for(peer.transport, peer.addr) else {
                continue;
            };
            let to = NameAddr::new(Uri::sip(Some(&extension), Host::from(local.ip())));
            let fork = Fork {
                uri,
                to: to.to_string(),
                from: None,
                target: peer,
                callee: extension,
                extra: Vec::new(),
                to_phone: true,
            };
            sent |= self.send_fork(now, id, fork);
        }
        Ok(sent)
    }

    /// Forks went out: ring until `deadline`, and tell the live views once.
    pub(crate) fn rang(&mut self, id: CallId, deadline: Instant) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.ring_deadline = Some(deadline);
        if call.rang {
            return;
        }
        call.rang = true;
        self.actions.push_back(Action::Event(PbxEvent::CallRinging {
            call_id: call.a.call_id.clone(),
            caller: call.record.caller_number.clone(),
            callee: call.record.callee.clone(),
            caller_name: call.record.caller_name.clone(),
            business_name: call.record.business_name.clone(),
        }));
    }

    /// The current step rang out: cancel it and go on, or give up with "no answer".
    pub(crate) fn ring_step_timeout(&mut self, now: Instant, id: CallId) {
        let more = self
            .calls
            .get(&id)
            .is_some_and(|c| c.phase == Phase::Ringing && c.onward.has_more_ringing());
        if !more {
            // Forwarded on no answer to an outside number: the call goes out instead.
            if self.forward_out_on_no_answer(now, id) {
                return;
            }
            let no_answer = Refusal::new(480, "Temporarily Unavailable", Outcome::NoAnswer, "");
            if self.voicemail_instead(now, id, &no_answer) {
                return;
            }
            return self.stop_ringing(now, id, Outcome::NoAnswer, "no answer");
        }
        if let Some(call) = self.calls.get_mut(&id) {
            call.ring_deadline = None;
            call.rang_out = true;
        }
        self.cancel_all_branches(now, id);
        self.ring_next(now, id);
    }

    /// Answers the caller with `refusal` and ends the call.
    pub(crate) fn refuse_call(&mut self, now: Instant, id: CallId, mut refusal: Refusal) {
        if self.conference_instead(now, id, &mut refusal) {
            return;
        }
        // Busy with a busy forward (or unreachable with a no-answer forward out): the
        // call goes on to the target.
        if self.forward_on_refusal(now, id, &refusal) {
            return;
        }
        if self.voicemail_instead(now, id, &refusal) {
            return;
        }
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let mut response = response_to_caller(call, refusal.status, refusal.reason);
        response.headers.remove("Contact");
        if refusal.status == 488 {
            // No trunk takes the caller's codecs (see `trunk_media`).
            let warning = self.incompatible_media();
            response.headers.push("Warning", warning);
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let a_key = call.a_invite.take();
        call.record.outcome = Some(refusal.outcome);
        if let Some(a_key) = a_key {
            self.send_response(now, &a_key, response);
        }
        self.transfer_unanswered(now, id);
        self.cancel_all_branches(now, id);
        let by = (refusal.outcome == Outcome::NoAnswer).then_some(crate::HangupBy::System);
        self.finish_call(id, by, &refusal.detail);
    }

    /// Nothing is left to ring and nobody answered: the caller hears the best failure
    /// (RFC 3261 §16.7 step 6), or "no answer" after a step rang out.
    pub(crate) fn nothing_answered(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let refusal = match &call.best_failure {
            Some(best) => {
                let (status, reason, outcome) = super::branch::caller_failure(best.status);
                Refusal::new(
                    status,
                    reason,
                    outcome,
                    &format!("{} {}", best.status, best.reason),
                )
            }
            None if call.rang_out => Refusal::new(
                480,
                "Temporarily Unavailable",
                Outcome::NoAnswer,
                "no answer",
            ),
            None => Refusal::unavailable("480 Temporarily Unavailable"),
        };
        self.refuse_call(now, id, refusal);
    }
}
