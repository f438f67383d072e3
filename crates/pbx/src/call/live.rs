//! What the admin screens see of calls in progress, and hanging one up from there.

use std::time::Instant;

use super::Phase;
use crate::action::{Direction, HangupBy, Outcome};
use crate::core::Pbx;

/// Where a live call stands, for the Calls page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    Ringing,
    Answered,
}

/// A call in progress, as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCall {
    /// The caller's Call-ID: names the call in events and in the history.
    pub call_id: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    pub callee: String,
    pub answered_by: Option<String>,
    pub state: LiveState,
    /// Unix seconds.
    pub started_at: u64,
    pub answered_at: Option<u64>,
    /// The business name dialled (`sales.acme`), for calls from a trunk.
    pub business_name: Option<String>,
    /// The trunk's name, for calls in or out by a trunk.
    pub trunk: Option<String>,
    pub direction: Direction,
}

impl Pbx {
    /// Calls ringing or answered, oldest first.
    pub fn live_calls(&self) -> Vec<LiveCall> {
        let mut calls: Vec<LiveCall> = self
            .calls
            .values()
            .filter_map(|call| {
                let state = match call.phase {
                    Phase::Ringing => LiveState::Ringing,
                    Phase::Answered => LiveState::Answered,
                    Phase::Ended => return None,
                };
                Some(LiveCall {
                    call_id: call.a.call_id.clone(),
                    caller_number: call.record.caller_number.clone(),
                    caller_name: call.record.caller_name.clone(),
                    callee: call.record.callee.clone(),
                    answered_by: call.record.answered_by.clone(),
                    state,
                    started_at: call.record.started_at,
                    answered_at: call.record.answered_at,
                    business_name: call.record.business_name.clone(),
                    trunk: call.record.trunk.clone(),
                    direction: call.record.direction,
                })
            })
            .collect();
        calls.sort_by(|a, b| {
            a.started_at
                .cmp(&b.started_at)
                .then(a.call_id.cmp(&b.call_id))
        });
        calls
    }

    /// Ends a live call on the owner's request: an answered call gets BYE on both legs,
    /// a ringing one stops ringing and the caller hears 480. Returns whether a call with
    /// that Call-ID was live.
    pub fn hang_up(&mut self, now: Instant, unix_now: u64, call_id: &str) -> bool {
        self.unix_now = unix_now;
        let Some((id, phase)) = self
            .calls
            .values()
            .find(|c| c.a.call_id == call_id && c.phase != Phase::Ended)
            .map(|c| (c.id, c.phase))
        else {
            return false;
        };
        match phase {
            Phase::Answered => self.end_answered(now, id, None, HangupBy::System),
            Phase::Ringing => {
                self.stop_ringing(now, id, Outcome::Cancelled, "hung up by the owner")
            }
            Phase::Ended => return false,
        }
        true
    }
}
