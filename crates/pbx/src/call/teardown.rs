//! Ending calls: caller cancels, nobody answers, someone hangs up; and the call record.

use std::time::Instant;

use sip::transaction::Peer;
use sip::{Method, Request};

use super::setup::response_to_caller;
use super::{BranchState, CallId, Draft, Phase};
use crate::action::{Action, CallRecord, HangupBy, Outcome, PbxEvent};
use crate::core::{ClientOwner, Pbx};
use crate::Side;

impl Pbx {
    /// The caller's CANCEL matched its ringing INVITE (RFC 3261 §9.2): 487 to the
    /// caller, CANCEL to every fork.
    pub(crate) fn caller_cancelled(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != Phase::Ringing {
            return; // CANCEL racing our 200: the 200 stands, the caller will BYE (§9.1)
        }
        let terminated = response_to_caller(call, 487, "Request Terminated");
        let a_key = call.a_invite.take();
        call.record.outcome = Some(Outcome::Cancelled);
        if let Some(a_key) = a_key {
            let mut terminated = terminated;
            terminated.headers.remove("Contact");
            self.send_response(now, &a_key, terminated);
        }
        self.cancel_all_branches(now, id);
        self.finish_call(id, Some(HangupBy::Caller), "487 Request Terminated");
    }

    /// Nobody answered within the ring time (of the whole call, or of a ring step).
    pub(crate) fn ring_timeout(&mut self, now: Instant, id: CallId) {
        // A feature code's confirmation tone has played: hang up.
        if self.confirmation_played(now, id) {
            return;
        }
        self.ring_step_timeout(now, id);
    }

    /// Ends a ringing call from our side: 480 to the caller, CANCEL to every fork.
    pub(crate) fn stop_ringing(
        &mut self,
        now: Instant,
        id: CallId,
        outcome: Outcome,
        reason: &str,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.ring_deadline = None;
        if call.phase != Phase::Ringing {
            return;
        }
        let mut unavailable = response_to_caller(call, 480, "Temporarily Unavailable");
        unavailable.headers.remove("Contact");
        let a_key = call.a_invite.take();
        call.record.outcome = Some(outcome);
        if let Some(a_key) = a_key {
            self.send_response(now, &a_key, unavailable);
        }
        self.transfer_unanswered(now, id);
        self.cancel_all_branches(now, id);
        self.finish_call(id, Some(HangupBy::System), reason);
    }

    pub(crate) fn cancel_all_branches(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let pending: Vec<_> = call
            .branches
            .iter_mut()
            .filter(|b| matches!(b.state, BranchState::Calling | BranchState::Proceeding))
            .map(|b| {
                b.state = BranchState::Cancelling;
                b.key
            })
            .collect();
        for key in pending {
            self.cancel_branch(now, key);
        }
    }

    /// BYE from one side of an answered call (or `None`: we end it ourselves): the other
    /// side (or both) get a BYE.
    pub(crate) fn end_answered(
        &mut self,
        now: Instant,
        id: CallId,
        from: Option<Side>,
        hangup_by: HangupBy,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase == Phase::Ended {
            return;
        }
        let mut byes: Vec<(Request, Peer)> = Vec::new();
        for side in [Side::A, Side::B] {
            if Some(side) == from {
                continue;
            }
            if let Some(leg) = call.leg_mut(side) {
                byes.push((leg.request(Method::Bye), leg.peer));
            }
        }
        call.record.outcome = Some(Outcome::Answered);
        // RFC 3261 §15.1.2: requests still waiting for the far side's answer (a re-INVITE
        // during hang-up) are answered 487, or their senders would wait forever.
        let unanswered: Vec<_> = call.forwarded.drain(..).collect();
        for (bye, peer) in byes {
            self.send_fire(now, bye, peer);
        }
        for f in unanswered {
            self.by_client.remove(&f.client);
            self.respond(now, &f.server, &f.request, 487, "Request Terminated");
        }
        self.finish_call(id, Some(hangup_by), "normal clearing");
    }

    /// Sends a request whose answer nobody waits for.
    pub(crate) fn send_fire(&mut self, now: Instant, request: Request, target: Peer) {
        match self.endpoint.send_request(now, request, target) {
            Ok(key) => {
                self.by_client.insert(key, ClientOwner::Fire);
            }
            Err(e) => tracing::debug!(error = %e, "request not sent"),
        }
    }

    /// Writes the record, closes the relay and, unless forks are still winding down,
    /// forgets the call.
    pub(crate) fn finish_call(&mut self, id: CallId, hangup_by: Option<HangupBy>, reason: &str) {
        self.voicemail_call_ended(id);
        self.forwarding_call_ended(id);
        self.conference_call_ended(id);
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.phase = Phase::Ended;
        call.ring_deadline = None;
        let draft = call.record.clone();
        let relay = call.relay.take();
        let call_id = call.a.call_id.clone();
        let pending = call.branches_pending();
        let rang = call.rang;
        let lines = std::mem::take(&mut call.lines);
        let record = self.finish_record(&call_id, draft, hangup_by, reason);
        for trunk in lines {
            self.trunks.release_line(trunk);
        }
        // Line counts are live on the dashboard, whatever ended the call.
        self.drain_trunk_events();
        if let Some(ports) = relay {
            self.actions.push_back(Action::RelayClose { id: ports.id });
        }
        // The live views heard of the call only if it rang.
        if rang {
            self.actions.push_back(Action::Event(PbxEvent::CallEnded {
                call_id,
                outcome: record.outcome,
            }));
        }
        self.actions.push_back(Action::CallRecord(record));
        if !pending {
            self.forget_call(id);
        }
    }

    /// A call that is over for the caller is forgotten once no fork can answer any more;
    /// until then it stays so a late 2xx is still ACKed and sent BYE.
    pub(crate) fn forget_if_settled(&mut self, id: CallId) {
        let settled = self
            .calls
            .get(&id)
            .is_some_and(|c| c.phase == Phase::Ended && !c.branches_pending());
        if settled {
            self.forget_call(id);
        }
    }

    /// Drops the call and every index entry pointing at it.
    pub(crate) fn forget_call(&mut self, id: CallId) {
        if let Some(call) = self.calls.remove(&id) {
            for b in &call.branches {
                self.by_client.remove(&b.key);
            }
            for f in &call.forwarded {
                self.by_client.remove(&f.client);
            }
            self.by_server.remove(&call.index.server);
            for trunk in &call.lines {
                self.trunks.release_line(*trunk);
            }
            self.by_dialog.remove(&call.index.a_dialog);
            self.by_dialog.remove(&call.index.b_dialog);
        }
        // Every test run checks that the call's own keys were all there was to remove.
        debug_assert!(self.by_server.values().all(|c| *c != id));
        debug_assert!(self.by_dialog.values().all(|(c, _)| *c != id));
    }

    pub(crate) fn finish_record(
        &self,
        call_id: &str,
        draft: Draft,
        hangup_by: Option<HangupBy>,
        reason: &str,
    ) -> CallRecord {
        CallRecord {
            call_id: call_id.to_owned(),
            caller_number: draft.caller_number,
            caller_name: draft.caller_name,
            callee: draft.callee,
            answered_by: draft.answered_by,
            started_at: draft.started_at,
            answered_at: draft.answered_at,
            ended_at: self.unix_now,
            outcome: draft.outcome.unwrap_or(Outcome::Failed),
            hangup_by,
            reason: reason.to_owned(),
            business_name: draft.business_name,
            trunk: draft.trunk,
            direction: draft.direction,
            lines_busy: draft.lines_busy,
        }
    }
}
