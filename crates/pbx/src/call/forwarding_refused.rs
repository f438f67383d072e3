//! Forwarding decided when a call is about to be refused: the extension's phones answered
//! busy (486) and it forwards busy calls, or no phone of it is online and it forwards
//! unanswered calls to an outside number. Forwarding decided before ringing (always, on
//! busy while on a call, on no answer) is in `forwarding.rs`.

use std::time::Instant;

use super::route::{Refusal, Target};
use super::{CallId, Onward, Phase};
use crate::action::Outcome;
use crate::core::Pbx;
use crate::dialplan::Destination;

/// How many times one call is forwarded on busy or unavailability (A → B → C …); a chain
/// longer than this is almost always a loop.
const MAX_REFUSAL_FORWARDS: u8 = 5;

impl Pbx {
    /// A call that rang one extension is about to be refused: busy (its phones answered
    /// 486) with a busy forward, or unavailable (no phone online) with a no-answer forward
    /// to an outside number, goes on to that target instead. False when the call has no
    /// such forward; the refusal then stands (voicemail may still take the call).
    pub(crate) fn forward_on_refusal(
        &mut self,
        now: Instant,
        id: CallId,
        refusal: &Refusal,
    ) -> bool {
        if refusal.voicemail.is_some() {
            return false;
        }
        if refusal.outcome == Outcome::Unavailable && self.forward_out_on_no_answer(now, id) {
            return true;
        }
        if refusal.outcome != Outcome::Busy {
            return false;
        }
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        if call.phase != Phase::Ringing || call.a_invite.is_none() || call.onward.has_more_ringing()
        {
            return false;
        }
        // Only a call that rang one extension: a group's member being busy is the group's
        // business.
        let mut rung = call.branches.iter().map(|b| b.callee.as_str());
        let Some(number) = rung.next().map(str::to_owned) else {
            return false;
        };
        if rung.any(|n| n != number) || !self.registrar.directory().contains(&number) {
            return false;
        }
        let caller = call.caller_extension.clone();
        let internal = call.record.direction == crate::action::Direction::Internal;
        let Some(target) = self
            .forwarding(&number)
            .busy
            .filter(|t| Some(t) != caller.as_ref() && *t != number)
        else {
            return false;
        };
        let hops = self.forwarding.busy_hops.entry(id).or_insert(0);
        *hops += 1;
        if *hops > MAX_REFUSAL_FORWARDS {
            return false;
        }
        let onward = if self.registrar.directory().contains(&target) {
            match self.extension_target(&target, caller.as_deref()) {
                Target::Ring {
                    steps,
                    final_destination,
                } => Onward::ring(steps, final_destination),
                Target::Refuse(_) => return false,
            }
        } else if self.plan.ring_group(&target).is_some() {
            match self.target_of(&Destination::RingGroup(target), caller.as_deref()) {
                Target::Ring {
                    steps,
                    final_destination,
                } => Onward::ring(steps, final_destination),
                Target::Refuse(_) => return false,
            }
        } else if internal {
            match self.outbound_onward(&number, &target) {
                Ok(onward) => onward,
                Err(_) => return false,
            }
        } else {
            return false;
        };
        let trunks = matches!(onward, Onward::Trunks { .. });
        if let Some(call) = self.calls.get_mut(&id) {
            call.onward = onward;
            call.best_failure = None;
            call.ring_deadline = None;
            if trunks {
                call.record.direction = crate::action::Direction::Outbound;
            }
        }
        tracing::info!("busy: the call is forwarded");
        if trunks {
            self.start_trunks(now, id);
        } else {
            self.ring_next(now, id);
        }
        true
    }
}
