//! Do-not-disturb and call forwarding per extension, applied where a call is about to
//! ring an extension.
//!
//! - Do-not-disturb: the caller hears busy (486), or the extension's voicemail takes the
//!   call when its mailbox is on. A ring group skips a member in do-not-disturb.
//! - Forward always, and forward on busy while the extension is in a call: the call goes
//!   to the target instead (an extension, whose own settings are followed in turn, a ring
//!   group, or an outside number through the outbound routes with the forwarding
//!   extension's permission to call out; for a provider's call, on a second line).
//! - Forward on no answer: the extension rings for its own ring time, then the call goes
//!   to the target.
//!
//! Forwarding applies to calls for the extension itself; ringing it as a member of a ring
//! group is the group's business (only do-not-disturb counts there).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::route::{Refusal, Target};
use super::{CallId, Onward, Phase};
use crate::action::Outcome;
use crate::core::Pbx;
use crate::dialplan::{Destination, RingStep};

/// How many forwards one call follows (201 → 202 → 203 …) before ringing where it is;
/// a longer chain is almost always a loop.
const MAX_FORWARDS: usize = 5;

/// Ring time before an unanswered call is forwarded, when none was set.
const DEFAULT_NO_ANSWER: Duration = Duration::from_secs(20);
/// The shortest ring time honoured: a phone needs a moment to be answered at all.
const MIN_NO_ANSWER: Duration = Duration::from_secs(5);

/// One extension's do-not-disturb and forwarding, as the runtime loads it from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarding {
    pub dnd: bool,
    pub always: Option<String>,
    pub busy: Option<String>,
    pub no_answer: Option<String>,
    /// How long the extension rings before `no_answer` takes the call.
    pub no_answer_after: Duration,
}

impl Default for Forwarding {
    fn default() -> Self {
        Forwarding {
            dnd: false,
            always: None,
            busy: None,
            no_answer: None,
            no_answer_after: DEFAULT_NO_ANSWER,
        }
    }
}

/// Every extension's settings, and the calls waiting to be forwarded out on no answer.
#[derive(Debug, Default)]
pub(crate) struct ForwardingState {
    by_number: HashMap<String, Forwarding>,
    /// Calls ringing an extension that forwards unanswered calls to an outside number:
    /// (the forwarding extension, the number).
    out_on_no_answer: HashMap<CallId, (String, String)>,
    /// Feature-code calls playing their confirmation tone, hung up at their deadline.
    pub(super) confirming: std::collections::HashSet<CallId>,
    /// How often each call was forwarded on busy so far.
    pub(super) busy_hops: HashMap<CallId, u8>,
}

/// Where a call for an extension goes after its settings are applied.
pub(crate) enum Route {
    /// Ringing (possibly another extension or a group); `out_on_no_answer` is an outside
    /// number to send the call to once the extension rang out.
    Ring {
        target: Target,
        out_on_no_answer: Option<(String, String)>,
    },
    /// Forwarded to an outside number by `owner`.
    Out { owner: String, number: String },
}

impl Pbx {
    /// Replaces every extension's settings (at start and after a change in the store).
    pub fn set_forwarding(&mut self, settings: impl IntoIterator<Item = (String, Forwarding)>) {
        self.forwarding.by_number = settings.into_iter().collect();
    }

    /// One extension's settings (all off when never set).
    pub fn forwarding(&self, number: &str) -> Forwarding {
        self.forwarding
            .by_number
            .get(number)
            .cloned()
            .unwrap_or_default()
    }

    /// Changes one extension's settings in memory (a feature code dialled from its phone).
    pub(crate) fn update_forwarding(&mut self, number: &str, settings: Forwarding) {
        self.forwarding
            .by_number
            .insert(number.to_owned(), settings);
    }

    /// Whether `number` is in do-not-disturb: a ring group skips it.
    pub(crate) fn in_dnd(&self, number: &str) -> bool {
        self.forwarding.by_number.get(number).is_some_and(|f| f.dnd)
    }

    /// Whether `number` is talking on an answered call, as caller or callee.
    fn is_busy(&self, number: &str) -> bool {
        self.calls.values().any(|c| {
            c.phase == Phase::Answered
                && (c.caller_extension.as_deref() == Some(number)
                    || c.record.answered_by.as_deref() == Some(number))
        })
    }

    /// What ringing extension `number` means for a call from `caller` (an extension, or
    /// `None` for a call from a trunk). Forwards to outside numbers are followed only when
    /// the caller's side can send the call out (`outside_ok`); otherwise the extension
    /// rings as if not forwarded.
    pub(crate) fn extension_route(
        &self,
        number: &str,
        caller: Option<&str>,
        outside_ok: bool,
    ) -> Route {
        let mut number = number.to_owned();
        let mut seen = vec![number.clone()];
        for _ in 0..MAX_FORWARDS {
            let settings = self.forwarding(&number);
            if settings.dnd {
                return Route::Ring {
                    target: Target::Refuse(self.dnd_refusal(&number)),
                    out_on_no_answer: None,
                };
            }
            let unconditional = settings
                .always
                .clone()
                .or_else(|| settings.busy.clone().filter(|_| self.is_busy(&number)));
            // A forward back to the caller, or round in a circle, rings where it is.
            let Some(next) =
                unconditional.filter(|t| Some(t.as_str()) != caller && !seen.contains(t))
            else {
                return self.ring_extension(&number, &settings, caller, outside_ok);
            };
            if self.registrar.directory().contains(&next) {
                seen.push(next.clone());
                number = next;
                continue;
            }
            if self.plan.ring_group(&next).is_some() {
                return Route::Ring {
                    target: self.target_of(&Destination::RingGroup(next), caller),
                    out_on_no_answer: None,
                };
            }
            if outside_ok {
                return Route::Out {
                    owner: number,
                    number: next,
                };
            }
            return self.ring_extension(&number, &settings, caller, outside_ok);
        }
        let settings = self.forwarding(&number);
        self.ring_extension(&number, &settings, caller, outside_ok)
    }

    /// Rings `number` itself, for its no-answer time when it forwards unanswered calls.
    fn ring_extension(
        &self,
        number: &str,
        settings: &Forwarding,
        caller: Option<&str>,
        outside_ok: bool,
    ) -> Route {
        let plain = |ring: Duration| Target::Ring {
            steps: vec![RingStep {
                extensions: vec![number.to_owned()],
                ring,
            }],
            final_destination: None,
        };
        let Some(target) = settings
            .no_answer
            .clone()
            .filter(|t| Some(t.as_str()) != caller && t != number)
        else {
            return Route::Ring {
                target: plain(self.config.ring_timeout),
                out_on_no_answer: None,
            };
        };
        let ring = settings.no_answer_after.max(MIN_NO_ANSWER);
        let final_destination = if self.registrar.directory().contains(&target) {
            Destination::Extension(target)
        } else if self.plan.ring_group(&target).is_some() {
            Destination::RingGroup(target)
        } else if outside_ok {
            return Route::Ring {
                target: plain(ring),
                out_on_no_answer: Some((number.to_owned(), target)),
            };
        } else {
            return Route::Ring {
                target: plain(self.config.ring_timeout),
                out_on_no_answer: None,
            };
        };
        Route::Ring {
            target: Target::Ring {
                steps: vec![RingStep {
                    extensions: vec![number.to_owned()],
                    ring,
                }],
                final_destination: Some(final_destination),
            },
            out_on_no_answer: None,
        }
    }

    /// Do-not-disturb: busy, or the extension's voicemail when its mailbox is on.
    fn dnd_refusal(&self, number: &str) -> Refusal {
        Refusal {
            voicemail: self.has_mailbox(number).then(|| number.to_owned()),
            ..Refusal::new(486, "Busy Here", Outcome::Busy, "do not disturb")
        }
    }

    /// The route of an extension a call from an extension dials, as the call's plan:
    /// what rings (or a refusal), and an outside number for later, if any.
    pub(crate) fn extension_onward(
        &self,
        callee: &str,
        caller: &str,
    ) -> Result<(Onward, Option<(String, String)>), Refusal> {
        match self.extension_route(callee, Some(caller), true) {
            // A forward that cannot go out (no route, no permission) rings the extension
            // as if it were not set, rather than failing the caller's call.
            Route::Out { owner, number } => match self.outbound_onward(&owner, &number) {
                Ok(onward) => Ok((onward, None)),
                Err(refusal) => {
                    tracing::info!(reason = %refusal.detail, "forward to an outside number not possible");
                    let steps = vec![RingStep {
                        extensions: vec![owner],
                        ring: self.config.ring_timeout,
                    }];
                    Ok((Onward::ring(steps, None), None))
                }
            },
            Route::Ring {
                target:
                    Target::Ring {
                        steps,
                        final_destination,
                    },
                out_on_no_answer,
            } => Ok((Onward::ring(steps, final_destination), out_on_no_answer)),
            // A mailbox takes the call: ringing nothing, it is the final destination.
            Route::Ring {
                target:
                    Target::Refuse(Refusal {
                        voicemail: Some(mailbox),
                        ..
                    }),
                ..
            } => Ok((
                Onward::ring(Vec::new(), Some(Destination::Voicemail(mailbox))),
                None,
            )),
            Route::Ring {
                target: Target::Refuse(refusal),
                ..
            } => Err(refusal),
        }
    }

    /// Remembers that call `id` goes out to a number when its extension rings out.
    pub(crate) fn forward_out_later(&mut self, id: CallId, forward: (String, String)) {
        self.forwarding.out_on_no_answer.insert(id, forward);
    }

    /// The extension of call `id` rang out and forwards unanswered calls to an outside
    /// number: the call leaves through the outbound routes instead of ending. False when
    /// the call has no such forward (or it cannot go out: the caller then hears why).
    pub(crate) fn forward_out_on_no_answer(&mut self, now: Instant, id: CallId) -> bool {
        let Some((owner, number)) = self.forwarding.out_on_no_answer.remove(&id) else {
            return false;
        };
        let ringing = self
            .calls
            .get(&id)
            .is_some_and(|c| c.phase == Phase::Ringing && !c.onward.has_more_ringing());
        if !ringing {
            return false;
        }
        let onward = match self.outbound_onward(&owner, &number) {
            Ok(onward) => onward,
            Err(refusal) => {
                tracing::info!(reason = %refusal.detail, "forward on no answer not possible");
                return false;
            }
        };
        if let Some(call) = self.calls.get_mut(&id) {
            call.ring_deadline = None;
            call.rang_out = true;
            call.onward = onward;
        }
        self.cancel_all_branches(now, id);
        self.start_trunks(now, id);
        true
    }

    /// A call is over: nothing is left to forward.
    pub(crate) fn forwarding_call_ended(&mut self, id: CallId) {
        self.forwarding.out_on_no_answer.remove(&id);
        self.forwarding.busy_hops.remove(&id);
    }
}

impl Pbx {
    /// What rings for a call reaching extension `number` through the dial plan (a ring
    /// group's final destination, a business name before [`Pbx::outside_forward`] had its
    /// say): its settings, except forwards to outside numbers, which ring the extension as
    /// usual.
    pub(crate) fn extension_target(&self, number: &str, caller: Option<&str>) -> Target {
        match self.extension_route(number, caller, false) {
            Route::Ring { target, .. } => target,
            Route::Out { .. } => Target::Ring {
                steps: vec![RingStep {
                    extensions: vec![number.to_owned()],
                    ring: self.config.ring_timeout,
                }],
                final_destination: None,
            },
        }
    }
}

/// A provider's call for an extension that forwards to an outside number.
pub(crate) enum OutsideForward {
    /// Out at once (forward always, or on busy while on a call).
    Now(Onward),
    /// Ring the extension first; on no answer, out to (forwarding extension, number).
    Later(Onward, (String, String)),
}

impl Pbx {
    /// Where a provider's call to `destination` goes when that is an extension forwarding
    /// to an outside number (it leaves by the outbound routes, with the extension's
    /// permission, on a line of its own). `None`: the usual routing applies.
    pub(crate) fn outside_forward(&self, destination: &Destination) -> Option<OutsideForward> {
        let unix = i64::try_from(self.unix_now).unwrap_or(i64::MAX);
        let Some(crate::dialplan::Terminal::Extension(number)) =
            self.plan.resolve(destination, unix)
        else {
            return None;
        };
        match self.extension_route(&number, None, true) {
            Route::Out { owner, number } => self
                .outbound_onward(&owner, &number)
                .ok()
                .map(OutsideForward::Now),
            Route::Ring {
                target:
                    Target::Ring {
                        steps,
                        final_destination,
                    },
                out_on_no_answer: Some(forward),
            } => Some(OutsideForward::Later(
                Onward::ring(steps, final_destination),
                forward,
            )),
            Route::Ring { .. } => None,
        }
    }
}

impl Pbx {
    /// Call `id` reaches `destination` as a ring group's final destination: when that is
    /// an extension forwarding to an outside number, the call's plan becomes the trunks
    /// (forward always or busy) or ringing the extension first (no answer). False when the
    /// usual routing applies.
    pub(crate) fn final_forward_out(&mut self, id: CallId, destination: &Destination) -> bool {
        let onward = match self.outside_forward(destination) {
            None => return false,
            Some(OutsideForward::Now(onward)) => onward,
            Some(OutsideForward::Later(onward, forward)) => {
                self.forward_out_later(id, forward);
                onward
            }
        };
        if let Some(call) = self.calls.get_mut(&id) {
            call.onward = onward;
        }
        true
    }
}
