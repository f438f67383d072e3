//! Where a call goes, and what is left to try: ring steps (an extension, or a ring group
//! all at once or member by member) followed by the group's final destination, or, for a
//! call out, the trunks of its routes in failover order.

use std::collections::VecDeque;

use crate::action::Outcome;
use crate::core::Pbx;
use crate::dialplan::{Destination, RingStep, Terminal, TrunkId};

/// How many destinations one call may pass through (a final destination naming another
/// group, and so on). Validation refuses cycles; this stops a plan that skipped it.
const MAX_HOPS: u8 = 8;

/// What a ringing call may still try once the forks ringing now give up.
#[derive(Debug)]
pub(crate) enum Onward {
    /// Ring steps still to come, then the final destination.
    Ring {
        steps: VecDeque<RingStep>,
        final_destination: Option<Destination>,
        /// Destinations followed so far (see [`MAX_HOPS`]).
        hops: u8,
    },
    /// An outbound call: trunks still to try, each with the number it sends.
    Trunks {
        targets: VecDeque<(TrunkId, String)>,
        /// The trunk ringing now.
        current: Option<TrunkAttempt>,
    },
}

/// One trunk being tried for an outbound call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrunkAttempt {
    pub trunk: TrunkId,
    /// Credentials were sent once; a second challenge means they are wrong.
    pub authenticated: bool,
}

impl Onward {
    /// Ringing `steps`, then `final_destination`.
    pub fn ring(steps: Vec<RingStep>, final_destination: Option<Destination>) -> Onward {
        Onward::Ring {
            steps: steps.into(),
            final_destination,
            hops: 0,
        }
    }

    /// Whether a ring step or a final destination is still to come.
    pub fn has_more_ringing(&self) -> bool {
        match self {
            Onward::Ring {
                steps,
                final_destination,
                ..
            } => !steps.is_empty() || final_destination.is_some(),
            Onward::Trunks { .. } => false,
        }
    }
}

/// A call that cannot ring anywhere: what the caller hears and the history says.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub status: u16,
    pub reason: &'static str,
    pub outcome: Outcome,
    /// The record's reason.
    pub detail: String,
    /// A voicemail destination: the mailbox to answer the call with instead.
    pub voicemail: Option<String>,
    /// A conference room destination: the room to answer the call with instead.
    pub conference: Option<String>,
}

impl Refusal {
    pub fn new(status: u16, reason: &'static str, outcome: Outcome, detail: &str) -> Refusal {
        Refusal {
            status,
            reason,
            outcome,
            detail: detail.to_owned(),
            voicemail: None,
            conference: None,
        }
    }

    /// Nothing left to ring: the destination is unreachable for now.
    pub fn unavailable(detail: &str) -> Refusal {
        Refusal::new(480, "Temporarily Unavailable", Outcome::Unavailable, detail)
    }
}

/// Where a destination leads.
#[derive(Debug)]
pub(crate) enum Target {
    Ring {
        steps: Vec<RingStep>,
        final_destination: Option<Destination>,
    },
    Refuse(Refusal),
}

impl Pbx {
    /// Follows `dest` (business hours at the current wall-clock time) to what rings.
    /// `caller` is the calling extension, left out of a group's steps so a member
    /// calling the group does not ring themselves.
    pub(crate) fn target_of(&self, dest: &Destination, caller: Option<&str>) -> Target {
        let unix = i64::try_from(self.unix_now).unwrap_or(i64::MAX);
        match self.plan.resolve(dest, unix) {
            // The extension's do-not-disturb and forwarding decide what rings.
            Some(Terminal::Extension(number)) => self.extension_target(&number, caller),
            Some(Terminal::RingGroup(number)) => {
                let Some(group) = self.plan.ring_group(&number) else {
                    return Target::Refuse(Refusal::new(
                        404,
                        "Not Found",
                        Outcome::NotFound,
                        "the ring group does not exist",
                    ));
                };
                let steps = self
                    .plan
                    .ring_steps(&number)
                    .into_iter()
                    .filter_map(|mut step| {
                        step.extensions.retain(|e| Some(e.as_str()) != caller);
                        (!step.extensions.is_empty()).then_some(step)
                    })
                    .collect();
                Target::Ring {
                    steps,
                    final_destination: group.final_destination.clone(),
                }
            }
            // Answered by the room once the call is set up (`conference_instead`).
            Some(Terminal::Conference(number)) if self.is_conference_room(&number) => {
                Target::Refuse(Refusal {
                    conference: Some(number),
                    ..Refusal::unavailable("conference")
                })
            }
            Some(Terminal::Conference(_)) => Target::Refuse(Refusal::new(
                404,
                "Not Found",
                Outcome::NotFound,
                "no such conference room",
            )),
            // Answered by the PBX once the call is set up (`voicemail_instead`); refused
            // when the number has no enabled mailbox.
            Some(Terminal::Voicemail(number)) if self.has_mailbox(&number) => {
                Target::Refuse(Refusal {
                    voicemail: Some(number),
                    ..Refusal::unavailable("voicemail")
                })
            }
            Some(Terminal::Voicemail(_)) => {
                Target::Refuse(Refusal::unavailable("the number has no mailbox"))
            }
            // The owner chose to refuse these calls (e.g. outside business hours).
            Some(Terminal::Hangup) => Target::Refuse(Refusal::new(
                603,
                "Decline",
                Outcome::Unavailable,
                "603 Decline: the destination hangs up",
            )),
            None => Target::Refuse(Refusal::unavailable(
                "the destination's business hours loop or are missing",
            )),
        }
    }

    /// Takes the final destination of a call whose ring steps are done: new steps to
    /// ring, or a refusal. `None` when there is no final destination.
    pub(crate) fn follow_final(&mut self, id: crate::call::CallId) -> Option<Result<(), Refusal>> {
        let call = self.calls.get_mut(&id)?;
        let Onward::Ring {
            final_destination,
            hops,
            ..
        } = &mut call.onward
        else {
            return None;
        };
        let dest = final_destination.take()?;
        *hops += 1;
        if *hops > MAX_HOPS {
            return Some(Err(Refusal::unavailable(
                "the ring groups' final destinations go round in a circle",
            )));
        }
        let hops = *hops;
        let caller = call.caller_extension.clone();
        // An extension forwarding to an outside number: the call may leave by the trunks.
        if self.final_forward_out(id, &dest) {
            return Some(Ok(()));
        }
        match self.target_of(&dest, caller.as_deref()) {
            Target::Refuse(refusal) => Some(Err(refusal)),
            Target::Ring {
                steps,
                final_destination,
            } => {
                if let Some(call) = self.calls.get_mut(&id) {
                    call.onward = Onward::Ring {
                        steps: steps.into(),
                        final_destination,
                        hops,
                    };
                }
                Some(Ok(()))
            }
        }
    }
}
