//! Call park: a party in a call presses `*70` (or transfers the call to `*70`); the other
//! party waits in the first free slot (see [`PARK_SLOTS`]) hearing music, the parker
//! hears "your call is parked at star seven one" and is released, and anyone dials the
//! slot to take the call (`park_retrieve`). A call nobody takes within
//! [`RING_BACK_AFTER`] rings the parker again.
//!
//! The parked call keeps its dialog with the waiting party and its relay: the call is
//! turned, in place, so the waiting party is its caller ("A", like the remaining party of
//! a blind transfer) and it has no callee until someone retrieves it. The parker stays on
//! the relay's other socket while the announcement plays, then gets a BYE. Whoever
//! retrieves the call is answered with the waiting party's media on that socket, exactly
//! as a picked-up call is (see `pickup`), and the waiting party is never re-INVITEd: the
//! answer carries the codec it already sends.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use media::wav_prompts::Prompt;
use sip::transaction::ServerKey;
use sip::{Method, Request};

use super::transfer_blind::party_extension;
use super::{CallId, Draft, Leg, Phase};
use crate::action::{Action, Direction, HangupBy, MediaSource, Outcome, PbxEvent, Side};
use crate::core::Pbx;
use crate::feature_codes::PARK_SLOTS;
use crate::media_relay::RelayPorts;

/// How long a call waits in its slot before it rings whoever parked it.
pub(crate) const RING_BACK_AFTER: Duration = Duration::from_secs(180);

/// Time left after the announcement before the parker is released, so the last word is
/// not cut by the phone's jitter buffer.
const AFTER_ANNOUNCEMENT: Duration = Duration::from_millis(700);

/// Parked calls by slot, and parkers still hearing their slot.
#[derive(Debug, Default)]
pub(crate) struct ParkState {
    pub(super) slots: BTreeMap<String, Parked>,
    pub(super) announcing: Vec<Announcing>,
}

#[derive(Debug)]
pub(super) struct Parked {
    pub(super) call: CallId,
    /// The extension that parked it, rung when nobody takes the call.
    pub(super) parker: String,
    ring_back_at: Instant,
}

/// A parker hearing "your call is parked at …", released at `until`.
#[derive(Debug)]
pub(super) struct Announcing {
    pub(super) call: CallId,
    pub(super) leg: Leg,
    /// The parker parked by REFER and waits for its final NOTIFY (RFC 3515 §2.4.7).
    subscribe: bool,
    until: Instant,
}

impl ParkState {
    pub(super) fn deadline(&self) -> Option<Instant> {
        let ring_back = self.slots.values().map(|p| p.ring_back_at).min();
        let released = self.announcing.iter().map(|a| a.until).min();
        ring_back.into_iter().chain(released).min()
    }

    fn free_slot(&self) -> Option<String> {
        slot_codes().find(|s| !self.slots.contains_key(s))
    }

    pub(super) fn slot_of(&self, id: CallId) -> Option<String> {
        self.slots
            .iter()
            .find(|(_, p)| p.call == id)
            .map(|(s, _)| s.clone())
    }
}

/// The slots in the order calls take them.
fn slot_codes() -> impl Iterator<Item = String> {
    PARK_SLOTS.iter().map(|s| (*s).to_owned())
}

impl Pbx {
    /// The party on `parker_side` of call `id` parks the other one (`*70` pressed, or
    /// `##*70`).
    pub(super) fn park(&mut self, now: Instant, id: CallId, parker_side: Side) {
        self.park_call(now, id, parker_side, false);
    }

    /// [`Pbx::park`]; with `subscribe`, the parker asked by a REFER to `*70` and gets its
    /// final NOTIFY (RFC 3515 §2.4.7) when released.
    pub(super) fn park_call(
        &mut self,
        now: Instant,
        id: CallId,
        parker_side: Side,
        subscribe: bool,
    ) {
        let w_side = parker_side.other();
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.phase != Phase::Answered || call.b.is_none() {
            return;
        }
        let Some(parker) = party_extension(call, parker_side) else {
            return;
        };
        // Formats are read while both parties are still in the call.
        let waiting_format = self.listen_format(id, w_side);
        // A party the parker held sends nothing until asked again (as for a blind
        // transfer): it is offered its own media back, two-way, from its relay socket.
        let w_resume = !self.sends_and_receives(id, w_side);
        let w_offer = self.party_sdp(id, w_side);
        let parker_format = self.listen_format(id, parker_side);
        self.forget_empty_slots();
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let Some(slot) = self.features.park.free_slot() else {
            tracing::info!(call = id, "every park slot is taken; the call goes on");
            if let (Some(relay), Some(format)) = (call.relay, parker_format) {
                self.actions.push_back(Action::Announce {
                    id: relay.id,
                    to: parker_side,
                    prompts: vec![Prompt::ParkAllBusy],
                    format,
                });
            }
            return;
        };
        let (w_number, w_name) = self.party(call, w_side);
        let w_extension = party_extension(call, w_side);
        let w_is_trunk = call.trunk_media.is_some() && w_extension.is_none();
        let mut old = call.record.clone();
        old.outcome = Some(Outcome::Answered);
        let old_call_id = call.a.call_id.clone();
        let by = if parker_side == Side::A {
            HangupBy::Caller
        } else {
            HangupBy::Callee
        };
        let record = self.finish_record(
            &old_call_id,
            old.clone(),
            Some(by),
            &format!("parked at {slot}"),
        );
        self.reset_hold(id);
        let unix_now = self.unix_now;

        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(b_leg) = call.b.take() else {
            return;
        };
        let parker_leg = if parker_side == Side::A {
            // The waiting party becomes the call's caller, keeping its relay socket.
            let leg = std::mem::replace(&mut call.a, b_leg);
            let a_key = std::mem::replace(&mut call.index.a_dialog, call.index.b_dialog.clone());
            call.index.b_dialog = a_key;
            call.relay = call.relay.map(|p| RelayPorts {
                id: p.id,
                a: p.b,
                b: p.a,
            });
            leg
        } else {
            b_leg
        };
        let swapped = call.relay.filter(|_| parker_side == Side::A).map(|p| p.id);
        let unanswered: Vec<_> = call.forwarded.drain(..).collect();
        let lines = if w_is_trunk {
            Vec::new()
        } else {
            call.trunk_media = None;
            std::mem::take(&mut call.lines)
        };
        call.a_invite = None;
        call.winner = None;
        call.pending_ack = None;
        call.caller_extension = w_extension;
        call.record = Draft {
            caller_number: w_number,
            caller_name: w_name,
            callee: slot.clone(),
            answered_by: None,
            started_at: unix_now,
            answered_at: None,
            outcome: None,
            business_name: old.business_name.filter(|_| w_is_trunk),
            trunk: old.trunk.filter(|_| w_is_trunk),
            direction: if w_is_trunk {
                old.direction
            } else {
                Direction::Internal
            },
            lines_busy: false,
        };
        // The live views hear when the parked call ends.
        call.rang = true;
        let relay = call.relay;
        let (w_key, p_key) = (call.index.a_dialog.clone(), call.index.b_dialog.clone());
        if let Some(relay) = swapped {
            self.swap_relay_sides(relay);
        }
        for f in unanswered {
            self.by_client.remove(&f.client);
            self.respond(now, &f.server, &f.request, 487, "Request Terminated");
        }
        for trunk in lines {
            self.trunks.release_line(trunk);
        }
        self.by_dialog.insert(w_key, (id, Side::A));
        self.by_dialog.insert(p_key, (id, Side::B));
        self.actions.push_back(Action::Event(PbxEvent::CallEnded {
            call_id: old_call_id,
            outcome: Outcome::Answered,
        }));
        self.actions.push_back(Action::CallRecord(record));

        let mut prompts = vec![Prompt::ParkParkedAt];
        prompts.extend(Prompt::digits(&slot));
        let mut until = now + AFTER_ANNOUNCEMENT;
        if let Some(relay) = relay {
            if let Some(format) = waiting_format {
                self.actions.push_back(Action::MediaPlay {
                    id: relay.id,
                    to: Side::A,
                    source: MediaSource::MusicOnHold,
                    format,
                });
            }
            if let Some(format) = parker_format {
                until += spoken_length(&prompts);
                self.actions.push_back(Action::Announce {
                    id: relay.id,
                    to: Side::B,
                    prompts,
                    format,
                });
            }
        }
        if let Some(offer) = w_offer.filter(|_| w_resume) {
            self.reinvite_party(now, id, Side::A, &offer, Vec::new(), false);
        }
        tracing::info!(call = id, %slot, "parked");
        self.features.park.slots.insert(
            slot,
            Parked {
                call: id,
                parker,
                ring_back_at: now + RING_BACK_AFTER,
            },
        );
        self.features.park.announcing.push(Announcing {
            call: id,
            leg: parker_leg,
            subscribe,
            until,
        });
    }

    /// Releases parkers whose announcement is over, and rings back parkers whose calls
    /// waited too long.
    pub(super) fn park_timeout(&mut self, now: Instant) {
        let (done, going): (Vec<_>, Vec<_>) = std::mem::take(&mut self.features.park.announcing)
            .into_iter()
            .partition(|a| a.until <= now);
        self.features.park.announcing = going;
        for a in done {
            self.release_parker(now, a);
        }
        let due: Vec<String> = self
            .features
            .park
            .slots
            .iter()
            .filter(|(_, p)| p.ring_back_at <= now || !self.is_parked(p.call))
            .map(|(s, _)| s.clone())
            .collect();
        for slot in due {
            if let Some(parked) = self.features.park.slots.remove(&slot) {
                if self.is_parked(parked.call) {
                    self.ring_back(now, parked);
                }
            }
        }
    }

    /// Frees the slots of calls that ended while parked.
    fn forget_empty_slots(&mut self) {
        let calls = &self.calls;
        self.features.park.slots.retain(|_, p| {
            calls
                .get(&p.call)
                .is_some_and(|c| c.phase == Phase::Answered && c.b.is_none())
        });
    }

    /// Whether call `id` still waits in a slot (nobody took it, the party did not leave).
    pub(super) fn is_parked(&self, id: CallId) -> bool {
        self.calls
            .get(&id)
            .is_some_and(|c| c.phase == Phase::Answered && c.b.is_none())
    }

    /// The parker has heard its slot: its leg gets the final NOTIFY (when it parked by
    /// REFER) and a BYE, and its side of the relay goes quiet until someone retrieves.
    pub(super) fn release_parker(&mut self, now: Instant, a: Announcing) {
        let key = (a.leg.call_id.clone(), a.leg.local_tag.clone());
        if self.by_dialog.get(&key) == Some(&(a.call, Side::B)) {
            self.by_dialog.remove(&key);
        }
        if self.is_parked(a.call) {
            if let Some(relay) = self.calls.get(&a.call).and_then(|c| c.relay) {
                self.actions.push_back(Action::MediaStop {
                    id: relay.id,
                    to: Side::B,
                });
            }
        }
        self.release_transferor(now, a.leg, a.subscribe, 200, "OK");
    }

    /// A request from a parker still hearing its slot: a BYE releases it at once, other
    /// requests are refused. Returns whether the request was one.
    pub(super) fn parker_request(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        key: &ServerKey,
        request: &Request,
    ) -> bool {
        if side != Side::B || !self.is_parked(id) {
            return false;
        }
        let from_parker = |a: &Announcing| {
            a.call == id
                && a.leg.remote_tag == request.from().and_then(|f| f.tag().map(str::to_owned))
        };
        let Some(pos) = self.features.park.announcing.iter().position(from_parker) else {
            self.respond(now, key, request, 481, "Call/Transaction Does Not Exist");
            return true;
        };
        if request.method != Method::Bye {
            self.respond(now, key, request, 491, "Request Pending");
            return true;
        }
        self.respond(now, key, request, 200, "OK");
        let a = self.features.park.announcing.remove(pos);
        let dialog = (a.leg.call_id.clone(), a.leg.local_tag.clone());
        self.by_dialog.remove(&dialog);
        if let Some(relay) = self.calls.get(&id).and_then(|c| c.relay) {
            self.actions.push_back(Action::MediaStop {
                id: relay.id,
                to: Side::B,
            });
        }
        true
    }
}

/// How long `prompts` take to say (each decoded once at 8 kHz; a prompt that does not
/// load counts as nothing, as the runtime skips it too).
fn spoken_length(prompts: &[Prompt]) -> Duration {
    let millis: u64 = prompts
        .iter()
        .filter_map(|p| p.load(8000).ok())
        .map(|clip| clip.duration_ms())
        .sum();
    Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feature_codes::{is_park_slot, PARK};

    #[test]
    fn slots_run_from_the_first_to_the_last_code() {
        let slots: Vec<String> = slot_codes().collect();
        assert_eq!(slots.first().map(String::as_str), Some("*71"));
        assert!(slots.iter().all(|s| is_park_slot(s)));
        assert!(!is_park_slot(PARK));
    }

    #[test]
    fn the_first_free_slot_is_taken() {
        let mut park = ParkState::default();
        assert_eq!(park.free_slot().as_deref(), Some("*71"));
        park.slots.insert(
            "*71".to_owned(),
            Parked {
                call: 1,
                parker: "100".into(),
                ring_back_at: Instant::now(),
            },
        );
        assert_eq!(park.free_slot().as_deref(), Some("*72"));
        assert_eq!(park.slot_of(1).as_deref(), Some("*71"));
        assert_eq!(park.slot_of(2), None);
    }

    #[test]
    fn the_announcement_has_a_length() {
        let mut prompts = vec![Prompt::ParkParkedAt];
        prompts.extend(Prompt::digits("*71"));
        assert!(spoken_length(&prompts) > Duration::from_millis(500));
    }
}
