//! Call transfer by REFER (RFC 3515): a party in a call asks the PBX to connect the other
//! party somewhere else. The PBX accepts (202), reports progress with `message/sipfrag`
//! NOTIFYs on the implicit subscription (RFC 3515 §2.4.4–2.4.7; none when the REFER says
//! `Refer-Sub: false`, RFC 4488 §4), and does the transfer itself rather than passing the
//! REFER on: as a B2BUA it holds both dialogs and the relay, so the remaining party never
//! has to know (see `transfer_blind` and `transfer_attended`).
//!
//! The state shared by the transfer files lives in [`TransferState`]: what each party last
//! described of its media (the offer a new party gets), which relays a call now uses with
//! its sides the other way round, and the PBX's own re-INVITEs.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use sip::transaction::{ClientKey, ServerKey};
use sip::{Method, Request, Response};

use super::transfer_target::refer_to;
use super::{CallId, Leg, Phase};
use crate::action::{Action, Side};
use crate::core::Pbx;
use crate::media_relay::RelayId;

/// (Call-ID, our tag): how the PBX's indexes name one dialog with one phone.
pub(crate) type DialogKey = (String, String);

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct TransferState {
    /// The latest SDP each party sent, by its dialog: a party joined to someone new
    /// offers them its current media (re-anchored), so it need not be asked again.
    pub(super) sdp: HashMap<DialogKey, (String, Vec<u8>)>,
    /// Relays whose sides a call now sees the other way round: the remaining party of a
    /// blind transfer becomes the caller of the new leg but keeps its relay socket, so the
    /// call's "A" is the runtime's "B" (see [`TransferState::translate`]).
    pub(super) swapped: HashSet<RelayId>,
    /// Calls ringing a transfer target on behalf of a party that is already connected:
    /// if nobody answers, that party gets a BYE instead of a final response. With the
    /// codec that party sends, when known, to check the target's answer against.
    pub(super) ringing: HashMap<CallId, Option<String>>,
    /// re-INVITEs the PBX sent itself to move a party's media to a new relay side.
    pub(super) reinvites: HashMap<ClientKey, Reinvite>,
}

/// A re-INVITE sent by the PBX (not forwarded): its 2xx is ACKed here and its answer
/// points the relay at the party.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reinvite {
    pub call: CallId,
    pub side: Side,
    pub seq: u32,
    /// Offer the answer to the other party afterwards (it was left held).
    pub resume: bool,
}

impl TransferState {
    /// An action as the runtime understands it: sides of a swapped relay are turned back
    /// to the sides the relay was bound with.
    pub(crate) fn translate(&self, action: Action) -> Action {
        match relay_of(&action) {
            Some(id) if self.swapped.contains(&id) => flip_side(action),
            _ => action,
        }
    }
}

/// The relay an action with a side is about.
fn relay_of(action: &Action) -> Option<RelayId> {
    match action {
        Action::RelayPeer { id, .. }
        | Action::RelaySrtp { id, .. }
        | Action::RelayPlain { id, .. }
        | Action::MediaPlay { id, .. }
        | Action::MediaStop { id, .. }
        | Action::Announce { id, .. }
        | Action::SendDtmf { id, .. }
        | Action::DtmfInband { id, .. }
        | Action::Transcode { id, .. } => Some(*id),
        _ => None,
    }
}

/// The same action for the other side of its relay.
fn flip_side(action: Action) -> Action {
    match action {
        Action::RelayPeer { id, side, peer } => Action::RelayPeer {
            id,
            side: side.other(),
            peer,
        },
        Action::MediaPlay {
            id,
            to,
            source,
            format,
        } => Action::MediaPlay {
            id,
            to: to.other(),
            source,
            format,
        },
        Action::MediaStop { id, to } => Action::MediaStop { id, to: to.other() },
        Action::RelayPlain { id, side } => Action::RelayPlain {
            id,
            side: side.other(),
        },
        Action::RelaySrtp {
            id,
            side,
            suite,
            inbound,
            outbound,
        } => Action::RelaySrtp {
            id,
            side: side.other(),
            suite,
            inbound,
            outbound,
        },
        Action::Announce {
            id,
            to,
            prompts,
            format,
        } => Action::Announce {
            id,
            to: to.other(),
            prompts,
            format,
        },
        Action::SendDtmf {
            id,
            to,
            key,
            millis,
            format,
        } => Action::SendDtmf {
            id,
            to: to.other(),
            key,
            millis,
            format,
        },
        Action::DtmfInband { id, side, format } => Action::DtmfInband {
            id,
            side: side.other(),
            format,
        },
        // Formats are per side too: the call's caller is the runtime's "B".
        Action::Transcode {
            id,
            a,
            b,
            a_events,
            b_events,
        } => Action::Transcode {
            id,
            a: b,
            b: a,
            a_events: b_events,
            b_events: a_events,
        },
        other => other,
    }
}

impl Pbx {
    /// Turns the sides of `relay` round as the call sees them. Actions already queued
    /// were written with the old view, so they are turned too: each keeps its meaning
    /// when [`TransferState::translate`] reads it.
    pub(super) fn swap_relay_sides(&mut self, relay: RelayId) {
        if !self.transfer.swapped.remove(&relay) {
            self.transfer.swapped.insert(relay);
        }
        let queued = std::mem::take(&mut self.actions);
        self.actions = queued
            .into_iter()
            .map(|a| match relay_of(&a) {
                Some(id) if id == relay => flip_side(a),
                _ => a,
            })
            .collect();
    }

    /// The parties of call `id` change: music a hold started stops, since whoever held
    /// is gone or no longer holding anyone (RFC 3264 §8.4 holds belong to one exchange).
    pub(super) fn reset_hold(&mut self, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.hold = Default::default();
        if let Some(relay) = call.relay {
            for to in [Side::A, Side::B] {
                self.actions
                    .push_back(Action::MediaStop { id: relay.id, to });
            }
        }
    }
}

/// The REFER being acted on: who sent it and whether it wants NOTIFYs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Referral {
    /// The transferor's side in the call the REFER came in.
    pub side: Side,
    /// RFC 4488 §4: `Refer-Sub: false` turns the implicit subscription off.
    pub subscribe: bool,
}

impl Pbx {
    /// A REFER inside call `id` from `side` (RFC 3515 §2.4.2): accepted once it names a
    /// target, then carried out.
    pub(crate) fn refer_received(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        key: ServerKey,
        request: Request,
    ) {
        let answered = self
            .calls
            .get(&id)
            .is_some_and(|c| c.phase == Phase::Answered && c.b.is_some());
        if !answered {
            // A transfer while the call rings or is being transferred already.
            return self.respond(now, &key, &request, 491, "Request Pending");
        }
        let Some(target) = refer_to(&request) else {
            return self.respond(now, &key, &request, 400, "Bad Refer-To");
        };
        let subscribe = !request
            .headers
            .get("Refer-Sub")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
        let mut accepted = Response::for_request(&request, 202, "Accepted");
        if !subscribe {
            accepted.headers.push("Refer-Sub", "false");
        }
        self.send_response(now, &key, accepted);
        let referral = Referral { side, subscribe };
        // RFC 3515 §2.4.4: the first NOTIFY follows the 202 at once.
        self.refer_progress(now, id, referral, 100, "Trying");
        tracing::info!(call = id, attended = target.replaces.is_some(), "transfer");
        match target.replaces {
            Some(replaces) => self.attended_transfer(now, id, referral, &replaces, &target.number),
            None if target.number == crate::feature_codes::PARK => {
                self.park_call(now, id, side, subscribe)
            }
            None => self.blind_transfer(now, id, referral, &target.number),
        }
    }

    /// A provisional NOTIFY on the transferor's leg of call `id`.
    pub(super) fn refer_progress(
        &mut self,
        now: Instant,
        id: CallId,
        referral: Referral,
        status: u16,
        reason: &str,
    ) {
        if !referral.subscribe {
            return;
        }
        let Some(leg) = self
            .calls
            .get_mut(&id)
            .and_then(|c| c.leg_mut(referral.side))
        else {
            return;
        };
        let notify = sipfrag_notify(leg, status, reason, false);
        let peer = leg.peer;
        self.send_fire(now, notify, peer);
    }

    /// The final NOTIFY of a transfer that failed: the call goes on as it was.
    pub(super) fn refer_failed(
        &mut self,
        now: Instant,
        id: CallId,
        referral: Referral,
        status: u16,
        reason: &str,
    ) {
        tracing::info!(call = id, status, "transfer failed; the call goes on");
        if !referral.subscribe {
            return;
        }
        let Some(leg) = self
            .calls
            .get_mut(&id)
            .and_then(|c| c.leg_mut(referral.side))
        else {
            return;
        };
        let notify = sipfrag_notify(leg, status, reason, true);
        let peer = leg.peer;
        self.send_fire(now, notify, peer);
    }

    /// The transferor leaves: the final NOTIFY on its leg (already out of the call), then
    /// BYE (RFC 5589 §6: the transferor's dialog ends once the transfer has succeeded).
    pub(super) fn release_transferor(
        &mut self,
        now: Instant,
        mut leg: Leg,
        subscribe: bool,
        status: u16,
        reason: &str,
    ) {
        if subscribe {
            let notify = sipfrag_notify(&mut leg, status, reason, true);
            self.send_fire(now, notify, leg.peer);
        }
        let bye = leg.request(Method::Bye);
        self.send_fire(now, bye, leg.peer);
    }
}

/// A NOTIFY for the `refer` event carrying the status line of the transfer's progress
/// (RFC 3515 §2.4.5). The last one ends the subscription (§2.4.7).
fn sipfrag_notify(leg: &mut Leg, status: u16, reason: &str, last: bool) -> Request {
    let mut notify = leg.request(Method::Notify);
    notify.headers.push("Event", "refer");
    let state = if last {
        "terminated;reason=noresource".to_owned()
    } else {
        "active;expires=60".to_owned()
    };
    notify.headers.push("Subscription-State", state);
    notify
        .headers
        .push("Content-Type", "message/sipfrag;version=2.0");
    notify.body = format!("SIP/2.0 {status} {reason}\r\n").into_bytes();
    notify
}

#[cfg(test)]
mod tests {
    use super::*;
    use media::sdp::PayloadFormat;

    fn format(payload_type: u8, encoding: &str) -> PayloadFormat {
        PayloadFormat {
            payload_type,
            encoding: encoding.into(),
            clock_rate: 8000,
            channels: None,
            fmtp: None,
        }
    }

    #[test]
    fn a_swapped_relay_turns_every_sided_action_round() {
        let mut state = TransferState::default();
        let (swapped, plain) = (RelayId(1), RelayId(2));
        state.swapped.insert(swapped);
        let peer: std::net::SocketAddr = "192.0.2.1:4000".parse().unwrap();
        let transcode = |id| Action::Transcode {
            id,
            a: format(0, "PCMU"),
            b: format(9, "G722"),
            a_events: Some(101),
            b_events: None,
        };
        assert_eq!(
            state.translate(transcode(swapped)),
            Action::Transcode {
                id: swapped,
                a: format(9, "G722"),
                b: format(0, "PCMU"),
                a_events: None,
                b_events: Some(101),
            }
        );
        assert_eq!(state.translate(transcode(plain)), transcode(plain));
        let relay_peer = |id, side| Action::RelayPeer { id, side, peer };
        assert_eq!(
            state.translate(relay_peer(swapped, Side::A)),
            relay_peer(swapped, Side::B)
        );
        assert_eq!(
            state.translate(Action::MediaStop {
                id: swapped,
                to: Side::B
            }),
            Action::MediaStop {
                id: swapped,
                to: Side::A
            }
        );
        assert_eq!(
            state.translate(relay_peer(plain, Side::A)),
            relay_peer(plain, Side::A)
        );
    }
}
