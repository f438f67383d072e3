//! Responses on the forks of an INVITE: ringing goes back to the caller, the first 2xx
//! wins and the rest are cancelled, and when every fork fails the caller gets the best
//! failure (RFC 3261 §16.7 step 6, applied by a B2BUA).

use std::time::Instant;

use sip::transaction::ClientKey;
use sip::{Method, Response};

use super::anchor::reanchor;
use super::setup::response_to_caller;
use super::transcoding::answer_for_caller;
use super::{BranchState, CallId, Leg, PendingAck, Phase};
use crate::action::{Action, Outcome, PbxEvent};
use crate::core::{ClientOwner, Pbx};
use crate::Side;

impl Pbx {
    pub(crate) fn branch_response(
        &mut self,
        now: Instant,
        id: CallId,
        key: ClientKey,
        response: Response,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(idx) = call.branch_index(key) else {
            return;
        };
        match response.status {
            100 => {}
            101..=199 => {
                if call.branches[idx].state == BranchState::Calling {
                    call.branches[idx].state = BranchState::Proceeding;
                }
                if call.phase == Phase::Ringing {
                    self.forward_ringing(now, id, &response);
                }
            }
            200..=299 => {
                if self.plain_answer_where_srtp_required(id, idx, &response) {
                    self.hang_up_plain_answer(now, id, idx, key, &response)
                } else {
                    self.branch_answered(now, id, idx, key, response)
                }
            }
            _ => {
                // A fork we cancelled (the caller gave up, another fork answered, or its
                // ring step rang out) says nothing about the callee.
                let cancelled = call.branches[idx].state == BranchState::Cancelling;
                call.branches[idx].state = BranchState::Failed(response.status);
                self.by_client.remove(&key);
                if !cancelled && self.retry_fork_without_srtp(now, id, idx, response.status) {
                    return; // the same phone rings again, offered plain RTP
                }
                if !cancelled && self.trunk_fork_failed(now, id, idx, &response) {
                    return; // challenge answered, or the next trunk is ringing
                }
                let Some(call) = self.calls.get_mut(&id) else {
                    return;
                };
                let better = call
                    .best_failure
                    .as_ref()
                    .is_none_or(|best| failure_rank(response.status) < failure_rank(best.status));
                if better && !cancelled {
                    call.best_failure = Some(response);
                }
                if call.all_branches_failed() {
                    self.all_branches_failed(now, id);
                } else {
                    // A cancelled fork confirming after the call ended was the last
                    // thing the call waited for.
                    self.forget_if_settled(id);
                }
            }
        }
    }

    /// 180/183 to the caller. Early media (183 with SDP) is anchored like the answer.
    fn forward_ringing(&mut self, now: Instant, id: CallId, response: &Response) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(a_key) = call.a_invite else {
            return;
        };
        let status = if response.status == 183 { 183 } else { 180 };
        let reason = if status == 183 {
            "Session Progress"
        } else {
            "Ringing"
        };
        let early_media = reanchor(
            &mut self.actions,
            call.relay,
            call.trunk_media.as_ref(),
            Side::B,
            response.content_type(),
            &response.body,
        );
        let early_media = answer_for_caller(&mut self.actions, call, early_media);
        let ringing = match early_media {
            Some((content_type, body)) => {
                let mut r = response_to_caller(call, status, reason);
                r.headers.push("Content-Type", content_type);
                r.body = body;
                r
            }
            // Progress without media says nothing a caller would notice beyond ringing.
            None => response_to_caller(call, 180, "Ringing"),
        };
        self.send_response(now, &a_key, ringing);
    }

    fn branch_answered(
        &mut self,
        now: Instant,
        id: CallId,
        idx: usize,
        key: ClientKey,
        response: Response,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let branch = &call.branches[idx];
        let leg = callee_leg(branch, &response);
        let ack = leg.request_with_cseq(Method::Ack, leg.local_cseq);
        let target = branch.target;
        let is_winner = call.winner == Some(idx)
            && call.b.as_ref().and_then(|b| b.remote_tag.as_deref()) == leg.remote_tag.as_deref();
        // RFC 3261 §13.2.1: without an offer in the INVITE, the 2xx carries the offer
        // and the ACK must carry the caller's answer, so the winner's ACK waits for the
        // caller's (see `in_dialog_ack`).
        let ack_waits = if is_winner {
            call.pending_ack.as_ref().is_some_and(|p| p.invite == key)
        } else {
            call.phase == Phase::Ringing && branch.invite.body.is_empty()
        };
        if !ack_waits {
            if let Err(e) = self.endpoint.send_ack(now, &key, ack, target) {
                tracing::debug!(error = %e, "ACK not sent");
            }
        }
        if is_winner {
            return; // a retransmitted 2xx of the answered fork, ACKed (or held) above
        }
        if call.phase != Phase::Ringing {
            // Another fork answered too, or the caller already gave up: hang that one up.
            if call.winner != Some(idx) {
                call.branches[idx].state = BranchState::Released;
            }
            let mut leg = leg;
            let bye = leg.request(Method::Bye);
            self.send_fire(now, bye, target);
            self.forget_if_settled(id);
            return;
        }
        if ack_waits {
            call.pending_ack = Some(PendingAck {
                invite: key,
                from: Side::A,
                seq: leg.local_cseq,
            });
        }
        call.branches[idx].state = BranchState::Answered;
        call.winner = Some(idx);
        call.phase = Phase::Answered;
        call.ring_deadline = None;
        call.record.answered_at = Some(self.unix_now);
        call.record.answered_by = Some(call.branches[idx].callee.clone());
        let b_key = (leg.call_id.clone(), leg.local_tag.clone());
        call.b = Some(leg);
        // Cancel the other forks (RFC 3261 §16.7 step 10, as a B2BUA).
        let others: Vec<ClientKey> = call
            .branches
            .iter_mut()
            .enumerate()
            .filter(|(i, b)| {
                *i != idx && matches!(b.state, BranchState::Calling | BranchState::Proceeding)
            })
            .map(|(_, b)| {
                b.state = BranchState::Cancelling;
                b.key
            })
            .collect();
        let mut ok = response_to_caller(call, 200, "OK");
        let answer = reanchor(
            &mut self.actions,
            call.relay,
            call.trunk_media.as_ref(),
            Side::B,
            response.content_type(),
            &response.body,
        );
        if let Some((content_type, body)) = answer_for_caller(&mut self.actions, call, answer) {
            ok.headers.push("Content-Type", content_type);
            ok.body = body;
        }
        let a_key = call.a_invite.take();
        let call_id = call.a.call_id.clone();
        let answered_by = call.branches[idx].callee.clone();
        self.by_dialog.insert(b_key, (id, Side::B));
        for other in others {
            self.cancel_branch(now, other);
        }
        if let Some(a_key) = a_key {
            self.send_response(now, &a_key, ok);
        }
        self.actions
            .push_back(Action::Event(PbxEvent::CallAnswered {
                call_id,
                answered_by,
            }));
        self.record_if_always(now, id);
    }

    /// A phone that must encrypt answered the PBX's SRTP offer with plain RTP (against
    /// RFC 3264 §6): the 2xx is ACKed (RFC 3261 §13.2.2.4) and the phone sent BYE, and
    /// the fork counts as refused (488).
    fn hang_up_plain_answer(
        &mut self,
        now: Instant,
        id: CallId,
        idx: usize,
        key: ClientKey,
        response: &Response,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(branch) = call.branches.get(idx) else {
            return;
        };
        let mut leg = callee_leg(branch, response);
        let ack = leg.request_with_cseq(Method::Ack, leg.local_cseq);
        let target = branch.target;
        let repeated = matches!(branch.state, BranchState::Failed(_));
        if let Err(e) = self.endpoint.send_ack(now, &key, ack, target) {
            tracing::debug!(error = %e, "ACK not sent");
        }
        if repeated {
            return; // a retransmitted 2xx, ACKed again above
        }
        tracing::info!(
            callee = %branch.callee,
            "phone answered plain RTP where SRTP is required: hung up"
        );
        call.branches[idx].state = BranchState::Failed(488);
        let bye = leg.request(Method::Bye);
        self.send_fire(now, bye, target);
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.phase == Phase::Ringing && call.all_branches_failed() {
            self.all_branches_failed(now, id);
        } else {
            self.forget_if_settled(id);
        }
    }

    /// CANCELs a fork. A device that never answers the CANCEL is given up on by the
    /// transaction layer after 64*T1 (RFC 3261 §9.1), which reports it as a timeout.
    pub(crate) fn cancel_branch(&mut self, now: Instant, key: ClientKey) {
        match self.endpoint.cancel(now, &key) {
            Ok(cancel) => {
                self.by_client.insert(cancel, ClientOwner::Fire);
            }
            Err(e) => tracing::debug!(error = %e, "CANCEL not sent"),
        }
    }

    /// Every fork so far failed: ring the next step (or final destination) if there is
    /// one, else the caller hears the best failure.
    fn all_branches_failed(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != Phase::Ringing {
            // The caller already has its answer; only bookkeeping was left (a call answered
            // by a pickup rather than a fork goes on).
            self.forget_if_settled(id);
            return;
        }
        if call.onward.has_more_ringing() {
            call.ring_deadline = None;
            return self.ring_next(now, id);
        }
        self.nothing_answered(now, id);
    }
}

/// The dialog with the device whose 2xx this is (RFC 3261 §12.1.2).
fn callee_leg(branch: &super::Branch, response: &Response) -> Leg {
    let invite = &branch.invite;
    let strip = |v: Option<&str>| {
        v.and_then(|v| v.parse::<sip::NameAddr>().ok())
            .map(|mut n| {
                n.params.remove("tag");
                n.to_string()
            })
            .unwrap_or_default()
    };
    let from = invite.from();
    let remote_target = response
        .contacts()
        .and_then(|c| c.addrs().first().map(|a| a.uri.clone()))
        .unwrap_or_else(|| invite.uri.clone());
    // §12.1.2: the UAC's route set is the Record-Route list reversed.
    let mut route_set: Vec<String> = response
        .record_routes()
        .iter()
        .map(ToString::to_string)
        .collect();
    route_set.reverse();
    Leg {
        call_id: invite.call_id().unwrap_or_default().to_owned(),
        local_tag: from
            .as_ref()
            .and_then(|f| f.tag().map(str::to_owned))
            .unwrap_or_default(),
        remote_tag: response.to().and_then(|t| t.tag().map(str::to_owned)),
        local_uri: strip(invite.headers.get("From")),
        remote_uri: strip(invite.headers.get("To")),
        remote_target,
        route_set,
        local_cseq: invite.cseq().map_or(1, |c| c.seq),
        peer: branch.target,
        contact: invite.headers.get("Contact").unwrap_or_default().to_owned(),
    }
}

/// Lower is better when choosing which failure the caller hears (§16.7 step 6: 6xx
/// first, then the most telling 4xx; local timeouts last).
fn failure_rank(status: u16) -> u16 {
    match status {
        600..=699 => 0,
        486 => 1,
        487 => 900,
        408 | 503 => 800,
        s => s,
    }
}

/// What the caller is told, and how the history reads it.
pub(crate) fn caller_failure(status: u16) -> (u16, &'static str, Outcome) {
    match status {
        486 | 600 => (486, "Busy Here", Outcome::Busy),
        603 => (603, "Decline", Outcome::Busy),
        487 => (487, "Request Terminated", Outcome::Cancelled),
        404 | 410 | 484 => (404, "Not Found", Outcome::NotFound),
        408 | 480 | 503 => (480, "Temporarily Unavailable", Outcome::Unavailable),
        _ => (480, "Temporarily Unavailable", Outcome::Failed),
    }
}
